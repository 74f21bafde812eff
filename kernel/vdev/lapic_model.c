/* Local APIC device model: see lapic_model.h for the modelling choices.
 * Section numbers refer to the Intel SDM Vol. 3A chapter 11 "Advanced
 * Programmable Interrupt Controller (APIC)". */
#include "lapic_model.h"

#include <stddef.h>

#define NS_PER_SEC 1000000000ull

/* LVT indexes, in register order from 0x320. */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR };

/* Writable bits of each LVT (11.5.1, Figure 11-8); delivery status (bit 12)
 * always reads 0 and remote IRR (bit 14) is maintained by the model. */
static const uint32_t lvt_writable[LAPICM_NR_LVT] = {
	[LVT_TIMER] = 0x000600ffu | LAPICM_LVT_MASKED,   /* vector, mask, mode 18:17 */
	[LVT_THERMAL] = 0x000007ffu | LAPICM_LVT_MASKED, /* vector, delivery mode */
	[LVT_PERF] = 0x000007ffu | LAPICM_LVT_MASKED,
	[LVT_LINT0] = 0x0000a7ffu | LAPICM_LVT_MASKED,   /* + polarity, trigger */
	[LVT_LINT1] = 0x0000a7ffu | LAPICM_LVT_MASKED,
	[LVT_ERROR] = 0x000000ffu | LAPICM_LVT_MASKED,
};

/* ---- 64-bit arithmetic without libgcc ---- */

/* floor(a * b / c), saturating at UINT64_MAX; *rem_nonzero tells whether the
 * division was inexact. Only a 64x64->128 multiply (one instruction) and a
 * bitwise long division: no __int128 division (libgcc's __udivti3). */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c, bool *rem_nonzero)
{
	unsigned __int128 p = (unsigned __int128)a * b;
	uint64_t hi = (uint64_t)(p >> 64), lo = (uint64_t)p, q = 0;

	if (hi == 0) {
		if (rem_nonzero)
			*rem_nonzero = lo % c != 0;
		return lo / c;
	}
	if (hi >= c) {
		if (rem_nonzero)
			*rem_nonzero = true;
		return UINT64_MAX;
	}
	/* Restoring division; hi < c throughout, the quotient fits 64 bits. */
	for (int i = 0; i < 64; i++) {
		bool carry = hi >> 63;

		hi = (hi << 1) | (lo >> 63);
		lo <<= 1;
		q <<= 1;
		if (carry || hi >= c) {
			hi -= c;
			q |= 1;
		}
	}
	if (rem_nonzero)
		*rem_nonzero = hi != 0;
	return q;
}

static uint64_t mul_div_up(uint64_t a, uint64_t b, uint64_t c)
{
	bool inexact;
	uint64_t q = mul_div(a, b, c, &inexact);

	return (inexact && q != UINT64_MAX) ? q + 1 : q;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* ---- state helpers ---- */

static bool hw_enabled(const struct lapic_model *l)
{
	return l->apic_base & LAPICM_BASE_ENABLE;
}

static bool x2(const struct lapic_model *l)
{
	return hw_enabled(l) && (l->apic_base & LAPICM_BASE_EXTD);
}

static bool sw_enabled(const struct lapic_model *l)
{
	return l->svr & LAPICM_SVR_ENABLE;
}

static bool bit_test(const uint32_t *r, unsigned v)
{
	return r[v >> 5] & (1u << (v & 31));
}

static void bit_set(uint32_t *r, unsigned v)
{
	r[v >> 5] |= 1u << (v & 31);
}

static void bit_clear(uint32_t *r, unsigned v)
{
	r[v >> 5] &= ~(1u << (v & 31));
}

/* Highest set bit of a 256-bit register, or -1. */
static int highest(const uint32_t *r)
{
	for (int i = 7; i >= 0; i--)
		if (r[i])
			return i * 32 + 31 - __builtin_clz(r[i]);
	return -1;
}

/* 11.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0. */
static uint8_t ppr(const struct lapic_model *l)
{
	int isrv = highest(l->isr);
	uint8_t isr_class = isrv < 0 ? 0 : (uint8_t)(isrv & 0xf0);

	return (l->tpr & 0xf0) >= isr_class ? l->tpr : isr_class;
}

/* 11.6.2.1 (xAPIC only). */
static uint8_t apr(const struct lapic_model *l)
{
	int isrv = highest(l->isr), irrv = highest(l->irr);
	uint8_t isr_class = isrv < 0 ? 0 : (uint8_t)(isrv & 0xf0);
	uint8_t irr_class = irrv < 0 ? 0 : (uint8_t)(irrv & 0xf0);
	uint8_t m = l->tpr & 0xf0;

	if ((l->tpr & 0xf0) >= irr_class && (l->tpr & 0xf0) > isr_class)
		return l->tpr;
	if (isr_class > m)
		m = isr_class;
	if (irr_class > m)
		m = irr_class;
	return m;
}

static uint32_t x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 15));
}

/* ---- timer (11.5.4) ---- */

static unsigned timer_mode(const struct lapic_model *l)
{
	unsigned m = (l->lvt[LVT_TIMER] >> LAPICM_LVT_MODE_SHIFT) & 3;

	return m == 3 ? LAPICM_TIMER_ONESHOT : m; /* reserved mode: one-shot */
}

/* 11.5.4 Figure 11-10: DCR bits 0,1,3 -> 2,4,8,16,32,64,128,1. */
static uint64_t divider(const struct lapic_model *l)
{
	unsigned idx = (l->timer_dcr & 3) | ((l->timer_dcr >> 1) & 4);

	return idx == 7 ? 1 : 2ull << idx;
}

/* Nanoseconds for the counter to count down `count` (rounded up, so that at
 * that time the computed count has reached 0). */
static uint64_t count_ns(const struct lapic_model *l, uint64_t count)
{
	uint64_t ns = mul_div_up(count * divider(l), NS_PER_SEC, l->timer_hz);

	return ns ? ns : 1;
}

/* Counter decrements elapsed since count_start_ns. */
static uint64_t elapsed_counts(const struct lapic_model *l, uint64_t now_ns)
{
	if (now_ns <= l->count_start_ns)
		return 0;
	return mul_div(now_ns - l->count_start_ns, l->timer_hz, NS_PER_SEC, NULL) / divider(l);
}

static uint32_t current_count(const struct lapic_model *l, uint64_t now_ns)
{
	uint64_t e;

	if (!l->timer_armed || timer_mode(l) == LAPICM_TIMER_TSCDL)
		return 0;
	e = elapsed_counts(l, now_ns);
	if (e < l->count_start)
		return (uint32_t)(l->count_start - e);
	if (timer_mode(l) == LAPICM_TIMER_PERIODIC && l->timer_icr)
		return (uint32_t)(l->timer_icr - (e - l->count_start) % l->timer_icr);
	return 0;
}

/* Tell the caller about a change of the next expiry. */
static void report_timer(struct lapic_model *l)
{
	uint64_t want = 0;

	if (l->timer_armed)
		want = l->timer_deadline_ns ? l->timer_deadline_ns : 1;
	if (want == l->timer_reported)
		return;
	l->timer_reported = want;
	if (l->ops.set_timer)
		l->ops.set_timer(l->ops.ctx, want);
}

static void disarm(struct lapic_model *l)
{
	l->timer_armed = false;
	l->timer_deadline_ns = 0;
}

/* Start counting `count` down from now (one-shot/periodic). */
static void start_count(struct lapic_model *l, uint64_t count, uint64_t now_ns)
{
	if (!count) {
		disarm(l);
		return;
	}
	l->count_start_ns = now_ns;
	l->count_start = count;
	l->timer_armed = true;
	l->timer_deadline_ns = sat_add(now_ns, count_ns(l, count));
}

static void lvt_fire(struct lapic_model *l, unsigned lvt)
{
	uint32_t v = l->lvt[lvt];

	if (!(v & LAPICM_LVT_MASKED))
		lapic_model_accept(l, (uint8_t)v, false);
}

/* Fire an expiry due at now_ns, re-arm a periodic timer, report the change. */
static void timer_service(struct lapic_model *l, uint64_t now_ns)
{
	if (l->timer_armed && now_ns >= l->timer_deadline_ns) {
		uint64_t due = l->timer_deadline_ns;

		if (timer_mode(l) == LAPICM_TIMER_PERIODIC && l->timer_icr) {
			uint64_t period = count_ns(l, l->timer_icr);
			uint64_t next = sat_add(due, period);

			if (next <= now_ns) { /* missed periods: coalesce */
				uint64_t n = (now_ns - next) / period + 1;
				due = sat_add(due, n * period);
				next = sat_add(due, period);
			}
			l->count_start_ns = due;
			l->count_start = l->timer_icr;
			l->timer_deadline_ns = next;
		} else {
			disarm(l);
			l->tsc_deadline = 0;
		}
		lvt_fire(l, LVT_TIMER);
	}
	report_timer(l);
}

static void write_lvt_timer(struct lapic_model *l, uint32_t value, uint64_t now_ns)
{
	bool was_dl = timer_mode(l) == LAPICM_TIMER_TSCDL, is_dl;

	timer_service(l, now_ns);
	l->lvt[LVT_TIMER] = value;
	is_dl = timer_mode(l) == LAPICM_TIMER_TSCDL;
	if (was_dl != is_dl) {
		/* 11.5.4.1: a transition to or from TSC-deadline mode disarms. */
		disarm(l);
		l->timer_icr = 0;
		l->tsc_deadline = 0;
	}
	report_timer(l);
}

static void write_timer_icr(struct lapic_model *l, uint32_t value, uint64_t now_ns)
{
	if (timer_mode(l) == LAPICM_TIMER_TSCDL)
		return; /* 11.5.4.1: ignored in TSC-deadline mode */
	l->timer_icr = value;
	start_count(l, value, now_ns);
	report_timer(l);
}

static void write_timer_dcr(struct lapic_model *l, uint32_t value, uint64_t now_ns)
{
	uint32_t cur;

	timer_service(l, now_ns);
	cur = current_count(l, now_ns);
	l->timer_dcr = value & 0xb;
	if (l->timer_armed && timer_mode(l) != LAPICM_TIMER_TSCDL)
		start_count(l, cur, now_ns); /* continue from the current count */
	report_timer(l);
}

static void write_tsc_deadline(struct lapic_model *l, uint64_t value, uint64_t now_ns,
			       uint64_t guest_tsc)
{
	if (timer_mode(l) != LAPICM_TIMER_TSCDL)
		return;
	l->tsc_deadline = value;
	if (!value) {
		disarm(l);
	} else {
		uint64_t delta = value > guest_tsc ? value - guest_tsc : 0;

		l->timer_armed = true;
		l->timer_deadline_ns = sat_add(now_ns, mul_div_up(delta, NS_PER_SEC, l->tsc_hz));
	}
	timer_service(l, now_ns); /* a past deadline fires at once */
}

/* ---- errors, EOI, LINT ---- */

static void raise_error(struct lapic_model *l, uint32_t bits)
{
	uint32_t v = l->lvt[LVT_ERROR];

	l->esr_pending |= bits;
	/* 11.5.3: an error interrupt through the LVT error entry. A vector below
	 * 16 there would recurse through "receive illegal vector": not sent. */
	if (!(v & LAPICM_LVT_MASKED) && (v & 0xff) >= 16)
		lapic_model_accept(l, (uint8_t)v, false);
}

/* Level-triggered LINT with fixed delivery: deliver if asserted and not
 * already in service (remote IRR). */
static void lint_level_deliver(struct lapic_model *l, unsigned pin)
{
	uint32_t *lvt = &l->lvt[LVT_LINT0 + pin];

	if (!l->lint_level[pin] || (*lvt & (LAPICM_LVT_MASKED | LAPICM_LVT_REMOTE_IRR)))
		return;
	if (((*lvt >> 8) & 7) != LAPICM_DM_FIXED || !(*lvt & LAPICM_LVT_LEVEL))
		return;
	*lvt |= LAPICM_LVT_REMOTE_IRR;
	lapic_model_accept(l, (uint8_t)*lvt, true);
}

static void do_eoi(struct lapic_model *l)
{
	int v = highest(l->isr);

	if (v < 0)
		return;
	bit_clear(l->isr, (unsigned)v);
	for (unsigned pin = 0; pin < 2; pin++) {
		uint32_t *lvt = &l->lvt[LVT_LINT0 + pin];

		if ((*lvt & LAPICM_LVT_REMOTE_IRR) && (*lvt & 0xff) == (unsigned)v) {
			*lvt &= ~LAPICM_LVT_REMOTE_IRR;
			lint_level_deliver(l, pin);
		}
	}
	if (bit_test(l->tmr, (unsigned)v) && l->ops.eoi)
		l->ops.eoi(l->ops.ctx, (uint8_t)v);
}

/* ---- ICR (11.6.1) ---- */

static void send_icr(struct lapic_model *l)
{
	uint32_t lo = (uint32_t)l->icr;
	uint8_t vector = (uint8_t)lo;
	int mode = (lo >> 8) & 7;
	bool logical = lo & LAPICM_ICR_LOGICAL;
	int shorthand = (lo >> 18) & 3;
	uint32_t dest = x2(l) ? (uint32_t)(l->icr >> 32) : (uint32_t)(l->icr >> 56);

	switch (mode) {
	case LAPICM_DM_FIXED:
	case LAPICM_DM_LOWEST:
		if (vector < 16) {
			raise_error(l, LAPICM_ESR_SEND_ILLEGAL);
			return;
		}
		break;
	case LAPICM_DM_INIT:
		/* INIT level de-assert: arbitration-ID sync, not delivered. */
		if ((lo & LAPICM_ICR_LEVELTRIG) && !(lo & LAPICM_ICR_ASSERT))
			return;
		/* fall through */
	case LAPICM_DM_NMI:
	case LAPICM_DM_SIPI:
		if (shorthand == LAPICM_SH_SELF)
			return;
		break;
	default: /* SMI, remote read, ExtINT, reserved */
		return;
	}
	if (l->ops.send_ipi)
		l->ops.send_ipi(l->ops.ctx, dest, shorthand, logical, vector, mode);
}

/* ---- reset ---- */

static void reset_registers(struct lapic_model *l)
{
	l->tpr = 0;
	l->ldr = 0;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	l->esr = 0;
	l->esr_pending = 0;
	l->icr = 0;
	for (unsigned i = 0; i < LAPICM_NR_LVT; i++)
		l->lvt[i] = LAPICM_LVT_MASKED;
	for (unsigned i = 0; i < 8; i++) {
		l->irr[i] = 0;
		l->isr[i] = 0;
		l->tmr[i] = 0;
	}
	l->timer_icr = 0;
	l->timer_dcr = 0;
	disarm(l);
	l->count_start_ns = 0;
	l->count_start = 0;
	l->tsc_deadline = 0;
	if (x2(l))
		l->ldr = x2apic_ldr(l->initial_id);
}

void lapic_model_init(struct lapic_model *l, uint32_t apic_id, bool bsp, uint64_t timer_hz,
		      uint64_t tsc_hz, const struct lapic_ops *ops)
{
	l->ops.send_ipi = ops ? ops->send_ipi : NULL;
	l->ops.set_timer = ops ? ops->set_timer : NULL;
	l->ops.eoi = ops ? ops->eoi : NULL;
	l->ops.ctx = ops ? ops->ctx : NULL;
	l->initial_id = apic_id;
	l->bsp = bsp;
	l->timer_hz = timer_hz ? timer_hz : NS_PER_SEC;
	l->tsc_hz = tsc_hz ? tsc_hz : NS_PER_SEC;
	l->apic_base = LAPICM_BASE_DEFAULT | LAPICM_BASE_ENABLE | (bsp ? LAPICM_BASE_BSP : 0);
	l->xapic_id = (uint8_t)apic_id;
	l->lint_level[0] = l->lint_level[1] = false;
	l->timer_reported = 0;
	reset_registers(l);
}

void lapic_model_init_signal(struct lapic_model *l)
{
	reset_registers(l);
	report_timer(l);
}

/* ---- register access, shared by MMIO and MSR ---- */

/* x2APIC MSR presence and access rules (11.12.1.2, Table 11-6). */
enum { ACC_NONE, ACC_RO, ACC_WO, ACC_RW };

static int access_kind(const struct lapic_model *l, uint32_t off)
{
	bool x = x2(l);

	switch (off) {
	case LAPICM_ID:
		return x ? ACC_RO : ACC_RW;
	case LAPICM_VERSION:
	case LAPICM_PPR:
		return ACC_RO;
	case LAPICM_APR:
	case LAPICM_DFR:
	case LAPICM_ICR_HI:
		return x ? ACC_NONE : (off == LAPICM_APR ? ACC_RO : ACC_RW);
	case LAPICM_TPR:
	case LAPICM_SVR:
	case LAPICM_ESR:
	case LAPICM_ICR_LO:
	case LAPICM_TIMER_ICR:
	case LAPICM_TIMER_DCR:
		return ACC_RW;
	case LAPICM_EOI:
		return ACC_WO;
	case LAPICM_LDR:
		return x ? ACC_RO : ACC_RW;
	case LAPICM_TIMER_CCR:
		return ACC_RO;
	case LAPICM_SELF_IPI:
		return x ? ACC_WO : ACC_NONE;
	default:
		break;
	}
	if (off >= LAPICM_ISR && off < LAPICM_IRR + 0x80)
		return ACC_RO;
	if (off >= LAPICM_LVT_TIMER && off <= LAPICM_LVT_ERROR)
		return ACC_RW;
	return ACC_NONE;
}

static uint64_t reg_read(struct lapic_model *l, uint32_t off, uint64_t now_ns)
{
	switch (off) {
	case LAPICM_ID:
		return x2(l) ? l->initial_id : (uint32_t)l->xapic_id << 24;
	case LAPICM_VERSION:
		return LAPICM_VERSION_VALUE;
	case LAPICM_TPR:
		return l->tpr;
	case LAPICM_APR:
		return apr(l);
	case LAPICM_PPR:
		return ppr(l);
	case LAPICM_LDR:
		return l->ldr;
	case LAPICM_DFR:
		return l->dfr;
	case LAPICM_SVR:
		return l->svr;
	case LAPICM_ESR:
		return l->esr;
	case LAPICM_ICR_LO:
		/* Delivery status (bit 12) always idle. */
		return x2(l) ? l->icr : (uint32_t)l->icr;
	case LAPICM_ICR_HI:
		return (uint32_t)(l->icr >> 32);
	case LAPICM_TIMER_ICR:
		return l->timer_icr;
	case LAPICM_TIMER_CCR:
		return current_count(l, now_ns);
	case LAPICM_TIMER_DCR:
		return l->timer_dcr;
	default:
		break;
	}
	if (off >= LAPICM_ISR && off < LAPICM_ISR + 0x80)
		return l->isr[(off - LAPICM_ISR) >> 4];
	if (off >= LAPICM_TMR && off < LAPICM_TMR + 0x80)
		return l->tmr[(off - LAPICM_TMR) >> 4];
	if (off >= LAPICM_IRR && off < LAPICM_IRR + 0x80)
		return l->irr[(off - LAPICM_IRR) >> 4];
	if (off >= LAPICM_LVT_TIMER && off <= LAPICM_LVT_ERROR)
		return l->lvt[(off - LAPICM_LVT_TIMER) >> 4];
	return 0; /* reserved, write-only */
}

static void reg_write(struct lapic_model *l, uint32_t off, uint64_t value, uint64_t now_ns)
{
	uint32_t v = (uint32_t)value;

	switch (off) {
	case LAPICM_ID:
		l->xapic_id = (uint8_t)(v >> 24);
		return;
	case LAPICM_TPR:
		l->tpr = (uint8_t)v;
		return;
	case LAPICM_EOI:
		do_eoi(l);
		return;
	case LAPICM_LDR:
		l->ldr = v & 0xff000000u;
		return;
	case LAPICM_DFR:
		l->dfr = v | 0x0fffffffu;
		return;
	case LAPICM_SVR:
		l->svr = v & (0xffu | LAPICM_SVR_ENABLE | LAPICM_SVR_FOCUS);
		if (!sw_enabled(l))
			for (unsigned i = 0; i < LAPICM_NR_LVT; i++)
				l->lvt[i] |= LAPICM_LVT_MASKED;
		return;
	case LAPICM_ESR:
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return;
	case LAPICM_ICR_LO:
		if (x2(l))
			l->icr = value & 0xffffffff000ccfffull;
		else
			l->icr = (l->icr & 0xffffffff00000000ull) | (v & 0x000ccfffu);
		send_icr(l);
		return;
	case LAPICM_ICR_HI:
		l->icr = (l->icr & 0xffffffffull) | ((uint64_t)(v & 0xff000000u) << 32);
		return;
	case LAPICM_TIMER_ICR:
		write_timer_icr(l, v, now_ns);
		return;
	case LAPICM_TIMER_DCR:
		write_timer_dcr(l, v, now_ns);
		return;
	case LAPICM_SELF_IPI:
		if ((uint8_t)v < 16) {
			raise_error(l, LAPICM_ESR_SEND_ILLEGAL);
			return;
		}
		if (l->ops.send_ipi)
			l->ops.send_ipi(l->ops.ctx, 0, LAPICM_SH_SELF, false, (uint8_t)v,
					LAPICM_DM_FIXED);
		return;
	default:
		break;
	}
	if (off >= LAPICM_LVT_TIMER && off <= LAPICM_LVT_ERROR) {
		unsigned i = (off - LAPICM_LVT_TIMER) >> 4;

		v &= lvt_writable[i];
		if (!sw_enabled(l))
			v |= LAPICM_LVT_MASKED; /* 11.4.7.2 */
		v |= l->lvt[i] & LAPICM_LVT_REMOTE_IRR;
		if (i == LVT_TIMER) {
			write_lvt_timer(l, v, now_ns);
		} else {
			l->lvt[i] = v;
			if (i == LVT_LINT0 || i == LVT_LINT1)
				lint_level_deliver(l, i - LVT_LINT0);
		}
	}
}

int lapic_model_mmio_read(struct lapic_model *l, uint32_t offset, uint32_t *value, uint64_t now_ns)
{
	if (!hw_enabled(l) || x2(l) || (offset & 0xf) || offset >= 0x1000)
		return -1;
	*value = access_kind(l, offset) & ACC_RO ? (uint32_t)reg_read(l, offset, now_ns) : 0;
	return 0;
}

int lapic_model_mmio_write(struct lapic_model *l, uint32_t offset, uint32_t value, uint64_t now_ns)
{
	if (!hw_enabled(l) || x2(l) || (offset & 0xf) || offset >= 0x1000)
		return -1;
	if (access_kind(l, offset) & ACC_WO)
		reg_write(l, offset, value, now_ns);
	return 0;
}

int lapic_model_msr_read(struct lapic_model *l, uint32_t msr, uint64_t *value, uint64_t now_ns)
{
	uint32_t off;

	if (msr == LAPICM_MSR_APIC_BASE) {
		*value = l->apic_base;
		return 0;
	}
	if (msr == LAPICM_MSR_TSC_DEADLINE) {
		*value = hw_enabled(l) && timer_mode(l) == LAPICM_TIMER_TSCDL ? l->tsc_deadline : 0;
		return 0;
	}
	if (msr < LAPICM_MSR_X2APIC_FIRST || msr > LAPICM_MSR_X2APIC_LAST || !x2(l))
		return -1;
	off = (msr - LAPICM_MSR_X2APIC_FIRST) << 4;
	if (!(access_kind(l, off) & ACC_RO))
		return -1;
	*value = reg_read(l, off, now_ns);
	return 0;
}

/* IA32_APIC_BASE write (11.4.4, 11.12.5). */
static int write_apic_base(struct lapic_model *l, uint64_t value)
{
	const uint64_t base_mask = 0x000ffffffffff000ull; /* 52-bit physical addresses */
	uint64_t mode_bits = LAPICM_BASE_ENABLE | LAPICM_BASE_EXTD;
	uint64_t old = l->apic_base & mode_bits, new = value & mode_bits;

	if (value & ~(base_mask | mode_bits | LAPICM_BASE_BSP))
		return -1; /* reserved bits */
	if ((value & base_mask) != (l->apic_base & base_mask))
		return -1; /* relocation refused */
	if (new == LAPICM_BASE_EXTD)
		return -1; /* EXTD without EN: invalid */
	if (old == (LAPICM_BASE_ENABLE | LAPICM_BASE_EXTD) && new == LAPICM_BASE_ENABLE)
		return -1; /* x2APIC -> xAPIC */
	if (old == 0 && new == (LAPICM_BASE_ENABLE | LAPICM_BASE_EXTD))
		return -1; /* disabled -> x2APIC */
	if (old == new)
		return 0;
	l->apic_base = (l->apic_base & ~mode_bits) | new;
	if (!new) {
		/* 11.4.3: disabling is a reset of the APIC state. */
		l->xapic_id = (uint8_t)l->initial_id;
		reset_registers(l);
		report_timer(l);
	} else if (new & LAPICM_BASE_EXTD) {
		/* 11.12.5.1: xAPIC -> x2APIC keeps the state, LDR derived from the ID. */
		l->ldr = x2apic_ldr(l->initial_id);
	}
	return 0;
}

int lapic_model_msr_write(struct lapic_model *l, uint32_t msr, uint64_t value, uint64_t now_ns,
			  uint64_t guest_tsc)
{
	uint32_t off;

	if (msr == LAPICM_MSR_APIC_BASE)
		return write_apic_base(l, value);
	if (msr == LAPICM_MSR_TSC_DEADLINE) {
		if (hw_enabled(l))
			write_tsc_deadline(l, value, now_ns, guest_tsc);
		return 0;
	}
	if (msr < LAPICM_MSR_X2APIC_FIRST || msr > LAPICM_MSR_X2APIC_LAST || !x2(l))
		return -1;
	off = (msr - LAPICM_MSR_X2APIC_FIRST) << 4;
	if (!(access_kind(l, off) & ACC_WO))
		return -1;
	if (off != LAPICM_ICR_LO && (value >> 32))
		return -1;
	if ((off == LAPICM_EOI || off == LAPICM_ESR) && value)
		return -1;
	reg_write(l, off, value, now_ns);
	return 0;
}

/* ---- interrupt flow (11.8) ---- */

void lapic_model_accept(struct lapic_model *l, uint8_t vector, bool level)
{
	if (!hw_enabled(l))
		return;
	if (vector < 16) {
		raise_error(l, LAPICM_ESR_RECV_ILLEGAL);
		return;
	}
	bit_set(l->irr, vector);
	if (level)
		bit_set(l->tmr, vector);
	else
		bit_clear(l->tmr, vector);
}

int lapic_model_pending(const struct lapic_model *l)
{
	int v;

	if (!hw_enabled(l))
		return -1;
	v = highest(l->irr);
	if (v < 0 || (v & 0xf0) <= (ppr(l) & 0xf0))
		return -1;
	return v;
}

void lapic_model_ack(struct lapic_model *l, uint8_t vector)
{
	if (!bit_test(l->irr, vector))
		return;
	bit_clear(l->irr, vector);
	bit_set(l->isr, vector);
}

void lapic_model_tick(struct lapic_model *l, uint64_t now_ns)
{
	timer_service(l, now_ns);
}

int lapic_model_lint(struct lapic_model *l, unsigned pin, bool level)
{
	bool rising;
	uint32_t lvt;

	if (pin > 1)
		return LAPICM_LINT_NONE;
	rising = level && !l->lint_level[pin];
	l->lint_level[pin] = level;
	if (!hw_enabled(l)) {
		/* 11.4.3: LINT0 is INTR, LINT1 is NMI. */
		if (pin == 0)
			return level ? LAPICM_LINT_EXTINT : LAPICM_LINT_NONE;
		return rising ? LAPICM_LINT_NMI : LAPICM_LINT_NONE;
	}
	lvt = l->lvt[LVT_LINT0 + pin];
	if (lvt & LAPICM_LVT_MASKED)
		return LAPICM_LINT_NONE;
	switch ((lvt >> 8) & 7) {
	case LAPICM_DM_FIXED:
		if (lvt & LAPICM_LVT_LEVEL)
			lint_level_deliver(l, pin);
		else if (rising)
			lapic_model_accept(l, (uint8_t)lvt, false);
		return LAPICM_LINT_NONE;
	case LAPICM_DM_NMI:
		return rising ? LAPICM_LINT_NMI : LAPICM_LINT_NONE;
	case LAPICM_DM_EXTINT:
		return level ? LAPICM_LINT_EXTINT : LAPICM_LINT_NONE;
	default:
		return LAPICM_LINT_NONE;
	}
}

/* ---- routing helpers ---- */

bool lapic_model_enabled(const struct lapic_model *l)
{
	return hw_enabled(l);
}

bool lapic_model_x2apic(const struct lapic_model *l)
{
	return x2(l);
}

uint32_t lapic_model_id(const struct lapic_model *l)
{
	return x2(l) ? l->initial_id : l->xapic_id;
}

bool lapic_model_match(const struct lapic_model *l, uint32_t dest, bool logical)
{
	if (!hw_enabled(l))
		return false;
	if (x2(l)) {
		if (dest == LAPICM_X2APIC_BROADCAST)
			return true;
		if (!logical)
			return dest == l->initial_id;
		return (dest >> 16) == (l->ldr >> 16) && (dest & l->ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == LAPICM_XAPIC_BROADCAST)
		return true;
	if (!logical)
		return dest == l->xapic_id;
	if ((l->dfr >> 28) == 0xf) /* flat */
		return dest & (l->ldr >> 24);
	/* cluster */
	return (dest >> 4) == (l->ldr >> 28) && (dest & (l->ldr >> 24) & 0xf);
}
