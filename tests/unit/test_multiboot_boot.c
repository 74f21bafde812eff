// unit-modules: kernel/multiboot_boot.c kernel/format.c
/* multiboot_boot_load against synthetic ELF32, ELF64 and a.out-kludge
 * images, in exact-size heap buffers so ASan catches any read past the image
 * or write past the partition's RAM. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/multiboot_boot.h"
#include "unit.h"

#define KiB 0x400ull
#define MiB 0x100000ull
#define GiB 0x40000000ull

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static uint8_t file_byte(uint64_t i) { return (uint8_t)(i * 31 + (i >> 8) + 5) | 1; /* never 0 */ }

/* ---- image builders ------------------------------------------------------ */

struct seg_spec { uint32_t type; uint64_t off, paddr, filesz, memsz; };

struct img_opts {
	int cls;                  /* 32 or 64: header layout */
	uint8_t class_byte;       /* e_ident[EI_CLASS]; 0: from cls */
	uint8_t data, version;    /* e_ident[EI_DATA], [EI_VERSION] */
	uint16_t type, machine;
	uint64_t entry;
	uint64_t phoff;
	uint16_t phentsize;       /* 0: the class's size */
	uint16_t phnum;           /* 0: nseg */
	struct seg_spec seg[70];
	unsigned nseg;
	uint64_t file_size;
	int no_elf;               /* no ELF header at all (a.out kludge images) */
	/* Multiboot header */
	int no_mb;
	uint64_t mb_off;
	uint32_t mb_flags;
	uint32_t mb_sum_delta;    /* added to the correct checksum */
	uint32_t aout[5];         /* header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr */
};

/* ELF32: headers, the Multiboot header at file 0x1000 inside the first
 * segment (file 0x1000-0x27ff -> 1 MiB, 4 KiB bss), a second segment (file
 * 0x2800-0x2fff -> 2 MiB) and an ignored PT_NOTE. */
static struct img_opts elf32_defaults(void)
{
	struct img_opts o = {
		.cls = 32, .data = 1, .version = 1, .type = 2, .machine = 3,
		.entry = 0x100010, .phoff = 52, .file_size = 0x3000,
		.mb_off = 0x1000, .mb_flags = 0x3,
	};
	o.seg[0] = (struct seg_spec){ 1, 0x1000, 0x100000, 0x1800, 0x2800 };
	o.seg[1] = (struct seg_spec){ 4, 0x0100, 0x0, 0x20, 0x20 };          /* PT_NOTE */
	o.seg[2] = (struct seg_spec){ 1, 0x2800, 0x200000, 0x800, 0x800 };
	o.nseg = 3;
	return o;
}

static struct img_opts elf64_defaults(void)
{
	struct img_opts o = elf32_defaults();
	o.cls = 64;
	o.machine = 62;
	o.phoff = 64;
	return o;
}

/* a.out kludge: a 0x2000-byte file whose header at 0x40 says it is loaded at
 * 1 MiB from file offset 0, 0x1800 bytes, bss up to 0x103000. */
static struct img_opts aout_defaults(void)
{
	struct img_opts o = {
		.no_elf = 1, .file_size = 0x2000, .mb_off = 0x40, .mb_flags = 0x10003,
		.aout = { 0x100040, 0x100000, 0x101800, 0x103000, 0x100080 },
	};
	return o;
}

static uint8_t *make_image(const struct img_opts *o, uint64_t *size)
{
	uint64_t n = o->file_size;
	uint8_t *img = malloc(n ? n : 1);
	for (uint64_t i = 0; i < n; i++)
		img[i] = file_byte(i);
	if (!o->no_elf) {
		int c64 = o->cls == 64;
		uint16_t phent = o->phentsize ? o->phentsize : (c64 ? 56 : 32);
		memset(img, 0, c64 ? 64 : 52);
		img[0] = 0x7f; img[1] = 'E'; img[2] = 'L'; img[3] = 'F';
		img[4] = o->class_byte ? o->class_byte : (c64 ? 2 : 1);
		img[5] = o->data;
		img[6] = o->version;
		put16(img + 16, o->type);
		put16(img + 18, o->machine);
		put32(img + 20, 1);
		if (c64) {
			put64(img + 24, o->entry);
			put64(img + 32, o->phoff);
			put16(img + 52, 64);
			put16(img + 54, phent);
			put16(img + 56, o->phnum ? o->phnum : (uint16_t)o->nseg);
		} else {
			put32(img + 24, (uint32_t)o->entry);
			put32(img + 28, (uint32_t)o->phoff);
			put16(img + 40, 52);
			put16(img + 42, phent);
			put16(img + 44, o->phnum ? o->phnum : (uint16_t)o->nseg);
		}
		for (unsigned i = 0; i < o->nseg; i++) {
			uint64_t at = o->phoff + (uint64_t)i * phent;
			const struct seg_spec *s = &o->seg[i];
			if (at > n || phent > n - at)
				break;
			memset(img + at, 0, phent);
			put32(img + at, s->type);
			if (c64) {
				put32(img + at + 4, 7);
				put64(img + at + 8, s->off);
				put64(img + at + 16, s->paddr + 0xffffffff80000000ull); /* vaddr: ignored */
				put64(img + at + 24, s->paddr);
				put64(img + at + 32, s->filesz);
				put64(img + at + 40, s->memsz);
				put64(img + at + 48, 0x1000);
			} else {
				put32(img + at + 4, (uint32_t)s->off);
				put32(img + at + 8, (uint32_t)s->paddr + 0xc0000000u);
				put32(img + at + 12, (uint32_t)s->paddr);
				put32(img + at + 16, (uint32_t)s->filesz);
				put32(img + at + 20, (uint32_t)s->memsz);
				put32(img + at + 24, 7);
				put32(img + at + 28, 0x1000);
			}
		}
	}
	if (!o->no_mb && o->mb_off + 12 <= n) {
		uint8_t *h = img + o->mb_off;
		put32(h, 0x1BADB002);
		put32(h + 4, o->mb_flags);
		put32(h + 8, (uint32_t)(0u - 0x1BADB002u - o->mb_flags) + o->mb_sum_delta);
		for (unsigned i = 0; i < 5 && o->mb_off + 16 + 4 * i <= n; i++)
			put32(h + 12 + 4 * i, o->aout[i]);
	}
	*size = n;
	return img;
}

/* ---- the rig ---------------------------------------------------------------- */

struct rig {
	uint8_t *img; uint64_t img_size;
	uint8_t *ram;
	struct multiboot_module mods[6];
	uint8_t *mod_data[6];
	struct linux_e820 e820[130];
	struct multiboot_boot_params_in in;
	struct multiboot_boot_out out;
	const char *why;
};

static const char rig_cmdline[] = "/boot/kernel console=ttyS0 verbose";
static const uint64_t mod_sizes[6] = { 5000, 0x3000, 1, 100, 7, 9 };
static const char *const mod_strings[6] = { "/boot/mod0 alpha=1", NULL, "third", "4th", "5th", "6th" };

static uint8_t mod_byte(unsigned m, uint64_t i) { return (uint8_t)(i * 7 + m * 50 + 1); }

/* RAM at ram_gpa (exact-size malloc, filled with 0xa5), a PC-like e820,
 * nmods modules. */
static void rig_init(struct rig *r, const struct img_opts *o, uint64_t ram_gpa, uint64_t ram_size, unsigned nmods)
{
	memset(r, 0, sizeof *r);
	r->img = make_image(o, &r->img_size);
	r->ram = malloc(ram_size);
	memset(r->ram, 0xa5, ram_size);
	for (unsigned m = 0; m < 6; m++) {
		r->mod_data[m] = malloc(mod_sizes[m]);
		for (uint64_t i = 0; i < mod_sizes[m]; i++)
			r->mod_data[m][i] = mod_byte(m, i);
		r->mods[m] = (struct multiboot_module){ r->mod_data[m], mod_sizes[m], mod_strings[m] };
	}
	r->e820[0] = (struct linux_e820){ ram_gpa, 0x9f000, 1 };
	r->e820[1] = (struct linux_e820){ ram_gpa + 0x9f000, 0x61000, 2 };
	r->e820[2] = (struct linux_e820){ ram_gpa + MiB, ram_size - MiB, 1 };
	r->e820[3] = (struct linux_e820){ 0xfec00000, 0x1000, 2 };
	r->in = (struct multiboot_boot_params_in){
		.image = r->img, .image_size = r->img_size,
		.modules = r->mods, .module_count = nmods,
		.cmdline = rig_cmdline,
		.ram = r->ram, .ram_gpa = ram_gpa, .ram_size = ram_size,
		.e820 = r->e820, .e820_count = 4,
	};
}

static void rig_free(struct rig *r)
{
	free(r->img);
	free(r->ram);
	for (unsigned m = 0; m < 6; m++)
		free(r->mod_data[m]);
}

static int rig_run(struct rig *r)
{
	r->why = NULL;
	return multiboot_boot_load(&r->in, &r->out, &r->why);
}

static uint8_t *at(struct rig *r, uint64_t gpa) { return r->ram + (gpa - r->in.ram_gpa); }

static int ram_untouched(const struct rig *r)
{
	return r->ram[0] == 0xa5 && memcmp(r->ram, r->ram + 1, r->in.ram_size - 1) == 0;
}

static int all_a5(struct rig *r, uint64_t gpa, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (at(r, gpa)[i] != 0xa5)
			return 0;
	return 1;
}

static int all_zero(struct rig *r, uint64_t gpa, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (at(r, gpa)[i] != 0)
			return 0;
	return 1;
}

/* The call fails with a message containing `needle` and writes no RAM. */
#define EXPECT_FAIL(r, needle)                                                  \
	do {                                                                    \
		CHECK_EQ(rig_run(r), -1);                                       \
		CHECK((r)->why != NULL);                                        \
		if ((r)->why && !strstr((r)->why, needle)) {                    \
			char _m[300];                                           \
			snprintf(_m, sizeof _m, "why \"%s\" lacks \"%s\"", (r)->why, needle); \
			unit_fail(__FILE__, __LINE__, _m);                      \
		}                                                               \
		CHECK(ram_untouched(r));                                        \
	} while (0)

/* Build an image from o in a fresh rig (16 MiB at 0, no modules) and expect
 * a refusal. */
#define EXPECT_IMAGE_FAIL(o, needle)                                           \
	do {                                                                   \
		struct rig _r;                                                 \
		rig_init(&_r, &(o), 0, 16 * MiB, 0);                           \
		EXPECT_FAIL(&_r, needle);                                      \
		rig_free(&_r);                                                 \
	} while (0)

/* Segment i of o was copied to its paddr and its bss zeroed. */
static int seg_loaded(struct rig *r, const struct seg_spec *s)
{
	return memcmp(at(r, s->paddr), r->img + s->off, s->filesz) == 0 &&
	       all_zero(r, s->paddr + s->filesz, s->memsz - s->filesz);
}

/* The info block fields that do not depend on the image. */
static void check_info_common(struct rig *r, const char *cmdline)
{
	uint64_t base = r->in.ram_gpa;
	uint8_t *info = at(r, r->out.info_gpa);

	CHECK_EQ(r->out.info_gpa, base + 0x10000);
	CHECK_EQ(r->out.magic, 0x2BADB002);
	CHECK_EQ(get32(info + 16), base + 0x12000);
	CHECK_EQ(r->out.cmdline_gpa, base + 0x12000);
	CHECK_STR((const char *)at(r, base + 0x12000), cmdline);
	CHECK_EQ(at(r, base + 0x12000 + strlen(cmdline) + 1)[0], 0xa5);
	CHECK_EQ(get32(info + 64), base + 0x10200);
	CHECK_STR((const char *)at(r, base + 0x10200), "Tessera");
	CHECK_EQ(get32(info + 20), r->in.module_count);
	CHECK_EQ(get32(info + 24), base + 0x10100);
	/* no boot_device, syms, drives, config table, APM, VBE, framebuffer */
	CHECK_EQ(get32(info + 12), 0);
	for (unsigned off = 28; off < 44; off++)
		CHECK_EQ(info[off], 0);
	for (unsigned off = 52; off < 64; off++)
		CHECK_EQ(info[off], 0);
	for (unsigned off = 68; off < 0x100; off++)
		CHECK_EQ(info[off], 0);
	/* the hypervisor's low area and the gaps between the pieces */
	CHECK(all_a5(r, base, 0x10000));
	CHECK(all_a5(r, base + 0x11000 + 24 * r->in.e820_count, 0x1000 - 24 * r->in.e820_count));
	CHECK(all_a5(r, base + 0x1e000, MiB - 0x1e000));
}

static void check_mmap(struct rig *r)
{
	uint8_t *info = at(r, r->out.info_gpa);
	uint32_t n = r->in.e820_count;

	CHECK_EQ(get32(info) & (1u << 6), n ? 1u << 6 : 0);
	if (!n) {
		CHECK_EQ(get32(info + 44), 0);
		CHECK_EQ(get32(info + 48), 0);
		return;
	}
	CHECK_EQ(get32(info + 44), 24 * n);
	CHECK_EQ(get32(info + 48), r->in.ram_gpa + 0x11000);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = at(r, r->in.ram_gpa + 0x11000 + 24 * i);
		CHECK_EQ(get32(e), 20);
		CHECK_EQ(get64(e + 4), r->e820[i].addr);
		CHECK_EQ(get64(e + 12), r->e820[i].size);
		CHECK_EQ(get32(e + 20), r->e820[i].type);
	}
}

/* Modules: page aligned, in order above the kernel, contents and strings. */
static void check_modules(struct rig *r)
{
	uint64_t base = r->in.ram_gpa;
	uint64_t prev_end = r->out.kernel_end;

	CHECK_EQ(r->out.module_count, r->in.module_count);
	for (unsigned m = 0; m < r->in.module_count; m++) {
		const uint8_t *ent = at(r, base + 0x10100 + 16 * m);
		uint64_t start = r->out.mod_start[m], size = r->mods[m].size;
		uint64_t expect = (prev_end + 0xfff) & ~0xfffull;

		CHECK_EQ(start & 0xfff, 0);
		CHECK_EQ(start, expect);
		CHECK_EQ(r->out.mod_end[m], start + size);
		CHECK_EQ(get32(ent), start);
		CHECK_EQ(get32(ent + 4), start + size);
		CHECK_EQ(get32(ent + 12), 0);
		CHECK(size == 0 || memcmp(at(r, start), r->mods[m].data, size) == 0);
		CHECK(all_a5(r, start + size, ((start + size + 0xfff) & ~0xfffull) - (start + size)));
		if (r->mods[m].string) {
			uint64_t sg = base + 0x1a000 + 0x1000 * m;
			CHECK_EQ(get32(ent + 8), sg);
			CHECK_STR((const char *)at(r, sg), r->mods[m].string);
			CHECK_EQ(at(r, sg + strlen(r->mods[m].string) + 1)[0], 0xa5);
		} else {
			CHECK_EQ(get32(ent + 8), 0);
			CHECK(all_a5(r, base + 0x1a000 + 0x1000 * m, 0x1000));
		}
		prev_end = start + size;
	}
	for (unsigned m = r->in.module_count; m < 4; m++) {
		CHECK(all_zero(r, base + 0x10100 + 16 * m, 16));
		CHECK(all_a5(r, base + 0x1a000 + 0x1000 * m, 0x1000));
	}
}

/* ---- happy paths ---------------------------------------------------------- */

static void elf_happy(int cls)
{
	struct img_opts o = cls == 64 ? elf64_defaults() : elf32_defaults();
	struct rig r;
	rig_init(&r, &o, 0, 64 * MiB, 3);

	CHECK_EQ(rig_run(&r), 0);
	CHECK(r.why == NULL);
	CHECK_EQ(r.out.format, cls == 64 ? MULTIBOOT_FMT_ELF64 : MULTIBOOT_FMT_ELF32);
	CHECK_EQ(r.out.entry, 0x100010);
	CHECK_EQ(r.out.header_flags, 0x3);
	CHECK_EQ(r.out.kernel_start, 0x100000);
	CHECK_EQ(r.out.kernel_end, 0x200800);

	/* segments at p_paddr, bss zeroed, PT_NOTE not loaded */
	CHECK(seg_loaded(&r, &o.seg[0]));
	CHECK(seg_loaded(&r, &o.seg[2]));
	CHECK_EQ(get32(at(&r, 0x100000)), 0x1BADB002); /* the header is in segment 0 */
	CHECK(all_a5(&r, 0x102800, 0x200000 - 0x102800));
	CHECK(all_a5(&r, MiB - 0x1000, 0x1000));
	CHECK(all_a5(&r, 0x0, 0x100)); /* PT_NOTE's "paddr" */

	/* info */
	uint8_t *info = at(&r, 0x10000);
	CHECK_EQ(get32(info), 0x24d); /* mem, cmdline, mods, mmap, loader name */
	CHECK_EQ(get32(info + 4), 636); /* RAM from 0 to the reserved range at 0x9f000 */
	CHECK_EQ(get32(info + 8), 63 * 1024);
	check_info_common(&r, rig_cmdline);
	check_mmap(&r);

	/* modules: kernel ends at 0x200800 -> 0x201000, 0x203000, 0x206000 */
	CHECK_EQ(r.out.mod_start[0], 0x201000);
	CHECK_EQ(r.out.mod_start[1], 0x203000);
	CHECK_EQ(r.out.mod_start[2], 0x206000);
	CHECK_EQ(r.out.mod_end[2], 0x206001);
	CHECK_EQ(r.out.mod_start[3], 0);
	check_modules(&r);
	CHECK(all_a5(&r, 0x207000, 64 * MiB - 0x207000));
	rig_free(&r);
}

TEST(mb_elf32_happy_path) { elf_happy(32); }
TEST(mb_elf64_happy_path) { elf_happy(64); }

TEST(mb_aout_kludge)
{
	struct img_opts o = aout_defaults();
	struct rig r;
	rig_init(&r, &o, 0, 64 * MiB, 2);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.format, MULTIBOOT_FMT_AOUT_KLUDGE);
	CHECK_EQ(r.out.entry, 0x100080);
	CHECK_EQ(r.out.header_flags, 0x10003);
	CHECK_EQ(r.out.kernel_start, 0x100000);
	CHECK_EQ(r.out.kernel_end, 0x103000);
	CHECK(memcmp(at(&r, 0x100000), r.img, 0x1800) == 0);
	CHECK(all_zero(&r, 0x101800, 0x1800));
	CHECK(all_a5(&r, MiB - 0x1000, 0x1000));
	CHECK_EQ(r.out.mod_start[0], 0x103000);
	CHECK_EQ(r.out.mod_start[1], 0x105000);
	check_info_common(&r, rig_cmdline);
	check_mmap(&r);
	check_modules(&r);
	rig_free(&r);

	/* load_end_addr 0: the whole file; bss_end_addr 0: no bss */
	o.aout[2] = 0;
	o.aout[3] = 0;
	rig_init(&r, &o, 0, 64 * MiB, 1);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.kernel_end, 0x102000);
	CHECK(memcmp(at(&r, 0x100000), r.img, 0x2000) == 0);
	CHECK_EQ(r.out.mod_start[0], 0x102000);
	CHECK(all_a5(&r, 0x102000 + 5000, 0x1000));
	rig_free(&r);

	/* the header found further into the file: loading starts at
	 * hoff - (header_addr - load_addr) */
	o = aout_defaults();
	o.mb_off = 0x440;
	rig_init(&r, &o, 0, 64 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	CHECK(memcmp(at(&r, 0x100000), r.img + 0x400, 0x1800) == 0);
	CHECK_EQ(get32(at(&r, 0x100040)), 0x1BADB002);
	rig_free(&r);

	/* flags bit 16 wins over an ELF header */
	o = elf32_defaults();
	o.mb_flags = 0x10000;
	o.aout[0] = 0x400000 + 0x1000; /* header_addr */
	o.aout[1] = 0x400000;
	o.aout[2] = 0x400000 + 0x3000;
	o.aout[3] = 0;
	o.aout[4] = 0x400000;
	rig_init(&r, &o, 0, 64 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.format, MULTIBOOT_FMT_AOUT_KLUDGE);
	CHECK(memcmp(at(&r, 0x400000), r.img, 0x3000) == 0);
	CHECK(all_a5(&r, 0x100000, 0x300000));
	rig_free(&r);
}

TEST(mb_aout_kludge_refusals)
{
	struct img_opts o;

	o = aout_defaults(); o.aout[1] = 0x100044; /* load_addr above header_addr */
	EXPECT_IMAGE_FAIL(o, "load_addr is above header_addr");

	o = aout_defaults(); o.aout[0] = 0x100080; /* header would be 0x80 into the file */
	EXPECT_IMAGE_FAIL(o, "before the start of the file");

	o = aout_defaults(); o.aout[2] = 0x102001; /* one byte more than the file */
	EXPECT_IMAGE_FAIL(o, "truncated");

	o = aout_defaults(); o.aout[2] = 0x100000;
	EXPECT_IMAGE_FAIL(o, "load_end_addr");

	o = aout_defaults(); o.aout[3] = 0x1017ff;
	EXPECT_IMAGE_FAIL(o, "bss_end_addr");

	o = aout_defaults(); o.aout[4] = 0x103000; /* just past the bss */
	EXPECT_IMAGE_FAIL(o, "entry_addr");

	o = aout_defaults(); o.aout[4] = 0xfffff;
	EXPECT_IMAGE_FAIL(o, "entry_addr");

	/* below 1 MiB */
	o = aout_defaults();
	for (int i = 0; i < 5; i++)
		o.aout[i] -= 0x1000;
	EXPECT_IMAGE_FAIL(o, "below RAM + 1 MiB");

	/* past the end of RAM */
	o = aout_defaults();
	for (int i = 0; i < 5; i++)
		o.aout[i] += 63 * MiB - 0x2000;
	EXPECT_IMAGE_FAIL(o, "outside the partition's RAM");

	/* the 32 header bytes must lie within the first 8 KiB */
	o = aout_defaults();
	o.file_size = 0x4000;
	o.mb_off = 8192 - 28;
	o.aout[0] = 0x100000 + 8192 - 28;
	EXPECT_IMAGE_FAIL(o, "past the first 8192 bytes");

	/* ... and within the file */
	o = aout_defaults();
	o.file_size = 0x50;
	o.aout[2] = o.aout[3] = 0;
	o.aout[4] = 0x100000;
	EXPECT_IMAGE_FAIL(o, "truncated");
}

/* ---- the Multiboot header ------------------------------------------------ */

TEST(mb_header_search)
{
	struct img_opts o;
	struct rig r;

	o = elf32_defaults(); o.mb_sum_delta = 1;
	EXPECT_IMAGE_FAIL(o, "checksum");

	o = elf32_defaults(); o.no_mb = 1;
	EXPECT_IMAGE_FAIL(o, "no Multiboot header in the first 8192 bytes");

	/* at 8192: beyond the search area */
	o = elf32_defaults();
	o.file_size = 0x4000;
	o.seg[0].filesz = o.seg[0].memsz = 0x1800;
	o.mb_off = 8192;
	EXPECT_IMAGE_FAIL(o, "no Multiboot header");

	/* the last place it fits: 8180..8191 */
	o.mb_off = 8180;
	rig_init(&r, &o, 0, 64 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	rig_free(&r);

	/* not 4-byte aligned */
	o = elf32_defaults();
	o.mb_off = 0x1002;
	EXPECT_IMAGE_FAIL(o, "no Multiboot header");

	/* a stray magic with a wrong checksum before the real header is skipped */
	o = elf32_defaults();
	rig_init(&r, &o, 0, 64 * MiB, 0);
	put32(r.img + 0x800, 0x1BADB002);
	put32(r.img + 0x804, 3);
	put32(r.img + 0x808, 0);
	CHECK_EQ(rig_run(&r), 0);
	rig_free(&r);

	/* files too short to hold a header */
	o = elf32_defaults();
	rig_init(&r, &o, 0, 64 * MiB, 0);
	for (uint64_t n = 0; n < 12; n++) {
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, r.img + 0x1000, n);
		r.in.image = cut;
		r.in.image_size = n;
		EXPECT_FAIL(&r, "no Multiboot header");
		free(cut);
	}
	rig_free(&r);
}

TEST(mb_header_flags)
{
	struct img_opts o;
	struct rig r;

	/* video (bit 2) is ignored: loaded, but no video information passed */
	o = elf32_defaults();
	o.mb_flags = 0x7;
	rig_init(&r, &o, 0, 64 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.header_flags, 0x7);
	CHECK_EQ(get32(at(&r, 0x10000)) & (3u << 11), 0);
	CHECK_EQ(get32(at(&r, 0x10000)), 0x24d);
	rig_free(&r);

	/* no flags at all: the memory fields are still passed */
	o.mb_flags = 0;
	rig_init(&r, &o, 0, 64 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(get32(at(&r, 0x10000)), 0x24d);
	rig_free(&r);

	/* unknown required bits 3-15 are refused */
	static const uint32_t required[] = { 1u << 3, 1u << 4, 1u << 8, 1u << 15, 0x3 | 1u << 5 };
	for (unsigned i = 0; i < sizeof required / sizeof required[0]; i++) {
		o = elf32_defaults();
		o.mb_flags = required[i];
		EXPECT_IMAGE_FAIL(o, "flags bits 3-15");
	}

	/* unknown optional bits 17-31 are ignored */
	o = elf32_defaults();
	o.mb_flags = 0x3 | 1u << 17 | 1u << 31;
	rig_init(&r, &o, 0, 64 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	rig_free(&r);
}

/* ---- ELF refusals -------------------------------------------------------- */

TEST(mb_elf_bad_headers)
{
	struct img_opts o;

	o = elf32_defaults(); o.no_elf = 1;
	EXPECT_IMAGE_FAIL(o, "not ELF");

	o = elf32_defaults(); o.data = 2;
	EXPECT_IMAGE_FAIL(o, "little-endian");

	o = elf32_defaults(); o.version = 0;
	EXPECT_IMAGE_FAIL(o, "version");

	o = elf32_defaults(); o.class_byte = 3;
	EXPECT_IMAGE_FAIL(o, "class");

	o = elf32_defaults(); o.machine = 62;
	EXPECT_IMAGE_FAIL(o, "EM_386");

	o = elf64_defaults(); o.machine = 3;
	EXPECT_IMAGE_FAIL(o, "EM_X86_64");

	o = elf32_defaults(); o.type = 3; /* ET_DYN */
	EXPECT_IMAGE_FAIL(o, "ET_EXEC");

	o = elf32_defaults(); o.phnum = 0; o.nseg = 0;
	EXPECT_IMAGE_FAIL(o, "no program headers");

	o = elf32_defaults(); o.phentsize = 28;
	EXPECT_IMAGE_FAIL(o, "e_phentsize");

	o = elf64_defaults(); o.phentsize = 32;
	EXPECT_IMAGE_FAIL(o, "e_phentsize");

	/* a larger e_phentsize is fine: entries are that far apart */
	struct rig r;
	o = elf64_defaults(); o.phentsize = 64;
	rig_init(&r, &o, 0, 64 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	CHECK(seg_loaded(&r, &o.seg[2]));
	rig_free(&r);

	/* too many program headers: 64 is the limit */
	o = elf32_defaults();
	for (unsigned i = 3; i < 64; i++)
		o.seg[i] = (struct seg_spec){ 6, 0, 0, 0, 0 }; /* PT_PHDR-ish, ignored */
	o.nseg = 64;
	rig_init(&r, &o, 0, 64 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	rig_free(&r);
	o.seg[64] = o.seg[63];
	o.nseg = 65;
	EXPECT_IMAGE_FAIL(o, "too many program headers");
	o.nseg = 3;
	o.phnum = 0xffff; /* PN_XNUM */
	EXPECT_IMAGE_FAIL(o, "too many program headers");

	/* program header table past the end of the file */
	o = elf32_defaults(); o.phoff = 0x3000 - 2 * 32;
	EXPECT_IMAGE_FAIL(o, "truncated");
	o = elf64_defaults(); o.phoff = 0xfffffffffffffff0ull;
	EXPECT_IMAGE_FAIL(o, "truncated");

	/* no PT_LOAD with memory */
	o = elf32_defaults(); o.seg[0].type = 4; o.seg[2].memsz = 0; o.seg[2].filesz = 0;
	EXPECT_IMAGE_FAIL(o, "no loadable segment");
}

TEST(mb_elf_bad_segments)
{
	struct img_opts o;

	/* outside RAM (64 MiB) */
	o = elf32_defaults(); o.seg[2].paddr = 64 * MiB - 0x400;
	EXPECT_IMAGE_FAIL(o, "outside the partition's RAM");
	o = elf32_defaults(); o.seg[2].paddr = 0x80000000;
	EXPECT_IMAGE_FAIL(o, "outside the partition's RAM");

	/* ends exactly at the end of RAM: fine */
	struct rig r;
	o = elf32_defaults(); o.seg[2].paddr = 64 * MiB - 0x800;
	rig_init(&r, &o, 0, 64 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	CHECK(seg_loaded(&r, &o.seg[2]));
	rig_free(&r);

	/* in the low 1 MiB */
	o = elf32_defaults(); o.seg[2].paddr = 0x90000;
	EXPECT_IMAGE_FAIL(o, "below RAM + 1 MiB");
	o = elf32_defaults(); o.seg[0].paddr = MiB - 0x1000; o.entry = MiB;
	EXPECT_IMAGE_FAIL(o, "below RAM + 1 MiB");

	/* truncated: file bytes past the end of the file */
	o = elf32_defaults(); o.seg[2].filesz = o.seg[2].memsz = 0x801;
	EXPECT_IMAGE_FAIL(o, "truncated");
	o = elf64_defaults(); o.seg[2].off = 0xfffffffffffff000ull;
	EXPECT_IMAGE_FAIL(o, "truncated");

	o = elf32_defaults(); o.seg[2].memsz = 0x7ff;
	EXPECT_IMAGE_FAIL(o, "filesz > memsz");

	/* address + size overflows */
	o = elf64_defaults(); o.seg[2].paddr = 0xffffffffffffff00ull; o.seg[2].memsz = 0x1000;
	EXPECT_IMAGE_FAIL(o, "overflows");

	/* overlapping segments */
	o = elf32_defaults(); o.seg[2].paddr = 0x102000; /* inside segment 0's bss */
	EXPECT_IMAGE_FAIL(o, "overlap");

	/* on a reserved range of the memory map */
	{
		o = elf32_defaults();
		rig_init(&r, &o, 0, 64 * MiB, 0);
		r.e820[2].size = MiB;
		r.e820[4] = (struct linux_e820){ 2 * MiB, 0x1000, 2 };
		r.e820[5] = (struct linux_e820){ 2 * MiB + 0x1000, 60 * MiB, 1 };
		r.in.e820_count = 6;
		EXPECT_FAIL(&r, "reserved memory-map range");
		rig_free(&r);
	}

	/* entry point outside every loaded segment (e.g. a virtual address) */
	o = elf32_defaults(); o.entry = 0xc0100010;
	EXPECT_IMAGE_FAIL(o, "entry point is not inside");
	o = elf32_defaults(); o.entry = 0x200800; /* just past segment 2 */
	EXPECT_IMAGE_FAIL(o, "entry point is not inside");

	/* ELF64 entry above 4 GiB */
	o = elf64_defaults(); o.entry = 0x100000010ull;
	EXPECT_IMAGE_FAIL(o, "above 4 GiB");
	o = elf64_defaults(); o.entry = 0xffffffff80100010ull;
	EXPECT_IMAGE_FAIL(o, "above 4 GiB");
}

TEST(mb_above_4g)
{
	/* RAM straddling 4 GiB: a segment crossing it is refused */
	struct img_opts o = elf64_defaults();
	struct rig r;
	uint64_t base = 4 * GiB - 8 * MiB;
	for (unsigned i = 0; i < 3; i++)
		if (o.seg[i].type == 1)
			o.seg[i].paddr += base;
	o.entry += base;
	rig_init(&r, &o, base, 16 * MiB, 1);
	r.in.e820_count = 3;
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.info_gpa, base + 0x10000);
	CHECK_EQ(r.out.entry, base + 0x100010);
	CHECK_EQ(get32(at(&r, base + 0x10000) + 4), 0);  /* mem_lower: RAM not at 0 */
	CHECK_EQ(get32(at(&r, base + 0x10000) + 8), 0);  /* mem_upper: RAM not at 1 MiB */
	check_info_common(&r, rig_cmdline);
	check_mmap(&r);
	check_modules(&r);
	rig_free(&r);

	o.seg[2].paddr = 4 * GiB - 0x400;
	rig_init(&r, &o, base, 16 * MiB, 0);
	r.in.e820_count = 3;
	EXPECT_FAIL(&r, "above 4 GiB");
	rig_free(&r);

	/* a module that would cross 4 GiB */
	o = elf64_defaults();
	for (unsigned i = 0; i < 3; i++)
		if (o.seg[i].type == 1)
			o.seg[i].paddr += base;
	o.entry += base;
	rig_init(&r, &o, base, 16 * MiB, 1);
	r.in.e820_count = 3;
	r.mods[0].size = 6 * MiB; /* data pointer checked below: no read happens */
	free(r.mod_data[0]);
	r.mod_data[0] = calloc(1, 6 * MiB);
	r.mods[0].data = r.mod_data[0];
	EXPECT_FAIL(&r, "module does not fit");
	rig_free(&r);

	/* RAM starting at 4 GiB is refused outright */
	o = elf32_defaults();
	rig_init(&r, &o, 4 * GiB, 4 * MiB, 0);
	EXPECT_FAIL(&r, "above 4 GiB");
	rig_free(&r);
}

TEST(mb_truncated_images)
{
	struct img_opts o = elf64_defaults();
	struct rig r;
	rig_init(&r, &o, 0, 4 * MiB, 0);
	/* cut anywhere: refused; once the header is in, because the file is short */
	for (uint64_t n = 0; n < r.img_size; n += (n < 0x48 || (n >= 0xfc0 && n < 0x1010) ? 1 : 0x40)) {
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, r.img, n);
		r.in.image = cut;
		r.in.image_size = n;
		CHECK_EQ(rig_run(&r), -1);
		CHECK(ram_untouched(&r));
		if (n >= 0x100c)
			CHECK(r.why != NULL && strstr(r.why, "truncated") != NULL);
		free(cut);
	}
	/* bytes after the last segment are fine */
	uint8_t *longer = malloc(r.img_size + 100);
	memcpy(longer, r.img, r.img_size);
	memset(longer + r.img_size, 0xee, 100);
	r.in.image = longer;
	r.in.image_size = r.img_size + 100;
	CHECK_EQ(rig_run(&r), 0);
	CHECK(seg_loaded(&r, &o.seg[2]));
	CHECK_EQ(*at(&r, 0x200800), 0xa5);
	free(longer);
	rig_free(&r);

	/* an ELF32 image cut inside the ELF header but holding the Multiboot
	 * header (Multiboot header at 0, e_ident then garbage) */
	o = elf32_defaults();
	o.no_mb = 1;
	rig_init(&r, &o, 0, 16 * MiB, 0);
	put32(r.img + 0x10, 0x1BADB002);
	put32(r.img + 0x14, 0);
	put32(r.img + 0x18, 0u - 0x1BADB002u);
	r.in.image_size = 0x30;
	EXPECT_FAIL(&r, "truncated");
	rig_free(&r);
}

/* ---- modules --------------------------------------------------------------- */

TEST(mb_modules)
{
	struct img_opts o = elf32_defaults();
	struct rig r;

	/* four: the limit */
	rig_init(&r, &o, 0, 64 * MiB, 4);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(get32(at(&r, 0x10000 + 20)), 4);
	check_modules(&r);
	rig_free(&r);

	rig_init(&r, &o, 0, 64 * MiB, 5);
	EXPECT_FAIL(&r, "too many modules");
	rig_free(&r);

	/* none: mods_count 0, still flagged */
	rig_init(&r, &o, 0, 64 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(get32(at(&r, 0x10000)) & 8, 8);
	CHECK_EQ(get32(at(&r, 0x10000 + 20)), 0);
	check_modules(&r);
	CHECK(all_a5(&r, 0x200800, 64 * MiB - 0x200800));
	rig_free(&r);

	/* exactly filling RAM is fine; one byte more is not */
	rig_init(&r, &o, 0, 64 * MiB, 1);
	free(r.mod_data[0]);
	r.mods[0].size = 64 * MiB - 0x201000;
	r.mod_data[0] = malloc(r.mods[0].size);
	memset(r.mod_data[0], 0x5a, r.mods[0].size);
	r.mods[0].data = r.mod_data[0];
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.mod_start[0], 0x201000);
	CHECK_EQ(r.out.mod_end[0], 64 * MiB);
	CHECK_EQ(*at(&r, 64 * MiB - 1), 0x5a);
	rig_free(&r);

	rig_init(&r, &o, 0, 64 * MiB, 2);
	free(r.mod_data[1]);
	r.mods[1].size = 64 * MiB - 0x203000 + 1;
	r.mod_data[1] = malloc(r.mods[1].size);
	r.mods[1].data = r.mod_data[1];
	EXPECT_FAIL(&r, "module does not fit");
	r.mods[1].size = UINT64_MAX - 0x1000;
	EXPECT_FAIL(&r, "module does not fit");
	rig_free(&r);

	/* a reserved range in the way pushes the module past it */
	rig_init(&r, &o, 0, 64 * MiB, 3);
	r.e820[2].size = 0x201000 - MiB;
	r.e820[4] = (struct linux_e820){ 0x201000, 0x1800, 4 };
	r.e820[5] = (struct linux_e820){ 0x202800, 64 * MiB - 0x202800, 1 };
	r.in.e820_count = 6;
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.mod_start[0], 0x203000);
	CHECK_EQ(r.out.mod_start[1], 0x205000);
	CHECK(all_a5(&r, 0x201000, 0x2000));
	CHECK(memcmp(at(&r, 0x203000), r.mods[0].data, 5000) == 0);
	CHECK_EQ(get32(at(&r, 0x10100)), 0x203000);
	check_mmap(&r);
	rig_free(&r);

	/* size without data */
	rig_init(&r, &o, 0, 64 * MiB, 2);
	r.mods[1].data = NULL;
	EXPECT_FAIL(&r, "without module data");
	rig_free(&r);

	/* an empty module with no data is fine */
	rig_init(&r, &o, 0, 64 * MiB, 2);
	r.mods[0].data = NULL;
	r.mods[0].size = 0;
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.mod_start[0], 0x201000);
	CHECK_EQ(r.out.mod_end[0], 0x201000);
	CHECK_EQ(r.out.mod_start[1], 0x201000);
	check_modules(&r);
	rig_free(&r);

	/* modules array missing */
	rig_init(&r, &o, 0, 64 * MiB, 2);
	r.in.modules = NULL;
	EXPECT_FAIL(&r, "without modules");
	rig_free(&r);

	/* module string limits: 4095 characters fit, 4096 do not */
	char *s = malloc(0x1001);
	memset(s, 'm', 0x1000);
	s[0x1000] = 0;
	rig_init(&r, &o, 0, 64 * MiB, 4);
	r.mods[3].string = s;
	EXPECT_FAIL(&r, "module string");
	s[0xfff] = 0;
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(strlen((const char *)at(&r, 0x1d000)), 0xfff);
	CHECK_EQ(*at(&r, 0x1e000), 0xa5);
	rig_free(&r);
	free(s);
}

/* ---- info block ------------------------------------------------------------ */

TEST(mb_memory_info)
{
	struct img_opts o = elf32_defaults();
	struct rig r;

	/* no memory map: no mmap flag, mem_lower 640 */
	rig_init(&r, &o, 0, 32 * MiB, 0);
	r.in.e820 = NULL;
	r.in.e820_count = 0;
	CHECK_EQ(rig_run(&r), 0);
	uint8_t *info = at(&r, 0x10000);
	CHECK_EQ(get32(info), 0x20d);
	CHECK_EQ(get32(info + 4), 640);
	CHECK_EQ(get32(info + 8), 31 * 1024);
	check_mmap(&r);
	check_info_common(&r, rig_cmdline);
	rig_free(&r);

	/* a reserved range ends upper memory: mem_upper stops there */
	rig_init(&r, &o, 0, 32 * MiB, 0);
	r.e820[2].size = 15 * MiB;
	r.e820[4] = (struct linux_e820){ 16 * MiB, 0x10000, 2 };
	r.e820[5] = (struct linux_e820){ 16 * MiB + 0x10000, 16 * MiB - 0x10000, 1 };
	r.in.e820_count = 6;
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(get32(at(&r, 0x10000) + 8), 15 * 1024);
	check_mmap(&r);
	rig_free(&r);

	/* RAM not at 0 (1 GiB): no lower or upper memory, pointers moved */
	struct img_opts o2 = elf32_defaults();
	o2.seg[0].paddr += GiB;
	o2.seg[2].paddr += GiB;
	o2.entry += GiB;
	rig_init(&r, &o2, GiB, 16 * MiB, 2);
	r.in.e820_count = 3;
	CHECK_EQ(rig_run(&r), 0);
	info = at(&r, GiB + 0x10000);
	CHECK_EQ(r.out.info_gpa, GiB + 0x10000);
	CHECK_EQ(get32(info), 0x24d);
	CHECK_EQ(get32(info + 4), 0);
	CHECK_EQ(get32(info + 8), 0);
	CHECK_EQ(r.out.mod_start[0], GiB + 0x201000);
	check_info_common(&r, rig_cmdline);
	check_mmap(&r);
	check_modules(&r);
	rig_free(&r);

	/* an image linked for RAM at 0 does not load into RAM at 1 GiB */
	rig_init(&r, &o, GiB, 16 * MiB, 0);
	r.in.e820_count = 3;
	EXPECT_FAIL(&r, "outside the partition's RAM");
	rig_free(&r);

	/* memory-map limits */
	rig_init(&r, &o, 0, 32 * MiB, 0);
	for (unsigned i = 4; i < 129; i++)
		r.e820[i] = (struct linux_e820){ 0x100000000ull + i * 0x1000, 0x1000, 1 };
	r.in.e820_count = 129;
	EXPECT_FAIL(&r, "memory-map entries");
	r.in.e820_count = 128;
	CHECK_EQ(rig_run(&r), 0);
	check_mmap(&r);
	CHECK_EQ(*at(&r, 0x11000 + 128 * 24), 0xa5);
	rig_free(&r);

	rig_init(&r, &o, 0, 32 * MiB, 0);
	r.in.e820 = NULL;
	EXPECT_FAIL(&r, "e820");
	rig_free(&r);

	/* the info area on a reserved range */
	rig_init(&r, &o, 0, 32 * MiB, 0);
	r.e820[0].size = 0x10000;
	r.e820[4] = (struct linux_e820){ 0x10000, 0x1000, 2 };
	r.in.e820_count = 5;
	EXPECT_FAIL(&r, "info area");
	rig_free(&r);

	/* RAM too small for the kernel */
	rig_init(&r, &o, 0, 0x180000, 0);
	r.in.e820_count = 1;
	EXPECT_FAIL(&r, "outside the partition's RAM");
	rig_free(&r);
}

TEST(mb_cmdline)
{
	struct img_opts o = elf32_defaults();
	struct rig r;

	/* none: an empty string, still flagged */
	rig_init(&r, &o, 0, 32 * MiB, 0);
	r.in.cmdline = NULL;
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(get32(at(&r, 0x10000)) & 4, 4);
	check_info_common(&r, "");
	rig_free(&r);

	/* the area holds 0x7fff characters and the NUL; the scan stops there */
	uint64_t n = MULTIBOOT_CMDLINE_AREA + 10;
	char *big = malloc(n);
	memset(big, 'c', n - 1);
	big[n - 1] = 0;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	r.in.cmdline = big;
	EXPECT_FAIL(&r, "command line");
	big[MULTIBOOT_CMDLINE_AREA] = 0;
	EXPECT_FAIL(&r, "command line");
	big[MULTIBOOT_CMDLINE_AREA - 1] = 0;
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(strlen((const char *)at(&r, 0x12000)), MULTIBOOT_CMDLINE_AREA - 1);
	CHECK_EQ(*at(&r, 0x1a000), 0xa5);
	free(big);
	rig_free(&r);
}

TEST(mb_bad_arguments)
{
	struct img_opts o = elf32_defaults();
	struct rig r;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	const char *why = NULL;
	CHECK_EQ(multiboot_boot_load(NULL, &r.out, &why), -1);
	CHECK(why != NULL);
	CHECK_EQ(multiboot_boot_load(&r.in, NULL, NULL), -1);
	r.in.image = NULL;
	EXPECT_FAIL(&r, "no kernel image");
	r.in.image = r.img;
	r.in.ram_size = 0;
	CHECK_EQ(rig_run(&r), -1);
	r.in.ram_size = 32 * MiB;
	r.in.ram_gpa = UINT64_MAX - 0x1000;
	CHECK_EQ(rig_run(&r), -1);
	CHECK(strstr(r.why, "wraps") != NULL);
	r.in.ram_gpa = 0;
	CHECK(ram_untouched(&r));
	CHECK_EQ(rig_run(&r), 0);
	rig_free(&r);
}
