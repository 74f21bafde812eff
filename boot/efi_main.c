/*
 * UEFI entry of tessera.efi. Gathers what the hypervisor needs from the
 * firmware (files, memory map, ACPI, framebuffer), leaves boot services and
 * hands one struct boot_info to kernel_main on a stack of our own.
 */
#include "efi_boot.h"

#include <drivers/uart16550.h>
#include <kernel/appliance.h>
#include <kernel/cmdline.h>
#include <kernel/config.h>
#include <kernel/format.h>
#include <kernel/kernel.h>
#include <kernel/string.h>

EFI_SYSTEM_TABLE *efi_st;
EFI_BOOT_SERVICES *efi_bs;

void efi_print(const char *fmt, ...)
{
	char line[256];
	CHAR16 wide[258];
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	size_t n = 0;
	for (const char *p = line; *p && n < 255; p++) {
		if (*p == '\n')
			wide[n++] = L'\r';
		wide[n++] = (CHAR16)(unsigned char)*p;
	}
	wide[n] = 0;
	efi_st->ConOut->OutputString(efi_st->ConOut, wide);
}

static void *alloc_pages(UINTN pages)
{
	EFI_PHYSICAL_ADDRESS pa = 0;
	if (efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &pa) != EFI_SUCCESS)
		return NULL;
	memset((void *)pa, 0, pages * EFI_PAGE_SIZE);
	return (void *)pa;
}

/* run=a.bin,b.bin names test payloads (arch/x86/payload.c) to load too. */
static void load_payloads(struct boot_info *bi)
{
	char list[BOOT_CMDLINE_MAX], name[64];
	if (!cmdline_get(bi->cmdline, "run", list, sizeof list))
		return;
	for (const char *p = list; (p = cmdline_list_next(p, name, sizeof name));) {
		EFI_STATUS st = efi_files_load(bi, name);
		if (st != EFI_SUCCESS)
			efi_print("tessera: error: cannot read payload %s (EFI status 0x%llx)\n", name,
				  (unsigned long long)st);
	}
}

static void load_one(struct boot_info *bi, const char *config_name, const char *rel)
{
	char path[BOOT_CMDLINE_MAX];
	if (!rel[0])
		return;
	appliance_path(config_name, rel, path, sizeof path);
	EFI_STATUS st = efi_files_load(bi, path);
	if (st != EFI_SUCCESS)
		efi_print("tessera: error: cannot read %s (EFI status 0x%llx)\n", path, (unsigned long long)st);
}

/* The config names the images: parse it here too (the same parser) so they
 * are read before the firmware goes away. Its errors are reported later by
 * the kernel, with line numbers. */
static void load_partition_files(struct boot_info *bi, const char *name, const struct boot_file *f)
{
	static struct config cfg;
	struct cfg_error err;
	if (config_parse((const char *)f->base, f->size, name, &cfg, &err))
		return;
	for (uint32_t i = 0; i < cfg.partition_count; i++) {
		const struct cfg_partition *p = &cfg.partitions[i];
		load_one(bi, name, p->image);
		load_one(bi, name, p->initrd);
		for (uint32_t m = 0; m < p->module_count; m++)
			load_one(bi, name, p->modules[m]);
	}
}

static void load_config(struct boot_info *bi)
{
	char name[64];
	appliance_config_name(bi->cmdline, name, sizeof name);
	EFI_STATUS st = efi_files_load(bi, name);
	if (st == EFI_NOT_FOUND)
		efi_print("tessera: no config file %s next to the image\n", name);
	else if (st != EFI_SUCCESS)
		efi_print("tessera: error: cannot read %s (EFI status 0x%llx)\n", name,
			  (unsigned long long)st);
	else
		load_partition_files(bi, name, &bi->files[bi->file_count - 1]);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	efi_st = st;
	efi_bs = st->BootServices;
	efi_print("Tessera %s: UEFI boot stage\n", TESSERA_VERSION);

	struct boot_info *bi = alloc_pages((sizeof *bi + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE);
	uint8_t *stack = alloc_pages(BSP_STACK_PAGES);
	if (!bi || !stack) {
		efi_print("tessera: error: out of memory before hand-over\n");
		return EFI_OUT_OF_RESOURCES;
	}
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->size = sizeof *bi;
	bi->bsp_stack_top = (uint64_t)(stack + BSP_STACK_PAGES * EFI_PAGE_SIZE);

	EFI_LOADED_IMAGE *loaded = NULL;
	EFI_STATUS status = efi_files_open(image, &loaded);
	if (status != EFI_SUCCESS) {
		efi_print("tessera: error: cannot open the boot volume (EFI status 0x%llx)\n",
			  (unsigned long long)status);
		return status;
	}
	bi->image_base = (uint64_t)loaded->ImageBase;
	bi->image_size = loaded->ImageSize;
	efi_collect_cmdline(bi, loaded);
	load_config(bi);
	load_payloads(bi);
	efi_files_close();
	efi_collect_platform(bi);

	status = efi_exit_boot_services(image, bi);
	if (status != EFI_SUCCESS) {
		/* UEFI 2.10 7.4.6: after a failed ExitBootServices only GetMemoryMap
		 * and ExitBootServices may be called: report on the UART directly. */
		static const char msg[] = "tessera: error: ExitBootServices failed, giving up\n";
		uart_init(UART_COM1);
		uart_write(msg, sizeof msg - 1);
		return status;
	}
	kernel_enter(bi);
}
