/* The arch side of partitions (kernel/partition.c): guests with the chosen
 * back end's nested paging, vCPUs, and the raw 64-bit start. */
#include <arch/cpu.h>
#include <arch/guest_boot.h>
#include <arch/virt.h>
#include <kernel/arch.h>
#include <kernel/guest.h>
#include <kernel/loader.h>
#include <kernel/log.h>
#include <kernel/vdev/platform.h>

#include "vcpu_events.h"

#define RAW_STACK_STRIDE 0x4000ull /* per-vCPU stacks below GUEST_BOOT_STACK */

int arch_guest_create(struct guest *g, const char *name, uint64_t gpa, uint64_t size)
{
	return guest_create_at(g, name, gpa, size, virt->npt_format, !virt->npt_has_1g());
}

struct vcpu *arch_vcpu_create(struct guest *g, unsigned id) { return vcpu_create(g, id); }
void arch_vcpu_destroy(struct vcpu *v) { vcpu_destroy(v); }
enum slice_end arch_vcpu_run_slice(struct vcpu *v, uint64_t until_ns, const volatile uint32_t *pending,
				   uint32_t mine)
{
	return vcpu_run_slice(v, until_ns, pending, mine);
}
bool arch_vcpu_wake_due(struct vcpu *v) { return vcpu_wake_due(v); }
uint64_t arch_vcpu_next_event(struct vcpu *v) { return vcpu_next_event(v); }
void arch_vcpu_set_sched(struct vcpu *v, struct sched_vcpu *sv) { v->sched = sv; }
void arch_cpu_wait(uint64_t until_ns) { vcpu_cpu_wait(until_ns); }
void arch_between_stats(unsigned cpu, uint64_t *ns, uint64_t *count) { vcpu_between_stats(cpu, ns, count); }
void arch_vcpu_print_stats(const struct vcpu *v) { vcpu_print_stats(v); }
void arch_vcpu_report(const struct vcpu *v) { vcpu_report(v); }

/* What any (re)start clears: the registers, the outcome of the last run,
 * and the interrupt state of a platform vCPU. */
static void start_fresh(struct vcpu *v)
{
	v->regs = (struct guest_regs){ 0 };
	vcpu_reset_xcr0(v);
	v->stop_request = false;
	v->reset_requested = false;
	v->exited = false;
	v->exit_status = 0;
	v->stop_reason[0] = 0;
	v->yield_request = false;
	if (v->intr_window) {
		virt->intr_window(v, false);
		v->intr_window = false;
	}
}

int arch_guest_prepare(struct guest *g, const struct boot_plan *plan)
{
	(void)plan;
	return guest_boot_write_tables(g) || guest_boot_write_os_gdt(g) ? -1 : 0;
}

/* vCPU 0 starts as the image's protocol says; the others of a Linux or
 * Multiboot guest wait for the guest's own INIT-SIPI-SIPI (vcpu.c). */
int arch_vcpu_boot(struct vcpu *v, const struct boot_plan *plan)
{
	struct vcpu_state s;
	vcpu_switch_to(v); /* VMX: its VMCS current for what follows */
	vcpu_switch_reset(v);
	start_fresh(v);
	if (plan->format == CFG_FORMAT_RAW) /* RDI = vCPU index, a stack of its own */
		guest_boot_long_mode_state(&s, plan->entry, GUEST_BOOT_STACK - v->id * RAW_STACK_STRIDE),
			v->regs.rdi = v->id;
	else if (v->id != 0)
		vcpu_reset_state(&s, 0);
	else if (plan->format == CFG_FORMAT_LINUX)
		guest_boot_linux_state(&s, plan->entry), v->regs.rsi = plan->arg;
	else
		guest_boot_protected_state(&s, plan->entry), v->regs.rax = plan->magic,
			v->regs.rbx = plan->arg;
	virt->vcpu_load_state(v, &s);
	v->state = VCPU_RUNNING;
	if (v->guest->platform && v->id != 0) {
		v->state = VCPU_WAIT_SIPI; /* secondaries wait for the guest's SIPI */
		vplat_wait_sipi(v);
	}
	return 0;
}

/* CPUID 0x15 ECX (SDM Vol. 2A): an Intel guest reads the core crystal
 * clock there and Linux takes it as the local APIC timer's clock; without
 * it the virtual timer counts at 1 GHz. */
uint64_t vplat_lapic_hz(void)
{
	uint32_t max = cpuid(0, 0).eax;
	uint32_t crystal = max >= 0x15 ? cpuid(0x15, 0).ecx : 0;
	return crystal ? crystal : 1000000000ull;
}
