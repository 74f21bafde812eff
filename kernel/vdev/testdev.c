#include "testdev.h"

#include <kernel/string.h>

static int port_access(struct vcpu *v, void *ctx, uint16_t port, uint8_t size, bool in, uint32_t *value)
{
	struct testdev *d = ctx;
	(void)v;
	(void)size;
	d->accesses++;
	if (in)
		*value = d->port_value[port - TESTDEV_PORT];
	else
		d->port_value[port - TESTDEV_PORT] = *value;
	return 0;
}

static int mmio_access(struct vcpu *v, void *ctx, uint64_t gpa, uint8_t size, bool write, uint64_t *value)
{
	struct testdev *d = ctx;
	uint64_t off = gpa - TESTDEV_MMIO;
	(void)v;
	if (size > 8 || off + size > TESTDEV_MMIO_SIZE)
		return -1; /* straddles the end: a device would not answer either */
	d->accesses++;
	if (write) {
		memcpy(&d->mmio[off], value, size);
	} else {
		*value = 0;
		memcpy(value, &d->mmio[off], size);
	}
	return 0;
}

int testdev_attach(struct guest *g, struct testdev *d)
{
	memset(d, 0, sizeof *d);
	if (guest_io_register(g, TESTDEV_PORT, TESTDEV_PORTS, port_access, d))
		return -1;
	return guest_mmio_register(g, TESTDEV_MMIO, TESTDEV_MMIO_SIZE, mmio_access, d);
}
