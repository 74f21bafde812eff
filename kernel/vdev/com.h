/*
 * A guest's COM1: the 16550A model (uart_model.c) on ports 0x3f8-0x3ff, its
 * output line-buffered onto the shared console as
 * "tessera: guest NAME: TEXT". With a virtual platform its interrupt line
 * is I/O APIC pin 4; without one guests poll. Input typed for the guest
 * (console_mux.c) waits in a small ring until the UART's FIFO has room.
 */
#ifndef VDEV_COM_H
#define VDEV_COM_H

#include <kernel/guest.h>
#include <kernel/spinlock.h>

#include "uart_model.h"

#define COM1_PORT 0x3f8
#define COM_LINE_MAX 160

#define COM_READY_MAX 4 /* lines one access can finish (an OUT of 4 newlines) */
#define COM_INPUT_RING 256

struct vplat;

struct com_port {
	struct uart_model uart;
	struct spinlock lock;        /* the guest's vCPUs may race on it */
	struct guest *guest;         /* its name prefixes the lines; its budget pays */
	char line[COM_LINE_MAX];
	unsigned line_len;
	char ready[COM_READY_MAX][COM_LINE_MAX]; /* finished, not yet logged */
	unsigned ready_count;
	uint64_t bytes_out;
	uint64_t last_tx_ns;         /* when the guest last wrote a byte */
	struct vplat *plat;          /* interrupt line to its I/O APIC, or NULL */
	uint16_t own_port;           /* a physical UART of its own, or 0 (shared) */
	uint8_t input[COM_INPUT_RING];
	unsigned input_head, input_count;
};

int com_attach(struct guest *g, struct com_port *c, uint16_t base);
/* Write out a partial line (when the guest stops or restarts). */
void com_flush(struct com_port *c);
/* The same once the guest has written nothing for COM_IDLE_FLUSH_NS: a
 * prompt waiting for input shows, a line typed byte by byte does not. */
void com_flush_idle(struct com_port *c, uint64_t now_ns);
#define COM_IDLE_FLUSH_NS 200000000ull
/* Back to power-on state (partition restart). */
void com_reset(struct com_port *c);
/* Give the guest a physical UART of its own: its bytes go there as they
 * are, and input comes from there (console_mux_poll reads it). */
void com_bind(struct com_port *c, uint16_t port);
/* Bytes typed for this guest; those that do not fit are dropped. */
void com_input(struct com_port *c, const uint8_t *bytes, unsigned len);

#endif
