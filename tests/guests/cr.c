/* Control registers and XSETBV are checked as hardware checks them. */
#include "lib/guest.h"

static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }

int test_main(void)
{
	uint64_t cr4 = read_cr4(), cr0 = read_cr0();
	EXPECT(!(cr4 & (1u << 13)));                 /* VMXE is never the guest's */
	EXPECT(cr0 & (1u << 5));                     /* NE as the guest set it */
	/* Setting VMXE, or a reserved bit, faults. */
	EXPECT_EQ(TRY_INSN("mov %0, %%cr4", : : "r"(cr4 | (1u << 13))), 13);
	EXPECT_EQ(TRY_INSN("mov %0, %%cr4", : : "r"(cr4 | (1ull << 40))), 13);
	/* Turning PAE off in long mode faults. */
	EXPECT_EQ(TRY_INSN("mov %0, %%cr4", : : "r"(cr4 & ~(1ull << 5))), 13);
	/* A legal change sticks and reads back. */
	EXPECT_EQ(TRY_INSN("mov %0, %%cr4", : : "r"(cr4 | (1u << 9))), -1); /* OSFXSR (already set) */
	if (!(cpuid2(1, 0).ecx & (1u << 26))) {
		/* No XSAVE on this CPU model (QEMU's qemu64): OSXSAVE is reserved. */
		EXPECT_EQ(TRY_INSN("mov %0, %%cr4", : : "r"(cr4 | (1u << 18))), 13);
		print("no XSAVE: XSETBV checks skipped");
		return 0;
	}
	EXPECT_EQ(TRY_INSN("mov %0, %%cr4", : : "r"(cr4 | (1u << 18))), -1); /* OSXSAVE */
	EXPECT(read_cr4() & (1u << 18));
	EXPECT(cpuid2(1, 0).ecx & (1u << 27));       /* OSXSAVE mirrored in CPUID */
	/* XSETBV: x87 alone is fine, x87 off is not, index 1 does not exist. */
	EXPECT_EQ(TRY_INSN("xsetbv", : : "c"(0), "a"(1), "d"(0)), -1);
	EXPECT_EQ(TRY_INSN("xsetbv", : : "c"(0), "a"(3), "d"(0)), -1);
	EXPECT_EQ(TRY_INSN("xsetbv", : : "c"(0), "a"(0), "d"(0)), 13);
	EXPECT_EQ(TRY_INSN("xsetbv", : : "c"(1), "a"(1), "d"(0)), 13);
	EXPECT_EQ(TRY_INSN("xsetbv", : : "c"(0), "a"(5), "d"(0)), 13); /* AVX without SSE */
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	EXPECT_EQ(lo, 3);
	return 0;
}
