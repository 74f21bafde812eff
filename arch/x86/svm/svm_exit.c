/* Decoding #VMEXIT codes into struct vm_exit (APM Vol. 2 15.6, Appendix C).
 * Without NRIP save (QEMU TCG) the length of the intercepted instruction is
 * its architectural one: none of these has a variable encoding we accept
 * (the handlers re-check with a fetch where it matters). */
#include <stddef.h>

#include <arch/virt.h>

#include "svm.h"

struct svm_exit_desc {
	uint8_t kind;
	uint8_t len; /* fallback length without NRIP save */
};

/* Indexed by exit code (all below 0x90): one load, no search, on every exit. */
static const struct svm_exit_desc table[0x90] = {
	[VMEXIT_INTR] = { EXIT_EXTINT, 0 },        [VMEXIT_NMI] = { EXIT_NMI, 0 },
	[VMEXIT_SMI] = { EXIT_EXTINT, 0 },         [VMEXIT_INIT] = { EXIT_INIT, 0 },
	[VMEXIT_VINTR] = { EXIT_INTR_WINDOW, 0 },  [VMEXIT_RDPMC] = { EXIT_RDPMC, 2 },
	[VMEXIT_CPUID] = { EXIT_CPUID, 2 },        [VMEXIT_INVD] = { EXIT_INVD, 2 },
	[VMEXIT_PAUSE] = { EXIT_PAUSE, 2 },        [VMEXIT_HLT] = { EXIT_HLT, 1 },
	[VMEXIT_TASK_SWITCH] = { EXIT_TASK_SWITCH, 0 }, [VMEXIT_SHUTDOWN] = { EXIT_TRIPLE_FAULT, 0 },
	[VMEXIT_VMRUN] = { EXIT_VMINSN, 3 },       [VMEXIT_VMMCALL] = { EXIT_HYPERCALL, 3 },
	[0x082] = { EXIT_VMINSN, 3 },              [0x083] = { EXIT_VMINSN, 3 }, /* VMLOAD, VMSAVE */
	[0x084] = { EXIT_VMINSN, 3 },              [0x085] = { EXIT_VMINSN, 3 }, /* STGI, CLGI */
	[VMEXIT_SKINIT] = { EXIT_VMINSN, 3 },      [VMEXIT_ICEBP] = { EXIT_EXCEPTION, 1 },
	[VMEXIT_WBINVD] = { EXIT_WBINVD, 2 },      [VMEXIT_MONITOR] = { EXIT_MONITOR, 3 },
	[VMEXIT_MWAIT] = { EXIT_MWAIT, 3 },        [VMEXIT_MWAIT_COND] = { EXIT_MWAIT, 3 },
	[VMEXIT_XSETBV] = { EXIT_XSETBV, 3 },
};

static void decode_io(struct vmcb *vmcb, struct vm_exit *e)
{
	uint64_t info = vmcb->exitinfo1; /* APM 15.10.2 Figure 15-2 */
	e->kind = EXIT_IO;
	e->io.in = info & 1;
	e->io.string = info & 4;
	e->io.rep = info & 8;
	e->io.size = (info & 0x10) ? 1 : (info & 0x20) ? 2 : 4;
	e->io.addr_size = (info & 0x80) ? 2 : (info & 0x100) ? 4 : 8;
	e->io.port = (uint16_t)(info >> 16);
	e->insn_len = (uint8_t)(vmcb->exitinfo2 - vmcb->rip); /* EXITINFO2 = next RIP */
}

static void decode_npf(struct vmcb *vmcb, struct vm_exit *e)
{
	uint64_t err = vmcb->exitinfo1; /* #PF-style error code, APM 15.25.6 */
	e->kind = EXIT_NPF;
	e->npf.gpa = vmcb->exitinfo2;
	e->npf.write = err & 2;
	e->npf.fetch = err & 0x10;
	e->npf.read = !e->npf.write && !e->npf.fetch;
}

static void decode_by_table(struct vmcb *vmcb, struct vm_exit *e)
{
	const struct svm_exit_desc *d = vmcb->exitcode < 0x90 ? &table[vmcb->exitcode] : NULL;
	if (!d || !d->kind) {
		e->kind = EXIT_UNKNOWN; /* incl. FERR_FREEZE and anything not intercepted on purpose */
		return;
	}
	e->kind = d->kind;
	e->insn_len = svm_caps.nrip_save && d->len ? (uint8_t)(vmcb->next_rip - vmcb->rip) : d->len;
}

/* An exit during event delivery: deliver the event again (APM 15.7.2). */
static void requeue_exitintinfo(struct vmcb *vmcb)
{
	if (vmcb->exitintinfo & (1ull << 31))
		vmcb->eventinj = vmcb->exitintinfo;
}

void svm_decode_exit(struct vcpu *v, struct vm_exit *e)
{
	struct vmcb *vmcb = ((struct svm_vcpu *)v->hw)->vmcb;
	uint64_t code = vmcb->exitcode;
	e->raw = code;
	e->qual = vmcb->exitinfo1;
	if ((uint32_t)code == VMEXIT_INVALID) {
		e->kind = EXIT_INVALID_STATE;
		e->fail.why = "VMRUN consistency check failed (VMEXIT_INVALID, APM 15.5.1)";
	} else if (code == VMEXIT_IOIO) {
		decode_io(vmcb, e);
	} else if (code == VMEXIT_MSR) {
		e->kind = vmcb->exitinfo1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->msr.msr = (uint32_t)v->regs.rcx;
		e->insn_len = svm_caps.nrip_save ? (uint8_t)(vmcb->next_rip - vmcb->rip) : 2;
	} else if (code == VMEXIT_CR4_WRITE) {
		/* APM 15.8.1: with decode assists EXITINFO1[63] says the GPR is valid. */
		e->kind = EXIT_CR_WRITE;
		e->cr.cr = 4;
		e->cr.gpr = (svm_caps.decode_assists && (vmcb->exitinfo1 >> 63)) ? (int)(vmcb->exitinfo1 & 15) : -1;
		e->insn_len = svm_caps.nrip_save ? (uint8_t)(vmcb->next_rip - vmcb->rip) : 0;
	} else if (code == VMEXIT_NPF) {
		decode_npf(vmcb, e);
	} else if (code >= VMEXIT_EXCP_BASE && code < VMEXIT_EXCP_BASE + 32) {
		e->kind = EXIT_EXCEPTION;
		e->exc.vector = (uint8_t)(code - VMEXIT_EXCP_BASE);
		e->exc.has_error = e->exc.vector == EXC_AC; /* of those we intercept */
		e->exc.error = (uint32_t)vmcb->exitinfo1;
	} else {
		decode_by_table(vmcb, e);
		if (code == VMEXIT_ICEBP) { /* INT1: a #DB trap after the instruction */
			e->exc.vector = EXC_DB;
			e->exc.trap = true;
		}
	}
	requeue_exitintinfo(vmcb);
}
