/* Hostile: read guest-physical memory beyond its RAM. Must end in a stop. */
#include "lib/guest.h"

int test_main(void)
{
	print("reading 1 GiB, outside my 4 MiB");
	volatile uint64_t v = *(volatile uint64_t *)0x40000000ull;
	print("FAIL read returned 0x%lx", (uint64_t)v);
	return 1;
}
