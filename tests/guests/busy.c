/* Always busy, for the shared-CPU tests (docs/scheduling.md): counts work
 * units and, at every whole second of the TSC, prints how many it has done
 * and how much run time the scheduler has charged it. Partitions sharing a
 * CPU print at the same TSC marks, so the test compares them over one
 * interval. After MARKS marks it asks for a scheduler report and exits. */
#include "lib/guest.h"

#define MARKS 6

/* One unit of work: a fixed number of dependent multiply-adds. */
static uint64_t work(uint64_t x)
{
	for (int i = 0; i < 256; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	return x;
}

int test_main(void)
{
	struct hc_sched_info si;
	if (hypercall(HC_SCHED_INFO, (uint64_t)&si, sizeof si, 0) != sizeof si || !si.tsc_hz) {
		print("busy: no scheduler information");
		return 1;
	}
	/* Bochs 2.7's SVM masks physical interrupts with the guest's IF even
	 * with V_INTR_MASKING (APM 15.21.1 says the host's IF does): with IF
	 * clear the slice timer could not end this vCPU's slice there. Nothing
	 * is ever injected into a raw partition, so IF set changes nothing
	 * elsewhere. */
	__asm__ volatile("sti");
	print("busy: started on cpu %u, policy %u", si.cpu, si.policy);
	uint64_t units = 0, x = 1, second = si.tsc_hz;
	uint64_t next = (rdtsc() / second + 1) * second;
	for (int marks = 0; marks < MARKS;) {
		x = work(x);
		units++;
		uint64_t now = rdtsc();
		if (now < next)
			continue;
		hypercall(HC_SCHED_INFO, (uint64_t)&si, sizeof si, 0);
		print("busy: mark %lu units %lu run_us %lu switches %lu", now / second, units,
		      si.run_ns / 1000, si.switches);
		next = (now / second + 1) * second;
		marks++;
	}
	hypercall(HC_SCHED_REPORT, 0, 0, 0);
	print("busy: done (%lu)", x & 1);
	return 0;
}
