#include "uart16550.h"

#include <arch/cpu.h>

/* Register offsets (PC16550D section 8) */
#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLH 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20
#define LSR_DR   0x01

static uint16_t base;

/* 115200 baud 8N1, FIFOs on, interrupts off: we poll. */
void uart_port_init(uint16_t port)
{
	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, 0x80);
	outb(port + UART_DLL, 1);
	outb(port + UART_DLH, 0);
	outb(port + UART_LCR, 0x03);
	outb(port + UART_FCR, 0x07);
	outb(port + UART_MCR, 0x03);
}

void uart_init(uint16_t port)
{
	base = port;
	uart_port_init(port);
}

uint16_t uart_port(void) { return base; }

/* A missing UART reads 0xff (THRE set), so this never hangs; a stuck one is
 * given a bounded wait and then written regardless. */
void uart_port_putc(uint16_t port, char c)
{
	for (int spins = 0; spins < 100000; spins++) {
		if (inb(port + UART_LSR) & LSR_THRE)
			break;
		cpu_relax();
	}
	outb(port + UART_THR, (uint8_t)c);
}

static void uart_putc(char c) { uart_port_putc(base, c); }

void uart_write(const char *s, size_t n)
{
	if (!base)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

/* A missing UART reads 0xff: no data then. */
int uart_port_try_getc(uint16_t port)
{
	if (!port)
		return -1;
	uint8_t lsr = inb(port + UART_LSR);
	if (lsr == 0xff || !(lsr & LSR_DR))
		return -1;
	return inb(port + UART_THR);
}

int uart_try_getc(void) { return uart_port_try_getc(base); }
