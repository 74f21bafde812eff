/* Guest state in the VMCS: loading a whole state, single registers,
 * segments, and event injection (SDM Vol. 3C 25.4 guest-state area, 27.6). */
#include <arch/cpu.h>
#include <arch/virt.h>

#include "vmcs.h"
#include "vmx.h"

#define EFER_LMA (1ull << 10)

static uint64_t fixed_cr0(uint64_t cr0)
{
	/* Unrestricted guest: PE and PG need not be 1 (SDM 25.8). */
	uint64_t must = vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG);
	return (cr0 | must) & vmx_caps.cr0_fixed1;
}

static uint64_t fixed_cr4(uint64_t cr4)
{
	return (cr4 | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;
}

void vmx_set_ia32e_guest(bool on)
{
	uint64_t ctl = vmread(VMCS_ENTRY_CTLS);
	vmwrite(VMCS_ENTRY_CTLS, on ? ctl | ENTRY_IA32E_GUEST : ctl & ~(uint64_t)ENTRY_IA32E_GUEST);
}

static void write_segment(enum vseg s, const struct vseg_state *seg)
{
	if (s == VSEG_GDTR || s == VSEG_IDTR) {
		unsigned i = s == VSEG_GDTR ? 0 : 1;
		vmwrite(VMCS_GUEST_ES_LIMIT + 0x10 + 2 * i, seg->limit);
		vmwrite(VMCS_GUEST_ES_BASE + 0x10 + 2 * i, seg->base);
		return;
	}
	vmwrite(VMCS_GUEST_ES_SEL + 2 * s, seg->selector);
	vmwrite(VMCS_GUEST_ES_LIMIT + 2 * s, seg->limit);
	vmwrite(VMCS_GUEST_ES_AR + 2 * s, seg->attrib);
	vmwrite(VMCS_GUEST_ES_BASE + 2 * s, seg->base);
}

void vmx_segment_read(struct vcpu *v, enum vseg s, struct vseg_state *out)
{
	(void)v;
	if (s == VSEG_GDTR || s == VSEG_IDTR) {
		unsigned i = s == VSEG_GDTR ? 0 : 1;
		*out = (struct vseg_state){ 0, 0, (uint32_t)vmread(VMCS_GUEST_ES_LIMIT + 0x10 + 2 * i),
					    vmread(VMCS_GUEST_ES_BASE + 0x10 + 2 * i) };
		return;
	}
	out->selector = (uint16_t)vmread(VMCS_GUEST_ES_SEL + 2 * s);
	out->limit = (uint32_t)vmread(VMCS_GUEST_ES_LIMIT + 2 * s);
	out->attrib = (uint32_t)vmread(VMCS_GUEST_ES_AR + 2 * s);
	out->base = vmread(VMCS_GUEST_ES_BASE + 2 * s);
}

void vmx_load_state(struct vcpu *v, const struct vcpu_state *s)
{
	for (int i = 0; i < VSEG_COUNT; i++)
		write_segment((enum vseg)i, &s->seg[i]);
	vmx_reg_write(v, VREG_CR0, s->cr0);
	vmx_reg_write(v, VREG_CR4, s->cr4);
	vmwrite(VMCS_GUEST_CR3, s->cr3);
	vmx_reg_write(v, VREG_EFER, s->efer);
	vmwrite(VMCS_GUEST_PAT, s->pat);
	vmwrite(VMCS_GUEST_RIP, s->rip);
	vmwrite(VMCS_GUEST_RSP, s->rsp);
	vmwrite(VMCS_GUEST_RFLAGS, s->rflags | 2);
	vmwrite(VMCS_GUEST_DR7, 0x400);
	vmwrite(VMCS_GUEST_DEBUGCTL, 0);
	vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	vmwrite(VMCS_GUEST_SYSENTER_ESP, 0);
	vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	/* SDM 25.4.2: activity state 3 = wait-for-SIPI */
	vmwrite(VMCS_GUEST_ACTIVITY, s->activity == WAIT_FOR_SIPI ? 3 : 0);
	vmwrite(VMCS_TSC_OFFSET, 0);
	/* The SYSCALL MSRs and KERNEL_GS_BASE are not in the VMCS: the guest
	 * uses this CPU's own (passed through, unused by the host). A new start
	 * must not see what the previous guest on this CPU left there. */
	static const uint32_t cpu_msrs[] = { 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000102 };
	for (unsigned i = 0; i < sizeof cpu_msrs / sizeof cpu_msrs[0]; i++)
		wrmsr(cpu_msrs[i], 0);
}

static const uint32_t plain_field[VREG_COUNT] = {
	[VREG_RIP] = VMCS_GUEST_RIP, [VREG_RSP] = VMCS_GUEST_RSP, [VREG_RFLAGS] = VMCS_GUEST_RFLAGS,
	[VREG_CR3] = VMCS_GUEST_CR3, [VREG_PAT] = VMCS_GUEST_PAT, [VREG_DR7] = VMCS_GUEST_DR7,
	[VREG_TSC_OFFSET] = VMCS_TSC_OFFSET, [VREG_EFER] = VMCS_GUEST_EFER,
};

/* The guest sees its own value of the bits we own (the read shadow). */
static uint64_t shadowed(uint32_t guest, uint32_t mask, uint32_t shadow)
{
	uint64_t m = vmread(mask);
	return (vmread(guest) & ~m) | (vmread(shadow) & m);
}

uint64_t vmx_reg_read(struct vcpu *v, enum vreg r)
{
	(void)v;
	if (r == VREG_CR0)
		return shadowed(VMCS_GUEST_CR0, VMCS_CR0_MASK, VMCS_CR0_SHADOW);
	if (r == VREG_CR4)
		return shadowed(VMCS_GUEST_CR4, VMCS_CR4_MASK, VMCS_CR4_SHADOW);
	if (r == VREG_CR2)
		return read_cr2(); /* not in the VMCS: the CPU's own CR2 is the guest's */
	return plain_field[r] ? vmread(plain_field[r]) : 0;
}

void vmx_reg_write(struct vcpu *v, enum vreg r, uint64_t value)
{
	(void)v;
	switch (r) {
	case VREG_CR0:
		vmwrite(VMCS_CR0_SHADOW, value);
		vmwrite(VMCS_GUEST_CR0, fixed_cr0(value));
		break;
	case VREG_CR4:
		vmwrite(VMCS_CR4_SHADOW, value);
		vmwrite(VMCS_GUEST_CR4, fixed_cr4(value));
		break;
	case VREG_CR2:
		write_cr2(value);
		break;
	case VREG_EFER:
		vmwrite(VMCS_GUEST_EFER, value);
		vmx_set_ia32e_guest(value & EFER_LMA); /* SDM 26.3.1.1 */
		break;
	default:
		if (plain_field[r])
			vmwrite(plain_field[r], value);
		break;
	}
}

/* SDM 25.4.2: interruptibility bits 0 (blocking by STI) and 1 (by MOV SS)
 * end with the instruction that follows them, here the emulated one. */
void vmx_advance_rip(struct vcpu *v, unsigned len)
{
	(void)v;
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + len);
	uint64_t intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (intr & 3)
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY, intr & ~3ull);
}

/* SDM 25.8.3 VM-entry interruption-information field */
void vmx_inject(struct vcpu *v, const struct vevent *e)
{
	(void)v;
	/* An exit during event delivery re-queued that event (vmx_exit.c); it
	 * goes first: the new one would arise again after it, if still due. */
	if (vmread(VMCS_ENTRY_INTR_INFO) & (1u << 31))
		return;
	uint32_t info = e->vector | ((uint32_t)e->type << 8) | (1u << 31);
	if (e->has_error) {
		info |= 1u << 11;
		vmwrite(VMCS_ENTRY_EXC_ERROR, e->error);
	}
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
}

#define RFLAGS_IF (1ull << 9)

bool vmx_intr_ready(struct vcpu *v)
{
	(void)v;
	return (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF) && !(vmread(VMCS_GUEST_INTERRUPTIBILITY) & 3) &&
	       !(vmread(VMCS_ENTRY_INTR_INFO) & (1u << 31));
}

/* SDM 25.6.2: primary processor-based control bit 2, interrupt-window
 * exiting; always allowed to be 1 (SDM A.3.2). */
void vmx_intr_window(struct vcpu *v, bool on)
{
	(void)v;
	uint64_t proc = vmread(VMCS_PROC_CTLS);
	uint64_t want = on ? proc | PROC_INTR_WINDOW : proc & ~(uint64_t)PROC_INTR_WINDOW;
	if (want != proc)
		vmwrite(VMCS_PROC_CTLS, want);
}
