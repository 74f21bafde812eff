/*
 * A partition's virtual PC platform: a local APIC per vCPU, one I/O APIC,
 * the PIT, the CMOS RTC, a PCI host bridge, the ACPI sleep registers, and the
 * wiring between them and the partition's COM1. The pure device models
 * (lapic_model.c, ioapic_model.c, pit_model.c, rtc_model.c,
 * pci_host_model.c, uart_model.c) know nothing of guests; this file routes
 * accesses to them, interrupts between them, and wake-ups to the physical
 * CPUs the vCPUs run on.
 *
 * Locking: one lock per platform covers every interrupt-controller model
 * (IPIs touch two local APICs at once). A COM port's lock may be held when
 * the platform lock is taken (its interrupt line), never the reverse.
 *
 * Guest-physical layout (docs/architecture.md, "Virtual platform"):
 *   0x000e0000  ACPI tables (RSDP first), inside an E820-reserved hole
 *   0xe0000000  PCI ECAM, bus 0 only (1 MiB), E820-reserved
 *   0xfec00000  I/O APIC
 *   0xfee00000  local APIC (xAPIC MMIO; x2APIC through MSRs)
 * Ports: 0x40-0x43 PIT, 0x61 port B, 0x70-0x71 RTC, 0xcf8-0xcff PCI,
 * 0x600/0x601 ACPI sleep control/status, 0x3f8 COM1 on IRQ 4.
 */
#ifndef VDEV_PLATFORM_H
#define VDEV_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/guest.h>
#include <kernel/spinlock.h>

#include "ioapic_model.h"
#include "lapic_model.h"
#include "pci_host_model.h"
#include "pit_model.h"
#include "rtc_model.h"

#define VPLAT_ACPI_GPA     0xe0000ull
#define VPLAT_ACPI_SIZE    0x10000ull
#define VPLAT_RESET_VECTOR 0xffff0ull
#define VPLAT_LOW_HOLE     0x9f000ull  /* [0x9f000, 1 MiB): reserved in the E820 map */
#define VPLAT_ECAM_BASE    0xe0000000ull
#define VPLAT_ECAM_SIZE    0x100000ull
#define VPLAT_IOAPIC_BASE  0xfec00000ull
#define VPLAT_LAPIC_BASE   0xfee00000ull
#define VPLAT_SLEEP_CTL    0x600
#define VPLAT_SLEEP_STS    0x601
#define VPLAT_RESET_PORT   0xcf9
#define VPLAT_RESET_VALUE  0x06
#define VPLAT_COM1_IRQ     4

struct com_port;
struct vcpu;

struct vplat;

struct vplat_cpu {
	struct vplat *plat;         /* back pointers for the model callbacks */
	unsigned index;
	struct lapic_model lapic;
	uint64_t timer_ns;          /* the local APIC's next expiry, 0 = none */
	bool nmi_pending;
	bool waiting_sipi;          /* in wait-for-SIPI: a SIPI starts it     */
	bool init_pending;          /* INIT arrived while it ran              */
	bool sipi_pending;
	uint8_t sipi_vector;
};

struct vplat {
	struct spinlock lock;
	struct guest *guest;
	struct com_port *com;       /* its IRQ goes to I/O APIC pin 4 */
	unsigned vcpu_count;
	uint64_t tsc_hz, lapic_hz;
	struct vplat_cpu cpu[GUEST_MAX_VCPUS];
	struct ioapic_model ioapic;
	struct pit_model pit;
	struct rtc_model rtc;
	struct pci_host_model pci;
	uint64_t epoch_at_ns0;      /* host wall clock (Unix time) at time_ns() 0 */
	uint64_t dropped_ipis;      /* IPIs addressed outside the partition */
	bool powered_off;
};

/* Build the models (vCPU 0 is the BSP), register their ports and MMIO in g,
 * and remember the COM port whose IRQ 4 it routes. 0 or -1 (logged). */
int vplat_attach(struct vplat *p, struct guest *g, unsigned vcpu_count, struct com_port *com,
		 uint64_t epoch_at_ns0);
/* Power-on state again (partition restart); the wiring stays. */
void vplat_reset(struct vplat *p);
/* Write what a PC's firmware leaves in memory: the ACPI tables describing
 * this platform at VPLAT_ACPI_GPA (*rsdp_gpa gets the RSDP), and a reset
 * vector at 0xffff0 that resets the partition, for kernels that reboot
 * by jumping there in real mode (Linux's last resort). 0 or -1. */
int vplat_write_firmware(struct vplat *p, uint64_t *rsdp_gpa);

/* For the vCPU loop (arch/x86/vcpu.c). All take the vCPU the caller runs. */
/* Local APIC MSRs (0x1b, 0x6e0, 0x800-0x8ff): 1 = not a platform MSR,
 * 0 = done, -1 = #GP. guest_tsc: the guest's TSC now (TSC deadline). */
int vplat_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *value, uint64_t guest_tsc);
/* Fire due timers; return the vector to inject now, or -1. NMIs first:
 * *nmi is set when the event is an NMI instead. */
int vplat_pending(struct vcpu *v, bool *nmi);
/* The caller injected it (vector, or the NMI). */
void vplat_ack(struct vcpu *v, int vector, bool nmi);
/* The earliest time (ns) something for this vCPU is due, 0 = none. */
uint64_t vplat_next_event(struct vcpu *v);
/* INIT arrived: the vCPU goes to wait-for-SIPI (its local APIC gets the
 * INIT state). Returns true once, when it did. */
bool vplat_take_init(struct vcpu *v);
/* Without consuming anything: is an INIT / a SIPI waiting? */
bool vplat_init_due(struct vcpu *v);
bool vplat_sipi_due(struct vcpu *v);
/* A SIPI for a vCPU in wait-for-SIPI: its vector, or -1. */
int vplat_take_sipi(struct vcpu *v);
/* The vCPU is about to wait in wait-for-SIPI (a secondary at start). */
void vplat_wait_sipi(struct vcpu *v);
/* I/O APIC input pin level (device models). */
void vplat_set_irq(struct vplat *p, unsigned pin, bool level);

/* The legacy devices' half (platform_devices.c). */
int vplat_devices_attach(struct vplat *p);
void vplat_devices_reset(struct vplat *p);
/* The local APIC timer's input clock: what CPUID 0x15 tells an Intel guest
 * (arch/x86/guest_arch.c), else 1 GHz. */
uint64_t vplat_lapic_hz(void);

#endif
