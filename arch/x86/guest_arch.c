/* The arch side of partitions (kernel/partition.c): guests with the chosen
 * back end's nested paging, vCPUs, and the raw 64-bit start. */
#include <arch/cpu.h>
#include <arch/guest_boot.h>
#include <arch/virt.h>
#include <kernel/arch.h>
#include <kernel/guest.h>
#include <kernel/log.h>

#define RAW_STACK_STRIDE 0x4000ull /* per-vCPU stacks below GUEST_BOOT_STACK */

int arch_guest_create(struct guest *g, const char *name, uint64_t gpa, uint64_t size)
{
	return guest_create_at(g, name, gpa, size, virt->npt_format, !virt->npt_has_1g());
}

struct vcpu *arch_vcpu_create(struct guest *g, unsigned id) { return vcpu_create(g, id); }
void arch_vcpu_destroy(struct vcpu *v) { vcpu_destroy(v); }
void arch_vcpu_run(struct vcpu *v) { vcpu_run(v); }
void arch_vcpu_print_stats(const struct vcpu *v) { vcpu_print_stats(v); }

int arch_guest_prepare_raw(struct guest *g)
{
	return guest_boot_write_tables(g);
}

int arch_vcpu_boot_raw(struct vcpu *v, uint64_t entry)
{
	struct vcpu_state s;
	uint64_t stack = GUEST_BOOT_STACK - v->id * RAW_STACK_STRIDE;
	guest_boot_long_mode_state(&s, entry, stack);
	v->regs = (struct guest_regs){ .rdi = v->id };
	vcpu_reset_xcr0(v);
	v->stop_request = false;
	v->reset_requested = false;
	v->exited = false;
	v->exit_status = 0;
	v->stop_reason[0] = 0;
	virt->vcpu_load_state(v, &s);
	return 0;
}
