/*
 * ACPI table GENERATOR for a partition's virtual platform (the counterpart of
 * the host-table parser in acpi.h). Lays out RSDP, XSDT, FADT (+ DSDT), MADT
 * and, with PCI, MCFG in one buffer that the guest will see at a given
 * guest-physical address. Facts from ACPI 6.5 chapters 5, 6 and 20 and the PCI
 * Firmware Specification 3.3 (MCFG).
 *
 * The platform described is "hardware-reduced ACPI" (ACPI 6.5 4.1): no SCI, no
 * fixed-hardware PM1 event/control blocks needed, no 8259 PIC, no PIT interrupt. Power
 * off goes through the FADT sleep control register with the \_S5 SLP_TYP
 * below; reset through the FADT RESET_REG.
 *
 * Pure module: no libc, no globals, writes only inside the buffer it is given.
 */
#ifndef KERNEL_ACPI_GEN_H
#define KERNEL_ACPI_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_GEN_MAX_VCPUS 64

/* Upper bound of acpi_gen_build's output for any valid parameters (64 vCPUs
 * with x2APIC entries, PCI, UART, every port): a buffer this big always fits. */
#define ACPI_GEN_MAX_SIZE 4096u

/* The \_S5 package is Package(){5, 5}: SLP_TYPa = SLP_TYPb = 5. ACPI 6.5
 * 4.8.3.7: on a hardware-reduced platform OSPM powers off by writing
 * (SLP_TYP << 2) | SLP_EN (bit 5) as one byte to the sleep control register,
 * so the sleep-control device model recognises power-off as this byte. */
#define ACPI_GEN_S5_SLP_TYP     5u
#define ACPI_GEN_SLEEP_SLP_EN   (1u << 5)
#define ACPI_GEN_SLEEP_CTL_S5   ((ACPI_GEN_S5_SLP_TYP << 2) | ACPI_GEN_SLEEP_SLP_EN) /* 0x34 */

/* 8-byte FADT Hypervisor Vendor Identity (offset 268): the ASCII bytes
 * "TESSERA\0" in memory order, i.e. this UINT64 read little-endian. */
#define ACPI_GEN_HYPERVISOR_ID 0x0041524553534554ull

struct acpi_gen_params {
	uint32_t vcpu_count;          /* 1..ACPI_GEN_MAX_VCPUS; vCPU i has APIC ID i, ACPI UID i */
	bool x2apic_entries;          /* also emit MADT type 9 entries (x2APIC) for each vCPU */
	uint64_t lapic_base;          /* 0xfee00000; must be below 4 GiB */
	uint32_t ioapic_id;           /* 0..255 */
	uint64_t ioapic_base;         /* 0xfec00000; must be below 4 GiB */
	uint32_t ioapic_gsi_base;     /* 0 */
	bool have_pci;                /* emit MCFG for segment 0, bus 0..pci_bus_end */
	uint64_t mcfg_base;           /* ECAM base of bus 0: nonzero, 1 MiB aligned */
	uint8_t pci_bus_end;
	uint16_t pm1a_evt_port, pm1a_cnt_port, pm_tmr_port; /* 0 = absent */
	/* Hardware-reduced sleep registers (FADT SLEEP_CONTROL_REG /
	 * SLEEP_STATUS_REG, I/O space, 8 bits). Both or neither (0 = absent);
	 * when both are given the DSDT carries \_S5 so power-off works. */
	uint16_t sleep_control_port, sleep_status_port;
	uint16_t reset_port;          /* FADT RESET_REG in I/O space (0xcf9); 0 = none */
	uint8_t reset_value;          /* 0x06 */
	bool uart_com1;               /* DSDT describes a 16550 at 0x3f8 IRQ 4 (PNP0501) */
	bool rtc_cmos;                /* a CMOS RTC at 0x70/0x71 (FADT boot flag bit 5 clear) */
};

/*
 * Lay out RSDP, XSDT, FADT (+ DSDT), MADT, MCFG (if have_pci) into buf, which
 * the guest sees at guest-physical address gpa (must be 16-byte aligned);
 * buf_size bytes available. All pointers inside the tables are guest-physical
 * (gpa + offset); every checksum is correct; the RSDP is at offset 0 and every
 * table starts 8-byte aligned, padding is zero.
 *
 * Returns the number of bytes used (> 0), or -1 if the tables do not fit or
 * the parameters are invalid; on -1 nothing at all is written to buf.
 * *rsdp_gpa gets the RSDP's guest-physical address (16-byte aligned).
 */
int acpi_gen_build(const struct acpi_gen_params *p, void *buf, size_t buf_size, uint64_t gpa,
		   uint64_t *rsdp_gpa);

#endif
