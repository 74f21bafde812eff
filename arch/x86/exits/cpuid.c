/* CPUID policy: the host's answers, minus what a guest must not see (VMX,
 * SVM, features that need emulation we do not have yet), plus the hypervisor
 * bit, Tessera's own leaves, and a topology that matches the guest's vCPUs. */
#include <arch/cpu.h>
#include <arch/exits.h>
#include <arch/virt.h>
#include <kernel/guest.h>
#include <kernel/time.h>
#include <kernel/vdev/platform.h>
#include <tessera/hypercall.h>

/* CPUID.1 (SDM Vol. 2A Table 3-10/3-11) */
#define C1_ECX_MONITOR   (1u << 3)
#define C1_ECX_VMX       (1u << 5)
#define C1_ECX_SMX       (1u << 6)
#define C1_ECX_X2APIC    (1u << 21)
#define C1_ECX_TSC_DEADLINE (1u << 24)
#define C1_ECX_OSXSAVE   (1u << 27)
#define C1_ECX_HYPERVISOR (1u << 31)
#define C1_EDX_MCE       (1u << 7)
#define C1_EDX_APIC      (1u << 9)
#define C1_EDX_MCA       (1u << 14)
#define C1_EDX_HTT       (1u << 28)
#define CR4_OSXSAVE      (1ull << 18)
/* CPUID 8000_0001h ECX (APM Vol. 3 E.4.2) */
#define E1_ECX_SVM       (1u << 2)
#define E1_ECX_SKINIT    (1u << 12)

static unsigned count_bits_needed(unsigned n)
{
	unsigned bits = 0;
	while ((1u << bits) < n)
		bits++;
	return bits;
}

static void leaf_1(struct vcpu *v, struct cpuid_regs *r)
{
	unsigned n = v->guest->vcpu_count;
	r->ecx &= ~(C1_ECX_MONITOR | C1_ECX_VMX | C1_ECX_SMX | C1_ECX_X2APIC | C1_ECX_TSC_DEADLINE |
		    C1_ECX_OSXSAVE);
	r->ecx |= C1_ECX_HYPERVISOR;
	if (virt->reg_read(v, VREG_CR4) & CR4_OSXSAVE)
		r->ecx |= C1_ECX_OSXSAVE; /* mirrors the guest's own CR4 */
	/* A virtual local APIC (xAPIC and x2APIC, with the TSC-deadline timer)
	 * exists only in guests with a virtual platform. */
	if (v->guest->platform)
		r->ecx |= C1_ECX_X2APIC | C1_ECX_TSC_DEADLINE, r->edx |= C1_EDX_APIC;
	else
		r->edx &= ~C1_EDX_APIC;
	r->edx = n > 1 ? r->edx | C1_EDX_HTT : r->edx & ~C1_EDX_HTT;
	/* Machine checks belong to the host (#MC is intercepted): no MCG or
	 * bank MSRs for the guest to find. */
	r->edx &= ~(C1_EDX_MCE | C1_EDX_MCA);
	r->ebx = (r->ebx & 0xffff) | (n << 16) | (v->id << 24);
}

/* Leaf 0Bh/1Fh: one thread per core, the guest's vCPUs as cores (SDM 2A). */
static void leaf_topology(struct vcpu *v, uint32_t sub, struct cpuid_regs *r)
{
	unsigned n = v->guest->vcpu_count;
	*r = (struct cpuid_regs){ 0, 0, sub & 0xff, v->id };
	if (sub == 0)
		*r = (struct cpuid_regs){ 0, 1, (1u << 8) | sub, v->id };
	else if (sub == 1)
		*r = (struct cpuid_regs){ count_bits_needed(n), n, (2u << 8) | sub, v->id };
}

static void tessera_leaf(struct vcpu *v, uint32_t leaf, struct cpuid_regs *r)
{
	*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	if (leaf == CPUID_TESSERA_SIGNATURE)
		*r = (struct cpuid_regs){ CPUID_TESSERA_TIMING, 0x73736554 /* "Tess" */,
					  0x48617265 /* "eraH" */, 0x00000056 /* "V" */ };
	else if (leaf == CPUID_TESSERA_FEATURES)
		r->eax = HC_ABI_VERSION;
	else if (leaf == CPUID_TESSERA_TIMING)
		r->eax = (uint32_t)(time_tsc_hz() / 1000),
		r->ebx = v->guest->platform ? (uint32_t)(v->guest->platform->lapic_hz / 1000) : 0;
}

static void apply_policy(struct vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
	switch (leaf) {
	case 1: leaf_1(v, r); break;
	case 4: r->eax = (r->eax & 0x03ffffff) | ((v->guest->vcpu_count - 1) << 26); break;
	case 5: case 0xa: *r = (struct cpuid_regs){ 0, 0, 0, 0 }; break;
	case 6:
		/* SDM 2A CPUID leaf 6 EAX[2] ARAT: the virtual local APIC timer
		 * runs in every idle state the guest can enter (HLT; MWAIT is
		 * #UD). Without it Linux keeps a periodic tick even when idle,
		 * since it has no broadcast timer to fall back on. Thermal and
		 * power bits are not the guest's. */
		*r = (struct cpuid_regs){ v->guest->platform ? 1u << 2 : 0, 0, 0, 0 };
		break;
	case 7:
		/* LA57 and CET need support the hypervisor lacks; IA32_TSC_ADJUST
		 * (EBX[1]) is not emulated: the TSC is the host's plus an offset. */
		if (sub == 0)
			r->ecx &= ~((1u << 16) | (1u << 7)), r->edx &= ~(1u << 20), r->ebx &= ~(1u << 1);
		break;
	case 0xb: case 0x1f: leaf_topology(v, sub, r); break;
	case 0x80000001: r->ecx &= ~(E1_ECX_SVM | E1_ECX_SKINIT); break;
	case 0x80000007:
		/* APM Vol. 3 E.4.6 / SDM 2A: EDX[8] invariant TSC. The hypervisor's
		 * own clock is the TSC and only works if it runs at a constant
		 * rate; every vCPU of a guest sees it with the same offset, so
		 * it is invariant and synchronized (Linux then trusts it on
		 * several vCPUs of any vendor). Power management bits are not
		 * the guest's. */
		*r = (struct cpuid_regs){ 0, 0, 0, v->guest->platform ? 1u << 8 : 0 };
		break;
	case 0x80000008: r->ecx = (r->ecx & ~0xffu) | (v->guest->vcpu_count - 1); break;
	case 0x8000000a: *r = (struct cpuid_regs){ 0, 0, 0, 0 }; break;
	default: break;
	}
}

enum exit_result exit_cpuid(struct vcpu *v, const struct vm_exit *e)
{
	(void)e;
	uint32_t leaf = (uint32_t)v->regs.rax, sub = (uint32_t)v->regs.rcx;
	struct cpuid_regs r;
	if ((leaf & 0xffff0000) == 0x40000000) {
		tessera_leaf(v, leaf, &r);
	} else {
		r = cpuid(leaf, sub);
		apply_policy(v, leaf, sub, &r);
	}
	v->regs.rax = r.eax;
	v->regs.rbx = r.ebx;
	v->regs.rcx = r.ecx;
	v->regs.rdx = r.edx;
	return EXIT_ADVANCE;
}
