/*
 * The vendor contract: what a hardware-virtualization back end provides. The
 * VMX (arch/x86/vmx) and SVM (arch/x86/svm) back ends each fill one table;
 * virt.c picks one at boot from CPUID. Nothing outside those directories
 * knows which one runs.
 */
#ifndef ARCH_VIRT_H
#define ARCH_VIRT_H

#include <arch/percpu.h>

struct virt_ops {
	const char *name; /* "vmx" or "svm": appears in the boot log */
	/* Is the CPU capable, and is the feature set we rely on complete? Logs
	 * what is missing by name; 0 if usable. Runs once, on the boot CPU. */
	int (*probe)(void);
	/* Switch virtualization on for the calling CPU; 0 or negative. */
	int (*cpu_enable)(struct percpu *c);
};

extern const struct virt_ops vmx_ops;
extern const struct virt_ops svm_ops;

/* Chosen back end, or NULL after a logged explanation. */
const struct virt_ops *virt_select(void);

#endif
