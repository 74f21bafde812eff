/* Hostile: write where another partition or the hypervisor might live. */
#include "lib/guest.h"

int test_main(void)
{
	print("writing 3 GiB, outside my 4 MiB");
	*(volatile uint64_t *)0xc0000000ull = 0x4141414141414141ull;
	print("FAIL write went through");
	return 1;
}
