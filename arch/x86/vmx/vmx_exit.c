/* Decoding VMX exits into struct vm_exit (SDM Vol. 3C 28.2 "Recording VM-Exit
 * Information", Appendix C exit reasons). Only translation happens here. */
#include <arch/virt.h>
#include <kernel/string.h>

#include "vmcs.h"
#include "vmx.h"

#define INTR_INFO_VALID (1u << 31)

static const enum exit_kind simple_kind[] = {
	[VMX_EXIT_EXTINT] = EXIT_EXTINT,         [VMX_EXIT_TRIPLE_FAULT] = EXIT_TRIPLE_FAULT,
	[VMX_EXIT_INIT] = EXIT_INIT,             [VMX_EXIT_INTR_WINDOW] = EXIT_INTR_WINDOW,
	[VMX_EXIT_TASK_SWITCH] = EXIT_TASK_SWITCH, [VMX_EXIT_CPUID] = EXIT_CPUID,
	[VMX_EXIT_GETSEC] = EXIT_VMINSN,         [VMX_EXIT_HLT] = EXIT_HLT,
	[VMX_EXIT_INVD] = EXIT_INVD,             [VMX_EXIT_RDPMC] = EXIT_RDPMC,
	[VMX_EXIT_VMCALL] = EXIT_HYPERCALL,      [VMX_EXIT_MWAIT] = EXIT_MWAIT,
	[VMX_EXIT_MONITOR] = EXIT_MONITOR,       [VMX_EXIT_PAUSE] = EXIT_PAUSE,
	[VMX_EXIT_WBINVD] = EXIT_WBINVD,         [VMX_EXIT_XSETBV] = EXIT_XSETBV,
	[VMX_EXIT_INVEPT] = EXIT_VMINSN,         [VMX_EXIT_INVVPID] = EXIT_VMINSN,
	[VMX_EXIT_VMFUNC] = EXIT_VMINSN,         [VMX_EXIT_BAD_GUEST_STATE] = EXIT_INVALID_STATE,
	[VMX_EXIT_BAD_MSR_LOAD] = EXIT_ENTRY_FAILED, [VMX_EXIT_MCE_DURING_ENTRY] = EXIT_ENTRY_FAILED,
	[VMX_EXIT_RDMSR] = EXIT_MSR_READ,        [VMX_EXIT_WRMSR] = EXIT_MSR_WRITE,
	[VMX_EXIT_PREEMPT_TIMER] = EXIT_PREEMPT,
};

static void decode_exception(struct vm_exit *e)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
	if (((info >> 8) & 7) == 2) { /* type 2: NMI */
		e->kind = EXIT_NMI;
		return;
	}
	e->kind = EXIT_EXCEPTION;
	e->exc.trap = ((info >> 8) & 7) == 5; /* privileged software exception: ICEBP */
	e->exc.vector = info & 0xff;
	e->exc.has_error = info & (1u << 11);
	if (e->exc.has_error)
		e->exc.error = (uint32_t)vmread(VMCS_EXIT_INTR_ERROR);
}

/* SDM 28.2.1 Table 28-5, and the instruction-information field for the
 * address size of string I/O (28.2.5). */
static void decode_io(struct vm_exit *e)
{
	e->kind = EXIT_IO;
	e->io.size = (e->qual & 7) + 1;
	e->io.in = e->qual & 8;
	e->io.string = e->qual & 16;
	e->io.rep = e->qual & 32;
	e->io.port = (uint16_t)(e->qual >> 16);
	unsigned code = (vmread(0x440e) >> 7) & 7; /* 0: 16-bit, 1: 32-bit, 2: 64-bit */
	e->io.addr_size = e->io.string && code <= 2 ? (uint8_t)(2 << code) : 0;
}

static void decode_cr(struct vm_exit *e)
{
	/* Table 28-3: bits 5:4 access type, 0 = MOV to CR */
	e->kind = ((e->qual >> 4) & 3) == 0 ? EXIT_CR_WRITE : EXIT_UNKNOWN;
	e->cr.cr = e->qual & 15;
	e->cr.gpr = (e->qual >> 8) & 15;
}

static void decode_ept_violation(struct vm_exit *e)
{
	e->kind = EXIT_NPF; /* Table 28-7 */
	e->npf.gpa = vmread(VMCS_GUEST_PHYS_ADDR);
	e->npf.read = e->qual & 1;
	e->npf.write = e->qual & 2;
	e->npf.fetch = e->qual & 4;
	e->npf.gva_valid = e->qual & 0x80;
	if (e->npf.gva_valid)
		e->npf.gva = vmread(VMCS_GUEST_LINEAR_ADDR);
}

/* An exit while the CPU was delivering an event: deliver it again on the
 * next entry unless the handler injects something else (SDM 28.2.4, 27.6). */
static void requeue_vectoring_event(void)
{
	uint32_t info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	if (!(info & INTR_INFO_VALID))
		return;
	vmwrite(VMCS_ENTRY_INTR_INFO, info & ~(1u << 12));
	if (info & (1u << 11))
		vmwrite(VMCS_ENTRY_EXC_ERROR, vmread(VMCS_IDT_VECTORING_ERROR));
	vmwrite(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
}

void vmx_decode_exit(struct vcpu *v, struct vm_exit *e)
{
	uint32_t reason = (uint32_t)vmread(VMCS_EXIT_REASON);
	unsigned basic = reason & 0xffff;
	e->raw = reason;
	e->qual = vmread(VMCS_EXIT_QUAL);
	e->insn_len = (uint8_t)vmread(VMCS_EXIT_INSN_LEN);
	if (basic < sizeof simple_kind / sizeof simple_kind[0] && simple_kind[basic])
		e->kind = simple_kind[basic];
	else if (basic == VMX_EXIT_EXCEPTION_NMI)
		decode_exception(e);
	else if (basic == VMX_EXIT_IO)
		decode_io(e);
	else if (basic == VMX_EXIT_CR_ACCESS)
		decode_cr(e);
	else if (basic == VMX_EXIT_EPT_VIOLATION)
		decode_ept_violation(e);
	else if (basic == VMX_EXIT_SIPI) {
		e->kind = EXIT_SIPI;
		e->sipi.vector = e->qual & 0xff;
	} else if (basic >= VMX_EXIT_VMCLEAR && basic <= VMX_EXIT_VMXON)
		e->kind = EXIT_VMINSN;
	else
		e->kind = EXIT_UNKNOWN; /* incl. EPT misconfiguration: our bug, contained */
	if (e->kind == EXIT_MSR_READ || e->kind == EXIT_MSR_WRITE)
		e->msr.msr = (uint32_t)v->regs.rcx; /* SDM 28.1: ECX names the MSR */
	if (reason & (1u << 31))
		e->kind = basic == VMX_EXIT_BAD_GUEST_STATE ? EXIT_INVALID_STATE : EXIT_ENTRY_FAILED;
	requeue_vectoring_event();
}

/* SDM Vol. 3C 31.4 "VM Instruction Error Numbers" */
const char *vmx_insn_error_name(unsigned code)
{
	static const char *const names[] = {
		[1] = "VMCALL executed in VMX root operation",
		[2] = "VMCLEAR with invalid physical address",
		[4] = "VMLAUNCH with non-clear VMCS",
		[5] = "VMRESUME with non-launched VMCS",
		[7] = "VM entry with invalid control field(s)",
		[8] = "VM entry with invalid host-state field(s)",
		[9] = "VMPTRLD with invalid physical address",
		[11] = "VMPTRLD with incorrect VMCS revision identifier",
		[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
		[13] = "VMWRITE to read-only VMCS component",
		[15] = "VMXON executed in VMX root operation",
		[26] = "VM entry with events blocked by MOV SS",
		[28] = "invalid operand to INVEPT/INVVPID",
	};
	if (code < sizeof names / sizeof names[0] && names[code])
		return names[code];
	return "VM instruction error (see SDM 31.4)";
}
