// unit-modules: kernel/vdev/uart_model.c
/* The 16550A UART device model against the PC16550D datasheet and the
 * sequences Linux's 8250 driver uses. */
#include <stdbool.h>
#include <stdint.h>

#include "../../kernel/vdev/uart_model.h"
#include "unit.h"

struct rec {
	uint8_t tx[64];
	unsigned ntx;
	bool irq_log[64]; /* every level irq() was called with, in order */
	unsigned nirq;
};

static void rec_tx(void *ctx, uint8_t byte)
{
	struct rec *r = ctx;
	if (r->ntx < sizeof r->tx)
		r->tx[r->ntx] = byte;
	r->ntx++;
}

static void rec_irq(void *ctx, bool level)
{
	struct rec *r = ctx;
	if (r->nirq < sizeof r->irq_log / sizeof r->irq_log[0])
		r->irq_log[r->nirq] = level;
	r->nirq++;
}

static void setup(struct uart_model *u, struct rec *r)
{
	memset(r, 0, sizeof *r);
	struct uart_ops ops = { rec_tx, rec_irq, r };
	uart_model_init(u, &ops);
}

static uint8_t rd(struct uart_model *u, unsigned off) { return uart_model_read(u, off); }
static void wr(struct uart_model *u, unsigned off, uint8_t v) { uart_model_write(u, off, v); }

/* The current irq level as seen by the callback's history (false if never called). */
static bool line(const struct rec *r)
{
	return r->nirq ? r->irq_log[r->nirq - 1] : false;
}

/* irq() must only report changes: consecutive levels alternate, starting high. */
static bool irq_log_alternates(const struct rec *r)
{
	for (unsigned i = 0; i < r->nirq; i++)
		if (r->irq_log[i] != (i % 2 == 0))
			return false;
	return true;
}

static unsigned feed(struct uart_model *u, const char *s)
{
	return uart_model_receive(u, (const uint8_t *)s, (unsigned)strlen(s));
}

TEST(uart_reset_values)
{
	struct uart_model u;
	struct rec r;
	setup(&u, &r);
	CHECK_EQ(rd(&u, UARTM_RBR), 0);
	CHECK_EQ(rd(&u, UARTM_IER), 0);
	CHECK_EQ(rd(&u, UARTM_IIR), 0x01);
	CHECK_EQ(rd(&u, UARTM_LCR), 0);
	CHECK_EQ(rd(&u, UARTM_MCR), 0);
	CHECK_EQ(rd(&u, UARTM_LSR), 0x60);
	CHECK_EQ(rd(&u, UARTM_MSR), 0xb0);
	CHECK_EQ(rd(&u, UARTM_SCR), 0);
	wr(&u, UARTM_LCR, UARTM_LCR_DLAB);
	CHECK_EQ(rd(&u, UARTM_DLL), 0x0c);
	CHECK_EQ(rd(&u, UARTM_DLM), 0);
	CHECK_EQ(r.nirq, 0);
	CHECK_EQ(r.ntx, 0);
	CHECK_EQ(rd(&u, 8), 0xff); /* out of range: floating bus */
}

TEST(uart_divisor_latch)
{
	struct uart_model u;
	struct rec r;
	setup(&u, &r);
	wr(&u, UARTM_IER, 0x05);
	wr(&u, UARTM_LCR, 0x83); /* DLAB + 8 bits */
	wr(&u, UARTM_DLL, 0x01);
	wr(&u, UARTM_DLM, 0x02);
	CHECK_EQ(rd(&u, UARTM_DLL), 0x01);
	CHECK_EQ(rd(&u, UARTM_DLM), 0x02);
	CHECK_EQ(r.ntx, 0); /* DLL writes do not transmit */
	wr(&u, UARTM_LCR, 0x03);
	CHECK_EQ(rd(&u, UARTM_LCR), 0x03);
	CHECK_EQ(rd(&u, UARTM_IER), 0x05); /* IER untouched by the DLM write */
	wr(&u, UARTM_LCR, 0x83);
	CHECK_EQ(rd(&u, UARTM_DLL), 0x01);
	CHECK_EQ(rd(&u, UARTM_DLM), 0x02);
	/* LCR is fully readable, SCR is plain storage. */
	wr(&u, UARTM_LCR, 0x5b);
	CHECK_EQ(rd(&u, UARTM_LCR), 0x5b);
	wr(&u, UARTM_SCR, 0xa5);
	CHECK_EQ(rd(&u, UARTM_SCR), 0xa5);
}

TEST(uart_transmit)
{
	struct uart_model u;
	struct rec r;
	setup(&u, &r);
	wr(&u, UARTM_THR, 'h');
	wr(&u, UARTM_THR, 'i');
	CHECK_EQ(r.ntx, 2);
	CHECK_EQ(r.tx[0], 'h');
	CHECK_EQ(r.tx[1], 'i');
	CHECK_EQ(rd(&u, UARTM_LSR) & 0x60, 0x60); /* THRE and TEMT */
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE);
	for (int i = 0; i < 40; i++)
		wr(&u, UARTM_THR, (uint8_t)i);
	CHECK_EQ(r.ntx, 42);
	CHECK_EQ(r.tx[41], 39);
	CHECK_EQ(rd(&u, UARTM_LSR), 0x60);
	CHECK_EQ(rd(&u, UARTM_RBR), 0); /* nothing echoed back */
}

TEST(uart_receive_fifo)
{
	struct uart_model u;
	struct rec r;
	setup(&u, &r);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE);
	CHECK_EQ(rd(&u, UARTM_LSR) & UARTM_LSR_DR, 0);
	CHECK_EQ(feed(&u, "abc"), 3);
	CHECK_EQ(rd(&u, UARTM_LSR), 0x61);
	CHECK_EQ(rd(&u, UARTM_RBR), 'a');
	CHECK_EQ(rd(&u, UARTM_RBR), 'b');
	CHECK_EQ(rd(&u, UARTM_LSR) & UARTM_LSR_DR, 1);
	CHECK_EQ(rd(&u, UARTM_RBR), 'c');
	CHECK_EQ(rd(&u, UARTM_LSR), 0x60);
	/* Full: 16 accepted out of 20, the rest is left to the caller, no overrun. */
	CHECK_EQ(feed(&u, "0123456789ABCDEFGHIJ"), 16);
	CHECK_EQ(feed(&u, "x"), 0);
	CHECK_EQ(rd(&u, UARTM_LSR), 0x61);
	CHECK_EQ(rd(&u, UARTM_RBR), '0');
	CHECK_EQ(feed(&u, "GH"), 1); /* one slot freed */
	const char *want = "123456789ABCDEFG";
	for (unsigned i = 0; i < 16; i++)
		CHECK_EQ(rd(&u, UARTM_RBR), want[i]);
	CHECK_EQ(rd(&u, UARTM_LSR), 0x60);
	CHECK_EQ(rd(&u, UARTM_RBR), 'G'); /* empty: RBR keeps the last byte */
	CHECK_EQ(rd(&u, UARTM_LSR), 0x60);
}

TEST(uart_fifo_disabled_holding_register)
{
	struct uart_model u;
	struct rec r;
	setup(&u, &r);
	CHECK_EQ(rd(&u, UARTM_IIR), 0x01); /* bits 7:6 = 00 in 16450 mode */
	CHECK_EQ(feed(&u, "xy"), 1);
	CHECK_EQ(feed(&u, "y"), 0);
	CHECK_EQ(rd(&u, UARTM_LSR), 0x61);
	wr(&u, UARTM_IER, UARTM_IER_RDA);
	CHECK_EQ(rd(&u, UARTM_IIR), 0x04); /* never the timeout in 16450 mode */
	CHECK_EQ(rd(&u, UARTM_RBR), 'x');
	CHECK_EQ(rd(&u, UARTM_IIR), 0x01);
	CHECK_EQ(feed(&u, "y"), 1);
	CHECK_EQ(rd(&u, UARTM_RBR), 'y');
	/* FCR trigger bits are not programmed while FCR0 = 0. */
	wr(&u, UARTM_FCR, 0xc0);
	CHECK_EQ(rd(&u, UARTM_IIR), 0x01);
	CHECK_EQ(feed(&u, "z"), 1);
	CHECK_EQ(rd(&u, UARTM_IIR), 0x04);
}

TEST(uart_iir_fifo_bits)
{
	struct uart_model u;
	struct rec r;
	setup(&u, &r);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE);
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc1);
	wr(&u, UARTM_IER, UARTM_IER_THRE);
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc2);
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc1);
	wr(&u, UARTM_FCR, 0);
	CHECK_EQ(rd(&u, UARTM_IIR), 0x01);
	/* FCR is write-only: offset 2 with DLAB set still reads IIR. */
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE);
	wr(&u, UARTM_LCR, 0xbf);
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc1);
}

TEST(uart_fcr_clears)
{
	struct uart_model u;
	struct rec r;
	setup(&u, &r);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE);
	CHECK_EQ(feed(&u, "hello"), 5);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE | UARTM_FCR_CLEAR_TX);
	CHECK_EQ(rd(&u, UARTM_LSR), 0x61); /* TX clear leaves RX alone */
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE | UARTM_FCR_CLEAR_RX);
	CHECK_EQ(rd(&u, UARTM_LSR), 0x60);
	CHECK_EQ(feed(&u, "ab"), 2);
	CHECK_EQ(rd(&u, UARTM_RBR), 'a'); /* order intact after the clear */
	/* Leaving FIFO mode clears the FIFO; so does entering it. */
	wr(&u, UARTM_FCR, 0);
	CHECK_EQ(rd(&u, UARTM_LSR), 0x60);
	CHECK_EQ(feed(&u, "q"), 1);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE);
	CHECK_EQ(rd(&u, UARTM_LSR), 0x60);
	/* Re-writing FCR with FIFOs already on keeps the data. */
	CHECK_EQ(feed(&u, "r"), 1);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE | 0x80);
	CHECK_EQ(rd(&u, UARTM_RBR), 'r');
	/* Linux's serial8250_clear_fifos sequence. */
	CHECK_EQ(feed(&u, "s"), 1);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE | UARTM_FCR_CLEAR_RX | UARTM_FCR_CLEAR_TX);
	wr(&u, UARTM_FCR, 0);
	CHECK_EQ(rd(&u, UARTM_LSR), 0x60);
}

TEST(uart_trigger_levels_and_timeout)
{
	static const struct { uint8_t fcr; unsigned level; } t[] = {
		{ 0x01, 1 }, { 0x41, 4 }, { 0x81, 8 }, { 0xc1, 14 },
	};
	for (unsigned i = 0; i < 4; i++) {
		struct uart_model u;
		struct rec r;
		setup(&u, &r);
		wr(&u, UARTM_FCR, t[i].fcr);
		wr(&u, UARTM_IER, UARTM_IER_RDA);
		wr(&u, UARTM_MCR, UARTM_MCR_OUT2);
		CHECK_EQ(rd(&u, UARTM_IIR), 0xc1);
		CHECK(!line(&r));
		for (unsigned n = 1; n <= t[i].level; n++) {
			CHECK_EQ(uart_model_receive(&u, (const uint8_t *)"x", 1), 1);
			/* Below the trigger: timeout indication at once (no time base). */
			CHECK_EQ(rd(&u, UARTM_IIR), n < t[i].level ? 0xcc : 0xc4);
			CHECK(line(&r));
		}
		CHECK_EQ(r.nirq, 1); /* raised once, stayed up */
		/* Reading IIR does not clear it; reading below the trigger
		 * turns it back into a timeout, emptying clears it. */
		CHECK_EQ(rd(&u, UARTM_IIR), 0xc4);
		rd(&u, UARTM_RBR);
		CHECK_EQ(rd(&u, UARTM_IIR), t[i].level > 1 ? 0xcc : 0xc1);
		for (unsigned n = 1; n < t[i].level; n++)
			rd(&u, UARTM_RBR);
		CHECK_EQ(rd(&u, UARTM_IIR), 0xc1);
		CHECK(!line(&r));
		CHECK_EQ(r.nirq, 2);
	}
}

TEST(uart_thre_interrupt)
{
	struct uart_model u;
	struct rec r;
	setup(&u, &r);
	wr(&u, UARTM_MCR, UARTM_MCR_OUT2);
	CHECK_EQ(r.nirq, 0);
	wr(&u, UARTM_IER, UARTM_IER_THRE); /* 0 -> 1 with THR empty: raised */
	CHECK(line(&r));
	CHECK_EQ(rd(&u, UARTM_IIR), 0x02);
	CHECK(!line(&r)); /* cleared by the IIR read that reported it */
	CHECK_EQ(rd(&u, UARTM_IIR), 0x01);
	wr(&u, UARTM_IER, UARTM_IER_THRE); /* still 1: not re-raised */
	CHECK_EQ(rd(&u, UARTM_IIR), 0x01);
	wr(&u, UARTM_IER, 0);
	wr(&u, UARTM_IER, UARTM_IER_THRE); /* 0 -> 1 again: re-raised */
	CHECK(line(&r));
	/* A THR write clears it and the instantly-emptied THR raises it again:
	 * the line pulses (an edge for an edge-triggered controller). */
	unsigned before = r.nirq;
	wr(&u, UARTM_THR, 'a');
	CHECK_EQ(r.nirq, before + 2);
	CHECK(line(&r));
	CHECK_EQ(r.ntx, 1);
	CHECK_EQ(rd(&u, UARTM_IIR), 0x02);
	CHECK(!line(&r));
	/* Masked: THRE pending but not reported nor signalled. */
	wr(&u, UARTM_THR, 'b');
	wr(&u, UARTM_IER, 0);
	CHECK_EQ(rd(&u, UARTM_IIR), 0x01);
	CHECK(!line(&r));
	CHECK(irq_log_alternates(&r));
}

TEST(uart_iir_priorities)
{
	struct uart_model u;
	struct rec r;
	setup(&u, &r);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE);
	wr(&u, UARTM_MCR, UARTM_MCR_OUT2);
	/* Modem status: a delta from loopback on, then off. */
	wr(&u, UARTM_MCR, UARTM_MCR_LOOP | UARTM_MCR_OUT2);
	/* Line status: overrun from 17 looped-back bytes. */
	for (int i = 0; i < 17; i++)
		wr(&u, UARTM_THR, (uint8_t)('a' + i));
	wr(&u, UARTM_MCR, UARTM_MCR_OUT2);
	CHECK_EQ(r.ntx, 0);
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc1); /* nothing enabled */
	CHECK(!line(&r));
	wr(&u, UARTM_IER, 0x0f);
	CHECK(line(&r));
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc6); /* line status first */
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc6); /* not cleared by IIR */
	CHECK_EQ(rd(&u, UARTM_LSR), 0x63); /* OE + DR, cleared by the read */
	CHECK_EQ(rd(&u, UARTM_LSR), 0x61);
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc4); /* then received data (16 >= 1) */
	for (int i = 0; i < 16; i++)
		CHECK_EQ(rd(&u, UARTM_RBR), 'a' + i); /* the 17th was lost */
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc2); /* then THR empty */
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc0); /* then modem status */
	CHECK(line(&r));
	/* Loopback with only OUT2 dropped CTS and DSR, leaving raised them. */
	CHECK_EQ(rd(&u, UARTM_MSR) & 0x0f, UARTM_MSR_DCTS | UARTM_MSR_DDSR);
	CHECK_EQ(rd(&u, UARTM_MSR), 0xb0); /* deltas cleared on read */
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc1);
	CHECK(!line(&r));
	/* Timeout ranks with received data, above THRE. */
	wr(&u, UARTM_FCR, 0xc1);
	wr(&u, UARTM_IER, 0);
	wr(&u, UARTM_IER, 0x0f);
	CHECK_EQ(feed(&u, "k"), 1);
	CHECK_EQ(rd(&u, UARTM_IIR), 0xcc);
	CHECK_EQ(rd(&u, UARTM_IIR), 0xcc); /* THRE not cleared: not reported */
	rd(&u, UARTM_RBR);
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc2);
	CHECK(irq_log_alternates(&r));
}

TEST(uart_out2_gating_and_level_changes)
{
	struct uart_model u;
	struct rec r;
	setup(&u, &r);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE);
	wr(&u, UARTM_IER, UARTM_IER_RDA | UARTM_IER_THRE);
	CHECK_EQ(feed(&u, "a"), 1);
	CHECK_EQ(r.nirq, 0); /* pending, but OUT2 = 0 */
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc4);
	wr(&u, UARTM_MCR, UARTM_MCR_DTR | UARTM_MCR_RTS);
	CHECK_EQ(r.nirq, 0);
	wr(&u, UARTM_MCR, UARTM_MCR_DTR | UARTM_MCR_RTS | UARTM_MCR_OUT2);
	CHECK_EQ(r.nirq, 1);
	CHECK(line(&r));
	/* Accesses that leave something pending do not call irq(). */
	wr(&u, UARTM_SCR, 1);
	rd(&u, UARTM_LSR);
	rd(&u, UARTM_MSR);
	rd(&u, UARTM_IIR);
	wr(&u, UARTM_LCR, 3);
	CHECK_EQ(feed(&u, "b"), 1);
	CHECK_EQ(r.nirq, 1);
	rd(&u, UARTM_RBR);
	rd(&u, UARTM_RBR);
	CHECK_EQ(r.nirq, 1); /* THRE is still pending */
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc2);
	CHECK_EQ(r.nirq, 2);
	CHECK(!line(&r));
	wr(&u, UARTM_IER, UARTM_IER_RDA);
	CHECK_EQ(feed(&u, "c"), 1);
	CHECK_EQ(r.nirq, 3);
	wr(&u, UARTM_MCR, UARTM_MCR_DTR); /* OUT2 off drops the line */
	CHECK_EQ(r.nirq, 4);
	CHECK(!line(&r));
	wr(&u, UARTM_MCR, UARTM_MCR_OUT2);
	CHECK_EQ(r.nirq, 5);
	/* Loopback disconnects the output even with OUT2 set. */
	wr(&u, UARTM_MCR, UARTM_MCR_OUT2 | UARTM_MCR_LOOP);
	CHECK(!line(&r));
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc4); /* still pending inside */
	wr(&u, UARTM_MCR, UARTM_MCR_OUT2);
	CHECK(line(&r));
	CHECK(irq_log_alternates(&r));
	/* A reset drops a raised line. */
	uart_model_reset(&u);
	CHECK(!line(&r));
	CHECK_EQ(rd(&u, UARTM_LSR), 0x60);
	CHECK_EQ(rd(&u, UARTM_MCR), 0);
	CHECK(irq_log_alternates(&r));
}

TEST(uart_loopback)
{
	struct uart_model u;
	struct rec r;
	setup(&u, &r);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE);
	wr(&u, UARTM_MCR, UARTM_MCR_LOOP);
	CHECK_EQ(rd(&u, UARTM_MSR) & 0xf0, 0x00);
	wr(&u, UARTM_THR, 0x55);
	wr(&u, UARTM_THR, 0xaa);
	CHECK_EQ(r.ntx, 0); /* nothing reaches the console */
	CHECK_EQ(rd(&u, UARTM_LSR), 0x61);
	CHECK_EQ(rd(&u, UARTM_RBR), 0x55);
	CHECK_EQ(rd(&u, UARTM_RBR), 0xaa);
	CHECK_EQ(feed(&u, "z"), 0); /* receiver input disconnected */
	/* MSR follows MCR: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2. */
	rd(&u, UARTM_MSR);
	static const struct { uint8_t mcr, msr; } m[] = {
		{ UARTM_MCR_RTS, 0x10 }, { UARTM_MCR_DTR, 0x20 },
		{ UARTM_MCR_OUT1, 0x40 }, { UARTM_MCR_OUT2, 0x80 },
		{ 0x0f, 0xf0 },
	};
	for (unsigned i = 0; i < 5; i++) {
		wr(&u, UARTM_MCR, UARTM_MCR_LOOP | m[i].mcr);
		CHECK_EQ(rd(&u, UARTM_MSR) & 0xf0, m[i].msr);
		wr(&u, UARTM_MCR, UARTM_MCR_LOOP);
		rd(&u, UARTM_MSR);
	}
	/* Deltas: DCTS, DDSR, DDCD on any change, TERI on RI falling only. */
	wr(&u, UARTM_MCR, UARTM_MCR_LOOP | UARTM_MCR_OUT1);
	CHECK_EQ(rd(&u, UARTM_MSR), 0x40);
	wr(&u, UARTM_MCR, UARTM_MCR_LOOP);
	CHECK_EQ(rd(&u, UARTM_MSR), UARTM_MSR_TERI);
	wr(&u, UARTM_MCR, UARTM_MCR_LOOP | 0x0b);
	CHECK_EQ(rd(&u, UARTM_MSR), 0xb0 | UARTM_MSR_DCTS | UARTM_MSR_DDSR | UARTM_MSR_DDCD);
	CHECK_EQ(rd(&u, UARTM_MSR), 0xb0);
	/* Modem status interrupt from loopback deltas (internal: line stays low). */
	wr(&u, UARTM_IER, UARTM_IER_MS);
	wr(&u, UARTM_MCR, UARTM_MCR_LOOP | UARTM_MCR_OUT2);
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc0);
	rd(&u, UARTM_MSR);
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc1);
	CHECK_EQ(r.nirq, 0);
	/* 16450 mode loopback overrun overwrites RBR. */
	wr(&u, UARTM_FCR, 0);
	wr(&u, UARTM_THR, 1);
	wr(&u, UARTM_THR, 2);
	CHECK_EQ(rd(&u, UARTM_LSR), 0x63);
	CHECK_EQ(rd(&u, UARTM_RBR), 2);
	CHECK_EQ(rd(&u, UARTM_LSR), 0x60);
	/* Leaving loopback: external inputs again, output to the console. */
	wr(&u, UARTM_MCR, 0);
	CHECK_EQ(rd(&u, UARTM_MSR) & 0xf0, 0xb0);
	wr(&u, UARTM_THR, '!');
	CHECK_EQ(r.ntx, 1);
	CHECK_EQ(r.tx[0], '!');
}

/* The sequences of Linux's 8250 driver: autoconfig() and serial8250_do_startup(). */
TEST(uart_linux_probe)
{
	struct uart_model u;
	struct rec r;
	setup(&u, &r);
	/* autoconfig: scratch register and IER probe. */
	wr(&u, UARTM_SCR, 0x5a);
	CHECK_EQ(rd(&u, UARTM_SCR), 0x5a);
	uint8_t scratch = rd(&u, UARTM_IER);
	wr(&u, UARTM_IER, 0);
	CHECK_EQ(rd(&u, UARTM_IER) & 0x0f, 0);
	wr(&u, UARTM_IER, 0xff);
	CHECK_EQ(rd(&u, UARTM_IER), 0x0f); /* reserved bits 7:4 read 0 */
	wr(&u, UARTM_IER, scratch);
	/* Loopback test. */
	uint8_t save_mcr = rd(&u, UARTM_MCR), save_lcr = rd(&u, UARTM_LCR);
	wr(&u, UARTM_MCR, UARTM_MCR_LOOP | 0x0a);
	CHECK_EQ(rd(&u, UARTM_MSR) & 0xf0, 0x90);
	wr(&u, UARTM_MCR, save_mcr);
	/* FIFO detection: EFR probe with LCR=0xBF writes FCR on a 16550A. */
	wr(&u, UARTM_LCR, 0xbf);
	wr(&u, 2, 0);
	wr(&u, UARTM_LCR, 0);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE);
	CHECK_EQ(rd(&u, UARTM_IIR) >> 6, 3); /* 16550A */
	wr(&u, UARTM_LCR, 0xbf);
	CHECK(rd(&u, 2) != 0); /* no EFR */
	wr(&u, UARTM_LCR, 0x80);
	CHECK(rd(&u, 2) != 0);
	/* 16750 check: 64-byte FIFO bit does not stick. */
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE | 0x20);
	wr(&u, UARTM_LCR, 0);
	CHECK_EQ(rd(&u, UARTM_IIR) & 0x20, 0);
	wr(&u, UARTM_LCR, save_lcr);
	CHECK_EQ(rd(&u, UARTM_MCR) & 0xe0, 0); /* MCR bits 7:5 read 0 */
	wr(&u, UARTM_MCR, 0xff);
	CHECK_EQ(rd(&u, UARTM_MCR), 0x1f);
	wr(&u, UARTM_MCR, save_mcr);
	/* startup: clear FIFOs, read registers, LSR != 0xff. */
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE | UARTM_FCR_CLEAR_RX | UARTM_FCR_CLEAR_TX);
	wr(&u, UARTM_FCR, 0);
	rd(&u, UARTM_LSR);
	rd(&u, UARTM_RBR);
	rd(&u, UARTM_IIR);
	rd(&u, UARTM_MSR);
	CHECK(rd(&u, UARTM_LSR) != 0xff);
	/* UART_BUG_THRE test: THRI must be reported after each 0 -> 1. */
	wr(&u, UARTM_IER, UARTM_IER_THRE);
	uint8_t iir1 = rd(&u, UARTM_IIR);
	wr(&u, UARTM_IER, 0);
	wr(&u, UARTM_IER, UARTM_IER_THRE);
	uint8_t iir = rd(&u, UARTM_IIR);
	wr(&u, UARTM_IER, 0);
	CHECK_EQ(iir1 & 0x0f, 0x02);
	CHECK_EQ(iir & 0x0f, 0x02);
	wr(&u, UARTM_LCR, 0x03);
	wr(&u, UARTM_MCR, UARTM_MCR_DTR | UARTM_MCR_RTS | UARTM_MCR_OUT2);
	/* UART_BUG_TXEN test. */
	wr(&u, UARTM_IER, UARTM_IER_THRE);
	uint8_t lsr = rd(&u, UARTM_LSR);
	iir = rd(&u, UARTM_IIR);
	wr(&u, UARTM_IER, 0);
	CHECK(!((lsr & UARTM_LSR_TEMT) && (iir & UARTM_IIR_NONE)));
	rd(&u, UARTM_LSR);
	rd(&u, UARTM_RBR);
	rd(&u, UARTM_IIR);
	rd(&u, UARTM_MSR);
	wr(&u, UARTM_IER, UARTM_IER_RLS | UARTM_IER_RDA);
	wr(&u, UARTM_FCR, UARTM_FCR_ENABLE | 0x80); /* set_termios: trigger 8 */
	CHECK(!line(&r));
	/* A console write via the THRI-driven path, then a short input. */
	wr(&u, UARTM_IER, UARTM_IER_RLS | UARTM_IER_RDA | UARTM_IER_THRE);
	CHECK(line(&r));
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc2);
	wr(&u, UARTM_THR, 'o');
	wr(&u, UARTM_THR, 'k');
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc2);
	wr(&u, UARTM_IER, UARTM_IER_RLS | UARTM_IER_RDA); /* stop_tx */
	CHECK(!line(&r));
	CHECK_EQ(r.ntx, 2);
	CHECK_EQ(feed(&u, "ls\r"), 3);
	CHECK(line(&r));
	CHECK_EQ(rd(&u, UARTM_IIR), 0xcc); /* short input: timeout */
	unsigned got = 0;
	while (rd(&u, UARTM_LSR) & UARTM_LSR_DR)
		got += rd(&u, UARTM_RBR) != 0;
	CHECK_EQ(got, 3);
	CHECK_EQ(rd(&u, UARTM_IIR), 0xc1);
	CHECK(!line(&r));
	CHECK(irq_log_alternates(&r));
}

TEST(uart_null_ops)
{
	struct uart_model u;
	uart_model_init(&u, NULL);
	wr(&u, UARTM_MCR, UARTM_MCR_OUT2);
	wr(&u, UARTM_IER, 0x0f);
	wr(&u, UARTM_THR, 'x');
	CHECK_EQ(feed(&u, "y"), 1);
	CHECK_EQ(rd(&u, UARTM_RBR), 'y');
	CHECK(u.irq_level);
}
