/* PC16550D UART device model: see uart_model.h for the modelling choices.
 * Register semantics follow the National Semiconductor PC16550D datasheet
 * (section 8, "Registers"). */
#include "uart_model.h"

#include <stddef.h>

/* Modem inputs of a port with a terminal attached: CTS, DSR and DCD. */
#define EXT_MODEM_INPUTS (UARTM_MSR_CTS | UARTM_MSR_DSR | UARTM_MSR_DCD)

static bool fifo_on(const struct uart_model *u)
{
	return u->fcr & UARTM_FCR_ENABLE;
}

static unsigned rx_capacity(const struct uart_model *u)
{
	return fifo_on(u) ? UART_FIFO : 1;
}

/* FCR bits 7:6: the receiver FIFO trigger level (1 in 16450 mode). */
static unsigned rx_trigger(const struct uart_model *u)
{
	static const uint8_t level[4] = { 1, 4, 8, 14 };

	return fifo_on(u) ? level[(u->fcr & UARTM_FCR_TRIG) >> 6] : 1;
}

static bool loopback(const struct uart_model *u)
{
	return u->mcr & UARTM_MCR_LOOP;
}

/* MSR bits 7:4. In loopback the inputs are wired to the MCR outputs:
 * CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2. */
static uint8_t modem_inputs(const struct uart_model *u)
{
	uint8_t m = u->mcr, v = 0;

	if (!loopback(u))
		return u->msr_ext;
	if (m & UARTM_MCR_RTS)
		v |= UARTM_MSR_CTS;
	if (m & UARTM_MCR_DTR)
		v |= UARTM_MSR_DSR;
	if (m & UARTM_MCR_OUT1)
		v |= UARTM_MSR_RI;
	if (m & UARTM_MCR_OUT2)
		v |= UARTM_MSR_DCD;
	return v;
}

/* IIR bits 3:0: the highest-priority interrupt that is pending and enabled. */
static uint8_t iir_source(const struct uart_model *u)
{
	if ((u->ier & UARTM_IER_RLS) && u->lsr_err)
		return UARTM_IIR_RLS;
	if ((u->ier & UARTM_IER_RDA) && u->rx_count)
		return u->rx_count >= rx_trigger(u) ? UARTM_IIR_RDA : UARTM_IIR_TIMEOUT;
	if ((u->ier & UARTM_IER_THRE) && u->thre_pending)
		return UARTM_IIR_THRE;
	if ((u->ier & UARTM_IER_MS) && u->msr_delta)
		return UARTM_IIR_MSR;
	return UARTM_IIR_NONE;
}

/* Recompute the interrupt output (PC wiring: gated by OUT2, disconnected in
 * loopback) and report a change of level. */
static void update_irq(struct uart_model *u)
{
	bool level = iir_source(u) != UARTM_IIR_NONE && (u->mcr & UARTM_MCR_OUT2) && !loopback(u);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->ops.irq)
		u->ops.irq(u->ops.ctx, level);
}

static bool rx_push(struct uart_model *u, uint8_t byte)
{
	if (u->rx_count >= rx_capacity(u))
		return false;
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO] = byte;
	u->rx_count++;
	return true;
}

static void rx_clear(struct uart_model *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static void set_mcr(struct uart_model *u, uint8_t value)
{
	uint8_t before = modem_inputs(u), after, changed;

	u->mcr = value & 0x1f; /* bits 7:5 are always 0 */
	after = modem_inputs(u);
	changed = before ^ after;
	if (changed & UARTM_MSR_CTS)
		u->msr_delta |= UARTM_MSR_DCTS;
	if (changed & UARTM_MSR_DSR)
		u->msr_delta |= UARTM_MSR_DDSR;
	if ((before & UARTM_MSR_RI) && !(after & UARTM_MSR_RI))
		u->msr_delta |= UARTM_MSR_TERI; /* trailing edge only */
	if (changed & UARTM_MSR_DCD)
		u->msr_delta |= UARTM_MSR_DDCD;
}

static void write_fcr(struct uart_model *u, uint8_t value)
{
	bool enable = value & UARTM_FCR_ENABLE;

	/* Switching between FIFO and 16450 mode clears the FIFOs. */
	if (enable != fifo_on(u))
		rx_clear(u);
	if (!enable) {
		/* FCR0 = 0: the other bits are not programmed. */
		u->fcr = 0;
		return;
	}
	u->fcr = value & (UARTM_FCR_ENABLE | UARTM_FCR_DMA | UARTM_FCR_TRIG);
	if (value & UARTM_FCR_CLEAR_RX)
		rx_clear(u);
	/* UARTM_FCR_CLEAR_TX: the transmitter FIFO is always empty here. */
}

static void write_thr(struct uart_model *u, uint8_t byte)
{
	/* Writing THR clears the THR-empty interrupt... */
	u->thre_pending = false;
	update_irq(u);
	if (loopback(u)) {
		/* Transmitter output wired to the receiver input. */
		if (!rx_push(u, byte)) {
			if (!fifo_on(u))
				u->rx[u->rx_head] = byte; /* 16450: overwrites RBR */
			/* FIFO mode: the character stays in the shift register. */
			u->lsr_err |= UARTM_LSR_OE;
		}
	} else if (u->ops.tx) {
		u->ops.tx(u->ops.ctx, byte);
	}
	/* ...and the byte left at once, so THR (and the shifter) are empty again. */
	u->thre_pending = true;
}

static void power_on(struct uart_model *u)
{
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->scr = 0;
	u->dll = 0x0c;
	u->dlm = 0;
	u->fcr = 0;
	u->lsr_err = 0;
	u->msr_delta = 0;
	u->msr_ext = EXT_MODEM_INPUTS;
	u->rbr = 0;
	for (unsigned i = 0; i < UART_FIFO; i++)
		u->rx[i] = 0;
	rx_clear(u);
	u->thre_pending = false;
}

void uart_model_init(struct uart_model *u, const struct uart_ops *ops)
{
	u->ops.tx = ops ? ops->tx : NULL;
	u->ops.irq = ops ? ops->irq : NULL;
	u->ops.ctx = ops ? ops->ctx : NULL;
	power_on(u);
	u->irq_level = false;
}

void uart_model_reset(struct uart_model *u)
{
	power_on(u);
	update_irq(u); /* nothing is pending: drops the line if it was up */
}

uint8_t uart_model_read(struct uart_model *u, unsigned offset)
{
	uint8_t v;

	switch (offset) {
	case UARTM_RBR:
		if (u->lcr & UARTM_LCR_DLAB)
			return u->dll;
		if (u->rx_count) {
			u->rbr = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % UART_FIFO;
			u->rx_count--;
			update_irq(u);
		}
		return u->rbr;
	case UARTM_IER:
		return (u->lcr & UARTM_LCR_DLAB) ? u->dlm : u->ier;
	case UARTM_IIR:
		v = iir_source(u);
		if (v == UARTM_IIR_THRE) {
			/* Reading IIR clears THRE when it is the reported source. */
			u->thre_pending = false;
			update_irq(u);
		}
		return v | (fifo_on(u) ? UARTM_IIR_FIFO : 0);
	case UARTM_LCR:
		return u->lcr;
	case UARTM_MCR:
		return u->mcr;
	case UARTM_LSR:
		v = UARTM_LSR_THRE | UARTM_LSR_TEMT | u->lsr_err;
		if (u->rx_count)
			v |= UARTM_LSR_DR;
		u->lsr_err = 0; /* error bits clear on read */
		update_irq(u);
		return v;
	case UARTM_MSR:
		v = modem_inputs(u) | u->msr_delta;
		u->msr_delta = 0; /* delta bits clear on read */
		update_irq(u);
		return v;
	case UARTM_SCR:
		return u->scr;
	default:
		return 0xff;
	}
}

void uart_model_write(struct uart_model *u, unsigned offset, uint8_t value)
{
	switch (offset) {
	case UARTM_THR:
		if (u->lcr & UARTM_LCR_DLAB)
			u->dll = value;
		else
			write_thr(u, value);
		break;
	case UARTM_IER:
		if (u->lcr & UARTM_LCR_DLAB) {
			u->dlm = value;
			break;
		}
		/* Enabling THRE with THR empty raises it (as the silicon does). */
		if ((value & UARTM_IER_THRE) && !(u->ier & UARTM_IER_THRE))
			u->thre_pending = true;
		u->ier = value & 0x0f; /* bits 7:4 are always 0 */
		break;
	case UARTM_FCR:
		write_fcr(u, value);
		break;
	case UARTM_LCR:
		u->lcr = value;
		break;
	case UARTM_MCR:
		set_mcr(u, value);
		break;
	case UARTM_SCR:
		u->scr = value;
		break;
	default:
		/* LSR and MSR are read-only (writes are a factory test mode). */
		return;
	}
	update_irq(u);
}

unsigned uart_model_receive(struct uart_model *u, const uint8_t *bytes, unsigned len)
{
	unsigned n = 0;

	if (loopback(u))
		return 0; /* the receiver input is disconnected */
	while (n < len && rx_push(u, bytes[n]))
		n++;
	if (n)
		update_irq(u);
	return n;
}
