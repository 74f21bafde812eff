#include "cmos_rtc.h"

#include <arch/cpu.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define REG_A      0x0a
#define REG_B      0x0b
#define REG_A_UIP  0x80 /* update in progress: the time registers are changing */
#define REG_B_24H  0x02
#define REG_B_BIN  0x04
#define CENTURY    0x32 /* ACPI FADT's usual century register */

static unsigned read_reg(unsigned reg)
{
	outb(CMOS_INDEX, (uint8_t)reg); /* bit 7 clear: NMIs stay enabled */
	return inb(CMOS_DATA);
}

static int from_bcd(unsigned v, bool binary) { return binary ? (int)v : (int)((v >> 4) * 10 + (v & 15)); }

static void read_once(struct cmos_time *t, unsigned b)
{
	bool bin = b & REG_B_BIN;
	unsigned hour = read_reg(0x04);
	bool pm = !(b & REG_B_24H) && (hour & 0x80);
	t->second = from_bcd(read_reg(0x00), bin);
	t->minute = from_bcd(read_reg(0x02), bin);
	t->hour = from_bcd(hour & 0x7f, bin);
	if (!(b & REG_B_24H))
		t->hour = t->hour % 12 + (pm ? 12 : 0);
	t->day = from_bcd(read_reg(0x07), bin);
	t->month = from_bcd(read_reg(0x08), bin);
	int century = from_bcd(read_reg(CENTURY), bin);
	t->year = from_bcd(read_reg(0x09), bin) + (century >= 19 && century <= 30 ? century * 100 : 2000);
}

/* MC146818 datasheet: the registers are stable while UIP is clear; read
 * twice and accept two equal readings. */
bool cmos_rtc_read(struct cmos_time *t)
{
	struct cmos_time a, b;
	for (int tries = 0; tries < 1000; tries++) {
		if (read_reg(REG_A) & REG_A_UIP)
			continue;
		unsigned regb = read_reg(REG_B);
		read_once(&a, regb);
		read_once(&b, regb);
		if (a.second == b.second && a.minute == b.minute && a.hour == b.hour && a.day == b.day &&
		    a.month == b.month && a.year == b.year) {
			*t = a;
			return a.month >= 1 && a.month <= 12 && a.day >= 1 && a.day <= 31 &&
			       a.hour < 24 && a.minute < 60 && a.second < 60;
		}
	}
	return false;
}
