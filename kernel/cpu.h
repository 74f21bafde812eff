/* Generic view of the physical CPUs; arch code fills it in. */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdint.h>

#define MAX_CPUS 64

unsigned int cpu_current(void);  /* index of the calling CPU (0 = boot CPU) */
unsigned int cpu_online_count(void);

#endif
