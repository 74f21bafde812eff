/*
 * Linux/x86 boot protocol loader, 64-bit entry (Documentation/arch/x86/boot.rst
 * and zero-page.rst). See linux_boot.h for the guest layout.
 *
 * The bzImage is untrusted input: every offset is checked against image_size
 * before a byte is read, and every guest placement is checked against the RAM
 * buffer before a byte is written. All validation and placement happen before
 * the first write, so a rejected image leaves RAM untouched. Fields are read
 * and written byte by byte (little-endian, no unaligned struct overlays).
 * No libc: static helpers copy and zero.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linux_boot.h"
#include "image_bytes.h"

/* boot.rst "THE REAL-MODE KERNEL HEADER": offsets in the image file, which are
 * also the offsets of the same fields inside boot_params (struct setup_header
 * sits at 0x1f1 in both). */
#define HDR_SETUP_SECTS      0x1f1u /* u8; 0 means 4 */
#define HDR_SYSSIZE          0x1f4u /* u32, 16-byte paragraphs (2.04+) */
#define HDR_BOOT_FLAG        0x1feu /* u16 0xaa55 */
#define HDR_JUMP_DISP        0x201u /* u8: header ends at 0x202 + this */
#define HDR_HEADER           0x202u /* "HdrS" */
#define HDR_VERSION          0x206u /* u16 */
#define HDR_TYPE_OF_LOADER   0x210u /* u8 */
#define HDR_LOADFLAGS        0x211u /* u8 */
#define HDR_CODE32_START     0x214u /* u32 */
#define HDR_RAMDISK_IMAGE    0x218u /* u32 */
#define HDR_RAMDISK_SIZE     0x21cu /* u32 */
#define HDR_EXT_LOADER_VER   0x226u /* u8 */
#define HDR_EXT_LOADER_TYPE  0x227u /* u8 */
#define HDR_CMD_LINE_PTR     0x228u /* u32 */
#define HDR_INITRD_ADDR_MAX  0x22cu /* u32, highest address the initrd may occupy */
#define HDR_KERNEL_ALIGNMENT 0x230u /* u32 */
#define HDR_RELOCATABLE      0x234u /* u8 */
#define HDR_XLOADFLAGS       0x236u /* u16 */
#define HDR_CMDLINE_SIZE     0x238u /* u32, max length without the NUL */
#define HDR_HW_SUBARCH       0x23cu /* u32 */
#define HDR_SETUP_DATA       0x250u /* u64 */
#define HDR_PREF_ADDRESS     0x258u /* u64 */
#define HDR_INIT_SIZE        0x260u /* u32 */
#define HDR_MIN_END          0x264u /* a 2.12 header reaches at least past init_size */

#define HDRS_MAGIC           0x53726448u /* "HdrS" little-endian */
#define BOOT_FLAG_MAGIC      0xaa55u

#define LOADED_HIGH          0x01u
#define CAN_USE_HEAP         0x80u
#define XLF_KERNEL_64        0x0001u
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x0002u

#define TYPE_UNREGISTERED    0xffu

/* zero-page.rst */
#define BP_SIZE              4096u
#define BP_ACPI_RSDP_ADDR    0x070u /* u64 (protocol 2.14+) */
#define BP_EXT_RAMDISK_IMAGE 0x0c0u /* u32, high half */
#define BP_EXT_RAMDISK_SIZE  0x0c4u
#define BP_EXT_CMD_LINE_PTR  0x0c8u
#define BP_E820_ENTRIES      0x1e8u /* u8 */
#define BP_E820_TABLE        0x2d0u /* 20-byte entries: u64 addr, u64 size, u32 type */
#define BP_E820_ENTRY_LEN    20u

#define SECTOR               512u
#define ENTRY64_OFFSET       0x200u
#define PAGE                 4096u
#define MIB                  0x100000ull
#define FOUR_GIB             0x100000000ull
#define E820_RAM             1u

/* ---- little helpers (no libc; the shared ones are in image_bytes.h) ----- */

static bool is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

static uint64_t align_down(uint64_t x, uint64_t a) { return x & ~(a - 1); }

/* ---- placement ---------------------------------------------------------- */

struct place {
	const struct linux_boot_params_in *in;
	uint64_t ram_end;   /* ram_gpa + ram_size, no wrap (checked) */
	uint64_t limit;     /* nothing may end above this (4 GiB unless XLF allows) */
	uint64_t avoid_lo, avoid_hi; /* one extra range to stay out of (empty if lo == hi) */
};

/* [gpa, gpa + len) lies in RAM, under the limit, and overlaps no non-RAM e820
 * entry nor the avoid range. On overlap, *clo and *chi get the lowest start and
 * highest end of what was hit, for the searches to skip past it. */
static bool span_free(const struct place *p, uint64_t gpa, uint64_t len, uint64_t *clo, uint64_t *chi)
{
	uint64_t end, lo = UINT64_MAX, hi = 0;

	if (gpa < p->in->ram_gpa || len > p->ram_end - p->in->ram_gpa ||
	    gpa > p->ram_end - len)
		return false;
	end = gpa + len;
	if (end > p->limit)
		return false;
	for (uint32_t i = 0; i < p->in->e820_count; i++) {
		const struct linux_e820 *e = &p->in->e820[i];
		uint64_t eend = sat_end(e->addr, e->size);

		if (e->type == E820_RAM || e->size == 0 || e->addr >= end || eend <= gpa)
			continue;
		if (e->addr < lo)
			lo = e->addr;
		if (eend > hi)
			hi = eend;
	}
	if (p->avoid_lo < p->avoid_hi && p->avoid_lo < end && gpa < p->avoid_hi) {
		if (p->avoid_lo < lo)
			lo = p->avoid_lo;
		if (p->avoid_hi > hi)
			hi = p->avoid_hi;
	}
	if (clo)
		*clo = lo;
	if (chi)
		*chi = hi;
	return hi == 0;
}

static bool in_bounds(const struct place *p, uint64_t gpa, uint64_t len)
{
	return gpa >= p->in->ram_gpa && len <= p->ram_end - p->in->ram_gpa &&
	       gpa <= p->ram_end - len && gpa + len <= p->limit;
}

/* Lowest `align`-aligned address >= lo with room for len. Each step skips past
 * at least one e820 entry, so the loop is bounded by the map's length. */
static bool search_up(const struct place *p, uint64_t lo, uint64_t align, uint64_t len, uint64_t *out)
{
	uint64_t cand, chi;

	if (!align_up(lo, align, &cand))
		return false;
	for (uint32_t n = 0; n <= p->in->e820_count + 1; n++) {
		if (!in_bounds(p, cand, len))
			return false;
		if (span_free(p, cand, len, NULL, &chi)) {
			*out = cand;
			return true;
		}
		if (chi <= cand || !align_up(chi, align, &cand))
			return false;
	}
	return false;
}

/* Highest page-aligned address >= lo whose span ends at or below top. */
static bool search_down(const struct place *p, uint64_t lo, uint64_t top, uint64_t len, uint64_t *out)
{
	uint64_t cand, clo;

	for (uint32_t n = 0; n <= p->in->e820_count + 2; n++) {
		if (top < len)
			return false;
		cand = align_down(top - len, PAGE);
		if (cand < lo || !in_bounds(p, cand, len))
			return false;
		if (span_free(p, cand, len, &clo, NULL)) {
			*out = cand;
			return true;
		}
		if (clo >= top)
			return false;
		top = clo;
	}
	return false;
}

/* ---- the loader --------------------------------------------------------- */

int linux_boot_load(const struct linux_boot_params_in *in, struct linux_boot_out *out, const char **why)
{
	if (!in || !out)
		return fail(why, "linux: no input or output");
	if (!in->image)
		return fail(why, "linux: no kernel image");
	if (!in->ram || in->ram_size == 0)
		return fail(why, "linux: partition has no RAM");
	if (in->ram_size > UINT64_MAX - in->ram_gpa)
		return fail(why, "linux: partition RAM range wraps around");
	if (in->initrd_size && !in->initrd)
		return fail(why, "linux: initrd size given without initrd data");
	if (in->e820_count > LINUX_E820_MAX)
		return fail(why, "linux: too many e820 entries (boot_params holds 128)");
	if (in->e820_count && !in->e820)
		return fail(why, "linux: e820 count given without entries");

	const uint8_t *img = in->image;
	uint64_t isz = in->image_size;

	/* --- the setup header --- */
	if (isz < HDR_HEADER + 4)
		return fail(why, "linux: truncated image (ends before the setup header)");
	if (rd32(img + HDR_HEADER) != HDRS_MAGIC)
		return fail(why, "linux: not a bzImage (no \"HdrS\" magic at 0x202)");
	if (rd16(img + HDR_BOOT_FLAG) != BOOT_FLAG_MAGIC)
		return fail(why, "linux: not a bzImage (boot_flag at 0x1fe is not 0xaa55)");
	if (isz < HDR_VERSION + 2)
		return fail(why, "linux: truncated image (ends inside the setup header)");
	uint16_t version = rd16(img + HDR_VERSION);
	if (version < LINUX_MIN_PROTOCOL)
		return fail(why, "linux: boot protocol older than 2.12 (no 64-bit entry)");
	uint64_t hdr_end = HDR_HEADER + (uint64_t)img[HDR_JUMP_DISP];
	if (hdr_end < HDR_MIN_END)
		return fail(why, "linux: setup header too short for its protocol version");
	if (isz < hdr_end)
		return fail(why, "linux: truncated image (ends inside the setup header)");

	uint8_t loadflags = img[HDR_LOADFLAGS];
	uint16_t xlf = rd16(img + HDR_XLOADFLAGS);
	if (!(loadflags & LOADED_HIGH))
		return fail(why, "linux: not a bzImage (zImage: LOADED_HIGH clear)");
	if (!(xlf & XLF_KERNEL_64))
		return fail(why, "linux: kernel has no 64-bit entry (XLF_KERNEL_64 clear)");

	uint64_t sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
	uint64_t setup_size = (sects + 1) * SECTOR;
	if (isz < setup_size)
		return fail(why, "linux: truncated image (ends inside the setup code)");
	uint64_t kernel_len = (uint64_t)rd32(img + HDR_SYSSIZE) * 16;
	if (kernel_len == 0)
		return fail(why, "linux: syssize is 0 (no protected-mode kernel)");
	if (kernel_len > isz - setup_size)
		return fail(why, "linux: truncated image (shorter than syssize says)");

	uint64_t init_size = rd32(img + HDR_INIT_SIZE);
	uint64_t kernel_room = init_size > kernel_len ? init_size : kernel_len;
	uint64_t pref = rd64(img + HDR_PREF_ADDRESS);
	bool relocatable = img[HDR_RELOCATABLE] != 0;
	uint64_t kalign = rd32(img + HDR_KERNEL_ALIGNMENT);
	uint64_t cmdline_size = rd32(img + HDR_CMDLINE_SIZE);
	uint64_t initrd_addr_max = rd32(img + HDR_INITRD_ADDR_MAX);

	if (relocatable && !is_pow2(kalign))
		return fail(why, "linux: relocatable kernel with a kernel_alignment that is not a power of two");
	if (kalign < PAGE)
		kalign = PAGE;

	struct place pl = {
		.in = in,
		.ram_end = in->ram_gpa + in->ram_size,
		.limit = (xlf & XLF_CAN_BE_LOADED_ABOVE_4G) ? UINT64_MAX : FOUR_GIB,
	};
	uint64_t low_end = sat_end(in->ram_gpa, LINUX_LOW_RESERVED);
	if (low_end < MIB)
		low_end = MIB;

	/* --- command line --- */
	uint64_t cmd_len = 0;
	if (in->cmdline) {
		uint64_t max = cmdline_size < LINUX_CMDLINE_AREA - 1 ? cmdline_size : LINUX_CMDLINE_AREA - 1;
		while (cmd_len <= max && in->cmdline[cmd_len])
			cmd_len++;
		if (cmd_len > cmdline_size)
			return fail(why, "linux: command line longer than the kernel's cmdline_size");
		if (cmd_len > max)
			return fail(why, "linux: command line longer than the loader's command line area");
	}

	/* --- low structures --- */
	uint64_t bp_gpa = in->ram_gpa + LINUX_BOOT_PARAMS_OFF;
	uint64_t cmd_gpa = in->ram_gpa + LINUX_CMDLINE_OFF;
	if (in->ram_size < LINUX_BOOT_PARAMS_OFF + BP_SIZE || !span_free(&pl, bp_gpa, BP_SIZE, NULL, NULL))
		return fail(why, "linux: boot_params area (RAM + 0x10000) is outside usable RAM (or above 4 GiB without XLF_CAN_BE_LOADED_ABOVE_4G)");
	if (in->ram_size < LINUX_CMDLINE_OFF + cmd_len + 1 || !span_free(&pl, cmd_gpa, cmd_len + 1, NULL, NULL))
		return fail(why, "linux: command line area (RAM + 0x20000) is outside usable RAM (or above 4 GiB without XLF_CAN_BE_LOADED_ABOVE_4G)");

	/* --- kernel --- */
	uint64_t kgpa = 0;
	if (!relocatable) {
		if (pref < low_end || !span_free(&pl, pref, kernel_room, NULL, NULL))
			return fail(why, "linux: kernel is not relocatable and its pref_address (with init_size) does not fit in RAM");
		kgpa = pref;
	} else if (pref >= low_end && !(pref & (kalign - 1)) && span_free(&pl, pref, kernel_room, NULL, NULL)) {
		kgpa = pref;
	} else if (!search_up(&pl, low_end > 16 * MIB ? low_end : 16 * MIB, kalign, kernel_room, &kgpa) &&
		   !search_up(&pl, low_end, kalign, kernel_room, &kgpa)) {
		return fail(why, "linux: kernel (init_size) does not fit in RAM");
	}

	/* --- initrd --- */
	uint64_t rd_gpa = 0, rd_len = in->initrd ? in->initrd_size : 0;
	if (rd_len) {
		uint64_t top = initrd_addr_max + 1;
		if (top > pl.ram_end)
			top = pl.ram_end;
		pl.avoid_lo = kgpa;
		pl.avoid_hi = kgpa + kernel_room;
		if (!search_down(&pl, low_end, top, rd_len, &rd_gpa))
			return fail(why, "linux: initrd does not fit in RAM below initrd_addr_max");
		pl.avoid_lo = pl.avoid_hi = 0;
	}

	/* --- everything checked: write --- */
	uint8_t *ram = in->ram;
	uint8_t *bp = ram + (bp_gpa - in->ram_gpa);

	zero_bytes(bp, BP_SIZE);
	copy_bytes(bp + HDR_SETUP_SECTS, img + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
	bp[HDR_TYPE_OF_LOADER] = TYPE_UNREGISTERED;
	bp[HDR_EXT_LOADER_VER] = 0;
	bp[HDR_EXT_LOADER_TYPE] = 0;
	bp[HDR_LOADFLAGS] = (uint8_t)(loadflags & ~CAN_USE_HEAP);
	wr32(bp + HDR_CODE32_START, kgpa < FOUR_GIB ? (uint32_t)kgpa : 0);
	wr32(bp + HDR_RAMDISK_IMAGE, (uint32_t)rd_gpa);
	wr32(bp + HDR_RAMDISK_SIZE, (uint32_t)rd_len);
	wr32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(rd_gpa >> 32));
	wr32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(rd_len >> 32));
	wr32(bp + HDR_CMD_LINE_PTR, (uint32_t)cmd_gpa);
	wr32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(cmd_gpa >> 32));
	wr32(bp + HDR_HW_SUBARCH, 0);        /* default x86 PC */
	wr64(bp + HDR_SETUP_DATA, 0);        /* no setup_data list */
	if (version >= 0x020e)
		wr64(bp + BP_ACPI_RSDP_ADDR, in->acpi_rsdp_gpa);

	bp[BP_E820_ENTRIES] = (uint8_t)in->e820_count;
	for (uint32_t i = 0; i < in->e820_count; i++) {
		uint8_t *e = bp + BP_E820_TABLE + i * BP_E820_ENTRY_LEN;
		wr64(e, in->e820[i].addr);
		wr64(e + 8, in->e820[i].size);
		wr32(e + 16, in->e820[i].type);
	}

	uint8_t *cmd = ram + (cmd_gpa - in->ram_gpa);
	copy_bytes(cmd, (const uint8_t *)(in->cmdline ? in->cmdline : ""), cmd_len);
	cmd[cmd_len] = 0;

	copy_bytes(ram + (kgpa - in->ram_gpa), img + setup_size, kernel_len);
	if (rd_len)
		copy_bytes(ram + (rd_gpa - in->ram_gpa), in->initrd, rd_len);

	out->entry64 = kgpa + ENTRY64_OFFSET;
	out->boot_params_gpa = bp_gpa;
	out->kernel_gpa = kgpa;
	out->initrd_gpa = rd_gpa;
	out->cmdline_gpa = cmd_gpa;
	out->protocol = version;
	return 0;
}
