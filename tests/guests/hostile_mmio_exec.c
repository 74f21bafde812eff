/* Hostile: execute from a device's MMIO window. */
#include "lib/guest.h"

int test_main(void)
{
	print("jumping into MMIO");
	((void (*)(void))0xfeb00000ull)();
	print("FAIL returned");
	return 1;
}
