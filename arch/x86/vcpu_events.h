/* Interrupt delivery and sleeping for platform guests (vcpu_events.c). */
#ifndef ARCH_X86_VCPU_EVENTS_H
#define ARCH_X86_VCPU_EVENTS_H

#include <arch/vcpu.h>

/* Before an entry: inject or open a window, arm the host timer. */
void vcpu_events_inject(struct vcpu *v);
/* Should a halted / wait-for-SIPI vCPU run again (or stop)? */
bool vcpu_events_wake_due(struct vcpu *v);
/* A halted or wait-for-SIPI vCPU with nothing due: sleep once until
 * something may be. */
void vcpu_events_wait(struct vcpu *v);
/* Apply a pending INIT, then a SIPI if the vCPU waits for one. */
void vcpu_events_startup(struct vcpu *v);

#endif
