/* PCI configuration space through the legacy ports 0xCF8/0xCFC (PCI Local Bus
 * 3.0, 3.2.2.3.2, configuration mechanism #1). */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdint.h>

uint32_t pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned off);
void pci_write16(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint16_t v);

/* Clear Bus Master Enable on every function reachable from bus 0, so no device
 * left running by the firmware can DMA into memory we reuse. Returns the number
 * of functions that had it set. */
unsigned pci_stop_bus_mastering(void);

#endif
