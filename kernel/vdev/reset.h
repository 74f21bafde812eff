/* Reset sources a PC guest expects: the reset control register at 0xCF9
 * (a write with bit 2 set resets) and the keyboard controller's pulse-reset
 * command 0xFE written to port 0x64. Either resets the whole partition. */
#ifndef VDEV_RESET_H
#define VDEV_RESET_H

#include <kernel/guest.h>

int reset_attach(struct guest *g);

#endif
