/*
 * ACPI table parser: RSDP -> XSDT (RSDT fallback) -> MADT, FADT, MCFG.
 * Facts from ACPI 6.5 chapter 5 and the PCI Firmware Specification 3.3 (MCFG).
 *
 * Firmware tables are input we do not control, so nothing is read before it is
 * mapped, every length is bounded before it is trusted, and every table we use
 * must pass its checksum. All tables are byte-packed and little-endian, so
 * fields are read byte by byte (no unaligned loads, no struct overlays).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"
#include "log.h"

/* ACPI 6.5 5.2.6: the common System Description Table header. */
#define SDT_HDR_LEN 36u
/* Real tables are a few KiB at most; a bigger Length is corruption and would
 * have us map and checksum an absurd range. */
#define TABLE_MAX_LEN (1u << 20)

/* ACPI 6.5 5.2.5.3: Checksum covers the first 20 bytes (the ACPI 1.0 RSDP);
 * revision >= 2 adds Length, XsdtAddress and an Extended Checksum. */
#define RSDP_V1_LEN  20u
#define RSDP_V2_LEN  36u
#define RSDP_MAX_LEN 4096u

/* ACPI 6.5 5.2.12 table 5.19: interrupt controller structures follow the
 * Local Interrupt Controller Address (36) and Flags (40). */
#define MADT_ENTRIES_OFF 44u
#define MADT_PCAT_COMPAT (1u << 0)
/* ACPI 6.5 5.2.12.2 table 5.23 (also used by x2APIC, 5.2.12.12). */
#define MADT_CPU_ENABLED        (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1)

/* PCI Firmware 3.3 4.1.2 table 4-3: 8 reserved bytes, then 16-byte entries. */
#define MCFG_ENTRIES_OFF 44u
#define MCFG_ENTRY_LEN   16u

/* ACPI 6.5 5.2.9 table 5.9: FADT field offsets. */
#define FADT_PM_TMR_BLK     76u
#define FADT_IAPC_BOOT_ARCH 109u
#define FADT_FLAGS          112u
#define FADT_RESET_REG      116u
#define FADT_RESET_VALUE    128u
#define FADT_X_PM_TMR_BLK   208u
/* The ACPI 1.0 FADT ends right after Flags; nothing shorter is a FADT. */
#define FADT_V1_LEN 116u
/* ACPI 6.5 5.2.9 table 5.10: fixed feature flags. */
#define FADT_F_TMR_VAL_EXT   (1u << 8)
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_F_HW_REDUCED    (1u << 20)

/* ACPI 6.5 5.2.3.2: Generic Address Structure is 12 bytes. */
#define GAS_LEN      12u
#define GAS_SPACE_IO 1u
#define IO_PORT_MAX  0xffffu

/* --- byte access ---------------------------------------------------------- */

static uint16_t rd16(const uint8_t *p, uint32_t off)
{
	return (uint16_t)(p[off] | (uint16_t)p[off + 1] << 8);
}

static uint32_t rd32(const uint8_t *p, uint32_t off)
{
	return (uint32_t)rd16(p, off) | (uint32_t)rd16(p, off + 2) << 16;
}

static uint64_t rd64(const uint8_t *p, uint32_t off)
{
	return (uint64_t)rd32(p, off) | (uint64_t)rd32(p, off + 4) << 32;
}

/* ACPI 6.5 5.2.6: a table is valid when all its bytes sum to 0 mod 256. */
static uint8_t byte_sum(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

static bool sig_is(const uint8_t *p, const char *sig, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)sig[i])
			return false;
	return true;
}

/* Signatures are ASCII (5.2.6); anything else means the pointer is garbage. */
static bool sig_printable(const uint8_t *p)
{
	for (uint32_t i = 0; i < 4; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

/* Copy a 4-byte signature into a C string for log lines; bytes that would
 * garble the log are shown as '?'. */
static void sig_copy(char out[5], const uint8_t *p)
{
	for (uint32_t i = 0; i < 4; i++)
		out[i] = (p[i] >= 0x20 && p[i] <= 0x7e) ? (char)p[i] : '?';
	out[4] = 0;
}

static void gas_read(struct acpi_gas *g, const uint8_t *p)
{
	g->space_id = p[0];
	g->bit_width = p[1];
	g->bit_offset = p[2];
	g->access_size = p[3];
	g->address = rd64(p, 4);
}

/* The only way to touch memory. A range that wraps around is never valid. */
static const uint8_t *map_range(const struct acpi_env *env, uint64_t pa, uint64_t len)
{
	if (pa + len < pa)
		return NULL;
	return env->map(env->ctx, pa, len);
}

static void reject(struct acpi_info *out, const char *sig, uint64_t pa, const char *why)
{
	log_warn("acpi: %s at 0x%llx rejected: %s", sig, (unsigned long long)pa, why);
	out->tables_rejected++;
}

/* --- generic table validation ------------------------------------------- */

/* Why the header-declared length is unusable, or NULL if it is fine. */
static const char *sdt_length_defect(uint32_t len, uint32_t min_len)
{
	if (len < SDT_HDR_LEN || len < min_len)
		return "length too small";
	if (len > TABLE_MAX_LEN)
		return "length too large";
	return NULL;
}

/*
 * Map a whole System Description Table (5.2.6) at pa: map the header, check the
 * signature (want) and bound Length, then map Length bytes and verify the
 * checksum. Returns the table and its length, or NULL (logged and counted).
 */
static const uint8_t *sdt_load(struct acpi_info *out, const struct acpi_env *env, uint64_t pa,
			       const char *want, uint32_t min_len, uint32_t *len_out)
{
	const uint8_t *t = map_range(env, pa, SDT_HDR_LEN);
	const char *bad;
	uint32_t len;

	if (!t) {
		reject(out, want, pa, "header outside memory");
		return NULL;
	}
	if (!sig_is(t, want, 4)) {
		char found[5];

		sig_copy(found, t);
		log_warn("acpi: %s at 0x%llx rejected: bad signature \"%s\"",
			 want, (unsigned long long)pa, found);
		out->tables_rejected++;
		return NULL;
	}
	len = rd32(t, 4);
	bad = sdt_length_defect(len, min_len);
	if (!bad && !(t = map_range(env, pa, len)))
		bad = "length runs outside memory";
	if (!bad && byte_sum(t, len) != 0)
		bad = "bad checksum";
	if (bad) {
		reject(out, want, pa, bad);
		return NULL;
	}
	*len_out = len;
	return t;
}

/* --- MADT (ACPI 6.5 5.2.12) -------------------------------------------- */

struct madt_walk {
	struct acpi_info *out;
	uint64_t pa;
	uint32_t cpus_dropped, ioapics_dropped, isos_dropped;
};

static bool cpu_known(const struct acpi_info *out, uint32_t apic_id)
{
	for (uint32_t i = 0; i < out->cpu_count; i++)
		if (out->cpus[i].apic_id == apic_id)
			return true;
	return false;
}

/* Firmware may list a processor in both a type 0 and a type 9 entry, and an
 * online-capable one (flags bit 1) can be brought up later, so it counts. */
static void cpu_add(struct madt_walk *w, uint32_t apic_id, uint32_t uid, uint32_t flags, bool x2)
{
	struct acpi_info *out = w->out;

	if (!(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE))) {
		out->cpus_disabled++;
		return;
	}
	if (cpu_known(out, apic_id))
		return;
	if (out->cpu_count == ACPI_MAX_CPUS) {
		w->cpus_dropped++;
		return;
	}
	out->cpus[out->cpu_count].apic_id = apic_id;
	out->cpus[out->cpu_count].uid = uid;
	out->cpus[out->cpu_count].from_x2apic_entry = x2;
	out->cpu_count++;
}

/* 5.2.12.2 Processor Local APIC: UID at 2, APIC ID at 3, flags at 4. ID 0xFF
 * is the xAPIC broadcast ID; firmware uses it for unpopulated slots. */
static void madt_lapic(struct madt_walk *w, const uint8_t *e)
{
	if (e[3] == 0xff)
		return;
	cpu_add(w, e[3], e[2], rd32(e, 4), false);
}

/* 5.2.12.12 Processor Local x2APIC: x2APIC ID at 4, flags at 8, UID at 12.
 * 0xFFFFFFFF is the x2APIC broadcast ID, never a processor. */
static void madt_x2apic(struct madt_walk *w, const uint8_t *e)
{
	uint32_t id = rd32(e, 4);

	if (id == 0xffffffffu)
		return;
	cpu_add(w, id, rd32(e, 12), rd32(e, 8), true);
}

/* 5.2.12.3 I/O APIC: ID at 2, address at 4, GSI base at 8. */
static void madt_ioapic(struct madt_walk *w, const uint8_t *e)
{
	struct acpi_info *out = w->out;
	struct acpi_ioapic *io;

	if (out->ioapic_count == ACPI_MAX_IOAPICS) {
		w->ioapics_dropped++;
		return;
	}
	io = &out->ioapics[out->ioapic_count++];
	io->id = e[2];
	io->address = rd32(e, 4);
	io->gsi_base = rd32(e, 8);
}

/* 5.2.12.5 Interrupt Source Override: bus 2, source 3, GSI 4, flags 8. */
static void madt_iso(struct madt_walk *w, const uint8_t *e)
{
	struct acpi_info *out = w->out;
	struct acpi_iso *iso;

	if (out->iso_count == ACPI_MAX_ISO) {
		w->isos_dropped++;
		return;
	}
	iso = &out->isos[out->iso_count++];
	iso->bus = e[2];
	iso->source = e[3];
	iso->gsi = rd32(e, 4);
	iso->flags = rd16(e, 8);
}

static void madt_entry(struct madt_walk *w, const uint8_t *e)
{
	switch (e[0]) {
	case 0: madt_lapic(w, e); break;
	case 1: madt_ioapic(w, e); break;
	case 2: madt_iso(w, e); break;
	/* 5.2.12.8: a 64-bit address that supersedes the header's 32-bit one. */
	case 5: w->out->lapic_base = rd64(e, 4); break;
	case 9: madt_x2apic(w, e); break;
	default: break; /* other controller types are not used by the hypervisor */
	}
}

/* Sizes of the structures we decode (5.2.12.2, .3, .5, .8, .12); for other
 * types only the type/length prefix is read. */
static uint32_t madt_entry_min_len(uint8_t type)
{
	switch (type) {
	case 0: return 8;
	case 1: return 12;
	case 2: return 10;
	case 5: return 12;
	case 9: return 16;
	default: return 2;
	}
}

/* Why the entry at off cannot be used, or NULL. A length below 2 would never
 * advance the walk; one past the end would read unmapped bytes. */
static const char *madt_entry_defect(const uint8_t *t, uint32_t len, uint32_t off)
{
	uint32_t elen = t[off + 1];

	if (elen < 2)
		return "entry length below 2";
	if (elen > len - off)
		return "truncated entry (runs past table end)";
	if (elen < madt_entry_min_len(t[off]))
		return "entry too short for its type";
	return NULL;
}

static void madt_report_drops(const struct madt_walk *w)
{
	unsigned long long pa = (unsigned long long)w->pa;

	if (w->cpus_dropped)
		log_warn("acpi: APIC at 0x%llx: more than %u cpus, %u ignored",
			 pa, ACPI_MAX_CPUS, w->cpus_dropped);
	if (w->ioapics_dropped)
		log_warn("acpi: APIC at 0x%llx: more than %u ioapics, %u ignored",
			 pa, ACPI_MAX_IOAPICS, w->ioapics_dropped);
	if (w->isos_dropped)
		log_warn("acpi: APIC at 0x%llx: more than %u overrides, %u ignored",
			 pa, ACPI_MAX_ISO, w->isos_dropped);
}

/* Walk the entries; a malformed one ends the walk but keeps what came before.
 * A final single byte cannot hold an entry and is tolerated as padding. */
static void madt_walk_entries(struct madt_walk *w, const uint8_t *t, uint32_t len)
{
	for (uint32_t off = MADT_ENTRIES_OFF; len - off >= 2; off += t[off + 1]) {
		const char *bad = madt_entry_defect(t, len, off);

		if (bad) {
			log_warn("acpi: APIC at 0x%llx entry at offset %u (type %u) rejected: %s; "
				 "rest of table ignored",
				 (unsigned long long)w->pa, off, t[off], bad);
			break;
		}
		madt_entry(w, t + off);
	}
	madt_report_drops(w);
}

static void madt_load(struct acpi_info *out, const struct acpi_env *env, uint64_t pa)
{
	struct madt_walk w = { .out = out, .pa = pa };
	const uint8_t *t;
	uint32_t len;

	if (out->have_madt) {
		log_warn("acpi: APIC at 0x%llx ignored: a MADT was already parsed",
			 (unsigned long long)pa);
		return;
	}
	t = sdt_load(out, env, pa, "APIC", MADT_ENTRIES_OFF, &len);
	if (!t)
		return;
	out->have_madt = true;
	out->lapic_base = rd32(t, 36);
	out->pcat_compat = (rd32(t, 40) & MADT_PCAT_COMPAT) != 0;
	madt_walk_entries(&w, t, len);
}

/* --- FADT (ACPI 6.5 5.2.9) --------------------------------------------- */

/* X_PM_TMR_BLK (ACPI 2.0+) supersedes PM_TMR_BLK when present; only an
 * I/O-space timer can be expressed as a port, else use the 32-bit field. */
static uint32_t fadt_pm_timer(const uint8_t *t, uint32_t len)
{
	uint32_t port;

	if (len >= FADT_X_PM_TMR_BLK + GAS_LEN) {
		struct acpi_gas g;

		gas_read(&g, t + FADT_X_PM_TMR_BLK);
		if (g.space_id == GAS_SPACE_IO && g.address != 0 && g.address <= IO_PORT_MAX)
			return (uint32_t)g.address;
	}
	port = rd32(t, FADT_PM_TMR_BLK);
	return port <= IO_PORT_MAX ? port : 0;
}

/* RESET_REG/RESET_VALUE exist from ACPI 2.0 on; use them only when the flag
 * says so, the length covers them and the register has an address. */
static void fadt_reset(struct acpi_info *out, const uint8_t *t, uint32_t len, uint32_t flags)
{
	if (!(flags & FADT_F_RESET_REG_SUP) || len < FADT_RESET_VALUE + 1)
		return;
	gas_read(&out->reset_reg, t + FADT_RESET_REG);
	out->reset_value = t[FADT_RESET_VALUE];
	out->have_reset_reg = out->reset_reg.address != 0;
}

static void fadt_load(struct acpi_info *out, const struct acpi_env *env, uint64_t pa)
{
	const uint8_t *t;
	uint32_t len, flags;

	if (out->have_fadt) {
		log_warn("acpi: FACP at 0x%llx ignored: a FADT was already parsed",
			 (unsigned long long)pa);
		return;
	}
	t = sdt_load(out, env, pa, "FACP", FADT_V1_LEN, &len);
	if (!t)
		return;
	out->have_fadt = true;
	flags = rd32(t, FADT_FLAGS);
	out->pm_timer_32bit = (flags & FADT_F_TMR_VAL_EXT) != 0;
	out->hw_reduced = (flags & FADT_F_HW_REDUCED) != 0;
	out->boot_flags = rd16(t, FADT_IAPC_BOOT_ARCH);
	/* 5.2.9: on hardware-reduced platforms OSPM ignores the fixed-hardware
	 * register blocks, the PM timer among them. */
	out->pm_timer_port = out->hw_reduced ? 0 : fadt_pm_timer(t, len);
	fadt_reset(out, t, len, flags);
}

/* --- MCFG (PCI Firmware Specification 3.3, 4.1.2) ------------------------ */

/* Entry: base address 0, segment 8, start bus 10, end bus 11. */
static void mcfg_entry(struct acpi_info *out, uint64_t pa, const uint8_t *e)
{
	struct acpi_mcfg m = {
		.base = rd64(e, 0), .segment = rd16(e, 8), .bus_start = e[10], .bus_end = e[11],
	};

	if (m.base == 0 || m.bus_end < m.bus_start) {
		log_warn("acpi: MCFG at 0x%llx: entry for segment %u rejected: bad base or bus range",
			 (unsigned long long)pa, m.segment);
		return;
	}
	if (out->mcfg_count == ACPI_MAX_MCFG) {
		log_warn("acpi: MCFG at 0x%llx: more than %u entries, segment %u ignored",
			 (unsigned long long)pa, ACPI_MAX_MCFG, m.segment);
		return;
	}
	out->mcfg[out->mcfg_count++] = m;
}

static void mcfg_load(struct acpi_info *out, const struct acpi_env *env, uint64_t pa)
{
	const uint8_t *t;
	uint32_t len, n, extra;

	if (out->have_mcfg) {
		log_warn("acpi: MCFG at 0x%llx ignored: an MCFG was already parsed",
			 (unsigned long long)pa);
		return;
	}
	t = sdt_load(out, env, pa, "MCFG", MCFG_ENTRIES_OFF, &len);
	if (!t)
		return;
	out->have_mcfg = true;
	n = (len - MCFG_ENTRIES_OFF) / MCFG_ENTRY_LEN;
	extra = (len - MCFG_ENTRIES_OFF) % MCFG_ENTRY_LEN;
	if (extra)
		log_warn("acpi: MCFG at 0x%llx: %u trailing bytes ignored",
			 (unsigned long long)pa, extra);
	for (uint32_t i = 0; i < n; i++)
		mcfg_entry(out, pa, t + MCFG_ENTRIES_OFF + i * MCFG_ENTRY_LEN);
}

/* --- root table (ACPI 6.5 5.2.7 RSDT, 5.2.8 XSDT) ------------------------ */

/* Look at a table's header and hand it to its parser. Only tables we use are
 * checksummed; others (SSDT, HPET, ...) are legitimately present and skipped. */
static void table_dispatch(struct acpi_info *out, const struct acpi_env *env, uint64_t pa)
{
	const uint8_t *h = map_range(env, pa, SDT_HDR_LEN);
	char sig[5];

	if (!h) {
		reject(out, "table", pa, "header outside memory");
		return;
	}
	sig_copy(sig, h);
	if (!sig_printable(h))
		reject(out, sig, pa, "garbage signature");
	else if (sig_is(h, "APIC", 4))
		madt_load(out, env, pa);
	else if (sig_is(h, "FACP", 4))
		fadt_load(out, env, pa);
	else if (sig_is(h, "MCFG", 4))
		mcfg_load(out, env, pa);
	else
		log_debug("acpi: %s at 0x%llx not used", sig, (unsigned long long)pa);
}

/* Validate the root table, then visit each entry: 8-byte addresses in the XSDT,
 * 4-byte in the RSDT. A trailing partial entry is ignored. Entries are re-mapped
 * one by one so the root mapping need not outlive the mapping of a child. */
static int root_walk(struct acpi_info *out, const struct acpi_env *env, uint64_t pa, bool xsdt)
{
	uint32_t esize = xsdt ? 8 : 4;
	uint32_t len, n;

	if (!sdt_load(out, env, pa, xsdt ? "XSDT" : "RSDT", SDT_HDR_LEN, &len))
		return -1;
	n = (len - SDT_HDR_LEN) / esize;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = map_range(env, pa + SDT_HDR_LEN + i * esize, esize);
		uint64_t child;

		if (!e)
			return 0; /* was mapped a moment ago; nothing sane left to do */
		child = xsdt ? rd64(e, 0) : rd32(e, 0);
		if (child)
			table_dispatch(out, env, child);
	}
	return 0;
}

/* --- RSDP (ACPI 6.5 5.2.5.3) -------------------------------------------- */

struct rsdp_view {
	uint8_t revision;
	uint32_t rsdt;
	uint64_t xsdt;
};

/* The revision >= 2 part: Length at 20, XsdtAddress at 24, Extended Checksum
 * over Length bytes. Returns the XSDT address, or 0 if the part is unusable
 * (the ACPI 1.0 part was already verified, so the RSDT remains usable). */
static uint64_t rsdp_xsdt(struct acpi_info *out, const struct acpi_env *env, uint64_t pa)
{
	const uint8_t *p = map_range(env, pa, RSDP_V2_LEN);
	const char *bad = NULL;
	uint32_t len = p ? rd32(p, 20) : 0;

	if (!p)
		bad = "extended part outside memory";
	else if (len < RSDP_V2_LEN)
		bad = "extended length too small";
	else if (len > RSDP_MAX_LEN)
		bad = "extended length too large";
	else if (!(p = map_range(env, pa, len)))
		bad = "extended length runs outside memory";
	else if (byte_sum(p, len) != 0)
		bad = "bad extended checksum";
	if (bad) {
		reject(out, "RSDP", pa, bad);
		return 0;
	}
	return rd64(p, 24);
}

/* Signature "RSD PTR " at 0, checksum over 20 bytes, revision at 15, RSDT
 * address at 16. */
static bool rsdp_read(struct acpi_info *out, const struct acpi_env *env, uint64_t pa,
		      struct rsdp_view *v)
{
	const uint8_t *p = map_range(env, pa, RSDP_V1_LEN);

	if (!p) {
		reject(out, "RSDP", pa, "outside memory");
		return false;
	}
	if (!sig_is(p, "RSD PTR ", 8)) {
		reject(out, "RSDP", pa, "bad signature");
		return false;
	}
	if (byte_sum(p, RSDP_V1_LEN) != 0) {
		reject(out, "RSDP", pa, "bad checksum");
		return false;
	}
	v->revision = p[15];
	v->rsdt = rd32(p, 16);
	v->xsdt = v->revision >= 2 ? rsdp_xsdt(out, env, pa) : 0;
	return true;
}

/* 5.2.5.3: OSPM uses the XSDT when there is one; the RSDT is the fallback. */
static int root_parse(struct acpi_info *out, const struct acpi_env *env, const struct rsdp_view *v)
{
	if (v->xsdt && root_walk(out, env, v->xsdt, true) == 0)
		return 0;
	if (!v->rsdt)
		return -1;
	if (v->revision >= 2)
		log_warn("acpi: no usable XSDT, falling back to RSDT at 0x%llx",
			 (unsigned long long)v->rsdt);
	return root_walk(out, env, v->rsdt, false);
}

static void log_summary(const struct acpi_info *out)
{
	log_info("acpi: rev %u, %u cpus (%u disabled), %u ioapics, pm timer 0x%x, %u mcfg, "
		 "%u rejected",
		 out->revision, out->cpu_count, out->cpus_disabled, out->ioapic_count,
		 out->pm_timer_port, out->mcfg_count, out->tables_rejected);
}

int acpi_parse(struct acpi_info *out, uint64_t rsdp_pa, const struct acpi_env *env)
{
	struct rsdp_view v;

	*out = (struct acpi_info){ 0 };
	if (!env || !env->map || rsdp_pa == 0 || !rsdp_read(out, env, rsdp_pa, &v)) {
		log_err("acpi: no usable RSDP at 0x%llx", (unsigned long long)rsdp_pa);
		return -1;
	}
	out->revision = v.revision;
	if (root_parse(out, env, &v) != 0) {
		log_err("acpi: no usable XSDT or RSDT (RSDP at 0x%llx)", (unsigned long long)rsdp_pa);
		return -1;
	}
	log_summary(out);
	return 0;
}
