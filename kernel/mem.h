/* Physical memory for the hypervisor: the frame allocator over the boot memory
 * map, with a lock. Frames are identity-mapped, so an address is a pointer. */
#ifndef KERNEL_MEM_H
#define KERNEL_MEM_H

#include <stdint.h>

#include <tessera/boot_info.h>

#define PAGE_SIZE 4096ull
#define LIMIT_4G  (1ull << 32)
#define LIMIT_1M  (1ull << 20)

/* Phase 1: conventional memory only (firmware tables still in use). */
int mem_init(const struct boot_info *bi);
/* Phase 2: boot-services memory, once our own page tables/GDT/IDT run. */
void mem_release_boot_services(const struct boot_info *bi);
void mem_report(void);
uint64_t mem_free_bytes(void);
/* Highest physical address of any RAM in the map. */
uint64_t mem_top(const struct boot_info *bi);

/* Zeroed contiguous frames; 0 on failure. limit 0 = anywhere. */
uint64_t frames_alloc(uint64_t count, uint64_t align, uint64_t limit);
void frames_free(uint64_t pa, uint64_t count);

#endif
