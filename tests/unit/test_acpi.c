// unit-modules: kernel/acpi.c kernel/format.c tests/unit/log_capture.c
/*
 * kernel/acpi.c against synthetic firmware tables. "Physical memory" is a
 * static buffer and a physical address is an offset into it. The map callback
 * hands out a fresh heap copy of exactly the requested range, so AddressSanitizer
 * reports any read past what the parser mapped.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../kernel/acpi.h"
#include "unit.h"

#define MEM_SIZE (1u << 20)
#define MAX_MAPS 8192

static uint8_t mem[MEM_SIZE];
static void *maps[MAX_MAPS];
static int map_count;
static struct acpi_info info; /* ~4 KiB: keep it off the test stacks */

/* Addresses of the standard platform's tables. */
#define RSDP_PA 0x1000u
#define XSDT_PA 0x2000u
#define RSDT_PA 0x3000u
#define MADT_PA 0x4000u
#define FADT_PA 0x6000u
#define MCFG_PA 0x7000u
#define SSDT_PA 0x8000u
#define JUNK_PA 0x9000u

static const void *fake_map(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	if (pa > MEM_SIZE || len > MEM_SIZE - pa || len == 0)
		return NULL;
	if (map_count == MAX_MAPS) {
		unit_fail(__FILE__, __LINE__, "too many map calls");
		return NULL;
	}
	void *copy = malloc(len);
	memcpy(copy, mem + pa, len);
	maps[map_count++] = copy;
	return copy;
}

static const struct acpi_env env = { .map = fake_map, .ctx = NULL };

static void mem_reset(void)
{
	for (int i = 0; i < map_count; i++)
		free(maps[i]);
	map_count = 0;
	memset(mem, 0, sizeof mem);
	log_capture_reset();
}

/* --- little-endian pokes and checksums ----------------------------------- */

static void w8(uint64_t pa, uint8_t v) { mem[pa] = v; }
static void w16(uint64_t pa, uint16_t v) { w8(pa, (uint8_t)v); w8(pa + 1, (uint8_t)(v >> 8)); }
static void w32(uint64_t pa, uint32_t v) { w16(pa, (uint16_t)v); w16(pa + 2, (uint16_t)(v >> 16)); }
static void w64(uint64_t pa, uint64_t v) { w32(pa, (uint32_t)v); w32(pa + 4, (uint32_t)(v >> 32)); }

/* Set the byte at csum_pa so that [pa, pa+len) sums to zero. */
static void fix_sum(uint64_t pa, uint32_t len, uint64_t csum_pa)
{
	uint8_t sum = 0;

	mem[csum_pa] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + mem[pa + i]);
	mem[csum_pa] = (uint8_t)(0x100 - sum);
}

/* --- table builders ------------------------------------------------------- */

/* A table under construction: header at pa, len bytes written so far. */
struct tb {
	uint64_t pa;
	uint32_t len;
};

static struct tb tb_begin(uint64_t pa, const char *sig, uint8_t rev)
{
	memcpy(mem + pa, sig, 4);
	w8(pa + 8, rev);
	memcpy(mem + pa + 10, "TESSRA", 6);
	memcpy(mem + pa + 16, "UNITTEST", 8);
	return (struct tb){ .pa = pa, .len = 36 };
}

static void tb8(struct tb *t, uint8_t v) { w8(t->pa + t->len, v); t->len += 1; }
static void tb16(struct tb *t, uint16_t v) { w16(t->pa + t->len, v); t->len += 2; }
static void tb32(struct tb *t, uint32_t v) { w32(t->pa + t->len, v); t->len += 4; }
static void tb64(struct tb *t, uint64_t v) { w64(t->pa + t->len, v); t->len += 8; }

/* Write Length and make the checksum right. */
static void tb_end(struct tb *t)
{
	w32(t->pa + 4, t->len);
	fix_sum(t->pa, t->len, t->pa + 9);
}

/* Re-checksum a table after a test edited it. */
static void resum(uint64_t pa)
{
	uint32_t len = (uint32_t)mem[pa + 4] | (uint32_t)mem[pa + 5] << 8 |
		       (uint32_t)mem[pa + 6] << 16 | (uint32_t)mem[pa + 7] << 24;
	fix_sum(pa, len, pa + 9);
}

static void put_rsdp(uint64_t pa, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memcpy(mem + pa, "RSD PTR ", 8);
	memcpy(mem + pa + 9, "TESSRA", 6);
	w8(pa + 15, rev);
	w32(pa + 16, rsdt);
	fix_sum(pa, 20, pa + 8);
	if (rev >= 2) {
		w32(pa + 20, 36);
		w64(pa + 24, xsdt);
		fix_sum(pa, 36, pa + 32);
	}
}

static void put_root(uint64_t pa, bool xsdt, const uint64_t *tables, int n)
{
	struct tb t = tb_begin(pa, xsdt ? "XSDT" : "RSDT", 1);

	for (int i = 0; i < n; i++) {
		if (xsdt)
			tb64(&t, tables[i]);
		else
			tb32(&t, (uint32_t)tables[i]);
	}
	tb_end(&t);
}

static struct tb madt_begin(uint64_t pa, uint32_t lapic, uint32_t flags)
{
	struct tb t = tb_begin(pa, "APIC", 5);

	tb32(&t, lapic);
	tb32(&t, flags);
	return t;
}

static void madt_lapic(struct tb *t, uint8_t uid, uint8_t id, uint32_t flags)
{
	tb8(t, 0); tb8(t, 8); tb8(t, uid); tb8(t, id); tb32(t, flags);
}

static void madt_ioapic(struct tb *t, uint8_t id, uint32_t addr, uint32_t gsi)
{
	tb8(t, 1); tb8(t, 12); tb8(t, id); tb8(t, 0); tb32(t, addr); tb32(t, gsi);
}

static void madt_iso(struct tb *t, uint8_t src, uint32_t gsi, uint16_t flags)
{
	tb8(t, 2); tb8(t, 10); tb8(t, 0); tb8(t, src); tb32(t, gsi); tb16(t, flags);
}

static void madt_lapic_nmi(struct tb *t)
{
	tb8(t, 4); tb8(t, 6); tb8(t, 0xff); tb16(t, 0); tb8(t, 1);
}

static void madt_lapic_override(struct tb *t, uint64_t addr)
{
	tb8(t, 5); tb8(t, 12); tb16(t, 0); tb64(t, addr);
}

static void madt_x2apic(struct tb *t, uint32_t id, uint32_t uid, uint32_t flags)
{
	tb8(t, 9); tb8(t, 16); tb16(t, 0); tb32(t, id); tb32(t, flags); tb32(t, uid);
}

/* The standard MADT: 4 usable CPUs (IDs 0, 1, 3, 0x100), 2 disabled, one
 * broadcast-ID placeholder, a duplicate x2APIC entry for ID 1, one I/O APIC,
 * two overrides and an NMI entry of a type the parser does not decode. */
static struct tb madt_standard_begin(uint64_t pa)
{
	struct tb t = madt_begin(pa, 0xfee00000u, 1);

	madt_lapic(&t, 0, 0, 1);
	madt_lapic(&t, 1, 1, 1);
	madt_lapic(&t, 2, 2, 0);          /* disabled */
	madt_lapic(&t, 3, 3, 2);          /* online capable */
	madt_lapic(&t, 4, 0xff, 1);       /* broadcast ID: skipped */
	madt_ioapic(&t, 8, 0xfec00000u, 0);
	madt_iso(&t, 0, 2, 0);
	madt_iso(&t, 9, 9, 0xd);
	madt_lapic_nmi(&t);
	madt_x2apic(&t, 1, 1, 1);         /* same CPU as the type 0 entry */
	madt_x2apic(&t, 0x100, 5, 1);
	madt_x2apic(&t, 0x101, 6, 0);     /* disabled */
	return t;
}

static void put_madt_standard(uint64_t pa)
{
	struct tb t = madt_standard_begin(pa);

	tb_end(&t);
}

struct fadt_spec {
	uint32_t len;
	uint8_t rev;
	uint32_t flags;
	uint32_t pm_tmr_blk;
	uint8_t x_pm_space;
	uint64_t x_pm_addr;
	uint8_t reset_space;
	uint64_t reset_addr;
	uint8_t reset_value;
	uint16_t boot_arch;
};

/* Fields are written only where the table length covers them. */
static void put_fadt(uint64_t pa, const struct fadt_spec *s)
{
	struct tb t = tb_begin(pa, "FACP", s->rev);

	if (s->len >= 80)
		w32(pa + 76, s->pm_tmr_blk);
	if (s->len >= 111)
		w16(pa + 109, s->boot_arch);
	if (s->len >= 116)
		w32(pa + 112, s->flags);
	if (s->len >= 129) {
		w8(pa + 116, s->reset_space);
		w8(pa + 117, 8);
		w64(pa + 120, s->reset_addr);
		w8(pa + 128, s->reset_value);
	}
	if (s->len >= 220) {
		w8(pa + 208, s->x_pm_space);
		w8(pa + 209, 32);
		w64(pa + 212, s->x_pm_addr);
	}
	t.len = s->len;
	tb_end(&t);
}

static const struct fadt_spec fadt_standard = {
	.len = 276, .rev = 6,
	.flags = (1u << 8) | (1u << 10),
	.pm_tmr_blk = 0x408, .x_pm_space = 1, .x_pm_addr = 0x608,
	.reset_space = 1, .reset_addr = 0xcf9, .reset_value = 6,
	.boot_arch = 3,
};

static struct tb mcfg_begin(uint64_t pa)
{
	struct tb t = tb_begin(pa, "MCFG", 1);

	tb64(&t, 0);
	return t;
}

static void mcfg_add(struct tb *t, uint64_t base, uint16_t seg, uint8_t start, uint8_t end)
{
	tb64(t, base); tb16(t, seg); tb8(t, start); tb8(t, end); tb32(t, 0);
}

static struct tb mcfg_standard_begin(uint64_t pa)
{
	struct tb t = mcfg_begin(pa);

	mcfg_add(&t, 0xb0000000u, 0, 0, 255);
	mcfg_add(&t, 0xc0000000u, 1, 0, 63);
	return t;
}

static void put_mcfg_standard(uint64_t pa)
{
	struct tb t = mcfg_standard_begin(pa);

	tb_end(&t);
}

static void put_ssdt(uint64_t pa)
{
	struct tb t = tb_begin(pa, "SSDT", 2);

	tb32(&t, 0x12345678);
	tb_end(&t);
}

static const uint64_t standard_tables[] = { FADT_PA, SSDT_PA, MADT_PA, MCFG_PA };
#define N_STANDARD 4

/* A healthy ACPI 2.0 platform: RSDP -> XSDT and RSDT -> FADT, SSDT, MADT, MCFG. */
static void build_standard(void)
{
	mem_reset();
	put_rsdp(RSDP_PA, 2, RSDT_PA, XSDT_PA);
	put_root(XSDT_PA, true, standard_tables, N_STANDARD);
	put_root(RSDT_PA, false, standard_tables, N_STANDARD);
	put_madt_standard(MADT_PA);
	put_fadt(FADT_PA, &fadt_standard);
	put_mcfg_standard(MCFG_PA);
	put_ssdt(SSDT_PA);
}

/* --- expectations for the standard tables -------------------------------- */

static void check_standard_madt(void)
{
	CHECK(info.have_madt);
	CHECK_EQ(info.lapic_base, 0xfee00000u);
	CHECK(info.pcat_compat);
	CHECK_EQ(info.cpu_count, 4);
	CHECK_EQ(info.cpus[0].apic_id, 0);
	CHECK_EQ(info.cpus[1].apic_id, 1);
	CHECK(!info.cpus[1].from_x2apic_entry);
	CHECK_EQ(info.cpus[2].apic_id, 3);
	CHECK_EQ(info.cpus[2].uid, 3);
	CHECK_EQ(info.cpus[3].apic_id, 0x100);
	CHECK_EQ(info.cpus[3].uid, 5);
	CHECK(info.cpus[3].from_x2apic_entry);
	CHECK_EQ(info.cpus_disabled, 2);
	CHECK_EQ(info.ioapic_count, 1);
	CHECK_EQ(info.ioapics[0].id, 8);
	CHECK_EQ(info.ioapics[0].address, 0xfec00000u);
	CHECK_EQ(info.ioapics[0].gsi_base, 0);
	CHECK_EQ(info.iso_count, 2);
	CHECK_EQ(info.isos[0].source, 0);
	CHECK_EQ(info.isos[0].gsi, 2);
	CHECK_EQ(info.isos[1].source, 9);
	CHECK_EQ(info.isos[1].gsi, 9);
	CHECK_EQ(info.isos[1].flags, 0xd);
}

static void check_standard_fadt(void)
{
	CHECK(info.have_fadt);
	CHECK_EQ(info.pm_timer_port, 0x608); /* X_PM_TMR_BLK wins over PM_TMR_BLK */
	CHECK(info.pm_timer_32bit);
	CHECK(!info.hw_reduced);
	CHECK(info.have_reset_reg);
	CHECK_EQ(info.reset_reg.space_id, 1);
	CHECK_EQ(info.reset_reg.bit_width, 8);
	CHECK_EQ(info.reset_reg.address, 0xcf9);
	CHECK_EQ(info.reset_value, 6);
	CHECK_EQ(info.boot_flags, 3);
}

static void check_standard_mcfg(void)
{
	CHECK(info.have_mcfg);
	CHECK_EQ(info.mcfg_count, 2);
	CHECK_EQ(info.mcfg[0].base, 0xb0000000u);
	CHECK_EQ(info.mcfg[0].segment, 0);
	CHECK_EQ(info.mcfg[0].bus_start, 0);
	CHECK_EQ(info.mcfg[0].bus_end, 255);
	CHECK_EQ(info.mcfg[1].base, 0xc0000000u);
	CHECK_EQ(info.mcfg[1].segment, 1);
	CHECK_EQ(info.mcfg[1].bus_end, 63);
}

static void check_logged(const char *needle)
{
	if (!log_capture_contains(needle)) {
		printf("  expected in log: %s\n  log was:\n%s", needle, log_capture_text());
		unit_fail(__FILE__, __LINE__, "log line missing");
	}
}

/* --- valid platforms ----------------------------------------------------- */

TEST(acpi2_xsdt_full_platform)
{
	build_standard();
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	CHECK_EQ(info.revision, 2);
	check_standard_madt();
	check_standard_fadt();
	check_standard_mcfg();
	CHECK_EQ(info.tables_rejected, 0);
	check_logged("acpi: rev 2, 4 cpus (2 disabled), 1 ioapics, pm timer 0x608, 2 mcfg");
	CHECK(!log_capture_contains("rejected:"));
}

TEST(parse_zeroes_previous_result)
{
	build_standard();
	memset(&info, 0xa5, sizeof info);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	CHECK_EQ(info.tables_rejected, 0);
	CHECK_EQ(info.cpus[4].apic_id, 0);
	CHECK_EQ(info.ioapics[1].address, 0);
}

TEST(acpi1_rsdp_uses_rsdt)
{
	/* A 20-byte ACPI 1.0 RSDP at the very end of memory: reading the 2.0
	 * fields would run off the end. */
	const uint64_t rsdp = MEM_SIZE - 20;

	build_standard();
	memset(mem + RSDP_PA, 0, 36);
	memset(mem + XSDT_PA, 0, 64);
	put_rsdp(rsdp, 0, RSDT_PA, 0);
	CHECK_EQ(acpi_parse(&info, rsdp, &env), 0);
	CHECK_EQ(info.revision, 0);
	check_standard_madt();
	check_standard_fadt();
	check_standard_mcfg();
	CHECK_EQ(info.tables_rejected, 0);
}

TEST(madt_lapic_address_override)
{
	struct tb t;

	build_standard();
	t = madt_standard_begin(MADT_PA);
	madt_lapic_override(&t, 0x1fee00000ull);
	tb_end(&t);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	CHECK_EQ(info.lapic_base, 0x1fee00000ull);
	CHECK_EQ(info.cpu_count, 4);
}

TEST(fadt_hw_reduced_has_no_pm_timer)
{
	struct fadt_spec s = fadt_standard;

	build_standard();
	s.flags = (1u << 20) | (1u << 10);
	put_fadt(FADT_PA, &s);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	CHECK(info.have_fadt);
	CHECK(info.hw_reduced);
	CHECK_EQ(info.pm_timer_port, 0);
	CHECK(!info.pm_timer_32bit);
	CHECK(info.have_reset_reg);
	CHECK_EQ(info.reset_reg.address, 0xcf9);
	check_standard_madt();
}

TEST(fadt_memory_space_x_pm_timer_falls_back)
{
	struct fadt_spec s = fadt_standard;

	build_standard();
	s.x_pm_space = 0; /* memory-mapped: cannot be an I/O port */
	s.flags = 0;      /* 24-bit timer, no reset register */
	put_fadt(FADT_PA, &s);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	CHECK_EQ(info.pm_timer_port, 0x408);
	CHECK(!info.pm_timer_32bit);
	CHECK(!info.have_reset_reg);
}

/* --- broken RSDP ---------------------------------------------------------- */

TEST(rsdp_bad_checksum)
{
	build_standard();
	mem[RSDP_PA + 8] ^= 1;
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), -1);
	check_logged("acpi: RSDP at 0x1000 rejected: bad checksum");
	check_logged("acpi: no usable RSDP at 0x1000");
	CHECK_EQ(info.tables_rejected, 1);
	CHECK(!info.have_madt && !info.have_fadt && !info.have_mcfg);
	CHECK_EQ(info.cpu_count, 0);
}

TEST(rsdp_bad_signature_or_outside_memory)
{
	build_standard();
	mem[RSDP_PA] = 'X';
	fix_sum(RSDP_PA, 20, RSDP_PA + 8);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), -1);
	check_logged("acpi: RSDP at 0x1000 rejected: bad signature");

	log_capture_reset();
	CHECK_EQ(acpi_parse(&info, MEM_SIZE - 4, &env), -1);
	check_logged("acpi: RSDP at 0xffffc rejected: outside memory");
	CHECK_EQ(acpi_parse(&info, 0, &env), -1);
	check_logged("acpi: no usable RSDP at 0x0");
}

TEST(rsdp_bad_extended_checksum_falls_back_to_rsdt)
{
	build_standard();
	mem[RSDP_PA + 32] ^= 0x40;
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: RSDP at 0x1000 rejected: bad extended checksum");
	check_logged("falling back to RSDT at 0x3000");
	CHECK_EQ(info.revision, 2);
	CHECK_EQ(info.tables_rejected, 1);
	check_standard_madt();
	check_standard_fadt();
	check_standard_mcfg();
}

TEST(rsdp_extended_length_too_small)
{
	build_standard();
	w32(RSDP_PA + 20, 20);
	fix_sum(RSDP_PA, 36, RSDP_PA + 32);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: RSDP at 0x1000 rejected: extended length too small");
	check_standard_madt();
}

/* --- broken root table ----------------------------------------------------- */

TEST(xsdt_bad_checksum_falls_back_to_rsdt)
{
	build_standard();
	mem[XSDT_PA + 9] ^= 0x10;
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: XSDT at 0x2000 rejected: bad checksum");
	check_logged("falling back to RSDT at 0x3000");
	CHECK_EQ(info.tables_rejected, 1);
	check_standard_madt();
	check_standard_fadt();
	check_standard_mcfg();
}

TEST(xsdt_bad_and_no_rsdt_fails)
{
	build_standard();
	put_rsdp(RSDP_PA, 2, 0, XSDT_PA);
	mem[XSDT_PA + 40] ^= 0x10;
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), -1);
	check_logged("acpi: XSDT at 0x2000 rejected: bad checksum");
	check_logged("acpi: no usable XSDT or RSDT");
	CHECK(!info.have_madt);
}

TEST(root_signature_mismatch)
{
	build_standard();
	memcpy(mem + XSDT_PA, "RSDT", 4);
	resum(XSDT_PA);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: XSDT at 0x2000 rejected: bad signature \"RSDT\"");
	check_standard_madt();
}

TEST(root_odd_trailing_length)
{
	/* Length covers 4 entries plus half of a fifth. */
	build_standard();
	w64(XSDT_PA + 36 + 4 * 8, 0x1234);
	w32(XSDT_PA + 4, 36 + 4 * 8 + 4);
	resum(XSDT_PA);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	CHECK_EQ(info.tables_rejected, 0);
	check_standard_madt();
	check_standard_fadt();
	check_standard_mcfg();
}

TEST(root_points_at_garbage)
{
	static const uint64_t tables[] = {
		JUNK_PA, 0, JUNK_PA + 0x100, FADT_PA, JUNK_PA + 0x200, MADT_PA, MCFG_PA,
	};

	build_standard();
	for (int i = 0; i < 64; i++)
		mem[JUNK_PA + i] = (uint8_t)(0xde + i * 37);
	memcpy(mem + JUNK_PA, "\xde\xad\xbe\xef", 4);
	/* JUNK_PA + 0x100 stays zero: a NUL signature */
	memcpy(mem + JUNK_PA + 0x200, "ABCD", 4); /* plausible but unknown */
	put_root(XSDT_PA, true, tables, 7);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: ???? at 0x9000 rejected: garbage signature");
	check_logged("acpi: ???? at 0x9100 rejected: garbage signature");
	CHECK(!log_capture_contains("ABCD at 0x9200 rejected"));
	CHECK_EQ(info.tables_rejected, 2);
	check_standard_madt();
	check_standard_fadt();
	check_standard_mcfg();
}

/* --- broken child tables ------------------------------------------------- */

TEST(table_length_beyond_memory)
{
	/* A MADT whose header fits at the end of memory but whose Length does not,
	 * an entry wholly outside memory and one whose range would wrap. */
	static const uint64_t tables[] = {
		FADT_PA, MEM_SIZE - 64, 0x1000000000ull, 0xfffffffffffffff0ull, MCFG_PA,
	};
	struct tb t;

	build_standard();
	t = madt_begin(MEM_SIZE - 64, 0xfee00000u, 1);
	madt_lapic(&t, 0, 0, 1);
	w32(t.pa + 4, 4096);
	put_root(XSDT_PA, true, tables, 5);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: APIC at 0xfffc0 rejected: length runs outside memory");
	check_logged("acpi: table at 0x1000000000 rejected: header outside memory");
	check_logged("acpi: table at 0xfffffffffffffff0 rejected: header outside memory");
	CHECK_EQ(info.tables_rejected, 3);
	CHECK(!info.have_madt);
	CHECK_EQ(info.cpu_count, 0);
	check_standard_fadt();
	check_standard_mcfg();
}

TEST(table_length_smaller_than_header)
{
	build_standard();
	w32(FADT_PA + 4, 20);
	resum(FADT_PA);
	w32(MADT_PA + 4, 40); /* a header but no Flags field */
	resum(MADT_PA);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: FACP at 0x6000 rejected: length too small");
	check_logged("acpi: APIC at 0x4000 rejected: length too small");
	CHECK_EQ(info.tables_rejected, 2);
	CHECK(!info.have_fadt && !info.have_madt);
	CHECK_EQ(info.pm_timer_port, 0);
	check_standard_mcfg();
}

TEST(table_length_too_large_and_bad_checksum)
{
	build_standard();
	w32(MCFG_PA + 4, 0x200000);
	mem[MADT_PA + 50] ^= 1;
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: MCFG at 0x7000 rejected: length too large");
	check_logged("acpi: APIC at 0x4000 rejected: bad checksum");
	CHECK_EQ(info.tables_rejected, 2);
	CHECK(!info.have_mcfg && !info.have_madt);
	check_standard_fadt();
}

TEST(madt_zero_length_entry_stops_walk)
{
	struct tb t;

	build_standard();
	t = madt_begin(MADT_PA, 0xfee00000u, 0);
	madt_lapic(&t, 0, 0, 1);
	madt_lapic(&t, 1, 1, 1);
	tb8(&t, 0); tb8(&t, 0); /* type 0, length 0: would never advance */
	t.len += 6;
	madt_lapic(&t, 2, 2, 1);
	tb_end(&t);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: APIC at 0x4000 entry at offset 60 (type 0) rejected: entry length below 2");
	CHECK(info.have_madt);
	CHECK(!info.pcat_compat);
	CHECK_EQ(info.cpu_count, 2);
	CHECK_EQ(info.cpus[1].apic_id, 1);
	check_standard_fadt();
	check_standard_mcfg();
}

TEST(madt_entry_past_end)
{
	struct tb t;

	build_standard();
	t = madt_begin(MADT_PA, 0xfee00000u, 1);
	madt_lapic(&t, 0, 0, 1);
	madt_ioapic(&t, 2, 0xfec00000u, 0);
	madt_x2apic(&t, 7, 7, 1);
	t.len -= 8; /* the x2APIC entry claims 16 bytes, 8 remain */
	tb_end(&t);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: APIC at 0x4000 entry at offset 64 (type 9) rejected: "
		     "truncated entry (runs past table end)");
	CHECK_EQ(info.cpu_count, 1);
	CHECK_EQ(info.ioapic_count, 1);
	CHECK_EQ(info.tables_rejected, 0);
	check_standard_fadt();
}

TEST(madt_entry_too_short_for_type)
{
	struct tb t;

	build_standard();
	t = madt_begin(MADT_PA, 0xfee00000u, 1);
	madt_lapic(&t, 0, 0, 1);
	tb8(&t, 1); tb8(&t, 8); tb32(&t, 0xfec00000u); tb16(&t, 0); /* I/O APIC in 8 bytes */
	madt_lapic(&t, 1, 1, 1);
	tb8(&t, 0x7f); /* one trailing byte: tolerated */
	tb_end(&t);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: APIC at 0x4000 entry at offset 52 (type 1) rejected: "
		     "entry too short for its type");
	CHECK_EQ(info.cpu_count, 1);
	CHECK_EQ(info.ioapic_count, 0);
}

TEST(madt_trailing_byte_tolerated)
{
	struct tb t;

	build_standard();
	t = madt_standard_begin(MADT_PA);
	tb8(&t, 0);
	tb_end(&t);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_standard_madt();
	CHECK(!log_capture_contains("APIC at"));
}

TEST(madt_more_cpus_than_max)
{
	struct tb t;

	build_standard();
	t = madt_begin(MADT_PA, 0xfee00000u, 1);
	for (uint32_t i = 0; i < ACPI_MAX_CPUS + 44; i++)
		madt_x2apic(&t, i, i, 1);
	for (int i = 0; i < ACPI_MAX_IOAPICS + 1; i++)
		madt_ioapic(&t, (uint8_t)i, 0xfec00000u + 0x1000u * (uint32_t)i, 24u * (uint32_t)i);
	tb_end(&t);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	CHECK_EQ(info.cpu_count, ACPI_MAX_CPUS);
	CHECK_EQ(info.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
	CHECK_EQ(info.ioapic_count, ACPI_MAX_IOAPICS);
	check_logged("acpi: APIC at 0x4000: more than 256 cpus, 44 ignored");
	check_logged("acpi: APIC at 0x4000: more than 16 ioapics, 1 ignored");
	check_standard_fadt();
	check_standard_mcfg();
}

TEST(duplicate_madt_ignored)
{
	static const uint64_t tables[] = { MADT_PA, JUNK_PA, FADT_PA };
	struct tb t;

	build_standard();
	t = madt_begin(JUNK_PA, 0xfee00000u, 0);
	madt_lapic(&t, 9, 9, 1);
	tb_end(&t);
	put_root(XSDT_PA, true, tables, 3);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: APIC at 0x9000 ignored: a MADT was already parsed");
	check_standard_madt();
}

TEST(fadt_short_revision1)
{
	struct fadt_spec s = {
		.len = 116, .rev = 1,
		.flags = (1u << 8) | (1u << 10), /* claims a reset register it lacks */
		.pm_tmr_blk = 0x808,
	};

	build_standard();
	put_fadt(FADT_PA, &s);
	/* Bytes past the table look like a valid X_PM_TMR_BLK and RESET_REG. */
	w8(FADT_PA + 116, 1);
	w64(FADT_PA + 120, 0xcf9);
	w8(FADT_PA + 208, 1);
	w64(FADT_PA + 212, 0x608);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	CHECK(info.have_fadt);
	CHECK_EQ(info.pm_timer_port, 0x808);
	CHECK(info.pm_timer_32bit);
	CHECK(!info.have_reset_reg);
	CHECK_EQ(info.reset_reg.address, 0);
	CHECK_EQ(info.tables_rejected, 0);
	check_standard_madt();
	check_standard_mcfg();
}

TEST(fadt_revision3_without_x_fields)
{
	/* 129 bytes: RESET_REG/RESET_VALUE present, X_PM_TMR_BLK not. */
	struct fadt_spec s = fadt_standard;

	build_standard();
	s.len = 129;
	put_fadt(FADT_PA, &s);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	CHECK_EQ(info.pm_timer_port, 0x408);
	CHECK(info.have_reset_reg);
	CHECK_EQ(info.reset_value, 6);
}

TEST(mcfg_length_not_multiple_of_entry)
{
	struct tb t;

	build_standard();
	t = mcfg_standard_begin(MCFG_PA);
	t.len += 5;
	tb_end(&t);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: MCFG at 0x7000: 5 trailing bytes ignored");
	CHECK_EQ(info.tables_rejected, 0);
	check_standard_mcfg();
	check_standard_madt();
	check_standard_fadt();
}

TEST(mcfg_bad_entry_and_too_many)
{
	struct tb t;

	build_standard();
	t = mcfg_begin(MCFG_PA);
	mcfg_add(&t, 0xb0000000u, 0, 10, 5); /* end bus before start bus */
	for (int i = 0; i < ACPI_MAX_MCFG + 1; i++)
		mcfg_add(&t, 0xc0000000ull + 0x10000000ull * (uint64_t)i, (uint16_t)(i + 1), 0, 255);
	tb_end(&t);
	CHECK_EQ(acpi_parse(&info, RSDP_PA, &env), 0);
	check_logged("acpi: MCFG at 0x7000: entry for segment 0 rejected: bad base or bus range");
	check_logged("acpi: MCFG at 0x7000: more than 8 entries, segment 9 ignored");
	CHECK_EQ(info.mcfg_count, ACPI_MAX_MCFG);
	CHECK_EQ(info.mcfg[0].segment, 1);
}
