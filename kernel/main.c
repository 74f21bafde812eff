/* The hypervisor proper: from the boot stage's hand-over to every CPU online
 * with virtualization enabled. */
#include <drivers/uart16550.h>

#include "appliance.h"
#include "arch.h"
#include "cmdline.h"
#include "cpu.h"
#include "kernel.h"
#include "log.h"
#include "mem.h"

static void console_init(const char *cmdline)
{
	char v[24];
	uint64_t port = UART_COM1, level;
	/* Ports below 0x100 belong to the PC's own chips (DMA, PIC, PIT, ...). */
	if (cmdline_get(cmdline, "console", v, sizeof v) &&
	    (!cmdline_number(v, &port) || port < 0x100 || port > 0xfff8))
		port = UART_COM1;
	uart_init((uint16_t)port);
	if (cmdline_get(cmdline, "loglevel", v, sizeof v) && cmdline_number(v, &level) && level <= LOG_DEBUG)
		log_set_level((enum log_level)level);
}

static __attribute__((noreturn)) void halt_system(const char *why)
{
	log_err("tessera: %s: hypervisor halted", why);
	arch_idle();
}

static void report_handover(const struct boot_info *bi)
{
	log_info("tessera: Tessera %s, image at 0x%lx (%lu KiB)", TESSERA_VERSION,
		 bi->image_base, bi->image_size >> 10);
	log_info("tessera: cmdline \"%s\"", bi->cmdline);
	log_info("tessera: %u memory ranges, %u files from the boot volume, bus mastering stopped on %u pci functions",
		 bi->mem_range_count, bi->file_count, bi->pci_dma_stopped);
	for (uint32_t i = 0; i < bi->file_count; i++)
		log_info("tessera: file %s: %lu bytes", bi->files[i].name, bi->files[i].size);
}

static void kernel_main(void *arg)
{
	struct boot_info *bi = arg;
	char test[16];

	arch_cpu_early_init(bi);
	console_init(bi->cmdline);
	report_handover(bi);
	if (mem_init(bi) || arch_mmu_init(bi))
		halt_system("cannot set up memory");
	arch_mmu_check_wx();
	if (arch_platform_init(bi))
		halt_system("platform set-up failed");
	if (arch_virt_init())
		halt_system("hardware virtualization unavailable, no partition can run");
	arch_smp_init(bi);
	/* Only now: until every other CPU has had INIT from us, a processor the
	 * firmware parked may still run code or use a stack in boot-services
	 * memory (UEFI 2.10 7.4, ExitBootServices leaves APs to the OS). */
	mem_release_boot_services(bi);
	mem_report();
	log_info("tessera: %u cpus online, %s enabled", cpu_online_count(), arch_virt_name());
	if (cmdline_get(bi->cmdline, "selftest", test, sizeof test))
		arch_selftest(test);
	arch_run_payloads(bi);
	appliance_start(bi);
	log_info("tessera: boot complete");
	cpu_idle_loop(); /* the boot CPU serves its partitions' vCPUs too */
}

void kernel_enter(struct boot_info *bi)
{
	irq_disable_all();
	if (bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION || bi->size != sizeof *bi)
		arch_idle(); /* nothing to print with: the console is not set up */
	arch_switch_stack(bi->bsp_stack_top, kernel_main, bi);
}
