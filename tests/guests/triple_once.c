/* Lifecycle: triple-faults on its first start; after a restart it reports
 * that it came back and keeps a heartbeat. With on_fault = "stop" it never
 * comes back. */
#include "lib/guest.h"

int test_main(void)
{
	struct hc_partition_info info;
	if (hypercall(HC_PARTITION_INFO, (uint64_t)&info, sizeof info, 0) != sizeof info)
		return 1;
	if (info.restarts == 0) {
		struct { uint16_t limit; uint64_t base; } __attribute__((packed)) none = { 0, 0 };
		print("%s: start 0: triple-faulting now", info.name);
		__asm__ volatile("lidt %0; ud2" : : "m"(none));
	}
	print("%s: back after %u restart(s)", info.name, info.restarts);
	for (uint64_t i = 0;; i++) {
		hypercall(HC_HEARTBEAT, 0, 0, 0);
		if ((i & 0xfffff) == 0)
			print("%s: heartbeat %lu", info.name, i);
	}
}
