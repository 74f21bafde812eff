/* Monotonic time since the hypervisor started timing (arch/x86/tsc.c). */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdint.h>

uint64_t time_ns(void);          /* 0 until the clock is calibrated */
uint64_t time_tsc_hz(void);      /* 0 until calibrated              */
void time_delay_us(uint64_t us); /* busy wait                       */
uint64_t time_ns_to_tsc(uint64_t ns); /* the TSC value at time_ns() == ns */
uint64_t time_ns_to_ticks(uint64_t ns); /* a duration in TSC ticks */
uint64_t time_ticks_to_ns(uint64_t ticks); /* a duration in ns (0 until calibrated) */

#endif
