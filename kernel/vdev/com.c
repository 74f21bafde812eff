#include "com.h"

#include <drivers/uart16550.h>
#include <kernel/log.h>
#include <kernel/string.h>
#include <kernel/time.h>

#include "platform.h"

/* A finished line waits in `ready` until the access that finished it has
 * let go of the port lock: logging takes the global log lock and may wait
 * on the UART, and the guest's other vCPUs should not wait behind that. */
static void emit_line(struct com_port *c)
{
	if (c->ready_count < COM_READY_MAX) {
		c->line[c->line_len] = 0;
		memcpy(c->ready[c->ready_count++], c->line, c->line_len + 1);
	}
	c->line_len = 0;
}

static void log_ready(struct com_port *c, char (*lines)[COM_LINE_MAX], unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (guest_console_budget(c->guest, strlen(lines[i]) + 1))
			log_info("tessera: guest %s: %s", c->guest->name, lines[i]);
}

/* Bytes from the guest: a line per newline (or when the buffer is full);
 * carriage returns dropped, other control characters shown as '.'. */
static void com_tx(void *ctx, uint8_t byte)
{
	struct com_port *c = ctx;
	c->bytes_out++;
	c->last_tx_ns = time_ns();
	if (c->own_port) {
		uart_port_putc(c->own_port, (char)byte);
		return;
	}
	if (byte == '\n') {
		emit_line(c);
		return;
	}
	if (byte == '\r')
		return;
	c->line[c->line_len++] = (byte >= 0x20 && byte < 0x7f) ? (char)byte : '.';
	if (c->line_len == COM_LINE_MAX - 1)
		emit_line(c);
}

static void com_irq(void *ctx, bool level)
{
	struct com_port *c = ctx;
	if (c->plat)
		vplat_set_irq(c->plat, VPLAT_COM1_IRQ, level);
}

/* Move waiting input into the receiver FIFO as far as it has room. Port
 * lock held. */
static void feed(struct com_port *c)
{
	while (c->input_count) {
		unsigned run = COM_INPUT_RING - c->input_head;
		if (run > c->input_count)
			run = c->input_count;
		unsigned took = uart_model_receive(&c->uart, c->input + c->input_head, run);
		if (!took)
			break;
		c->input_head = (c->input_head + took) % COM_INPUT_RING;
		c->input_count -= took;
	}
}

void com_bind(struct com_port *c, uint16_t port)
{
	c->own_port = port;
	uart_port_init(port);
}

void com_input(struct com_port *c, const uint8_t *bytes, unsigned len)
{
	spin_lock(&c->lock);
	for (unsigned i = 0; i < len && c->input_count < COM_INPUT_RING; i++)
		c->input[(c->input_head + c->input_count++) % COM_INPUT_RING] = bytes[i];
	feed(c);
	spin_unlock(&c->lock);
}

static int com_io(struct vcpu *v, void *ctx, uint16_t port, uint8_t size, bool in, uint32_t *value)
{
	struct com_port *c = ctx;
	char lines[COM_READY_MAX][COM_LINE_MAX];
	(void)v;
	spin_lock(&c->lock);
	/* Wider accesses touch consecutive registers, a byte each. */
	for (unsigned i = 0; i < size && (port & 7) + i < 8; i++) {
		unsigned off = (port & 7) + i;
		if (in)
			*value = (i ? *value : 0) | (uint32_t)uart_model_read(&c->uart, off) << (8 * i);
		else
			uart_model_write(&c->uart, off, (uint8_t)(*value >> (8 * i)));
	}
	if (in && c->input_count)
		feed(c); /* the guest may have made room */
	unsigned n = c->ready_count;
	memcpy(lines, c->ready, n * sizeof lines[0]);
	c->ready_count = 0;
	spin_unlock(&c->lock);
	log_ready(c, lines, n);
	return 0;
}

int com_attach(struct guest *g, struct com_port *c, uint16_t base)
{
	struct uart_ops ops = { com_tx, com_irq, c };
	c->guest = g;
	c->line_len = 0;
	c->ready_count = 0;
	c->bytes_out = 0;
	c->input_head = c->input_count = 0;
	c->own_port = 0;
	c->lock = (struct spinlock){ 0, 0 };
	uart_model_init(&c->uart, &ops);
	return guest_io_register(g, base, 8, com_io, c);
}

void com_flush(struct com_port *c)
{
	char lines[COM_READY_MAX][COM_LINE_MAX];
	spin_lock(&c->lock);
	if (c->line_len)
		emit_line(c);
	unsigned n = c->ready_count;
	memcpy(lines, c->ready, n * sizeof lines[0]);
	c->ready_count = 0;
	spin_unlock(&c->lock);
	log_ready(c, lines, n);
}

void com_flush_idle(struct com_port *c, uint64_t now_ns)
{
	/* Signed: another CPU may have stored a byte's time after now_ns was read. */
	int64_t quiet = (int64_t)(now_ns - __atomic_load_n(&c->last_tx_ns, __ATOMIC_RELAXED));
	if (__atomic_load_n(&c->line_len, __ATOMIC_RELAXED) && quiet >= (int64_t)COM_IDLE_FLUSH_NS)
		com_flush(c);
}

void com_reset(struct com_port *c)
{
	com_flush(c);
	spin_lock(&c->lock);
	uart_model_reset(&c->uart);
	c->input_head = c->input_count = 0;
	spin_unlock(&c->lock);
}
