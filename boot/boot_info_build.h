/* Building struct boot_info from what the firmware reports. Pure: no efi.h,
 * no firmware calls, so the host unit tests drive it (tests/unit/test_boot_info.c). */
#ifndef BOOT_BOOT_INFO_BUILD_H
#define BOOT_BOOT_INFO_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include <tessera/boot_info.h>

/* UEFI 2.10 Table 7.10 EFI_MEMORY_TYPE -> enum boot_mem_kind. */
uint32_t boot_mem_kind(uint32_t efi_type);

/* Append a range, merging it into the previous one when both are of one kind
 * and touch. Returns 0, or -1 when the table is full (the range is dropped
 * and counted in mem_ranges_dropped). */
int boot_add_mem_range(struct boot_info *bi, uint64_t base, uint64_t pages, uint32_t kind);

/* Load options as a shell passes them start with the program's own name
 * ("\EFI\BOOT\BOOTX64.EFI opts"): drop it and leading blanks, in place. */
void boot_strip_program_name(char *cmd);

/* Command-line text from a file (tessera.cmd): newlines and tabs become
 * blanks, NUL-terminated within size. */
void boot_cmdline_from_text(char *out, size_t size, const char *text, uint64_t len);

/* The file the boot stage loaded under this name, or NULL. */
const struct boot_file *boot_find_file(const struct boot_info *bi, const char *name);

#endif
