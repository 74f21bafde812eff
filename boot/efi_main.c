/*
 * UEFI entry of tessera.efi. Gathers what the hypervisor needs from the
 * firmware (files, memory map, ACPI, framebuffer), leaves boot services and
 * hands one struct boot_info to kernel_main on a stack of our own.
 */
#include "efi_boot.h"

#include <kernel/format.h>
#include <kernel/kernel.h>
#include <kernel/string.h>

EFI_SYSTEM_TABLE *efi_st;
EFI_BOOT_SERVICES *efi_bs;

#define BSP_STACK_PAGES 16

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

/* Start of "key=..." as a whole word of the command line, or NULL. */
static const char *strstr_word(const char *s, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = s; *p; p++)
		if ((p == s || p[-1] == ' ') && !strncmp(p, key, n))
			return p;
	return NULL;
}

/* Config name from "config=NAME" on the command line, else tessera.toml. */
static void config_name(const struct boot_info *bi, char *out, size_t size)
{
	const char *p = bi->cmdline;
	strlcpy(out, "tessera.toml", size);
	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, "config=", 7)) {
			size_t n = 0;
			for (p += 7; *p && *p != ' ' && n + 1 < size; p++)
				out[n++] = *p;
			out[n] = 0;
			return;
		}
		while (*p && *p != ' ')
			p++;
	}
}

/* run=a.bin,b.bin names test payloads (arch/x86/payload.c) to load too. */
static void load_payloads(struct boot_info *bi)
{
	char list[BOOT_CMDLINE_MAX], name[64];
	const char *p = strstr_word(bi->cmdline, "run=");
	if (!p)
		return;
	size_t n = 0;
	for (p += 4; *p && *p != ' ' && n + 1 < sizeof list; p++)
		list[n++] = *p;
	list[n] = 0;
	for (p = list; *p;) {
		size_t k = 0;
		while (*p && *p != ',' && k + 1 < sizeof name)
			name[k++] = *p++;
		name[k] = 0;
		if (*p == ',')
			p++;
		EFI_STATUS st = efi_files_load(bi, name);
		if (st != EFI_SUCCESS)
			efi_print("tessera: error: cannot read payload %s (EFI status 0x%llx)\n", name,
				  (unsigned long long)st);
	}
}

static void load_config(struct boot_info *bi)
{
	char name[64];
	config_name(bi, name, sizeof name);
	EFI_STATUS st = efi_files_load(bi, name);
	if (st == EFI_NOT_FOUND)
		efi_print("tessera: no config file %s next to the image\n", name);
	else if (st != EFI_SUCCESS)
		efi_print("tessera: error: cannot read %s (EFI status 0x%llx)\n", name,
			  (unsigned long long)st);
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
		efi_print("tessera: error: ExitBootServices failed (EFI status 0x%llx)\n",
			  (unsigned long long)status);
		return status;
	}
	kernel_enter(bi);
}
