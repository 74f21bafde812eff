/* Instructions that exit: caches, PAUSE, the ones the guest does not have
 * (VMX/SVM, MONITOR, RDPMC) fault with #UD, and #DB is reflected. */
#include "lib/guest.h"

int test_main(void)
{
	__asm__ volatile("wbinvd");
	__asm__ volatile("invd");                    /* done as WBINVD: nothing lost */
	__asm__ volatile("pause");
	EXPECT_EQ(TRY_INSN("vmxon (%0)", : : "r"(0x1000ull)), 6);
	EXPECT_EQ(TRY_INSN("vmrun", : : "a"(0x1000ull)), 6);
	EXPECT_EQ(TRY_INSN("vmload", : : "a"(0x1000ull)), 6);
	EXPECT_EQ(TRY_INSN("stgi"), 6);
	EXPECT_EQ(TRY_INSN("monitor", : : "a"(0x1000ull), "c"(0), "d"(0)), 6);
	EXPECT_EQ(TRY_INSN("rdpmc", : : "c"(0) : "rax", "rdx"), 6);
	/* Single-step two instructions: #DB exits, comes back to our handler. */
	uint64_t before = exceptions_seen[1];
	__asm__ volatile("pushfq; orq $0x100, (%%rsp); popfq; nop; nop; pushfq; andq $~0x100, (%%rsp); popfq"
			 ::: "memory", "cc");
	EXPECT(exceptions_seen[1] - before >= 2);
	return 0;
}
