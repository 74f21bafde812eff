/* MMIO emulation: every instruction form compilers emit for device
 * registers, against the test device that reflects what it is given. */
#include "lib/guest.h"

#define DEV 0xfeb00000ull

static volatile uint8_t *const b = (volatile uint8_t *)DEV;
static volatile uint16_t *const w = (volatile uint16_t *)DEV;
static volatile uint32_t *const d = (volatile uint32_t *)DEV;
static volatile uint64_t *const q = (volatile uint64_t *)DEV;

static void mov_forms(void)
{
	q[0] = 0x1122334455667788ull;
	EXPECT_EQ(q[0], 0x1122334455667788ull);
	EXPECT_EQ(d[1], 0x11223344);
	EXPECT_EQ(w[1], 0x5566);
	EXPECT_EQ(b[0], 0x88);
	d[4] = 0xcafef00d;                        /* mov [m], imm32 */
	EXPECT_EQ(d[4], 0xcafef00d);
	b[8] = 0x80;
	uint32_t zx, sx;
	__asm__ volatile("movzbl %1, %0" : "=r"(zx) : "m"(b[8]));
	__asm__ volatile("movsbl %1, %0" : "=r"(sx) : "m"(b[8]));
	EXPECT_EQ(zx, 0x80);
	EXPECT_EQ(sx, 0xffffff80);
	uint64_t r = 0xffffffffffffffffull;
	__asm__ volatile("movl %1, %k0" : "+r"(r) : "m"(d[4])); /* zero-extends */
	EXPECT_EQ(r, 0xcafef00dull);
	uint64_t hi = 0x1111;
	__asm__ volatile("movb %1, %h0" : "+Q"(hi) : "m"(b[8])); /* high byte register */
	EXPECT_EQ(hi, 0x8011);
}

static void alu_forms(void)
{
	d[8] = 0xf0f0f0f0;
	__asm__ volatile("andl $0x0ff00ff0, %0" : "+m"(d[8]));
	EXPECT_EQ(d[8], 0x00f000f0);
	__asm__ volatile("orl $0x1, %0" : "+m"(d[8]));
	EXPECT_EQ(d[8], 0x00f000f1);
	__asm__ volatile("xorw $0xffff, %0" : "+m"(w[16]));
	EXPECT_EQ(w[16], 0xff0e);
	__asm__ volatile("addl %1, %0" : "+m"(d[8]) : "r"(0x10u));
	EXPECT_EQ(d[8], 0x00f0ff1e);
	uint8_t zf;
	d[9] = 0;
	__asm__ volatile("testl $0xffffffff, %1; setz %0" : "=r"(zf) : "m"(d[9]));
	EXPECT_EQ(zf, 1);
	d[9] = 5;
	uint8_t below;
	__asm__ volatile("cmpl $6, %1; setb %0" : "=r"(below) : "m"(d[9]));
	EXPECT_EQ(below, 1);
	uint32_t acc = 3;
	__asm__ volatile("subl %1, %0" : "+r"(acc) : "m"(d[9]));
	EXPECT_EQ(acc, 0xfffffffe);
}

static void string_forms(void)
{
	uint64_t count = 4;
	volatile uint32_t *dst = d + 32;
	__asm__ volatile("rep stosl" : "+D"(dst), "+c"(count) : "a"(0xabcdef01u) : "memory");
	EXPECT_EQ(d[32], 0xabcdef01);
	EXPECT_EQ(d[35], 0xabcdef01);
	EXPECT_EQ(count, 0);
	static uint32_t ram[2] = { 0x01020304, 0 };
	const uint32_t *src = ram;
	volatile uint32_t *to = d + 40;
	__asm__ volatile("movsl" : "+S"(src), "+D"(to) : : "memory");  /* RAM -> MMIO */
	EXPECT_EQ(d[40], 0x01020304);
	const volatile uint32_t *from = d + 40;
	uint32_t *back = ram + 1;
	__asm__ volatile("movsl" : "+S"(from), "+D"(back) : : "memory"); /* MMIO -> RAM */
	EXPECT_EQ(ram[1], 0x01020304);
}

int test_main(void)
{
	mov_forms();
	alu_forms();
	string_forms();
	return 0;
}
