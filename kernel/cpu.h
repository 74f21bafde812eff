/* Generic view of the physical CPUs; arch code fills it in. */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_CPUS 64

unsigned int cpu_current(void);  /* index of the calling CPU (0 = boot CPU) */
unsigned int cpu_online_count(void);
unsigned int cpu_known_count(void); /* CPUs listed by the firmware, online or not */
bool cpu_is_online(unsigned int cpu);

/* Cross-CPU work is a request plus an IPI, never a remote poke at state.
 * cpu_dispatch queues fn(arg) for `cpu`, which runs it from its idle loop
 * (the caller's own CPU runs it once the caller returns to idle). -1 if the
 * CPU is offline or already has work queued. */
int cpu_dispatch(unsigned int cpu, void (*fn)(void *), void *arg);
/* Interrupt `cpu` (out of a guest or out of idle) so it looks at its
 * requests. */
void cpu_kick(unsigned int cpu);
/* Wait for dispatched work and run it, forever. */
void cpu_idle_loop(void) __attribute__((noreturn));

#endif
