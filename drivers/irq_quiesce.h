#ifndef DRIVERS_IRQ_QUIESCE_H
#define DRIVERS_IRQ_QUIESCE_H

#include <stdint.h>

void irq_quiesce(const uint64_t *ioapic_bases, unsigned count);

#endif
