/* Hostile: an empty IDT and a fault: the CPU shuts down (triple fault). */
#include "lib/guest.h"

int test_main(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) none = { 0, 0 };
	print("loading an empty IDT, then #UD");
	__asm__ volatile("lidt %0; ud2" : : "m"(none));
	print("FAIL still running");
	return 1;
}
