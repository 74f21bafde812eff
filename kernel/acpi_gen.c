/*
 * ACPI table generator for a partition's virtual platform. See acpi_gen.h.
 *
 * Section numbers are ACPI 6.5 unless said otherwise. All tables are
 * byte-packed little-endian, so everything is written byte by byte through a
 * bounded writer (no struct overlays, no unaligned stores, no libc).
 *
 * Two passes: the layout is computed first (the DSDT's AML is emitted once
 * into a counting writer to size it), checked against the buffer, and only
 * then written. A build that fails never touches the buffer.
 *
 * Buffer layout (each start 8-byte aligned, gaps zero):
 *   RSDP | XSDT | FADT | DSDT | MADT | MCFG (only with PCI)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi_gen.h"

/* 5.2.6 table 5.4: System Description Table header. */
#define HDR_LEN          36u
#define HDR_LENGTH_OFF   4u
#define HDR_CHECKSUM_OFF 9u

/* 5.2.5.3 table 5.3: RSDP (revision 2: ACPI 2.0+). */
#define RSDP_LEN          36u
#define RSDP_V1_LEN       20u
#define RSDP_CHECKSUM_OFF 8u
#define RSDP_EXT_SUM_OFF  32u
#define RSDP_REVISION     2u

/* Revisions of the tables we emit. */
#define XSDT_REVISION 1u  /* 5.2.8 table 5.8 */
#define FADT_REVISION 6u  /* 5.2.9 table 5.9: major version 6 ... */
#define FADT_MINOR    5u  /* ... and FADT Minor Version 5 (errata 0) */
#define DSDT_REVISION 2u  /* 5.2.11.1: revision >= 2 means 64-bit AML integers */
#define MADT_REVISION 6u  /* 5.2.12 table 5.19 (ACPI 6.5) */
#define MCFG_REVISION 1u  /* PCI Firmware 3.3 4.1.2 table 4-3 */

/* 5.2.9 table 5.9: FADT field offsets. */
#define FADT_LEN            276u
#define FADT_DSDT           40u
#define FADT_PM_PROFILE     45u
#define FADT_SCI_INT        46u
#define FADT_PM1A_EVT_BLK   56u
#define FADT_PM1A_CNT_BLK   64u
#define FADT_PM_TMR_BLK     76u
#define FADT_PM1_EVT_LEN    88u
#define FADT_PM1_CNT_LEN    89u
#define FADT_PM_TMR_LEN     91u
#define FADT_IAPC_BOOT_ARCH 109u
#define FADT_FLAGS          112u
#define FADT_RESET_REG      116u
#define FADT_RESET_VALUE    128u
#define FADT_MINOR_VERSION  131u
#define FADT_X_DSDT         140u
#define FADT_X_PM1A_EVT_BLK 148u
#define FADT_X_PM1A_CNT_BLK 172u
#define FADT_X_PM_TMR_BLK   208u
#define FADT_SLEEP_CONTROL  244u
#define FADT_SLEEP_STATUS   256u
#define FADT_HYPERVISOR_ID  268u

/* 5.2.9 table 5.10: fixed feature flags. On a hardware-reduced platform OSPM
 * ignores bits 1..10 (5.2.9), but Linux still reads RESET_REG_SUP before using
 * RESET_REG, so it is set whenever a reset register exists. */
#define FADT_F_WBINVD        (1u << 0)  /* must be set (table 5.10) */
#define FADT_F_PWR_BUTTON    (1u << 4)  /* no fixed power button */
#define FADT_F_SLP_BUTTON    (1u << 5)  /* no fixed sleep button */
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_F_HW_REDUCED    (1u << 20)

/*
 * 5.2.9.3 table 5.11: IA-PC Boot Architecture Flags.
 *   bit 0 LEGACY_DEVICES clear: the only legacy device (COM1) is in the DSDT.
 *   bit 1 8042 clear: no keyboard controller is emulated.
 *   bit 2 VGA Not Present set: no VGA is emulated.
 *   bit 3 MSI Not Supported clear: vCPUs have local APICs, so MSI delivery
 *         works; setting it would stop Linux using MSI for future devices.
 *   bit 4 PCIe ASPM Controls set: there is no link power to manage, so OSPM
 *         must leave ASPM alone.
 *   bit 5 CMOS RTC Not Present: set unless the platform has the CMOS RTC
 *         at ports 0x70/0x71 (params.rtc_cmos); this keeps a guest without
 *         one from poking them.
 */
#define BOOT_ARCH_VGA_NOT_PRESENT (1u << 2)
#define BOOT_ARCH_PCIE_ASPM       (1u << 4)
#define BOOT_ARCH_NO_CMOS_RTC     (1u << 5)
#define FADT_BOOT_ARCH (BOOT_ARCH_VGA_NOT_PRESENT | BOOT_ARCH_PCIE_ASPM)

/* 5.2.3.2 table 5.1: Generic Address Structure. */
#define GAS_SPACE_IO     1u
#define GAS_ACCESS_BYTE  1u
#define GAS_ACCESS_WORD  2u
#define GAS_ACCESS_DWORD 3u
/* 4.8.3.1/4.8.3.3 table 4.12: PM1 event block 4 bytes (status + enable,
 * accessed as two words), PM1 control 2 bytes, PM timer 4 bytes. */
#define PM1_EVT_LEN 4u
#define PM1_CNT_LEN 2u
#define PM_TMR_LEN  4u

/* 5.2.12: MADT. Local Interrupt Controller Address at 36, Flags at 40
 * (PCAT_COMPAT, bit 0, left clear: no 8259 pair), entries from 44. */
#define MADT_HDR_LEN       44u
#define MADT_LAPIC_LEN     8u   /* 5.2.12.2 table 5.22 */
#define MADT_IOAPIC_LEN    12u  /* 5.2.12.3 table 5.24 */
#define MADT_X2APIC_LEN    16u  /* 5.2.12.12 table 5.39 */
#define MADT_TYPE_LAPIC    0u
#define MADT_TYPE_IOAPIC   1u
#define MADT_TYPE_X2APIC   9u
#define MADT_CPU_ENABLED   (1u << 0) /* table 5.23 */

/* PCI Firmware 3.3 4.1.2 table 4-3: 8 reserved bytes, then 16-byte entries. */
#define MCFG_LEN (HDR_LEN + 8u + 16u)

/* 20.2: AML opcodes and prefixes used by the DSDT. */
#define AML_ONE_OP     0x01u
#define AML_NAME_OP    0x08u
#define AML_BYTE_PFX   0x0Au
#define AML_DWORD_PFX  0x0Cu
#define AML_SCOPE_OP   0x10u
#define AML_BUFFER_OP  0x11u
#define AML_PACKAGE_OP 0x12u
#define AML_ROOT_CHAR  0x5Cu
#define AML_EXT_PFX    0x5Bu
#define AML_DEVICE_OP  0x82u    /* after AML_EXT_PFX */

/* 6.4.2: small resource descriptors for COM1's _CRS. */
#define COM1_PORT 0x3F8u
#define COM1_IRQ  4u

/* The OEM identity shared by every table (5.2.6). */
static const char OEM_ID[6] = { 'T', 'E', 'S', 'S', 'R', 'A' };
static const char OEM_TABLE_ID[8] = { 'T', 'E', 'S', 'S', 'E', 'R', 'A', ' ' };
static const char CREATOR_ID[4] = { 'T', 'S', 'R', 'A' };
#define OEM_REVISION     1u
#define CREATOR_REVISION 1u

/* --- bounded byte writer --------------------------------------------------- */

/* With buf == NULL the writer only counts (sizing pass). Every store is
 * bounded by size; a store past it sets overflow instead of writing. */
struct wr {
	uint8_t *buf;
	size_t size;
	size_t off;
	bool overflow;
};

static void put8(struct wr *w, uint32_t v)
{
	if (w->buf) {
		if (w->off >= w->size) {
			w->overflow = true;
			return;
		}
		w->buf[w->off] = (uint8_t)v;
	}
	w->off++;
}

static void put16(struct wr *w, uint32_t v)
{
	put8(w, v & 0xff);
	put8(w, (v >> 8) & 0xff);
}

static void put32(struct wr *w, uint32_t v)
{
	put16(w, v & 0xffff);
	put16(w, v >> 16);
}

static void put64(struct wr *w, uint64_t v)
{
	put32(w, (uint32_t)v);
	put32(w, (uint32_t)(v >> 32));
}

static void put_bytes(struct wr *w, const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		put8(w, (uint8_t)s[i]);
}

static void put_zeros(struct wr *w, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		put8(w, 0);
}

/* Overwrite at an absolute offset (lengths and checksums fixed up later). */
static void poke8(struct wr *w, size_t at, uint32_t v)
{
	if (!w->buf)
		return;
	if (at >= w->size) {
		w->overflow = true;
		return;
	}
	w->buf[at] = (uint8_t)v;
}

static void poke32(struct wr *w, size_t at, uint32_t v)
{
	for (uint32_t i = 0; i < 4; i++)
		poke8(w, at + i, (v >> (8 * i)) & 0xff);
}

/* 5.2.6 / 5.2.5.3: set the checksum byte so that [start, start+len) sums to 0. */
static void fix_checksum(struct wr *w, size_t start, uint32_t len, size_t csum_at)
{
	uint8_t sum = 0;

	if (!w->buf || start + len > w->size) {
		if (w->buf)
			w->overflow = true;
		return;
	}
	w->buf[csum_at] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + w->buf[start + i]);
	w->buf[csum_at] = (uint8_t)(0x100u - sum);
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Zero-fill up to the next table start. */
static void pad_to(struct wr *w, size_t at)
{
	while (w->off < at && !w->overflow)
		put8(w, 0);
}

/* --- common table header (5.2.6 table 5.4) -------------------------------- */

/* Header with Length and Checksum left zero; table_end fills them in. */
static size_t table_begin(struct wr *w, const char sig[4], uint32_t revision)
{
	size_t start = w->off;

	put_bytes(w, sig, 4);
	put32(w, 0);                 /* Length, patched by table_end */
	put8(w, revision);
	put8(w, 0);                  /* Checksum, patched by table_end */
	put_bytes(w, OEM_ID, 6);
	put_bytes(w, OEM_TABLE_ID, 8);
	put32(w, OEM_REVISION);
	put_bytes(w, CREATOR_ID, 4);
	put32(w, CREATOR_REVISION);
	return start;
}

static void table_end(struct wr *w, size_t start)
{
	uint32_t len = (uint32_t)(w->off - start);

	poke32(w, start + HDR_LENGTH_OFF, len);
	fix_checksum(w, start, len, start + HDR_CHECKSUM_OFF);
}

/* 5.2.3.2 Generic Address Structure in I/O space; port 0 = not present (all
 * zero, which 5.2.9 defines as "not supported"). */
static void put_gas_io(struct wr *w, uint16_t port, uint32_t bits, uint32_t access)
{
	if (!port) {
		put_zeros(w, 12);
		return;
	}
	put8(w, GAS_SPACE_IO);
	put8(w, bits);
	put8(w, 0);                  /* Register Bit Offset */
	put8(w, access);
	put64(w, port);
}

/* --- layout ----------------------------------------------------------------- */

struct layout {
	size_t rsdp, xsdt, fadt, dsdt, madt, mcfg, end;
	uint32_t xsdt_entries;
	uint64_t gpa;
};

static uint64_t gpa_of(const struct layout *l, size_t off)
{
	return l->gpa + off;
}

/* --- DSDT AML (chapter 20; 19.6 for the ASL it corresponds to) ------------ */

/* 20.2.4 PkgLength: the encoded value counts itself plus `content` bytes.
 * One byte holds up to 63; otherwise bits 7:6 of the lead byte give the number
 * of following bytes (1..3), its bits 3:0 the low nibble, and each following
 * byte the next 8 bits. */
static uint32_t pkglen_size(uint32_t content)
{
	if (content + 1 <= 0x3F)
		return 1;
	if (content + 2 <= 0xFFF)
		return 2;
	if (content + 3 <= 0xFFFFF)
		return 3;
	return 4;
}

static void put_pkglen(struct wr *w, uint32_t content)
{
	uint32_t n = pkglen_size(content);
	uint32_t total = content + n;

	if (n == 1) {
		put8(w, total);
		return;
	}
	put8(w, ((n - 1) << 6) | (total & 0x0F));
	for (uint32_t i = 1; i < n; i++)
		put8(w, (total >> (4 + 8 * (i - 1))) & 0xFF);
}

/* 19.6.35 EISAID: three letters compressed to 5 bits each ('A' = 1) in a
 * big-endian 16-bit word, then four hex digits as a big-endian 16-bit word;
 * emitted as a DWordConst whose bytes are in that order. "PNP0501" is
 * 0C 41 D0 05 01. */
static uint32_t hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return (uint32_t)(c - '0');
	return (uint32_t)(c - 'A' + 10);
}

static void put_eisaid(struct wr *w, const char id[7])
{
	uint32_t vendor = ((uint32_t)(id[0] - 0x40) << 10) | ((uint32_t)(id[1] - 0x40) << 5) |
			  (uint32_t)(id[2] - 0x40);
	uint32_t product = hex_digit(id[3]) << 12 | hex_digit(id[4]) << 8 |
			   hex_digit(id[5]) << 4 | hex_digit(id[6]);

	put8(w, AML_DWORD_PFX);
	put8(w, vendor >> 8);
	put8(w, vendor & 0xFF);
	put8(w, product >> 8);
	put8(w, product & 0xFF);
}

/* Name(_CRS, ResourceTemplate() { IO(Decode16, 0x3F8, 0x3F8, 1, 8)
 *                                 IRQNoFlags() {4} }) */
static void put_com1_crs(struct wr *w)
{
	static const uint32_t res_len = 8 + 3 + 2;

	put8(w, AML_NAME_OP);
	put_bytes(w, "_CRS", 4);
	put8(w, AML_BUFFER_OP);
	put_pkglen(w, 2 + res_len);          /* BufferSize (ByteConst) + bytes */
	put8(w, AML_BYTE_PFX);
	put8(w, res_len);
	/* 6.4.2.5 I/O Port Descriptor: tag 0x47, Information bit 0 = 16-bit
	 * decode, min base, max base, alignment, length. */
	put8(w, 0x47);
	put8(w, 0x01);
	put16(w, COM1_PORT);
	put16(w, COM1_PORT);
	put8(w, 1);
	put8(w, 8);
	/* 6.4.2.1 IRQ Descriptor without the flags byte: tag 0x22 (length 2),
	 * 16-bit mask of IRQs. */
	put8(w, 0x22);
	put16(w, 1u << COM1_IRQ);
	/* 6.4.2.9 End Tag: 0x79, checksum 0 = "treat as correct". */
	put8(w, 0x79);
	put8(w, 0x00);
}

/* Body of Device(COM1): _HID, _UID, _CRS. */
static void put_com1_body(struct wr *w)
{
	put8(w, AML_NAME_OP);
	put_bytes(w, "_HID", 4);
	put_eisaid(w, "PNP0501");            /* 16550A-compatible COM port */
	put8(w, AML_NAME_OP);
	put_bytes(w, "_UID", 4);
	put8(w, AML_ONE_OP);
	put_com1_crs(w);
}

/* Length a piece of AML will take, by emitting it into a counting writer. */
static uint32_t aml_size(void (*emit)(struct wr *, const struct acpi_gen_params *),
			 const struct acpi_gen_params *p)
{
	struct wr c = { 0 };

	emit(&c, p);
	return (uint32_t)c.off;
}

static void put_com1_body_p(struct wr *w, const struct acpi_gen_params *p)
{
	(void)p;
	put_com1_body(w);
}

/* Device(COM1) { ... } : ExtOpPrefix DeviceOp PkgLength NameSeg TermList. */
static void put_com1_device(struct wr *w, const struct acpi_gen_params *p)
{
	put8(w, AML_EXT_PFX);
	put8(w, AML_DEVICE_OP);
	put_pkglen(w, 4 + aml_size(put_com1_body_p, p));
	put_bytes(w, "COM1", 4);
	put_com1_body(w);
}

static void put_sb_body(struct wr *w, const struct acpi_gen_params *p)
{
	if (p->uart_com1)
		put_com1_device(w, p);
}

/* Scope(\_SB) { ... } : ScopeOp PkgLength NameString("\_SB_") TermList. */
static void put_sb_scope(struct wr *w, const struct acpi_gen_params *p)
{
	put8(w, AML_SCOPE_OP);
	put_pkglen(w, 5 + aml_size(put_sb_body, p));
	put8(w, AML_ROOT_CHAR);
	put_bytes(w, "_SB_", 4);
	put_sb_body(w, p);
}

/* Name(_S5, Package() { 5, 5 }) at the root (7.4.2 \_Sx): SLP_TYPa and
 * SLP_TYPb. Only SLP_TYPa matters on hardware-reduced platforms; see
 * ACPI_GEN_SLEEP_CTL_S5 for the byte the guest then writes. */
static void put_s5(struct wr *w)
{
	put8(w, AML_NAME_OP);
	put_bytes(w, "_S5_", 4);
	put8(w, AML_PACKAGE_OP);
	put_pkglen(w, 1 + 2 + 2);            /* NumElements + two ByteConsts */
	put8(w, 2);
	put8(w, AML_BYTE_PFX);
	put8(w, ACPI_GEN_S5_SLP_TYP);
	put8(w, AML_BYTE_PFX);
	put8(w, ACPI_GEN_S5_SLP_TYP);
}

static bool have_sleep_regs(const struct acpi_gen_params *p)
{
	return p->sleep_control_port && p->sleep_status_port;
}

/* 5.2.11.1: the DSDT is a header followed by the AML of the DefinitionBlock. */
static void put_dsdt(struct wr *w, const struct acpi_gen_params *p)
{
	size_t start = table_begin(w, "DSDT", DSDT_REVISION);

	put_sb_scope(w, p);
	if (have_sleep_regs(p))
		put_s5(w);
	table_end(w, start);
}

/* --- RSDP, XSDT ------------------------------------------------------------ */

/* 5.2.5.3 table 5.3. The RSDT address is 0: a revision-2 RSDP points OSPM at
 * the XSDT, which 5.2.8 says it uses in preference. */
static void put_rsdp(struct wr *w, const struct layout *l)
{
	size_t start = w->off;

	put_bytes(w, "RSD PTR ", 8);
	put8(w, 0);                          /* Checksum (first 20 bytes) */
	put_bytes(w, OEM_ID, 6);
	put8(w, RSDP_REVISION);
	put32(w, 0);                         /* RsdtAddress */
	put32(w, RSDP_LEN);                  /* Length */
	put64(w, gpa_of(l, l->xsdt));        /* XsdtAddress */
	put8(w, 0);                          /* Extended Checksum */
	put_zeros(w, 3);                     /* Reserved */
	fix_checksum(w, start, RSDP_V1_LEN, start + RSDP_CHECKSUM_OFF);
	fix_checksum(w, start, RSDP_LEN, start + RSDP_EXT_SUM_OFF);
}

/* 5.2.8 table 5.8: 64-bit pointers to every other table except the DSDT,
 * which the FADT points to. */
static void put_xsdt(struct wr *w, const struct acpi_gen_params *p, const struct layout *l)
{
	size_t start = table_begin(w, "XSDT", XSDT_REVISION);

	put64(w, gpa_of(l, l->fadt));
	put64(w, gpa_of(l, l->madt));
	if (p->have_pci)
		put64(w, gpa_of(l, l->mcfg));
	table_end(w, start);
}

/* --- FADT (5.2.9 table 5.9) ------------------------------------------------ */

static uint32_t fadt_flags(const struct acpi_gen_params *p)
{
	uint32_t f = FADT_F_WBINVD | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON | FADT_F_HW_REDUCED;

	if (p->reset_port)
		f |= FADT_F_RESET_REG_SUP;
	return f;
}

/* Fields are written in order; put_zeros covers the ranges left zero:
 * FACS absent (FIRMWARE_CTRL/X_FIRMWARE_CTRL 0, allowed when HW_REDUCED_ACPI,
 * 5.2.10), SCI_INT 0, no SMI_CMD, no PM1b/PM2/GPE blocks, no C-states. The PM
 * blocks are fixed hardware that hardware-reduced OSPM ignores (5.2.9); they
 * are still filled in when a port is given because Linux reads X_PM_TMR_BLK
 * for its clocksource regardless. */
static void put_fadt(struct wr *w, const struct acpi_gen_params *p, const struct layout *l)
{
	size_t start = table_begin(w, "FACP", FADT_REVISION);
	uint64_t dsdt = gpa_of(l, l->dsdt);

	put32(w, 0);                                      /* 36 FIRMWARE_CTRL */
	put32(w, dsdt <= 0xFFFFFFFFu ? (uint32_t)dsdt : 0); /* 40 DSDT */
	put8(w, 0);                                       /* 44 reserved */
	put8(w, 0);                                       /* 45 Preferred_PM_Profile: unspecified */
	put16(w, 0);                                      /* 46 SCI_INT: none */
	put_zeros(w, 4 + 4);                              /* 48 SMI_CMD .. PSTATE_CNT */
	put32(w, p->pm1a_evt_port);                       /* 56 PM1a_EVT_BLK */
	put32(w, 0);                                      /* 60 PM1b_EVT_BLK */
	put32(w, p->pm1a_cnt_port);                       /* 64 PM1a_CNT_BLK */
	put_zeros(w, 4 + 4);                              /* 68 PM1b_CNT_BLK, PM2_CNT_BLK */
	put32(w, p->pm_tmr_port);                         /* 76 PM_TMR_BLK */
	put_zeros(w, 4 + 4);                              /* 80 GPE0_BLK, GPE1_BLK */
	put8(w, p->pm1a_evt_port ? PM1_EVT_LEN : 0);      /* 88 PM1_EVT_LEN */
	put8(w, p->pm1a_cnt_port ? PM1_CNT_LEN : 0);      /* 89 PM1_CNT_LEN */
	put8(w, 0);                                       /* 90 PM2_CNT_LEN */
	put8(w, p->pm_tmr_port ? PM_TMR_LEN : 0);         /* 91 PM_TMR_LEN */
	put_zeros(w, 4);                                  /* 92 GPE0/1_BLK_LEN, GPE1_BASE, CST_CNT */
	put_zeros(w, 2 + 2 + 2 + 2);                      /* 96 P_LVL2/3_LAT, FLUSH_SIZE/STRIDE */
	put_zeros(w, 5);                                  /* 104 DUTY_*, DAY/MON_ALRM, CENTURY */
	put16(w, FADT_BOOT_ARCH | (p->rtc_cmos ? 0 : BOOT_ARCH_NO_CMOS_RTC)); /* 109 IAPC_BOOT_ARCH */
	put8(w, 0);                                       /* 111 reserved */
	put32(w, fadt_flags(p));                          /* 112 Flags */
	put_gas_io(w, p->reset_port, 8, GAS_ACCESS_BYTE); /* 116 RESET_REG */
	put8(w, p->reset_port ? p->reset_value : 0);      /* 128 RESET_VALUE */
	put16(w, 0);                                      /* 129 ARM_BOOT_ARCH */
	put8(w, FADT_MINOR);                              /* 131 FADT Minor Version */
	put64(w, 0);                                      /* 132 X_FIRMWARE_CTRL */
	put64(w, dsdt);                                   /* 140 X_DSDT */
	put_gas_io(w, p->pm1a_evt_port, PM1_EVT_LEN * 8, GAS_ACCESS_WORD); /* 148 X_PM1a_EVT_BLK */
	put_zeros(w, 12);                                 /* 160 X_PM1b_EVT_BLK */
	put_gas_io(w, p->pm1a_cnt_port, PM1_CNT_LEN * 8, GAS_ACCESS_WORD); /* 172 X_PM1a_CNT_BLK */
	put_zeros(w, 12 + 12);                            /* 184 X_PM1b_CNT_BLK, X_PM2_CNT_BLK */
	put_gas_io(w, p->pm_tmr_port, PM_TMR_LEN * 8, GAS_ACCESS_DWORD);   /* 208 X_PM_TMR_BLK */
	put_zeros(w, 12 + 12);                            /* 220 X_GPE0_BLK, X_GPE1_BLK */
	/* 244/256: 4.8.3.7 sleep control/status registers are 8 bits wide. */
	put_gas_io(w, p->sleep_control_port, 8, GAS_ACCESS_BYTE); /* 244 SLEEP_CONTROL_REG */
	put_gas_io(w, p->sleep_status_port, 8, GAS_ACCESS_BYTE);  /* 256 SLEEP_STATUS_REG */
	put64(w, ACPI_GEN_HYPERVISOR_ID);                 /* 268 Hypervisor Vendor Identity */
	table_end(w, start);
}

/* --- MADT (5.2.12) ----------------------------------------------------------- */

static uint32_t madt_len(const struct acpi_gen_params *p)
{
	uint32_t per_cpu = MADT_LAPIC_LEN + (p->x2apic_entries ? MADT_X2APIC_LEN : 0);

	return MADT_HDR_LEN + p->vcpu_count * per_cpu + MADT_IOAPIC_LEN;
}

/*
 * Type 0 (Processor Local APIC) for every vCPU, enabled, UID = APIC ID = i.
 * With x2apic_entries also type 9 for the same IDs. 5.2.12.12 says IDs below
 * 255 belong in type 0 entries; the duplicates are for guests that look only
 * at type 9, and OSPM (Linux, the acpi.c parser) keeps one CPU per APIC ID.
 * Then one type 1 I/O APIC. No type 2 overrides: there is no 8259/PIT.
 */
static void put_madt(struct wr *w, const struct acpi_gen_params *p)
{
	size_t start = table_begin(w, "APIC", MADT_REVISION);

	put32(w, (uint32_t)p->lapic_base);   /* 36 Local Interrupt Controller Address */
	put32(w, 0);                         /* 40 Flags: PCAT_COMPAT clear */
	for (uint32_t i = 0; i < p->vcpu_count; i++) {
		put8(w, MADT_TYPE_LAPIC);
		put8(w, MADT_LAPIC_LEN);
		put8(w, i);                  /* ACPI Processor UID */
		put8(w, i);                  /* APIC ID */
		put32(w, MADT_CPU_ENABLED);
	}
	if (p->x2apic_entries) {
		for (uint32_t i = 0; i < p->vcpu_count; i++) {
			put8(w, MADT_TYPE_X2APIC);
			put8(w, MADT_X2APIC_LEN);
			put16(w, 0);         /* reserved */
			put32(w, i);         /* X2APIC ID */
			put32(w, MADT_CPU_ENABLED);
			put32(w, i);         /* ACPI Processor UID */
		}
	}
	put8(w, MADT_TYPE_IOAPIC);
	put8(w, MADT_IOAPIC_LEN);
	put8(w, p->ioapic_id);
	put8(w, 0);                          /* reserved */
	put32(w, (uint32_t)p->ioapic_base);
	put32(w, p->ioapic_gsi_base);
	table_end(w, start);
}

/* --- MCFG (PCI Firmware 3.3 4.1.2) ---------------------------------------- */

static void put_mcfg(struct wr *w, const struct acpi_gen_params *p)
{
	size_t start = table_begin(w, "MCFG", MCFG_REVISION);

	put64(w, 0);                         /* reserved */
	put64(w, p->mcfg_base);              /* ECAM base of bus 0 */
	put16(w, 0);                         /* PCI Segment Group */
	put8(w, 0);                          /* Start Bus */
	put8(w, p->pci_bus_end);             /* End Bus */
	put32(w, 0);                         /* reserved */
	table_end(w, start);
}

/* --- driver ---------------------------------------------------------------- */

static bool params_valid(const struct acpi_gen_params *p, uint64_t gpa)
{
	if (p->vcpu_count == 0 || p->vcpu_count > ACPI_GEN_MAX_VCPUS)
		return false;
	/* MADT type 0/1 carry 32-bit addresses and an 8-bit I/O APIC ID. */
	if (p->lapic_base == 0 || p->lapic_base > 0xFFFFFFFFu)
		return false;
	if (p->ioapic_base == 0 || p->ioapic_base > 0xFFFFFFFFu || p->ioapic_id > 0xFF)
		return false;
	/* ECAM gives each bus 1 MiB starting at the base of bus 0. */
	if (p->have_pci && (p->mcfg_base == 0 || (p->mcfg_base & 0xFFFFFu) != 0))
		return false;
	/* 4.8.3.7: sleeping needs both registers; one alone is a mistake. */
	if (!p->sleep_control_port != !p->sleep_status_port)
		return false;
	/* 5.2.5.1: the RSDP sits on a 16-byte boundary. */
	return (gpa & 0xF) == 0;
}

static size_t plan(struct layout *l, const struct acpi_gen_params *p, uint64_t gpa)
{
	struct wr c = { 0 };

	l->gpa = gpa;
	l->xsdt_entries = p->have_pci ? 3 : 2;
	l->rsdp = 0;
	l->xsdt = align_up(l->rsdp + RSDP_LEN, 8);
	l->fadt = align_up(l->xsdt + HDR_LEN + 8 * l->xsdt_entries, 8);
	l->dsdt = align_up(l->fadt + FADT_LEN, 8);
	put_dsdt(&c, p);
	l->madt = align_up(l->dsdt + c.off, 8);
	l->mcfg = align_up(l->madt + madt_len(p), 8);
	l->end = p->have_pci ? l->mcfg + MCFG_LEN : l->mcfg;
	return l->end;
}

int acpi_gen_build(const struct acpi_gen_params *p, void *buf, size_t buf_size, uint64_t gpa,
		   uint64_t *rsdp_gpa)
{
	struct layout l;
	struct wr w;
	size_t need;

	if (!p || !buf || !rsdp_gpa || !params_valid(p, gpa))
		return -1;
	need = plan(&l, p, gpa);
	if (need > buf_size || gpa + need < gpa)
		return -1;

	w = (struct wr){ .buf = buf, .size = need };
	put_rsdp(&w, &l);
	pad_to(&w, l.xsdt);
	put_xsdt(&w, p, &l);
	pad_to(&w, l.fadt);
	put_fadt(&w, p, &l);
	pad_to(&w, l.dsdt);
	put_dsdt(&w, p);
	pad_to(&w, l.madt);
	put_madt(&w, p);
	if (p->have_pci) {
		pad_to(&w, l.mcfg);
		put_mcfg(&w, p);
	}
	/* The sizing pass and the writing pass must agree exactly. */
	if (w.overflow || w.off != need)
		return -1;
	*rsdp_gpa = gpa_of(&l, l.rsdp);
	return (int)need;
}
