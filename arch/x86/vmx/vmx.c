/*
 * Intel VMX: feature check and VMXON on every CPU (SDM Vol. 3C 24.6-24.8 in
 * older numbering "Discovering/Enabling VMX", Appendix A for the capability MSRs).
 */
#include <arch/cpu.h>
#include <arch/virt.h>
#include <kernel/log.h>
#include <kernel/mem.h>

#include "vmcs.h"
#include "vmx.h"

#define MSR_VMX_BASIC          0x480
#define MSR_VMX_EPT_VPID_CAP   0x48c

#define FC_LOCKED       (1ull << 0)
#define FC_VMXON_NO_SMX (1ull << 2)

/* A.2 IA32_VMX_BASIC */
#define BASIC_TRUE_CTLS (1ull << 55)
#define BASIC_MEMTYPE(b) (((b) >> 50) & 0xf)
/* A.3.2 / A.3.3: allowed-1 settings live in the upper half */
#define CAP_PROC_SECONDARY   (1ull << (32 + 31))
#define CAP_PROC2_EPT        (1ull << (32 + 1))
#define CAP_PROC2_VPID       (1ull << (32 + 5))
#define CAP_PROC2_UNRESTRICTED (1ull << (32 + 7))
/* A.10 IA32_VMX_EPT_VPID_CAP */
#define EPT_WALK4  (1ull << 6)
#define EPT_WB     (1ull << 14)
#define EPT_2M     (1ull << 16)
#define EPT_1G     (1ull << 17)
#define EPT_INVEPT (1ull << 20)
#define VPID_INVVPID (1ull << 32)

struct vmx_caps vmx_caps;

static bool need(bool have, const char *what, int *missing)
{
	if (!have) {
		log_err("tessera: vmx: missing %s", what);
		(*missing)++;
	}
	return have;
}

/* IA32_FEATURE_CONTROL (SDM 24.7): firmware may lock VMX off; if it left the
 * MSR unlocked (OVMF under Bochs does) we enable VMXON outside SMX and lock. */
static int feature_control(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (fc & FC_LOCKED)
		return (fc & FC_VMXON_NO_SMX) ? 0 : -1;
	wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FC_VMXON_NO_SMX | FC_LOCKED);
	return 0;
}

int vmx_probe(void)
{
	int missing = 0;
	if (!need((cpuid(1, 0).ecx >> 5) & 1, "VMX (CPUID.1:ECX[5])", &missing))
		return -1;
	if (feature_control()) {
		log_err("tessera: vmx: disabled by firmware (IA32_FEATURE_CONTROL locked without VMXON)");
		return -1;
	}
	uint64_t basic = rdmsr(MSR_VMX_BASIC);
	uint64_t proc = rdmsr(MSR_VMX_PROCBASED_CTLS);
	uint64_t proc2 = (proc & CAP_PROC_SECONDARY) ? rdmsr(MSR_VMX_PROCBASED_CTLS2) : 0;
	uint64_t ept = (proc2 & (CAP_PROC2_EPT | CAP_PROC2_VPID)) ? rdmsr(MSR_VMX_EPT_VPID_CAP) : 0;
	vmx_caps.vmcs_revision = basic & 0x7fffffff;
	vmx_caps.true_ctls = basic & BASIC_TRUE_CTLS;
	vmx_caps.ept_1g = ept & EPT_1G;
	vmx_caps.invept_single = ept & (1ull << 25); /* SDM A.10 */
	vmx_caps.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	vmx_caps.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);

	need(basic & BASIC_TRUE_CTLS, "true VMX controls (IA32_VMX_BASIC[55])", &missing);
	need(BASIC_MEMTYPE(basic) == 6, "write-back VMCS memory type", &missing);
	need(proc & CAP_PROC_SECONDARY, "secondary processor-based controls", &missing);
	need(proc2 & CAP_PROC2_EPT, "EPT", &missing);
	need(proc2 & CAP_PROC2_VPID, "VPID", &missing);
	need(proc2 & CAP_PROC2_UNRESTRICTED, "unrestricted guest", &missing);
	need(ept & EPT_WALK4, "4-level EPT", &missing);
	need(ept & EPT_WB, "write-back EPT structures", &missing);
	need(ept & EPT_2M, "2 MiB EPT pages", &missing);
	need(ept & EPT_INVEPT, "INVEPT", &missing);
	need(ept & VPID_INVVPID, "INVVPID", &missing);
	if (missing)
		return -1;
	log_info("tessera: vmx: vmcs revision 0x%x, ept 4-level 2M%s, vpid, unrestricted guest",
		 vmx_caps.vmcs_revision, (ept & EPT_1G) ? " 1G" : "");
	return 0;
}

/* SDM 24.8: CR0/CR4 bits fixed to 1 or 0 in VMX operation (Appendix A.7/A.8). */
static void apply_fixed_bits(void)
{
	write_cr4((read_cr4() | CR4_VMXE | rdmsr(MSR_VMX_CR4_FIXED0)) & rdmsr(MSR_VMX_CR4_FIXED1));
	write_cr0((read_cr0() | rdmsr(MSR_VMX_CR0_FIXED0)) & rdmsr(MSR_VMX_CR0_FIXED1));
}

int vmx_cpu_enable(struct percpu *c)
{
	if (feature_control()) {
		log_err("tessera: vmx: cpu %u: VMX locked off by firmware", c->index);
		return -1;
	}
	if (!c->virt_page && !(c->virt_page = frames_alloc(1, PAGE_SIZE, 0)))
		return -1;
	*(volatile uint32_t *)c->virt_page = vmx_caps.vmcs_revision; /* SDM 24.11.5 VMXON region */
	apply_fixed_bits();
	uint64_t pa = c->virt_page;
	uint8_t fail_invalid, fail_valid;
	__asm__ volatile("vmxon %2; setc %0; setz %1"
			 : "=r"(fail_invalid), "=r"(fail_valid) : "m"(pa) : "cc", "memory");
	if (fail_invalid || fail_valid) {
		log_err("tessera: vmx: cpu %u: VMXON failed (%s)", c->index,
			fail_invalid ? "VMfailInvalid" : "VMfailValid");
		return -1;
	}
	return 0;
}
