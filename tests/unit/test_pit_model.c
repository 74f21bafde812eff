// unit-modules: kernel/vdev/pit_model.c
/* The 8254 PIT model against the Intel 8254 datasheet and the sequences
 * Linux uses (arch/x86/kernel/tsc.c: quick_pit_calibrate, pit_calibrate_tsc;
 * the i8253 clockevent in modes 2 and 0). */
#include <stdbool.h>
#include <stdint.h>

#include "../../kernel/vdev/pit_model.h"
#include "unit.h"

#define IO_NS 1000 /* simulated cost of one port access (an ISA cycle) */

struct rec {
	bool log[64]; /* every level irq() was called with */
	unsigned n;
};

static void rec_irq(void *ctx, bool level)
{
	struct rec *r = ctx;
	if (r->n < 64)
		r->log[r->n] = level;
	r->n++;
}

/* Pulses seen so far; each must be exactly (true, false). */
static unsigned pulses(const struct rec *r)
{
	for (unsigned i = 0; i < r->n && i < 64; i++)
		if (r->log[i] != (i % 2 == 0))
			return 1000; /* not a clean pulse train */
	return r->n % 2 ? 1000 : r->n / 2;
}

static void setup(struct pit_model *p, struct rec *r)
{
	memset(r, 0, sizeof *r);
	struct pit_ops ops = { rec_irq, r };
	pit_model_init(p, &ops);
}

/* Reference time base, in 128-bit arithmetic (the model splits instead). */
static uint64_t ref_edges(uint64_t ns)
{
	return (uint64_t)((unsigned __int128)ns * PITM_HZ / 1000000000u);
}

static uint64_t ref_edge_ns(uint64_t x)
{
	return (uint64_t)(((unsigned __int128)x * 1000000000u + PITM_HZ - 1) / PITM_HZ);
}

static uint8_t rd(struct pit_model *p, unsigned port, uint64_t t) { return pit_model_read(p, port, t); }
static void wr(struct pit_model *p, unsigned port, uint8_t v, uint64_t t) { pit_model_write(p, port, v, t); }

/* Count of a channel in LSB/MSB mode, read without latching. */
static unsigned rd16(struct pit_model *p, unsigned port, uint64_t t)
{
	unsigned lo = rd(p, port, t);
	return lo | rd(p, port, t) << 8;
}

/* Status byte of channel ch via the read-back command. */
static uint8_t status(struct pit_model *p, unsigned ch, uint64_t t)
{
	wr(p, PITM_PORT_CTRL, 0xc0 | PITM_RB_NOT_COUNT | PITM_RB_CNT(ch), t);
	return rd(p, PITM_PORT_CH0 + ch, t);
}

static bool out_of(struct pit_model *p, unsigned ch, uint64_t t)
{
	return status(p, ch, t) & PITM_ST_OUT;
}

/* Program channel ch (LSB then MSB) with control word cw and count n at t;
 * returns the CLK edge that loads the count. */
static uint64_t program(struct pit_model *p, unsigned ch, uint8_t cw, unsigned n, uint64_t t)
{
	wr(p, PITM_PORT_CTRL, cw, t);
	wr(p, PITM_PORT_CH0 + ch, n & 0xff, t);
	wr(p, PITM_PORT_CH0 + ch, n >> 8, t);
	return ref_edges(t) + 1;
}

TEST(pit_time_base)
{
	/* The reference itself, against hand-computed values. */
	CHECK_EQ(ref_edges(1000000000), 1193182);
	CHECK_EQ(ref_edge_ns(1), 839);
	CHECK_EQ(ref_edge_ns(18), 15086);
	CHECK_EQ(ref_edge_ns(1193183 + 256), 1000215391);
	/* Mode 0 on channel 2, count 0xffff written at t = 1 s: loaded by edge
	 * 1193183, decremented by each edge after it. */
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	wr(&p, PITM_PORT_61, PITM_61_GATE2, 0);
	CHECK_EQ(program(&p, 2, 0xb0, 0xffff, 1000000000), 1193183);
	CHECK_EQ(rd16(&p, 0x42, 1000000000), 0xffff);       /* not loaded yet: reads N */
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(1193183)), 0xffff);
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(1193184) - 1), 0xffff);
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(1193184)), 0xfffe);
	CHECK_EQ(rd16(&p, 0x42, 1000215390), 0xff00);
	CHECK_EQ(rd16(&p, 0x42, 1000215391), 0xfeff);
	/* Exact far from the origin too (no overflow, no drift): 10^6 s later. */
	uint64_t t = 1000000ull * 1000000000 + 123456789;
	uint64_t load = program(&p, 2, 0xb0, 0xffff, t);
	CHECK_EQ(load, 1193182000000ull + 147306 + 1);
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(load + 1000) - 1), 0xffff - 999);
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(load + 1000)), 0xffff - 1000);
	CHECK_EQ(r.n, 0); /* channel 2 never interrupts */
}

/* Linux pit_verify_msb: read the LSB (discarded), then the MSB. */
static bool verify_msb(struct pit_model *p, uint64_t *now, uint8_t val)
{
	*now += IO_NS;
	rd(p, 0x42, *now);
	*now += IO_NS;
	return rd(p, 0x42, *now) == val;
}

/* Linux pit_expect_msb: how many reads saw val before it changed. */
static unsigned expect_msb(struct pit_model *p, uint64_t *now, uint8_t val)
{
	unsigned count;
	for (count = 0; count < 50000; count++)
		if (!verify_msb(p, now, val))
			break;
	return count;
}

TEST(pit_linux_quick_calibrate)
{
	struct pit_model p;
	struct rec r;
	uint64_t now = 5000000000ull + 777;
	setup(&p, &r);
	/* Gate high, speaker off: outb((inb(0x61) & ~0x02) | 0x01, 0x61). */
	now += IO_NS;
	uint8_t v = rd(&p, 0x61, now);
	now += IO_NS;
	wr(&p, 0x61, (v & ~0x02) | 0x01, now);
	now += IO_NS;
	wr(&p, 0x43, 0xb0, now); /* channel 2, LSB then MSB, mode 0, binary */
	now += IO_NS;
	wr(&p, 0x42, 0xff, now);
	now += IO_NS;
	wr(&p, 0x42, 0xff, now);
	uint64_t load = ref_edges(now) + 1;
	/* "The PIT starts counting at the next edge": one dummy 16-bit read. */
	now += IO_NS;
	rd(&p, 0x42, now);
	now += IO_NS;
	rd(&p, 0x42, now);
	for (unsigned i = 0; i <= 40; i++) {
		uint8_t val = (uint8_t)(0xff - i);
		unsigned count = expect_msb(&p, &now, val);
		/* 256 clocks (214.5 us) per MSB value, 2 us per verify. */
		CHECK(count > 5);
		if (i > 0)
			CHECK(count >= 106 && count <= 108);
		/* The read that saw the change came at most one verify after the
		 * edge on which the count fell below val << 8. */
		uint64_t edge_t = ref_edge_ns(load + 0x10000 - val * 256u);
		CHECK(now >= edge_t);
		CHECK(now < edge_t + 2 * IO_NS);
	}
	CHECK_EQ(rd(&p, 0x61, now) & PITM_61_OUT2, 0); /* still counting */
	CHECK_EQ(r.n, 0);
}

TEST(pit_linux_calibrate_tsc)
{
	struct pit_model p;
	struct rec r;
	uint64_t now = 123456789;
	const unsigned latch = PITM_HZ / 20; /* 50 ms: 59659 */
	setup(&p, &r);
	now += IO_NS;
	wr(&p, 0x61, (rd(&p, 0x61, now) & ~0x02) | 0x01, now);
	now += IO_NS;
	wr(&p, 0x43, 0xb0, now);
	CHECK_EQ(rd(&p, 0x61, now) & PITM_61_OUT2, 0); /* mode 0: OUT low after the control word */
	now += IO_NS;
	wr(&p, 0x42, latch & 0xff, now);
	now += IO_NS;
	wr(&p, 0x42, latch >> 8, now);
	uint64_t load = ref_edges(now) + 1;
	unsigned pitcnt = 0;
	for (;;) {
		now += IO_NS;
		if (rd(&p, 0x61, now) & PITM_61_OUT2)
			break;
		pitcnt++;
	}
	/* OUT rises N + 1 clocks after the count was written. */
	uint64_t tc = ref_edge_ns(load + latch);
	CHECK(now >= tc);
	CHECK(now < tc + IO_NS);
	CHECK(pitcnt >= 49000 && pitcnt <= 50000);
	/* The counter keeps counting through 0 and wraps; OUT stays high. */
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(load + latch + 2)), 0xfffe);
	CHECK_EQ(status(&p, 2, ref_edge_ns(load + latch + 2)), 0x80 | 0x30);
	CHECK(rd(&p, 0x61, ref_edge_ns(load + latch + 70000)) & PITM_61_OUT2);
}

TEST(pit_mode2_periodic_irq)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	CHECK_EQ(pit_model_next_irq_ns(&p), 0); /* nothing programmed */
	/* Linux's periodic i8253 clockevent: 0x34, LATCH = 11932 (HZ = 100). */
	wr(&p, 0x43, 0x34, 1000);
	wr(&p, 0x40, 11932 & 0xff, 2000);
	wr(&p, 0x40, 11932 >> 8, 3000);
	uint64_t load = 4; /* edge 3 at 2515 ns is the last before the write */
	CHECK_EQ(pit_model_next_irq_ns(&p), 10003504);
	CHECK_EQ(ref_edge_ns(load + 11932), 10003504);
	pit_model_tick(&p, 10003503);
	CHECK_EQ(r.n, 0);
	pit_model_tick(&p, 10003504);
	CHECK_EQ(pulses(&r), 1);
	CHECK_EQ(pit_model_next_irq_ns(&p), 10003504 + 10000151);
	/* Ticking again at the same time reports nothing new. */
	pit_model_tick(&p, 10003504);
	CHECK_EQ(pulses(&r), 1);
	/* Every period exact: 11932 clocks = 10.00015 ms. */
	for (uint64_t k = 2; k < 200; k++) {
		uint64_t due = pit_model_next_irq_ns(&p);
		CHECK_EQ(due, ref_edge_ns(load + k * 11932));
		CHECK(due - ref_edge_ns(load + (k - 1) * 11932) >= 10000150);
		CHECK(due - ref_edge_ns(load + (k - 1) * 11932) <= 10000151);
		pit_model_tick(&p, due);
		CHECK_EQ(pulses(&r), k);
	}
	/* Late tick: 3.5 periods missed -> one pulse, next is the following one. */
	uint64_t late = ref_edge_ns(load + 202 * 11932 + 5966);
	pit_model_tick(&p, late);
	CHECK_EQ(pulses(&r), 200);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(load + 203 * 11932));
	/* The count: N at the reload, 1 for the last clock (OUT low). */
	uint64_t base = load + 203 * 11932;
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(base - 5000)), 5000);
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(base - 2)), 2);
	CHECK(out_of(&p, 0, ref_edge_ns(base - 2)));
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(base - 1)), 1);
	CHECK(!out_of(&p, 0, ref_edge_ns(base - 1)));
	CHECK_EQ(pulses(&r), 200);
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(base)), 11932); /* reads deliver due edges */
	CHECK(out_of(&p, 0, ref_edge_ns(base)));
	CHECK_EQ(pulses(&r), 201);
}

TEST(pit_mode2_new_count_at_reload)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	uint64_t load = program(&p, 0, 0x34, 1000, 0);
	CHECK_EQ(load, 1);
	/* Mid-period: a new count waits for the end of the period. */
	uint64_t t = ref_edge_ns(load + 300);
	wr(&p, 0x40, 500 & 0xff, t);
	wr(&p, 0x40, 500 >> 8, t);
	CHECK_EQ(status(&p, 0, t), 0x80 | 0x40 | 0x34); /* null count until loaded */
	CHECK_EQ(rd16(&p, 0x40, t), 700);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(load + 1000));
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load + 999)), 1);
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load + 1000)), 500);
	CHECK_EQ(status(&p, 0, ref_edge_ns(load + 1000)), 0x80 | 0x34);
	CHECK_EQ(pulses(&r), 1);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(load + 1500));
	/* Without any access in between, the switch is still seen in time. */
	wr(&p, 0x40, 200 & 0xff, ref_edge_ns(load + 1600));
	wr(&p, 0x40, 0, ref_edge_ns(load + 1600));
	CHECK_EQ(pulses(&r), 2); /* the rise at 1500 was delivered by the write */
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(load + 2000));
	pit_model_tick(&p, ref_edge_ns(load + 2100));
	CHECK_EQ(pulses(&r), 3);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(load + 2200));
	/* A control word stops the counter: OUT high, no more interrupts. */
	wr(&p, 0x43, 0x34, ref_edge_ns(load + 2150));
	CHECK_EQ(pit_model_next_irq_ns(&p), 0);
	CHECK_EQ(status(&p, 0, ref_edge_ns(load + 9000)), 0x80 | 0x40 | 0x34);
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load + 9000)), 200 - 150);
	pit_model_tick(&p, ref_edge_ns(load + 90000));
	CHECK_EQ(pulses(&r), 3);
}

TEST(pit_mode3_square_wave)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	uint64_t load = program(&p, 0, 0x36, 11932, 5000);
	/* Even count: high 5966 clocks, low 5966; counts down by two. */
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load)), 11932);
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load + 1)), 11930);
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load + 5965)), 2);
	CHECK(out_of(&p, 0, ref_edge_ns(load + 5965)));
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load + 5966)), 11932);
	CHECK(!out_of(&p, 0, ref_edge_ns(load + 5966)));
	CHECK(!out_of(&p, 0, ref_edge_ns(load + 11931)));
	CHECK_EQ(pulses(&r), 0);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(load + 11932));
	CHECK(out_of(&p, 0, ref_edge_ns(load + 11932)));
	CHECK_EQ(pulses(&r), 1);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(load + 2 * 11932));

	/* Odd count 5 on channel 1: high 3 clocks (4, 2, 0), low 2 (4, 2). */
	static const unsigned cnt[5] = { 4, 2, 0, 4, 2 };
	static const bool out[5] = { true, true, true, false, false };
	uint64_t l1 = program(&p, 1, 0x76, 5, ref_edge_ns(100000));
	for (unsigned k = 0; k < 15; k++) {
		CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l1 + k)), cnt[k % 5]);
		CHECK_EQ(out_of(&p, 1, ref_edge_ns(l1 + k)), out[k % 5]);
	}
}

TEST(pit_mode3_new_count_at_half_cycle)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	uint64_t load = program(&p, 0, 0x36, 100, 0);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(load + 100));
	/* In the high half: the new count 40 is loaded at its end (clock 50)
	 * and starts with a low half of 20 clocks. */
	uint64_t t = ref_edge_ns(load + 10);
	wr(&p, 0x40, 40, t);
	wr(&p, 0x40, 0, t);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(load + 70));
	CHECK(status(&p, 0, ref_edge_ns(load + 49)) & PITM_ST_NULL);
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load + 49)), 2);
	CHECK(out_of(&p, 0, ref_edge_ns(load + 49)));
	CHECK_EQ(status(&p, 0, ref_edge_ns(load + 50)), 0x36);
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load + 50)), 40);
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load + 51)), 38);
	CHECK(!out_of(&p, 0, ref_edge_ns(load + 69)));
	CHECK(out_of(&p, 0, ref_edge_ns(load + 70)));
	CHECK_EQ(pulses(&r), 1);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(load + 110));
	/* In the low half: loaded at the end of it, starting high. */
	t = ref_edge_ns(load + 95);
	wr(&p, 0x40, 10, t);
	wr(&p, 0x40, 0, t);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(load + 110));
	pit_model_tick(&p, ref_edge_ns(load + 110));
	CHECK_EQ(pulses(&r), 2);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(load + 120));
	CHECK(!out_of(&p, 0, ref_edge_ns(load + 115)));
}

TEST(pit_mode0_and_mode4_oneshot_irq)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	/* Linux's oneshot clockevent: 0x30, then the delta LSB, MSB. */
	uint64_t load = program(&p, 0, 0x30, 100, 777);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(load + 100));
	CHECK(!out_of(&p, 0, ref_edge_ns(load + 99)));
	CHECK_EQ(pulses(&r), 0);
	pit_model_tick(&p, ref_edge_ns(load + 100));
	CHECK_EQ(pulses(&r), 1);
	CHECK_EQ(pit_model_next_irq_ns(&p), 0);
	pit_model_tick(&p, ref_edge_ns(load + 200000));
	CHECK_EQ(pulses(&r), 1); /* once only, though the counter wraps */
	CHECK(out_of(&p, 0, ref_edge_ns(load + 200000)));
	/* A new count: OUT low again, one more interrupt. */
	uint64_t t = ref_edge_ns(load + 200001);
	wr(&p, 0x40, 50, t); /* the first byte stops counting, OUT low */
	CHECK_EQ(status(&p, 0, t) & PITM_ST_OUT, 0);
	wr(&p, 0x40, 0, t);
	uint64_t l2 = ref_edges(t) + 1;
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(l2 + 50));
	pit_model_tick(&p, ref_edge_ns(l2 + 60));
	CHECK_EQ(pulses(&r), 2);
	/* Mode 4: OUT high, low for the one clock at terminal count, the
	 * interrupt on its rise N + 1 clocks after the load. */
	uint64_t l4 = program(&p, 0, 0x38, 30, ref_edge_ns(l2 + 1000));
	CHECK(out_of(&p, 0, ref_edge_ns(l4 + 29)));
	CHECK(!out_of(&p, 0, ref_edge_ns(l4 + 30)));
	CHECK_EQ(pulses(&r), 2);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(l4 + 31));
	CHECK(out_of(&p, 0, ref_edge_ns(l4 + 31)));
	CHECK_EQ(pulses(&r), 3);
	CHECK_EQ(pit_model_next_irq_ns(&p), 0);
}

TEST(pit_mode0_first_byte_stops)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	wr(&p, 0x61, PITM_61_GATE2, 0);
	uint64_t load = program(&p, 2, 0xb0, 1000, 0);
	uint64_t t = ref_edge_ns(load + 400);
	wr(&p, 0x42, 0x34, t); /* LSB of a new count: counting stops, OUT low */
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(load + 5000)), 600);
	CHECK_EQ(status(&p, 2, ref_edge_ns(load + 5000)), 0x40 | 0x30);
	CHECK_EQ(rd(&p, 0x61, ref_edge_ns(load + 5000)) & PITM_61_OUT2, 0);
	t = ref_edge_ns(load + 6000);
	wr(&p, 0x42, 0x00, t); /* MSB: count 0x0034 loaded on the next clock */
	uint64_t l2 = ref_edges(t) + 1;
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(l2 + 0x33)), 1);
	CHECK_EQ(rd(&p, 0x61, ref_edge_ns(l2 + 0x33)) & PITM_61_OUT2, 0);
	CHECK(rd(&p, 0x61, ref_edge_ns(l2 + 0x34)) & PITM_61_OUT2);
}

TEST(pit_counter_latch)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	uint64_t load = program(&p, 0, 0x34, 1000, 0);
	wr(&p, 0x43, 0x00, ref_edge_ns(load + 10)); /* latch channel 0: 990 */
	CHECK_EQ(rd(&p, 0x40, ref_edge_ns(load + 500)), 990 & 0xff);
	wr(&p, 0x43, 0x00, ref_edge_ns(load + 501)); /* ignored: latch half read */
	CHECK_EQ(rd(&p, 0x40, ref_edge_ns(load + 600)), 990 >> 8);
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load + 700)), 300); /* released: live */
	/* A second latch before reading is ignored. */
	wr(&p, 0x43, 0x00, ref_edge_ns(load + 710));
	wr(&p, 0x43, 0x00, ref_edge_ns(load + 720));
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load + 900)), 290);
	/* Latching does not stop the counter nor change its mode. */
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load + 901)), 99);
	/* LSB-only and MSB-only formats: the latch goes with one read. */
	uint64_t l1 = ref_edges(ref_edge_ns(2000)) + 1;
	wr(&p, 0x43, 0x50, ref_edge_ns(2000)); /* channel 1, LSB only, mode 0 */
	wr(&p, 0x41, 200, ref_edge_ns(2000));
	wr(&p, 0x43, 0x40, ref_edge_ns(l1 + 5));
	CHECK_EQ(rd(&p, 0x41, ref_edge_ns(l1 + 50)), 195);
	CHECK_EQ(rd(&p, 0x41, ref_edge_ns(l1 + 50)), 150);
	CHECK_EQ(rd(&p, 0x41, ref_edge_ns(l1 + 51)), 149);
	wr(&p, 0x43, 0x64, ref_edge_ns(3000)); /* channel 1, MSB only, mode 2 */
	wr(&p, 0x41, 0x02, ref_edge_ns(3000)); /* count 0x200 */
	uint64_t l2 = 3001;
	wr(&p, 0x43, 0x40, ref_edge_ns(l2 + 1));
	CHECK_EQ(rd(&p, 0x41, ref_edge_ns(l2 + 400)), 0x01); /* 0x1ff */
	CHECK_EQ(rd(&p, 0x41, ref_edge_ns(l2 + 400)), 0x00); /* live 0x070 */
	/* A control word drops an unread latch. */
	wr(&p, 0x43, 0x40, ref_edge_ns(l2 + 401));
	wr(&p, 0x43, 0x74, ref_edge_ns(l2 + 402));
	CHECK_EQ(rd(&p, 0x41, ref_edge_ns(l2 + 403)), 0x6e); /* held: 512 - 402 */
}

TEST(pit_read_back_and_status)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	/* Power-on: 0x36 without a count: OUT high, null count. */
	for (unsigned ch = 0; ch < 3; ch++)
		CHECK_EQ(status(&p, ch, 10), 0xc0 | 0x36);
	wr(&p, 0x43, 0x34, 100);
	wr(&p, 0x43, 0xb0, 100);
	CHECK_EQ(status(&p, 0, 100), 0x80 | 0x40 | 0x34);
	CHECK_EQ(status(&p, 2, 100), 0x40 | 0x30);
	wr(&p, 0x40, 0xe8, 100);
	CHECK_EQ(status(&p, 0, 100), 0x80 | 0x40 | 0x34); /* half a count */
	wr(&p, 0x40, 0x03, 100); /* 1000 */
	CHECK_EQ(status(&p, 0, 100), 0x80 | 0x40 | 0x34); /* not loaded yet */
	CHECK_EQ(status(&p, 0, ref_edge_ns(1)), 0x80 | 0x34);
	/* Count and status of channels 0 and 2 in one command: status first. */
	wr(&p, 0x42, 10, ref_edge_ns(2));
	wr(&p, 0x42, 0, ref_edge_ns(2)); /* channel 2 gate is low: loaded, holds */
	wr(&p, 0x43, 0xc0 | PITM_RB_CNT(0) | PITM_RB_CNT(2), ref_edge_ns(11));
	CHECK_EQ(rd(&p, 0x40, ref_edge_ns(500)), 0x80 | 0x34);
	CHECK_EQ(rd(&p, 0x40, ref_edge_ns(500)), (1000 - 10) & 0xff);
	CHECK_EQ(rd(&p, 0x40, ref_edge_ns(500)), (1000 - 10) >> 8);
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(500)), 501);
	CHECK_EQ(rd(&p, 0x42, ref_edge_ns(500)), 0x30);
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(500)), 10);
	/* Count only, status only; a second status latch waits for the read. */
	wr(&p, 0x43, 0xc0 | PITM_RB_NOT_STATUS | PITM_RB_CNT(0), ref_edge_ns(600));
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(700)), 401);
	wr(&p, 0x43, 0xc0 | PITM_RB_NOT_COUNT | PITM_RB_CNT(0), ref_edge_ns(1000));
	wr(&p, 0x43, 0xc0 | PITM_RB_NOT_COUNT | PITM_RB_CNT(0), ref_edge_ns(1001));
	CHECK_EQ(rd(&p, 0x40, ref_edge_ns(1002)), 0x34); /* OUT low at count 1 */
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(1002)), 999);
	/* A count latched before the status is still read after it. */
	wr(&p, 0x43, 0x00, ref_edge_ns(1100));
	wr(&p, 0x43, 0xc0 | PITM_RB_NOT_COUNT | PITM_RB_CNT(0), ref_edge_ns(1200));
	CHECK_EQ(rd(&p, 0x40, ref_edge_ns(1300)), 0x80 | 0x34);
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(1300)), 901);
	/* Read-back with neither bit clear, or no counter selected: nothing. */
	wr(&p, 0x43, 0xfe, ref_edge_ns(1400));
	wr(&p, 0x43, 0xc0, ref_edge_ns(1400));
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(1401)), 600);
	/* Modes 6 and 7 are modes 2 and 3; the status shows the bits written. */
	uint64_t l1 = program(&p, 1, 0x7c, 4, ref_edge_ns(2000));
	CHECK_EQ(status(&p, 1, ref_edge_ns(l1 + 2)), 0x80 | 0x3c);
	CHECK_EQ(status(&p, 1, ref_edge_ns(l1 + 3)), 0x3c); /* count 1: OUT low */
	CHECK_EQ(status(&p, 1, ref_edge_ns(l1 + 4)), 0x80 | 0x3c);
	program(&p, 1, 0x7e, 4, ref_edge_ns(3000));
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(3001)), 4);
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(3002)), 2);
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(3003)), 4);
	CHECK_EQ(status(&p, 1, ref_edge_ns(3003)), 0x3e);
}

TEST(pit_flip_flops)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	uint64_t load = program(&p, 1, 0x74, 0x1234, 0);
	/* Datasheet: read LSB, write LSB, read MSB, write MSB is valid. */
	uint64_t t = ref_edge_ns(load + 0x34);
	CHECK_EQ(rd(&p, 0x41, t), 0x00);
	wr(&p, 0x41, 0x00, t);
	CHECK_EQ(rd(&p, 0x41, t), 0x12);
	wr(&p, 0x41, 0x01, t); /* 0x0100, taken at the next reload */
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(load + 0x1233)), 1);
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(load + 0x1234)), 0x100);
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(load + 0x1235)), 0xff);
	/* A control word resets a half-done read: the next read is the LSB. */
	rd(&p, 0x41, ref_edge_ns(load + 0x1236));
	wr(&p, 0x43, 0x74, ref_edge_ns(load + 0x1236));
	CHECK_EQ(rd(&p, 0x41, ref_edge_ns(load + 0x1236)), 0xfe);
}

TEST(pit_count_zero_and_bcd)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	/* Binary count 0 = 65536. */
	uint64_t l = program(&p, 1, 0x74, 0, 0);
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l)), 0);
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l + 1)), 0xffff);
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l + 65535)), 1);
	CHECK(!out_of(&p, 1, ref_edge_ns(l + 65535)));
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l + 65536)), 0);
	CHECK(out_of(&p, 1, ref_edge_ns(l + 65536)));
	/* BCD, mode 0: 100 counts down in decimal, then wraps to 9999. */
	uint64_t t = ref_edge_ns(l + 70000);
	l = program(&p, 1, 0x71, 0x0100, t);
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l + 1)), 0x0099);
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l + 91)), 0x0009);
	CHECK(!out_of(&p, 1, ref_edge_ns(l + 99)));
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l + 100)), 0x0000);
	CHECK(out_of(&p, 1, ref_edge_ns(l + 100)));
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l + 101)), 0x9999);
	CHECK_EQ(status(&p, 1, ref_edge_ns(l + 101)), 0x80 | 0x31);
	/* BCD count 0 = 10000; the latch is in BCD too. */
	t = ref_edge_ns(l + 200);
	l = program(&p, 1, 0x75, 0, t);
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l + 1)), 0x9999);
	wr(&p, 0x43, 0x40, ref_edge_ns(l + 1234));
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l + 5000)), 0x8766);
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l + 9999)), 0x0001);
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l + 10000)), 0x0000); /* reload: 10000 */
	CHECK_EQ(rd16(&p, 0x41, ref_edge_ns(l + 10001)), 0x9999);
}

TEST(pit_gate_modes_0_2_3)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	/* Mode 0, gate low: loaded, but holds until the gate rises. */
	uint64_t load = program(&p, 2, 0xb0, 100, 0);
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(load + 500)), 100);
	CHECK_EQ(status(&p, 2, ref_edge_ns(load + 500)), 0x30);
	uint64_t g = load + 1000;
	wr(&p, 0x61, PITM_61_GATE2, ref_edge_ns(g));
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(g + 30)), 70);
	wr(&p, 0x61, 0, ref_edge_ns(g + 30)); /* suspend at 70 */
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(g + 3000)), 70);
	wr(&p, 0x61, PITM_61_GATE2, ref_edge_ns(g + 3000));
	CHECK(!(rd(&p, 0x61, ref_edge_ns(g + 3069)) & PITM_61_OUT2));
	CHECK(rd(&p, 0x61, ref_edge_ns(g + 3070)) & PITM_61_OUT2);
	/* Mode 2: gate low forces OUT high and stops; a rising edge reloads. */
	uint64_t t = ref_edge_ns(g + 5000);
	load = program(&p, 2, 0xb4, 10, t);
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(load + 9)), 1);
	CHECK(!(rd(&p, 0x61, ref_edge_ns(load + 9)) & PITM_61_OUT2));
	wr(&p, 0x61, 0, ref_edge_ns(load + 9));
	CHECK(rd(&p, 0x61, ref_edge_ns(load + 9)) & PITM_61_OUT2);
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(load + 50)), 1);
	wr(&p, 0x61, PITM_61_GATE2, ref_edge_ns(load + 100));
	uint64_t l2 = load + 101;
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(l2)), 10);
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(l2 + 3)), 7);
	CHECK(!(rd(&p, 0x61, ref_edge_ns(l2 + 9)) & PITM_61_OUT2));
	CHECK(rd(&p, 0x61, ref_edge_ns(l2 + 10)) & PITM_61_OUT2);
	/* Mode 3 with the gate low from the start: nothing until it rises. */
	wr(&p, 0x61, 0, ref_edge_ns(l2 + 20));
	program(&p, 2, 0xb6, 8, ref_edge_ns(l2 + 20));
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(l2 + 500)), 8);
	CHECK(rd(&p, 0x61, ref_edge_ns(l2 + 500)) & PITM_61_OUT2);
	wr(&p, 0x61, PITM_61_GATE2, ref_edge_ns(l2 + 1000));
	uint64_t l3 = l2 + 1001;
	CHECK_EQ(rd16(&p, 0x42, ref_edge_ns(l3 + 1)), 6);
	CHECK(rd(&p, 0x61, ref_edge_ns(l3 + 3)) & PITM_61_OUT2);
	CHECK(!(rd(&p, 0x61, ref_edge_ns(l3 + 4)) & PITM_61_OUT2));
	CHECK(rd(&p, 0x61, ref_edge_ns(l3 + 8)) & PITM_61_OUT2);
	CHECK_EQ(r.n, 0);
}

TEST(pit_gate_modes_1_5)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	/* Mode 1: the count waits for a gate trigger; OUT high, null count. */
	wr(&p, 0x61, PITM_61_GATE2, 0);
	wr(&p, 0x43, 0x92, 0); /* channel 2, LSB only, mode 1 */
	wr(&p, 0x42, 10, 0);
	CHECK_EQ(status(&p, 2, ref_edge_ns(100)), 0xc0 | 0x12);
	wr(&p, 0x61, 0, ref_edge_ns(100));
	wr(&p, 0x61, PITM_61_GATE2, ref_edge_ns(200)); /* trigger */
	uint64_t load = 201;
	CHECK(out_of(&p, 2, ref_edge_ns(200)));
	CHECK_EQ(status(&p, 2, ref_edge_ns(load)), 0x12); /* low from the next clock */
	CHECK_EQ(rd(&p, 0x42, ref_edge_ns(load + 4)), 6);
	wr(&p, 0x61, 0, ref_edge_ns(load + 5)); /* gate low does not stop mode 1 */
	CHECK(!out_of(&p, 2, ref_edge_ns(load + 9)));
	CHECK(out_of(&p, 2, ref_edge_ns(load + 10)));
	CHECK_EQ(rd(&p, 0x42, ref_edge_ns(load + 11)), 0xff);
	/* Retrigger during a one-shot restarts it; a new count waits for it. */
	wr(&p, 0x61, PITM_61_GATE2, ref_edge_ns(300));
	wr(&p, 0x42, 20, ref_edge_ns(305));
	CHECK(status(&p, 2, ref_edge_ns(305)) & PITM_ST_NULL);
	wr(&p, 0x61, 0, ref_edge_ns(306));
	wr(&p, 0x61, PITM_61_GATE2, ref_edge_ns(307));
	CHECK(!out_of(&p, 2, ref_edge_ns(308 + 19)));
	CHECK_EQ(status(&p, 2, ref_edge_ns(308 + 20)), 0x80 | 0x12);
	/* Mode 5: strobe low for one clock at terminal count after a trigger. */
	wr(&p, 0x43, 0x9a, ref_edge_ns(400));
	wr(&p, 0x42, 5, ref_edge_ns(400));
	CHECK(out_of(&p, 2, ref_edge_ns(1000)));
	wr(&p, 0x61, 0, ref_edge_ns(1000));
	wr(&p, 0x61, PITM_61_GATE2, ref_edge_ns(1001));
	CHECK(out_of(&p, 2, ref_edge_ns(1002 + 4)));
	CHECK(!out_of(&p, 2, ref_edge_ns(1002 + 5)));
	CHECK(out_of(&p, 2, ref_edge_ns(1002 + 6)));
	CHECK_EQ(r.n, 0);
}

TEST(pit_channel0_gate_tied_high)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	/* Port 0x61 bit 0 gates channel 2 only; mode 1 on channel 0 never
	 * triggers (its gate never rises). */
	uint64_t load = program(&p, 0, 0x30, 10, 0);
	wr(&p, 0x61, 0, ref_edge_ns(load + 2));
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(load + 5)), 5);
	pit_model_tick(&p, ref_edge_ns(load + 10));
	CHECK_EQ(pulses(&r), 1);
	wr(&p, 0x43, 0x32, ref_edge_ns(load + 20));
	wr(&p, 0x40, 10, ref_edge_ns(load + 20));
	wr(&p, 0x40, 0, ref_edge_ns(load + 20));
	wr(&p, 0x61, 1, ref_edge_ns(load + 21));
	CHECK_EQ(pit_model_next_irq_ns(&p), 0);
	CHECK_EQ(status(&p, 0, ref_edge_ns(load + 100)), 0xc0 | 0x32);
	CHECK_EQ(pulses(&r), 1);
}

TEST(pit_port61_and_other_ports)
{
	struct pit_model p;
	struct rec r;
	setup(&p, &r);
	/* Power-on: gate low, channel 2 idle with OUT high, refresh 0. */
	CHECK_EQ(rd(&p, 0x61, 0), PITM_61_OUT2);
	wr(&p, 0x61, 0xff, 0);
	CHECK_EQ(rd(&p, 0x61, ref_edge_ns(18) - 1), 0x2f); /* bits 7:6 read 0 */
	CHECK_EQ(rd(&p, 0x61, ref_edge_ns(18)), 0x3f);     /* refresh toggles... */
	CHECK_EQ(rd(&p, 0x61, ref_edge_ns(35)), 0x3f);
	CHECK_EQ(rd(&p, 0x61, ref_edge_ns(36)), 0x2f);     /* ...every 18 clocks */
	wr(&p, 0x61, 0x02, ref_edge_ns(40));
	CHECK_EQ(rd(&p, 0x61, ref_edge_ns(40)) & 0x0f, 0x02);
	CHECK_EQ(rd(&p, 0x43, ref_edge_ns(40)), 0xff);
	CHECK_EQ(rd(&p, 0x44, ref_edge_ns(40)), 0xff);
	wr(&p, 0x44, 0x12, ref_edge_ns(40));
	wr(&p, 0x60, 0x12, ref_edge_ns(40));
	CHECK_EQ(status(&p, 0, ref_edge_ns(50)), 0xc0 | 0x36);
	/* Reset returns to power-on. */
	program(&p, 0, 0x34, 100, ref_edge_ns(60));
	pit_model_reset(&p);
	CHECK_EQ(pit_model_next_irq_ns(&p), 0);
	CHECK_EQ(rd(&p, 0x61, ref_edge_ns(1008)), PITM_61_OUT2);
	CHECK_EQ(status(&p, 0, ref_edge_ns(1008)), 0xc0 | 0x36);
	CHECK_EQ(rd16(&p, 0x40, ref_edge_ns(1008)), 0);
}

TEST(pit_null_ops)
{
	struct pit_model p;
	pit_model_init(&p, NULL);
	program(&p, 0, 0x34, 2, 0);
	pit_model_tick(&p, 1000000);
	/* Rises at 1 + 2k; edge 1193 was the last at 1 ms. */
	CHECK_EQ(ref_edges(1000000), 1193);
	CHECK_EQ(pit_model_next_irq_ns(&p), ref_edge_ns(1195));
}
