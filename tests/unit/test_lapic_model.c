// unit-modules: kernel/vdev/lapic_model.c
/* The virtual local APIC model against the Intel SDM Vol. 3A chapter 11 and
 * the sequences Linux's APIC drivers (xAPIC and x2APIC) use. */
#include <stdbool.h>
#include <stdint.h>

#include "../../kernel/vdev/lapic_model.h"
#include "unit.h"

struct ipi {
	uint32_t dest;
	int shorthand;
	bool logical;
	uint8_t vector;
	int mode;
};

struct rec {
	struct ipi ipi[16];
	unsigned nipi;
	uint64_t timer[32]; /* every set_timer deadline, in order */
	unsigned ntimer;
	uint8_t eoi[16];
	unsigned neoi;
};

static void rec_ipi(void *ctx, uint32_t dest, int shorthand, bool logical, uint8_t vector, int mode)
{
	struct rec *r = ctx;
	if (r->nipi < 16)
		r->ipi[r->nipi] = (struct ipi){ dest, shorthand, logical, vector, mode };
	r->nipi++;
}

static void rec_timer(void *ctx, uint64_t deadline)
{
	struct rec *r = ctx;
	if (r->ntimer < 32)
		r->timer[r->ntimer] = deadline;
	r->ntimer++;
}

static void rec_eoi(void *ctx, uint8_t vector)
{
	struct rec *r = ctx;
	if (r->neoi < 16)
		r->eoi[r->neoi] = vector;
	r->neoi++;
}

static uint64_t last_timer(const struct rec *r)
{
	return r->ntimer ? r->timer[r->ntimer - 1] : 0xdead;
}

/* 1 GHz bus clock (one count per ns with divide-by-1), 2 GHz TSC. */
static void setup(struct lapic_model *l, struct rec *r, uint32_t id, bool bsp)
{
	memset(r, 0, sizeof *r);
	struct lapic_ops ops = { rec_ipi, rec_timer, rec_eoi, r };
	lapic_model_init(l, id, bsp, 1000000000ull, 2000000000ull, &ops);
}

static uint32_t rd(struct lapic_model *l, uint32_t off, uint64_t now)
{
	uint32_t v = 0xcafe;
	CHECK_EQ(lapic_model_mmio_read(l, off, &v, now), 0);
	return v;
}

static void wr(struct lapic_model *l, uint32_t off, uint32_t v, uint64_t now)
{
	CHECK_EQ(lapic_model_mmio_write(l, off, v, now), 0);
}

static uint64_t mrd(struct lapic_model *l, uint32_t msr, uint64_t now)
{
	uint64_t v = 0xcafe;
	CHECK_EQ(lapic_model_msr_read(l, msr, &v, now), 0);
	return v;
}

static void mwr(struct lapic_model *l, uint32_t msr, uint64_t v, uint64_t now)
{
	CHECK_EQ(lapic_model_msr_write(l, msr, v, now, 0), 0);
}

static void to_x2apic(struct lapic_model *l)
{
	uint64_t base = mrd(l, LAPICM_MSR_APIC_BASE, 0);
	mwr(l, LAPICM_MSR_APIC_BASE, base | LAPICM_BASE_EXTD, 0);
}

/* Software-enable with spurious vector 0xff, like Linux's setup_local_APIC. */
static void sw_enable(struct lapic_model *l)
{
	wr(l, LAPICM_SVR, 0x1ff, 0);
}

TEST(reset_state)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 3, true);

	CHECK_EQ(mrd(&l, LAPICM_MSR_APIC_BASE, 0), 0xfee00900ull);
	CHECK_EQ(rd(&l, LAPICM_ID, 0), 3u << 24);
	CHECK_EQ(rd(&l, LAPICM_VERSION, 0), 0x00050014u);
	CHECK_EQ(rd(&l, LAPICM_TPR, 0), 0);
	CHECK_EQ(rd(&l, LAPICM_PPR, 0), 0);
	CHECK_EQ(rd(&l, LAPICM_LDR, 0), 0);
	CHECK_EQ(rd(&l, LAPICM_DFR, 0), 0xffffffffu);
	CHECK_EQ(rd(&l, LAPICM_SVR, 0), 0xff);
	for (uint32_t off = LAPICM_LVT_TIMER; off <= LAPICM_LVT_ERROR; off += 0x10)
		CHECK_EQ(rd(&l, off, 0), 0x10000);
	for (unsigned i = 0; i < 8; i++) {
		CHECK_EQ(rd(&l, LAPICM_ISR + i * 16, 0), 0);
		CHECK_EQ(rd(&l, LAPICM_TMR + i * 16, 0), 0);
		CHECK_EQ(rd(&l, LAPICM_IRR + i * 16, 0), 0);
	}
	CHECK_EQ(rd(&l, LAPICM_ESR, 0), 0);
	CHECK_EQ(rd(&l, LAPICM_ICR_LO, 0), 0);
	CHECK_EQ(rd(&l, LAPICM_TIMER_ICR, 0), 0);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 0), 0);
	CHECK_EQ(rd(&l, LAPICM_TIMER_DCR, 0), 0);
	CHECK_EQ(lapic_model_pending(&l), -1);
	CHECK_EQ(r.ntimer, 0);

	struct lapic_model ap;
	setup(&ap, &r, 1, false);
	CHECK_EQ(mrd(&ap, LAPICM_MSR_APIC_BASE, 0), 0xfee00800ull);
}

TEST(mmio_register_access)
{
	struct lapic_model l;
	struct rec r;
	uint32_t v;
	setup(&l, &r, 1, true);

	wr(&l, LAPICM_TPR, 0x1ff, 0);
	CHECK_EQ(rd(&l, LAPICM_TPR, 0), 0xff);
	wr(&l, LAPICM_TPR, 0, 0);
	wr(&l, LAPICM_ID, 0x05000000, 0);
	CHECK_EQ(rd(&l, LAPICM_ID, 0), 0x05000000);
	CHECK_EQ(lapic_model_id(&l), 5);
	wr(&l, LAPICM_LDR, 0x12345678, 0);
	CHECK_EQ(rd(&l, LAPICM_LDR, 0), 0x12000000);
	wr(&l, LAPICM_DFR, 0x0, 0);
	CHECK_EQ(rd(&l, LAPICM_DFR, 0), 0x0fffffff);
	wr(&l, LAPICM_SVR, 0xfffff, 0);
	CHECK_EQ(rd(&l, LAPICM_SVR, 0), 0x3ff); /* no EOI-broadcast suppression */
	/* read-only registers ignore writes */
	wr(&l, LAPICM_VERSION, 0, 0);
	CHECK_EQ(rd(&l, LAPICM_VERSION, 0), 0x00050014u);
	wr(&l, LAPICM_PPR, 0xff, 0);
	CHECK_EQ(rd(&l, LAPICM_PPR, 0), 0);
	wr(&l, LAPICM_IRR, 0xffffffff, 0);
	CHECK_EQ(rd(&l, LAPICM_IRR, 0), 0);
	/* LVTs: writable bits per entry */
	wr(&l, LAPICM_LVT_TIMER, 0xffffffff, 0);
	CHECK_EQ(rd(&l, LAPICM_LVT_TIMER, 0), 0x000700ff);
	wr(&l, LAPICM_LVT_TIMER, 0x10000, 0);
	wr(&l, LAPICM_LVT_THERMAL, 0xffffffff, 0);
	CHECK_EQ(rd(&l, LAPICM_LVT_THERMAL, 0), 0x000107ff);
	wr(&l, LAPICM_LVT_PERF, 0x400, 0);
	CHECK_EQ(rd(&l, LAPICM_LVT_PERF, 0), 0x400);
	wr(&l, LAPICM_LVT_LINT0, 0xffffffff, 0);
	CHECK_EQ(rd(&l, LAPICM_LVT_LINT0, 0), 0x0001a7ff); /* no remote IRR, no status */
	wr(&l, LAPICM_LVT_LINT1, 0x400, 0);
	CHECK_EQ(rd(&l, LAPICM_LVT_LINT1, 0), 0x400);
	wr(&l, LAPICM_LVT_ERROR, 0xffffffff, 0);
	CHECK_EQ(rd(&l, LAPICM_LVT_ERROR, 0), 0x000100ff);
	/* no CMCI LVT: reserved, reads 0 */
	wr(&l, LAPICM_LVT_CMCI, 0x30, 0);
	CHECK_EQ(rd(&l, LAPICM_LVT_CMCI, 0), 0);
	wr(&l, LAPICM_TIMER_DCR, 0xff, 0);
	CHECK_EQ(rd(&l, LAPICM_TIMER_DCR, 0), 0xb);
	wr(&l, LAPICM_ICR_HI, 0xffffffff, 0);
	CHECK_EQ(rd(&l, LAPICM_ICR_HI, 0), 0xff000000);
	/* EOI and SELF IPI (x2APIC only) read 0 in xAPIC mode */
	CHECK_EQ(rd(&l, LAPICM_EOI, 0), 0);
	CHECK_EQ(rd(&l, LAPICM_SELF_IPI, 0), 0);
	/* bad accesses */
	CHECK_EQ(lapic_model_mmio_read(&l, 0x24, &v, 0), -1);
	CHECK_EQ(lapic_model_mmio_write(&l, 0x1000, 0, 0), -1);
	/* MSR access to x2APIC registers in xAPIC mode: #GP */
	CHECK_EQ(lapic_model_msr_read(&l, 0x802, &(uint64_t){ 0 }, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x808, 0, 0, 0), -1);
	/* other MSRs are not ours */
	CHECK_EQ(lapic_model_msr_read(&l, 0x10, &(uint64_t){ 0 }, 0), -1);
}

TEST(x2apic_register_access)
{
	struct lapic_model l;
	struct rec r;
	uint32_t v;
	uint64_t q;
	setup(&l, &r, 0x123, true);

	to_x2apic(&l);
	CHECK(lapic_model_x2apic(&l));
	CHECK_EQ(mrd(&l, LAPICM_MSR_APIC_BASE, 0), 0xfee00d00ull);
	/* MMIO in x2APIC mode is an error */
	CHECK_EQ(lapic_model_mmio_read(&l, LAPICM_ID, &v, 0), -1);
	CHECK_EQ(lapic_model_mmio_write(&l, LAPICM_TPR, 0, 0), -1);

	CHECK_EQ(mrd(&l, 0x802, 0), 0x123);
	CHECK_EQ(lapic_model_id(&l), 0x123);
	CHECK_EQ(mrd(&l, 0x803, 0), 0x00050014u);
	mwr(&l, 0x808, 0x20, 0);
	CHECK_EQ(mrd(&l, 0x808, 0), 0x20);
	CHECK_EQ(mrd(&l, 0x80a, 0), 0x20);
	mwr(&l, 0x808, 0, 0);
	mwr(&l, 0x80f, 0x1ff, 0);
	CHECK_EQ(mrd(&l, 0x80f, 0), 0x1ff);
	mwr(&l, 0x835, 0x700, 0);
	CHECK_EQ(mrd(&l, 0x835, 0), 0x700);
	mwr(&l, 0x83e, 0xb, 0);
	CHECK_EQ(mrd(&l, 0x83e, 0), 0xb);
	mwr(&l, 0x838, 1000, 0);
	CHECK_EQ(mrd(&l, 0x838, 0), 1000);
	CHECK_EQ(mrd(&l, 0x839, 0), 1000);
	CHECK_EQ(mrd(&l, 0x839, 400), 600);
	CHECK_EQ(mrd(&l, 0x810, 0), 0);
	CHECK_EQ(mrd(&l, 0x818, 0), 0);
	CHECK_EQ(mrd(&l, 0x820, 0), 0);
	mwr(&l, 0x828, 0, 0);
	CHECK_EQ(mrd(&l, 0x828, 0), 0);

	/* read-only: ID, version, LDR, PPR, ISR, IRR, current count */
	CHECK_EQ(lapic_model_msr_write(&l, 0x802, 0, 0, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x803, 0, 0, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x80d, 0, 0, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x80a, 0, 0, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x810, 0, 0, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x820, 0, 0, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x839, 0, 0, 0), -1);
	/* write-only: EOI, SELF IPI */
	CHECK_EQ(lapic_model_msr_read(&l, 0x80b, &q, 0), -1);
	CHECK_EQ(lapic_model_msr_read(&l, 0x83f, &q, 0), -1);
	/* absent in x2APIC: APR, DFR, ICR high, CMCI */
	CHECK_EQ(lapic_model_msr_read(&l, 0x809, &q, 0), -1);
	CHECK_EQ(lapic_model_msr_read(&l, 0x80e, &q, 0), -1);
	CHECK_EQ(lapic_model_msr_read(&l, 0x831, &q, 0), -1);
	CHECK_EQ(lapic_model_msr_read(&l, 0x82f, &q, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x80e, 0, 0, 0), -1);
	CHECK_EQ(lapic_model_msr_read(&l, 0x8ff, &q, 0), -1);
	/* reserved upper bits, non-zero EOI / ESR */
	CHECK_EQ(lapic_model_msr_write(&l, 0x808, 1ull << 32, 0, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x80b, 1, 0, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x828, 1, 0, 0), -1);
	mwr(&l, 0x80b, 0, 0);
}

TEST(x2apic_switching)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 2, false);
	const uint64_t xapic = 0xfee00800ull, x2 = 0xfee00c00ull;

	wr(&l, LAPICM_TPR, 0x30, 0);
	/* EXTD without EN, relocation, reserved bits: refused */
	CHECK_EQ(lapic_model_msr_write(&l, 0x1b, 0xfee00400ull, 0, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x1b, 0xfed00800ull, 0, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x1b, xapic | 0x200, 0, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x1b, xapic | (1ull << 60), 0, 0), -1);
	CHECK_EQ(mrd(&l, 0x1b, 0), xapic);
	/* xAPIC -> x2APIC keeps the state */
	mwr(&l, 0x1b, x2, 0);
	CHECK_EQ(mrd(&l, 0x808, 0), 0x30);
	/* x2APIC -> xAPIC illegal */
	CHECK_EQ(lapic_model_msr_write(&l, 0x1b, xapic, 0, 0), -1);
	CHECK(lapic_model_x2apic(&l));
	/* x2APIC -> disabled resets, disabled -> x2APIC illegal */
	mwr(&l, 0x1b, 0xfee00000ull, 0);
	CHECK(!lapic_model_enabled(&l));
	CHECK_EQ(lapic_model_mmio_read(&l, LAPICM_TPR, &(uint32_t){ 0 }, 0), -1);
	CHECK_EQ(lapic_model_msr_read(&l, 0x808, &(uint64_t){ 0 }, 0), -1);
	CHECK_EQ(lapic_model_msr_write(&l, 0x1b, x2, 0, 0), -1);
	/* disabled: interrupts are dropped */
	lapic_model_accept(&l, 0x40, false);
	CHECK_EQ(lapic_model_pending(&l), -1);
	/* disabled -> xAPIC: power-on state */
	mwr(&l, 0x1b, xapic, 0);
	CHECK_EQ(rd(&l, LAPICM_TPR, 0), 0);
	CHECK_EQ(rd(&l, LAPICM_SVR, 0), 0xff);
	CHECK_EQ(rd(&l, LAPICM_IRR + 0x20, 0), 0);
	mwr(&l, 0x1b, x2, 0);
	CHECK(lapic_model_x2apic(&l));
}

TEST(disable_resets_and_cancels_timer)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);
	sw_enable(&l);
	wr(&l, LAPICM_LVT_TIMER, 0x40, 0);
	wr(&l, LAPICM_TIMER_DCR, 0xb, 0);
	wr(&l, LAPICM_TIMER_ICR, 500, 100);
	CHECK_EQ(last_timer(&r), 600);
	wr(&l, LAPICM_ID, 0x07000000, 0);
	lapic_model_accept(&l, 0x50, false);
	mwr(&l, 0x1b, 0xfee00100ull, 200);
	CHECK_EQ(last_timer(&r), 0);
	mwr(&l, 0x1b, 0xfee00900ull, 300);
	CHECK_EQ(rd(&l, LAPICM_ID, 300), 0);
	CHECK_EQ(rd(&l, LAPICM_TIMER_ICR, 300), 0);
	CHECK_EQ(rd(&l, LAPICM_LVT_TIMER, 300), 0x10000);
	CHECK_EQ(lapic_model_pending(&l), -1);
	lapic_model_tick(&l, 1000);
	CHECK_EQ(rd(&l, LAPICM_IRR + 0x20, 1000), 0);
}

TEST(x2apic_ldr)
{
	struct lapic_model l;
	struct rec r;

	setup(&l, &r, 0x25, false);
	to_x2apic(&l);
	CHECK_EQ(mrd(&l, 0x80d, 0), (2u << 16) | (1u << 5));
	CHECK(lapic_model_match(&l, (2u << 16) | 0x20, true));
	CHECK(lapic_model_match(&l, (2u << 16) | 0xffff, true));
	CHECK(!lapic_model_match(&l, (3u << 16) | 0x20, true));
	CHECK(!lapic_model_match(&l, (2u << 16) | 0x10, true));
	CHECK(lapic_model_match(&l, 0x25, false));
	CHECK(!lapic_model_match(&l, 0x26, false));
	CHECK(lapic_model_match(&l, 0xffffffffu, false));

	setup(&l, &r, 0x0f, false);
	to_x2apic(&l);
	CHECK_EQ(mrd(&l, 0x80d, 0), 0x8000);
}

TEST(xapic_logical_match)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 4, false);

	CHECK(lapic_model_match(&l, 4, false));
	CHECK(lapic_model_match(&l, 0xff, false));
	CHECK(!lapic_model_match(&l, 5, false));
	/* flat model, as Linux's default on small systems */
	wr(&l, LAPICM_LDR, 0x10000000, 0);
	CHECK(lapic_model_match(&l, 0x10, true));
	CHECK(lapic_model_match(&l, 0x31, true));
	CHECK(!lapic_model_match(&l, 0x01, true));
	/* cluster model */
	wr(&l, LAPICM_DFR, 0x0fffffff, 0);
	wr(&l, LAPICM_LDR, 0x24000000, 0);
	CHECK(lapic_model_match(&l, 0x24, true));
	CHECK(lapic_model_match(&l, 0x2f, true));
	CHECK(!lapic_model_match(&l, 0x14, true));
	CHECK(!lapic_model_match(&l, 0x28, true));
}

TEST(priorities_nested)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);
	sw_enable(&l);

	lapic_model_accept(&l, 0x31, false);
	lapic_model_accept(&l, 0x52, false);
	CHECK_EQ(lapic_model_pending(&l), 0x52);
	lapic_model_ack(&l, 0x52);
	CHECK_EQ(rd(&l, LAPICM_ISR + 0x20, 0), 1u << 18);
	CHECK_EQ(rd(&l, LAPICM_PPR, 0), 0x50);
	/* 0x31 is below the in-service class */
	CHECK_EQ(lapic_model_pending(&l), -1);
	/* 0x5f: same class as in service: not deliverable */
	lapic_model_accept(&l, 0x5f, false);
	CHECK_EQ(lapic_model_pending(&l), -1);
	/* a higher class nests */
	lapic_model_accept(&l, 0x61, false);
	CHECK_EQ(lapic_model_pending(&l), 0x61);
	lapic_model_ack(&l, 0x61);
	CHECK_EQ(rd(&l, LAPICM_PPR, 0), 0x60);
	CHECK_EQ(lapic_model_pending(&l), -1);
	/* EOI ends the highest in service first */
	wr(&l, LAPICM_EOI, 0, 0);
	CHECK_EQ(rd(&l, LAPICM_ISR + 0x30, 0), 0);
	CHECK_EQ(rd(&l, LAPICM_ISR + 0x20, 0), 1u << 18);
	CHECK_EQ(rd(&l, LAPICM_PPR, 0), 0x50);
	CHECK_EQ(lapic_model_pending(&l), -1);
	wr(&l, LAPICM_EOI, 0, 0);
	CHECK_EQ(rd(&l, LAPICM_PPR, 0), 0);
	CHECK_EQ(lapic_model_pending(&l), 0x5f);
	lapic_model_ack(&l, 0x5f);
	wr(&l, LAPICM_EOI, 0, 0);
	/* TPR */
	wr(&l, LAPICM_TPR, 0x35, 0);
	CHECK_EQ(rd(&l, LAPICM_PPR, 0), 0x35);
	CHECK_EQ(lapic_model_pending(&l), -1); /* 0x31: class 3 not above 3 */
	wr(&l, LAPICM_TPR, 0x2f, 0);
	CHECK_EQ(lapic_model_pending(&l), 0x31);
	lapic_model_ack(&l, 0x31);
	/* ISR class 3 > TPR class 2: PPR = ISRV & 0xf0 */
	CHECK_EQ(rd(&l, LAPICM_PPR, 0), 0x30);
	wr(&l, LAPICM_TPR, 0x3a, 0);
	CHECK_EQ(rd(&l, LAPICM_PPR, 0), 0x3a);
	wr(&l, LAPICM_EOI, 0, 0);
	/* EOI with nothing in service is harmless */
	wr(&l, LAPICM_EOI, 0, 0);
	CHECK_EQ(rd(&l, LAPICM_PPR, 0), 0x3a);
	/* ack of a vector not in the IRR does nothing */
	lapic_model_ack(&l, 0x90);
	CHECK_EQ(rd(&l, LAPICM_ISR + 0x40, 0), 0);
	CHECK_EQ(r.neoi, 0);
}

TEST(apr)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);
	wr(&l, LAPICM_TPR, 0x45, 0);
	CHECK_EQ(rd(&l, LAPICM_APR, 0), 0x45);
	lapic_model_accept(&l, 0x61, false);
	CHECK_EQ(rd(&l, LAPICM_APR, 0), 0x60);
}

TEST(eoi_callback_only_for_level)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);
	sw_enable(&l);

	lapic_model_accept(&l, 0x41, true);
	lapic_model_accept(&l, 0x42, false);
	CHECK_EQ(rd(&l, LAPICM_TMR + 0x20, 0), 1u << 1);
	lapic_model_ack(&l, 0x42);
	wr(&l, LAPICM_EOI, 0, 0);
	CHECK_EQ(r.neoi, 0);
	lapic_model_ack(&l, 0x41);
	wr(&l, LAPICM_EOI, 0, 0);
	CHECK_EQ(r.neoi, 1);
	CHECK_EQ(r.eoi[0], 0x41);
	/* re-accepted as edge: TMR cleared, no callback */
	lapic_model_accept(&l, 0x41, false);
	CHECK_EQ(rd(&l, LAPICM_TMR + 0x20, 0), 0);
	lapic_model_ack(&l, 0x41);
	wr(&l, LAPICM_EOI, 0, 0);
	CHECK_EQ(r.neoi, 1);
}

TEST(software_disable)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);

	/* software-disabled at reset: LVT writes keep the mask */
	wr(&l, LAPICM_LVT_LINT0, 0x700, 0);
	CHECK_EQ(rd(&l, LAPICM_LVT_LINT0, 0), 0x10700);
	sw_enable(&l);
	CHECK_EQ(rd(&l, LAPICM_SVR, 0), 0x1ff);
	wr(&l, LAPICM_LVT_LINT0, 0x700, 0);
	wr(&l, LAPICM_LVT_ERROR, 0xfe, 0);
	wr(&l, LAPICM_LVT_TIMER, 0xef, 0);
	CHECK_EQ(rd(&l, LAPICM_LVT_LINT0, 0), 0x700);
	/* clearing the enable masks every LVT; spurious vector stored */
	wr(&l, LAPICM_SVR, 0x0f, 0);
	CHECK_EQ(rd(&l, LAPICM_SVR, 0), 0x0f);
	CHECK_EQ(rd(&l, LAPICM_LVT_LINT0, 0), 0x10700);
	CHECK_EQ(rd(&l, LAPICM_LVT_ERROR, 0), 0x100fe);
	CHECK_EQ(rd(&l, LAPICM_LVT_TIMER, 0), 0x100ef);
	/* re-enabling leaves them masked */
	wr(&l, LAPICM_SVR, 0x1ff, 0);
	CHECK_EQ(rd(&l, LAPICM_LVT_TIMER, 0), 0x100ef);
	/* the masked timer counts but sets nothing */
	wr(&l, LAPICM_TIMER_DCR, 0xb, 0);
	wr(&l, LAPICM_TIMER_ICR, 10, 0);
	lapic_model_tick(&l, 10);
	CHECK_EQ(lapic_model_pending(&l), -1);
	CHECK_EQ(rd(&l, LAPICM_IRR + 0x70, 10), 0);
}

TEST(timer_oneshot)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);
	sw_enable(&l);

	wr(&l, LAPICM_LVT_TIMER, 0xec, 0);
	wr(&l, LAPICM_TIMER_DCR, 0xb, 0); /* divide by 1: 1 count per ns */
	wr(&l, LAPICM_TIMER_ICR, 1000, 5000);
	CHECK_EQ(r.ntimer, 1);
	CHECK_EQ(last_timer(&r), 6000);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 5000), 1000);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 5250), 750);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 5999), 1);
	lapic_model_tick(&l, 5999);
	CHECK_EQ(lapic_model_pending(&l), -1);
	lapic_model_tick(&l, 6003);
	CHECK_EQ(lapic_model_pending(&l), 0xec);
	CHECK_EQ(last_timer(&r), 0);
	CHECK_EQ(r.ntimer, 2);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 6003), 0);
	CHECK_EQ(rd(&l, LAPICM_TIMER_ICR, 6003), 1000);
	/* fires once */
	lapic_model_ack(&l, 0xec);
	wr(&l, LAPICM_EOI, 0, 7000);
	lapic_model_tick(&l, 100000);
	CHECK_EQ(lapic_model_pending(&l), -1);
	CHECK_EQ(r.ntimer, 2);
	/* re-writing the initial count restarts; 0 stops */
	wr(&l, LAPICM_TIMER_ICR, 10, 200000);
	CHECK_EQ(last_timer(&r), 200010);
	wr(&l, LAPICM_TIMER_ICR, 0, 200005);
	CHECK_EQ(last_timer(&r), 0);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 200005), 0);
	lapic_model_tick(&l, 300000);
	CHECK_EQ(lapic_model_pending(&l), -1);
}

TEST(timer_periodic)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);
	sw_enable(&l);

	wr(&l, LAPICM_LVT_TIMER, (1u << 17) | 0xec, 0);
	wr(&l, LAPICM_TIMER_DCR, 0x0, 0); /* divide by 2 */
	wr(&l, LAPICM_TIMER_ICR, 500, 1000); /* period 1000 ns */
	CHECK_EQ(last_timer(&r), 2000);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 1500), 250);
	lapic_model_tick(&l, 2000);
	CHECK_EQ(lapic_model_pending(&l), 0xec);
	CHECK_EQ(last_timer(&r), 3000);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 2000), 500);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 2200), 400);
	lapic_model_ack(&l, 0xec);
	wr(&l, LAPICM_EOI, 0, 2100);
	/* a late tick still fires, next deadline stays on the grid */
	lapic_model_tick(&l, 3100);
	CHECK_EQ(lapic_model_pending(&l), 0xec);
	CHECK_EQ(last_timer(&r), 4000);
	lapic_model_ack(&l, 0xec);
	wr(&l, LAPICM_EOI, 0, 3200);
	/* missed periods are coalesced */
	lapic_model_tick(&l, 7500);
	CHECK_EQ(lapic_model_pending(&l), 0xec);
	CHECK_EQ(last_timer(&r), 8000);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 7500), 250);
	CHECK_EQ(r.ntimer, 4);
	/* periodic -> one-shot: the current period ends the count */
	wr(&l, LAPICM_LVT_TIMER, 0xec, 7600);
	CHECK_EQ(last_timer(&r), 8000);
	lapic_model_tick(&l, 8000);
	CHECK_EQ(last_timer(&r), 0);
}

TEST(timer_divide_values)
{
	static const struct { uint32_t dcr; uint64_t div; } t[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};
	for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct lapic_model l;
		struct rec r;
		setup(&l, &r, 0, true);
		sw_enable(&l);
		wr(&l, LAPICM_LVT_TIMER, 0x40, 0);
		wr(&l, LAPICM_TIMER_DCR, t[i].dcr, 0);
		wr(&l, LAPICM_TIMER_ICR, 100, 0);
		CHECK_EQ(last_timer(&r), 100 * t[i].div);
		CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 10 * t[i].div), 90);
	}
}

TEST(timer_slow_clock_and_large_count)
{
	struct lapic_model l;
	struct rec r;
	struct lapic_ops ops = { rec_ipi, rec_timer, rec_eoi, &r };
	memset(&r, 0, sizeof r);
	/* 3 MHz bus clock: 333.33 ns per count, rounded up to the next ns */
	lapic_model_init(&l, 0, true, 3000000, 1000000000ull, &ops);
	sw_enable(&l);
	wr(&l, LAPICM_LVT_TIMER, 0x40, 0);
	wr(&l, LAPICM_TIMER_DCR, 0xb, 0);
	wr(&l, LAPICM_TIMER_ICR, 1, 0);
	CHECK_EQ(last_timer(&r), 334);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 333), 1);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 334), 0);
	/* maximum count at divide by 128 on a 7 GHz clock: no overflow */
	lapic_model_init(&l, 0, true, 7000000000ull, 1000000000ull, &ops);
	sw_enable(&l);
	wr(&l, LAPICM_LVT_TIMER, 0x40, 0);
	wr(&l, LAPICM_TIMER_DCR, 0xa, 0);
	wr(&l, LAPICM_TIMER_ICR, 0xffffffffu, 0);
	/* 0xffffffff * 128 / 7 = 78536544822.86 ns */
	CHECK_EQ(last_timer(&r), 78536544823ull);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 78536544822ull / 2), 0x80000000u);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 78536544822ull), 1);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 78536544823ull), 0);
}

TEST(timer_dcr_change_keeps_count)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);
	sw_enable(&l);
	wr(&l, LAPICM_LVT_TIMER, 0x40, 0);
	wr(&l, LAPICM_TIMER_DCR, 0xb, 0);
	wr(&l, LAPICM_TIMER_ICR, 1000, 0);
	wr(&l, LAPICM_TIMER_DCR, 0x0, 400); /* 600 left, now at 2 ns each */
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 400), 600);
	CHECK_EQ(last_timer(&r), 1600);

	/* periodic: the reload after such a change starts from the initial count */
	setup(&l, &r, 0, true);
	sw_enable(&l);
	wr(&l, LAPICM_LVT_TIMER, (1u << 17) | 0x40, 0);
	wr(&l, LAPICM_TIMER_DCR, 0xb, 0);
	wr(&l, LAPICM_TIMER_ICR, 1000, 0);
	wr(&l, LAPICM_TIMER_DCR, 0x0, 400);
	CHECK_EQ(last_timer(&r), 1600);
	lapic_model_tick(&l, 1600);
	CHECK_EQ(lapic_model_pending(&l), 0x40);
	CHECK_EQ(last_timer(&r), 3600);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 1800), 900);
}

/* An absurd clock above 2^63 Hz exercises the carry path of the 128/64-bit
 * long division used for ns <-> count conversions. */
TEST(timer_huge_clock)
{
	struct lapic_model l;
	struct rec r;
	struct lapic_ops ops = { rec_ipi, rec_timer, rec_eoi, &r };
	memset(&r, 0, sizeof r);
	lapic_model_init(&l, 0, true, 0xf000000000000000ull, 1000000000ull, &ops);
	sw_enable(&l);
	wr(&l, LAPICM_LVT_TIMER, 0x40, 0);
	wr(&l, LAPICM_TIMER_DCR, 0xa, 0);
	wr(&l, LAPICM_TIMER_ICR, 0xffffffffu, 0);
	/* 0xffffffff * 128 * 1e9 / 0xf000000000000000 = 31.79 ns */
	CHECK_EQ(last_timer(&r), 32);
}

TEST(timer_tsc_deadline)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true); /* TSC 2 GHz */
	sw_enable(&l);

	/* not in TSC-deadline mode: the MSR reads 0 and ignores writes */
	CHECK_EQ(lapic_model_msr_write(&l, 0x6e0, 5000, 0, 0), 0);
	CHECK_EQ(mrd(&l, 0x6e0, 0), 0);
	CHECK_EQ(r.ntimer, 0);

	wr(&l, LAPICM_LVT_TIMER, (2u << 17) | 0xef, 0);
	/* initial count ignored, current count 0 */
	wr(&l, LAPICM_TIMER_ICR, 100, 0);
	CHECK_EQ(rd(&l, LAPICM_TIMER_ICR, 0), 0);
	CHECK_EQ(r.ntimer, 0);
	/* at 1000 ns the guest TSC is 2000; deadline TSC 4000 = 1000 ns later */
	CHECK_EQ(lapic_model_msr_write(&l, 0x6e0, 4000, 1000, 2000), 0);
	CHECK_EQ(last_timer(&r), 2000);
	CHECK_EQ(mrd(&l, 0x6e0, 1500), 4000);
	CHECK_EQ(rd(&l, LAPICM_TIMER_CCR, 1500), 0);
	lapic_model_tick(&l, 1999);
	CHECK_EQ(lapic_model_pending(&l), -1);
	lapic_model_tick(&l, 2000);
	CHECK_EQ(lapic_model_pending(&l), 0xef);
	CHECK_EQ(last_timer(&r), 0);
	CHECK_EQ(mrd(&l, 0x6e0, 2000), 0); /* cleared when it fired */
	lapic_model_ack(&l, 0xef);
	wr(&l, LAPICM_EOI, 0, 2000);

	/* writing 0 disarms */
	CHECK_EQ(lapic_model_msr_write(&l, 0x6e0, 100000, 3000, 6000), 0);
	CHECK_EQ(last_timer(&r), 3000 + 47000);
	CHECK_EQ(lapic_model_msr_write(&l, 0x6e0, 0, 3100, 6200), 0);
	CHECK_EQ(last_timer(&r), 0);
	lapic_model_tick(&l, 60000);
	CHECK_EQ(lapic_model_pending(&l), -1);

	/* a deadline in the past fires at once */
	CHECK_EQ(lapic_model_msr_write(&l, 0x6e0, 10, 70000, 140000), 0);
	CHECK_EQ(lapic_model_pending(&l), 0xef);
	CHECK_EQ(mrd(&l, 0x6e0, 70000), 0);
	lapic_model_ack(&l, 0xef);
	wr(&l, LAPICM_EOI, 0, 70000);

	/* switching the mode disarms */
	unsigned before = r.ntimer;
	CHECK_EQ(lapic_model_msr_write(&l, 0x6e0, 1000000, 80000, 160000), 0);
	CHECK_EQ(r.ntimer, before + 1);
	CHECK(last_timer(&r) != 0);
	wr(&l, LAPICM_LVT_TIMER, 0xef, 80001);
	CHECK_EQ(last_timer(&r), 0);
	CHECK_EQ(mrd(&l, 0x6e0, 80001), 0);
	lapic_model_tick(&l, 10000000);
	CHECK_EQ(lapic_model_pending(&l), -1);

	/* and one-shot -> TSC-deadline stops a running count */
	wr(&l, LAPICM_TIMER_DCR, 0xb, 0);
	wr(&l, LAPICM_TIMER_ICR, 1000, 10000000);
	CHECK_EQ(last_timer(&r), 10001000);
	wr(&l, LAPICM_LVT_TIMER, (2u << 17) | 0xef, 10000001);
	CHECK_EQ(last_timer(&r), 0);
	CHECK_EQ(rd(&l, LAPICM_TIMER_ICR, 10000001), 0);
}

TEST(tsc_deadline_in_x2apic_mode)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);
	to_x2apic(&l);
	mwr(&l, 0x80f, 0x1ff, 0);
	mwr(&l, 0x832, (2u << 17) | 0xef, 0);
	CHECK_EQ(lapic_model_msr_write(&l, 0x6e0, 2000, 0, 0), 0);
	CHECK_EQ(last_timer(&r), 1000);
	lapic_model_tick(&l, 1000);
	CHECK_EQ(lapic_model_pending(&l), 0xef);
}

TEST(timer_masked)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);
	sw_enable(&l);
	wr(&l, LAPICM_LVT_TIMER, 0x10000 | (1u << 17) | 0xec, 0);
	wr(&l, LAPICM_TIMER_DCR, 0xb, 0);
	wr(&l, LAPICM_TIMER_ICR, 100, 0);
	lapic_model_tick(&l, 100);
	CHECK_EQ(lapic_model_pending(&l), -1);
	CHECK_EQ(rd(&l, LAPICM_IRR + 0x70, 100), 0);
	CHECK_EQ(last_timer(&r), 200); /* periodic keeps running */
	wr(&l, LAPICM_LVT_TIMER, (1u << 17) | 0xec, 150);
	lapic_model_tick(&l, 200);
	CHECK_EQ(lapic_model_pending(&l), 0xec);
}

TEST(icr_xapic)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);
	sw_enable(&l);

	/* physical fixed IPI to APIC 3 (Linux: ICR high first, then low) */
	wr(&l, LAPICM_ICR_HI, 3u << 24, 0);
	wr(&l, LAPICM_ICR_LO, 0x4000 | 0xf0, 0);
	CHECK_EQ(r.nipi, 1);
	CHECK_EQ(r.ipi[0].dest, 3);
	CHECK_EQ(r.ipi[0].shorthand, LAPICM_SH_NONE);
	CHECK(!r.ipi[0].logical);
	CHECK_EQ(r.ipi[0].vector, 0xf0);
	CHECK_EQ(r.ipi[0].mode, LAPICM_DM_FIXED);
	/* delivery status reads idle */
	CHECK_EQ(rd(&l, LAPICM_ICR_LO, 0), 0x40f0);
	CHECK_EQ(rd(&l, LAPICM_ICR_HI, 0), 3u << 24);
	/* broadcast */
	wr(&l, LAPICM_ICR_HI, 0xffu << 24, 0);
	wr(&l, LAPICM_ICR_LO, 0xf1, 0);
	CHECK_EQ(r.ipi[1].dest, 0xff);
	/* shorthands */
	wr(&l, LAPICM_ICR_LO, (1u << 18) | 0xf2, 0);
	CHECK_EQ(r.ipi[2].shorthand, LAPICM_SH_SELF);
	CHECK_EQ(r.ipi[2].vector, 0xf2);
	wr(&l, LAPICM_ICR_LO, (2u << 18) | 0xf3, 0);
	CHECK_EQ(r.ipi[3].shorthand, LAPICM_SH_ALL);
	wr(&l, LAPICM_ICR_LO, (3u << 18) | 0xf4, 0);
	CHECK_EQ(r.ipi[4].shorthand, LAPICM_SH_OTHERS);
	/* logical, lowest priority */
	wr(&l, LAPICM_ICR_HI, 0x0f000000, 0);
	wr(&l, LAPICM_ICR_LO, 0x800 | 0x100 | 0x31, 0);
	CHECK(r.ipi[5].logical);
	CHECK_EQ(r.ipi[5].mode, LAPICM_DM_LOWEST);
	CHECK_EQ(r.ipi[5].dest, 0x0f);
	/* NMI */
	wr(&l, LAPICM_ICR_HI, 1u << 24, 0);
	wr(&l, LAPICM_ICR_LO, 0x4400, 0);
	CHECK_EQ(r.ipi[6].mode, LAPICM_DM_NMI);
	CHECK_EQ(r.ipi[6].dest, 1);
	/* Linux's AP start: INIT assert, INIT de-assert, SIPI x2 */
	wr(&l, LAPICM_ICR_LO, 0xc500, 0);
	CHECK_EQ(r.nipi, 8);
	CHECK_EQ(r.ipi[7].mode, LAPICM_DM_INIT);
	CHECK_EQ(r.ipi[7].dest, 1);
	wr(&l, LAPICM_ICR_LO, 0x8500, 0); /* de-assert: not delivered */
	CHECK_EQ(r.nipi, 8);
	wr(&l, LAPICM_ICR_LO, 0x0600 | 0x9a, 0);
	CHECK_EQ(r.nipi, 9);
	CHECK_EQ(r.ipi[8].mode, LAPICM_DM_SIPI);
	CHECK_EQ(r.ipi[8].vector, 0x9a);
	CHECK_EQ(r.ipi[8].dest, 1);
	/* SMI, ExtINT and non-fixed self are dropped */
	wr(&l, LAPICM_ICR_LO, 0x0200, 0);
	wr(&l, LAPICM_ICR_LO, 0x0700, 0);
	wr(&l, LAPICM_ICR_LO, (1u << 18) | 0x0400, 0);
	CHECK_EQ(r.nipi, 9);
	CHECK_EQ(rd(&l, LAPICM_ESR, 0), 0);
}

static struct lapic_model *self_target;

static void route_to_self(void *ctx, uint32_t dest, int shorthand, bool logical, uint8_t vector,
			  int mode)
{
	rec_ipi(ctx, dest, shorthand, logical, vector, mode);
	if (mode == LAPICM_DM_FIXED &&
	    (shorthand == LAPICM_SH_SELF || shorthand == LAPICM_SH_ALL ||
	     (shorthand == LAPICM_SH_NONE && lapic_model_match(self_target, dest, logical))))
		lapic_model_accept(self_target, vector, false);
}

TEST(self_ipi_routed_back)
{
	struct lapic_model l;
	struct rec r;
	memset(&r, 0, sizeof r);
	struct lapic_ops ops = { route_to_self, rec_timer, rec_eoi, &r };
	lapic_model_init(&l, 2, true, 1000000000ull, 1000000000ull, &ops);
	self_target = &l;
	sw_enable(&l);
	wr(&l, LAPICM_ICR_LO, (1u << 18) | 0xe0, 0);
	CHECK_EQ(lapic_model_pending(&l), 0xe0);
	lapic_model_ack(&l, 0xe0);
	wr(&l, LAPICM_EOI, 0, 0);
	wr(&l, LAPICM_ICR_HI, 2u << 24, 0);
	wr(&l, LAPICM_ICR_LO, 0xe1, 0);
	CHECK_EQ(lapic_model_pending(&l), 0xe1);
}

TEST(icr_x2apic)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);
	to_x2apic(&l);
	mwr(&l, 0x80f, 0x1ff, 0);

	mwr(&l, 0x830, (0x12345ull << 32) | 0x4000 | 0xfd, 0);
	CHECK_EQ(r.nipi, 1);
	CHECK_EQ(r.ipi[0].dest, 0x12345);
	CHECK_EQ(r.ipi[0].vector, 0xfd);
	CHECK_EQ(r.ipi[0].mode, LAPICM_DM_FIXED);
	CHECK_EQ(mrd(&l, 0x830, 0), (0x12345ull << 32) | 0x40fd);
	mwr(&l, 0x830, (0xffffffffull << 32) | 0x4400, 0);
	CHECK_EQ(r.ipi[1].dest, 0xffffffffu);
	CHECK_EQ(r.ipi[1].mode, LAPICM_DM_NMI);
	mwr(&l, 0x830, (0x00010003ull << 32) | 0x800 | 0x40, 0);
	CHECK(r.ipi[2].logical);
	CHECK_EQ(r.ipi[2].dest, 0x00010003);
	mwr(&l, 0x830, (7ull << 32) | 0x4500, 0);
	CHECK_EQ(r.ipi[3].mode, LAPICM_DM_INIT);
	CHECK_EQ(r.ipi[3].dest, 7);
	mwr(&l, 0x830, (7ull << 32) | 0x0610, 0);
	CHECK_EQ(r.ipi[4].mode, LAPICM_DM_SIPI);
	CHECK_EQ(r.ipi[4].vector, 0x10);
	/* SELF IPI MSR */
	mwr(&l, 0x83f, 0x55, 0);
	CHECK_EQ(r.nipi, 6);
	CHECK_EQ(r.ipi[5].shorthand, LAPICM_SH_SELF);
	CHECK_EQ(r.ipi[5].vector, 0x55);
	CHECK_EQ(r.ipi[5].mode, LAPICM_DM_FIXED);
	CHECK_EQ(lapic_model_msr_write(&l, 0x83f, 1ull << 32, 0, 0), -1);
}

TEST(esr_illegal_vectors)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);
	sw_enable(&l);

	/* sending an illegal vector: not sent, ESR bit 5 after a write */
	wr(&l, LAPICM_ICR_LO, 0x4000 | 0x0f, 0);
	CHECK_EQ(r.nipi, 0);
	CHECK_EQ(rd(&l, LAPICM_ESR, 0), 0); /* not yet latched */
	wr(&l, LAPICM_ESR, 0, 0);
	CHECK_EQ(rd(&l, LAPICM_ESR, 0), LAPICM_ESR_SEND_ILLEGAL);
	wr(&l, LAPICM_ESR, 0, 0);
	CHECK_EQ(rd(&l, LAPICM_ESR, 0), 0);
	/* receiving one: not in the IRR, ESR bit 6; accumulates */
	lapic_model_accept(&l, 3, false);
	CHECK_EQ(rd(&l, LAPICM_IRR, 0), 0);
	wr(&l, LAPICM_ICR_LO, 0x4000 | 0x01, 0);
	wr(&l, LAPICM_ESR, 0, 0);
	CHECK_EQ(rd(&l, LAPICM_ESR, 0), LAPICM_ESR_SEND_ILLEGAL | LAPICM_ESR_RECV_ILLEGAL);
	/* NMI / INIT vectors are not checked */
	wr(&l, LAPICM_ICR_LO, 0x4400, 0);
	CHECK_EQ(r.nipi, 1);
	/* an unmasked LVT error delivers the error vector */
	wr(&l, LAPICM_LVT_ERROR, 0xfe, 0);
	lapic_model_accept(&l, 1, false);
	CHECK_EQ(lapic_model_pending(&l), 0xfe);

	/* x2APIC SELF IPI with an illegal vector */
	struct lapic_model x;
	setup(&x, &r, 0, true);
	to_x2apic(&x);
	mwr(&x, 0x80f, 0x1ff, 0);
	mwr(&x, 0x83f, 0x05, 0);
	mwr(&x, 0x828, 0, 0);
	CHECK_EQ(mrd(&x, 0x828, 0), LAPICM_ESR_SEND_ILLEGAL);
}

TEST(lint_pins)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 0, true);

	/* masked at reset */
	CHECK_EQ(lapic_model_lint(&l, 0, true), LAPICM_LINT_NONE);
	lapic_model_lint(&l, 0, false);
	sw_enable(&l);
	/* Linux BSP: LINT0 ExtINT, LINT1 NMI */
	wr(&l, LAPICM_LVT_LINT0, 0x700, 0);
	wr(&l, LAPICM_LVT_LINT1, 0x400, 0);
	CHECK_EQ(lapic_model_lint(&l, 0, true), LAPICM_LINT_EXTINT);
	CHECK_EQ(lapic_model_lint(&l, 0, true), LAPICM_LINT_EXTINT);
	CHECK_EQ(lapic_model_lint(&l, 0, false), LAPICM_LINT_NONE);
	CHECK_EQ(lapic_model_lint(&l, 1, true), LAPICM_LINT_NMI);
	CHECK_EQ(lapic_model_lint(&l, 1, true), LAPICM_LINT_NONE); /* no edge */
	CHECK_EQ(lapic_model_lint(&l, 1, false), LAPICM_LINT_NONE);
	CHECK_EQ(lapic_model_lint(&l, 2, true), LAPICM_LINT_NONE);
	/* fixed, edge */
	lapic_model_lint(&l, 1, false);
	wr(&l, LAPICM_LVT_LINT1, 0x45, 0);
	CHECK_EQ(lapic_model_lint(&l, 1, true), LAPICM_LINT_NONE);
	CHECK_EQ(lapic_model_pending(&l), 0x45);
	CHECK_EQ(rd(&l, LAPICM_TMR + 0x20, 0), 0);
	lapic_model_ack(&l, 0x45);
	wr(&l, LAPICM_EOI, 0, 0);
	/* fixed, level: remote IRR until EOI, re-delivered while asserted */
	lapic_model_lint(&l, 0, false);
	wr(&l, LAPICM_LVT_LINT0, 0x8000 | 0x46, 0);
	lapic_model_lint(&l, 0, true);
	CHECK_EQ(lapic_model_pending(&l), 0x46);
	CHECK_EQ(rd(&l, LAPICM_LVT_LINT0, 0), 0xc046);
	CHECK_EQ(rd(&l, LAPICM_TMR + 0x20, 0), 1u << 6);
	lapic_model_ack(&l, 0x46);
	wr(&l, LAPICM_EOI, 0, 0);
	CHECK_EQ(r.neoi, 1);
	CHECK_EQ(lapic_model_pending(&l), 0x46);
	lapic_model_lint(&l, 0, false);
	lapic_model_ack(&l, 0x46);
	wr(&l, LAPICM_EOI, 0, 0);
	CHECK_EQ(rd(&l, LAPICM_LVT_LINT0, 0), 0x8046);
	CHECK_EQ(lapic_model_pending(&l), -1);

	/* hardware-disabled: LINT0 = INTR, LINT1 = NMI */
	mwr(&l, 0x1b, 0xfee00100ull, 0);
	lapic_model_lint(&l, 1, false);
	CHECK_EQ(lapic_model_lint(&l, 0, true), LAPICM_LINT_EXTINT);
	CHECK_EQ(lapic_model_lint(&l, 1, true), LAPICM_LINT_NMI);
}

TEST(init_signal)
{
	struct lapic_model l;
	struct rec r;
	setup(&l, &r, 9, false);
	to_x2apic(&l);
	mwr(&l, 0x80f, 0x1ff, 0);
	mwr(&l, 0x808, 0x40, 0);
	mwr(&l, 0x832, 0x40, 0);
	mwr(&l, 0x838, 100, 0);
	CHECK_EQ(last_timer(&r), 200);
	lapic_model_init_signal(&l);
	CHECK_EQ(last_timer(&r), 0);
	CHECK(lapic_model_x2apic(&l));
	CHECK_EQ(mrd(&l, 0x802, 0), 9);
	CHECK_EQ(mrd(&l, 0x80d, 0), 1u << 9);
	CHECK_EQ(mrd(&l, 0x808, 0), 0);
	CHECK_EQ(mrd(&l, 0x80f, 0), 0xff);
}
