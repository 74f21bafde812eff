/* A partition with several vCPUs: every vCPU starts at the entry with its
 * index in RDI (the payload library passes it on as the return of
 * hypercall info). Each reports where it runs and checks in; vCPU 0 waits
 * for all of them and ends the partition. */
#include "lib/guest.h"

static volatile uint32_t checked_in;

int test_main(void)
{
	struct hc_partition_info info;
	if (hypercall(HC_PARTITION_INFO, (uint64_t)&info, sizeof info, 0) != sizeof info)
		return 1;
	print("vcpu %u of %u on cpu %u", info.vcpu_id, info.vcpu_count, info.cpu);
	EXPECT_EQ(cpuid2(1, 0).ebx >> 24, info.vcpu_id); /* initial APIC ID = vCPU index */
	__atomic_add_fetch(&checked_in, 1, __ATOMIC_SEQ_CST);
	if (info.vcpu_id != 0)
		for (;;)
			hypercall(HC_HEARTBEAT, 0, 0, 0);
	while (checked_in < info.vcpu_count)
		__asm__ volatile("pause");
	print("all %u vcpus checked in", info.vcpu_count);
	return failures;
}
