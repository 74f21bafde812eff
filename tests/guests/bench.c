/* Round-trip cost of each exit kind, for make bench (scripts/bench.py).
 * Interrupts stay masked; each figure is the median of single round trips
 * measured with RDTSC, minus the cost of RDTSC itself. Under Bochs and
 * under QEMU -icount the TSC counts emulated instructions. */
#include "lib/guest.h"

#define SAMPLES 101
#define DEV_PORT 0x510
#define DEV_MMIO ((volatile uint32_t *)0xfeb00000ull)

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t median(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

enum op { OP_NONE, OP_CPUID, OP_HYPERCALL, OP_PIO_IN, OP_PIO_OUT, OP_MMIO_READ, OP_MMIO_WRITE,
	  OP_MSR_READ, OP_MSR_WRITE, OP_COUNT };
static const char *const names[OP_COUNT] = { "none", "cpuid", "hypercall", "pio-in", "pio-out",
					     "mmio-read", "mmio-write", "msr-read", "msr-write" };

static void run_op(enum op op)
{
	uint32_t a, b, c, d;
	switch (op) {
	case OP_CPUID: __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0)); break;
	case OP_HYPERCALL: hypercall(HC_VERSION, 0, 0, 0); break;
	case OP_PIO_IN: (void)inl(DEV_PORT); break;
	case OP_PIO_OUT: outl(DEV_PORT, 1); break;
	case OP_MMIO_READ: (void)DEV_MMIO[0]; break;
	case OP_MMIO_WRITE: DEV_MMIO[0] = 1; break;
	case OP_MSR_READ: __asm__ volatile("rdmsr" : "=a"(a), "=d"(d) : "c"(0x277)); break;
	case OP_MSR_WRITE: __asm__ volatile("wrmsr" : : "c"(0x277), "a"(0x00070406), "d"(0x00070406)); break;
	default: break;
	}
}

static uint64_t measure(enum op op)
{
	static uint64_t samples[SAMPLES];
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rdtsc_ordered();
		run_op(op);
		samples[i] = rdtsc_ordered() - t0;
	}
	return median(samples, SAMPLES);
}

int test_main(void)
{
	__asm__ volatile("cli");
	uint64_t base = measure(OP_NONE);
	print("bench none %lu", base);
	for (int op = OP_CPUID; op < OP_COUNT; op++) {
		uint64_t t = measure((enum op)op);
		print("bench %s %lu", names[op], t > base ? t - base : 0);
	}
	return 0;
}
