#include "boot_info_build.h"

#include <stdbool.h>

/* UEFI 2.10 Table 7.10 */
enum {
	EFI_RESERVED, EFI_LOADER_CODE, EFI_LOADER_DATA, EFI_BS_CODE, EFI_BS_DATA,
	EFI_RT_CODE, EFI_RT_DATA, EFI_CONVENTIONAL, EFI_UNUSABLE, EFI_ACPI_RECLAIM,
	EFI_ACPI_NVS, EFI_MMIO, EFI_MMIO_PORT, EFI_PAL_CODE, EFI_PERSISTENT, EFI_UNACCEPTED,
};

uint32_t boot_mem_kind(uint32_t t)
{
	switch (t) {
	case EFI_CONVENTIONAL:  return BOOT_MEM_USABLE;
	case EFI_BS_CODE:
	case EFI_BS_DATA:       return BOOT_MEM_BOOT_SERVICES;
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:   return BOOT_MEM_LOADER;
	case EFI_RT_CODE:
	case EFI_RT_DATA:       return BOOT_MEM_RUNTIME;
	case EFI_ACPI_RECLAIM:  return BOOT_MEM_ACPI_RECLAIM;
	case EFI_ACPI_NVS:      return BOOT_MEM_ACPI_NVS;
	case EFI_MMIO:
	case EFI_MMIO_PORT:     return BOOT_MEM_MMIO;
	case EFI_PERSISTENT:    return BOOT_MEM_PERSISTENT;
	default:                return BOOT_MEM_RESERVED; /* incl. unaccepted, unknown */
	}
}

int boot_add_mem_range(struct boot_info *bi, uint64_t base, uint64_t pages, uint32_t kind)
{
	struct boot_mem_range *last = bi->mem_range_count ? &bi->mem[bi->mem_range_count - 1] : 0;
	if (last && last->kind == kind && last->base + last->pages * 4096 == base) {
		last->pages += pages;
		return 0;
	}
	if (bi->mem_range_count == BOOT_MAX_MEM_RANGES) {
		bi->mem_ranges_dropped++;
		return -1;
	}
	bi->mem[bi->mem_range_count++] = (struct boot_mem_range){
		.base = base, .pages = pages, .kind = kind,
	};
	return 0;
}

static bool ends_with_efi(const char *word, size_t len)
{
	if (len < 4)
		return false;
	const char *e = word + len - 4;
	return e[0] == '.' && (e[1] | 0x20) == 'e' && (e[2] | 0x20) == 'f' && (e[3] | 0x20) == 'i';
}

static void shift_left(char *s, size_t n)
{
	size_t i = 0;
	do
		s[i] = s[i + n];
	while (s[i++]);
}

void boot_strip_program_name(char *cmd)
{
	size_t first = 0;
	while (cmd[first] && cmd[first] != ' ')
		first++;
	if (ends_with_efi(cmd, first))
		shift_left(cmd, first);
	size_t blanks = 0;
	while (cmd[blanks] == ' ')
		blanks++;
	if (blanks)
		shift_left(cmd, blanks);
}

void boot_cmdline_from_text(char *out, size_t size, const char *text, uint64_t len)
{
	size_t n = 0;
	if (!size)
		return;
	for (; n < len && n + 1 < size && text[n]; n++)
		out[n] = (text[n] == '\n' || text[n] == '\r' || text[n] == '\t') ? ' ' : text[n];
	out[n] = 0;
}

static bool same_name(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

const struct boot_file *boot_find_file(const struct boot_info *bi, const char *name)
{
	for (uint32_t i = 0; i < bi->file_count && i < BOOT_MAX_FILES; i++)
		if (same_name(bi->files[i].name, name))
			return &bi->files[i];
	return 0;
}
