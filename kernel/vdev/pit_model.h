/* A pure device model of the PC's Intel 8254 programmable interval timer
 * (ports 0x40-0x43) and of the timer bits of the PC's system control port B
 * (port 0x61). No globals, no hardware, no guest structures: the owner
 * forwards the guest's byte accesses to pit_model_read/pit_model_write with
 * the current time, arms a host timer for pit_model_next_irq_ns, calls
 * pit_model_tick when it fires, and receives IRQ 0 through struct pit_ops.
 * References are to the Intel 8254 datasheet (order 231164): "Control Word
 * Format", "Read Operations" (counter latch and read-back commands, status
 * byte), "Mode Definitions" (modes 0-5) and Figure 19 (gate operations).
 *
 * The counters:
 *  - The CLK input runs at PITM_HZ (1193182 Hz) forever, from now_ns = 0:
 *    CLK edge number n (n >= 1) falls at ceil(n * 10^9 / PITM_HZ) ns and the
 *    number of edges up to now_ns is floor(now_ns * PITM_HZ / 10^9), in exact
 *    integer arithmetic. A counter counts edges, so reads are exact at any
 *    time and nothing drifts. Time (now_ns) must not go backwards.
 *  - A count is loaded into the counting element on the first CLK edge after
 *    it is written (after the gate trigger in modes 1 and 5), and the edges
 *    after that decrement it, as the datasheet says: in mode 0 OUT goes high
 *    N + 1 edges after the count N is written. Before that first edge the
 *    counter reads N (the silicon would show its previous contents).
 *  - A count of 0 means 65536 (10000 in BCD). BCD counting is implemented
 *    (the counter counts modulo 10000 and reads back in BCD); a BCD count
 *    with a nibble above 9 counts as that nibble's binary value.
 *  - Modes 0-5 per the datasheet, modes 6 and 7 are modes 2 and 3 (the
 *    status byte reports the mode bits as written). OUT after a control word:
 *    low in mode 0, high in the other modes. Writing the first byte of a
 *    two-byte count stops a mode 0 counter and drives OUT low. A new count
 *    takes effect at once in modes 0 and 4, at the next period in mode 2, at
 *    the end of the current half-cycle in mode 3, and at the next gate
 *    trigger in modes 1 and 5. In mode 3 an odd count N gives OUT high for
 *    (N + 1) / 2 and low for (N - 1) / 2 clocks. Counts of 1 in modes 2 and 3
 *    (illegal per the datasheet) leave OUT low (mode 2) or high (mode 3).
 *  - Counter latch command, read-back command (count and/or status for any
 *    set of counters), status byte (OUT, null count, RW, mode, BCD). A
 *    second latch of an unread count or status is ignored; when both are
 *    latched the status is read first. One read flip-flop serves latched
 *    and live reads; reads and writes have separate flip-flops, so they may
 *    interleave. A control word resets the flip-flops and drops latches.
 *    Null count is 1 from a control word or count write until the count is
 *    loaded into the counting element.
 *  - Port 0x43 is write-only: reads return 0xFF (floating bus).
 *
 * Gates: channels 0 and 1 have GATE tied high. Channel 2's GATE is bit 0 of
 * port 0x61; it resets low. Gate low suspends counting in modes 0, 2, 3 and
 * 4 and forces OUT high in modes 2 and 3; a rising edge resumes modes 0 and
 * 4 and (re)starts modes 1, 2, 3 and 5 from the count register.
 *
 * Port 0x61 (PC/AT system control port B): bits 3:0 are stored and read
 * back (0: channel 2 gate, 1: speaker data enable, 2-3: parity and channel
 * check enables, which do nothing here); bit 4 is the refresh toggle, which
 * flips every 18 CLK edges (15.09 us, the DRAM refresh rate the PC BIOS
 * programs on channel 1; channel 1's real programming does not affect it);
 * bit 5 is channel 2's OUT; bits 7:6 (parity / I/O channel errors) read 0.
 * The speaker is not modelled.
 *
 * IRQ 0 (channel 0's OUT): the PC's interrupt controllers take IRQ 0 on the
 * rising edge of OUT, so the model reports each rising edge of channel 0's
 * OUT produced by counting (mode 0 terminal count, every period in modes 2
 * and 3, the end of the strobe in mode 4) as a pulse: ops.irq(ctx, true)
 * immediately followed by ops.irq(ctx, false); the line otherwise rests low.
 * Edges that fell due since the last report are coalesced into one pulse.
 * OUT changes caused directly by a control word are not reported.
 * pit_model_next_irq_ns gives the time of the next edge (0 = none); the
 * owner calls pit_model_tick at or after it. Every read and write first
 * reports the edges due by its now_ns, so reprogramming loses no expiry.
 * A guest can program very short periods (count 2: 1.7 us); rate-limiting
 * the host timer is the owner's business (the pulses coalesce).
 *
 * The callback must not call back into the same model. Names carry a PITM_
 * prefix so they do not clash with the host's own PIT definitions. */
#ifndef VDEV_PIT_MODEL_H
#define VDEV_PIT_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define PITM_HZ 1193182u /* CLK input: 14.31818 MHz / 12 */

/* Ports */
#define PITM_PORT_CH0  0x40
#define PITM_PORT_CH1  0x41
#define PITM_PORT_CH2  0x42
#define PITM_PORT_CTRL 0x43
#define PITM_PORT_61   0x61

/* Control word (port 0x43) */
#define PITM_CW_SC_SHIFT 6    /* bits 7:6: counter select, 3 = read-back */
#define PITM_CW_RW_SHIFT 4    /* bits 5:4: 0 latch, 1 LSB, 2 MSB, 3 LSB then MSB */
#define PITM_CW_M_SHIFT  1    /* bits 3:1: mode */
#define PITM_CW_BCD      0x01
#define PITM_RW_LATCH 0
#define PITM_RW_LSB   1
#define PITM_RW_MSB   2
#define PITM_RW_WORD  3

/* Read-back command: 11 /COUNT /STATUS CNT2 CNT1 CNT0 0 */
#define PITM_RB_NOT_COUNT  0x20
#define PITM_RB_NOT_STATUS 0x10
#define PITM_RB_CNT(i)     (0x02 << (i))

/* Status byte: OUT, null count, then control word bits 5:0 */
#define PITM_ST_OUT  0x80
#define PITM_ST_NULL 0x40

/* Port 0x61 */
#define PITM_61_GATE2   0x01
#define PITM_61_SPEAKER 0x02
#define PITM_61_REFRESH 0x10
#define PITM_61_OUT2    0x20

struct pit_ops {
	/* IRQ 0 line; each expiry is irq(ctx, true) then irq(ctx, false). */
	void (*irq)(void *ctx, bool level);
	void *ctx;
};

/* One counter. Edges are absolute CLK edge numbers (see above). */
struct pit_channel {
	uint8_t ctrl;          /* control word bits 5:0 as written: RW, M, BCD */
	uint8_t mode;          /* effective mode 0..5 */
	uint8_t state;         /* idle (no count), armed (modes 1/5: waiting for the gate), running */
	bool gate;             /* GATE input level */
	bool counting;         /* running and the gate lets the counter decrement */
	bool wr_msb, rd_msb;   /* write and read flip-flops (RW = 3): next byte is the MSB */
	bool count_latched, status_latched;
	bool cr_unloaded;      /* modes 1/5: a count written during a one-shot awaits a trigger */
	uint8_t wr_lsb;        /* first byte of a two-byte count */
	uint8_t status;        /* latched status byte */
	uint16_t latch;        /* latched count, in read format (BCD if BCD) */
	uint32_t cr;           /* count register: last count written, 1..65536 (10000 BCD) */
	uint32_t held;         /* counting element while not running */
	uint32_t n;            /* running: the count loaded at load_edge */
	uint32_t phase;        /* running, mode 3: position in the period at load_edge */
	uint64_t load_edge;    /* running: the edge that loaded n */
	uint64_t seg_edge;     /* running: decrements are counted from this edge... */
	uint64_t dec_base;     /* ...on top of these (made before the gate paused it) */
	uint32_t next_n;       /* modes 2/3: count to load at next_edge, 0 = none */
	uint32_t next_phase;
	uint64_t next_edge;
};

struct pit_model {
	struct pit_ops ops;    /* copied at init; irq may be NULL */
	struct pit_channel ch[3];
	uint8_t port61;        /* bits 3:0 as written */
	uint64_t irq_edge;     /* channel 0 rising edges up to this CLK edge are reported */
};

/* Power-on state (the datasheet leaves it undefined): every channel as
 * after control word 0x36 (LSB then MSB, mode 3, binary) without a count:
 * OUT high, null count set, counter reads 0, no interrupts; port 0x61 = 0
 * (channel 2's gate low). */
void pit_model_init(struct pit_model *p, const struct pit_ops *ops);
/* The same state for a live model (partition reset), keeping the ops. */
void pit_model_reset(struct pit_model *p);
/* Byte access to port 0x40..0x43 or 0x61; other ports read 0xFF / are ignored. */
uint8_t pit_model_read(struct pit_model *p, unsigned port, uint64_t now_ns);
void pit_model_write(struct pit_model *p, unsigned port, uint8_t value, uint64_t now_ns);
/* Time of channel 0's next unreported rising OUT edge (IRQ 0), 0 = none.
 * It may lie in the past if the owner has not ticked yet. */
uint64_t pit_model_next_irq_ns(const struct pit_model *p);
/* Report channel 0's rising edges due by now_ns (at most one pulse). */
void pit_model_tick(struct pit_model *p, uint64_t now_ns);

#endif
