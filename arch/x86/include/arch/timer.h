#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <stdbool.h>
#include <stdint.h>

/* Calibrate the TSC (see tsc.c). pm_port 0 = no ACPI PM timer. */
int time_init(uint16_t pm_port, bool pm_wide);

#endif
