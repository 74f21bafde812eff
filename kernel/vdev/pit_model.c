/* Intel 8254 PIT device model: see pit_model.h for the modelling choices.
 * Sections refer to the Intel 8254 datasheet (231164): "Control Word
 * Format", "Write Operations", "Read Operations" and "Mode Definitions". */
#include "pit_model.h"

#include <stddef.h>

#define NS_PER_SEC 1000000000ull
#define REFRESH_CLOCKS 18 /* PC/AT DRAM refresh: channel 1, mode 2, count 18 */

enum { ST_IDLE, ST_ARMED, ST_RUN };

/* ---- time base: absolute CLK edge numbers ---- */

/* Edges in (0, ns]: floor(ns * F / 10^9). With ns = q * 10^9 + r this is
 * q * F + floor(r * F / 10^9), exact, and r * F < 1.2e15 cannot overflow. */
static uint64_t edges_at(uint64_t ns)
{
	return ns / NS_PER_SEC * PITM_HZ + ns % NS_PER_SEC * PITM_HZ / NS_PER_SEC;
}

/* Time of edge x: ceil(x * 10^9 / F), split the same way (x = q * F + r). */
static uint64_t edge_ns(uint64_t x)
{
	uint64_t r = x % PITM_HZ;

	return x / PITM_HZ * NS_PER_SEC + (r * NS_PER_SEC + PITM_HZ - 1) / PITM_HZ;
}

static uint64_t sat_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* ---- control word fields ---- */

static unsigned rw_mode(const struct pit_channel *c)
{
	return (c->ctrl >> PITM_CW_RW_SHIFT) & 3;
}

static bool is_bcd(const struct pit_channel *c)
{
	return c->ctrl & PITM_CW_BCD;
}

/* The counter wraps at 2^16 in binary and at 10^4 in BCD; count 0 is this. */
static uint32_t modulus(const struct pit_channel *c)
{
	return is_bcd(c) ? 10000 : 65536;
}

static uint16_t to_bcd(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

static uint32_t from_bcd(uint16_t raw)
{
	return (raw >> 12) * 1000u + (raw >> 8 & 15) * 100u + (raw >> 4 & 15) * 10u + (raw & 15);
}

/* A count as written (LSB/MSB bytes) to its value, 0 meaning the modulus. */
static uint32_t decode_count(const struct pit_channel *c, uint16_t raw)
{
	uint32_t v = is_bcd(c) ? from_bcd(raw) : raw;

	return v ? v : modulus(c);
}

/* ---- the counting element ---- */

/* Decrements a running counter has made by edge e. */
static uint64_t decrements(const struct pit_channel *c, uint64_t e)
{
	return c->dec_base + (c->counting ? sat_sub(e, c->seg_edge) : 0);
}

/* Mode 3 ("Square Wave Mode"): position q in the period of n clocks. The
 * counter holds n (n - 1 if odd) and counts down by two in each half; an odd
 * count's high half lasts one extra clock, during which the counter reads 0. */
static uint32_t mode3_count(uint32_t n, uint64_t q)
{
	uint32_t half = (n + 1) / 2, even = n & ~1u;

	if (q >= half)
		q -= half;
	return even - 2 * (uint32_t)q;
}

/* The counting element's value at edge e (not yet BCD-encoded). */
static uint32_t counter_value(const struct pit_channel *c, uint64_t e)
{
	uint32_t m = modulus(c);
	uint64_t d;

	if (c->state != ST_RUN)
		return c->held;
	d = decrements(c, e);
	switch (c->mode) {
	case 2: /* n, n - 1, ..., 1, reload */
		return (c->n - (uint32_t)(d % c->n)) % m;
	case 3:
		return mode3_count(c->n, (d + c->phase) % c->n) % m;
	default: /* 0, 1, 4, 5: counts down through 0 and wraps */
		return (uint32_t)((c->n + m - d % m) % m);
	}
}

/* OUT at edge e, per mode ("Mode Definitions"). */
static bool out_level(const struct pit_channel *c, uint64_t e)
{
	uint64_t d;

	if (c->state == ST_IDLE)
		return c->mode != 0; /* a control word sets OUT low in mode 0, else high */
	if (c->state == ST_ARMED)
		return true;
	d = decrements(c, e);
	switch (c->mode) {
	case 0: /* low until terminal count, then high */
		return d >= c->n;
	case 1: /* low from the clock after the trigger until terminal count */
		return e < c->load_edge || d >= c->n;
	case 2: /* low for one clock when the count reaches 1; gate low forces high */
		return !c->counting || d % c->n != c->n - 1;
	case 3: /* high for the first half of the period; gate low forces high */
		return !c->counting || (d + c->phase) % c->n < (c->n + 1) / 2;
	default: /* 4, 5: low for one clock at terminal count */
		return d != c->n;
	}
}

/* Null count: a count written (or a control word) not yet loaded into the
 * counting element. */
static bool null_count(const struct pit_channel *c, uint64_t e)
{
	return c->state != ST_RUN || c->next_n || c->cr_unloaded || e < c->load_edge;
}

static uint8_t status_byte(const struct pit_channel *c, uint64_t e)
{
	return (uint8_t)((out_level(c, e) ? PITM_ST_OUT : 0) |
			 (null_count(c, e) ? PITM_ST_NULL : 0) | c->ctrl);
}

/* Load n into the counting element on `edge` and run from position `phase`. */
static void load(struct pit_channel *c, uint32_t n, uint64_t edge, uint32_t phase)
{
	c->state = ST_RUN;
	c->n = n;
	c->phase = phase;
	c->load_edge = edge;
	c->seg_edge = edge;
	c->dec_base = 0;
	c->next_n = 0;
	c->counting = c->gate || c->mode == 1 || c->mode == 5;
}

/* A mode 2/3 count written while counting waits for the end of the period
 * (mode 2) or of the current half-cycle (mode 3). */
static void schedule_reload(struct pit_channel *c, uint64_t e)
{
	uint64_t q = (decrements(c, e) + c->phase) % c->n;
	uint32_t half = (c->n + 1) / 2;

	if (c->mode == 3 && q < half) {
		c->next_edge = e + (half - q);
		c->next_phase = (c->cr + 1) / 2; /* the new count starts low */
	} else {
		c->next_edge = e + (c->n - q);
		c->next_phase = 0;
	}
	c->next_n = c->cr;
}

/* Apply a scheduled mode 2/3 reload whose edge has come. */
static void sync(struct pit_channel *c, uint64_t e)
{
	if (c->state == ST_RUN && c->next_n && c->counting && e >= c->next_edge)
		load(c, c->next_n, c->next_edge, c->next_phase);
}

/* Stop a running counter where it is (the value stays readable). */
static void stop(struct pit_channel *c, uint64_t e)
{
	if (c->state == ST_RUN)
		c->held = counter_value(c, e);
	c->state = ST_IDLE;
	c->counting = false;
	c->next_n = 0;
	c->cr_unloaded = false;
}

/* ---- rising edges of OUT (IRQ 0) ---- */

/* Modes 2 and 3: OUT rises at load + k * n - phase for k >= 1. First such
 * edge after `after`, 0 if none (count 1 never toggles). */
static uint64_t periodic_rise(uint32_t n, uint64_t load_edge, uint32_t phase, uint64_t after)
{
	uint64_t first = load_edge + n - phase;

	if (n < 2)
		return 0;
	if (after < first)
		return first;
	return first + ((after - first) / n + 1) * n;
}

/* Modes 0 and 1 rise when the decrements reach n, 4 and 5 one clock later. */
static uint64_t oneshot_rise(const struct pit_channel *c, uint64_t after)
{
	uint64_t target = c->n + (c->mode >= 4 ? 1 : 0), x;

	if (c->dec_base >= target)
		return 0;
	x = c->seg_edge + (target - c->dec_base);
	return x > after ? x : 0;
}

/* The first edge after `after` on which OUT rises by counting, 0 if none;
 * a scheduled reload changes the period from its edge on. */
static uint64_t next_rise(const struct pit_channel *c, uint64_t after)
{
	uint64_t x;

	if (c->state != ST_RUN || !c->counting)
		return 0;
	if (c->mode != 2 && c->mode != 3)
		return oneshot_rise(c, after);
	if (c->next_n && c->next_edge <= after)
		return periodic_rise(c->next_n, c->next_edge, c->next_phase, after);
	x = periodic_rise(c->n, c->load_edge, c->phase, after);
	if (c->next_n && (!x || x > c->next_edge))
		x = periodic_rise(c->next_n, c->next_edge, c->next_phase, c->next_edge);
	return x;
}

/* Report channel 0's rising edges due by now_ns as one pulse. */
static void deliver(struct pit_model *p, uint64_t now_ns)
{
	uint64_t e = edges_at(now_ns), x;

	if (e <= p->irq_edge)
		return;
	x = next_rise(&p->ch[0], p->irq_edge);
	p->irq_edge = e;
	sync(&p->ch[0], e);
	if (x && x <= e && p->ops.irq) {
		p->ops.irq(p->ops.ctx, true);
		p->ops.irq(p->ops.ctx, false);
	}
}

/* ---- gate (Figure 19 "Gate Pin Operations Summary") ---- */

static void set_gate(struct pit_channel *c, bool level, uint64_t e)
{
	if (level == c->gate)
		return;
	sync(c, e);
	c->gate = level;
	if (!level) {
		/* Low: disables counting in modes 0, 2, 3, 4 (2, 3: OUT high). */
		if (c->state == ST_RUN && c->counting && c->mode != 1 && c->mode != 5) {
			c->dec_base = decrements(c, e);
			c->counting = false;
		}
		return;
	}
	if (c->mode == 0 || c->mode == 4) {
		/* High again: counting continues from the held count. */
		if (c->state == ST_RUN) {
			c->seg_edge = e > c->load_edge ? e : c->load_edge;
			c->counting = true;
		}
	} else if (c->state != ST_IDLE) {
		/* Rising edge: (re)load the count register on the next clock. */
		load(c, c->cr, e + 1, 0);
		c->cr_unloaded = false;
	}
}

/* ---- register accesses ---- */

/* A complete count was written ("Write Operations", "Mode Definitions"). */
static void write_count(struct pit_channel *c, uint16_t raw, uint64_t e)
{
	c->cr = decode_count(c, raw);
	switch (c->mode) {
	case 0:
	case 4: /* loaded on the next clock, restarting the count */
		load(c, c->cr, e + 1, 0);
		break;
	case 1:
	case 5: /* loaded by the next gate trigger */
		if (c->state == ST_RUN)
			c->cr_unloaded = true;
		else
			c->state = ST_ARMED;
		break;
	default: /* 2, 3: a running counter takes it at its next reload */
		if (c->state == ST_RUN && c->counting && e >= c->load_edge)
			schedule_reload(c, e);
		else
			load(c, c->cr, e + 1, 0);
	}
}

static void write_counter(struct pit_channel *c, uint8_t value, uint64_t e)
{
	switch (rw_mode(c)) {
	case PITM_RW_LSB:
		write_count(c, value, e);
		break;
	case PITM_RW_MSB:
		write_count(c, (uint16_t)(value << 8), e);
		break;
	default:
		if (!c->wr_msb) {
			c->wr_lsb = value;
			c->wr_msb = true;
			/* Mode 0: writing the first byte disables counting, OUT low. */
			if (c->mode == 0)
				stop(c, e);
			return;
		}
		c->wr_msb = false;
		write_count(c, (uint16_t)(c->wr_lsb | value << 8), e);
	}
}

/* Read one byte: latched status first, then a latched count, else the live
 * count, in the RW format of the control word ("Read Operations"). */
static uint8_t read_counter(struct pit_channel *c, uint64_t e)
{
	unsigned rw = rw_mode(c);
	uint32_t live;
	uint16_t v;
	bool msb;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	live = counter_value(c, e);
	v = c->count_latched ? c->latch : (is_bcd(c) ? to_bcd(live) : (uint16_t)live);
	msb = rw == PITM_RW_MSB || (rw == PITM_RW_WORD && c->rd_msb);
	if (rw == PITM_RW_WORD)
		c->rd_msb = !c->rd_msb;
	if (rw != PITM_RW_WORD || msb)
		c->count_latched = false; /* the latch is released once read */
	return msb ? (uint8_t)(v >> 8) : (uint8_t)v;
}

/* Counter latch command; ignored while an earlier latch is unread. */
static void latch_count(struct pit_channel *c, uint64_t e)
{
	uint32_t v;

	if (c->count_latched)
		return;
	v = counter_value(c, e);
	c->latch = is_bcd(c) ? to_bcd(v) : (uint16_t)v;
	c->count_latched = true;
}

static void latch_status(struct pit_channel *c, uint64_t e)
{
	if (c->status_latched)
		return;
	c->status = status_byte(c, e);
	c->status_latched = true;
}

/* A control word resets the counter's control logic. */
static void write_control(struct pit_channel *c, uint8_t cw, uint64_t e)
{
	unsigned mode = (cw >> PITM_CW_M_SHIFT) & 7;

	stop(c, e);
	c->ctrl = cw & 0x3f;
	c->mode = (uint8_t)(mode > 5 ? mode - 4 : mode); /* 6, 7 = 2, 3 */
	c->held %= modulus(c);
	c->wr_msb = false;
	c->rd_msb = false;
	c->count_latched = false;
	c->status_latched = false;
}

/* Read-back command: 11 /COUNT /STATUS CNT2 CNT1 CNT0 0. */
static void read_back(struct pit_model *p, uint8_t cmd, uint64_t e)
{
	for (unsigned i = 0; i < 3; i++) {
		struct pit_channel *c = &p->ch[i];

		if (!(cmd & PITM_RB_CNT(i)))
			continue;
		sync(c, e);
		if (!(cmd & PITM_RB_NOT_COUNT))
			latch_count(c, e);
		if (!(cmd & PITM_RB_NOT_STATUS))
			latch_status(c, e);
	}
}

static void write_ctrl_port(struct pit_model *p, uint8_t value, uint64_t e)
{
	unsigned sc = value >> PITM_CW_SC_SHIFT;
	struct pit_channel *c;

	if (sc == 3) {
		read_back(p, value, e);
		return;
	}
	c = &p->ch[sc];
	sync(c, e);
	if (((value >> PITM_CW_RW_SHIFT) & 3) == PITM_RW_LATCH)
		latch_count(c, e);
	else
		write_control(c, value, e);
}

static uint8_t read_port61(struct pit_model *p, uint64_t e)
{
	uint8_t v = p->port61;

	if ((e / REFRESH_CLOCKS) & 1)
		v |= PITM_61_REFRESH;
	if (out_level(&p->ch[2], e))
		v |= PITM_61_OUT2;
	return v;
}

/* ---- public interface ---- */

static void channel_power_on(struct pit_channel *c, bool gate)
{
	c->ctrl = 0x36 & 0x3f; /* LSB then MSB, mode 3, binary */
	c->mode = 3;
	c->state = ST_IDLE;
	c->gate = gate;
	c->counting = false;
	c->wr_msb = c->rd_msb = false;
	c->count_latched = c->status_latched = false;
	c->cr_unloaded = false;
	c->wr_lsb = 0;
	c->status = 0;
	c->latch = 0;
	c->cr = 65536;
	c->held = 0;
	c->n = 65536;
	c->phase = 0;
	c->load_edge = c->seg_edge = c->dec_base = 0;
	c->next_n = c->next_phase = 0;
	c->next_edge = 0;
}

void pit_model_reset(struct pit_model *p)
{
	channel_power_on(&p->ch[0], true);
	channel_power_on(&p->ch[1], true);
	channel_power_on(&p->ch[2], false);
	p->port61 = 0;
	p->irq_edge = 0;
}

void pit_model_init(struct pit_model *p, const struct pit_ops *ops)
{
	p->ops.irq = ops ? ops->irq : NULL;
	p->ops.ctx = ops ? ops->ctx : NULL;
	pit_model_reset(p);
}

uint8_t pit_model_read(struct pit_model *p, unsigned port, uint64_t now_ns)
{
	uint64_t e = edges_at(now_ns);

	deliver(p, now_ns);
	switch (port) {
	case PITM_PORT_CH0:
	case PITM_PORT_CH1:
	case PITM_PORT_CH2:
		sync(&p->ch[port - PITM_PORT_CH0], e);
		return read_counter(&p->ch[port - PITM_PORT_CH0], e);
	case PITM_PORT_61:
		sync(&p->ch[2], e);
		return read_port61(p, e);
	default: /* 0x43 is write-only */
		return 0xff;
	}
}

void pit_model_write(struct pit_model *p, unsigned port, uint8_t value, uint64_t now_ns)
{
	uint64_t e = edges_at(now_ns);

	deliver(p, now_ns);
	switch (port) {
	case PITM_PORT_CH0:
	case PITM_PORT_CH1:
	case PITM_PORT_CH2:
		sync(&p->ch[port - PITM_PORT_CH0], e);
		write_counter(&p->ch[port - PITM_PORT_CH0], value, e);
		break;
	case PITM_PORT_CTRL:
		write_ctrl_port(p, value, e);
		break;
	case PITM_PORT_61:
		p->port61 = value & 0x0f;
		set_gate(&p->ch[2], value & PITM_61_GATE2, e);
		break;
	default:
		break;
	}
}

uint64_t pit_model_next_irq_ns(const struct pit_model *p)
{
	uint64_t x = next_rise(&p->ch[0], p->irq_edge);

	return x ? edge_ns(x) : 0;
}

void pit_model_tick(struct pit_model *p, uint64_t now_ns)
{
	deliver(p, now_ns);
}
