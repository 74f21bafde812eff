// unit-modules: boot/boot_info_build.c
/* The boot-info builder (boot/boot_info_build.c): memory kinds, merging,
 * overflow, and the command line as the firmware or a file give it. */
#include <stdlib.h>

#include "../../boot/boot_info_build.h"
#include "unit.h"

static struct boot_info *fresh(void)
{
	struct boot_info *bi = calloc(1, sizeof *bi);
	return bi;
}

TEST(memory_kinds_follow_uefi_types)
{
	CHECK_EQ(boot_mem_kind(7), BOOT_MEM_USABLE);         /* EfiConventionalMemory */
	CHECK_EQ(boot_mem_kind(3), BOOT_MEM_BOOT_SERVICES);
	CHECK_EQ(boot_mem_kind(4), BOOT_MEM_BOOT_SERVICES);
	CHECK_EQ(boot_mem_kind(1), BOOT_MEM_LOADER);
	CHECK_EQ(boot_mem_kind(2), BOOT_MEM_LOADER);
	CHECK_EQ(boot_mem_kind(5), BOOT_MEM_RUNTIME);
	CHECK_EQ(boot_mem_kind(6), BOOT_MEM_RUNTIME);
	CHECK_EQ(boot_mem_kind(9), BOOT_MEM_ACPI_RECLAIM);
	CHECK_EQ(boot_mem_kind(10), BOOT_MEM_ACPI_NVS);
	CHECK_EQ(boot_mem_kind(11), BOOT_MEM_MMIO);
	CHECK_EQ(boot_mem_kind(12), BOOT_MEM_MMIO);
	CHECK_EQ(boot_mem_kind(14), BOOT_MEM_PERSISTENT);
	/* Unusable, PAL code, unaccepted and anything unknown are never ours. */
	CHECK_EQ(boot_mem_kind(0), BOOT_MEM_RESERVED);
	CHECK_EQ(boot_mem_kind(8), BOOT_MEM_RESERVED);
	CHECK_EQ(boot_mem_kind(15), BOOT_MEM_RESERVED);
	CHECK_EQ(boot_mem_kind(0x80000000u), BOOT_MEM_RESERVED);
}

TEST(adjacent_ranges_of_one_kind_merge)
{
	struct boot_info *bi = fresh();
	CHECK_EQ(boot_add_mem_range(bi, 0x1000, 9, BOOT_MEM_USABLE), 0);
	CHECK_EQ(boot_add_mem_range(bi, 0xa000, 6, BOOT_MEM_USABLE), 0);      /* touches: merged */
	CHECK_EQ(boot_add_mem_range(bi, 0x10000, 1, BOOT_MEM_BOOT_SERVICES), 0); /* other kind */
	CHECK_EQ(boot_add_mem_range(bi, 0x20000, 1, BOOT_MEM_BOOT_SERVICES), 0); /* gap */
	CHECK_EQ(bi->mem_range_count, 3);
	CHECK_EQ(bi->mem[0].base, 0x1000);
	CHECK_EQ(bi->mem[0].pages, 15);
	CHECK_EQ(bi->mem[1].kind, BOOT_MEM_BOOT_SERVICES);
	CHECK_EQ(bi->mem[2].base, 0x20000);
	free(bi);
}

TEST(full_table_drops_and_counts)
{
	struct boot_info *bi = fresh();
	for (uint64_t i = 0; i < BOOT_MAX_MEM_RANGES; i++)
		CHECK_EQ(boot_add_mem_range(bi, i * 0x2000, 1, BOOT_MEM_USABLE), 0);
	CHECK_EQ(boot_add_mem_range(bi, 0x10000000, 1, BOOT_MEM_USABLE), -1);
	CHECK_EQ(boot_add_mem_range(bi, 0x20000000, 1, BOOT_MEM_MMIO), -1);
	CHECK_EQ(bi->mem_range_count, BOOT_MAX_MEM_RANGES);
	CHECK_EQ(bi->mem_ranges_dropped, 2);
	/* Merging still works when full: nothing is lost. */
	CHECK_EQ(boot_add_mem_range(bi, (BOOT_MAX_MEM_RANGES - 1) * 0x2000ull + 0x1000, 1, BOOT_MEM_USABLE), 0);
	free(bi);
}

TEST(program_name_is_stripped)
{
	char a[] = "\\EFI\\BOOT\\BOOTX64.EFI  console=0x2f8 loglevel=3";
	boot_strip_program_name(a);
	CHECK_STR(a, "console=0x2f8 loglevel=3");
	char b[] = "tessera.efi";
	boot_strip_program_name(b);
	CHECK_STR(b, "");
	char c[] = "  loglevel=3";
	boot_strip_program_name(c);
	CHECK_STR(c, "loglevel=3");
	char d[] = "config=my.toml";
	boot_strip_program_name(d);
	CHECK_STR(d, "config=my.toml");
	char e[] = "";
	boot_strip_program_name(e);
	CHECK_STR(e, "");
}

TEST(cmdline_from_file_text)
{
	char out[16];
	boot_cmdline_from_text(out, sizeof out, "a=1\r\nb=2\tc", 11);
	CHECK_STR(out, "a=1  b=2 c");
	boot_cmdline_from_text(out, sizeof out, "0123456789abcdefghij", 20);
	CHECK_STR(out, "0123456789abcde");
	boot_cmdline_from_text(out, sizeof out, "ab\0cd", 5); /* stops at a NUL */
	CHECK_STR(out, "ab");
}

TEST(files_found_by_exact_name)
{
	struct boot_info *bi = fresh();
	strcpy(bi->files[0].name, "tessera.toml");
	strcpy(bi->files[1].name, "g/victim.bin");
	bi->file_count = 2;
	CHECK(boot_find_file(bi, "g/victim.bin") == &bi->files[1]);
	CHECK(boot_find_file(bi, "tessera.toml") == &bi->files[0]);
	CHECK(boot_find_file(bi, "g/victim") == NULL);
	CHECK(boot_find_file(bi, "g/victim.bin2") == NULL);
	bi->file_count = 0;
	CHECK(boot_find_file(bi, "tessera.toml") == NULL);
	free(bi);
}
