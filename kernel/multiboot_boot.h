/*
 * Multiboot 1 loader (Multiboot Specification 0.6.96). Pure module: it only
 * reads the kernel image, modules and command line it is handed and writes
 * into the partition's RAM buffer, never outside it, so the host unit tests
 * drive it with synthetic images.
 *
 * The image: the Multiboot header (magic 0x1BADB002, flags, checksum with
 * magic + flags + checksum == 0) must lie completely within the first 8192
 * bytes of the file, 4-byte aligned. Header flags:
 *   bit 0   modules page aligned: honoured (modules are always 4 KiB aligned)
 *   bit 1   memory information: honoured (mem_lower/mem_upper are always
 *           passed, plus the memory map whenever the caller gives one)
 *   bit 2   video mode table: ignored. The image is still loaded, but no video
 *           information is passed (info flags bits 11 and 12 stay clear), which
 *           a kernel can see; the header's graphics fields are never read.
 *   bits 3-15  other requirements this loader does not know: refused
 *   bit 16  a.out kludge: header_addr/load_addr/load_end_addr/bss_end_addr/
 *           entry_addr are used instead of the executable's own headers
 *   bits 17-31 optional features: ignored
 * Without bit 16 the image must be a little-endian ELF executable, ELF32
 * (EM_386) or ELF64 (EM_X86_64): every PT_LOAD segment is copied to its
 * physical address (p_paddr) and its bss (p_memsz > p_filesz) zeroed; the
 * entry point is e_entry, which must lie inside a loaded segment and, for
 * ELF64, below 4 GiB (the kernel starts in 32-bit protected mode, paging off).
 *
 * Guest-physical layout (offsets from ram_gpa; with ram_gpa = 0 these are the
 * absolute addresses). Everything ends at or below 4 GiB, since Multiboot
 * hands over 32-bit addresses:
 *   0x00000-0x0ffff  left alone: the hypervisor's page tables (0x1000-0x6fff)
 *                    and GDT (0x7000), and anything else it needs
 *   0x10000          struct multiboot_info (EBX at entry); the rest of this
 *                    4 KiB page is zeroed and holds:
 *   0x10100            the module list (MULTIBOOT_MAX_MODULES x 16 bytes)
 *   0x10200            the boot loader name, "Tessera"
 *   0x11000          the memory map (at most MULTIBOOT_MMAP_MAX entries of
 *                    24 bytes: size = 20, base_addr, length, type)
 *   0x12000          the kernel command line, NUL-terminated (at most
 *                    MULTIBOOT_CMDLINE_AREA bytes including the NUL)
 *   0x1a000 + i * 0x1000  module i's string, NUL-terminated (at most
 *                    MULTIBOOT_MODSTR_AREA bytes including the NUL); the low
 *                    area ends at 0x1e000, well below the stack at 0x80000
 *   >= 1 MiB         the kernel, where its headers say (nothing of it may lie
 *                    below ram_gpa + 1 MiB)
 *   above the kernel modules, in order, each at the lowest 4 KiB-aligned
 *                    address above the kernel's highest loaded byte (bss
 *                    included) and the previous module
 * No placement may overlap an e820 entry whose type is not 1 (RAM), so ACPI
 * tables or reserved ranges the caller put inside the RAM buffer survive.
 *
 * The multiboot_info passed sets flags bit 0 (mem_lower, mem_upper), bit 2
 * (cmdline, "" when none is given), bit 3 (mods_count, mods_addr; the count
 * may be 0), bit 6 (mmap_length, mmap_addr; only when e820_count > 0) and
 * bit 9 (boot_loader_name). mem_lower is the KiB of RAM from address 0 (at
 * most 640; 0 unless RAM starts at 0), mem_upper the KiB of contiguous RAM
 * from 1 MiB up to the first hole or 4 GiB, whichever comes first (0 unless
 * RAM covers 1 MiB); a hole is the end of the RAM buffer or any non-RAM e820
 * entry. A module's string field is
 * 0 when the caller gives no string.
 */
#ifndef KERNEL_MULTIBOOT_BOOT_H
#define KERNEL_MULTIBOOT_BOOT_H

#include <stdint.h>

#include "linux_boot.h"   /* struct linux_e820, the partition's memory map */

#define MULTIBOOT_HEADER_MAGIC     0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u /* EAX at entry */
#define MULTIBOOT_SEARCH           8192u       /* the header lies within this many bytes */

#define MULTIBOOT_INFO_OFF     0x10000u  /* from ram_gpa: struct multiboot_info */
#define MULTIBOOT_INFO_AREA    0x1000u   /* zeroed page holding info, module list, loader name */
#define MULTIBOOT_MODS_OFF     0x10100u  /* module list */
#define MULTIBOOT_LOADER_OFF   0x10200u  /* "Tessera" */
#define MULTIBOOT_MMAP_OFF     0x11000u  /* memory map */
#define MULTIBOOT_CMDLINE_OFF  0x12000u  /* command line */
#define MULTIBOOT_CMDLINE_AREA 0x8000u   /* bytes incl. NUL: ends at 0x1a000 */
#define MULTIBOOT_MODSTR_OFF   0x1a000u  /* module i's string at + i * MULTIBOOT_MODSTR_AREA */
#define MULTIBOOT_MODSTR_AREA  0x1000u   /* bytes incl. NUL */
#define MULTIBOOT_LOW_RESERVED 0x100000u /* nothing of the kernel/modules below ram_gpa + 1 MiB */
#define MULTIBOOT_MAX_MODULES  4u
#define MULTIBOOT_MMAP_MAX     128u
#define MULTIBOOT_MAX_PHDRS    64u       /* more ELF program headers is refused */
#define MULTIBOOT_LOADER_NAME  "Tessera"

/* multiboot_info.flags set by this loader */
#define MULTIBOOT_INFO_MEMORY  (1u << 0)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)
#define MULTIBOOT_INFO_MODS    (1u << 3)
#define MULTIBOOT_INFO_MMAP    (1u << 6)
#define MULTIBOOT_INFO_LOADER  (1u << 9)

/* Byte offsets inside struct multiboot_info (all fields little-endian u32) */
#define MBI_FLAGS        0
#define MBI_MEM_LOWER    4
#define MBI_MEM_UPPER    8
#define MBI_CMDLINE      16
#define MBI_MODS_COUNT   20
#define MBI_MODS_ADDR    24
#define MBI_MMAP_LENGTH  44
#define MBI_MMAP_ADDR    48
#define MBI_LOADER_NAME  64
#define MBI_SIZE         116  /* through the framebuffer fields of 0.6.96 */

enum multiboot_format {
	MULTIBOOT_FMT_AOUT_KLUDGE = 1, /* header flags bit 16 */
	MULTIBOOT_FMT_ELF32 = 2,
	MULTIBOOT_FMT_ELF64 = 3,
};

struct multiboot_module {
	const uint8_t *data; uint64_t size;  /* data may be NULL when size is 0 */
	const char *string;                  /* NULL: no string (field 0) */
};

struct multiboot_boot_params_in {
	const uint8_t *image; uint64_t image_size;          /* the kernel file */
	const struct multiboot_module *modules; uint32_t module_count; /* at most MULTIBOOT_MAX_MODULES */
	const char *cmdline;                                /* may be NULL (empty command line) */
	uint8_t *ram; uint64_t ram_gpa, ram_size;           /* the partition's RAM (host pointer) and where the guest sees it */
	const struct linux_e820 *e820; uint32_t e820_count; /* the partition's memory map to hand over */
};

struct multiboot_boot_out {
	uint32_t entry;            /* guest-physical 32-bit entry point (EIP) */
	uint32_t info_gpa;         /* EBX at entry: struct multiboot_info */
	uint32_t magic;            /* EAX at entry: MULTIBOOT_BOOTLOADER_MAGIC */
	uint32_t header_flags;     /* the image's Multiboot header flags */
	uint32_t format;           /* enum multiboot_format */
	uint64_t kernel_start, kernel_end; /* lowest loaded byte, end of the highest (bss included) */
	uint32_t cmdline_gpa;
	uint32_t module_count;
	uint64_t mod_start[MULTIBOOT_MAX_MODULES], mod_end[MULTIBOOT_MAX_MODULES];
};

/* Validate the image, load the kernel, place the modules, multiboot_info,
 * command line, module strings, memory map and boot loader name in `ram`, and
 * describe the Multiboot entry state: 32-bit protected mode, paging off, flat
 * 4 GiB code (execute/read) and data segments, EFLAGS.IF and VM clear,
 * EAX = magic, EBX = info_gpa, EIP = entry. Returns 0, or -1 with *why (if why
 * is non-NULL) set to a static string saying what is wrong. Everything is
 * validated and placed before the first write, so on failure `ram` is
 * untouched. */
int multiboot_boot_load(const struct multiboot_boot_params_in *in, struct multiboot_boot_out *out,
			const char **why);

#endif
