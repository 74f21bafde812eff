/* Hostile: overwrite its own ROM (mapped read+execute only). */
#include "lib/guest.h"

int test_main(void)
{
	uint32_t before = *(volatile uint32_t *)0xe0000ull; /* reading is allowed */
	print("rom reads 0x%x; writing it", before);
	*(volatile uint32_t *)0xe0000ull = 0x90909090;
	print("FAIL rom write went through");
	return 1;
}
