// unit-modules: kernel/acpi_gen.c kernel/acpi.c kernel/format.c tests/unit/log_capture.c
/*
 * kernel/acpi_gen.c: the generated tables are written into a fake window of
 * guest-physical memory, then read back two ways: with the host-table parser
 * (kernel/acpi.c, acpi_parse) exactly as firmware tables would be, and byte by
 * byte against the ACPI 6.5 offsets. The map callback hands out heap copies of
 * exactly the requested range so AddressSanitizer catches over-reads.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../kernel/acpi.h"
#include "../../kernel/acpi_gen.h"
#include "unit.h"

#define WIN_SIZE (64u * 1024)
#define MAX_MAPS 8192
#define BUF_OFF  0x1000u  /* where the tables go inside the window */

static uint8_t mem[WIN_SIZE];    /* guest-physical [win_base, win_base + WIN_SIZE) */
static uint64_t win_base;
static void *maps[MAX_MAPS];
static int map_count;
static struct acpi_info info;    /* ~4 KiB: keep it off the test stacks */

static const void *fake_map(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	if (pa < win_base || pa - win_base > WIN_SIZE || len > WIN_SIZE - (pa - win_base) ||
	    len == 0)
		return NULL;
	if (map_count == MAX_MAPS) {
		unit_fail(__FILE__, __LINE__, "too many map calls");
		return NULL;
	}
	void *copy = malloc(len);
	memcpy(copy, mem + (pa - win_base), len);
	maps[map_count++] = copy;
	return copy;
}

static const struct acpi_env env = { .map = fake_map, .ctx = NULL };

static void mem_reset(uint64_t base)
{
	for (int i = 0; i < map_count; i++)
		free(maps[i]);
	map_count = 0;
	memset(mem, 0, sizeof mem);
	win_base = base;
	log_capture_reset();
}

/* --- reading guest-physical memory --------------------------------------- */

static const uint8_t *at(uint64_t gpa) { return mem + (gpa - win_base); }
static uint8_t r8(uint64_t gpa) { return *at(gpa); }
static uint16_t r16(uint64_t gpa) { return (uint16_t)(r8(gpa) | r8(gpa + 1) << 8); }
static uint32_t r32(uint64_t gpa) { return r16(gpa) | (uint32_t)r16(gpa + 2) << 16; }
static uint64_t r64(uint64_t gpa) { return r32(gpa) | (uint64_t)r32(gpa + 4) << 32; }

static uint8_t sum(uint64_t gpa, uint32_t len)
{
	uint8_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + r8(gpa + i));
	return s;
}

static int bytes_find(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return (int)i;
	return -1;
}

static int in_window(uint64_t gpa, uint64_t len)
{
	return gpa >= win_base && gpa - win_base <= WIN_SIZE && len <= WIN_SIZE - (gpa - win_base);
}

/* --- parameter sets -------------------------------------------------------- */

static struct acpi_gen_params base_params(uint32_t vcpus)
{
	return (struct acpi_gen_params){
		.vcpu_count = vcpus,
		.lapic_base = 0xfee00000u,
		.ioapic_id = 0, .ioapic_base = 0xfec00000u, .ioapic_gsi_base = 0,
		.reset_port = 0xcf9, .reset_value = 0x06,
	};
}

static struct acpi_gen_params full_params(uint32_t vcpus)
{
	struct acpi_gen_params p = base_params(vcpus);

	p.x2apic_entries = true;
	p.ioapic_id = 0x42;
	p.ioapic_gsi_base = 0x10;
	p.have_pci = true;
	p.mcfg_base = 0xb0000000u;
	p.pci_bus_end = 0x3f;
	p.pm1a_evt_port = 0x600;
	p.pm1a_cnt_port = 0x604;
	p.pm_tmr_port = 0x608;
	p.sleep_control_port = 0x610;
	p.sleep_status_port = 0x611;
	p.uart_com1 = true;
	return p;
}

/* AML the DSDT must contain, written out by hand from ACPI 6.5 chapter 20. */
static const uint8_t AML_PNP0501[] = { 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01 };
static const uint8_t AML_S5[] = {
	0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05,
};
static const uint8_t AML_SB_EMPTY[] = { 0x10, 0x06, '\\', '_', 'S', 'B', '_' };
static const uint8_t AML_FULL[] = {
	0x10, 0x33, '\\', '_', 'S', 'B', '_',                 /* Scope(\_SB) */
	0x5b, 0x82, 0x2b, 'C', 'O', 'M', '1',                 /* Device(COM1) */
	0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01, /* EISAID("PNP0501") */
	0x08, '_', 'U', 'I', 'D', 0x01,                       /* Name(_UID, One) */
	0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0a, 0x0d,     /* Buffer(13) */
	0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,       /* IO(Decode16,0x3F8,0x3F8,1,8) */
	0x22, 0x10, 0x00,                                     /* IRQNoFlags(){4} */
	0x79, 0x00,                                           /* EndTag */
	0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05, /* _S5 */
};

/* --- the cross-check ------------------------------------------------------ */

static void check_header(uint64_t t, const char *sig, uint8_t rev)
{
	CHECK(memcmp(at(t), sig, 4) == 0);
	CHECK_EQ(r8(t + 8), rev);
	CHECK(memcmp(at(t + 10), "TESSRA", 6) == 0);
	CHECK(memcmp(at(t + 16), "TESSERA ", 8) == 0);
	CHECK(memcmp(at(t + 28), "TSRA", 4) == 0);
	CHECK_EQ(t % 8, 0);
	CHECK_EQ(sum(t, r32(t + 4)), 0);
}

static void check_gas_io(uint64_t g, uint16_t port, uint8_t bits, uint8_t access)
{
	if (!port) {
		for (int i = 0; i < 12; i++)
			CHECK_EQ(r8(g + i), 0);
		return;
	}
	CHECK_EQ(r8(g), 1);          /* System I/O */
	CHECK_EQ(r8(g + 1), bits);
	CHECK_EQ(r8(g + 2), 0);
	CHECK_EQ(r8(g + 3), access);
	CHECK_EQ(r64(g + 4), port);
}

static void check_fadt(uint64_t f, uint64_t dsdt_expected_lo, const struct acpi_gen_params *p)
{
	uint64_t dsdt;
	uint32_t flags;

	check_header(f, "FACP", 6);
	CHECK_EQ(r32(f + 4), 276);
	CHECK_EQ(r8(f + 131), 5);                /* FADT Minor Version */
	CHECK_EQ(r32(f + 36), 0);                /* no FACS */
	CHECK_EQ(r64(f + 132), 0);
	dsdt = r64(f + 140);
	CHECK(dsdt >= dsdt_expected_lo);
	CHECK_EQ(r32(f + 40), dsdt <= 0xffffffffu ? dsdt : 0);
	CHECK_EQ(r16(f + 46), 0);                /* no SCI */
	flags = r32(f + 112);
	CHECK(flags & (1u << 20));               /* HW_REDUCED_ACPI */
	CHECK(flags & (1u << 0));                /* WBINVD */
	CHECK_EQ(!!(flags & (1u << 10)), !!p->reset_port);
	CHECK_EQ(flags & (1u << 8), 0);          /* TMR_VAL_EXT: 24-bit */
	CHECK_EQ(r16(f + 109), 0x34);            /* VGA absent, ASPM, no RTC; no 8042, MSI ok */
	check_gas_io(f + 116, p->reset_port, 8, 1);
	CHECK_EQ(r8(f + 128), p->reset_port ? p->reset_value : 0);
	CHECK_EQ(r32(f + 56), p->pm1a_evt_port);
	CHECK_EQ(r32(f + 64), p->pm1a_cnt_port);
	CHECK_EQ(r32(f + 76), p->pm_tmr_port);
	CHECK_EQ(r8(f + 88), p->pm1a_evt_port ? 4 : 0);
	CHECK_EQ(r8(f + 89), p->pm1a_cnt_port ? 2 : 0);
	CHECK_EQ(r8(f + 91), p->pm_tmr_port ? 4 : 0);
	check_gas_io(f + 148, p->pm1a_evt_port, 32, 2);
	check_gas_io(f + 172, p->pm1a_cnt_port, 16, 2);
	check_gas_io(f + 208, p->pm_tmr_port, 32, 3);
	check_gas_io(f + 244, p->sleep_control_port, 8, 1);
	check_gas_io(f + 256, p->sleep_status_port, 8, 1);
	CHECK(memcmp(at(f + 268), "TESSERA\0", 8) == 0);
	CHECK_EQ(r64(f + 268), ACPI_GEN_HYPERVISOR_ID);
}

static void check_dsdt(uint64_t d, const struct acpi_gen_params *p)
{
	uint32_t len = r32(d + 4);
	int has_s5 = p->sleep_control_port && p->sleep_status_port;

	check_header(d, "DSDT", 2);
	CHECK(len > 36);
	CHECK_EQ(bytes_find(at(d), len, AML_PNP0501, sizeof AML_PNP0501) >= 0, p->uart_com1);
	CHECK_EQ(bytes_find(at(d), len, "_S5_", 4) >= 0, has_s5);
	if (has_s5)
		CHECK(bytes_find(at(d), len, AML_S5, sizeof AML_S5) >= 0);
	if (!p->uart_com1)
		CHECK(memcmp(at(d + 36), AML_SB_EMPTY, sizeof AML_SB_EMPTY) == 0);
	if (p->uart_com1 && has_s5) {
		CHECK_EQ(len, 36 + sizeof AML_FULL);
		CHECK(memcmp(at(d + 36), AML_FULL, sizeof AML_FULL) == 0);
	}
}

/* Walk the MADT by hand and count entries by type. */
static void check_madt(uint64_t m, const struct acpi_gen_params *p)
{
	uint32_t len = r32(m + 4), n0 = 0, n1 = 0, n9 = 0;

	check_header(m, "APIC", 6);
	CHECK_EQ(len, 44 + p->vcpu_count * (8 + (p->x2apic_entries ? 16 : 0)) + 12);
	CHECK_EQ(r32(m + 36), p->lapic_base);
	CHECK_EQ(r32(m + 40), 0);
	for (uint32_t off = 44; off + 2 <= len && r8(m + off + 1) >= 2; off += r8(m + off + 1)) {
		uint64_t e = m + off;

		switch (r8(e)) {
		case 0:
			CHECK_EQ(r8(e + 1), 8);
			CHECK_EQ(r8(e + 2), n0);     /* UID */
			CHECK_EQ(r8(e + 3), n0);     /* APIC ID */
			CHECK_EQ(r32(e + 4), 1);
			n0++;
			break;
		case 9:
			CHECK_EQ(r8(e + 1), 16);
			CHECK_EQ(r16(e + 2), 0);
			CHECK_EQ(r32(e + 4), n9);
			CHECK_EQ(r32(e + 8), 1);
			CHECK_EQ(r32(e + 12), n9);
			n9++;
			break;
		case 1:
			CHECK_EQ(r8(e + 1), 12);
			n1++;
			break;
		default:
			CHECK(!"unexpected MADT entry type");
		}
	}
	CHECK_EQ(n0, p->vcpu_count);
	CHECK_EQ(n9, p->x2apic_entries ? p->vcpu_count : 0);
	CHECK_EQ(n1, 1);
}

static void check_mcfg(uint64_t t, const struct acpi_gen_params *p)
{
	check_header(t, "MCFG", 1);
	CHECK_EQ(r32(t + 4), 60);
	CHECK_EQ(r64(t + 36), 0);
	CHECK_EQ(r64(t + 44), p->mcfg_base);
	CHECK_EQ(r16(t + 52), 0);
	CHECK_EQ(r8(t + 54), 0);
	CHECK_EQ(r8(t + 55), p->pci_bus_end);
}

/* What acpi_parse makes of the tables. */
static void check_parsed(uint64_t rsdp, const struct acpi_gen_params *p)
{
	CHECK_EQ(acpi_parse(&info, rsdp, &env), 0);
	CHECK_EQ(info.revision, 2);
	CHECK_EQ(info.tables_rejected, 0);
	CHECK(info.have_madt);
	CHECK(info.have_fadt);
	CHECK_EQ(info.have_mcfg, p->have_pci);
	CHECK_EQ(info.lapic_base, p->lapic_base);
	CHECK_EQ(info.cpu_count, p->vcpu_count);
	CHECK_EQ(info.cpus_disabled, 0);
	for (uint32_t i = 0; i < info.cpu_count && i < p->vcpu_count; i++) {
		CHECK_EQ(info.cpus[i].apic_id, i);
		CHECK_EQ(info.cpus[i].uid, i);
		CHECK(!info.cpus[i].from_x2apic_entry); /* type 0 comes first */
	}
	CHECK_EQ(info.ioapic_count, 1);
	CHECK_EQ(info.ioapics[0].id, p->ioapic_id);
	CHECK_EQ(info.ioapics[0].address, p->ioapic_base);
	CHECK_EQ(info.ioapics[0].gsi_base, p->ioapic_gsi_base);
	CHECK_EQ(info.iso_count, 0);
	CHECK(!info.pcat_compat);
	CHECK(info.hw_reduced);
	/* Hardware-reduced: the parser (like OSPM per 5.2.9) ignores the PM
	 * timer fields, whose raw values check_fadt verifies. */
	CHECK_EQ(info.pm_timer_port, 0);
	CHECK(!info.pm_timer_32bit);
	CHECK_EQ(info.boot_flags, 0x34);
	CHECK_EQ(info.have_reset_reg, p->reset_port != 0);
	if (p->reset_port) {
		CHECK_EQ(info.reset_reg.space_id, 1);
		CHECK_EQ(info.reset_reg.bit_width, 8);
		CHECK_EQ(info.reset_reg.address, p->reset_port);
		CHECK_EQ(info.reset_value, p->reset_value);
	}
	if (p->have_pci) {
		CHECK_EQ(info.mcfg_count, 1);
		CHECK_EQ(info.mcfg[0].base, p->mcfg_base);
		CHECK_EQ(info.mcfg[0].segment, 0);
		CHECK_EQ(info.mcfg[0].bus_start, 0);
		CHECK_EQ(info.mcfg[0].bus_end, p->pci_bus_end);
	} else {
		CHECK_EQ(info.mcfg_count, 0);
	}
	CHECK(!log_capture_contains("rejected:"));
	CHECK(log_capture_contains(" 0 rejected"));
}

/* Build at gpa (inside the window), then verify everything. Returns the size. */
static int build_and_check(const struct acpi_gen_params *p, uint64_t gpa)
{
	uint64_t rsdp = 0, xsdt, end, table[3] = { 0 };
	uint32_t n, xlen;
	int rc = acpi_gen_build(p, mem + (gpa - win_base), WIN_SIZE - (gpa - win_base), gpa, &rsdp);

	CHECK(rc > 0);
	if (rc <= 0)
		return rc;
	CHECK(rc <= (int)ACPI_GEN_MAX_SIZE);
	end = gpa + (uint64_t)rc;

	/* RSDP (5.2.5.3) */
	CHECK_EQ(rsdp, gpa);
	CHECK_EQ(rsdp % 16, 0);
	CHECK(memcmp(at(rsdp), "RSD PTR ", 8) == 0);
	CHECK(memcmp(at(rsdp + 9), "TESSRA", 6) == 0);
	CHECK_EQ(r8(rsdp + 15), 2);
	CHECK_EQ(r32(rsdp + 16), 0);
	CHECK_EQ(r32(rsdp + 20), 36);
	CHECK_EQ(sum(rsdp, 20), 0);
	CHECK_EQ(sum(rsdp, 36), 0);

	/* XSDT (5.2.8): FACP, APIC, [MCFG], all inside what rc says was used. */
	xsdt = r64(rsdp + 24);
	n = p->have_pci ? 3 : 2;
	CHECK(xsdt >= gpa && xsdt + 36 <= end);
	check_header(xsdt, "XSDT", 1);
	xlen = r32(xsdt + 4);
	CHECK_EQ(xlen, 36 + 8 * n);
	for (uint32_t i = 0; i < n && i < 3 && 36 + 8 * i + 8 <= xlen; i++) {
		table[i] = r64(xsdt + 36 + 8 * i);
		CHECK(table[i] >= gpa && table[i] + 36 <= end && in_window(table[i], 36));
		if (in_window(table[i], 36))
			CHECK(r32(table[i] + 4) <= end - table[i]);
	}
	if (!table[0] || !table[1] || (p->have_pci && !table[2]))
		return -1;
	check_fadt(table[0], gpa, p);
	check_dsdt(r64(table[0] + 140), p);
	CHECK(r64(table[0] + 140) + r32(r64(table[0] + 140) + 4) <= end);
	check_madt(table[1], p);
	if (p->have_pci) {
		check_mcfg(table[2], p);
		CHECK_EQ(table[2] + 60, end);     /* MCFG is last */
	} else {
		CHECK_EQ(table[1] + r32(table[1] + 4), end);
	}
	check_parsed(rsdp, p);
	return rc;
}

/* --- tests ----------------------------------------------------------------- */

TEST(one_vcpu_minimal_platform)
{
	struct acpi_gen_params p = base_params(1);

	mem_reset(0x100000);
	build_and_check(&p, 0x100000 + BUF_OFF);
}

TEST(no_reset_register_means_no_reset_flag)
{
	struct acpi_gen_params p = base_params(1);

	p.reset_port = 0;
	p.reset_value = 0x06;
	mem_reset(0x100000);
	build_and_check(&p, 0x100000 + BUF_OFF);
}

TEST(two_vcpus_with_x2apic_entries_dedup_to_two_cpus)
{
	struct acpi_gen_params p = base_params(2);

	p.x2apic_entries = true;
	mem_reset(0x100000);
	build_and_check(&p, 0x100000 + BUF_OFF);
	CHECK_EQ(info.cpu_count, 2);
}

TEST(sixty_four_vcpus_everything_on)
{
	struct acpi_gen_params p = full_params(ACPI_GEN_MAX_VCPUS);

	mem_reset(0x7000000);
	build_and_check(&p, 0x7000000 + BUF_OFF);
	CHECK_EQ(info.cpu_count, 64);
	CHECK_EQ(info.cpus[63].apic_id, 63);
}

TEST(sixty_four_vcpus_no_x2apic_no_pci)
{
	struct acpi_gen_params p = full_params(ACPI_GEN_MAX_VCPUS);

	p.x2apic_entries = false;
	p.have_pci = false;
	mem_reset(0x100000);
	build_and_check(&p, 0x100000 + BUF_OFF);
}

TEST(pci_without_uart_and_uart_without_pci)
{
	struct acpi_gen_params p = full_params(4);

	p.uart_com1 = false;
	mem_reset(0x100000);
	build_and_check(&p, 0x100000 + BUF_OFF);

	p = full_params(4);
	p.have_pci = false;
	mem_reset(0x100000);
	build_and_check(&p, 0x100000 + BUF_OFF);
}

TEST(no_sleep_registers_means_no_s5)
{
	struct acpi_gen_params p = full_params(3);

	p.sleep_control_port = 0;
	p.sleep_status_port = 0;
	mem_reset(0x100000);
	build_and_check(&p, 0x100000 + BUF_OFF);
}

TEST(s5_constant_matches_the_aml)
{
	CHECK_EQ(ACPI_GEN_S5_SLP_TYP, AML_S5[9]);
	CHECK_EQ(ACPI_GEN_SLEEP_CTL_S5, 0x34);
}

TEST(tables_above_4g_leave_32bit_dsdt_zero)
{
	struct acpi_gen_params p = full_params(8);
	uint64_t rsdp;

	mem_reset(0x100000000ull);
	build_and_check(&p, 0x100000000ull + BUF_OFF);
	CHECK_EQ(acpi_gen_build(&p, mem + BUF_OFF, WIN_SIZE - BUF_OFF, 0x100000000ull + BUF_OFF,
				&rsdp), acpi_gen_build(&p, mem, WIN_SIZE, 0x100000000ull, &rsdp));
}

TEST(tables_straddling_4g)
{
	/* RSDP and XSDT just below 4 GiB, the DSDT above: DSDT field 0, X_DSDT set. */
	struct acpi_gen_params p = base_params(1);
	uint64_t gpa = 0x100000000ull - 0x100;
	uint64_t fadt;

	mem_reset(0x100000000ull - 0x8000);
	CHECK(build_and_check(&p, gpa) > 0);
	fadt = r64(r64(gpa + 24) + 36);
	CHECK(fadt < 0x100000000ull);
	CHECK(r64(fadt + 140) >= 0x100000000ull);
	CHECK_EQ(r32(fadt + 40), 0);
}

TEST(exact_size_fits_and_nothing_written_past_it)
{
	struct acpi_gen_params p = full_params(5);
	uint8_t *buf = malloc(ACPI_GEN_MAX_SIZE + 64);
	uint64_t rsdp = 0;
	int need;

	memset(buf, 0xa5, ACPI_GEN_MAX_SIZE + 64);
	need = acpi_gen_build(&p, buf, ACPI_GEN_MAX_SIZE, 0x10000, &rsdp);
	CHECK(need > 0);
	for (size_t i = (size_t)need; i < ACPI_GEN_MAX_SIZE + 64; i++)
		if (buf[i] != 0xa5) {
			CHECK(!"byte written past the returned size");
			break;
		}
	memset(buf, 0xa5, ACPI_GEN_MAX_SIZE + 64);
	CHECK_EQ(acpi_gen_build(&p, buf, (size_t)need, 0x10000, &rsdp), need);
	CHECK_EQ(rsdp, 0x10000);
	CHECK_EQ(buf[need], 0xa5);
	free(buf);
}

TEST(too_small_buffer_fails_and_writes_nothing)
{
	struct acpi_gen_params p = full_params(ACPI_GEN_MAX_VCPUS);
	uint8_t scratch[ACPI_GEN_MAX_SIZE];
	uint64_t rsdp = 0;
	int need = acpi_gen_build(&p, scratch, sizeof scratch, 0x20000, &rsdp);

	CHECK(need > 0);
	for (int size = 0; size < need; size++) {
		/* Exactly `size` bytes of heap, then 32 guard bytes. */
		uint8_t *buf = malloc((size_t)size + 32);
		uint64_t r = 0x1234;
		int bad = 0;

		memset(buf, 0x5a, (size_t)size + 32);
		if (acpi_gen_build(&p, buf, (size_t)size, 0x20000, &r) != -1)
			bad = 1;
		for (int i = 0; i < size + 32; i++)
			if (buf[i] != 0x5a)
				bad = 1;
		if (r != 0x1234)
			bad = 1;
		free(buf);
		if (bad) {
			char m[64];

			snprintf(m, sizeof m, "buffer of %d bytes (need %d)", size, need);
			unit_fail(__FILE__, __LINE__, m);
			break;
		}
	}
}

TEST(max_size_bound_holds)
{
	struct acpi_gen_params p = full_params(ACPI_GEN_MAX_VCPUS);
	uint8_t buf[ACPI_GEN_MAX_SIZE];
	uint64_t rsdp;
	int n = acpi_gen_build(&p, buf, sizeof buf, 0, &rsdp);

	CHECK(n > 0 && n <= (int)ACPI_GEN_MAX_SIZE);
}

TEST(invalid_params_fail)
{
	struct acpi_gen_params good = full_params(2), p;
	uint8_t buf[ACPI_GEN_MAX_SIZE];
	uint64_t rsdp = 0;

	CHECK(acpi_gen_build(&good, buf, sizeof buf, 0x1000, &rsdp) > 0);
	CHECK_EQ(acpi_gen_build(NULL, buf, sizeof buf, 0x1000, &rsdp), -1);
	CHECK_EQ(acpi_gen_build(&good, NULL, sizeof buf, 0x1000, &rsdp), -1);
	CHECK_EQ(acpi_gen_build(&good, buf, sizeof buf, 0x1000, NULL), -1);
	CHECK_EQ(acpi_gen_build(&good, buf, sizeof buf, 0x1008, &rsdp), -1); /* not 16-aligned */
	CHECK_EQ(acpi_gen_build(&good, buf, sizeof buf, UINT64_MAX - 0xf, &rsdp), -1); /* wraps */
	p = good; p.vcpu_count = 0;
	CHECK_EQ(acpi_gen_build(&p, buf, sizeof buf, 0x1000, &rsdp), -1);
	p = good; p.vcpu_count = ACPI_GEN_MAX_VCPUS + 1;
	CHECK_EQ(acpi_gen_build(&p, buf, sizeof buf, 0x1000, &rsdp), -1);
	p = good; p.vcpu_count = UINT32_MAX;
	CHECK_EQ(acpi_gen_build(&p, buf, sizeof buf, 0x1000, &rsdp), -1);
	p = good; p.lapic_base = 0x100000000ull;
	CHECK_EQ(acpi_gen_build(&p, buf, sizeof buf, 0x1000, &rsdp), -1);
	p = good; p.lapic_base = 0;
	CHECK_EQ(acpi_gen_build(&p, buf, sizeof buf, 0x1000, &rsdp), -1);
	p = good; p.ioapic_base = 0x1fec00000ull;
	CHECK_EQ(acpi_gen_build(&p, buf, sizeof buf, 0x1000, &rsdp), -1);
	p = good; p.ioapic_id = 256;
	CHECK_EQ(acpi_gen_build(&p, buf, sizeof buf, 0x1000, &rsdp), -1);
	p = good; p.mcfg_base = 0;
	CHECK_EQ(acpi_gen_build(&p, buf, sizeof buf, 0x1000, &rsdp), -1);
	p = good; p.mcfg_base = 0xb0080000u;
	CHECK_EQ(acpi_gen_build(&p, buf, sizeof buf, 0x1000, &rsdp), -1);
	p = good; p.have_pci = false; p.mcfg_base = 0; /* ignored without PCI */
	CHECK(acpi_gen_build(&p, buf, sizeof buf, 0x1000, &rsdp) > 0);
	p = good; p.sleep_status_port = 0;
	CHECK_EQ(acpi_gen_build(&p, buf, sizeof buf, 0x1000, &rsdp), -1);
	p = good; p.sleep_control_port = 0;
	CHECK_EQ(acpi_gen_build(&p, buf, sizeof buf, 0x1000, &rsdp), -1);
}

TEST(output_is_deterministic_and_padding_zero)
{
	struct acpi_gen_params p = full_params(7);
	uint8_t a[ACPI_GEN_MAX_SIZE], b[ACPI_GEN_MAX_SIZE];
	uint64_t rsdp;
	int n;

	memset(a, 0x11, sizeof a);
	memset(b, 0xee, sizeof b);
	n = acpi_gen_build(&p, a, sizeof a, 0x40000, &rsdp);
	CHECK(n > 0);
	CHECK_EQ(acpi_gen_build(&p, b, sizeof b, 0x40000, &rsdp), n);
	CHECK(n > 0 && memcmp(a, b, (size_t)n) == 0);
	/* RSDP is 36 bytes, the XSDT starts at 40: the gap is zero. */
	CHECK(a[36] == 0 && a[37] == 0 && a[38] == 0 && a[39] == 0);
}
