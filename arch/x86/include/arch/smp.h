#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#include <stdint.h>

#include <arch/percpu.h>

struct percpu *percpu_create(unsigned index, uint32_t apic_id, uint64_t stack_top);
int smp_prepare_trampoline(void);
void smp_start_aps(const uint32_t *apic_ids, unsigned count);
void smp_mark_online(struct percpu *c);
/* First C code of an AP (arch/x86/setup.c). */
void ap_entry(struct percpu *c) __attribute__((noreturn));

#endif
