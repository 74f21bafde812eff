// unit-modules: kernel/vdev/rtc_model.c
/* The MC146818 CMOS RTC model against the MC146818A datasheet, the
 * Gregorian calendar, and the sequences Linux's mc146818-lib uses. */
#include <stdbool.h>
#include <stdint.h>

#include "../../kernel/vdev/rtc_model.h"
#include "unit.h"

#define S 1000000000ull /* one second in ns */

static uint8_t cmos_rd(struct rtc_model *r, uint8_t idx, uint64_t t)
{
	rtc_model_write(r, RTCM_PORT_INDEX, idx, t);
	return rtc_model_read(r, RTCM_PORT_DATA, t);
}

static void cmos_wr(struct rtc_model *r, uint8_t idx, uint8_t v, uint64_t t)
{
	rtc_model_write(r, RTCM_PORT_INDEX, idx, t);
	rtc_model_write(r, RTCM_PORT_DATA, v, t);
}

static struct rtc_civil_time civil(uint32_t y, uint8_t mo, uint8_t d, uint8_t h, uint8_t mi, uint8_t s)
{
	struct rtc_civil_time t = { y, mo, d, h, mi, s, 0 };
	return t;
}

static bool same(const struct rtc_civil_time *a, const struct rtc_civil_time *b)
{
	return a->year == b->year && a->month == b->month && a->day == b->day &&
	       a->hour == b->hour && a->minute == b->minute && a->second == b->second;
}

TEST(rtc_civil_known_dates)
{
	static const struct { uint32_t y; uint8_t mo, d, h, mi, s, wday; uint64_t epoch; } k[] = {
		{ 1970, 1, 1, 0, 0, 0, 4, 0 },
		{ 2000, 2, 29, 0, 0, 0, 2, 951782400 },          /* 2000 is a leap year (400) */
		{ 2000, 2, 29, 13, 45, 7, 2, 951831907 },
		{ 2024, 12, 31, 23, 59, 59, 2, 1735689599 },
		{ 2038, 1, 19, 3, 14, 8, 2, 2147483648 },        /* past 2^31 */
		{ 2100, 2, 28, 12, 0, 0, 0, 4107499200 },
		{ 2100, 3, 1, 0, 0, 0, 1, 4107542400 },          /* 2100 is not (100) */
		{ 9999, 12, 31, 23, 59, 59, 5, 253402300799 },
	};
	for (unsigned i = 0; i < sizeof k / sizeof k[0]; i++) {
		struct rtc_civil_time want = civil(k[i].y, k[i].mo, k[i].d, k[i].h, k[i].mi, k[i].s), got;
		uint64_t e = 1;
		CHECK(rtc_model_epoch_from_civil(&want, &e));
		CHECK_EQ(e, k[i].epoch);
		rtc_model_civil_from_epoch(k[i].epoch, &got);
		CHECK(same(&got, &want));
		CHECK_EQ(got.wday, k[i].wday);
	}
	/* 2100-02-28 + 1 day is March 1st. */
	struct rtc_civil_time t;
	rtc_model_civil_from_epoch(4107499200 + 12 * 3600, &t);
	CHECK_EQ(t.month, 3);
	CHECK_EQ(t.day, 1);
	/* Saturation past 9999. */
	rtc_model_civil_from_epoch(UINT64_MAX, &t);
	CHECK_EQ(t.year, 9999);
	CHECK_EQ(t.second, 59);
}

TEST(rtc_civil_invalid)
{
	static const struct rtc_civil_time bad[] = {
		{ 2100, 2, 29, 0, 0, 0, 0 }, { 1900, 2, 29, 0, 0, 0, 0 }, { 2023, 2, 29, 0, 0, 0, 0 },
		{ 1969, 12, 31, 23, 59, 59, 0 }, { 10000, 1, 1, 0, 0, 0, 0 }, { 2023, 13, 1, 0, 0, 0, 0 },
		{ 2023, 0, 1, 0, 0, 0, 0 }, { 2023, 4, 31, 0, 0, 0, 0 }, { 2023, 4, 0, 0, 0, 0, 0 },
		{ 2023, 4, 1, 24, 0, 0, 0 }, { 2023, 4, 1, 0, 60, 0, 0 }, { 2023, 4, 1, 0, 0, 60, 0 },
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint64_t e = 12345;
		CHECK(!rtc_model_epoch_from_civil(&bad[i], &e));
		CHECK_EQ(e, 12345);
	}
	struct rtc_civil_time ok = { 2024, 2, 29, 0, 0, 0, 0 };
	uint64_t e;
	CHECK(rtc_model_epoch_from_civil(&ok, &e));
}

/* Every day from 1970 to 2500: the successor of the previous date (month
 * lengths from the rules, written out independently), weekday advancing by
 * one, and the inverse conversion giving the day back. */
TEST(rtc_civil_day_by_day)
{
	static const uint8_t mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	uint32_t y = 1970, mo = 1, d = 1, wday = 4;
	for (uint64_t day = 0; day < 194880; day++) { /* day 194880 = 2503-07-26 */
		struct rtc_civil_time t;
		uint64_t e = day * 86400 + 86399;
		rtc_model_civil_from_epoch(e, &t);
		if (t.year != y || t.month != mo || t.day != d || t.wday != wday || t.hour != 23) {
			CHECK_EQ(t.year * 10000 + t.month * 100 + t.day, y * 10000 + mo * 100 + d);
			CHECK_EQ(t.wday, wday);
			break;
		}
		uint64_t back;
		if (!rtc_model_epoch_from_civil(&t, &back) || back != e) {
			CHECK_EQ(back, e);
			break;
		}
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		uint32_t len = mdays[mo - 1] + (mo == 2 && leap);
		wday = (wday + 1) % 7;
		if (++d > len) {
			d = 1;
			if (++mo > 12) {
				mo = 1;
				y++;
			}
		}
	}
	CHECK_EQ(y * 10000 + mo * 100 + d, 25030726);
}

TEST(rtc_bcd_and_binary_reads)
{
	struct rtc_model r;
	rtc_model_init(&r, 1735689599 - 5); /* 2024-12-31 23:59:54 at ns 0 */
	uint64_t t = 2 * S + S / 2;          /* 23:59:56.5 */
	CHECK_EQ(cmos_rd(&r, RTCM_REG_B, t), 0x02);
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, t), 0x56);
	CHECK_EQ(cmos_rd(&r, RTCM_MINUTES, t), 0x59);
	CHECK_EQ(cmos_rd(&r, RTCM_HOURS, t), 0x23);
	CHECK_EQ(cmos_rd(&r, RTCM_DAY_OF_WEEK, t), 3); /* Tuesday */
	CHECK_EQ(cmos_rd(&r, RTCM_DAY_OF_MONTH, t), 0x31);
	CHECK_EQ(cmos_rd(&r, RTCM_MONTH, t), 0x12);
	CHECK_EQ(cmos_rd(&r, RTCM_YEAR, t), 0x24);
	CHECK_EQ(cmos_rd(&r, RTCM_CENTURY, t), 0x20);
	CHECK_EQ(rtc_model_time(&r, t), 1735689599 - 3);
	t = 8 * S; /* 2025-01-01 00:00:02, Wednesday */
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, t), 0x02);
	CHECK_EQ(cmos_rd(&r, RTCM_HOURS, t), 0x00);
	CHECK_EQ(cmos_rd(&r, RTCM_DAY_OF_WEEK, t), 4);
	CHECK_EQ(cmos_rd(&r, RTCM_DAY_OF_MONTH, t), 0x01);
	CHECK_EQ(cmos_rd(&r, RTCM_MONTH, t), 0x01);
	CHECK_EQ(cmos_rd(&r, RTCM_YEAR, t), 0x25);
	/* Binary (DM = 1). */
	cmos_wr(&r, RTCM_REG_B, RTCM_B_24H | RTCM_B_DM, t);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_B, t), 0x06);
	t = 59 * S + 1; /* 00:00:53 */
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, t), 53);
	CHECK_EQ(cmos_rd(&r, RTCM_MINUTES, t), 0);
	CHECK_EQ(cmos_rd(&r, RTCM_DAY_OF_MONTH, t), 1);
	CHECK_EQ(cmos_rd(&r, RTCM_YEAR, t), 25);
	CHECK_EQ(cmos_rd(&r, RTCM_CENTURY, t), 20);
	t = (6 + 3600 * 17 + 60 * 9 + 31) * S; /* 17:09:31 */
	CHECK_EQ(cmos_rd(&r, RTCM_HOURS, t), 17);
	CHECK_EQ(cmos_rd(&r, RTCM_MINUTES, t), 9);
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, t), 31);
}

TEST(rtc_12_hour_mode)
{
	static const struct { unsigned hour; uint8_t bcd, bin; } h[] = {
		{ 0, 0x12, 12 }, { 1, 0x01, 1 }, { 11, 0x11, 11 }, { 12, 0x92, 0x8c },
		{ 13, 0x81, 0x81 }, { 22, 0x90, 0x8a }, { 23, 0x91, 0x8b },
	};
	for (unsigned i = 0; i < sizeof h / sizeof h[0]; i++) {
		struct rtc_model r;
		rtc_model_init(&r, 1686787200 + h[i].hour * 3600 + 125); /* 2023-06-15 */
		cmos_wr(&r, RTCM_REG_B, 0x00, 0); /* 12-hour, BCD */
		CHECK_EQ(cmos_rd(&r, RTCM_HOURS, 0), h[i].bcd);
		CHECK_EQ(cmos_rd(&r, RTCM_MINUTES, 0), 0x02);
		cmos_wr(&r, RTCM_REG_B, RTCM_B_DM, 0); /* 12-hour, binary */
		CHECK_EQ(cmos_rd(&r, RTCM_HOURS, 0), h[i].bin);
		/* Writing the hour in this format sets the same time back. */
		cmos_wr(&r, RTCM_REG_B, RTCM_B_DM | RTCM_B_SET, 0);
		cmos_wr(&r, RTCM_HOURS, h[i].bin, 0);
		cmos_wr(&r, RTCM_REG_B, RTCM_B_DM, 0);
		CHECK_EQ(rtc_model_time(&r, 0), 1686787200 + h[i].hour * 3600 + 125);
	}
	/* Setting 12:xx AM in BCD 12-hour mode gives 00:xx. */
	struct rtc_model r;
	rtc_model_init(&r, 1686830400); /* 12:00:00 */
	cmos_wr(&r, RTCM_REG_B, RTCM_B_SET, 0);
	cmos_wr(&r, RTCM_HOURS, 0x12, 0);
	cmos_wr(&r, RTCM_REG_B, 0x00, 0);
	CHECK_EQ(rtc_model_time(&r, 0), 1686787200);
	/* Hour 0 or 13 is not a 12-hour value: the write-back is discarded. */
	cmos_wr(&r, RTCM_HOURS, 0x13, S);
	CHECK_EQ(rtc_model_time(&r, S), 1686787201);
	cmos_wr(&r, RTCM_HOURS, 0x80, S);
	CHECK_EQ(rtc_model_time(&r, S), 1686787201);
}

TEST(rtc_uip_window)
{
	struct rtc_model r;
	rtc_model_init(&r, 1686789005); /* 00:30:05 */
	uint64_t base = 7 * S;
	CHECK_EQ(cmos_rd(&r, RTCM_REG_A, base), 0x26);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_A, base + 999755999), 0x26);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_A, base + 999756000), 0xa6);
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, base + 999756000), 0x12); /* still the old second */
	CHECK_EQ(cmos_rd(&r, RTCM_REG_A, base + 999999999), 0xa6);
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, base + 999999999), 0x12);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_A, base + S), 0x26);
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, base + S), 0x13);
	/* Divider and rate bits are stored; UIP is read-only. */
	cmos_wr(&r, RTCM_REG_A, 0xff, base + S);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_A, base + S + 1), 0x7f);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_A, base + 2 * S - 1), 0xff);
	cmos_wr(&r, RTCM_REG_A, 0x26, base + 2 * S);
	/* SET clears UIP. */
	cmos_wr(&r, RTCM_REG_B, RTCM_B_SET | RTCM_B_24H, base + 2 * S);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_A, base + 2 * S + 999900000), 0x26);
	cmos_wr(&r, RTCM_REG_B, RTCM_B_24H, base + 2 * S + 999900000);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_A, base + 2 * S + 999900000), 0xa6);
}

/* Linux's mc146818_set_time: SET, write the fields, clear SET. */
TEST(rtc_set_freeze_and_offset)
{
	struct rtc_model r;
	rtc_model_init(&r, 1735689599); /* 2024-12-31 23:59:59 */
	uint64_t t = 100 * S + 300000000;
	cmos_wr(&r, RTCM_REG_B, RTCM_B_24H | RTCM_B_UIE, t);
	cmos_wr(&r, RTCM_REG_B, RTCM_B_SET | RTCM_B_24H | RTCM_B_UIE, t);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_B, t), 0x82); /* SET going high clears UIE */
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, t + 5 * S), 0x39); /* frozen at 2025-01-01 00:01:39 */
	CHECK_EQ(cmos_rd(&r, RTCM_MINUTES, t + 5 * S), 0x01);
	CHECK_EQ(cmos_rd(&r, RTCM_YEAR, t + 5 * S), 0x25);
	t += 10 * S;
	cmos_wr(&r, RTCM_YEAR, 0x23, t); /* 2023-06-15 12:00:00 */
	cmos_wr(&r, RTCM_MONTH, 0x06, t);
	cmos_wr(&r, RTCM_DAY_OF_MONTH, 0x15, t);
	cmos_wr(&r, RTCM_HOURS, 0x12, t);
	cmos_wr(&r, RTCM_MINUTES, 0x00, t);
	cmos_wr(&r, RTCM_SECONDS, 0x00, t);
	cmos_wr(&r, RTCM_DAY_OF_WEEK, 0x07, t); /* wrong on purpose */
	CHECK_EQ(cmos_rd(&r, RTCM_DAY_OF_WEEK, t + 3 * S), 0x07);
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, t + 3 * S), 0x00);
	t += 20 * S; /* host at 130.3 s */
	cmos_wr(&r, RTCM_REG_B, RTCM_B_24H, t);
	CHECK_EQ(rtc_model_time(&r, t), 1686830400);
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, 131 * S - 1), 0x00);
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, 131 * S), 0x01); /* on the host's boundary */
	CHECK_EQ(cmos_rd(&r, RTCM_DAY_OF_WEEK, 131 * S), 5); /* computed: Thursday */
	CHECK_EQ(cmos_rd(&r, RTCM_HOURS, 131 * S), 0x12);
	CHECK_EQ(rtc_model_time(&r, 3731 * S), 1686830400 + 3601);
	CHECK_EQ(cmos_rd(&r, RTCM_HOURS, 3731 * S), 0x13);
	/* An invalid date (BCD 0x13 month) is discarded: the clock runs on. */
	t = 4000 * S;
	cmos_wr(&r, RTCM_REG_B, RTCM_B_SET | RTCM_B_24H, t);
	cmos_wr(&r, RTCM_MONTH, 0x13, t);
	cmos_wr(&r, RTCM_REG_B, RTCM_B_24H, t + 7 * S);
	CHECK_EQ(rtc_model_time(&r, t + 7 * S), 1686830400 + (4007 - 130));
	CHECK_EQ(cmos_rd(&r, RTCM_MONTH, t + 7 * S), 0x06);
	/* One byte written with SET clear: the clock jumps, seconds go on. */
	t = 5000 * S + 1;
	CHECK_EQ(cmos_rd(&r, RTCM_MINUTES, t), 0x21); /* 13:21:10 */
	cmos_wr(&r, RTCM_MINUTES, 0x45, t);            /* -> 13:45:10 */
	CHECK_EQ(rtc_model_time(&r, t), 1686830400 + 3600 + 45 * 60 + 10);
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, t + 10 * S), 0x20);
	/* An invalid single byte leaves the time alone. */
	cmos_wr(&r, RTCM_HOURS, 0x24, t + 11 * S);
	cmos_wr(&r, RTCM_SECONDS, 0x60, t + 11 * S);
	cmos_wr(&r, RTCM_DAY_OF_MONTH, 0x31, t + 11 * S); /* June 31st */
	CHECK_EQ(cmos_rd(&r, RTCM_HOURS, t + 11 * S), 0x13);
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, t + 11 * S), 0x21);
	/* Century written with the rest: 2099-12-31 23:59:59 rolls into 2100. */
	t = 6000 * S;
	cmos_wr(&r, RTCM_REG_B, RTCM_B_SET | RTCM_B_24H | RTCM_B_DM, t);
	cmos_wr(&r, RTCM_CENTURY, 20, t);
	cmos_wr(&r, RTCM_YEAR, 99, t);
	cmos_wr(&r, RTCM_MONTH, 12, t);
	cmos_wr(&r, RTCM_DAY_OF_MONTH, 31, t);
	cmos_wr(&r, RTCM_HOURS, 23, t);
	cmos_wr(&r, RTCM_MINUTES, 59, t);
	cmos_wr(&r, RTCM_SECONDS, 59, t);
	cmos_wr(&r, RTCM_REG_B, RTCM_B_24H | RTCM_B_DM, t);
	CHECK_EQ(cmos_rd(&r, RTCM_YEAR, t + S), 0);
	CHECK_EQ(cmos_rd(&r, RTCM_CENTURY, t + S), 21);
	CHECK_EQ(cmos_rd(&r, RTCM_DAY_OF_WEEK, t + S), 6); /* 2100-01-01: Friday */
	/* Binary 1969 cannot be represented: discarded. */
	cmos_wr(&r, RTCM_CENTURY, 19, t + 2 * S);
	CHECK_EQ(cmos_rd(&r, RTCM_CENTURY, t + 2 * S), 21);
}

TEST(rtc_register_c_and_d)
{
	struct rtc_model r;
	rtc_model_init(&r, 1686789005);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_D, 0), 0x80);
	cmos_wr(&r, RTCM_REG_D, 0x00, 0);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_D, 0), 0x80);
	/* 1024 Hz (A = 0x26): PF once a period has ended since the last read. */
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, 0), 0x00);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, 976562), 0x00);      /* 32 cycles = 976562.5 ns */
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, 976563), RTCM_C_PF);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, 976563), 0x00);      /* cleared by the read */
	cmos_wr(&r, RTCM_REG_C, 0xff, S / 2);                 /* read-only */
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, S / 2), RTCM_C_PF);
	/* UF once a second boundary has passed; IRQF when an enabled flag is up. */
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, S + 1000), RTCM_C_UF | RTCM_C_PF);
	cmos_wr(&r, RTCM_REG_B, RTCM_B_24H | RTCM_B_UIE, S + 1000);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, 3 * S), RTCM_C_IRQF | RTCM_C_UF | RTCM_C_PF);
	cmos_wr(&r, RTCM_REG_B, RTCM_B_24H | RTCM_B_PIE, 3 * S);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, 3 * S + 1000000), RTCM_C_IRQF | RTCM_C_PF);
	/* Rate 0: no periodic flag; rate 15: every 500 ms; AF never. */
	cmos_wr(&r, RTCM_REG_A, 0x20, 3 * S + 1000000);
	cmos_wr(&r, RTCM_REG_B, RTCM_B_24H | RTCM_B_AIE, 3 * S + 1000000);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, 3 * S + 2000000), 0x00);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, 5 * S), RTCM_C_UF);
	cmos_wr(&r, RTCM_REG_A, 0x2f, 5 * S);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, 5 * S + S / 2 - 1), 0x00);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, 5 * S + S / 2), RTCM_C_PF);
	/* Rate 1 is rate 8 with a 32.768 kHz base: 128 cycles, 3.90625 ms. */
	cmos_wr(&r, RTCM_REG_A, 0x21, 6 * S);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, 6 * S), RTCM_C_UF | RTCM_C_PF);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, 6 * S + 3906249), 0x00);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_C, 6 * S + 3906250), RTCM_C_PF);
}

TEST(rtc_nvram_and_index_port)
{
	struct rtc_model r;
	rtc_model_init(&r, 1686789005);
	/* Plain NVRAM: every byte 0x0E-0x7F but the century holds what is written. */
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != RTCM_CENTURY)
			CHECK_EQ(cmos_rd(&r, (uint8_t)i, 0), 0);
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != RTCM_CENTURY)
			cmos_wr(&r, (uint8_t)i, (uint8_t)(i * 7 + 3), 0);
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != RTCM_CENTURY)
			CHECK_EQ(cmos_rd(&r, (uint8_t)i, S), (uint8_t)(i * 7 + 3));
	/* Alarms are stored only. */
	cmos_wr(&r, RTCM_SECONDS_ALARM, 0x12, S);
	cmos_wr(&r, RTCM_MINUTES_ALARM, 0xc0, S);
	cmos_wr(&r, RTCM_HOURS_ALARM, 0x23, S);
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS_ALARM, S), 0x12);
	CHECK_EQ(cmos_rd(&r, RTCM_MINUTES_ALARM, S), 0xc0);
	CHECK_EQ(cmos_rd(&r, RTCM_HOURS_ALARM, S), 0x23);
	/* Index bit 7 masks NMI (stored only) and is not part of the index. */
	CHECK(!rtc_model_nmi_masked(&r));
	CHECK_EQ(cmos_rd(&r, 0x80 | 0x10, S), 0x10 * 7 + 3);
	CHECK(rtc_model_nmi_masked(&r));
	cmos_wr(&r, 0x80 | 0x11, 0x5a, S);
	CHECK_EQ(cmos_rd(&r, 0x11, S), 0x5a);
	CHECK(!rtc_model_nmi_masked(&r));
	/* The index persists across data accesses; port 0x70 reads 0xFF. */
	rtc_model_write(&r, RTCM_PORT_INDEX, 0x20, S);
	CHECK_EQ(rtc_model_read(&r, RTCM_PORT_DATA, S), 0x20 * 7 + 3);
	rtc_model_write(&r, RTCM_PORT_DATA, 0x99, S);
	CHECK_EQ(rtc_model_read(&r, RTCM_PORT_DATA, S), 0x99);
	CHECK_EQ(rtc_model_read(&r, RTCM_PORT_INDEX, S), 0xff);
	CHECK_EQ(rtc_model_read(&r, 0x72, S), 0xff);
	rtc_model_write(&r, 0x72, 0x21, S);
	CHECK_EQ(rtc_model_read(&r, RTCM_PORT_DATA, S), 0x99);
	/* The time bytes were untouched by all this. */
	CHECK_EQ(cmos_rd(&r, RTCM_SECONDS, S), 0x06);
}

/* Linux's mc146818_get_time: wait until UIP is clear, read the fields,
 * check that UIP did not rise meanwhile. */
TEST(rtc_linux_get_time)
{
	struct rtc_model r;
	rtc_model_init(&r, 951831907 - 1); /* 2000-02-29 13:45:06 */
	uint64_t t = 999800000;             /* in the UIP window */
	unsigned polls = 0;
	while (cmos_rd(&r, RTCM_REG_A, t) & RTCM_A_UIP) {
		t += 10000; /* 10 us per poll */
		polls++;
	}
	CHECK_EQ(polls, 20);
	CHECK_EQ(t, S);
	uint8_t sec = cmos_rd(&r, RTCM_SECONDS, t), min = cmos_rd(&r, RTCM_MINUTES, t);
	uint8_t hour = cmos_rd(&r, RTCM_HOURS, t), mday = cmos_rd(&r, RTCM_DAY_OF_MONTH, t);
	uint8_t mon = cmos_rd(&r, RTCM_MONTH, t), year = cmos_rd(&r, RTCM_YEAR, t);
	uint8_t cent = cmos_rd(&r, RTCM_CENTURY, t), ctrl = cmos_rd(&r, RTCM_REG_B, t);
	CHECK_EQ(cmos_rd(&r, RTCM_REG_A, t) & RTCM_A_UIP, 0);
	CHECK_EQ(ctrl & RTCM_B_DM, 0);
	CHECK_EQ(sec, 0x07);
	CHECK_EQ(min, 0x45);
	CHECK_EQ(hour, 0x13);
	CHECK_EQ(mday, 0x29);
	CHECK_EQ(mon, 0x02);
	CHECK_EQ(year, 0x00);
	CHECK_EQ(cent, 0x20);
}
