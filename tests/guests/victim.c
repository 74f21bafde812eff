/* Isolation suite, the victim: fills 1 MiB with a pattern, then counts
 * heartbeats forever and re-checks the pattern. Another partition attacking
 * the machine must change neither. Reports about twice a second (emulated). */
#include "lib/guest.h"

#define PATTERN_BASE ((volatile uint64_t *)0x200000ull)
#define PATTERN_WORDS (0x100000 / 8)

static uint64_t checksum(void)
{
	uint64_t sum = 0;
	for (uint64_t i = 0; i < PATTERN_WORDS; i++)
		sum = (sum ^ PATTERN_BASE[i]) * 0x100000001b3ull;
	return sum;
}

int test_main(void)
{
	for (uint64_t i = 0; i < PATTERN_WORDS; i++)
		PATTERN_BASE[i] = i * 0x9e3779b97f4a7c15ull;
	uint64_t expect = checksum();
	uint64_t tsc_khz = cpuid2(CPUID_TESSERA_TIMING, 0).eax;
	uint64_t period = tsc_khz * 500, next = rdtsc() + period;
	print("victim: pattern checksum %lx", expect);
	for (;;) {
		int64_t beats = hypercall(HC_HEARTBEAT, 0, 0, 0);
		if (rdtsc() < next)
			continue;
		next = rdtsc() + period;
		uint64_t now = checksum();
		print("victim: heartbeat %ld, memory %s", beats, now == expect ? "intact" : "CHANGED");
	}
}
