/* A pure device model of a National Semiconductor PC16550D UART (16550A
 * programming model), for a guest's COM port. No globals, no hardware, no
 * guest structures: the owner forwards the guest's byte accesses to
 * uart_model_read/uart_model_write (offset 0..7 from the base port, e.g.
 * 0x3f8), feeds console input with uart_model_receive, and receives output
 * bytes and interrupt-line changes through struct uart_ops.
 *
 * Modelling choices (documented departures from the silicon, all invisible to
 * a driver that follows the datasheet):
 *  - Transmission is instantaneous: a THR write calls ops.tx at once, so the
 *    transmitter FIFO is always empty and LSR THRE (bit 5) and TEMT (bit 6)
 *    always read 1. Writing THR still clears a pending THR-empty interrupt and
 *    the (immediately) emptied THR raises it again, so the line may drop and
 *    rise within one write (an edge, as on real hardware).
 *  - There is no time base, so the receiver's character-timeout indication
 *    (IIR 0x0C) is raised as soon as data is waiting below the FIFO trigger
 *    level, instead of after four character times of silence.
 *  - Console input is flow-controlled instead of lost: uart_model_receive
 *    accepts only what fits (16 bytes with FIFOs enabled, 1 in 16450 mode)
 *    and never sets overrun; the caller keeps the rest and retries after the
 *    guest has read. Overrun (LSR bit 1) is only produced in loopback, where
 *    the sender is the guest itself: in FIFO mode the extra byte is dropped,
 *    in 16450 mode it overwrites RBR (datasheet behaviour for both).
 *  - The modem inputs of a non-loopback port are fixed: CTS, DSR and DCD
 *    asserted, RI not (a terminal is attached), so MSR resets to 0xB0.
 *  - Receiver line errors other than overrun (parity, framing, break) never
 *    occur; the line speed (DLL/DLM) and format (LCR) are stored only.
 *  - The interrupt output is the PC wiring: asserted only when an interrupt
 *    is pending AND MCR OUT2 (bit 3) is set AND loopback is off (the
 *    datasheet forces the OUT pins inactive in loopback, which disconnects
 *    the PC's IRQ buffer).
 *
 * The callbacks must not call back into the same model. Register and bit
 * names carry a UARTM_ prefix so they do not clash with the host console
 * driver's UART_ names. */
#ifndef VDEV_UART_MODEL_H
#define VDEV_UART_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define UART_FIFO 16

/* Register offsets. */
#define UARTM_RBR 0 /* read, DLAB=0: receiver buffer */
#define UARTM_THR 0 /* write, DLAB=0: transmitter holding */
#define UARTM_DLL 0 /* DLAB=1: divisor latch, low byte */
#define UARTM_IER 1 /* DLAB=0: interrupt enable */
#define UARTM_DLM 1 /* DLAB=1: divisor latch, high byte */
#define UARTM_IIR 2 /* read: interrupt identification */
#define UARTM_FCR 2 /* write: FIFO control */
#define UARTM_LCR 3 /* line control */
#define UARTM_MCR 4 /* modem control */
#define UARTM_LSR 5 /* line status */
#define UARTM_MSR 6 /* modem status */
#define UARTM_SCR 7 /* scratch */

/* IER */
#define UARTM_IER_RDA  0x01 /* received data available (and timeout) */
#define UARTM_IER_THRE 0x02 /* transmitter holding register empty */
#define UARTM_IER_RLS  0x04 /* receiver line status */
#define UARTM_IER_MS   0x08 /* modem status */

/* IIR: bits 3:0 identify the source, bits 7:6 are 11 with FIFOs enabled. */
#define UARTM_IIR_NONE    0x01
#define UARTM_IIR_MSR     0x00
#define UARTM_IIR_THRE    0x02
#define UARTM_IIR_RDA     0x04
#define UARTM_IIR_RLS     0x06
#define UARTM_IIR_TIMEOUT 0x0c
#define UARTM_IIR_FIFO    0xc0

/* FCR */
#define UARTM_FCR_ENABLE   0x01
#define UARTM_FCR_CLEAR_RX 0x02
#define UARTM_FCR_CLEAR_TX 0x04
#define UARTM_FCR_DMA      0x08
#define UARTM_FCR_TRIG     0xc0 /* 00: 1, 01: 4, 10: 8, 11: 14 bytes */

/* LCR */
#define UARTM_LCR_DLAB 0x80

/* MCR */
#define UARTM_MCR_DTR  0x01
#define UARTM_MCR_RTS  0x02
#define UARTM_MCR_OUT1 0x04
#define UARTM_MCR_OUT2 0x08
#define UARTM_MCR_LOOP 0x10

/* LSR */
#define UARTM_LSR_DR   0x01
#define UARTM_LSR_OE   0x02
#define UARTM_LSR_THRE 0x20
#define UARTM_LSR_TEMT 0x40

/* MSR */
#define UARTM_MSR_DCTS 0x01
#define UARTM_MSR_DDSR 0x02
#define UARTM_MSR_TERI 0x04
#define UARTM_MSR_DDCD 0x08
#define UARTM_MSR_CTS  0x10
#define UARTM_MSR_DSR  0x20
#define UARTM_MSR_RI   0x40
#define UARTM_MSR_DCD  0x80

struct uart_ops {
	void (*tx)(void *ctx, uint8_t byte);  /* the guest wrote a byte (to the console) */
	void (*irq)(void *ctx, bool level);   /* the interrupt line changed (level-triggered output) */
	void *ctx;
};

struct uart_model {
	struct uart_ops ops;     /* copied at init; either callback may be NULL */
	uint8_t ier;             /* bits 3:0; bits 7:4 read 0 */
	uint8_t lcr;
	uint8_t mcr;             /* bits 4:0; bits 7:5 read 0 */
	uint8_t scr;
	uint8_t dll, dlm;
	uint8_t fcr;             /* programmed FIFO enable, DMA mode and trigger bits */
	uint8_t lsr_err;         /* sticky LSR error bits (OE), cleared by reading LSR */
	uint8_t msr_delta;       /* MSR bits 3:0, cleared by reading MSR */
	uint8_t msr_ext;         /* modem inputs when not in loopback (MSR bits 7:4) */
	uint8_t rbr;             /* last byte popped: read again when the FIFO is empty */
	uint8_t rx[UART_FIFO];   /* receiver FIFO (1 deep in 16450 mode) */
	uint8_t rx_head, rx_count;
	bool thre_pending;       /* THR-empty interrupt condition (before IER masking) */
	bool irq_level;          /* current level of the interrupt output */
};

/* Power-on reset state per the PC16550D datasheet's reset table: IER 0,
 * IIR 0x01, FCR 0, LCR 0, MCR 0, LSR 0x60, MSR 0xB0 (deltas 0, inputs as
 * above); SCR 0 and the divisor 0x000C (9600 baud from 1.8432 MHz), which the
 * datasheet leaves undefined. The interrupt line starts deasserted and irq()
 * is not called. */
void uart_model_init(struct uart_model *u, const struct uart_ops *ops);
/* Reset of a live model (partition reset): the power-on state above, keeping
 * the ops, and irq(false) if the line was asserted. */
void uart_model_reset(struct uart_model *u);
/* Register access: offset 0..7, size 1 (other sizes: the caller splits or ignores). */
uint8_t uart_model_read(struct uart_model *u, unsigned offset);
void uart_model_write(struct uart_model *u, unsigned offset, uint8_t value);
/* Input from the user: returns how many bytes were accepted (FIFO space; 1 if
 * FIFOs are disabled; 0 in loopback, where the receiver input is
 * disconnected). Excess bytes are not taken and overrun is not set. */
unsigned uart_model_receive(struct uart_model *u, const uint8_t *bytes, unsigned len);

#endif
