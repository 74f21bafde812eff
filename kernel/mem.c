#include "mem.h"

#include "log.h"
#include "panic.h"
#include "pmm.h"
#include "spinlock.h"
#include "string.h"

static struct pmm pmm;
static struct spinlock pmm_lock;
static uint64_t kept_out_pages; /* firmware runtime, ACPI, MMIO, reserved */

static bool is_ram(uint32_t kind)
{
	return kind == BOOT_MEM_USABLE || kind == BOOT_MEM_BOOT_SERVICES || kind == BOOT_MEM_LOADER;
}

uint64_t mem_top(const struct boot_info *bi)
{
	uint64_t top = 0;
	for (uint32_t i = 0; i < bi->mem_range_count; i++) {
		uint64_t end = bi->mem[i].base + bi->mem[i].pages * PAGE_SIZE;
		if (is_ram(bi->mem[i].kind) && end > top)
			top = end;
	}
	return top;
}

/* The bitmap lives at the start of the first conventional range that holds it. */
static uint64_t place_bitmap(const struct boot_info *bi, uint64_t bytes)
{
	for (uint32_t i = 0; i < bi->mem_range_count; i++) {
		const struct boot_mem_range *r = &bi->mem[i];
		if (r->kind == BOOT_MEM_USABLE && r->base >= LIMIT_1M && r->pages * PAGE_SIZE >= bytes)
			return r->base;
	}
	return 0;
}

int mem_init(const struct boot_info *bi)
{
	uint64_t top = mem_top(bi);
	size_t bytes = pmm_bitmap_bytes(top);
	uint64_t bitmap = place_bitmap(bi, bytes);
	if (!bitmap) {
		log_err("tessera: memory: no room for a %zu byte frame bitmap", bytes);
		return -1;
	}
	pmm_init(&pmm, (uint64_t *)bitmap, top);
	for (uint32_t i = 0; i < bi->mem_range_count; i++) {
		const struct boot_mem_range *r = &bi->mem[i];
		if (r->kind == BOOT_MEM_USABLE)
			pmm_add_range(&pmm, r->base, r->pages * PAGE_SIZE);
		else if (!is_ram(r->kind))
			kept_out_pages += r->pages;
	}
	pmm_reserve_range(&pmm, bitmap, bytes);
	if (bi->mem_ranges_dropped)
		log_warn("tessera: memory: %u firmware ranges beyond the first %u ignored (never used)",
			 bi->mem_ranges_dropped, BOOT_MAX_MEM_RANGES);
	return 0;
}

void mem_release_boot_services(const struct boot_info *bi)
{
	spin_lock(&pmm_lock);
	for (uint32_t i = 0; i < bi->mem_range_count; i++)
		if (bi->mem[i].kind == BOOT_MEM_BOOT_SERVICES)
			pmm_add_range(&pmm, bi->mem[i].base, bi->mem[i].pages * PAGE_SIZE);
	spin_unlock(&pmm_lock);
}

uint64_t mem_free_bytes(void) { return pmm.free_frames * PAGE_SIZE; }

void mem_report(void)
{
	log_info("tessera: memory: %lu MiB managed, %lu MiB free, %lu MiB firmware/ACPI/MMIO kept out",
		 pmm.added_frames >> 8, pmm.free_frames >> 8, kept_out_pages >> 8);
}

uint64_t frames_alloc(uint64_t count, uint64_t align, uint64_t limit)
{
	spin_lock(&pmm_lock);
	uint64_t pa = pmm_alloc(&pmm, count, align ? align : PAGE_SIZE, limit);
	spin_unlock(&pmm_lock);
	if (pa)
		memset((void *)pa, 0, count * PAGE_SIZE);
	return pa;
}

void frames_free(uint64_t pa, uint64_t count)
{
	spin_lock(&pmm_lock);
	int err = pmm_free(&pmm, pa, count);
	spin_unlock(&pmm_lock);
	BUG_ON(err);
}
