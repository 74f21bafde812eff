/* The payload library: hypercalls, port and MSR helpers, expected faults,
 * and EXPECT checks whose failures are counted into the exit status. */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include <tessera/hypercall.h>

#include "../../../kernel/format.h"

int64_t hypercall(uint64_t nr, uint64_t a, uint64_t b, uint64_t c);
void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int failures;

#define EXPECT(cond)                                                         \
	do {                                                                 \
		if (!(cond)) {                                               \
			print("FAIL %s:%d: %s", __FILE__, __LINE__, #cond);  \
			failures++;                                          \
		}                                                            \
	} while (0)

#define EXPECT_EQ(a, b)                                                      \
	do {                                                                 \
		uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b);             \
		if (_a != _b) {                                              \
			print("FAIL %s:%d: %s == %s (0x%lx != 0x%lx)", __FILE__, \
			      __LINE__, #a, #b, _a, _b);                     \
			failures++;                                          \
		}                                                            \
	} while (0)

/* Each payload defines this; its return value adds to the failures. */
int test_main(void);

struct cpuid_out { uint32_t eax, ebx, ecx, edx; };
static inline struct cpuid_out cpuid2(uint32_t leaf, uint32_t sub)
{
	struct cpuid_out r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(sub));
	return r;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }

/*
 * Expected faults: the instruction at a labelled address may fault; the
 * handler resumes after it with the vector in `fault`. Returns -1 when no
 * fault happened, else the vector.
 */
extern volatile int last_vector;
extern volatile uint64_t exceptions_seen[32];

#define TRY_INSN(insn, ...)                                                  \
	({                                                                   \
		last_vector = -1;                                            \
		__asm__ volatile("1: " insn "\n2:\n"                         \
				 ".pushsection .fixup, \"a\"\n"              \
				 ".quad 1b, 2b\n"                            \
				 ".popsection\n" __VA_ARGS__);               \
		last_vector;                                                 \
	})

static inline int rdmsr_safe(uint32_t msr, uint64_t *value)
{
	uint32_t lo = 0, hi = 0;
	int v = TRY_INSN("rdmsr", : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	*value = ((uint64_t)hi << 32) | lo;
	return v;
}

static inline int wrmsr_safe(uint32_t msr, uint64_t value)
{
	return TRY_INSN("wrmsr", : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)) : "memory");
}

#endif
