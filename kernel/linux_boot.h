/*
 * Linux/x86 boot protocol loader (Documentation/arch/x86/boot.rst, "64-bit
 * boot protocol", and zero-page.rst). Pure module: it only reads the bzImage,
 * initrd and command line it is handed and writes into the partition's RAM
 * buffer, never outside it, so the host unit tests drive it with synthetic
 * images.
 *
 * Guest-physical layout (offsets from ram_gpa; with ram_gpa = 0 these are the
 * absolute addresses):
 *   0x00000-0x0ffff  left alone: the hypervisor builds the guest's page tables
 *                    (from 0x1000), GDT and anything else it needs here
 *   0x10000          boot_params ("zero page", 4 KiB), RSI at entry
 *   0x20000          kernel command line, NUL-terminated (at most
 *                    LINUX_CMDLINE_AREA bytes including the NUL, so it ends
 *                    below 0x9f000, the traditional EBDA)
 *   >= 1 MiB         protected-mode kernel: at pref_address when it fits;
 *                    a relocatable kernel otherwise at the lowest
 *                    kernel_alignment-aligned address >= 16 MiB, then >= 1 MiB
 *                    (both also >= ram_gpa + 1 MiB),
 *                    with room for max(init_size, kernel size)
 *   high             initrd: the highest 4 KiB-aligned address that ends at or
 *                    below min(initrd_addr_max + 1, end of RAM) and overlaps
 *                    neither the kernel's init_size region nor the low 1 MiB
 * No placement may overlap an e820 entry whose type is not 1 (RAM), so ACPI
 * tables or reserved ranges the caller put inside the RAM buffer survive.
 * Unless the kernel sets XLF_CAN_BE_LOADED_ABOVE_4G, everything must end at or
 * below 4 GiB.
 *
 * acpi_rsdp_addr (boot_params 0x070) is filled only for protocol >= 2.14; an
 * older kernel finds the RSDP the BIOS way (scanning the EBDA and
 * 0xe0000-0xfffff), so the caller must have put a copy there for it.
 * loadflags: CAN_USE_HEAP is left clear (the heap only matters to the
 * real-mode setup code, which 64-bit entry skips).
 */
#ifndef KERNEL_LINUX_BOOT_H
#define KERNEL_LINUX_BOOT_H

#include <stdint.h>

#define LINUX_BOOT_PARAMS_OFF  0x10000u  /* from ram_gpa */
#define LINUX_CMDLINE_OFF      0x20000u  /* from ram_gpa */
#define LINUX_CMDLINE_AREA     0x7f000u  /* bytes incl. NUL: ends at 0x9f000 */
#define LINUX_LOW_RESERVED     0x100000u /* nothing of the kernel/initrd below ram_gpa + 1 MiB */
#define LINUX_E820_MAX         128u
#define LINUX_MIN_PROTOCOL     0x020cu   /* 2.12: xloadflags, 64-bit entry */

struct linux_e820 { uint64_t addr, size; uint32_t type; };   /* 1 RAM, 2 reserved, 3 ACPI reclaim */

struct linux_boot_params_in {
	const uint8_t *image; uint64_t image_size;       /* the bzImage file */
	const uint8_t *initrd; uint64_t initrd_size;     /* may be NULL/0 */
	const char *cmdline;                             /* may be NULL (empty command line) */
	uint8_t *ram; uint64_t ram_gpa, ram_size;        /* the partition's RAM (host pointer) and where the guest sees it */
	const struct linux_e820 *e820; uint32_t e820_count; /* the partition's memory map to hand over */
	uint64_t acpi_rsdp_gpa;                          /* 0 if none */
};

struct linux_boot_out {
	uint64_t entry64;          /* guest-physical 64-bit entry: kernel_gpa + 0x200 */
	uint64_t boot_params_gpa;  /* RSI at entry */
	uint64_t kernel_gpa, initrd_gpa, cmdline_gpa; /* initrd_gpa 0 without an initrd */
	uint16_t protocol;         /* e.g. 0x020f */
};

/* Validate the bzImage, place kernel, boot_params, command line and initrd in
 * `ram` and describe the 64-bit entry state (64-bit mode, paging with an
 * identity map covering the loaded pieces, RSI = boot_params_gpa, interrupts
 * off). Returns 0, or -1 with *why (if why is non-NULL) set to a static string
 * saying what is wrong. Everything is validated and placed before the first
 * write, so on failure `ram` is untouched.
 * The kernel copied is syssize * 16 bytes from (setup_sects + 1) * 512; bytes
 * after that in the file (e.g. an appended signature) are ignored, fewer is a
 * truncated image. min_alignment is not used: a relocatable kernel always gets
 * its full kernel_alignment (at least 4 KiB). */
int linux_boot_load(const struct linux_boot_params_in *in, struct linux_boot_out *out, const char **why);

#endif
