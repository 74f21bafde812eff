/* What generic kernel code asks of the architecture (arch/x86/setup.c). */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include <tessera/boot_info.h>

/* Boot CPU: per-CPU block, GDT/TSS/IDT. Runs first, before any log line. */
void arch_cpu_early_init(const struct boot_info *bi);
/* Own page tables with W^X; 0 or negative (logged). */
int arch_mmu_init(const struct boot_info *bi);
/* Logs the W^X check line (docs/boot-log.md). */
void arch_mmu_check_wx(void);
/* ACPI, TSC, local APIC; 0 or negative (logged). */
int arch_platform_init(const struct boot_info *bi);
/* Pick and probe the VMX/SVM back end, enable it on the boot CPU. */
int arch_virt_init(void);
const char *arch_virt_name(void);
/* Start every other CPU; they enable virtualization and report online. */
void arch_smp_init(const struct boot_info *bi);
struct guest;
struct vcpu;
struct sched_vcpu;
/* Guests and vCPUs for the partition code (arch/x86/guest_arch.c). */
int arch_guest_create(struct guest *g, const char *name, uint64_t gpa, uint64_t size);
struct vcpu *arch_vcpu_create(struct guest *g, unsigned id); /* on the calling CPU */
void arch_vcpu_destroy(struct vcpu *v);
struct boot_plan;
/* Boot tables for any format (identity map, both GDTs), and vCPU start
 * states per the image's protocol (kernel/loader.h). */
int arch_guest_prepare(struct guest *g, const struct boot_plan *plan);
int arch_vcpu_boot(struct vcpu *v, const struct boot_plan *plan);
/* How a slice of a vCPU's time ended (arch_vcpu_run_slice). */
enum slice_end { SLICE_BLOCKED, SLICE_STOPPED, SLICE_EXPIRED, SLICE_PREEMPTED, SLICE_YIELD };
/* Run v on the calling CPU (its own) until until_ns (time_ns; 0 = no
 * limit), until it halts with nothing due (BLOCKED), stops, yields, or a
 * bit other than `mine` appears in *pending. */
enum slice_end arch_vcpu_run_slice(struct vcpu *v, uint64_t until_ns, const volatile uint32_t *pending,
				   uint32_t mine);
/* A blocked vCPU: is something due for it? Its next virtual timer (0 = none). */
bool arch_vcpu_wake_due(struct vcpu *v);
uint64_t arch_vcpu_next_event(struct vcpu *v);
void arch_vcpu_set_sched(struct vcpu *v, struct sched_vcpu *sv);
/* Time spent between slices on `cpu` (ns) and how many times. */
void arch_between_stats(unsigned cpu, uint64_t *ns, uint64_t *count);
/* Idle the calling CPU until an interrupt, or until until_ns (0 = none). */
void arch_cpu_wait(uint64_t until_ns);
void arch_vcpu_print_stats(const struct vcpu *v);
void arch_vcpu_report(const struct vcpu *v);
/* Stop every CPU for good without a panic report (on_fault = halt-system). */
void arch_halt_system(const char *why) __attribute__((noreturn));
/* Run the test payloads named by run= on the boot CPU (arch/x86/payload.c). */
void arch_run_payloads(const struct boot_info *bi);
/* Deliberate faults for the exception-path tests (selftest=...). */
void arch_selftest(const char *name);
/* Mask interrupts on this CPU (the firmware may have left them open). */
void irq_disable_all(void);
void arch_switch_stack(uint64_t top, void (*fn)(void *), void *arg) __attribute__((noreturn));
void arch_idle(void) __attribute__((noreturn));

#endif
