/* What the firmware knows about the platform: command line, ACPI RSDP,
 * framebuffer, and finally the memory map handed over at ExitBootServices. */
#include "boot_info_build.h"
#include "efi_boot.h"

#include <stdbool.h>

#include <kernel/string.h>

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;
static EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;

/* PI 1.8 Vol. 2 13.4: gnu-efi has no header for it, so the two members we call
 * and the processor record are declared here from the specification. */
#define MP_SERVICES_GUID \
	{ 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }
#define PROCESSOR_ENABLED_BIT 0x2

struct mp_processor_info {
	UINT64 processor_id; /* the local APIC ID */
	UINT32 status_flag;
	UINT32 package, core, thread;
};

struct mp_services {
	EFI_STATUS (EFIAPI *get_number_of_processors)(struct mp_services *, UINTN *all, UINTN *enabled);
	EFI_STATUS (EFIAPI *get_processor_info)(struct mp_services *, UINTN n, struct mp_processor_info *);
};

static EFI_GUID mp_guid = MP_SERVICES_GUID;

/* ASCII copy of a UCS-2 string, non-ASCII replaced by '?'. */
static void narrow(char *out, size_t size, const CHAR16 *in, size_t max_chars)
{
	size_t n = 0;
	for (size_t i = 0; i < max_chars && in[i] && n + 1 < size; i++)
		out[n++] = in[i] < 0x80 ? (char)in[i] : '?';
	out[n] = 0;
}

/* Load options from the firmware or a shell; without any, the file
 * tessera.cmd next to the image supplies them. */
void efi_collect_cmdline(struct boot_info *bi, EFI_LOADED_IMAGE *loaded)
{
	narrow(bi->cmdline, sizeof bi->cmdline, loaded->LoadOptions,
	       loaded->LoadOptionsSize / sizeof(CHAR16));
	boot_strip_program_name(bi->cmdline);
	if (bi->cmdline[0] || efi_files_load(bi, "tessera.cmd") != EFI_SUCCESS)
		return;
	const struct boot_file *f = &bi->files[bi->file_count - 1];
	boot_cmdline_from_text(bi->cmdline, sizeof bi->cmdline, (const char *)f->base, f->size);
}

static void find_rsdp(struct boot_info *bi)
{
	for (UINTN i = 0; i < efi_st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &efi_st->ConfigurationTable[i];
		if (!memcmp(&t->VendorGuid, &acpi20_guid, sizeof(EFI_GUID))) {
			bi->acpi_rsdp = (uint64_t)t->VendorTable;
			bi->acpi_rsdp_version = 2;
			return;
		}
		if (!memcmp(&t->VendorGuid, &acpi10_guid, sizeof(EFI_GUID)) && !bi->acpi_rsdp) {
			bi->acpi_rsdp = (uint64_t)t->VendorTable;
			bi->acpi_rsdp_version = 1;
		}
	}
}

static void find_framebuffer(struct boot_info *bi)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	if (efi_bs->LocateProtocol(&gop_guid, NULL, (void **)&gop) != EFI_SUCCESS || !gop->Mode)
		return;
	bi->fb.base = gop->Mode->FrameBufferBase;
	bi->fb.size = gop->Mode->FrameBufferSize;
	bi->fb.width = gop->Mode->Info->HorizontalResolution;
	bi->fb.height = gop->Mode->Info->VerticalResolution;
	bi->fb.pixels_per_line = gop->Mode->Info->PixelsPerScanLine;
	bi->fb.format = gop->Mode->Info->PixelFormat;
}

static void list_processors(struct boot_info *bi)
{
	struct mp_services *mp;
	UINTN all = 0, enabled = 0;
	if (efi_bs->LocateProtocol(&mp_guid, NULL, (void **)&mp) != EFI_SUCCESS ||
	    mp->get_number_of_processors(mp, &all, &enabled) != EFI_SUCCESS)
		return;
	for (UINTN i = 0; i < all && bi->fw_cpu_count < BOOT_MAX_CPUS; i++) {
		struct mp_processor_info info;
		if (mp->get_processor_info(mp, i, &info) == EFI_SUCCESS &&
		    (info.status_flag & PROCESSOR_ENABLED_BIT))
			bi->fw_cpu_apic_ids[bi->fw_cpu_count++] = (uint32_t)info.processor_id;
	}
}

void efi_collect_platform(struct boot_info *bi)
{
	find_rsdp(bi);
	find_framebuffer(bi);
	list_processors(bi);
	efi_print("tessera: acpi rsdp 0x%llx (v%u), %u cpus from firmware, framebuffer %ux%u at 0x%llx\n",
		  (unsigned long long)bi->acpi_rsdp, bi->acpi_rsdp_version, bi->fw_cpu_count,
		  bi->fb.width, bi->fb.height, (unsigned long long)bi->fb.base);
}
