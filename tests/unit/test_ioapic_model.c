// unit-modules: kernel/vdev/ioapic_model.c
/* The I/O APIC device model against the 82093AA datasheet (section 3) and
 * the way Linux's io_apic.c programs it. */
#include <stdbool.h>
#include <stdint.h>

#include "../../kernel/vdev/ioapic_model.h"
#include "unit.h"

struct msg {
	uint8_t vector;
	uint32_t dest;
	bool logical;
	int mode;
	bool level;
};

struct rec {
	struct msg log[64];
	unsigned n;
};

static void rec_deliver(void *ctx, uint8_t vector, uint32_t dest, bool logical, int mode, bool level)
{
	struct rec *r = ctx;
	if (r->n < sizeof r->log / sizeof r->log[0])
		r->log[r->n] = (struct msg){ vector, dest, logical, mode, level };
	r->n++;
}

static void setup(struct ioapic_model *io, struct rec *r, uint8_t id)
{
	memset(r, 0, sizeof *r);
	struct ioapic_ops ops = { rec_deliver, r };
	ioapic_model_init(io, id, &ops);
}

/* Register access through IOREGSEL/IOWIN, as Linux's io_apic_read/write. */
static uint32_t rd(struct ioapic_model *io, uint8_t reg)
{
	uint32_t v = 0xdeadbeef;
	CHECK_EQ(ioapic_model_mmio_write(io, IOAPICM_REGSEL, reg), 0);
	CHECK_EQ(ioapic_model_mmio_read(io, IOAPICM_WIN, &v), 0);
	return v;
}

static void wr(struct ioapic_model *io, uint8_t reg, uint32_t value)
{
	CHECK_EQ(ioapic_model_mmio_write(io, IOAPICM_REGSEL, reg), 0);
	CHECK_EQ(ioapic_model_mmio_write(io, IOAPICM_WIN, value), 0);
}

static uint64_t rte_get(struct ioapic_model *io, unsigned pin)
{
	uint32_t lo = rd(io, (uint8_t)(0x10 + 2 * pin));
	uint32_t hi = rd(io, (uint8_t)(0x11 + 2 * pin));
	return ((uint64_t)hi << 32) | lo;
}

/* Linux writes the high half first, then the low half. */
static void rte_set(struct ioapic_model *io, unsigned pin, uint64_t rte)
{
	wr(io, (uint8_t)(0x11 + 2 * pin), (uint32_t)(rte >> 32));
	wr(io, (uint8_t)(0x10 + 2 * pin), (uint32_t)rte);
}

#define LEVEL IOAPICM_RTE_LEVEL
#define MASKED IOAPICM_RTE_MASK
#define ACTLOW IOAPICM_RTE_POLARITY
#define IRR IOAPICM_RTE_REMOTE_IRR
#define DEST(d) ((uint64_t)(d) << 56)

TEST(reset_values)
{
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 0x15); /* only 4 ID bits exist */
	CHECK_EQ(rd(&io, IOAPICM_REG_ID), 0x05000000);
	CHECK_EQ(rd(&io, IOAPICM_REG_VER), 0x00170020);
	CHECK_EQ((rd(&io, IOAPICM_REG_VER) >> 16) & 0xff, 23);
	CHECK_EQ(rd(&io, IOAPICM_REG_ARB), 0x05000000);
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		CHECK_EQ(rte_get(&io, pin), 0x10000);
	uint32_t v = 1;
	CHECK_EQ(ioapic_model_mmio_write(&io, IOAPICM_REGSEL, 0), 0);
	CHECK_EQ(ioapic_model_mmio_read(&io, IOAPICM_REGSEL, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(r.n, 0);
}

TEST(id_register)
{
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 2);
	wr(&io, IOAPICM_REG_ID, 0xffffffff); /* only 27:24 are writable */
	CHECK_EQ(rd(&io, IOAPICM_REG_ID), 0x0f000000);
	CHECK_EQ(rd(&io, IOAPICM_REG_ARB), 0x0f000000); /* loaded with the ID */
	wr(&io, IOAPICM_REG_ARB, 0x03000000);            /* read-only */
	CHECK_EQ(rd(&io, IOAPICM_REG_ARB), 0x0f000000);
	wr(&io, IOAPICM_REG_VER, 0);                     /* read-only */
	CHECK_EQ(rd(&io, IOAPICM_REG_VER), 0x00170020);
	ioapic_model_reset(&io);
	CHECK_EQ(rd(&io, IOAPICM_REG_ID), 0x02000000);
}

TEST(rte_round_trip_every_entry)
{
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 0);
	/* Every writable bit, distinct per entry; all masked so nothing fires. */
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t v = DEST(0x80 | pin) | MASKED | (pin & 1 ? LEVEL : 0) |
			     (pin & 2 ? ACTLOW : 0) | (pin & 4 ? IOAPICM_RTE_DESTMODE : 0) |
			     ((uint64_t)(pin % 8) << 8) | (0x20 + pin);
		rte_set(&io, pin, v);
	}
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t v = DEST(0x80 | pin) | MASKED | (pin & 1 ? LEVEL : 0) |
			     (pin & 2 ? ACTLOW : 0) | (pin & 4 ? IOAPICM_RTE_DESTMODE : 0) |
			     ((uint64_t)(pin % 8) << 8) | (0x20 + pin);
		CHECK_EQ(rte_get(&io, pin), v);
	}
	/* The selector reads back, bits 31:8 dropped. */
	uint32_t sel = 0;
	CHECK_EQ(ioapic_model_mmio_write(&io, IOAPICM_REGSEL, 0x12345617), 0);
	CHECK_EQ(ioapic_model_mmio_read(&io, IOAPICM_REGSEL, &sel), 0);
	CHECK_EQ(sel, 0x17);
	/* Reserved bits read 0; beyond entry 23 and holes read 0, writes ignored. */
	rte_set(&io, 0, ~0ull);
	CHECK_EQ(rte_get(&io, 0), IOAPICM_RTE_WRITABLE);
	wr(&io, 0x40, 0xffffffff);
	CHECK_EQ(rd(&io, 0x40), 0);
	CHECK_EQ(rd(&io, 0x03), 0);
	CHECK_EQ(rd(&io, 0x0f), 0);
	CHECK_EQ(rd(&io, 0xff), 0);
	CHECK_EQ(r.n, 0);
}

TEST(read_only_bits_ignored)
{
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 0);
	/* Delivery status and Remote IRR cannot be set by software. */
	rte_set(&io, 3, MASKED | LEVEL | IOAPICM_RTE_DELIVS | IRR | 0x33);
	CHECK_EQ(rte_get(&io, 3), MASKED | LEVEL | 0x33);
	/* Nor cleared: get Remote IRR set by a delivery, then write it as 0. */
	rte_set(&io, 3, LEVEL | 0x33);
	ioapic_model_set_irq(&io, 3, true);
	CHECK_EQ(r.n, 1);
	CHECK_EQ(rte_get(&io, 3), LEVEL | IRR | 0x33);
	wr(&io, 0x16, (uint32_t)(LEVEL | 0x33));
	CHECK_EQ(rte_get(&io, 3), LEVEL | IRR | 0x33);
	CHECK_EQ(r.n, 1);
}

TEST(edge_once_per_rising_edge)
{
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 0);
	rte_set(&io, 4, DEST(1) | 0x34);
	ioapic_model_set_irq(&io, 4, true);
	CHECK_EQ(r.n, 1);
	ioapic_model_set_irq(&io, 4, true); /* still high: no edge */
	CHECK_EQ(r.n, 1);
	ioapic_model_set_irq(&io, 4, false);
	CHECK_EQ(r.n, 1);
	ioapic_model_set_irq(&io, 4, true);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(r.log[1].vector, 0x34);
	CHECK(!r.log[1].level);
	CHECK_EQ(rte_get(&io, 4) & IRR, 0); /* no Remote IRR for edge */
	ioapic_model_eoi(&io, 0x34);        /* harmless */
	CHECK_EQ(r.n, 2);
	/* Other pins and out-of-range pins are independent / ignored. */
	ioapic_model_set_irq(&io, 5, true);
	ioapic_model_set_irq(&io, IOAPIC_PINS, true);
	ioapic_model_set_irq(&io, 1000, true);
	CHECK_EQ(r.n, 2);
}

TEST(masked_edge_is_lost)
{
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 0);
	rte_set(&io, 1, MASKED | 0x31);
	ioapic_model_set_irq(&io, 1, true);
	CHECK_EQ(r.n, 0);
	rte_set(&io, 1, 0x31); /* unmask with the line still high */
	CHECK_EQ(r.n, 0);      /* the edge was not held pending */
	ioapic_model_set_irq(&io, 1, false);
	ioapic_model_set_irq(&io, 1, true);
	CHECK_EQ(r.n, 1);
}

TEST(level_remote_irr_and_eoi)
{
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 0);
	rte_set(&io, 9, DEST(2) | LEVEL | 0x59);
	ioapic_model_set_irq(&io, 9, true);
	CHECK_EQ(r.n, 1);
	CHECK(r.log[0].level);
	CHECK_EQ(r.log[0].vector, 0x59);
	CHECK(rte_get(&io, 9) & IRR);
	/* Still active, line wiggles: nothing until the EOI. */
	ioapic_model_set_irq(&io, 9, true);
	ioapic_model_set_irq(&io, 9, false);
	ioapic_model_set_irq(&io, 9, true);
	CHECK_EQ(r.n, 1);
	ioapic_model_eoi(&io, 0x58); /* other vector */
	CHECK_EQ(r.n, 1);
	CHECK(rte_get(&io, 9) & IRR);
	/* EOI while still active: re-delivered, Remote IRR set again. */
	ioapic_model_eoi(&io, 0x59);
	CHECK_EQ(r.n, 2);
	CHECK(rte_get(&io, 9) & IRR);
	/* Line drops, then EOI: Remote IRR clears, nothing delivered. */
	ioapic_model_set_irq(&io, 9, false);
	ioapic_model_eoi(&io, 0x59);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(rte_get(&io, 9) & IRR, 0);
	ioapic_model_eoi(&io, 0x59);
	CHECK_EQ(r.n, 2);
	/* Next assertion delivers again. */
	ioapic_model_set_irq(&io, 9, true);
	CHECK_EQ(r.n, 3);
}

TEST(eoi_register)
{
	/* Version 0x20: Linux's io_apic_eoi() writes the vector at +0x40. */
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 0);
	rte_set(&io, 10, LEVEL | 0x61);
	rte_set(&io, 11, LEVEL | 0x61); /* shared vector: both are EOIed */
	ioapic_model_set_irq(&io, 10, true);
	ioapic_model_set_irq(&io, 11, true);
	CHECK_EQ(r.n, 2);
	ioapic_model_set_irq(&io, 11, false);
	CHECK_EQ(ioapic_model_mmio_write(&io, IOAPICM_EOI, 0x61), 0);
	CHECK_EQ(r.n, 3); /* pin 10 again */
	CHECK(rte_get(&io, 10) & IRR);
	CHECK_EQ(rte_get(&io, 11) & IRR, 0);
	uint32_t v = 1;
	CHECK_EQ(ioapic_model_mmio_read(&io, IOAPICM_EOI, &v), 0);
	CHECK_EQ(v, 0);
}

TEST(edge_toggle_clears_remote_irr)
{
	/* Linux's pre-0x20 EOI: mask + edge, then restore the level entry. */
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 0);
	rte_set(&io, 12, LEVEL | 0x62);
	ioapic_model_set_irq(&io, 12, true);
	CHECK_EQ(r.n, 1);
	wr(&io, 0x28, (uint32_t)(MASKED | 0x62));
	CHECK_EQ(rte_get(&io, 12), MASKED | 0x62);
	wr(&io, 0x28, (uint32_t)(LEVEL | 0x62));
	CHECK_EQ(r.n, 2); /* still asserted: delivered again */
}

TEST(level_masked_then_unmasked_while_asserted)
{
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 0);
	rte_set(&io, 7, MASKED | LEVEL | 0x47);
	ioapic_model_set_irq(&io, 7, true);
	CHECK_EQ(r.n, 0);
	CHECK_EQ(rte_get(&io, 7) & IRR, 0);
	rte_set(&io, 7, LEVEL | 0x47);
	CHECK_EQ(r.n, 1);
	CHECK_EQ(r.log[0].vector, 0x47);
	CHECK(rte_get(&io, 7) & IRR);
	/* Re-masking and unmasking with Remote IRR set: no second delivery. */
	rte_set(&io, 7, MASKED | LEVEL | 0x47);
	rte_set(&io, 7, LEVEL | 0x47);
	CHECK_EQ(r.n, 1);
	/* EOI while masked: Remote IRR clears, no delivery; unmask delivers. */
	rte_set(&io, 7, MASKED | LEVEL | 0x47);
	ioapic_model_eoi(&io, 0x47);
	CHECK_EQ(rte_get(&io, 7) & IRR, 0);
	CHECK_EQ(r.n, 1);
	rte_set(&io, 7, LEVEL | 0x47);
	CHECK_EQ(r.n, 2);
	/* Unmasking with the line inactive delivers nothing. */
	ioapic_model_eoi(&io, 0x47);
	CHECK_EQ(r.n, 3);
	ioapic_model_set_irq(&io, 7, false);
	ioapic_model_eoi(&io, 0x47);
	rte_set(&io, 7, MASKED | LEVEL | 0x47);
	rte_set(&io, 7, LEVEL | 0x47);
	CHECK_EQ(r.n, 3);
}

TEST(polarity_active_low)
{
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 0);
	/* Edge, active low: delivered on the high-to-low transition. */
	ioapic_model_set_irq(&io, 2, true);
	rte_set(&io, 2, ACTLOW | 0x32);
	CHECK_EQ(r.n, 0); /* a polarity change is not an edge */
	ioapic_model_set_irq(&io, 2, false);
	CHECK_EQ(r.n, 1);
	ioapic_model_set_irq(&io, 2, true);
	CHECK_EQ(r.n, 1);
	/* Level, active low (PCI INTx as Linux programs it). */
	ioapic_model_set_irq(&io, 16, true); /* deasserted */
	rte_set(&io, 16, ACTLOW | LEVEL | 0x70);
	CHECK_EQ(r.n, 1);
	ioapic_model_set_irq(&io, 16, false); /* asserted */
	CHECK_EQ(r.n, 2);
	CHECK_EQ(r.log[1].vector, 0x70);
	ioapic_model_set_irq(&io, 16, true);
	ioapic_model_eoi(&io, 0x70);
	CHECK_EQ(r.n, 2);
	/* A line that is low at unmask with active-low level: delivered. */
	ioapic_model_set_irq(&io, 17, false);
	rte_set(&io, 17, ACTLOW | LEVEL | 0x71);
	CHECK_EQ(r.n, 3);
	CHECK_EQ(r.log[2].vector, 0x71);
}

TEST(message_fields_pass_through)
{
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 0);
	/* Logical, lowest priority, destination mask 0xa5, level. */
	rte_set(&io, 20, DEST(0xa5) | IOAPICM_RTE_DESTMODE | ((uint64_t)IOAPICM_DM_LOWEST << 8) | LEVEL | 0x91);
	ioapic_model_set_irq(&io, 20, true);
	CHECK_EQ(r.n, 1);
	CHECK_EQ(r.log[0].vector, 0x91);
	CHECK_EQ(r.log[0].dest, 0xa5);
	CHECK(r.log[0].logical);
	CHECK_EQ(r.log[0].mode, IOAPICM_DM_LOWEST);
	CHECK(r.log[0].level);
	/* Physical, fixed, APIC ID 0xff, edge. */
	rte_set(&io, 21, DEST(0xff) | 0x92);
	ioapic_model_set_irq(&io, 21, true);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(r.log[1].dest, 0xff);
	CHECK(!r.log[1].logical);
	CHECK_EQ(r.log[1].mode, IOAPICM_DM_FIXED);
	CHECK(!r.log[1].level);
	/* NMI programmed as level: treated as edge, no Remote IRR. */
	rte_set(&io, 22, DEST(3) | ((uint64_t)IOAPICM_DM_NMI << 8) | LEVEL);
	ioapic_model_set_irq(&io, 22, true);
	CHECK_EQ(r.n, 3);
	CHECK_EQ(r.log[2].mode, IOAPICM_DM_NMI);
	CHECK_EQ(r.log[2].dest, 3);
	CHECK(!r.log[2].level);
	CHECK_EQ(rte_get(&io, 22), DEST(3) | ((uint64_t)IOAPICM_DM_NMI << 8) | LEVEL);
	ioapic_model_set_irq(&io, 22, true);
	CHECK_EQ(r.n, 3);
	/* ExtINT (the 8259 through pin 0, as Linux's check_timer may). */
	rte_set(&io, 0, ((uint64_t)IOAPICM_DM_EXTINT << 8));
	ioapic_model_set_irq(&io, 0, true);
	CHECK_EQ(r.n, 4);
	CHECK_EQ(r.log[3].mode, IOAPICM_DM_EXTINT);
}

TEST(mmio_offsets_and_alignment)
{
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 0);
	CHECK_EQ(ioapic_model_mmio_write(&io, IOAPICM_REGSEL, IOAPICM_REG_VER), 0);
	uint32_t v;
	/* Misaligned accesses that touch IOREGSEL, IOWIN or EOI: errors. */
	static const uint32_t bad[] = { 0x01, 0x02, 0x03, 0x0d, 0x0e, 0x0f, 0x11, 0x12, 0x13,
					0x3d, 0x41, 0x43, 0xffd, 0xffe, 0xfff, 0x1000, 0xffffffff };
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = 0x1234;
		CHECK_EQ(ioapic_model_mmio_read(&io, bad[i], &v), -1);
		CHECK_EQ(v, 0);
		CHECK_EQ(ioapic_model_mmio_write(&io, bad[i], 0x10), -1);
	}
	/* IOREGSEL was not changed by any of those. */
	CHECK_EQ(ioapic_model_mmio_read(&io, IOAPICM_REGSEL, &v), 0);
	CHECK_EQ(v, IOAPICM_REG_VER);
	/* Other offsets in the window: read 0, writes ignored, no error. */
	static const uint32_t empty[] = { 0x04, 0x08, 0x0c, 0x14, 0x20, 0x21, 0x3c, 0x44, 0x800, 0xffc };
	for (unsigned i = 0; i < sizeof empty / sizeof empty[0]; i++) {
		CHECK_EQ(ioapic_model_mmio_write(&io, empty[i], 0x10), 0);
		v = 0x1234;
		CHECK_EQ(ioapic_model_mmio_read(&io, empty[i], &v), 0);
		CHECK_EQ(v, 0);
	}
	CHECK_EQ(ioapic_model_mmio_read(&io, IOAPICM_REGSEL, &v), 0);
	CHECK_EQ(v, IOAPICM_REG_VER);
	CHECK_EQ(ioapic_model_mmio_read(&io, IOAPICM_WIN, &v), 0);
	CHECK_EQ(v, 0x00170020);
}

TEST(reset_keeps_lines_and_delivers_nothing)
{
	struct ioapic_model io;
	struct rec r;
	setup(&io, &r, 1);
	rte_set(&io, 5, LEVEL | 0x55);
	ioapic_model_set_irq(&io, 5, true);
	CHECK_EQ(r.n, 1);
	ioapic_model_reset(&io);
	CHECK_EQ(rte_get(&io, 5), MASKED);
	CHECK_EQ(r.n, 0 + 1);
	rte_set(&io, 5, LEVEL | 0x56); /* line still high after reset */
	CHECK_EQ(r.n, 2);
	CHECK_EQ(r.log[1].vector, 0x56);
}

TEST(null_ops)
{
	struct ioapic_model io;
	ioapic_model_init(&io, 0, NULL);
	rte_set(&io, 1, LEVEL | 0x41);
	ioapic_model_set_irq(&io, 1, true); /* no callback: no crash */
	CHECK(rte_get(&io, 1) & IRR);
	ioapic_model_eoi(&io, 0x41);
}
