/* Isolation beside Linux: a payload partition that searches all of its RAM,
 * again and again, for the pattern a Linux partition writes into its own
 * memory (tests/linux/memfill, cases.py). Finding it would mean the two
 * partitions share a frame. The pattern is kept byte-shifted in the image
 * and built on the stack, which the scan skips. */
#include "lib/guest.h"

#define SHIFTED "UFTTFSB.JTPMBUJPO.QBUUFSO.6g4b" /* "TESSERA-ISOLATION-PATTERN-5f3a" + 1 */

static uint64_t count(const char *pat, unsigned len, uint64_t ram, uint64_t skip_lo, uint64_t skip_hi)
{
	uint64_t found = 0;
	for (uint64_t a = 0x1000; a + len <= ram; a++) {
		if (a + len > skip_lo && a < skip_hi)
			continue;
		const volatile char *p = (const volatile char *)a;
		if (p[0] != pat[0])
			continue;
		unsigned i = 1;
		while (i < len && p[i] == pat[i])
			i++;
		found += i == len;
	}
	return found;
}

int test_main(void)
{
	char pat[sizeof SHIFTED];
	struct hc_partition_info info;
	unsigned len = sizeof SHIFTED - 1;
	for (unsigned i = 0; i < len; i++)
		pat[i] = (char)(SHIFTED[i] - 1);
	if (hypercall(HC_PARTITION_INFO, (uint64_t)&info, sizeof info, 0) < 0)
		return 1;
	uint64_t tsc_khz = cpuid2(CPUID_TESSERA_TIMING, 0).eax, next = 0;
	for (unsigned round = 1;; round++) {
		while (rdtsc() < next)
			hypercall(HC_HEARTBEAT, 0, 0, 0);
		next = rdtsc() + tsc_khz * 2000;
		uint64_t n = count(pat, len, info.memory, (uint64_t)pat, (uint64_t)pat + sizeof pat);
		print("scanner: round %u: %lu found in %lu MiB", round, n, info.memory >> 20);
	}
}
