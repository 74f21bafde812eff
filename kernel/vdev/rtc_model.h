/* A pure device model of the PC's CMOS real-time clock, a Motorola MC146818
 * (as integrated in every PC chipset) behind the index port 0x70 and the
 * data port 0x71. No globals, no hardware, no guest structures: the owner
 * gives the Unix time that corresponds to now_ns = 0 at init and forwards
 * the guest's byte accesses with the current time. References are to the
 * Motorola MC146818A datasheet: "Address Map" (Figure 3), "Time, Calendar
 * and Alarm Locations" (Table 3), "Register A" to "Register D", "Update
 * Cycle".
 *
 * Model (what the guest sees):
 *  - 128 bytes of CMOS: index bits 6:0 select the byte; index bit 7 is the
 *    PC's NMI mask, stored (rtc_model_nmi_masked) but not acted on. The
 *    index persists across data accesses. Port 0x70 is write-only and reads
 *    0xFF (floating bus).
 *  - The time (0x00 seconds, 0x02 minutes, 0x04 hours, 0x06 day of week
 *    1 = Sunday, 0x07 day of month, 0x08 month, 0x09 year 00-99, and the
 *    century at 0x32, the byte the PC BIOS and ACPI's FADT CENTURY use) is
 *    computed on every read from the owner's clock plus a guest offset, in
 *    UTC, Gregorian calendar. Register B bit 2 (DM) selects binary or BCD,
 *    bit 1 24-hour or 12-hour (hour bit 7 = PM, 12 AM/PM read as 12); the
 *    century byte follows DM too. Unlike the silicon, which keeps the bytes
 *    in the format they were written in, the time always reads in the
 *    format register B selects now. Daylight saving (B bit 0) is stored only.
 *  - Second boundaries fall where now_ns is a multiple of 10^9 (the owner
 *    picks the base accordingly). The update is instantaneous at the
 *    boundary, so the time bytes are never inconsistent; register A's UIP
 *    (bit 7) reads 1 during the last 244 us before each boundary, the
 *    window in which the datasheet warns that an update is about to start,
 *    and 0 while SET is 1.
 *  - Setting the clock: B bit 7 (SET) freezes the time bytes (a snapshot in
 *    the current format), clears UIE (B bit 4) as the datasheet says, and
 *    lets the guest write them; clearing SET decodes the bytes (in the
 *    format B selects then) and the clock continues from that time: the
 *    guest's time becomes the host time plus a whole-second offset, so the
 *    next update falls on the host's next second boundary (the divider
 *    chain keeps running during SET). A time-byte write with SET clear acts
 *    as a SET-bracketed write of that one byte. If the bytes do not form a
 *    valid date and time from 1970 to 9999 (BCD digits, ranges, day of
 *    month) the write-back is discarded and the clock keeps its previous
 *    offset. Day of week is always computed from the date: a written value
 *    reads back only while SET is 1.
 *  - Alarm bytes (0x01, 0x03, 0x05) are stored only; no alarm ever fires.
 *  - Register A: bits 6:0 (divider DV2-0, rate RS3-0) stored; the divider
 *    setting does not stop the clock. Power-on value 0x26 (32.768 kHz time
 *    base, 1024 Hz periodic rate), as the PC BIOS leaves it.
 *  - Register B: all bits stored, power-on 0x02 (24-hour, BCD).
 *  - Register C (read-only, cleared by a read): no interrupt line is
 *    modelled (IRQ 8 never fires), but the flags are kept sane for polling
 *    guests: UF (bit 4) is set when a second boundary has passed since C was
 *    last read, PF (bit 6) when a period of the rate that A bits 3:0 select
 *    (none for 0; RS 1 and 2 as 8 and 9, as with a 32.768 kHz base) has
 *    ended since then, both whatever SET and the enables say; AF (bit 5) is
 *    never set. IRQF (bit 7) = (PF & PIE) | (AF & AIE) | (UF & UIE).
 *  - Register D: bit 7 (VRT, battery good) always 1, bits 6:0 read 0;
 *    writes to C and D are ignored.
 *  - Every other byte (0x0E-0x7F except 0x32) is plain NVRAM, zero at init.
 *
 * Time (now_ns) must not go backwards. Names carry an RTCM_ prefix so they
 * do not clash with the host's own RTC definitions. */
#ifndef VDEV_RTC_MODEL_H
#define VDEV_RTC_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define RTCM_PORT_INDEX 0x70
#define RTCM_PORT_DATA  0x71
#define RTCM_NMI_MASK   0x80 /* index port bit 7 */
#define RTCM_CMOS_SIZE  128

/* Register indexes */
#define RTCM_SECONDS       0x00
#define RTCM_SECONDS_ALARM 0x01
#define RTCM_MINUTES       0x02
#define RTCM_MINUTES_ALARM 0x03
#define RTCM_HOURS         0x04
#define RTCM_HOURS_ALARM   0x05
#define RTCM_DAY_OF_WEEK   0x06
#define RTCM_DAY_OF_MONTH  0x07
#define RTCM_MONTH         0x08
#define RTCM_YEAR          0x09
#define RTCM_REG_A         0x0a
#define RTCM_REG_B         0x0b
#define RTCM_REG_C         0x0c
#define RTCM_REG_D         0x0d
#define RTCM_CENTURY       0x32

/* Register A */
#define RTCM_A_UIP     0x80
#define RTCM_A_DEFAULT 0x26

/* Register B */
#define RTCM_B_SET     0x80
#define RTCM_B_PIE     0x40
#define RTCM_B_AIE     0x20
#define RTCM_B_UIE     0x10
#define RTCM_B_SQWE    0x08
#define RTCM_B_DM      0x04 /* 1 = binary, 0 = BCD */
#define RTCM_B_24H     0x02
#define RTCM_B_DSE     0x01
#define RTCM_B_DEFAULT RTCM_B_24H

/* Register C */
#define RTCM_C_IRQF 0x80
#define RTCM_C_PF   0x40
#define RTCM_C_AF   0x20
#define RTCM_C_UF   0x10

/* Register D */
#define RTCM_D_VRT 0x80

/* A broken-down UTC time. */
struct rtc_civil_time {
	uint32_t year;   /* 1970..9999 */
	uint8_t month;   /* 1..12 */
	uint8_t day;     /* 1..31 */
	uint8_t hour;    /* 0..23 */
	uint8_t minute;  /* 0..59 */
	uint8_t second;  /* 0..59 */
	uint8_t wday;    /* 0 = Sunday .. 6 = Saturday (the RTC register is wday + 1) */
};

struct rtc_model {
	uint64_t epoch_at_ns0;  /* owner's Unix time at now_ns = 0 */
	int64_t offset_s;       /* guest time - owner time, whole seconds */
	uint64_t c_read_ns;     /* register C flags accumulate from this time */
	uint8_t index;          /* bits 6:0 of the last index-port write */
	bool nmi_masked;        /* its bit 7 */
	uint8_t cmos[RTCM_CMOS_SIZE]; /* NVRAM, alarms, A, B; the time bytes while SET */
};

/* Power-on state: time = epoch_seconds_at_ns0 + now_ns / 10^9, A = 0x26,
 * B = 0x02, C = 0, NVRAM and alarms zero, index 0, NMI not masked. */
void rtc_model_init(struct rtc_model *r, uint64_t epoch_seconds_at_ns0);
/* Byte access to port 0x70 or 0x71; other ports read 0xFF / are ignored. */
uint8_t rtc_model_read(struct rtc_model *r, unsigned port, uint64_t now_ns);
void rtc_model_write(struct rtc_model *r, unsigned port, uint8_t value, uint64_t now_ns);
/* The guest's clock in Unix seconds at now_ns (what the time bytes show
 * when SET is clear). */
uint64_t rtc_model_time(const struct rtc_model *r, uint64_t now_ns);
/* Bit 7 of the last index-port write. */
bool rtc_model_nmi_masked(const struct rtc_model *r);

/* Unix time to UTC calendar time. Times past 9999-12-31 23:59:59
 * (253402300799) saturate there. */
void rtc_model_civil_from_epoch(uint64_t epoch, struct rtc_civil_time *t);
/* UTC calendar time to Unix time; false (and *epoch untouched) unless the
 * fields form a valid date and time from 1970-01-01 to 9999-12-31. wday is
 * not checked. */
bool rtc_model_epoch_from_civil(const struct rtc_civil_time *t, uint64_t *epoch);

#endif
