/* Reaching guest memory the way the guest's own CPU would: linear addresses
 * through the guest's page tables, then its RAM only (arch/x86/guest_walk.c). */
#ifndef ARCH_GUEST_MEM_H
#define ARCH_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/vcpu.h>

/* Translate a linear address with the guest's current paging mode. 0 on
 * success; -1 if a table is outside its RAM or an entry is not present. */
int guest_translate(struct vcpu *v, uint64_t linear, uint64_t *gpa);

/* Copy len bytes from guest linear memory (may cross pages). 0 or -1. */
int guest_read_linear(struct vcpu *v, uint64_t linear, void *out, unsigned len);
int guest_write_linear(struct vcpu *v, uint64_t linear, const void *in, unsigned len);

/* CPU mode of the guest's code segment: 16, 32 or 64. */
unsigned guest_code_bits(struct vcpu *v);

#endif
