/* COM1 as a guest sees it: the probe Linux's 8250 driver does (scratch
 * register, loopback, IER), then polled output that must reach the console
 * as one line with the guest's name. */
#include "lib/guest.h"

#define COM1 0x3f8

static void put(char c)
{
	while (!(inb(COM1 + 5) & 0x20)) /* LSR.THRE */
		;
	outb(COM1, (uint8_t)c);
}

int test_main(void)
{
	outb(COM1 + 7, 0xa5);
	EXPECT_EQ(inb(COM1 + 7), 0xa5);              /* scratch register */
	outb(COM1 + 1, 0x0f);
	EXPECT_EQ(inb(COM1 + 1), 0x0f);              /* IER keeps its low nibble */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 4, 0x10);                        /* MCR: loopback */
	EXPECT_EQ(inb(COM1 + 6) & 0xf0, 0x00);       /* MSR mirrors MCR (all off) */
	outb(COM1 + 4, 0x1f);
	EXPECT_EQ(inb(COM1 + 6) & 0xf0, 0xf0);
	outb(COM1, 'x');                             /* loops back */
	EXPECT(inb(COM1 + 5) & 1);
	EXPECT_EQ(inb(COM1), 'x');
	outb(COM1 + 4, 0x0b);                        /* normal: DTR RTS OUT2 */
	outb(COM1 + 3, 0x83);                        /* DLAB, 8N1 */
	outb(COM1, 1);
	outb(COM1 + 1, 0);
	outb(COM1 + 3, 0x03);
	outb(COM1 + 2, 0xc7);                        /* FIFOs on, cleared */
	EXPECT_EQ(inb(COM1 + 2) & 0xc0, 0xc0);       /* IIR: FIFOs enabled */
	for (const char *s = "hello from COM1\r\n"; *s; s++)
		put(*s);
	return 0;
}
