/*
 * Physical frame allocator: one bit per 4 KiB frame from physical address 0 up to
 * max_pa. A set bit means free. Frames start out reserved; the caller adds the
 * ranges the firmware memory map says are usable (in two phases: conventional
 * memory first, boot-services memory once nothing of the firmware runs any more).
 *
 * Pure module: no locking, no logging, no hardware access; the kernel wraps it
 * (kernel/mem.c) and the host unit tests drive it directly.
 */
#ifndef KERNEL_PMM_H
#define KERNEL_PMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PMM_PAGE_SIZE 4096ull

struct pmm {
	uint64_t *bitmap;     /* 1 = free                        */
	uint64_t frames;      /* frames covered by the bitmap    */
	uint64_t free_frames; /* currently free                  */
	uint64_t added_frames;/* ever added as usable (total)    */
	uint64_t hint;        /* where the next search starts    */
};

/* Bytes of bitmap needed to cover [0, max_pa). */
size_t pmm_bitmap_bytes(uint64_t max_pa);

/* Start with every frame reserved. bitmap must hold pmm_bitmap_bytes(max_pa). */
void pmm_init(struct pmm *p, uint64_t *bitmap, uint64_t max_pa);

/* Mark the whole frames inside [base, base+size) free. Partial frames at either
 * end are not added. Frame 0 is never added (a zero address means "none").
 * Ranges beyond max_pa are clipped. Returns the number of frames newly freed. */
uint64_t pmm_add_range(struct pmm *p, uint64_t base, uint64_t size);

/* Mark every frame touching [base, base+size) reserved. Returns frames taken. */
uint64_t pmm_reserve_range(struct pmm *p, uint64_t base, uint64_t size);

/* Allocate `count` contiguous frames whose first address is a multiple of
 * `align` (a power of two >= 4096) and whose end is <= limit (0 = no limit).
 * Returns the physical address, or 0 when no such run exists. */
uint64_t pmm_alloc(struct pmm *p, uint64_t count, uint64_t align, uint64_t limit);

/* Free frames previously allocated. Returns 0, or -1 if any frame in the range
 * was already free or lies outside the bitmap (nothing is changed then). */
int pmm_free(struct pmm *p, uint64_t pa, uint64_t count);

bool pmm_is_free(const struct pmm *p, uint64_t pa);

#endif
