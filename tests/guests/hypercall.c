/* The hypercall ABI, including what a hostile caller tries. */
#include "lib/guest.h"

static char message[] = "hello from a payload\n";

int test_main(void)
{
	EXPECT_EQ(hypercall(HC_VERSION, 0, 0, 0), HC_ABI_VERSION);
	EXPECT_EQ(hypercall(HC_CONSOLE_WRITE, (uint64_t)message, sizeof message - 1, 0), sizeof message - 1);
	/* Pointers outside its RAM (4 MiB), into hypervisor-looking addresses,
	 * wrapping around, and oversized lengths are refused. */
	EXPECT_EQ(hypercall(HC_CONSOLE_WRITE, 0x40000000, 16, 0), -HC_EFAULT);
	EXPECT_EQ(hypercall(HC_CONSOLE_WRITE, 0x3ffff0, 32, 0), -HC_EFAULT);
	EXPECT_EQ(hypercall(HC_CONSOLE_WRITE, ~0ull - 4, 16, 0), -HC_EFAULT);
	EXPECT_EQ(hypercall(HC_CONSOLE_WRITE, (uint64_t)message, 1ull << 40, 0), -HC_EINVAL);
	EXPECT_EQ(hypercall(HC_CONSOLE_WRITE, (uint64_t)message, 0, 0), 0);
	EXPECT_EQ(hypercall(12345, 1, 2, 3), -HC_ENOSYS);
	EXPECT_EQ(hypercall(~0ull, 0, 0, 0), -HC_ENOSYS);
	return 0;
}
