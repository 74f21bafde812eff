/* Timestamps for the cyclic-schedule tests (docs/scheduling.md). Every
 * vCPU spins on RDTSC; a jump between two reads larger than GAP_US means
 * it was not running. It records where in the major frame each stretch of
 * running began and ended (HC_SCHED_INFO gives the frame's start and
 * length) and prints them; the test checks them against the config's
 * windows. vCPU 0 ends the partition once every vCPU has printed. */
#include "lib/guest.h"

#define SKIP_FRAMES 5   /* let the start settle */
#define RUNS        40  /* stretches recorded per vCPU */
#define GAP_US      50

static volatile uint32_t finished;

struct run { uint64_t start, end; };

/* Offsets in the frame, in microseconds. */
static uint64_t frame_us(const struct hc_sched_info *si, uint64_t t)
{
	return (t - si->frame_start_tsc) % si->frame_tsc * 1000000 / si->tsc_hz;
}

static void record(const struct hc_sched_info *si, struct run *runs)
{
	uint64_t gap = si->tsc_hz / 1000000 * GAP_US;
	uint64_t begin = si->frame_start_tsc + (((rdtsc() - si->frame_start_tsc) / si->frame_tsc) +
						SKIP_FRAMES) * si->frame_tsc;
	while (rdtsc() < begin)
		;
	uint64_t prev = rdtsc(), start = prev;
	for (int n = 0; n < RUNS;) {
		uint64_t t = rdtsc();
		if (t - prev > gap) {
			runs[n++] = (struct run){ start, prev };
			start = t;
		}
		prev = t;
	}
}

int test_main(void)
{
	struct hc_partition_info info;
	struct hc_sched_info si;
	static struct run runs[16][RUNS];
	if (hypercall(HC_PARTITION_INFO, (uint64_t)&info, sizeof info, 0) != sizeof info ||
	    hypercall(HC_SCHED_INFO, (uint64_t)&si, sizeof si, 0) != sizeof si || !si.frame_tsc ||
	    info.vcpu_id >= 16) {
		print("cyclic: not on a cyclic cpu");
		return 1;
	}
	/* Bochs 2.7's SVM masks physical interrupts with the guest's IF even
	 * with V_INTR_MASKING (APM 15.21.1 says the host's IF does): with IF
	 * clear the slice timer could not end this vCPU's slice there. Nothing
	 * is ever injected into a raw partition, so IF set changes nothing
	 * elsewhere. */
	__asm__ volatile("sti");
	struct run *mine = runs[info.vcpu_id];
	record(&si, mine);
	/* The first stretch began before recording did: its start is not one. */
	for (int i = 1; i < RUNS; i++)
		print("cyclic: vcpu %u cpu %u run %lu %lu us frame %lu", info.vcpu_id, si.cpu,
		      frame_us(&si, mine[i].start), frame_us(&si, mine[i].end),
		      (mine[i].start - si.frame_start_tsc) / si.frame_tsc);
	print("cyclic: vcpu %u done, frame %lu us", info.vcpu_id,
	      (si.frame_tsc * 1000000 + si.tsc_hz / 2) / si.tsc_hz);
	__atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
	if (info.vcpu_id != 0)
		for (;;)
			hypercall(HC_YIELD, 0, 0, 0);
	while (finished < info.vcpu_count)
		hypercall(HC_YIELD, 0, 0, 0);
	hypercall(HC_SCHED_REPORT, 0, 0, 0); /* the hypervisor's view of the windows */
	return failures;
}
