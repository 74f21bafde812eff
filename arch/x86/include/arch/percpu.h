/* Per-physical-CPU state, reached through GS base (this_cpu). */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <stdint.h>

#include <kernel/cpu.h>

struct vcpu;

/* SDM Vol. 3A 8.7, Figure 8-11: 64-bit TSS */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

enum cpu_state { CPU_ABSENT, CPU_STARTING, CPU_ONLINE, CPU_FAILED };

/* IST slots (TSS.ist[n-1]): exceptions that must not run on a possibly broken stack. */
#define IST_NMI 1
#define IST_DF  2
#define IST_MC  3

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_TSS       0x18
#define GDT_ENTRIES   5

struct percpu {
	struct percpu *self;       /* must stay first: this_cpu() reads %gs:0 */
	unsigned int index;
	uint32_t apic_id;
	uint64_t stack_bottom, stack_top;
	volatile enum cpu_state state;
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss tss __attribute__((aligned(16)));
	uint64_t virt_page;        /* VMXON region or SVM VM_HSAVE_PA area  */
	uint64_t virt_host_area;   /* SVM: VMSAVE image of this CPU's state */
	uint64_t current_vmcs;     /* VMX: the VMCS VMPTRLD made current here */
	struct vcpu *loaded_vcpu;  /* whose guest state the CPU holds (vcpu_switch.c) */
	uint64_t timer_armed_ns;   /* the local APIC timer's one-shot deadline */
	/* Between two vCPUs' slices: from leaving one slice to entering the
	 * next guest (vcpu.c), summed in TSC ticks for the scheduler report. */
	uint64_t slice_left_tsc, between_tsc, betweens;
	void (*volatile work_fn)(void *); /* queued by cpu_dispatch */
	void *volatile work_arg;
};

static inline struct percpu *this_cpu(void)
{
	struct percpu *c;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

extern struct percpu *cpus[MAX_CPUS];
extern unsigned int cpu_count; /* CPUs we know about (MADT), online or not */

/* Load GDT (with this CPU's TSS), IDT, segments and GS base. */
void cpu_load_descriptors(struct percpu *c);
void idt_init(void);

#endif
