/* Hostile: halt with interrupts masked, nothing can wake it. */
#include "lib/guest.h"

int test_main(void)
{
	print("cli; hlt");
	__asm__ volatile("cli; hlt");
	print("FAIL woke up");
	return 1;
}
