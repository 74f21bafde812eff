/* A pure device model of an I/O APIC (Intel 82093AA programming model, as
 * Linux's io_apic.c drives it), for a partition. No globals, no hardware, no
 * guest structures: the owner forwards the guest's 32-bit accesses to the
 * 4 KiB MMIO window (usually at 0xFEC00000) to ioapic_model_mmio_read/_write,
 * reports the electrical level of each interrupt input with
 * ioapic_model_set_irq, forwards the local APICs' EOI broadcasts to
 * ioapic_model_eoi, and receives interrupt messages through struct ioapic_ops.
 *
 * References are to the Intel 82093AA I/O Advanced Programmable Interrupt
 * Controller (IOAPIC) datasheet (order 290566-001): section 3.0 (register
 * access: 32-bit loads and stores only), 3.1.1 IOREGSEL, 3.1.2 IOWIN,
 * 3.2.1 IOAPICID, 3.2.2 IOAPICVER, 3.2.3 IOAPICARB, 3.2.4 IOREDTBL[23:0].
 *
 * Modelling choices (documented departures from the 82093AA):
 *  - The version register reads 0x00170020: version 0x20 (the PCI/system-bus
 *    I/O APIC of Intel's I/O controller hubs, rather than the 82093AA's
 *    0x11) with 24 pins. Linux uses version >= 0x20 to mean that the I/O
 *    APIC has the EOI register at offset 0x40 (io_apic_eoi()), so the model
 *    implements it: a 32-bit write of a vector there acts as
 *    ioapic_model_eoi(vector) (ICH datasheets, "EOI Register"). It is
 *    write-only and reads 0.
 *  - Delivery is instantaneous: ops.deliver is called synchronously, so the
 *    Delivery Status bit (12, read-only) always reads 0 (idle).
 *  - Remote IRR (bit 14, read-only) is set when a level-triggered interrupt
 *    is delivered and cleared by an EOI with the entry's vector. The
 *    datasheet leaves it undefined for edge-triggered entries; the model
 *    clears it whenever the entry is written as edge-triggered, which is what
 *    Linux's pre-0x20 EOI emulation (mask + edge, then restore) relies on.
 *  - Edges on a masked pin are lost (3.2.4, bit 16: an edge seen while
 *    masked is neither delivered nor kept pending), so unmasking never
 *    delivers an edge entry.
 *    A level entry whose line is active, unmasked and Remote IRR clear is
 *    delivered after any write that leaves it in that state (unmask, change
 *    to level trigger or of polarity).
 *  - Edges are detected on set_irq only: changing an entry's polarity is not
 *    an edge. The line input levels are external state: they persist across
 *    ioapic_model_reset.
 *  - SMI, NMI, INIT and ExtINT entries are treated as edge-triggered even if
 *    bit 15 is set (3.2.4: these modes require/are treated as edge); bit 15
 *    still reads back as written. Their deliver() calls pass level = false
 *    and never set Remote IRR.
 *  - Reserved delivery modes (3 and 6) are stored and passed to deliver()
 *    unchanged; the receiver decides what to do with them.
 *  - Reserved RTE bits (31:17, 55:32) and IOAPICID bits other than 27:24 are
 *    not stored and read 0. IOAPICARB always equals the ID (3.2.3: a write
 *    of IOAPICID loads it too; there is no APIC bus arbitration here to
 *    rotate it afterwards).
 *  - MMIO: every call is one 32-bit access at `offset` (the caller rejects or
 *    splits other sizes). An access that partly overlaps IOREGSEL (0x00),
 *    IOWIN (0x10) or EOI (0x40), i.e. is not exactly at its 32-bit aligned
 *    offset, and an access that does not lie wholly inside the 4 KiB window,
 *    is an error: the call returns -1 and changes nothing (*value is set to
 *    0 for a read). Any other access in the window (unimplemented offsets,
 *    aligned or not) reads 0 / is ignored and returns 0. IOREGSEL holds
 *    bits 7:0 (bits 31:8 read 0); IOWIN reads of unimplemented register
 *    indexes return 0 and writes to them are ignored.
 *
 * The callback must not call back into the same model. Register and bit
 * names carry an IOAPICM_ prefix so they do not clash with a host driver. */
#ifndef VDEV_IOAPIC_MODEL_H
#define VDEV_IOAPIC_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_PINS 24

/* MMIO offsets from the base (3.1, plus the EOI register). */
#define IOAPICM_MMIO_SIZE 0x1000u
#define IOAPICM_REGSEL    0x00u  /* I/O register select (index), R/W */
#define IOAPICM_WIN       0x10u  /* I/O window (data), R/W */
#define IOAPICM_EOI       0x40u  /* EOI (version 0x20), write-only */

/* Register indexes behind IOREGSEL/IOWIN (section 3.2). */
#define IOAPICM_REG_ID   0x00u  /* bits 27:24: ID, R/W */
#define IOAPICM_REG_VER  0x01u  /* RO: bits 23:16 max redirection entry, 7:0 version */
#define IOAPICM_REG_ARB  0x02u  /* RO: bits 27:24 arbitration ID */
#define IOAPICM_REG_RTE  0x10u  /* 0x10 + 2n: RTE n bits 31:0, 0x11 + 2n: bits 63:32 */

#define IOAPICM_VERSION  0x20u
#define IOAPICM_VER_VALUE (((uint32_t)(IOAPIC_PINS - 1) << 16) | IOAPICM_VERSION)

/* Redirection table entry bits (section 3.2.4). */
#define IOAPICM_RTE_VECTOR     0x000000ffull
#define IOAPICM_RTE_DELMODE    0x00000700ull  /* bits 10:8 */
#define IOAPICM_RTE_DESTMODE   0x00000800ull  /* 1: logical */
#define IOAPICM_RTE_DELIVS     0x00001000ull  /* delivery status, RO (always 0 here) */
#define IOAPICM_RTE_POLARITY   0x00002000ull  /* 1: active low */
#define IOAPICM_RTE_REMOTE_IRR 0x00004000ull  /* RO */
#define IOAPICM_RTE_LEVEL      0x00008000ull  /* trigger mode, 1: level */
#define IOAPICM_RTE_MASK       0x00010000ull
#define IOAPICM_RTE_DEST_SHIFT 56
#define IOAPICM_RTE_DEST       (0xffull << IOAPICM_RTE_DEST_SHIFT)
/* Bits the guest may write. */
#define IOAPICM_RTE_WRITABLE   (IOAPICM_RTE_VECTOR | IOAPICM_RTE_DELMODE | IOAPICM_RTE_DESTMODE | \
				IOAPICM_RTE_POLARITY | IOAPICM_RTE_LEVEL | IOAPICM_RTE_MASK | \
				IOAPICM_RTE_DEST)

/* Delivery modes (bits 10:8). */
#define IOAPICM_DM_FIXED    0
#define IOAPICM_DM_LOWEST   1
#define IOAPICM_DM_SMI      2
#define IOAPICM_DM_NMI      4
#define IOAPICM_DM_INIT     5
#define IOAPICM_DM_EXTINT   7

struct ioapic_ops {
	/* An interrupt message: vector (bits 7:0 of the entry), dest (bits
	 * 63:56: a physical APIC ID, or a logical mask when logical is true),
	 * mode (IOAPICM_DM_*, raw bits 10:8) and level (true for a
	 * level-triggered delivery, which the receiver must answer with an EOI
	 * broadcast, i.e. ioapic_model_eoi). May be NULL. */
	void (*deliver)(void *ctx, uint8_t vector, uint32_t dest, bool logical, int mode, bool level);
	void *ctx;
};

struct ioapic_model {
	struct ioapic_ops ops;       /* copied at init */
	uint8_t reset_id;            /* ID given to init, restored by reset */
	uint8_t id;                  /* IOAPICID bits 27:24 (4 bits) */
	uint8_t regsel;              /* IOREGSEL bits 7:0 */
	uint32_t lines;              /* bit n: electrical level of input pin n */
	uint64_t rte[IOAPIC_PINS];   /* redirection table (writable bits + Remote IRR) */
};

/* Power-on state: ID = id & 0xf, IOREGSEL 0, every RTE 0x0000000000010000
 * (masked, everything else 0), all input lines low. ops may be NULL. */
void ioapic_model_init(struct ioapic_model *io, uint8_t id, const struct ioapic_ops *ops);
/* Reset of a live model (partition reset): the power-on state above with the
 * init ID, keeping the ops and the input line levels. Delivers nothing. */
void ioapic_model_reset(struct ioapic_model *io);
/* One 32-bit guest access at offset (0..0xFFF) from the MMIO base: 0 on
 * success, -1 on an error access (see the header comment). */
int ioapic_model_mmio_read(struct ioapic_model *io, uint32_t offset, uint32_t *value);
int ioapic_model_mmio_write(struct ioapic_model *io, uint32_t offset, uint32_t value);
/* The electrical level of input pin (0..IOAPIC_PINS-1; others ignored);
 * active-low when the entry's polarity bit is set. */
void ioapic_model_set_irq(struct ioapic_model *io, unsigned pin, bool level);
/* An EOI broadcast for vector: clears Remote IRR of every level-triggered
 * entry with that vector and re-delivers those still active and unmasked. */
void ioapic_model_eoi(struct ioapic_model *io, uint8_t vector);

#endif
