/* Virtual PCI bus 0 configuration space: see pci_host_model.h for the
 * modelling choices. Section numbers refer to the PCI Local Bus
 * Specification 3.0. */
#include "pci_host_model.h"

#include <stddef.h>

#define CLASS_BRIDGE 0x06 /* base class: bridge device */
#define SUBCLASS_HOST 0x00 /* subclass: host bridge */

/* All ones at an access size (a master abort). */
static uint64_t all_ones(unsigned size)
{
	return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

/* 1, 2 or 4 bytes, not crossing a dword boundary. */
static bool valid_access(unsigned reg, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && (reg & 3) + size <= 4;
}

static struct pci_host_func *find(struct pci_host_model *m, unsigned bus, unsigned devfn)
{
	for (unsigned i = 0; i < PCIHM_MAX_FUNCS; i++) {
		struct pci_host_func *f = &m->func[i];

		if (f->present && f->bus == bus && f->devfn == devfn)
			return f;
	}
	return NULL;
}

/* A configuration read (little-endian) of a valid access at reg (< 4096). */
static uint32_t cfg_read(struct pci_host_model *m, unsigned bus, unsigned devfn, unsigned reg,
			 unsigned size)
{
	const struct pci_host_func *f = find(m, bus, devfn);
	uint32_t v = 0;

	if (!f)
		return (uint32_t)all_ones(size);
	if (reg >= PCIHM_CFG_SIZE)
		return 0; /* extended space: no extended capabilities */
	for (unsigned i = size; i-- > 0;)
		v = v << 8 | f->cfg[reg + i];
	return v;
}

/* A configuration write: only the writable bits of each byte change. */
static void cfg_write(struct pci_host_model *m, unsigned bus, unsigned devfn, unsigned reg,
		      unsigned size, uint32_t v)
{
	struct pci_host_func *f = find(m, bus, devfn);

	if (!f || reg >= PCIHM_CFG_SIZE)
		return;
	for (unsigned i = 0; i < size; i++, v >>= 8) {
		uint8_t w = f->wmask[reg + i];

		f->cfg[reg + i] = (uint8_t)((f->cfg[reg + i] & ~w) | (v & w));
	}
}

/* ---- the host bridge's header (6.1, 6.2) ---- */

static void put8(struct pci_host_func *f, unsigned reg, uint8_t v, uint8_t wmask)
{
	f->cfg[reg] = v;
	f->wmask[reg] = wmask;
}

static void put16(struct pci_host_func *f, unsigned reg, uint16_t v, uint16_t wmask)
{
	put8(f, reg, (uint8_t)v, (uint8_t)wmask);
	put8(f, reg + 1, (uint8_t)(v >> 8), (uint8_t)(wmask >> 8));
}

/* Everything not set here reads 0 and is read-only: status, revision,
 * programming interface, cache line size, latency timer, header type 0x00,
 * BIST, the BARs, CardBus CIS, expansion ROM, capabilities pointer,
 * interrupt pin, Min_Gnt, Max_Lat and the device-specific registers. */
static void host_bridge(struct pci_host_func *f)
{
	for (unsigned i = 0; i < PCIHM_CFG_SIZE; i++)
		put8(f, i, 0, 0);
	f->present = true;
	f->bus = 0;
	f->devfn = 0;
	put16(f, PCIHM_VENDOR_ID, PCIHM_HOST_VENDOR, 0);
	put16(f, PCIHM_DEVICE_ID, PCIHM_HOST_DEVICE, 0);
	put16(f, PCIHM_COMMAND, PCIHM_HOST_COMMAND, PCIHM_HOST_COMMAND_WMASK);
	put8(f, PCIHM_CLASS_DEVICE, SUBCLASS_HOST, 0);
	put8(f, PCIHM_CLASS_DEVICE + 1, CLASS_BRIDGE, 0);
	put16(f, PCIHM_SUBSYS_VENDOR, PCIHM_HOST_SUBSYS_VENDOR, 0);
	put16(f, PCIHM_SUBSYS_ID, PCIHM_HOST_SUBSYS_DEVICE, 0);
	put8(f, PCIHM_INTERRUPT_LINE, 0, 0xff); /* scratch for the OS */
}

/* ---- public interface ---- */

void pci_host_model_init(struct pci_host_model *m)
{
	m->address = 0;
	for (unsigned i = 1; i < PCIHM_MAX_FUNCS; i++)
		m->func[i].present = false;
	host_bridge(&m->func[0]);
}

/* Refuse an access: reads return all ones, writes do nothing. */
static int refuse(unsigned size, bool write, uint32_t *value)
{
	if (!write)
		*value = (uint32_t)all_ones(size);
	return -1;
}

int pci_host_model_io(struct pci_host_model *m, unsigned port, unsigned size, bool write,
		      uint32_t *value)
{
	unsigned k = port - PCIHM_PORT_DATA, reg;

	if (port >= PCIHM_PORT_ADDRESS && port < PCIHM_PORT_DATA) {
		/* CONFIG_ADDRESS: only dword accesses at 0xCF8 (3.2.2.3.2). */
		if (port != PCIHM_PORT_ADDRESS || size != 4)
			return refuse(size, write, value);
		if (write)
			m->address = *value & PCIHM_ADDR_MASK;
		else
			*value = m->address;
		return 0;
	}
	if (port < PCIHM_PORT_DATA || k > 3 || !valid_access(k, size))
		return refuse(size, write, value);
	if (!(m->address & PCIHM_ADDR_ENABLE)) {
		refuse(size, write, value); /* no configuration cycle: nobody answers */
		return 0;
	}
	reg = (m->address & 0xfc) + k;
	if (write)
		cfg_write(m, (m->address >> 16) & 0xff, (m->address >> 8) & 0xff, reg, size, *value);
	else
		*value = cfg_read(m, (m->address >> 16) & 0xff, (m->address >> 8) & 0xff, reg, size);
	return 0;
}

int pci_host_model_ecam_access(struct pci_host_model *m, uint64_t offset, unsigned size,
			       bool write, uint64_t *value)
{
	unsigned bus = (unsigned)(offset >> 20) & 0xff, devfn = (unsigned)(offset >> 12) & 0xff;
	unsigned reg = (unsigned)offset & 0xfff;

	if (offset >= PCIHM_ECAM_SIZE || !valid_access(reg, size)) {
		if (!write)
			*value = all_ones(size);
		return -1;
	}
	if (write)
		cfg_write(m, bus, devfn, reg, size, (uint32_t)*value);
	else
		*value = cfg_read(m, bus, devfn, reg, size);
	return 0;
}
