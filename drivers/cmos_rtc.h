/* The machine's own MC146818-compatible CMOS clock (ports 0x70/0x71), read
 * once at boot so partitions' virtual RTCs show the wall-clock time. */
#ifndef DRIVERS_CMOS_RTC_H
#define DRIVERS_CMOS_RTC_H

#include <stdbool.h>

struct cmos_time { int year, month, day, hour, minute, second; };

/* Read a consistent time (retrying across an update); false if the clock
 * reads as absent or nonsense. */
bool cmos_rtc_read(struct cmos_time *t);

#endif
