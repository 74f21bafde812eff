/* Payload runtime: IDT with a fixup-driven exception handler, console
 * output over the hypercall, vendor-specific hypercall instruction. */
#include <stdarg.h>

#include "guest.h"

uint64_t hypercall_raw(uint64_t nr, uint64_t a, uint64_t b, uint64_t c);
extern const uint64_t exc_table[32];
extern const uint64_t __fixup_start[], __fixup_end[];

uint8_t use_vmmcall;
int failures;
volatile int last_vector = -1;
volatile uint64_t exceptions_seen[32];

struct gate { uint16_t lo, sel; uint8_t ist, type; uint16_t mid; uint32_t hi, zero; } __attribute__((packed));
static struct gate idt[32] __attribute__((aligned(16)));

struct frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

int64_t hypercall(uint64_t nr, uint64_t a, uint64_t b, uint64_t c)
{
	int64_t ret;
	__asm__ volatile("call hypercall_raw" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r8", "r9", "r10", "r11", "memory");
	return ret;
}

void print(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	hypercall(HC_CONSOLE_WRITE, (uint64_t)buf, (uint64_t)n, 0);
}

/* An expected fault resumes at its fixup; anything else is a test failure
 * reported once, then the payload ends. */
void exception_handler(struct frame *f)
{
	exceptions_seen[f->vector & 31]++;
	for (const uint64_t *p = __fixup_start; p < __fixup_end; p += 2) {
		if (p[0] == f->rip) {
			last_vector = (int)f->vector;
			f->rip = p[1];
			return;
		}
	}
	if (f->vector == 1) /* #DB from single-stepping: counted, carry on */
		return;
	print("FAIL unexpected exception %lu at rip 0x%lx error 0x%lx", f->vector, f->rip, f->error);
	hypercall(HC_EXIT, 1000 + f->vector, 0, 0);
}

static void setup_idt(void)
{
	for (int v = 0; v < 32; v++) {
		uint64_t h = exc_table[v];
		idt[v] = (struct gate){ (uint16_t)h, 0x08, 0, 0x8e, (uint16_t)(h >> 16), (uint32_t)(h >> 32), 0 };
	}
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = { sizeof idt - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

int payload_main(void)
{
	struct cpuid_out v = cpuid2(0, 0);
	use_vmmcall = v.ebx != 0x756e6547; /* "Genu"ineIntel uses VMCALL */
	setup_idt();
	int r = test_main();
	print("done: %d failures", failures + r);
	return failures + r;
}

/* gcc may emit calls to these even in freestanding code. */
void *memset(void *d, int c, unsigned long n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}
