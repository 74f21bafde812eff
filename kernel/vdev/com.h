/*
 * A guest's COM1: the 16550A model (uart_model.c) on ports 0x3f8-0x3ff, its
 * output line-buffered onto the shared console as
 * "tessera: guest NAME: TEXT". Interrupts (IRQ 4) reach the guest once the
 * virtual interrupt controllers are wired; until then guests poll.
 */
#ifndef VDEV_COM_H
#define VDEV_COM_H

#include <kernel/guest.h>
#include <kernel/spinlock.h>

#include "uart_model.h"

#define COM1_PORT 0x3f8
#define COM_LINE_MAX 160

#define COM_READY_MAX 4 /* lines one access can finish (an OUT of 4 newlines) */

struct com_port {
	struct uart_model uart;
	struct spinlock lock;        /* the guest's vCPUs may race on it */
	struct guest *guest;         /* its name prefixes the lines; its budget pays */
	char line[COM_LINE_MAX];
	unsigned line_len;
	char ready[COM_READY_MAX][COM_LINE_MAX]; /* finished, not yet logged */
	unsigned ready_count;
	uint64_t bytes_out;
};

int com_attach(struct guest *g, struct com_port *c, uint16_t base);
/* Write out a partial line (when the guest stops or restarts). */
void com_flush(struct com_port *c);
/* Back to power-on state (partition restart). */
void com_reset(struct com_port *c);

#endif
