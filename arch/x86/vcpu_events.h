/* Interrupt delivery and sleeping for platform guests (vcpu_events.c). */
#ifndef ARCH_X86_VCPU_EVENTS_H
#define ARCH_X86_VCPU_EVENTS_H

#include <arch/vcpu.h>

/* Before an entry: inject or open a window. */
void vcpu_events_inject(struct vcpu *v);
/* Before an entry: timers for the guest's next virtual timer and the end
 * of the slice (as time_ns and as host TSC; 0 = none). */
void vcpu_events_arm(struct vcpu *v, uint64_t slice_end_ns, uint64_t slice_end_tsc);
/* Idle this CPU until an interrupt or until_ns (0 = no timer). */
void vcpu_cpu_wait(uint64_t until_ns);
/* Should a halted / wait-for-SIPI vCPU run again (or stop)? Uses the
 * RFLAGS.IF saved when it halted, so it works off the vCPU's CPU. */
bool vcpu_events_wake_due(struct vcpu *v);
/* Apply a pending INIT, then a SIPI if the vCPU waits for one. */
void vcpu_events_startup(struct vcpu *v);

#endif
