/*
 * Putting a partition's guest image into its RAM, for every format the
 * config knows: raw binaries, Linux bzImages (linux_boot.c) and Multiboot
 * kernels (multiboot_boot.c). The files are looked up once; every start,
 * and every restart, loads them again into zeroed RAM, so a restart is a
 * cold boot from the hypervisor's copies.
 */
#ifndef KERNEL_LOADER_H
#define KERNEL_LOADER_H

#include <tessera/boot_info.h>
#include <tessera/config.h>

#include "guest.h"

struct vplat;

struct loader_files {
	const struct boot_file *image, *initrd;
	const struct boot_file *module[CFG_MAX_MODULES];
};

/* Where and how vCPU 0 starts (arch_vcpu_boot). */
struct boot_plan {
	enum cfg_format format;
	uint64_t entry;
	uint64_t arg;     /* linux: boot_params (RSI); multiboot: info (EBX) */
	uint32_t magic;   /* multiboot: EAX */
};

/* Find the files the partition names on the boot volume. 0 or -1 (logged,
 * naming the partition and the file). */
int loader_find(const struct cfg_partition *c, const struct boot_info *bi, const char *config_name,
		struct loader_files *f);
/* Zero the RAM, load the image (and initrd, modules, boot tables, ACPI
 * tables for platform guests), fill *plan. 0 or -1 (logged). */
int loader_load(struct guest *g, const struct cfg_partition *c, const struct loader_files *f,
		struct vplat *plat, struct boot_plan *plan);

#endif
