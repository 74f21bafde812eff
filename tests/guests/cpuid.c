/* CPUID policy: hypervisor bit, Tessera's leaves, VMX/SVM hidden, topology. */
#include "lib/guest.h"

int test_main(void)
{
	struct cpuid_out r = cpuid2(1, 0);
	EXPECT(r.ecx & (1u << 31));           /* hypervisor present */
	EXPECT(!(r.ecx & (1u << 5)));         /* VMX hidden */
	EXPECT_EQ((r.ebx >> 24) & 0xff, 0);   /* initial APIC ID = vCPU 0 */
	EXPECT_EQ((r.ebx >> 16) & 0xff, 1);   /* one logical processor */
	r = cpuid2(0x80000001, 0);
	EXPECT(!(r.ecx & (1u << 2)));         /* SVM hidden */
	r = cpuid2(0x8000000a, 0);
	EXPECT_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = cpuid2(CPUID_TESSERA_SIGNATURE, 0);
	EXPECT_EQ(r.ebx, 0x73736554);         /* "Tess" */
	EXPECT_EQ(r.ecx, 0x48617265);         /* "eraH" */
	EXPECT_EQ(r.edx, 0x56);               /* "V"    */
	EXPECT(r.eax >= CPUID_TESSERA_TIMING);
	EXPECT_EQ(cpuid2(CPUID_TESSERA_FEATURES, 0).eax, HC_ABI_VERSION);
	uint32_t khz = cpuid2(CPUID_TESSERA_TIMING, 0).eax;
	EXPECT(khz > 1000);                   /* more than 1 MHz */
	print("tsc %u kHz", khz);
	return 0;
}
