/*
 * Multiboot 1 loader (Multiboot Specification 0.6.96; ELF per the System V
 * gABI and its i386/x86-64 supplements). See multiboot_boot.h for the guest
 * layout and the entry state.
 *
 * The image is untrusted input: every offset is checked against image_size
 * before a byte is read, every sum is checked for overflow, and every guest
 * placement is checked against the RAM buffer before a byte is written. All
 * validation and placement happen before the first write, so a rejected image
 * leaves RAM untouched. Fields are read and written byte by byte
 * (little-endian, no unaligned struct overlays). No libc: static helpers copy
 * and zero.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "multiboot_boot.h"
#include "image_bytes.h"

/* Multiboot header (spec 3.1.1-3.1.3): offsets from the header's start */
#define MBH_MAGIC         0
#define MBH_FLAGS         4
#define MBH_CHECKSUM      8
#define MBH_HEADER_ADDR   12 /* a.out kludge fields, valid with flags bit 16 */
#define MBH_LOAD_ADDR     16
#define MBH_LOAD_END_ADDR 20
#define MBH_BSS_END_ADDR  24
#define MBH_ENTRY_ADDR    28
#define MBH_MIN_LEN       12
#define MBH_AOUT_LEN      32

#define MBF_PAGE_ALIGN    (1u << 0)
#define MBF_MEMORY_INFO   (1u << 1)
#define MBF_VIDEO_MODE    (1u << 2)
#define MBF_AOUT_KLUDGE   (1u << 16)
#define MBF_REQUIRED_MASK 0x0000ffffu
#define MBF_KNOWN         (MBF_PAGE_ALIGN | MBF_MEMORY_INFO | MBF_VIDEO_MODE)

/* ELF (gABI "ELF Header", "Program Header") */
#define EI_CLASS          4
#define EI_DATA           5
#define EI_VERSION        6
#define ELFCLASS32        1
#define ELFCLASS64        2
#define ELFDATA2LSB       1
#define EV_CURRENT        1
#define ET_EXEC           2
#define EM_386            3
#define EM_X86_64         62
#define PT_LOAD           1

#define E32_ENTRY         24 /* u32 */
#define E32_PHOFF         28 /* u32 */
#define E32_PHENTSIZE     42 /* u16 */
#define E32_PHNUM         44 /* u16 */
#define E32_EHDR_LEN      52
#define P32_LEN           32 /* type, offset, vaddr, paddr, filesz, memsz, flags, align: u32 each */

#define E64_ENTRY         24 /* u64 */
#define E64_PHOFF         32 /* u64 */
#define E64_PHENTSIZE     54 /* u16 */
#define E64_PHNUM         56 /* u16 */
#define E64_EHDR_LEN      64
#define P64_LEN           56 /* type u32, flags u32, offset, vaddr, paddr, filesz, memsz, align: u64 */

#define E_TYPE            16 /* u16, both classes */
#define E_MACHINE         18 /* u16, both classes */

/* Multiboot information structures (spec 3.3) */
#define MOD_ENTRY_LEN     16 /* mod_start, mod_end, string, reserved */
#define MMAP_ENTRY_LEN    24 /* size (= 20), base_addr u64, length u64, type u32 */
#define MMAP_ENTRY_SIZE   20

#define PAGE              4096u
#define KIB               1024u
#define MIB               0x100000ull
#define LOWER_MAX         (640ull * KIB)
#define FOUR_GIB          0x100000000ull
#define E820_RAM          1u

/* ---- little helpers (no libc; the shared ones are in image_bytes.h) ----- */

/* Length of a NUL-terminated string of at most max characters; reads no
 * further than s[max]. false if longer. NULL counts as "". */
static bool bounded_len(const char *s, uint64_t max, uint64_t *len)
{
	uint64_t n = 0;

	if (s)
		while (n <= max && s[n])
			n++;
	*len = n;
	return n <= max;
}

/* ---- placement ---------------------------------------------------------- */

struct place {
	const struct multiboot_boot_params_in *in;
	uint64_t ram_end;   /* ram_gpa + ram_size, no wrap (checked) */
	uint64_t low_end;   /* ram_gpa + 1 MiB: kernel and modules start here or above */
};

enum span_verdict { SPAN_OK, SPAN_OUTSIDE, SPAN_ABOVE_4G, SPAN_RESERVED };

/* [gpa, gpa + len) lies in RAM, ends at or below 4 GiB and overlaps no
 * non-RAM e820 entry. On SPAN_RESERVED, *chi (if non-NULL) gets the highest
 * end of what was hit, for the module search to skip past it. */
static enum span_verdict span_check(const struct place *p, uint64_t gpa, uint64_t len, uint64_t *chi)
{
	uint64_t end, hi = 0;

	if (gpa < p->in->ram_gpa || len > p->ram_end - p->in->ram_gpa || gpa > p->ram_end - len)
		return SPAN_OUTSIDE;
	end = gpa + len;
	if (end > FOUR_GIB)
		return SPAN_ABOVE_4G;
	for (uint32_t i = 0; i < p->in->e820_count; i++) {
		const struct linux_e820 *e = &p->in->e820[i];
		uint64_t eend = sat_end(e->addr, e->size);

		if (e->type == E820_RAM || e->size == 0 || e->addr >= end || eend <= gpa)
			continue;
		if (eend > hi)
			hi = eend;
	}
	if (hi) {
		if (chi)
			*chi = hi;
		return SPAN_RESERVED;
	}
	return SPAN_OK;
}

/* Lowest page-aligned address >= lo with room for len. Each retry skips past
 * at least one e820 entry, so the loop is bounded by the map's length. */
static bool search_up(const struct place *p, uint64_t lo, uint64_t len, uint64_t *out)
{
	uint64_t cand, chi = 0;

	if (!align_up(lo, PAGE, &cand))
		return false;
	for (uint32_t n = 0; n <= p->in->e820_count + 1; n++) {
		enum span_verdict v = span_check(p, cand, len, &chi);

		if (v == SPAN_OK) {
			*out = cand;
			return true;
		}
		if (v != SPAN_RESERVED || chi <= cand || !align_up(chi, PAGE, &cand))
			return false;
	}
	return false;
}

/* ---- the kernel image --------------------------------------------------- */

/* One piece of the kernel: file bytes [off, off + filesz) go to paddr, then
 * memsz - filesz zero bytes follow. */
struct seg { uint64_t off, filesz, paddr, memsz; };

struct image {
	const uint8_t *img;
	uint64_t isz;
	uint32_t format;
	/* a.out kludge: the one segment */
	struct seg aout;
	/* ELF: the program header table */
	uint64_t phoff, phentsize;
	uint32_t phnum;
	uint64_t entry;
	uint64_t lo, hi;    /* lowest loaded address, end of the highest */
};

/* Program header i; true if it is a PT_LOAD segment with memsz > 0. The table
 * was checked to lie inside the file. */
static bool elf_seg(const struct image *im, uint32_t i, struct seg *s)
{
	const uint8_t *ph = im->img + im->phoff + (uint64_t)i * im->phentsize;

	if (rd32(ph) != PT_LOAD)
		return false;
	if (im->format == MULTIBOOT_FMT_ELF32) {
		s->off = rd32(ph + 4);
		s->paddr = rd32(ph + 12);
		s->filesz = rd32(ph + 16);
		s->memsz = rd32(ph + 20);
	} else {
		s->off = rd64(ph + 8);
		s->paddr = rd64(ph + 24);
		s->filesz = rd64(ph + 32);
		s->memsz = rd64(ph + 40);
	}
	return s->memsz != 0;
}

/* Checks a segment's file range and its placement; nothing else. */
static const char *seg_check(const struct place *p, const struct image *im, const struct seg *s)
{
	if (s->filesz > s->memsz)
		return "multiboot: segment has more file bytes than memory bytes (filesz > memsz)";
	if (s->filesz > im->isz || s->off > im->isz - s->filesz)
		return "multiboot: truncated image (a segment extends past the end of the file)";
	if (s->memsz > UINT64_MAX - s->paddr)
		return "multiboot: segment address + size overflows";
	enum span_verdict v = span_check(p, s->paddr, s->memsz, NULL);
	if (v == SPAN_OUTSIDE)
		return "multiboot: segment lies outside the partition's RAM";
	if (s->paddr < p->low_end)
		return "multiboot: segment below RAM + 1 MiB (reserved for the loader and hypervisor)";
	if (v == SPAN_ABOVE_4G)
		return "multiboot: segment extends above 4 GiB";
	if (v == SPAN_RESERVED)
		return "multiboot: segment overlaps a reserved memory-map range";
	return NULL;
}

static void grow(struct image *im, const struct seg *s)
{
	if (s->paddr < im->lo)
		im->lo = s->paddr;
	if (s->paddr + s->memsz > im->hi)
		im->hi = s->paddr + s->memsz;
}

static const char *parse_aout(const struct place *p, struct image *im, uint64_t hoff)
{
	const uint8_t *h = im->img + hoff;
	uint64_t header_addr = rd32(h + MBH_HEADER_ADDR);
	uint64_t load_addr = rd32(h + MBH_LOAD_ADDR);
	uint64_t load_end = rd32(h + MBH_LOAD_END_ADDR);
	uint64_t bss_end = rd32(h + MBH_BSS_END_ADDR);
	uint64_t entry = rd32(h + MBH_ENTRY_ADDR);
	struct seg *s = &im->aout;
	const char *bad;

	if (load_addr > header_addr)
		return "multiboot: a.out kludge load_addr is above header_addr";
	if (header_addr - load_addr > hoff)
		return "multiboot: a.out kludge header_addr - load_addr reaches before the start of the file";
	s->off = hoff - (header_addr - load_addr);
	s->paddr = load_addr;
	if (load_end == 0) {
		s->filesz = im->isz - s->off;
	} else {
		if (load_end <= load_addr)
			return "multiboot: a.out kludge load_end_addr is not above load_addr";
		s->filesz = load_end - load_addr;
		if (s->filesz > im->isz - s->off)
			return "multiboot: truncated image (shorter than load_end_addr - load_addr)";
	}
	s->memsz = s->filesz;
	if (bss_end) {
		if (bss_end < load_addr + s->filesz)
			return "multiboot: a.out kludge bss_end_addr is below the end of the loaded data";
		s->memsz = bss_end - load_addr;
	}
	if ((bad = seg_check(p, im, s)))
		return bad;
	if (entry < s->paddr || entry >= s->paddr + s->memsz)
		return "multiboot: a.out kludge entry_addr is not inside the loaded image";
	im->format = MULTIBOOT_FMT_AOUT_KLUDGE;
	im->entry = entry;
	im->lo = s->paddr;
	im->hi = s->paddr + s->memsz;
	return NULL;
}

static const char *parse_elf(const struct place *p, struct image *im)
{
	const uint8_t *e = im->img;
	uint64_t isz = im->isz, minent;
	uint16_t machine;
	struct seg s, t;
	bool entry_ok = false, any = false;
	const char *bad;

	if (isz < 4 || e[0] != 0x7f || e[1] != 'E' || e[2] != 'L' || e[3] != 'F')
		return "multiboot: not ELF and the Multiboot header does not set the a.out kludge (flags bit 16)";
	if (isz < E32_EHDR_LEN)
		return "multiboot: truncated image (ends inside the ELF header)";
	if (e[EI_DATA] != ELFDATA2LSB)
		return "multiboot: ELF is not little-endian";
	if (e[EI_VERSION] != EV_CURRENT)
		return "multiboot: ELF version is not 1";
	machine = rd16(e + E_MACHINE);
	if (e[EI_CLASS] == ELFCLASS32) {
		if (machine != EM_386)
			return "multiboot: ELF32 image is not for EM_386";
		im->format = MULTIBOOT_FMT_ELF32;
		im->entry = rd32(e + E32_ENTRY);
		im->phoff = rd32(e + E32_PHOFF);
		im->phentsize = rd16(e + E32_PHENTSIZE);
		im->phnum = rd16(e + E32_PHNUM);
		minent = P32_LEN;
	} else if (e[EI_CLASS] == ELFCLASS64) {
		if (isz < E64_EHDR_LEN)
			return "multiboot: truncated image (ends inside the ELF header)";
		if (machine != EM_X86_64)
			return "multiboot: ELF64 image is not for EM_X86_64";
		im->format = MULTIBOOT_FMT_ELF64;
		im->entry = rd64(e + E64_ENTRY);
		im->phoff = rd64(e + E64_PHOFF);
		im->phentsize = rd16(e + E64_PHENTSIZE);
		im->phnum = rd16(e + E64_PHNUM);
		minent = P64_LEN;
	} else {
		return "multiboot: ELF class is neither ELF32 nor ELF64";
	}
	if (rd16(e + E_TYPE) != ET_EXEC)
		return "multiboot: ELF is not an executable (e_type != ET_EXEC)";
	if (im->phnum == 0)
		return "multiboot: ELF has no program headers";
	if (im->phnum > MULTIBOOT_MAX_PHDRS)
		return "multiboot: ELF has too many program headers";
	if (im->phentsize < minent)
		return "multiboot: ELF program header entries are too small (e_phentsize)";
	/* phnum <= 64 and phentsize < 64 KiB: the product cannot overflow */
	uint64_t table = im->phentsize * im->phnum;
	if (table > isz || im->phoff > isz - table)
		return "multiboot: truncated image (program header table past the end of the file)";
	if (im->format == MULTIBOOT_FMT_ELF64 && im->entry >= FOUR_GIB)
		return "multiboot: ELF64 entry point is above 4 GiB (the kernel starts in 32-bit mode)";

	im->lo = UINT64_MAX;
	im->hi = 0;
	for (uint32_t i = 0; i < im->phnum; i++) {
		if (!elf_seg(im, i, &s))
			continue;
		if ((bad = seg_check(p, im, &s)))
			return bad;
		/* earlier segments were checked: no overflow in either end */
		for (uint32_t j = 0; j < i; j++)
			if (elf_seg(im, j, &t) && t.paddr < s.paddr + s.memsz && s.paddr < t.paddr + t.memsz)
				return "multiboot: ELF segments overlap";
		if (im->entry >= s.paddr && im->entry < s.paddr + s.memsz)
			entry_ok = true;
		any = true;
		grow(im, &s);
	}
	if (!any)
		return "multiboot: ELF has no loadable segment";
	if (!entry_ok)
		return "multiboot: ELF entry point is not inside a loaded segment's physical range";
	return NULL;
}

/* ---- memory size fields --------------------------------------------------- */

/* mem_lower: KiB of RAM from address 0, at most 640 KiB. mem_upper: KiB of
 * contiguous RAM from 1 MiB to the first hole or 4 GiB. A hole is the end of
 * the buffer or a non-RAM e820 entry. */
static void mem_sizes(const struct place *p, uint32_t *lower, uint32_t *upper)
{
	const struct multiboot_boot_params_in *in = p->in;
	uint64_t lend = 0, uend = MIB;

	if (in->ram_gpa == 0)
		lend = p->ram_end < LOWER_MAX ? p->ram_end : LOWER_MAX;
	if (in->ram_gpa <= MIB && p->ram_end > MIB)
		uend = p->ram_end < FOUR_GIB ? p->ram_end : FOUR_GIB;
	for (uint32_t i = 0; i < in->e820_count; i++) {
		const struct linux_e820 *e = &in->e820[i];
		uint64_t eend = sat_end(e->addr, e->size);

		if (e->type == E820_RAM || e->size == 0)
			continue;
		if (e->addr < lend)
			lend = e->addr;
		if (e->addr < uend && eend > MIB)
			uend = e->addr > MIB ? e->addr : MIB;
	}
	*lower = (uint32_t)(lend / KIB);
	*upper = (uint32_t)((uend - MIB) / KIB); /* < 4 GiB / 1 KiB: fits */
}

/* ---- the loader --------------------------------------------------------- */

int multiboot_boot_load(const struct multiboot_boot_params_in *in, struct multiboot_boot_out *out,
			const char **why)
{
	if (!in || !out)
		return fail(why, "multiboot: no input or output");
	if (!in->image)
		return fail(why, "multiboot: no kernel image");
	if (!in->ram || in->ram_size == 0)
		return fail(why, "multiboot: partition has no RAM");
	if (in->ram_size > UINT64_MAX - in->ram_gpa)
		return fail(why, "multiboot: partition RAM range wraps around");
	if (in->ram_gpa >= FOUR_GIB)
		return fail(why, "multiboot: partition RAM starts above 4 GiB (Multiboot addresses are 32-bit)");
	if (in->module_count > MULTIBOOT_MAX_MODULES)
		return fail(why, "multiboot: too many modules (at most 4)");
	if (in->module_count && !in->modules)
		return fail(why, "multiboot: module count given without modules");
	for (uint32_t i = 0; i < in->module_count; i++)
		if (in->modules[i].size && !in->modules[i].data)
			return fail(why, "multiboot: module size given without module data");
	if (in->e820_count > MULTIBOOT_MMAP_MAX)
		return fail(why, "multiboot: too many memory-map entries (at most 128)");
	if (in->e820_count && !in->e820)
		return fail(why, "multiboot: e820 count given without entries");

	const uint8_t *img = in->image;
	uint64_t isz = in->image_size;

	/* --- the Multiboot header: 4-byte aligned, wholly in the first 8 KiB --- */
	uint64_t search = isz < MULTIBOOT_SEARCH ? isz : MULTIBOOT_SEARCH;
	uint64_t hoff = 0;
	bool found = false, bad_sum = false;
	for (uint64_t off = 0; off + MBH_MIN_LEN <= search; off += 4) {
		if (rd32(img + off + MBH_MAGIC) != MULTIBOOT_HEADER_MAGIC)
			continue;
		uint32_t sum = MULTIBOOT_HEADER_MAGIC + rd32(img + off + MBH_FLAGS) + rd32(img + off + MBH_CHECKSUM);
		if (sum == 0) {
			hoff = off;
			found = true;
			break;
		}
		bad_sum = true;
	}
	if (!found)
		return fail(why, bad_sum ? "multiboot: header checksum is wrong (magic + flags + checksum != 0)"
					 : "multiboot: no Multiboot header in the first 8192 bytes");
	uint32_t hflags = rd32(img + hoff + MBH_FLAGS);
	if (hflags & MBF_REQUIRED_MASK & ~MBF_KNOWN)
		return fail(why, "multiboot: header requires a feature this loader does not support (flags bits 3-15)");

	struct place pl = {
		.in = in,
		.ram_end = in->ram_gpa + in->ram_size,
		.low_end = in->ram_gpa + MULTIBOOT_LOW_RESERVED, /* ram_gpa < 4 GiB: no wrap */
	};
	struct image im = { .img = img, .isz = isz };
	const char *bad;

	if (hflags & MBF_AOUT_KLUDGE) {
		if (hoff + MBH_AOUT_LEN > MULTIBOOT_SEARCH)
			return fail(why, "multiboot: a.out kludge header fields extend past the first 8192 bytes");
		if (hoff + MBH_AOUT_LEN > isz)
			return fail(why, "multiboot: truncated image (ends inside the a.out kludge header fields)");
		bad = parse_aout(&pl, &im, hoff);
	} else {
		bad = parse_elf(&pl, &im);
	}
	if (bad)
		return fail(why, bad);

	/* --- strings --- */
	uint64_t cmd_len, str_len[MULTIBOOT_MAX_MODULES] = { 0 };
	if (!bounded_len(in->cmdline, MULTIBOOT_CMDLINE_AREA - 1, &cmd_len))
		return fail(why, "multiboot: command line longer than the loader's command line area");
	for (uint32_t i = 0; i < in->module_count; i++)
		if (!bounded_len(in->modules[i].string, MULTIBOOT_MODSTR_AREA - 1, &str_len[i]))
			return fail(why, "multiboot: module string longer than the loader's module string area");

	/* --- low structures --- */
	uint64_t info_gpa = in->ram_gpa + MULTIBOOT_INFO_OFF;
	uint64_t mmap_gpa = in->ram_gpa + MULTIBOOT_MMAP_OFF;
	uint64_t cmd_gpa = in->ram_gpa + MULTIBOOT_CMDLINE_OFF;
	uint64_t mmap_len = (uint64_t)in->e820_count * MMAP_ENTRY_LEN;
	if (span_check(&pl, info_gpa, MULTIBOOT_INFO_AREA, NULL) != SPAN_OK)
		return fail(why, "multiboot: info area (RAM + 0x10000) is outside usable RAM below 4 GiB");
	if (mmap_len && span_check(&pl, mmap_gpa, mmap_len, NULL) != SPAN_OK)
		return fail(why, "multiboot: memory-map area (RAM + 0x11000) is outside usable RAM below 4 GiB");
	if (span_check(&pl, cmd_gpa, cmd_len + 1, NULL) != SPAN_OK)
		return fail(why, "multiboot: command line area (RAM + 0x12000) is outside usable RAM below 4 GiB");
	for (uint32_t i = 0; i < in->module_count; i++)
		if (in->modules[i].string &&
		    span_check(&pl, in->ram_gpa + MULTIBOOT_MODSTR_OFF + i * MULTIBOOT_MODSTR_AREA, str_len[i] + 1,
			       NULL) != SPAN_OK)
			return fail(why, "multiboot: module string area (RAM + 0x1a000) is outside usable RAM below 4 GiB");

	/* --- modules: page aligned, above the kernel and each other --- */
	uint64_t mod_gpa[MULTIBOOT_MAX_MODULES] = { 0 }, cursor = im.hi;
	for (uint32_t i = 0; i < in->module_count; i++) {
		if (!search_up(&pl, cursor, in->modules[i].size, &mod_gpa[i]))
			return fail(why, "multiboot: module does not fit in RAM below 4 GiB above the kernel");
		cursor = mod_gpa[i] + in->modules[i].size;
	}

	uint32_t mem_lower, mem_upper;
	mem_sizes(&pl, &mem_lower, &mem_upper);

	/* --- everything checked: write --- */
	uint8_t *ram = in->ram;
	uint8_t *info = ram + (info_gpa - in->ram_gpa);
	uint32_t iflags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
			  MULTIBOOT_INFO_LOADER;

	zero_bytes(info, MULTIBOOT_INFO_AREA);
	wr32(info + MBI_MEM_LOWER, mem_lower);
	wr32(info + MBI_MEM_UPPER, mem_upper);
	wr32(info + MBI_CMDLINE, (uint32_t)cmd_gpa);
	wr32(info + MBI_MODS_COUNT, in->module_count);
	wr32(info + MBI_MODS_ADDR, (uint32_t)(in->ram_gpa + MULTIBOOT_MODS_OFF));
	wr32(info + MBI_LOADER_NAME, (uint32_t)(in->ram_gpa + MULTIBOOT_LOADER_OFF));
	copy_bytes(ram + MULTIBOOT_LOADER_OFF, (const uint8_t *)MULTIBOOT_LOADER_NAME, sizeof MULTIBOOT_LOADER_NAME);
	if (in->e820_count) {
		iflags |= MULTIBOOT_INFO_MMAP;
		wr32(info + MBI_MMAP_LENGTH, (uint32_t)mmap_len);
		wr32(info + MBI_MMAP_ADDR, (uint32_t)mmap_gpa);
		for (uint32_t i = 0; i < in->e820_count; i++) {
			uint8_t *m = ram + MULTIBOOT_MMAP_OFF + i * MMAP_ENTRY_LEN;
			wr32(m, MMAP_ENTRY_SIZE);
			wr64(m + 4, in->e820[i].addr);
			wr64(m + 12, in->e820[i].size);
			wr32(m + 20, in->e820[i].type);
		}
	}
	wr32(info + MBI_FLAGS, iflags);

	copy_bytes(ram + MULTIBOOT_CMDLINE_OFF, (const uint8_t *)(in->cmdline ? in->cmdline : ""), cmd_len);
	ram[MULTIBOOT_CMDLINE_OFF + cmd_len] = 0;

	if (im.format == MULTIBOOT_FMT_AOUT_KLUDGE) {
		struct seg *s = &im.aout;
		copy_bytes(ram + (s->paddr - in->ram_gpa), img + s->off, s->filesz);
		zero_bytes(ram + (s->paddr - in->ram_gpa) + s->filesz, s->memsz - s->filesz);
	} else {
		struct seg s;
		for (uint32_t i = 0; i < im.phnum; i++) {
			if (!elf_seg(&im, i, &s))
				continue;
			copy_bytes(ram + (s.paddr - in->ram_gpa), img + s.off, s.filesz);
			zero_bytes(ram + (s.paddr - in->ram_gpa) + s.filesz, s.memsz - s.filesz);
		}
	}

	for (uint32_t i = 0; i < in->module_count; i++) {
		const struct multiboot_module *m = &in->modules[i];
		uint8_t *ent = ram + MULTIBOOT_MODS_OFF + i * MOD_ENTRY_LEN;
		uint32_t str_gpa = 0;

		if (m->string) {
			uint64_t off = MULTIBOOT_MODSTR_OFF + (uint64_t)i * MULTIBOOT_MODSTR_AREA;
			copy_bytes(ram + off, (const uint8_t *)m->string, str_len[i]);
			ram[off + str_len[i]] = 0;
			str_gpa = (uint32_t)(in->ram_gpa + off);
		}
		if (m->size)
			copy_bytes(ram + (mod_gpa[i] - in->ram_gpa), m->data, m->size);
		wr32(ent, (uint32_t)mod_gpa[i]);
		wr32(ent + 4, (uint32_t)(mod_gpa[i] + m->size));
		wr32(ent + 8, str_gpa);
		wr32(ent + 12, 0);
		out->mod_start[i] = mod_gpa[i];
		out->mod_end[i] = mod_gpa[i] + m->size;
	}
	for (uint32_t i = in->module_count; i < MULTIBOOT_MAX_MODULES; i++)
		out->mod_start[i] = out->mod_end[i] = 0;

	out->entry = (uint32_t)im.entry;
	out->info_gpa = (uint32_t)info_gpa;
	out->magic = MULTIBOOT_BOOTLOADER_MAGIC;
	out->header_flags = hflags;
	out->format = im.format;
	out->kernel_start = im.lo;
	out->kernel_end = im.hi;
	out->cmdline_gpa = (uint32_t)cmd_gpa;
	out->module_count = in->module_count;
	return 0;
}
