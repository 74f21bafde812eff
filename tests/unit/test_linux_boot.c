// unit-modules: kernel/linux_boot.c kernel/format.c
/* linux_boot_load against synthetic bzImages, in exact-size heap buffers so
 * ASan catches any read past the image or write past the partition's RAM. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/linux_boot.h"
#include "unit.h"

#define MiB 0x100000ull
#define GiB 0x40000000ull

struct img_opts {
	uint8_t setup_sects;       /* raw byte; 0 means 4 */
	uint16_t version;
	uint16_t xloadflags;
	uint8_t loadflags;
	uint8_t relocatable;
	uint8_t hdr_disp;          /* byte at 0x201 */
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	uint32_t kernel_len;       /* payload bytes in the file, multiple of 16 */
	uint32_t syssize;          /* 0: kernel_len / 16 */
	uint32_t magic;
	uint16_t boot_flag;
};

static struct img_opts defaults(void)
{
	return (struct img_opts){
		.setup_sects = 3, .version = 0x020f, .xloadflags = 0x0003, .loadflags = 0x01,
		.relocatable = 1, .hdr_disp = 0x6a, /* header ends at 0x26c */
		.kernel_alignment = 0x200000, .pref_address = 16 * MiB, .init_size = 8 * MiB,
		.initrd_addr_max = 0x7fffffff, .cmdline_size = 2047, .kernel_len = 0x10000,
		.magic = 0x53726448, .boot_flag = 0xaa55,
	};
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

static uint8_t payload_byte(uint64_t i) { return (uint8_t)(i * 31 + (i >> 8) + 5); }

static uint64_t setup_bytes(const struct img_opts *o)
{
	return ((o->setup_sects ? o->setup_sects : 4) + 1) * 512ull;
}

/* A bzImage: setup sectors filled with a pattern and the header, then the
 * protected-mode payload. Exact-size malloc. */
static uint8_t *make_image(const struct img_opts *o, uint64_t *size)
{
	uint64_t setup = setup_bytes(o);
	*size = setup + o->kernel_len;
	uint8_t *img = malloc(*size);
	for (uint64_t i = 0; i < setup; i++)
		img[i] = (uint8_t)(0xc3 ^ i);
	img[0x1f1] = o->setup_sects;
	put32(img + 0x1f4, o->syssize ? o->syssize : o->kernel_len / 16);
	put16(img + 0x1fe, o->boot_flag);
	img[0x200] = 0xeb;
	img[0x201] = o->hdr_disp;
	put32(img + 0x202, o->magic);
	put16(img + 0x206, o->version);
	img[0x210] = 0;
	img[0x211] = o->loadflags;
	put32(img + 0x214, 0x100000);
	put32(img + 0x218, 0);
	put32(img + 0x21c, 0);
	img[0x226] = img[0x227] = 0;
	put32(img + 0x228, 0);
	put32(img + 0x22c, o->initrd_addr_max);
	put32(img + 0x230, o->kernel_alignment);
	img[0x234] = o->relocatable;
	img[0x235] = 21;
	put16(img + 0x236, o->xloadflags);
	put32(img + 0x238, o->cmdline_size);
	put32(img + 0x23c, 0);
	put64(img + 0x240, 0);
	put64(img + 0x250, 0);
	put64(img + 0x258, o->pref_address);
	put32(img + 0x260, o->init_size);
	for (uint64_t i = 0; i < o->kernel_len; i++)
		img[setup + i] = payload_byte(i);
	return img;
}

struct rig {
	uint8_t *img; uint64_t img_size;
	uint8_t *initrd;
	uint8_t *ram;
	struct linux_e820 e820[130];
	struct linux_boot_params_in in;
	struct linux_boot_out out;
	const char *why;
};

static const char rig_cmdline[] = "console=ttyS0 root=/dev/ram0 quiet";

/* Standard setup: RAM at gpa ram_gpa (exact-size malloc, filled with 0xa5),
 * a PC-like e820, an initrd of initrd_size bytes. */
static void rig_init(struct rig *r, const struct img_opts *o, uint64_t ram_gpa, uint64_t ram_size,
		     uint64_t initrd_size)
{
	memset(r, 0, sizeof *r);
	r->img = make_image(o, &r->img_size);
	r->ram = malloc(ram_size);
	memset(r->ram, 0xa5, ram_size);
	if (initrd_size) {
		r->initrd = malloc(initrd_size);
		for (uint64_t i = 0; i < initrd_size; i++)
			r->initrd[i] = (uint8_t)(i * 7 + 1);
	}
	r->e820[0] = (struct linux_e820){ ram_gpa, 0x9f000, 1 };
	r->e820[1] = (struct linux_e820){ ram_gpa + 0x9f000, 0x61000, 2 };
	r->e820[2] = (struct linux_e820){ ram_gpa + MiB, ram_size - MiB, 1 };
	r->e820[3] = (struct linux_e820){ 0xfec00000, 0x1000, 2 };
	r->in = (struct linux_boot_params_in){
		.image = r->img, .image_size = r->img_size,
		.initrd = r->initrd, .initrd_size = initrd_size,
		.cmdline = rig_cmdline,
		.ram = r->ram, .ram_gpa = ram_gpa, .ram_size = ram_size,
		.e820 = r->e820, .e820_count = 4,
		.acpi_rsdp_gpa = 0xe0000,
	};
}

static void rig_free(struct rig *r)
{
	free(r->img);
	free(r->initrd);
	free(r->ram);
}

static int rig_run(struct rig *r)
{
	r->why = NULL;
	return linux_boot_load(&r->in, &r->out, &r->why);
}

static uint8_t *at(struct rig *r, uint64_t gpa) { return r->ram + (gpa - r->in.ram_gpa); }

static int ram_untouched(const struct rig *r)
{
	/* all bytes equal the first, and the first is the fill */
	return r->ram[0] == 0xa5 && memcmp(r->ram, r->ram + 1, r->in.ram_size - 1) == 0;
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

static int kernel_copied(struct rig *r, const struct img_opts *o)
{
	const uint8_t *k = at(r, r->out.kernel_gpa);
	for (uint64_t i = 0; i < o->kernel_len; i++)
		if (k[i] != payload_byte(i))
			return 0;
	return 1;
}

TEST(linux_happy_path)
{
	struct img_opts o = defaults();
	struct rig r;
	rig_init(&r, &o, 0, 64 * MiB, 3 * MiB + 123);

	CHECK_EQ(rig_run(&r), 0);
	CHECK(r.why == NULL);
	CHECK_EQ(r.out.protocol, 0x020f);
	CHECK_EQ(r.out.kernel_gpa, 16 * MiB);
	CHECK_EQ(r.out.entry64, 16 * MiB + 0x200);
	CHECK_EQ(r.out.boot_params_gpa, 0x10000);
	CHECK_EQ(r.out.cmdline_gpa, 0x20000);
	CHECK(kernel_copied(&r, &o));

	uint8_t *bp = at(&r, r.out.boot_params_gpa);
	/* setup header copied verbatim, except the fields the loader fills */
	static const unsigned mine[] = { 0x210, 0x211, 0x214, 0x215, 0x216, 0x217, 0x218, 0x219, 0x21a,
					 0x21b, 0x21c, 0x21d, 0x21e, 0x21f, 0x228, 0x229, 0x22a, 0x22b };
	for (unsigned off = 0x1f1; off < 0x26c; off++) {
		int skip = 0;
		for (unsigned j = 0; j < sizeof mine / sizeof mine[0]; j++)
			skip |= mine[j] == off;
		if (!skip && bp[off] != r.img[off]) {
			char m[64];
			snprintf(m, sizeof m, "header byte 0x%x not copied", off);
			unit_fail(__FILE__, __LINE__, m);
		}
	}
	CHECK_EQ(get32(bp + 0x202), 0x53726448);
	CHECK_EQ(get16(bp + 0x206), 0x020f);
	CHECK_EQ(get64(bp + 0x258), 16 * MiB);
	CHECK_EQ(get32(bp + 0x260), 8 * MiB);
	CHECK_EQ(bp[0x210], 0xff);
	CHECK_EQ(bp[0x211] & 0x81, 0x01);
	/* beyond the header and outside the fields below, the page is zero */
	CHECK_EQ(bp[0x1ef], 0); /* sentinel */
	for (unsigned off = 0x26c; off < 0x2d0; off++)
		CHECK_EQ(bp[off], 0);
	CHECK_EQ(bp[0], 0);
	CHECK_EQ(bp[0xfff], 0);

	/* command line */
	CHECK_EQ(get32(bp + 0x228), 0x20000);
	CHECK_EQ(get32(bp + 0x0c8), 0);
	CHECK_STR((const char *)at(&r, 0x20000), rig_cmdline);
	CHECK_EQ(at(&r, 0x20000)[sizeof rig_cmdline - 1], 0);

	/* initrd: page aligned, below initrd_addr_max and RAM end, clear of the kernel */
	uint64_t ig = r.out.initrd_gpa, isz = r.in.initrd_size;
	CHECK_EQ(get32(bp + 0x218), ig);
	CHECK_EQ(get32(bp + 0x21c), isz);
	CHECK_EQ(get32(bp + 0x0c0), 0);
	CHECK_EQ(get32(bp + 0x0c4), 0);
	CHECK_EQ(ig & 0xfff, 0);
	CHECK(ig + isz <= 64 * MiB);
	CHECK(ig + isz - 1 <= 0x7fffffff);
	CHECK(ig >= 16 * MiB + 8 * MiB);
	CHECK_EQ(ig, (64 * MiB - isz) & ~0xfffull); /* the highest spot */
	CHECK(memcmp(at(&r, ig), r.initrd, isz) == 0);

	/* e820 copied exactly */
	CHECK_EQ(bp[0x1e8], 4);
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = bp + 0x2d0 + 20 * i;
		CHECK_EQ(get64(e), r.e820[i].addr);
		CHECK_EQ(get64(e + 8), r.e820[i].size);
		CHECK_EQ(get32(e + 16), r.e820[i].type);
	}
	for (unsigned off = 0x2d0 + 20 * 4; off < 0x2d0 + 20 * 128; off++)
		CHECK_EQ(bp[off], 0);

	CHECK_EQ(get64(bp + 0x070), 0xe0000);

	/* nothing written in the hypervisor's low area nor between the pieces */
	CHECK_EQ(r.ram[0x1000], 0xa5);
	CHECK_EQ(r.ram[0xffff], 0xa5);
	CHECK_EQ(r.ram[0x11000], 0xa5);
	CHECK_EQ(r.ram[16 * MiB - 1], 0xa5);
	CHECK_EQ(r.ram[16 * MiB + o.kernel_len], 0xa5);
	rig_free(&r);
}

TEST(linux_no_initrd_no_cmdline)
{
	struct img_opts o = defaults();
	struct rig r;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	r.in.cmdline = NULL;
	CHECK_EQ(rig_run(&r), 0);
	uint8_t *bp = at(&r, 0x10000);
	CHECK_EQ(r.out.initrd_gpa, 0);
	CHECK_EQ(get32(bp + 0x218), 0);
	CHECK_EQ(get32(bp + 0x21c), 0);
	CHECK_EQ(get32(bp + 0x228), 0x20000);
	CHECK_EQ(at(&r, 0x20000)[0], 0);
	rig_free(&r);
}

TEST(linux_old_protocol_no_rsdp)
{
	struct img_opts o = defaults();
	o.version = 0x020d;
	struct rig r;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.protocol, 0x020d);
	CHECK_EQ(get64(at(&r, 0x10000) + 0x070), 0);
	rig_free(&r);

	o.version = 0x020e;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(get64(at(&r, 0x10000) + 0x070), 0xe0000);
	rig_free(&r);
}

TEST(linux_setup_sects_zero_means_four)
{
	struct img_opts o = defaults();
	o.setup_sects = 0;
	struct rig r;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	CHECK_EQ(r.img_size, 5 * 512 + o.kernel_len);
	CHECK_EQ(rig_run(&r), 0);
	CHECK(kernel_copied(&r, &o));
	CHECK_EQ(at(&r, 0x10000)[0x1f1], 0);
	rig_free(&r);

	/* the same file laid out as if setup_sects were 1 is too short */
	o.setup_sects = 1;
	uint64_t n;
	uint8_t *img = make_image(&o, &n);
	img[0x1f1] = 0;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	free(r.img);
	r.img = img;
	r.in.image = img;
	r.in.image_size = n;
	/* 2*512 + 0x10000 bytes >= 5*512, but syssize no longer fits */
	EXPECT_FAIL(&r, "truncated");
	r.in.image_size = 4 * 512; /* ends inside the 4 setup sectors */
	EXPECT_FAIL(&r, "setup code");
	rig_free(&r);
}

TEST(linux_initrd_below_addr_max_and_clear_of_kernel)
{
	struct img_opts o = defaults();
	o.initrd_addr_max = 32 * MiB - 1;
	struct rig r;
	rig_init(&r, &o, 0, 64 * MiB, 3 * MiB);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.initrd_gpa, 29 * MiB);
	CHECK(memcmp(at(&r, r.out.initrd_gpa), r.initrd, 3 * MiB) == 0);
	rig_free(&r);

	/* the highest spot under initrd_addr_max would overlap the kernel's
	 * init_size region [16, 24) MiB: it goes right below the kernel */
	o.initrd_addr_max = 25 * MiB - 1;
	rig_init(&r, &o, 0, 64 * MiB, 2 * MiB);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.initrd_gpa, 14 * MiB);
	CHECK(r.out.initrd_gpa + 2 * MiB <= r.out.kernel_gpa);
	CHECK(memcmp(at(&r, 14 * MiB), r.initrd, 2 * MiB) == 0);
	CHECK(kernel_copied(&r, &o));
	rig_free(&r);
}

TEST(linux_respects_reserved_e820)
{
	struct img_opts o = defaults();
	struct rig r;
	rig_init(&r, &o, 0, 64 * MiB, 1 * MiB);
	/* ACPI tables in the top 64 KiB of RAM */
	r.e820[2].size -= 0x10000;
	r.e820[4] = (struct linux_e820){ 64 * MiB - 0x10000, 0x10000, 3 };
	r.in.e820_count = 5;
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.initrd_gpa, 63 * MiB - 0x10000);
	for (uint64_t i = 64 * MiB - 0x10000; i < 64 * MiB; i++)
		if (r.ram[i] != 0xa5) {
			unit_fail(__FILE__, __LINE__, "ACPI area written");
			break;
		}
	CHECK_EQ(at(&r, 0x10000)[0x1e8], 5);
	rig_free(&r);

	/* a reserved hole at [17, 18) MiB pushes a relocatable kernel up */
	rig_init(&r, &o, 0, 64 * MiB, 0);
	r.e820[4] = (struct linux_e820){ 17 * MiB, MiB, 2 };
	r.in.e820_count = 5;
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.kernel_gpa, 18 * MiB);
	CHECK_EQ(r.out.entry64, 18 * MiB + 0x200);
	CHECK(kernel_copied(&r, &o));
	rig_free(&r);
}

TEST(linux_relocates_when_pref_does_not_fit)
{
	struct img_opts o = defaults();
	struct rig r;
	/* 20 MiB of RAM: 16 MiB + 8 MiB init_size does not fit; lowest 2 MiB
	 * aligned address >= 1 MiB is 2 MiB */
	rig_init(&r, &o, 0, 20 * MiB, 1 * MiB);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.kernel_gpa, 2 * MiB);
	CHECK_EQ(r.out.entry64, 2 * MiB + 0x200);
	CHECK(kernel_copied(&r, &o));
	CHECK_EQ(r.out.initrd_gpa, 19 * MiB);
	rig_free(&r);

	/* pref_address not aligned to kernel_alignment: lowest aligned >= 16 MiB */
	o.pref_address = 16 * MiB + 0x1000;
	rig_init(&r, &o, 0, 64 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.kernel_gpa, 16 * MiB);
	rig_free(&r);

	/* pref_address below 1 MiB is never used */
	o.pref_address = 0x10000;
	rig_init(&r, &o, 0, 64 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.kernel_gpa, 16 * MiB);
	rig_free(&r);
}

TEST(linux_non_relocatable)
{
	struct img_opts o = defaults();
	o.relocatable = 0;
	o.pref_address = 0x1100000; /* 17 MiB, not 2 MiB aligned: fine when fixed */
	o.kernel_alignment = 3;     /* ignored for a fixed kernel */
	struct rig r;
	rig_init(&r, &o, 0, 64 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.kernel_gpa, 0x1100000);
	CHECK_EQ(r.out.entry64, 0x1100200);
	CHECK(kernel_copied(&r, &o));
	rig_free(&r);

	rig_init(&r, &o, 0, 24 * MiB, 0); /* 17 + 8 > 24 */
	EXPECT_FAIL(&r, "not relocatable");
	rig_free(&r);

	o.pref_address = 0x80000; /* below 1 MiB */
	rig_init(&r, &o, 0, 64 * MiB, 0);
	EXPECT_FAIL(&r, "not relocatable");
	rig_free(&r);

	/* below 1 MiB even when the map calls all of it RAM */
	rig_init(&r, &o, 0, 64 * MiB, 0);
	r.e820[0] = (struct linux_e820){ 0, 64 * MiB, 1 };
	r.in.e820_count = 1;
	EXPECT_FAIL(&r, "not relocatable");
	rig_free(&r);

	o.pref_address = 16 * MiB; /* on a reserved hole */
	rig_init(&r, &o, 0, 64 * MiB, 0);
	r.e820[4] = (struct linux_e820){ 20 * MiB, 0x1000, 2 };
	r.in.e820_count = 5;
	EXPECT_FAIL(&r, "not relocatable");
	rig_free(&r);
}

TEST(linux_ram_not_at_zero)
{
	struct img_opts o = defaults();
	struct rig r;
	rig_init(&r, &o, 1 * GiB, 64 * MiB, 1 * MiB);
	r.in.e820_count = 3;
	CHECK_EQ(rig_run(&r), 0);
	/* pref_address (16 MiB) is outside RAM: lowest 2 MiB aligned address
	 * at least 1 MiB into RAM */
	CHECK_EQ(r.out.kernel_gpa, 1 * GiB + 2 * MiB);
	CHECK_EQ(r.out.boot_params_gpa, 1 * GiB + 0x10000);
	CHECK_EQ(r.out.cmdline_gpa, 1 * GiB + 0x20000);
	CHECK_EQ(r.out.initrd_gpa, 1 * GiB + 63 * MiB);
	uint8_t *bp = at(&r, r.out.boot_params_gpa);
	CHECK_EQ(get32(bp + 0x228), 1 * GiB + 0x20000);
	CHECK_EQ(get32(bp + 0x218), 1 * GiB + 63 * MiB);
	CHECK(kernel_copied(&r, &o));
	CHECK_STR((const char *)at(&r, r.out.cmdline_gpa), rig_cmdline);
	rig_free(&r);
}

TEST(linux_above_4g)
{
	struct img_opts o = defaults();
	struct rig r;
	rig_init(&r, &o, 4 * GiB, 32 * MiB, 0);
	r.in.e820_count = 3;
	CHECK_EQ(rig_run(&r), 0);
	uint8_t *bp = at(&r, r.out.boot_params_gpa);
	CHECK_EQ(r.out.boot_params_gpa, 4 * GiB + 0x10000);
	CHECK_EQ(get32(bp + 0x228), 0x20000);
	CHECK_EQ(get32(bp + 0x0c8), 1);
	CHECK_EQ(r.out.kernel_gpa, 4 * GiB + 2 * MiB);
	CHECK(kernel_copied(&r, &o));
	rig_free(&r);

	/* an initrd cannot go above initrd_addr_max */
	rig_init(&r, &o, 4 * GiB, 32 * MiB, 4096);
	r.in.e820_count = 3;
	EXPECT_FAIL(&r, "initrd");
	rig_free(&r);

	/* without XLF_CAN_BE_LOADED_ABOVE_4G nothing may go there */
	o.xloadflags = 0x0001;
	rig_init(&r, &o, 4 * GiB, 32 * MiB, 0);
	r.in.e820_count = 3;
	EXPECT_FAIL(&r, "4 GiB");
	rig_free(&r);
}

TEST(linux_bad_headers)
{
	struct img_opts o;
	struct rig r;

	o = defaults(); o.magic = 0x53726449;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	EXPECT_FAIL(&r, "HdrS");
	rig_free(&r);

	o = defaults(); o.boot_flag = 0x55aa;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	EXPECT_FAIL(&r, "boot_flag");
	rig_free(&r);

	o = defaults(); o.version = 0x020b; /* 2.11 */
	rig_init(&r, &o, 0, 32 * MiB, 0);
	EXPECT_FAIL(&r, "2.12");
	rig_free(&r);

	o = defaults(); o.xloadflags = 0x0002;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	EXPECT_FAIL(&r, "XLF_KERNEL_64");
	rig_free(&r);

	o = defaults(); o.loadflags = 0;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	EXPECT_FAIL(&r, "LOADED_HIGH");
	rig_free(&r);

	o = defaults(); o.hdr_disp = 0x40; /* header ends at 0x242, before pref_address */
	rig_init(&r, &o, 0, 32 * MiB, 0);
	EXPECT_FAIL(&r, "header too short");
	rig_free(&r);

	o = defaults(); o.kernel_alignment = 0x30000;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	EXPECT_FAIL(&r, "kernel_alignment");
	rig_free(&r);

	o = defaults(); o.syssize = o.kernel_len / 16 + 1;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	EXPECT_FAIL(&r, "syssize");
	rig_free(&r);

	o = defaults(); o.syssize = 0; o.kernel_len = 0;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	EXPECT_FAIL(&r, "syssize");
	rig_free(&r);
}

TEST(linux_truncated_images)
{
	struct img_opts o = defaults();
	struct rig r;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	const uint64_t setup = setup_bytes(&o);
	const uint64_t cuts[] = { 0, 1, 0x1f1, 0x201, 0x205, 0x207, 0x230, 0x263, 0x26b,
				  setup - 1, setup, setup + 1, setup + o.kernel_len - 16,
				  r.img_size - 1 };
	for (unsigned i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		uint64_t n = cuts[i];
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, r.img, n);
		r.in.image = cut;
		r.in.image_size = n;
		CHECK_EQ(rig_run(&r), -1);
		CHECK(r.why != NULL && strstr(r.why, "truncated") != NULL);
		CHECK(ram_untouched(&r));
		free(cut);
	}
	/* extra bytes after the syssize payload (e.g. a signature) are fine */
	uint8_t *longer = malloc(r.img_size + 100);
	memcpy(longer, r.img, r.img_size);
	memset(longer + r.img_size, 0xee, 100);
	r.in.image = longer;
	r.in.image_size = r.img_size + 100;
	CHECK_EQ(rig_run(&r), 0);
	CHECK(kernel_copied(&r, &o));
	CHECK_EQ(r.ram[16 * MiB + o.kernel_len], 0xa5);
	free(longer);
	rig_free(&r);
}

TEST(linux_does_not_fit)
{
	struct img_opts o = defaults();
	struct rig r;

	/* init_size bigger than RAM above 1 MiB */
	o.init_size = 40 * MiB;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	EXPECT_FAIL(&r, "kernel");
	rig_free(&r);

	/* init_size exactly fills RAM from 2 MiB: accepted */
	o.init_size = 30 * MiB;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.kernel_gpa, 2 * MiB);
	rig_free(&r);

	/* initrd too big for the RAM left */
	o = defaults();
	rig_init(&r, &o, 0, 32 * MiB, 17 * MiB);
	EXPECT_FAIL(&r, "initrd");
	rig_free(&r);

	/* ... but one that fits below the kernel is placed there */
	rig_init(&r, &o, 0, 32 * MiB, 12 * MiB);
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(r.out.initrd_gpa, 4 * MiB);
	rig_free(&r);

	/* RAM too small for boot_params */
	rig_init(&r, &o, 0, 0x10800, 0);
	EXPECT_FAIL(&r, "boot_params");
	rig_free(&r);

	/* initrd pointer missing */
	rig_init(&r, &o, 0, 32 * MiB, 0);
	r.in.initrd_size = 10;
	EXPECT_FAIL(&r, "initrd");
	rig_free(&r);
}

TEST(linux_cmdline_limits)
{
	struct img_opts o = defaults();
	o.cmdline_size = 100;
	struct rig r;
	char line[200];

	memset(line, 'x', sizeof line);
	line[100] = 0; /* exactly cmdline_size: fine */
	rig_init(&r, &o, 0, 32 * MiB, 0);
	r.in.cmdline = line;
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(strlen((const char *)at(&r, 0x20000)), 100);
	CHECK_EQ(at(&r, 0x20000)[100], 0);
	CHECK_EQ(at(&r, 0x20000)[101], 0xa5);
	rig_free(&r);

	line[100] = 'x';
	line[101] = 0; /* one too many */
	rig_init(&r, &o, 0, 32 * MiB, 0);
	r.in.cmdline = line;
	EXPECT_FAIL(&r, "cmdline_size");
	rig_free(&r);

	/* a huge cmdline_size is still capped by the loader's area; the scan
	 * reads no further than the area (heap string, exact size) */
	o.cmdline_size = 0xfffffff0;
	uint64_t n = LINUX_CMDLINE_AREA + 10;
	char *big = malloc(n);
	memset(big, 'y', n - 1);
	big[n - 1] = 0;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	r.in.cmdline = big;
	EXPECT_FAIL(&r, "command line area");
	big[LINUX_CMDLINE_AREA - 1] = 0; /* area - 1 chars + NUL: fits */
	CHECK_EQ(rig_run(&r), 0);
	CHECK_EQ(at(&r, 0x20000)[LINUX_CMDLINE_AREA - 1], 0);
	free(big);
	rig_free(&r);
}

TEST(linux_e820_limits)
{
	struct img_opts o = defaults();
	struct rig r;
	rig_init(&r, &o, 0, 32 * MiB, 0);
	/* 128 entries: the 4 real ones, then tiny RAM entries */
	for (unsigned i = 4; i < 129; i++)
		r.e820[i] = (struct linux_e820){ 0x100000000ull + i * 0x1000, 0x1000, 1 };
	r.in.e820_count = 129;
	EXPECT_FAIL(&r, "e820");
	r.in.e820_count = 128;
	CHECK_EQ(rig_run(&r), 0);
	uint8_t *bp = at(&r, 0x10000);
	CHECK_EQ(bp[0x1e8], 128);
	for (unsigned i = 0; i < 128; i++) {
		const uint8_t *e = bp + 0x2d0 + 20 * i;
		CHECK_EQ(get64(e), r.e820[i].addr);
		CHECK_EQ(get64(e + 8), r.e820[i].size);
		CHECK_EQ(get32(e + 16), r.e820[i].type);
	}
	CHECK_EQ(bp[0x2d0 + 20 * 128], 0); /* 0xcd0: past the table */
	rig_free(&r);

	rig_init(&r, &o, 0, 32 * MiB, 0);
	r.in.e820 = NULL;
	EXPECT_FAIL(&r, "e820");
	rig_free(&r);
}
