/* The test device: a bank of registers that reflect what was written, on
 * ports and in MMIO, so payloads can check every access form end to end. */
#ifndef VDEV_TESTDEV_H
#define VDEV_TESTDEV_H

#include <kernel/guest.h>

#define TESTDEV_PORT      0x510    /* 8 ports */
#define TESTDEV_PORTS     8
#define TESTDEV_MMIO      0xfeb00000ull
#define TESTDEV_MMIO_SIZE 0x1000ull

struct testdev {
	uint32_t port_value[TESTDEV_PORTS];
	uint8_t mmio[TESTDEV_MMIO_SIZE];
	uint64_t accesses;
};

int testdev_attach(struct guest *g, struct testdev *d);

#endif
