/* Guest state in the VMCB: whole state, registers, segments, event injection
 * (APM Vol. 2 15.5.1 state save area, 15.20 "Event Injection"). */
#include <arch/cpu.h>
#include <arch/virt.h>

#include "svm.h"

static struct vmcb *vmcb_of(struct vcpu *v) { return ((struct svm_vcpu *)v->hw)->vmcb; }

static struct vmcb_seg *seg_slot(struct vmcb *vmcb, enum vseg s)
{
	struct vmcb_seg *const slots[VSEG_COUNT] = {
		&vmcb->es, &vmcb->cs, &vmcb->ss, &vmcb->ds, &vmcb->fs, &vmcb->gs,
		&vmcb->ldtr, &vmcb->tr, &vmcb->gdtr, &vmcb->idtr,
	};
	return slots[s];
}

/* VMX-style access rights <-> the VMCB's packed 12-bit form (APM 15.5.1). */
static uint16_t pack_attrib(uint32_t ar)
{
	if (ar & SEG_UNUSABLE)
		return 0;
	return (uint16_t)((ar & 0xff) | ((ar >> 4) & 0xf00));
}

static uint32_t unpack_attrib(uint16_t a)
{
	uint32_t ar = (a & 0xff) | ((uint32_t)(a & 0xf00) << 4);
	return (a & 0x80) ? ar : ar | SEG_UNUSABLE;
}

void svm_segment_read(struct vcpu *v, enum vseg s, struct vseg_state *out)
{
	const struct vmcb_seg *seg = seg_slot(vmcb_of(v), s);
	*out = (struct vseg_state){ seg->selector, unpack_attrib(seg->attrib), seg->limit, seg->base };
}

static void segment_write(struct vmcb *vmcb, enum vseg s, const struct vseg_state *in)
{
	struct vmcb_seg *seg = seg_slot(vmcb, s);
	*seg = (struct vmcb_seg){ in->selector, pack_attrib(in->attrib), in->limit, in->base };
}

void svm_load_state(struct vcpu *v, const struct vcpu_state *s)
{
	struct vmcb *vmcb = vmcb_of(v);
	for (int i = 0; i < VSEG_COUNT; i++)
		segment_write(vmcb, (enum vseg)i, &s->seg[i]);
	vmcb->cpl = (s->seg[VSEG_SS].attrib >> 5) & 3; /* APM 15.5.1: CPL from SS.DPL */
	vmcb->cr0 = s->cr0;
	vmcb->cr3 = s->cr3;
	vmcb->cr4 = s->cr4;
	svm_reg_write(v, VREG_EFER, s->efer);
	vmcb->g_pat = s->pat;
	vmcb->rip = s->rip;
	vmcb->rsp = s->rsp;
	vmcb->rflags = s->rflags | 2;
	vmcb->dr7 = 0x400;
	vmcb->dr6 = 0xffff0ff0;
	vmcb->interrupt_shadow = 0;
	vmcb->eventinj = 0;
	vmcb->tsc_offset = 0;
	/* VMLOAD/VMSAVE state: a new start begins from reset values. */
	vmcb->star = vmcb->lstar = vmcb->cstar = vmcb->sfmask = vmcb->kernel_gs_base = 0;
	vmcb->sysenter_cs = vmcb->sysenter_esp = vmcb->sysenter_eip = 0;
}

uint64_t svm_reg_read(struct vcpu *v, enum vreg r)
{
	struct vmcb *vmcb = vmcb_of(v);
	switch (r) {
	case VREG_RIP: return vmcb->rip;
	case VREG_RSP: return vmcb->rsp;
	case VREG_RFLAGS: return vmcb->rflags;
	case VREG_CR0: return vmcb->cr0;
	case VREG_CR2: return vmcb->cr2;
	case VREG_CR3: return vmcb->cr3;
	case VREG_CR4: return vmcb->cr4;
	case VREG_EFER: return vmcb->efer & ~EFER_SVME; /* ours, not the guest's */
	case VREG_PAT: return vmcb->g_pat;
	case VREG_DR7: return vmcb->dr7;
	case VREG_TSC_OFFSET: return vmcb->tsc_offset;
	default: return 0;
	}
}

void svm_reg_write(struct vcpu *v, enum vreg r, uint64_t value)
{
	struct vmcb *vmcb = vmcb_of(v);
	switch (r) {
	case VREG_RIP: vmcb->rip = value; break;
	case VREG_RSP: vmcb->rsp = value; break;
	case VREG_RFLAGS: vmcb->rflags = value | 2; break;
	case VREG_CR0: vmcb->cr0 = value; break;
	case VREG_CR2: vmcb->cr2 = value; break;
	case VREG_CR3: vmcb->cr3 = value; break;
	case VREG_CR4: vmcb->cr4 = value; break;
	case VREG_EFER: vmcb->efer = value | EFER_SVME; break; /* VMRUN requires SVME */
	case VREG_PAT: vmcb->g_pat = value; break;
	case VREG_DR7: vmcb->dr7 = value; break;
	case VREG_TSC_OFFSET: vmcb->tsc_offset = value; break;
	default: break;
	}
}

/* APM 15.21.5: the interrupt shadow ends with the instruction after it. */
void svm_advance_rip(struct vcpu *v, unsigned len)
{
	struct vmcb *vmcb = vmcb_of(v);
	vmcb->rip += len;
	vmcb->interrupt_shadow = 0;
}

/* APM 15.20: EVENTINJ = vector, type (0 INTR, 2 NMI, 3 exception, 4 soft
 * int), EV bit 11, V bit 31, error code in 63:32. */
void svm_inject(struct vcpu *v, const struct vevent *e)
{
	if (vmcb_of(v)->eventinj & (1ull << 31))
		return; /* an event being re-delivered goes first (svm_exit.c) */
	uint64_t ev = e->vector | ((uint64_t)e->type << 8) | (1ull << 31);
	if (e->has_error)
		ev |= (1ull << 11) | ((uint64_t)e->error << 32);
	vmcb_of(v)->eventinj = ev;
}

#define RFLAGS_IF (1ull << 9)

bool svm_intr_ready(struct vcpu *v)
{
	struct vmcb *vmcb = vmcb_of(v);
	return (vmcb->rflags & RFLAGS_IF) && !(vmcb->interrupt_shadow & 1) &&
	       !(vmcb->eventinj & (1ull << 31));
}

/* APM 15.21.4: a virtual interrupt (V_IRQ) of the highest priority that
 * ignores V_TPR; the VINTR intercept exits when the guest would take it. */
void svm_intr_window(struct vcpu *v, bool on)
{
	struct vmcb *vmcb = vmcb_of(v);
	const uint64_t virq = V_IRQ | V_INTR_PRIO_MAX | V_IGN_TPR;
	if (on) {
		vmcb->vintr |= virq;
		vmcb->intercept_misc1 |= INTERCEPT_VINTR;
	} else {
		vmcb->vintr &= ~virq;
		vmcb->intercept_misc1 &= ~INTERCEPT_VINTR;
	}
}
