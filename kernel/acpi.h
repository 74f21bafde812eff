/*
 * ACPI table discovery (ACPI 6.5 chapter 5): RSDP -> XSDT (RSDT fallback) ->
 * MADT, FADT, MCFG. Every table is checked for signature, length and checksum
 * before a byte of it is used; a malformed table is logged (log_warn, naming
 * the table and the defect) and skipped, never trusted and never a crash.
 *
 * Pure module: memory is reached through acpi_env.map so the host unit tests
 * feed it synthetic and corrupt tables.
 */
#ifndef KERNEL_ACPI_H
#define KERNEL_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_MAX_CPUS    256
#define ACPI_MAX_IOAPICS 16
#define ACPI_MAX_MCFG    8
#define ACPI_MAX_ISO     16

struct acpi_env {
	/* Pointer to `len` readable bytes at physical `pa`, or NULL if that range
	 * cannot be read (outside memory). */
	const void *(*map)(void *ctx, uint64_t pa, uint64_t len);
	void *ctx;
};

/* ACPI 6.5 5.2.3.2 Generic Address Structure */
struct acpi_gas {
	uint8_t space_id;   /* 0 = memory, 1 = I/O port */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
};

struct acpi_cpu {
	uint32_t apic_id;
	uint32_t uid;
	bool from_x2apic_entry; /* MADT type 9 rather than type 0 */
};

struct acpi_ioapic {
	uint32_t id;
	uint64_t address;
	uint32_t gsi_base;
};

struct acpi_iso {          /* MADT type 2 interrupt source override */
	uint8_t bus, source;
	uint32_t gsi;
	uint16_t flags;
};

struct acpi_mcfg {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

struct acpi_info {
	uint32_t revision;         /* RSDP revision: 0 = ACPI 1.0, >= 2 has XSDT */
	bool have_madt, have_fadt, have_mcfg;

	/* MADT: only processors flagged enabled (or online capable) are listed; each
	 * APIC ID appears once even if both a type 0 and a type 9 entry name it. */
	uint64_t lapic_base;
	uint32_t cpu_count;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	uint32_t cpus_disabled;    /* entries skipped because not enabled */
	uint32_t ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	uint32_t iso_count;
	struct acpi_iso isos[ACPI_MAX_ISO];
	bool pcat_compat;          /* MADT flags bit 0: 8259 pair present */

	/* FADT */
	uint32_t pm_timer_port;    /* 0 if none                     */
	bool pm_timer_32bit;       /* FADT flag TMR_VAL_EXT         */
	bool hw_reduced;
	bool have_reset_reg;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t boot_flags;       /* IA-PC boot architecture flags */

	/* MCFG */
	uint32_t mcfg_count;
	struct acpi_mcfg mcfg[ACPI_MAX_MCFG];

	uint32_t tables_rejected;  /* tables that failed validation */
};

/* Parse everything reachable from the RSDP at rsdp_pa. Returns 0 when the RSDP
 * and root table were valid (individual bad tables are skipped and counted),
 * -1 when there is no usable RSDP or root table (logged). */
int acpi_parse(struct acpi_info *out, uint64_t rsdp_pa, const struct acpi_env *env);

#endif
