/* x86 bring-up in the order kernel_main asks for it (kernel/arch.h). */
#include <stddef.h>

#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/timer.h>
#include <arch/virt.h>
#include <drivers/irq_quiesce.h>
#include <kernel/acpi.h>
#include <kernel/arch.h>
#include <kernel/log.h>
#include <kernel/mem.h>
#include <kernel/panic.h>
#include <kernel/paging.h>

#define BSP_IST_SIZE 8192

static struct percpu bsp_block;
static uint8_t bsp_ist[3][BSP_IST_SIZE] __attribute__((aligned(16)));
static struct acpi_info acpi;
const struct virt_ops *virt;

void arch_cpu_early_init(const struct boot_info *bi)
{
	struct percpu *c = &bsp_block;
	c->index = 0;
	c->stack_top = bi->bsp_stack_top;
	c->stack_bottom = bi->bsp_stack_top - (BSP_STACK_PAGES - 1) * PAGE_SIZE; /* above the guard */
	for (int i = 0; i < 3; i++)
		c->tss.ist[i] = (uint64_t)&bsp_ist[i][BSP_IST_SIZE];
	idt_init();
	cpu_load_descriptors(c);
	cpus[0] = c;
	cpu_count = 1;
}

int arch_mmu_init(const struct boot_info *bi)
{
	if (mmu_init(bi))
		return -1;
	mmu_load();
	return 0;
}

static const void *acpi_identity(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	/* Only what the identity map covers can be read; a table pointer beyond
	 * it is as bad as one beyond memory. */
	return (pa && pa + len > pa && pa + len <= mmu_identity_top()) ? (const void *)pa : NULL;
}

static void quiesce_interrupts(void)
{
	uint64_t bases[ACPI_MAX_IOAPICS];
	for (uint32_t i = 0; i < acpi.ioapic_count; i++)
		bases[i] = acpi.ioapics[i].address;
	irq_quiesce(bases, acpi.ioapic_count);
}

/* CR4.OSXSAVE lets the host run XSETBV on a guest's behalf (exits/cr.c). */
static void enable_xsave(void)
{
	if ((cpuid(1, 0).ecx >> 26) & 1)
		write_cr4(read_cr4() | (1ull << 18));
}

int arch_platform_init(const struct boot_info *bi)
{
	struct acpi_env env = { acpi_identity, NULL };
	if (!bi->acpi_rsdp)
		log_warn("tessera: firmware gave no ACPI tables");
	else if (acpi_parse(&acpi, bi->acpi_rsdp, &env))
		log_warn("tessera: ACPI tables unusable");
	if (time_init((uint16_t)acpi.pm_timer_port, acpi.pm_timer_32bit))
		return -1;
	lapic_init_bsp();
	if (!lapic_x2apic() && mmu_remap(lapic_mmio_base(), PAGE_SIZE, PT_READ | PT_WRITE | PT_UC))
		return -1;
	lapic_cpu_init();
	lapic_mask_lvt();
	lapic_timer_calibrate();
	quiesce_interrupts();
	enable_xsave();
	bsp_block.apic_id = lapic_id();
	log_info("tessera: local apic: %s, boot cpu apic=%u", lapic_x2apic() ? "x2apic" : "xapic",
		 bsp_block.apic_id);
	return 0;
}

const char *arch_virt_name(void) { return virt ? virt->name : "no virtualization"; }

static void report_online(struct percpu *c)
{
	log_info("tessera: cpu %u online apic=%u", c->index, c->apic_id);
	smp_mark_online(c);
}

int arch_virt_init(void)
{
	virt = virt_select();
	if (!virt || virt->cpu_enable(&bsp_block))
		return -1;
	report_online(&bsp_block);
	return 0;
}

void ap_entry(struct percpu *c)
{
	cpu_load_descriptors(c);
	lapic_cpu_init();
	lapic_mask_lvt();
	enable_xsave();
	if (lapic_id() != c->apic_id)
		log_warn("tessera: cpu %u: MADT says apic=%u, hardware says %u", c->index, c->apic_id,
			 lapic_id());
	if (virt->cpu_enable(c)) {
		log_err("tessera: cpu %u (apic=%u): cannot enable %s, left out", c->index, c->apic_id,
			virt->name);
		c->state = CPU_FAILED;
		arch_idle();
	}
	report_online(c);
	cpu_idle_loop();
}

/* The MADT is the authority; without one, the firmware's MP Services list. */
static unsigned cpu_list(const struct boot_info *bi, uint32_t *ids)
{
	if (acpi.have_madt) {
		for (uint32_t i = 0; i < acpi.cpu_count; i++)
			ids[i] = acpi.cpus[i].apic_id;
		return acpi.cpu_count;
	}
	log_warn("tessera: no ACPI MADT: using the firmware's list of %u processors", bi->fw_cpu_count);
	for (uint32_t i = 0; i < bi->fw_cpu_count; i++)
		ids[i] = bi->fw_cpu_apic_ids[i];
	return bi->fw_cpu_count;
}

void arch_smp_init(const struct boot_info *bi)
{
	uint32_t ids[ACPI_MAX_CPUS > BOOT_MAX_CPUS ? ACPI_MAX_CPUS : BOOT_MAX_CPUS];
	unsigned n = cpu_list(bi, ids);
	if (n > 1 && smp_prepare_trampoline() == 0)
		smp_start_aps(ids, n);
	unsigned failed = cpu_count - cpu_online_count();
	if (failed)
		log_warn("tessera: %u of %u cpus did not come online", failed, cpu_count);
}

void arch_idle(void)
{
	cpu_stop();
}

/* Each of these must end in a PANIC with a register dump and a stack trace. */
void arch_selftest(const char *name)
{
	extern char _text[];
	static uint8_t data_page[16] = { 0xc3 }; /* "ret", in non-executable data */

	log_info("tessera: selftest %s", name);
	if (!__builtin_strcmp(name, "ud"))
		__asm__ volatile("ud2");
	else if (!__builtin_strcmp(name, "wx"))
		*(volatile uint8_t *)_text = 0x90; /* text is read-only */
	else if (!__builtin_strcmp(name, "nx"))
		((void (*)(void))data_page)();     /* data is not executable */
	else if (!__builtin_strcmp(name, "panic"))
		panic("selftest requested");
	log_err("tessera: selftest %s did not fault", name);
}

void arch_mmu_check_wx(void) { mmu_check_wx(); }

void irq_disable_all(void) { irq_disable(); }
