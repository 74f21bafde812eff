#include "pci.h"

#include <arch/cpu.h>

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc

#define PCI_COMMAND      0x04
#define PCI_CMD_MASTER   0x0004
#define PCI_HEADER_TYPE  0x0e
#define PCI_SECONDARY_BUS 0x19

static uint32_t cfg_addr(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	return 0x80000000u | (bus << 16) | (dev << 11) | (fn << 8) | (off & 0xfc);
}

uint32_t pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	outl(PCI_ADDR, cfg_addr(bus, dev, fn, off));
	return inl(PCI_DATA);
}

void pci_write16(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint16_t v)
{
	outl(PCI_ADDR, cfg_addr(bus, dev, fn, off));
	outw(PCI_DATA + (off & 2), v);
}

static unsigned stop_bus(unsigned bus, unsigned depth);

static unsigned stop_function(unsigned bus, unsigned dev, unsigned fn, unsigned depth)
{
	unsigned stopped = 0;
	uint16_t cmd = pci_read32(bus, dev, fn, PCI_COMMAND) & 0xffff;
	if (cmd & PCI_CMD_MASTER) {
		pci_write16(bus, dev, fn, PCI_COMMAND, cmd & ~PCI_CMD_MASTER);
		stopped++;
	}
	uint8_t type = (pci_read32(bus, dev, fn, PCI_HEADER_TYPE) >> 16) & 0x7f;
	if (type == 1) { /* PCI-to-PCI bridge: go behind it */
		unsigned secondary = (pci_read32(bus, dev, fn, 0x18) >> 8) & 0xff;
		if (secondary > bus)
			stopped += stop_bus(secondary, depth + 1);
	}
	return stopped;
}

/* Depth is bounded: a misprogrammed bridge must not send us round in circles. */
static unsigned stop_bus(unsigned bus, unsigned depth)
{
	unsigned stopped = 0;
	if (depth > 16)
		return 0;
	for (unsigned dev = 0; dev < 32; dev++) {
		uint32_t id = pci_read32(bus, dev, 0, 0);
		if ((id & 0xffff) == 0xffff)
			continue;
		bool multi = (pci_read32(bus, dev, 0, PCI_HEADER_TYPE) >> 16) & 0x80;
		for (unsigned fn = 0; fn < (multi ? 8u : 1u); fn++) {
			if ((pci_read32(bus, dev, fn, 0) & 0xffff) != 0xffff)
				stopped += stop_function(bus, dev, fn, depth);
		}
	}
	return stopped;
}

unsigned pci_stop_bus_mastering(void) { return stop_bus(0, 0); }
