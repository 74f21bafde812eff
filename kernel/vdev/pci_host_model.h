/* A pure device model of a virtual PCI bus 0's configuration space, which
 * today holds a single function: a host bridge at 00:00.0. No globals, no
 * hardware, no guest structures: the owner forwards the guest's port I/O to
 * 0xCF8-0xCFF (pci_host_model_io) and its accesses to the ECAM/MMCONFIG
 * window (pci_host_model_ecam_access, offset from the window's base, which
 * maps bus 0). References are to the PCI Local Bus Specification 3.0,
 * 3.2.2.3.2 "Software Generation of Configuration Transactions"
 * (Configuration Mechanism #1) and 6.1/6.2 (the configuration header), and
 * to the PCI Express Base Specification's "Enhanced Configuration Access
 * Mechanism" (ECAM).
 *
 * Configuration Mechanism #1:
 *  - CONFIG_ADDRESS (0xCF8) is claimed for 32-bit accesses only: a dword
 *    write latches it, a dword read returns it. Bits 30:24 and 1:0 are
 *    reserved, read-only 0 (3.2.2.3.2), so a read returns the last value
 *    written with those bits cleared (Linux's type 1 probe writes and reads
 *    back 0x80000000). Byte and word accesses to 0xCF8-0xCFB are not
 *    claimed (pci_host_model_io returns -1): they belong to other devices
 *    on the chipset (0xCF9 is the reset control register, byte writes to
 *    0xCFB probe for mechanism #2); the caller routes them or treats them as
 *    unassigned ports.
 *  - CONFIG_DATA (0xCFC-0xCFF): a 1, 2 or 4-byte access at 0xCFC + k
 *    reaches configuration offset (CONFIG_ADDRESS bits 7:2) * 4 + k, as a
 *    PCI cycle with those byte enables; it must not extend past 0xCFF (a
 *    dword at 0xCFD, a word at 0xCFF): such accesses, and sizes other than
 *    1, 2 and 4, are refused (-1, reads all ones). With the enable bit (31)
 *    clear, data-port reads return all ones and writes are dropped (the
 *    cycle goes to the bus as plain I/O and nobody answers). The AMD
 *    extension that puts register bits 11:8 in CONFIG_ADDRESS 27:24 is not
 *    implemented (those bits are reserved here), so only the first 256
 *    bytes of each function are reachable through 0xCFC.
 *
 * ECAM: offset = bus << 20 | device << 15 | function << 12 | register, 4 KiB
 * per function, 256 buses (a 256 MiB window). An access must be 1, 2 or 4
 * bytes and must not cross a dword boundary (the PCIe rule for
 * configuration requests); others, and offsets past 256 MiB, are refused
 * (-1, reads all ones). Offsets 0x100-0xFFF of a present function (the
 * PCIe extended space) read 0 (no extended capabilities) and ignore writes.
 *
 * Both mechanisms reach the same configuration images. A function that does
 * not exist (any bus but 0, any device/function not in the table) reads all
 * ones at the access size (a master abort) and ignores writes. Within a
 * function each byte has a writable mask: read-only bits ignore writes.
 *
 * The host bridge (type 0 header, 6.2): vendor PCIHM_HOST_VENDOR, device
 * PCIHM_HOST_DEVICE, revision 0, class 06/00/00 (host bridge), header type
 * 0x00 (single function), subsystem IDs PCIHM_HOST_SUBSYS_*, command reset
 * 0x0006 (memory space + bus master) with the I/O space, memory space and
 * bus master bits (2:0) writable, status 0 (no capabilities list, nothing
 * to report), cache line size, latency timer and BIST 0 and read-only, no
 * BARs (all six read 0 and ignore writes), no expansion ROM, capabilities
 * pointer 0, interrupt line writable (resets to 0), interrupt pin 0 (none),
 * device-specific registers 0x40-0xFF read 0.
 *
 * Names carry a PCIHM_ prefix so they do not clash with a host PCI driver. */
#ifndef VDEV_PCI_HOST_MODEL_H
#define VDEV_PCI_HOST_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define PCIHM_PORT_ADDRESS 0xcf8
#define PCIHM_PORT_DATA    0xcfc /* to 0xcff */
#define PCIHM_ADDR_ENABLE  0x80000000u
#define PCIHM_ADDR_MASK    0x80fffffcu /* bits stored in CONFIG_ADDRESS */

#define PCIHM_ECAM_SIZE    0x10000000ull /* buses 0-255 */

/* Host bridge identity (change here; Linux only checks the class). */
#define PCIHM_HOST_VENDOR        0x8086
#define PCIHM_HOST_DEVICE        0x29c0
#define PCIHM_HOST_SUBSYS_VENDOR 0x8086
#define PCIHM_HOST_SUBSYS_DEVICE 0x29c0
#define PCIHM_HOST_COMMAND       0x0006 /* memory space + bus master */
#define PCIHM_HOST_COMMAND_WMASK 0x0007 /* I/O, memory, bus master */

/* Configuration header offsets (PCI 3.0, 6.1) */
#define PCIHM_VENDOR_ID      0x00
#define PCIHM_DEVICE_ID      0x02
#define PCIHM_COMMAND        0x04
#define PCIHM_STATUS         0x06
#define PCIHM_REVISION       0x08
#define PCIHM_CLASS_PROG     0x09
#define PCIHM_CLASS_DEVICE   0x0a /* subclass, then base class */
#define PCIHM_HEADER_TYPE    0x0e
#define PCIHM_BAR0           0x10
#define PCIHM_SUBSYS_VENDOR  0x2c
#define PCIHM_SUBSYS_ID      0x2e
#define PCIHM_ROM_ADDRESS    0x30
#define PCIHM_CAP_PTR        0x34
#define PCIHM_INTERRUPT_LINE 0x3c
#define PCIHM_INTERRUPT_PIN  0x3d

#define PCIHM_CFG_SIZE  256 /* conventional space held per function */
#define PCIHM_MAX_FUNCS 8   /* table size; the host bridge uses one */

/* One function: where it sits and its configuration image. */
struct pci_host_func {
	bool present;
	uint8_t bus;
	uint8_t devfn;                  /* device << 3 | function */
	uint8_t cfg[PCIHM_CFG_SIZE];    /* current register contents */
	uint8_t wmask[PCIHM_CFG_SIZE];  /* 1 = writable bit */
};

struct pci_host_model {
	uint32_t address;               /* CONFIG_ADDRESS */
	struct pci_host_func func[PCIHM_MAX_FUNCS];
};

/* Power-on: CONFIG_ADDRESS 0, the host bridge at 00:00.0 in its reset
 * state, every other table entry absent. */
void pci_host_model_init(struct pci_host_model *m);
/* Port access at 0xCF8-0xCFF of `size` bytes (1, 2, 4). Returns 0 if the
 * model claims it (a read fills *value), -1 if not (see above; a read sets
 * *value to all ones at the access size, a write changes nothing). */
int pci_host_model_io(struct pci_host_model *m, unsigned port, unsigned size, bool write,
		      uint32_t *value);
/* ECAM access at `offset` from the window base. Returns 0, or -1 for a
 * refused access (*value all ones on a read, nothing written). */
int pci_host_model_ecam_access(struct pci_host_model *m, uint64_t offset, unsigned size,
			       bool write, uint64_t *value);

#endif
