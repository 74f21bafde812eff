/* The demo's bare-metal partition (make run): a line editor on COM1 that
 * answers every line it is given. It polls the UART, so it needs no
 * interrupt controller: a raw partition has none. */
#include "lib/guest.h"

#define COM1 0x3f8

static void put(char c)
{
	while (!(inb(COM1 + 5) & 0x20)) /* LSR.THRE */
		;
	outb(COM1, (uint8_t)c);
}

static void puts_(const char *s)
{
	while (*s)
		put(*s++);
}

static char get(void)
{
	while (!(inb(COM1 + 5) & 1)) /* LSR.DR */
		__asm__ volatile("pause");
	return (char)inb(COM1);
}

int test_main(void)
{
	char line[80];
	unsigned n = 0, lines = 0;
	outb(COM1 + 2, 0x07); /* FIFOs on */
	puts_("echo: bare-metal partition ready, type a line\r\necho> ");
	for (;;) {
		char c = get();
		if (c == '\r' || c == '\n') {
			line[n] = 0;
			print("echo: line %u: '%s' (%u characters)\n", ++lines, line, n);
			puts_("echo> ");
			n = 0;
		} else if (n < sizeof line - 1 && c >= 0x20 && c < 0x7f) {
			line[n++] = c;
		}
	}
}
