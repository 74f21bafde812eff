/* MC146818 CMOS RTC device model: see rtc_model.h for the modelling
 * choices. Register semantics follow the Motorola MC146818A datasheet
 * ("Address Map", "Registers", "Update Cycle"); the calendar is the
 * Gregorian one (leap years: divisible by 4, except centuries not divisible
 * by 400), in UTC. */
#include "rtc_model.h"

#include <stddef.h>

#define NS_PER_SEC   1000000000ull
#define UIP_NS       244000ull     /* UIP is set this long before an update */
#define SECS_PER_DAY 86400ull
#define MAX_EPOCH    253402300799ull /* 9999-12-31 23:59:59 */
#define TIME_BASE_HZ 32768ull      /* the PC's 32.768 kHz crystal */

/* Calendar arithmetic counts from 0000-03-01 (proleptic Gregorian): with
 * years starting in March the leap day is the last day of a year, so each
 * 400-year cycle has 146097 days, its first three centuries 36524 days, its
 * four-year groups 1461 days (one less in the last group of a century). */
#define DAYS_TO_1970  719468u /* from 0000-03-01 to 1970-01-01 */
#define DAYS_PER_400Y 146097u
#define DAYS_PER_100Y 36524u
#define DAYS_PER_4Y   1461u

/* Days before each month of a March-based year (March = 0 .. February = 11). */
static const uint16_t days_before[12] = { 0, 31, 61, 92, 122, 153, 184, 214, 245, 275, 306, 337 };

static bool leap_year(uint32_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static unsigned days_in_month(uint32_t y, unsigned m)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (y >= 1970, fields valid): 365 a year plus
 * the leap days (every 4th year, not every 100th, every 400th) before it. */
static uint64_t days_from_civil(uint32_t y, unsigned m, unsigned d)
{
	uint64_t ym = m <= 2 ? y - 1 : y;       /* the March-based year */
	unsigned mi = m <= 2 ? m + 9 : m - 3;   /* months since March */

	return ym * 365 + ym / 4 - ym / 100 + ym / 400 + days_before[mi] + d - 1 - DAYS_TO_1970;
}

/* Date of the day `days` after 1970-01-01. */
static void civil_from_days(uint64_t days, struct rtc_civil_time *t)
{
	uint64_t z = days + DAYS_TO_1970;
	uint64_t cycles = z / DAYS_PER_400Y;
	unsigned r = (unsigned)(z % DAYS_PER_400Y), c, g, y, mi;

	c = r / DAYS_PER_100Y;
	if (c == 4)
		c = 3; /* the cycle's last day: the leap day of its 400th year */
	r -= c * DAYS_PER_100Y;
	g = r / DAYS_PER_4Y;
	r -= g * DAYS_PER_4Y;
	y = r / 365;
	if (y == 4)
		y = 3; /* the group's last day: a leap day */
	r -= y * 365;
	mi = 11;
	while (days_before[mi] > r)
		mi--;
	t->day = (uint8_t)(r - days_before[mi] + 1);
	t->month = (uint8_t)(mi < 10 ? mi + 3 : mi - 9);
	t->year = (uint32_t)(cycles * 400 + c * 100 + g * 4 + y + (t->month <= 2 ? 1 : 0));
	t->wday = (uint8_t)((days + 4) % 7); /* 1970-01-01 was a Thursday */
}

void rtc_model_civil_from_epoch(uint64_t epoch, struct rtc_civil_time *t)
{
	uint64_t s;

	if (epoch > MAX_EPOCH)
		epoch = MAX_EPOCH;
	civil_from_days(epoch / SECS_PER_DAY, t);
	s = epoch % SECS_PER_DAY;
	t->hour = (uint8_t)(s / 3600);
	t->minute = (uint8_t)(s / 60 % 60);
	t->second = (uint8_t)(s % 60);
}

bool rtc_model_epoch_from_civil(const struct rtc_civil_time *t, uint64_t *epoch)
{
	if (t->year < 1970 || t->year > 9999 || t->month < 1 || t->month > 12)
		return false;
	if (t->day < 1 || t->day > days_in_month(t->year, t->month))
		return false;
	if (t->hour > 23 || t->minute > 59 || t->second > 59)
		return false;
	*epoch = days_from_civil(t->year, t->month, t->day) * SECS_PER_DAY +
		 t->hour * 3600u + t->minute * 60u + t->second;
	return true;
}

/* ---- the guest's clock ---- */

static uint64_t host_seconds(const struct rtc_model *r, uint64_t now_ns)
{
	return r->epoch_at_ns0 + now_ns / NS_PER_SEC;
}

uint64_t rtc_model_time(const struct rtc_model *r, uint64_t now_ns)
{
	int64_t t = (int64_t)host_seconds(r, now_ns) + r->offset_s;

	return t < 0 ? 0 : (uint64_t)t;
}

static bool set_mode(const struct rtc_model *r)
{
	return r->cmos[RTCM_REG_B] & RTCM_B_SET;
}

/* Register A bit 7: the last 244 us before each update (none while SET). */
static bool uip(const struct rtc_model *r, uint64_t now_ns)
{
	return !set_mode(r) && now_ns % NS_PER_SEC >= NS_PER_SEC - UIP_NS;
}

/* ---- time byte formats (register B: DM, 24/12) ---- */

static uint8_t encode(const struct rtc_model *r, unsigned v)
{
	if (r->cmos[RTCM_REG_B] & RTCM_B_DM)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static bool decode(const struct rtc_model *r, uint8_t b, unsigned *v)
{
	if (r->cmos[RTCM_REG_B] & RTCM_B_DM) {
		*v = b;
		return true;
	}
	if ((b >> 4) > 9 || (b & 15) > 9)
		return false;
	*v = (b >> 4) * 10u + (b & 15);
	return true;
}

/* 12-hour mode: 1..12 with bit 7 = PM; midnight is 12 AM, noon 12 PM. */
static uint8_t encode_hour(const struct rtc_model *r, unsigned h)
{
	if (r->cmos[RTCM_REG_B] & RTCM_B_24H)
		return encode(r, h);
	return (uint8_t)(encode(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
}

static bool decode_hour(const struct rtc_model *r, uint8_t b, unsigned *h)
{
	unsigned v;

	if (r->cmos[RTCM_REG_B] & RTCM_B_24H)
		return decode(r, b, h);
	if (!decode(r, b & 0x7f, &v) || v < 1 || v > 12)
		return false;
	*h = v % 12 + (b & 0x80 ? 12 : 0);
	return true;
}

static const uint8_t time_regs[] = {
	RTCM_SECONDS, RTCM_MINUTES, RTCM_HOURS, RTCM_DAY_OF_WEEK,
	RTCM_DAY_OF_MONTH, RTCM_MONTH, RTCM_YEAR, RTCM_CENTURY,
};

static bool is_time_reg(unsigned reg)
{
	for (unsigned i = 0; i < sizeof time_regs; i++)
		if (time_regs[i] == reg)
			return true;
	return false;
}

static uint8_t time_byte(const struct rtc_model *r, unsigned reg, const struct rtc_civil_time *t)
{
	switch (reg) {
	case RTCM_SECONDS:      return encode(r, t->second);
	case RTCM_MINUTES:      return encode(r, t->minute);
	case RTCM_HOURS:        return encode_hour(r, t->hour);
	case RTCM_DAY_OF_WEEK:  return encode(r, t->wday + 1u);
	case RTCM_DAY_OF_MONTH: return encode(r, t->day);
	case RTCM_MONTH:        return encode(r, t->month);
	case RTCM_YEAR:         return encode(r, t->year % 100);
	default:                return encode(r, t->year / 100); /* century */
	}
}

/* SET going to 1: freeze the current time into the time bytes. */
static void snapshot(struct rtc_model *r, uint64_t now_ns)
{
	struct rtc_civil_time t;

	rtc_model_civil_from_epoch(rtc_model_time(r, now_ns), &t);
	for (unsigned i = 0; i < sizeof time_regs; i++)
		r->cmos[time_regs[i]] = time_byte(r, time_regs[i], &t);
}

/* SET going to 0: continue from the time bytes, if they hold a valid time. */
static void commit(struct rtc_model *r, uint64_t now_ns)
{
	const uint8_t *c = r->cmos;
	unsigned sec, min, hour, day, mon, yy, cc;
	struct rtc_civil_time t;
	uint64_t epoch;

	if (!decode(r, c[RTCM_SECONDS], &sec) || !decode(r, c[RTCM_MINUTES], &min) ||
	    !decode_hour(r, c[RTCM_HOURS], &hour) || !decode(r, c[RTCM_DAY_OF_MONTH], &day) ||
	    !decode(r, c[RTCM_MONTH], &mon) || !decode(r, c[RTCM_YEAR], &yy) ||
	    !decode(r, c[RTCM_CENTURY], &cc) || yy > 99)
		return; /* the ranges are checked by rtc_model_epoch_from_civil */
	t.year = cc * 100 + yy;
	t.month = (uint8_t)mon;
	t.day = (uint8_t)day;
	t.hour = (uint8_t)hour;
	t.minute = (uint8_t)min;
	t.second = (uint8_t)sec;
	t.wday = 0;
	if (rtc_model_epoch_from_civil(&t, &epoch))
		r->offset_s = (int64_t)epoch - (int64_t)host_seconds(r, now_ns);
}

/* ---- registers A-D ---- */

/* Periodic-interrupt periods (2^(RS-1) cycles of the 32.768 kHz base; RS 1
 * and 2 behave as 8 and 9) that ended by now_ns. */
static uint64_t periods(unsigned rs, uint64_t now_ns)
{
	uint64_t cycles = now_ns / NS_PER_SEC * TIME_BASE_HZ +
			  now_ns % NS_PER_SEC * TIME_BASE_HZ / NS_PER_SEC;

	if (rs <= 2)
		rs += 7;
	return cycles >> (rs - 1);
}

/* Register C: the flags raised since the last read, then cleared. */
static uint8_t read_c(struct rtc_model *r, uint64_t now_ns)
{
	unsigned rs = r->cmos[RTCM_REG_A] & 0x0f;
	uint8_t b = r->cmos[RTCM_REG_B], c = 0;

	if (now_ns / NS_PER_SEC > r->c_read_ns / NS_PER_SEC)
		c |= RTCM_C_UF;
	if (rs && periods(rs, now_ns) > periods(rs, r->c_read_ns))
		c |= RTCM_C_PF;
	if (((c & RTCM_C_PF) && (b & RTCM_B_PIE)) || ((c & RTCM_C_UF) && (b & RTCM_B_UIE)))
		c |= RTCM_C_IRQF;
	r->c_read_ns = now_ns;
	return c;
}

static void write_b(struct rtc_model *r, uint8_t v, uint64_t now_ns)
{
	bool was_set = set_mode(r);

	if (!was_set && (v & RTCM_B_SET))
		v &= (uint8_t)~RTCM_B_UIE; /* "the SET bit going high clears UIE" */
	r->cmos[RTCM_REG_B] = v;
	if (!was_set && (v & RTCM_B_SET))
		snapshot(r, now_ns);
	else if (was_set && !(v & RTCM_B_SET))
		commit(r, now_ns);
}

static uint8_t read_data(struct rtc_model *r, uint64_t now_ns)
{
	struct rtc_civil_time t;
	unsigned i = r->index;

	switch (i) {
	case RTCM_REG_A:
		return (uint8_t)((r->cmos[i] & 0x7f) | (uip(r, now_ns) ? RTCM_A_UIP : 0));
	case RTCM_REG_C:
		return read_c(r, now_ns);
	case RTCM_REG_D:
		return RTCM_D_VRT;
	default:
		break;
	}
	if (!is_time_reg(i) || set_mode(r))
		return r->cmos[i];
	rtc_model_civil_from_epoch(rtc_model_time(r, now_ns), &t);
	return time_byte(r, i, &t);
}

static void write_data(struct rtc_model *r, uint8_t v, uint64_t now_ns)
{
	unsigned i = r->index;

	switch (i) {
	case RTCM_REG_A:
		r->cmos[i] = v & 0x7f; /* UIP is read-only */
		return;
	case RTCM_REG_B:
		write_b(r, v, now_ns);
		return;
	case RTCM_REG_C:
	case RTCM_REG_D:
		return; /* read-only */
	default:
		break;
	}
	if (is_time_reg(i) && !set_mode(r)) {
		/* The clock is running: set this one byte as if under SET. */
		snapshot(r, now_ns);
		r->cmos[i] = v;
		commit(r, now_ns);
		return;
	}
	r->cmos[i] = v;
}

/* ---- public interface ---- */

void rtc_model_init(struct rtc_model *r, uint64_t epoch_seconds_at_ns0)
{
	r->epoch_at_ns0 = epoch_seconds_at_ns0 > MAX_EPOCH ? MAX_EPOCH : epoch_seconds_at_ns0;
	r->offset_s = 0;
	r->c_read_ns = 0;
	r->index = 0;
	r->nmi_masked = false;
	for (unsigned i = 0; i < RTCM_CMOS_SIZE; i++)
		r->cmos[i] = 0;
	r->cmos[RTCM_REG_A] = RTCM_A_DEFAULT;
	r->cmos[RTCM_REG_B] = RTCM_B_DEFAULT;
}

uint8_t rtc_model_read(struct rtc_model *r, unsigned port, uint64_t now_ns)
{
	if (port == RTCM_PORT_DATA)
		return read_data(r, now_ns);
	return 0xff; /* the index port is write-only */
}

void rtc_model_write(struct rtc_model *r, unsigned port, uint8_t value, uint64_t now_ns)
{
	if (port == RTCM_PORT_INDEX) {
		r->index = value & 0x7f;
		r->nmi_masked = value & RTCM_NMI_MASK;
	} else if (port == RTCM_PORT_DATA) {
		write_data(r, value, now_ns);
	}
}

bool rtc_model_nmi_masked(const struct rtc_model *r)
{
	return r->nmi_masked;
}
