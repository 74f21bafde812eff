/* The hypervisor's own address space: identity map with W^X (arch/x86/mmu.c). */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <stdint.h>

#include <tessera/boot_info.h>

int mmu_init(const struct boot_info *bi);
/* Switch this CPU to the hypervisor page tables (EFER.NXE and CR0.WP first). */
void mmu_load(void);
uint64_t mmu_cr3(void);
/* Physical addresses below this are identity-mapped (pointers). */
uint64_t mmu_identity_top(void);
/* Change the mapping of identity-mapped pages (e.g. trampoline RX, MMIO UC). */
int mmu_remap(uint64_t pa, uint64_t size, unsigned pt_flags);
/* Count writable+executable mappings; logs the result line tests read. */
unsigned mmu_check_wx(void);

#endif
