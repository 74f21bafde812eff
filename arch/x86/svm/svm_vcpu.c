/*
 * SVM vCPUs: the VMCB (APM Vol. 2 15.5, Appendix B), nested paging (15.25),
 * ASIDs (15.16), MSR and I/O permission maps (15.10, 15.11) that deny
 * everything until common code allows it.
 */
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/virt.h>
#include <kernel/log.h>
#include <kernel/mem.h>
#include <kernel/paging.h>
#include <kernel/panic.h>
#include <kernel/string.h>

#include "svm.h"

static uint32_t next_asid = 1;

static uint64_t alloc_filled(unsigned pages, uint8_t fill)
{
	uint64_t pa = frames_alloc(pages, PAGE_SIZE, 0);
	if (pa)
		memset((void *)pa, fill, pages * PAGE_SIZE);
	return pa;
}

static void set_intercepts(struct vmcb *vmcb)
{
	/* CR4 writes are checked in common code: not every SVM implementation
	 * refuses reserved CR4 bits itself (QEMU TCG lets VMXE through and then
	 * fails the next VMRUN). */
	vmcb->intercept_cr = 1u << (16 + 4);
	vmcb->intercept_misc1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_INIT | INTERCEPT_RDPMC |
		INTERCEPT_CPUID | INTERCEPT_INVD | INTERCEPT_HLT | INTERCEPT_IOIO | INTERCEPT_MSR |
		INTERCEPT_TASK_SWITCH | INTERCEPT_FERR | INTERCEPT_SHUTDOWN;
	/* VMRUN must be intercepted (APM 15.5.1); the other SVM instructions
	 * would let a guest reach host state. */
	vmcb->intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_VMLOAD |
		INTERCEPT_VMSAVE | INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT |
		INTERCEPT_ICEBP | INTERCEPT_WBINVD | INTERCEPT_MONITOR | INTERCEPT_MWAIT |
		INTERCEPT_MWAIT_COND | INTERCEPT_XSETBV;
	/* #AC and #DB can loop forever in event delivery (CVE-2015-5307,
	 * CVE-2015-8104); #MC belongs to the host. */
	vmcb->intercept_exc = (1u << EXC_AC) | (1u << EXC_DB) | (1u << EXC_MC);
}

static int svm_vcpu_create(struct vcpu *v)
{
	struct svm_vcpu *s = (struct svm_vcpu *)frames_alloc(1, PAGE_SIZE, 0);
	if (!s)
		return -1;
	v->hw = s;
	s->vmcb = (struct vmcb *)frames_alloc(1, PAGE_SIZE, 0);
	s->msrpm = alloc_filled(2, 0xff); /* set bit = intercept */
	s->iopm = alloc_filled(3, 0xff);
	if (!s->vmcb || !s->msrpm || !s->iopm)
		return -1;
	struct vmcb *vmcb = s->vmcb;
	/* A VMCB on the CPU's VM_HSAVE_PA page would have VMRUN overwrite the
	 * guest's state with the host's: only a frame-allocator bug does that. */
	BUG_ON((uint64_t)vmcb == this_cpu()->virt_page);
	set_intercepts(vmcb);
	vmcb->iopm_base = s->iopm;
	vmcb->msrpm_base = s->msrpm;
	/* ASID 0 is the host's; wrap around when there are fewer than vCPUs and
	 * flush on every entry of a shared ASID (see svm_vcpu_run). */
	vmcb->asid = 1 + (next_asid++ - 1) % (svm_caps.asids - 1);
	vmcb->vintr = V_INTR_MASKING; /* guest IF never masks host interrupts */
	vmcb->np_control = 1;
	vmcb->n_cr3 = v->npt_root;
	return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
	struct svm_vcpu *s = v->hw;
	if (!s)
		return;
	if (s->vmcb)
		frames_free((uint64_t)s->vmcb, 1);
	if (s->msrpm)
		frames_free(s->msrpm, 2);
	if (s->iopm)
		frames_free(s->iopm, 3);
	frames_free((uint64_t)s, 1);
	v->hw = NULL;
}

/* APM 15.11: two bits per MSR (read, write) in three 2 KiB ranges. */
static void svm_msr_passthrough(struct vcpu *v, uint32_t msr, bool read, bool write)
{
	struct svm_vcpu *s = v->hw;
	uint8_t *pm = (uint8_t *)s->msrpm;
	uint32_t base;
	if (msr <= 0x1fff)
		base = 0;
	else if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		base = 0x800;
	else if (msr >= 0xc0010000 && msr <= 0xc0011fff)
		base = 0x1000;
	else
		return;
	uint32_t bit = (msr & 0x1fff) * 2;
	if (read)
		pm[base + bit / 8] &= ~(1u << (bit % 8));
	if (write)
		pm[base + bit / 8] &= ~(1u << (bit % 8 + 1));
}

static void svm_npt_flush(struct vcpu *v)
{
	struct svm_vcpu *s = v->hw;
	s->vmcb->tlb_control = svm_caps.flush_by_asid ? TLB_FLUSH_ASID : TLB_FLUSH_ALL;
}

/* QEMU TCG (7.2 and later, multi-threaded): FLDENV, FRSTOR, FXRSTOR and
 * XRSTOR on any CPU clear IGNNE in the first CPU's flags with a plain
 * read-modify-write from that CPU's thread (cpu_clear_ignne()). The same flags
 * word holds that CPU's nested-paging and GIF state, which its VMRUN and
 * #VMEXIT change; a race writes back a stale copy. CPU 0 then runs its host
 * code with nested paging on (a #VMEXIT on host state: the guest's VMCB gets
 * the host's registers) or its guest without it (a triple fault). Other
 * CPUs, and real hardware, are not affected. Say so once. */
static void warn_qemu_cpu0(void)
{
	static bool warned;
	if (!svm_caps.qemu_tcg || this_cpu()->index != 0 || cpu_count < 2 || warned)
		return;
	warned = true;
	log_warn("tessera: svm: cpu 0 runs a vcpu under QEMU TCG, whose SVM model can corrupt "
		 "cpu 0's nested paging state while other cpus restore FPU state; "
		 "leave cpu 0 without partitions there (docs/getting-started.md)");
}

static void svm_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
	struct svm_vcpu *s = v->hw;
	struct vmcb *vmcb = s->vmcb;
	*e = (struct vm_exit){ .kind = EXIT_NONE }; /* plain stores: no rep stos in the hot path */
	/* A vCPU that moved, or shares its ASID, must not see stale translations. */
	if (s->last_cpu != this_cpu() || svm_caps.asids - 1 < next_asid - 1) {
		svm_npt_flush(v);
		warn_qemu_cpu0();
	}
	s->last_cpu = this_cpu();
	vmcb->rax = v->regs.rax;
	vmcb->clean = 0; /* everything may have changed: see docs/architecture.md */
	svm_enter(&v->regs, (uint64_t)vmcb, this_cpu()->virt_host_area);
	v->regs.rax = vmcb->rax;
	vmcb->tlb_control = 0;
	vmcb->eventinj = 0;
	svm_decode_exit(v, e);
}

/* APM Vol. 3 E.4.2: CPUID Fn8000_0001 EDX[26] Page1GB, for nested tables too. */
static bool svm_npt_has_1g(void) { return (cpuid(0x80000001, 0).edx >> 26) & 1; }

const struct virt_ops svm_ops = {
	.name = "svm",
	.hypercall_insn = "vmmcall",
	.probe = svm_probe,
	.cpu_enable = svm_cpu_enable,
	.npt_format = &pt_format_npt,
	.npt_has_1g = svm_npt_has_1g,
	.vcpu_create = svm_vcpu_create,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_load_state = svm_load_state,
	.vcpu_run = svm_vcpu_run,
	.advance_rip = svm_advance_rip,
	.reg_read = svm_reg_read,
	.reg_write = svm_reg_write,
	.segment_read = svm_segment_read,
	.inject = svm_inject,
	.intr_ready = svm_intr_ready,
	.intr_window = svm_intr_window,
	.msr_passthrough = svm_msr_passthrough,
	.npt_flush = svm_npt_flush,
};
