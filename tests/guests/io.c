/* Port I/O: unclaimed ports float high, the test device reflects, string
 * forms move memory. */
#include "lib/guest.h"

#define TESTDEV 0x510

int test_main(void)
{
	EXPECT_EQ(inb(0x80), 0xff);
	EXPECT_EQ(inw(0x1234), 0xffff);
	EXPECT_EQ(inl(0xcfc), 0xffffffff);    /* PCI config: nothing there */
	outl(0xcf8, 0x80000000);               /* dropped */
	outb(TESTDEV, 0x5a);
	EXPECT_EQ(inb(TESTDEV), 0x5a);
	outl(TESTDEV + 1, 0xdeadbeef);
	EXPECT_EQ(inl(TESTDEV + 1), 0xdeadbeef);
	outw(TESTDEV + 2, 0x1234);
	EXPECT_EQ(inw(TESTDEV + 2), 0x1234);

	/* 32-bit IN zero-extends into RAX; 8-bit IN keeps the rest. */
	uint64_t rax = 0x1122334455667788ull;
	__asm__ volatile("inb %w1, %b0" : "+a"(rax) : "d"(TESTDEV));
	EXPECT_EQ(rax, 0x112233445566775aull);
	__asm__ volatile("inl %w1, %k0" : "+a"(rax) : "d"(TESTDEV + 1));
	EXPECT_EQ(rax, 0xdeadbeefull);

	static uint8_t out[4] = { 1, 2, 3, 4 }, in[4];
	const uint8_t *src = out;
	uint8_t *dst = in;
	uint64_t count = 4;
	__asm__ volatile("rep outsb" : "+S"(src), "+c"(count) : "d"(TESTDEV + 3) : "memory");
	EXPECT_EQ(count, 0);
	EXPECT_EQ(inb(TESTDEV + 3), 4);         /* last one written */
	count = 4;
	__asm__ volatile("rep insb" : "+D"(dst), "+c"(count) : "d"(TESTDEV + 3) : "memory");
	EXPECT_EQ(in[0] + in[1] + in[2] + in[3], 16);
	EXPECT_EQ(dst - in, 4);
	return 0;
}
