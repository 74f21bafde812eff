/* Architectural start states for vCPUs (arch/x86/guest_boot.c). */
#ifndef ARCH_GUEST_BOOT_H
#define ARCH_GUEST_BOOT_H

#include <arch/vcpu.h>

struct guest;

/* Guest-physical layout used for 64-bit payloads. */
#define GUEST_BOOT_PML4   0x1000ull  /* + PDPT at 0x2000, 4 PDs at 0x3000-0x6fff */
#define GUEST_BOOT_GDT    0x7000ull
#define GUEST_BOOT_GDT_OS 0x7800ull  /* Linux / Multiboot selectors */
#define GUEST_BOOT_STACK  0x80000ull
#define GUEST_PAYLOAD_BASE 0x100000ull

/* State after RESET (SDM Vol. 3A 9.1.1 Table 9-1), or after a SIPI with
 * this vector when vector != 0: real mode at vector * 4096. */
void vcpu_reset_state(struct vcpu_state *s, uint8_t sipi_vector);
/* After a SIPI with this vector (0 included): real mode at vector:0000. */
void vcpu_sipi_state(struct vcpu_state *s, uint8_t vector);

/* Write an identity map of the first 4 GiB (2 MiB pages) and a flat GDT into
 * guest RAM and fill *s for 64-bit mode at entry with the given stack. */
int guest_boot_long_mode(struct guest *g, struct vcpu_state *s, uint64_t entry, uint64_t stack);
/* The two halves: the tables are written once per (re)start, before any vCPU
 * runs; every vCPU's state refers to them. */
int guest_boot_write_tables(struct guest *g);
void guest_boot_long_mode_state(struct vcpu_state *s, uint64_t entry, uint64_t stack);

/* Linux and Multiboot kernels: their GDT, and vCPU 0's start states. */
int guest_boot_write_os_gdt(struct guest *g);
void guest_boot_linux_state(struct vcpu_state *s, uint64_t entry);
void guest_boot_protected_state(struct vcpu_state *s, uint64_t entry);

#endif
