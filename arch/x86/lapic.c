#include <arch/cpu.h>
#include <arch/lapic.h>
#include <kernel/time.h>

#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)

/* Register offsets (SDM Table 10-1); the x2APIC MSR is 0x800 + offset/16. */
#define LAPIC_ID   0x020
#define LAPIC_SVR  0x0f0
#define LAPIC_EOI  0x0b0
#define LAPIC_ICRL 0x300
#define LAPIC_ICRH 0x310
#define ICR_PENDING (1u << 12)
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0
#define TIMER_DIV16     0x3 /* SDM 11.5.4 Figure 11-10: divide by 16 */
#define LVT_MASKED      (1u << 16)
#define SPURIOUS_VECTOR 0xff

static bool use_x2apic;
static bool ready;
static uint64_t mmio_base;

bool lapic_x2apic(void) { return use_x2apic; }
uint64_t lapic_mmio_base(void) { return mmio_base; }

static uint32_t lapic_read(uint32_t reg)
{
	if (use_x2apic)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return mmio_read32(mmio_base + reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (use_x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio_write32(mmio_base + reg, v);
}

void lapic_init_bsp(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	/* CPUID.1:ECX[21] x2APIC; a firmware that already enabled it leaves no choice. */
	use_x2apic = (cpuid(1, 0).ecx >> 21) & 1 || (base & APIC_BASE_X2APIC);
	mmio_base = base & 0xffffff000ull;
}

void lapic_cpu_init(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	/* SDM 10.12.5: disabled -> xAPIC -> x2APIC; leaving x2APIC directly is illegal. */
	if (!(base & APIC_BASE_X2APIC)) {
		base |= APIC_BASE_ENABLE;
		wrmsr(MSR_IA32_APIC_BASE, base);
		if (use_x2apic)
			wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_X2APIC);
	}
	lapic_write(LAPIC_SVR, (1u << 8) | SPURIOUS_VECTOR);
	lapic_write(LAPIC_TIMER_DCR, TIMER_DIV16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
	ready = true;
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);
	return use_x2apic ? id : id >> 24;
}

bool lapic_send_ipi(uint32_t dest, uint32_t icr_low)
{
	if (use_x2apic) {
		/* SDM 11.12.3: the x2APIC ICR write is not serializing; earlier
		 * stores (a work request, a stop request) must be visible first. */
		__asm__ volatile("mfence; lfence" ::: "memory");
		wrmsr(0x830, ((uint64_t)dest << 32) | icr_low); /* SDM 10.12.9: one write */
		return true;
	}
	lapic_write(LAPIC_ICRH, dest << 24);
	lapic_write(LAPIC_ICRL, icr_low);
	for (int i = 0; i < 1000; i++) {
		if (!(lapic_read(LAPIC_ICRL) & ICR_PENDING))
			return true;
		time_delay_us(1);
	}
	return false;
}

void lapic_nmi_others(void)
{
	if (ready)
		lapic_send_ipi(0, ICR_NMI | ICR_ASSERT | ICR_ALL_BUT_SELF);
}

void lapic_eoi(void)
{
	if (ready)
		lapic_write(LAPIC_EOI, 0);
}

/* SDM 10.5.1: LVT entries 0x320 timer, 0x330 thermal, 0x340 perf, 0x350
 * LINT0, 0x370 error; bit 16 masks. LINT1 stays: it carries NMIs. */
void lapic_mask_lvt(void)
{
	static const uint32_t lvt[] = { 0x320, 0x330, 0x340, 0x350, 0x370 };
	uint32_t max_lvt = (lapic_read(0x030) >> 16) & 0xff;
	for (unsigned i = 0; i < sizeof lvt / sizeof lvt[0]; i++)
		if ((lvt[i] != 0x330 && lvt[i] != 0x340) || max_lvt >= 5)
			lapic_write(lvt[i], lapic_read(lvt[i]) | (1u << 16));
}

static uint64_t timer_hz; /* timer counts per second after the divider */

/* The timer's input clock is not architectural (SDM 11.5.4): count it
 * against the calibrated TSC for 10 ms, masked, on the boot CPU. Every
 * CPU's timer runs from the same clock. */
void lapic_timer_calibrate(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
	lapic_write(LAPIC_TIMER_ICR, 0xffffffffu);
	time_delay_us(10000);
	uint32_t left = lapic_read(LAPIC_TIMER_CCR);
	lapic_write(LAPIC_TIMER_ICR, 0);
	timer_hz = (uint64_t)(0xffffffffu - left) * 100;
}

uint64_t lapic_timer_hz(void) { return timer_hz; }

/* One-shot, unmasked: TIMER_VECTOR arrives after ns (at least one count,
 * at most 2^32 - 1 counts later). 0 cancels. */
void lapic_timer_arm_ns(uint64_t ns)
{
	if (!timer_hz)
		return;
	uint64_t counts = ns ? ns / 1000 * timer_hz / 1000000 + 1 : 0;
	if (counts > 0xffffffffu)
		counts = 0xffffffffu;
	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR); /* one-shot (bits 18:17 = 0) */
	lapic_write(LAPIC_TIMER_ICR, (uint32_t)counts);
}
