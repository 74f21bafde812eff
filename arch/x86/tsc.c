/*
 * The monotonic clock: TSC scaled to nanoseconds. The TSC rate comes from
 * CPUID 0x15 when it names the crystal (SDM Vol. 3B 18.7.3); otherwise it is
 * measured against the ACPI PM timer (3.579545 MHz, ACPI 6.5 4.8.3.3) or the
 * PIT (1.193182 MHz). CPUID 0x16 is only a nominal figure (SDM Vol. 2A CPUID,
 * leaf 16H: "does not reflect actual values"), and emulators report it
 * unrelated to their real TSC rate, so it is not trusted.
 */
#include <arch/cpu.h>
#include <arch/timer.h>
#include <kernel/log.h>
#include <kernel/time.h>

#define PM_TIMER_HZ 3579545ull
#define PIT_HZ      1193182ull
#define CALIBRATE_MS 50
#define POLL_LIMIT  200000000ull

static uint64_t tsc_hz, tsc_start, ns_mult; /* ns = ((tsc - start) * mult) >> 32 */

uint64_t time_tsc_hz(void) { return tsc_hz; }

uint64_t time_ticks_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

uint64_t time_ns(void)
{
	return ns_mult ? time_ticks_to_ns(rdtsc() - tsc_start) : 0;
}

/* ns * hz / 1e9 without 128-bit division (no libgcc here): the remainder
 * part stays below 1e9 * hz < 2^64 for any TSC under 18 GHz. */
uint64_t time_ns_to_ticks(uint64_t ns)
{
	return ns / 1000000000ull * tsc_hz + ns % 1000000000ull * tsc_hz / 1000000000ull;
}

uint64_t time_ns_to_tsc(uint64_t ns)
{
	return tsc_start + time_ns_to_ticks(ns);
}

void time_delay_us(uint64_t us)
{
	uint64_t hz = tsc_hz ? tsc_hz : 3000000000ull; /* before calibration: assume fast */
	uint64_t end = rdtsc() + hz / 1000000 * us;
	while ((int64_t)(rdtsc() - end) < 0)
		cpu_relax();
}

static uint64_t from_cpuid_15h(void)
{
	if (cpuid(0, 0).eax < 0x15)
		return 0;
	struct cpuid_regs r = cpuid(0x15, 0);
	if (!r.eax || !r.ebx || !r.ecx)
		return 0;
	return (uint64_t)r.ecx * r.ebx / r.eax;
}

/* TSC ticks while the PM timer advances by CALIBRATE_MS; 0 if it is stuck. */
static uint64_t from_pm_timer(uint16_t port, bool wide)
{
	uint32_t mask = wide ? 0xffffffffu : 0xffffffu;
	uint32_t want = PM_TIMER_HZ * CALIBRATE_MS / 1000, start = inl(port) & mask, now = start;
	uint64_t t0 = rdtsc(), polls = 0;
	while (((now - start) & mask) < want) {
		if (++polls > POLL_LIMIT)
			return 0;
		now = inl(port) & mask;
	}
	uint64_t t1 = rdtsc();
	return (t1 - t0) * PM_TIMER_HZ / ((now - start) & mask);
}

/* PIT channel 2 in mode 0, gated through port 0x61 (8254 datasheet). */
static uint64_t from_pit(void)
{
	uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;
	outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* speaker off, gate on */
	outb(0x43, 0xb0);                       /* ch2, lo/hi, mode 0, binary */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	uint64_t t0 = rdtsc(), polls = 0;
	while (!(inb(0x61) & 0x20)) {
		if (++polls > POLL_LIMIT)
			return 0;
	}
	return (rdtsc() - t0) * PIT_HZ / count;
}

int time_init(uint16_t pm_port, bool pm_wide)
{
	const char *source = "cpuid 0x15";
	tsc_hz = from_cpuid_15h();
	if (!tsc_hz && pm_port) {
		source = "acpi pm timer";
		tsc_hz = from_pm_timer(pm_port, pm_wide);
	}
	if (!tsc_hz) {
		source = "pit";
		tsc_hz = from_pit();
	}
	if (!tsc_hz) {
		log_err("tessera: time: cannot measure the TSC rate (no cpuid 0x15, pm timer or pit)");
		return -1;
	}
	tsc_start = rdtsc();
	ns_mult = (1000000000ull << 32) / tsc_hz;
	bool invariant = (cpuid(0x80000007, 0).edx >> 8) & 1;
	log_info("tessera: tsc %lu.%03lu MHz (from %s), invariant: %s", tsc_hz / 1000000,
		 tsc_hz / 1000 % 1000, source, invariant ? "yes" : "no");
	return 0;
}
