/* MSRs: the allow list works, everything else is #GP, and nothing the guest
 * writes reaches the hypervisor's own state. */
#include "lib/guest.h"

int test_main(void)
{
	uint64_t v;
	EXPECT_EQ(rdmsr_safe(0xc0000080, &v), -1);          /* EFER */
	EXPECT(v & (1u << 10));                             /* LMA */
	EXPECT(!(v & (1u << 12)));                          /* SVME never visible */
	EXPECT_EQ(wrmsr_safe(0xc0000080, v | (1u << 12)), 13); /* setting SVME: #GP */
	EXPECT_EQ(wrmsr_safe(0xc0000080, v & ~(1ull << 8)), 13); /* LME under paging: #GP */
	EXPECT_EQ(rdmsr_safe(0x277, &v), -1);               /* PAT */
	EXPECT_EQ(wrmsr_safe(0x277, 0x0007040600070406ull), -1);
	EXPECT_EQ(wrmsr_safe(0x277, 0x0202020202020202ull), 13); /* type 2 reserved */
	uint64_t t1, t2;
	EXPECT_EQ(rdmsr_safe(0x10, &t1), -1);
	EXPECT_EQ(rdmsr_safe(0x10, &t2), -1);
	EXPECT(t2 > t1);
	EXPECT_EQ(wrmsr_safe(0xc0000100, 0x12345000), -1);  /* FS base: the guest's */
	EXPECT_EQ(rdmsr_safe(0xc0000100, &v), -1);
	EXPECT_EQ(v, 0x12345000);
	/* Forbidden: feature control, VMX capability, SVM host save area,
	 * VM_CR, moving the APIC, x2APIC registers, a made-up MSR. */
	EXPECT_EQ(rdmsr_safe(0x3a, &v), 13);
	EXPECT_EQ(wrmsr_safe(0x3a, 5), 13);
	EXPECT_EQ(rdmsr_safe(0x480, &v), 13);
	EXPECT_EQ(wrmsr_safe(0xc0010117, 0x1000), 13);
	EXPECT_EQ(rdmsr_safe(0xc0010114, &v), 13);
	EXPECT_EQ(rdmsr_safe(0x1b, &v), -1);
	EXPECT_EQ(wrmsr_safe(0x1b, 0xfed00900), 13);
	EXPECT_EQ(wrmsr_safe(0x802, 7), 13);
	EXPECT_EQ(rdmsr_safe(0x12345678, &v), 13);
	return 0;
}
