/*
 * The vendor contract: what a hardware-virtualization back end provides. The
 * VMX (arch/x86/vmx) and SVM (arch/x86/svm) back ends each fill one table;
 * virt.c picks one at boot from CPUID. Back ends only translate: they set up
 * the hardware, enter the guest, and decode each exit into a neutral
 * struct vm_exit. What an exit means is decided once, in arch/x86/vcpu.c and
 * arch/x86/exits/. Nothing outside the back-end directories knows which one runs.
 */
#ifndef ARCH_VIRT_H
#define ARCH_VIRT_H

#include <arch/percpu.h>
#include <arch/vcpu.h>

struct pt_format;

struct virt_ops {
	const char *name;  /* "vmx" or "svm": appears in the boot log */
	const char *hypercall_insn; /* "vmcall" or "vmmcall", for the log */

	/* Is the CPU capable, and is the feature set we rely on complete? Logs
	 * what is missing by name; 0 if usable. Runs once, on the boot CPU. */
	int (*probe)(void);
	/* Switch virtualization on for the calling CPU; 0 or negative. */
	int (*cpu_enable)(struct percpu *c);

	/* Nested paging format (EPT or NPT) for guests' tables, and whether it
	 * may use 1 GiB leaves on this CPU. */
	const struct pt_format *npt_format;
	bool (*npt_has_1g)(void);

	/* Allocate the control block (VMCS/VMCB) and permission bitmaps, deny all
	 * MSRs and ports, point nested paging at v->npt.root. 0 or -1. */
	int (*vcpu_create)(struct vcpu *v);
	void (*vcpu_destroy)(struct vcpu *v);
	/* Load the architectural state in *s into the control block. */
	void (*vcpu_load_state)(struct vcpu *v, const struct vcpu_state *s);
	/* Enter the guest on the calling CPU and return at the next exit,
	 * decoded into *exit. v->regs holds the guest's general registers. */
	void (*vcpu_run)(struct vcpu *v, struct vm_exit *exit);

	/* The exiting instruction completed (emulated): RIP moves past it and
	 * an STI/MOV-SS interrupt shadow ends, as after the real instruction
	 * (SDM Vol. 3A 26.3.1.5, APM 15.21.5). */
	void (*advance_rip)(struct vcpu *v, unsigned len);

	/* Registers that live in the control block. */
	uint64_t (*reg_read)(struct vcpu *v, enum vreg r);
	void (*reg_write)(struct vcpu *v, enum vreg r, uint64_t value);
	void (*segment_read)(struct vcpu *v, enum vseg s, struct vseg_state *out);

	/* Queue an exception or interrupt for the next entry (SDM 26.6,
	 * APM 15.20). */
	void (*inject)(struct vcpu *v, const struct vevent *e);
	/* Could an external interrupt be injected at the next entry: guest
	 * RFLAGS.IF set, no STI/MOV-SS shadow, no event already queued
	 * (SDM 26.3.1.5 and 26.6.5, APM 15.20/15.21.4)? */
	bool (*intr_ready)(struct vcpu *v);
	/* Exit (EXIT_INTR_WINDOW) as soon as the guest can take an interrupt:
	 * VMX interrupt-window exiting (SDM 26.7.5), SVM a virtual interrupt
	 * with the VINTR intercept (APM 15.21.4). Off again with on = false. */
	void (*intr_window)(struct vcpu *v, bool on);

	/* Let the guest touch this MSR / port without exiting. */
	void (*msr_passthrough)(struct vcpu *v, uint32_t msr, bool read, bool write);
	/* Nested translations for this vCPU's tables changed: flush them. */
	void (*npt_flush)(struct vcpu *v);

	/* Several vCPUs on one CPU (vcpu_switch.c): save what the CPU holds
	 * for v beyond the control block when another vCPU takes the CPU, and
	 * make v's state (and control block) the CPU's again. May be NULL. */
	void (*vcpu_put)(struct vcpu *v);
	void (*vcpu_load)(struct vcpu *v);
	/* End the next entries at host TSC tsc_deadline with the back end's
	 * own timer (0 = no limit). false: there is none, the caller uses
	 * the local APIC timer. May be NULL. */
	bool (*slice_timer)(struct vcpu *v, uint64_t tsc_deadline);
};

extern const struct virt_ops vmx_ops;
extern const struct virt_ops svm_ops;
extern const struct virt_ops *virt;

/* Chosen back end, or NULL after a logged explanation. */
const struct virt_ops *virt_select(void);

#endif
