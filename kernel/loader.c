#include "loader.h"

#include <boot/boot_info_build.h>
#include <kernel/vdev/platform.h>

#include "appliance.h"
#include "cmdline.h"
#include "format.h"
#include "time.h"
#include "arch.h"
#include "linux_boot.h"
#include "multiboot_boot.h"
#include "log.h"
#include "string.h"

#define RAW_MIN_LOAD 0x100000ul /* below are the boot page tables and stacks */
#define MIB          0x100000ull

static const struct boot_file *find(const struct cfg_partition *c, const struct boot_info *bi,
				    const char *config_name, const char *rel, const char *what)
{
	char path[BOOT_CMDLINE_MAX];
	appliance_path(config_name, rel, path, sizeof path);
	const struct boot_file *f = boot_find_file(bi, path);
	if (!f)
		log_err("tessera: partition %s: %s %s was not loaded from the boot volume", c->name,
			what, rel);
	return f;
}

static int check_raw(const struct cfg_partition *c)
{
	uint64_t load = c->load_set ? c->load : c->entry;
	if (load < RAW_MIN_LOAD) {
		log_err("tessera: partition %s: raw images load at 0x%lx or above (below: boot page tables and stacks), not 0x%lx",
			c->name, RAW_MIN_LOAD, load);
		return -1;
	}
	return 0;
}

int loader_find(const struct cfg_partition *c, const struct boot_info *bi, const char *config_name,
		struct loader_files *f)
{
	memset(f, 0, sizeof *f);
	if (c->memory_base) {
		log_err("tessera: partition %s: guests need RAM from guest-physical 0 (boot tables from 0x1000)",
			c->name);
		return -1;
	}
	if (c->format == CFG_FORMAT_RAW && check_raw(c))
		return -1;
	f->image = find(c, bi, config_name, c->image, "image");
	if (!f->image)
		return -1;
	if (c->initrd[0] && !(f->initrd = find(c, bi, config_name, c->initrd, "initrd")))
		return -1;
	for (uint32_t i = 0; i < c->module_count; i++)
		if (!(f->module[i] = find(c, bi, config_name, c->modules[i], "module")))
			return -1;
	return 0;
}

static int load_raw(struct guest *g, const struct cfg_partition *c, const struct loader_files *f,
		    struct boot_plan *plan)
{
	uint64_t load = c->load_set ? c->load : c->entry;
	void *dst = guest_ram_ptr(g, load, f->image->size);
	if (!dst) {
		log_err("tessera: partition %s: image %s (%lu bytes) does not fit at 0x%lx in its RAM",
			c->name, c->image, f->image->size, load);
		return -1;
	}
	memcpy(dst, (const void *)f->image->base, f->image->size);
	plan->entry = c->entry;
	return 0;
}

/* The partition's memory map: RAM with the PC's hole below 1 MiB (ACPI
 * tables live there) and the PCI ECAM window reserved. */
static uint32_t memory_map(const struct guest *g, struct linux_e820 *e)
{
	uint32_t n = 0;
	e[n++] = (struct linux_e820){ 0, VPLAT_LOW_HOLE, 1 };
	e[n++] = (struct linux_e820){ VPLAT_LOW_HOLE, MIB - VPLAT_LOW_HOLE, 2 };
	e[n++] = (struct linux_e820){ MIB, g->ram_size - MIB, 1 };
	e[n++] = (struct linux_e820){ VPLAT_ECAM_BASE, VPLAT_ECAM_SIZE, 2 };
	return n;
}

/* The partition's command line, plus what Linux cannot find out about the
 * TSC here, unless the line already says it (kernel-parameters.txt):
 *  - tsc_early_khz=: Linux calibrates the TSC by timing the PIT against it
 *    in tight loops (arch/x86/kernel/tsc.c), and when each PIT read is an
 *    exit that takes longer than its sanity checks allow (under emulation)
 *    it gives up on the TSC; the hypervisor knows the rate.
 *  - tsc=reliable: the TSC is invariant and every vCPU of the partition
 *    sees it with the same offset, so the clocksource watchdog (which
 *    compares it against timer ticks that a busy host may deliver late)
 *    has nothing to find. */
static void linux_cmdline(const struct cfg_partition *c, char *out, size_t size)
{
	char unused[24];
	int n = fmt_snprintf(out, size, "%s", c->cmdline);
	if (!cmdline_get(c->cmdline, "tsc_early_khz", unused, sizeof unused))
		n += fmt_snprintf(out + n, size - (size_t)n, "%stsc_early_khz=%lu", n ? " " : "",
				  time_tsc_hz() / 1000);
	if (!cmdline_get(c->cmdline, "tsc", unused, sizeof unused))
		fmt_snprintf(out + n, size - (size_t)n, "%stsc=reliable", n ? " " : "");
}

static int load_linux(struct guest *g, const struct cfg_partition *c, const struct loader_files *f,
		      struct vplat *plat, struct boot_plan *plan)
{
	char cmdline[CFG_CMDLINE_MAX + 64]; /* room for what linux_cmdline adds */
	linux_cmdline(c, cmdline, sizeof cmdline);
	struct linux_e820 e820[4];
	struct linux_boot_out out;
	const char *why = NULL;
	uint64_t rsdp;
	if (vplat_write_firmware(plat, &rsdp)) {
		log_err("tessera: partition %s: ACPI tables do not fit", c->name);
		return -1;
	}
	struct linux_boot_params_in in = {
		.image = (const uint8_t *)f->image->base, .image_size = f->image->size,
		.initrd = f->initrd ? (const uint8_t *)f->initrd->base : NULL,
		.initrd_size = f->initrd ? f->initrd->size : 0,
		.cmdline = cmdline,
		.ram = (uint8_t *)g->ram_hpa, .ram_gpa = g->ram_gpa, .ram_size = g->ram_size,
		.e820 = e820, .e820_count = memory_map(g, e820),
		.acpi_rsdp_gpa = rsdp,
	};
	if (linux_boot_load(&in, &out, &why)) {
		log_err("tessera: partition %s: Linux image %s refused: %s", c->name, c->image, why);
		return -1;
	}
	log_info("tessera: partition %s: Linux boot protocol %u.%02u, kernel at 0x%lx, initrd at 0x%lx",
		 c->name, out.protocol >> 8, out.protocol & 0xff, out.kernel_gpa, out.initrd_gpa);
	plan->entry = out.entry64;
	plan->arg = out.boot_params_gpa;
	return 0;
}

/* Multiboot kernels also get the virtual platform (its ACPI tables are
 * where an OS would search for them); modules carry their path as string. */
static int load_multiboot(struct guest *g, const struct cfg_partition *c,
			  const struct loader_files *f, struct vplat *plat, struct boot_plan *plan)
{
	struct linux_e820 e820[4];
	struct multiboot_module mods[CFG_MAX_MODULES];
	struct multiboot_boot_out out;
	const char *why = NULL;
	uint64_t rsdp;
	if (vplat_write_firmware(plat, &rsdp)) {
		log_err("tessera: partition %s: ACPI tables do not fit", c->name);
		return -1;
	}
	for (uint32_t i = 0; i < c->module_count; i++)
		mods[i] = (struct multiboot_module){ (const uint8_t *)f->module[i]->base,
						     f->module[i]->size, c->modules[i] };
	struct multiboot_boot_params_in in = {
		.image = (const uint8_t *)f->image->base, .image_size = f->image->size,
		.modules = mods, .module_count = c->module_count,
		.cmdline = c->cmdline,
		.ram = (uint8_t *)g->ram_hpa, .ram_gpa = g->ram_gpa, .ram_size = g->ram_size,
		.e820 = e820, .e820_count = memory_map(g, e820),
	};
	if (multiboot_boot_load(&in, &out, &why)) {
		log_err("tessera: partition %s: Multiboot image %s refused: %s", c->name, c->image, why);
		return -1;
	}
	log_info("tessera: partition %s: Multiboot kernel at 0x%lx-0x%lx, entry 0x%x, %u modules",
		 c->name, out.kernel_start, out.kernel_end, out.entry, out.module_count);
	plan->entry = out.entry;
	plan->arg = out.info_gpa;
	plan->magic = out.magic;
	return 0;
}

int loader_load(struct guest *g, const struct cfg_partition *c, const struct loader_files *f,
		struct vplat *plat, struct boot_plan *plan)
{
	memset((void *)g->ram_hpa, 0, g->ram_size);
	*plan = (struct boot_plan){ .format = c->format };
	int r;
	switch (c->format) {
	case CFG_FORMAT_LINUX: r = load_linux(g, c, f, plat, plan); break;
	case CFG_FORMAT_MULTIBOOT: r = load_multiboot(g, c, f, plat, plan); break;
	default: r = load_raw(g, c, f, plan); break;
	}
	return r ? r : arch_guest_prepare(g, plan);
}
