/* A pure device model of one virtual local APIC (one per vCPU), drivable by
 * an unmodified Linux in xAPIC (MMIO at 0xFEE00000) and x2APIC (MSR) mode.
 * No globals, no hardware, no guest structures: the owner forwards the
 * guest's APIC MMIO accesses and MSR accesses, passes the current time in
 * nanoseconds, injects what lapic_model_pending reports (then calls
 * lapic_model_ack), and routes the side effects reported through struct
 * lapic_ops. References are to the Intel SDM Vol. 3A chapter 11 "Advanced
 * Programmable Interrupt Controller (APIC)" (chapter 10 in older editions).
 *
 * Model (what the guest sees):
 *  - Version register 0x00050014: integrated APIC version 0x14, max LVT
 *    entry 5 (timer, thermal, perf, LINT0, LINT1, error; no CMCI LVT), no
 *    EOI-broadcast suppression (bit 24 clear, SVR bit 12 not writable).
 *  - IA32_APIC_BASE (MSR 0x1B) resets to 0xFEE00800 (| 0x100 on the BSP).
 *    Legal transitions (11.12.5): disabled -> xAPIC, xAPIC -> x2APIC, any ->
 *    disabled. x2APIC -> xAPIC, disabled -> x2APIC, EXTD without EN, a new
 *    base address, reserved bits: the write fails (-1, caller injects #GP).
 *    The BSP bit is read-only. Disabling resets the APIC to its power-on
 *    state (11.4.3), cancels the timer, and drops pending interrupts.
 *  - xAPIC MMIO is only valid in xAPIC mode and the 0x800-0x8FF MSRs only in
 *    x2APIC mode; anything else fails (-1). MMIO accesses must be 32-bit
 *    accesses to a 16-byte aligned register offset (< 0x1000), else -1
 *    (the caller ignores them). Reserved xAPIC registers read 0 and ignore
 *    writes; writes to read-only xAPIC registers are ignored. In x2APIC mode
 *    (11.12.1.2) reading a write-only register, writing a read-only one, an
 *    unknown MSR, bits 63:32 set (except ICR), or a non-zero EOI / ESR
 *    write fail (-1 => #GP). Other reserved bits are silently dropped.
 *  - xAPIC ID (bits 31:24) is writable in xAPIC mode; the x2APIC ID is the
 *    full 32-bit initial ID, read-only. In x2APIC mode LDR is read-only and
 *    derived from the ID ((id >> 4) << 16 | 1 << (id & 15), 11.12.10.2) and
 *    DFR and APR do not exist.
 *  - SVR: vector bits 7:0, software enable bit 8, focus bit 9 (stored
 *    only). Clearing bit 8 sets the mask bit of every LVT, and LVT writes
 *    while software-disabled keep the mask set (11.4.7.2). IRR/ISR contents
 *    are held and still delivered; new interrupts are still accepted. The
 *    spurious vector is stored only: injection is atomic here, so the
 *    spurious-interrupt race (11.9) never happens.
 *  - PPR (11.8.3.1): TPR if TPR[7:4] >= ISRV[7:4], else ISRV & 0xF0. A
 *    pending vector is deliverable if its class (bits 7:4) is above
 *    PPR[7:4]. APR per 11.6.2.1 (xAPIC only; nothing uses it).
 *  - Acceptance (11.8.4): the IRR bit is set and the TMR bit set/cleared for
 *    level/edge. Vectors 0-15 are not accepted: ESR bit 6 (received illegal
 *    vector). EOI (11.8.5) clears the highest ISR bit; if its TMR bit is set
 *    ops.eoi(vector) is called (the I/O APIC re-arms). An EOI with an empty
 *    ISR does nothing.
 *  - ESR (11.5.3): errors accumulate internally; a write to ESR latches them
 *    into the readable register and clears the accumulator. Only bits 5
 *    (send illegal vector) and 6 (receive illegal vector) are produced. A new
 *    error also delivers the LVT error vector if unmasked (and >= 16).
 *  - ICR (11.6.1): writing ICR low (xAPIC) or the 64-bit ICR MSR 0x830
 *    (x2APIC) sends. Delivery status always reads idle. Fixed (0), lowest
 *    priority (1), NMI (4), INIT (5) and start-up (6) are reported through
 *    ops.send_ipi with the destination shorthand, the destination (ICR bits
 *    63:56 in xAPIC, 63:32 in x2APIC), the destination mode, the vector and
 *    the delivery mode. SMI (2), remote read (3) and ExtINT (7) are dropped,
 *    as are an INIT level de-assert (level 0, level trigger: the obsolete
 *    arbitration-ID sync) and a non-fixed mode with the "self" shorthand.
 *    Fixed / lowest priority with a vector below 16 sets ESR bit 5 and is not
 *    sent. The SELF IPI MSR 0x83F (x2APIC) is reported as a fixed IPI with
 *    the "self" shorthand. The caller routes every IPI, including to this
 *    APIC itself (lapic_model_accept for fixed, which is allowed from inside
 *    the callback); lapic_model_match tells whether an APIC is a destination.
 *    Lowest priority should be treated as fixed to the first destination.
 *  - Timer (11.5.4): LVT timer bits 18:17 select one-shot (0), periodic (1),
 *    TSC-deadline (2); the reserved mode 3 behaves as one-shot. The counter
 *    runs at timer_hz / divider (DCR bits 0,1,3: 2,4,8,16,32,64,128,1). A
 *    write of the initial count (re)starts the count (0 stops it); the current
 *    count is computed from time; a divide-configuration write while counting
 *    keeps the current count and continues at the new rate. In TSC-deadline
 *    mode the initial count is ignored and the current count reads 0;
 *    IA32_TSC_DEADLINE (MSR 0x6E0, valid in xAPIC and x2APIC mode) takes a
 *    guest TSC value, converted with tsc_hz against the guest_tsc passed with
 *    the write; 0 disarms, a past value fires at once; the MSR reads back the
 *    armed value and 0 after it fired. Outside TSC-deadline mode the MSR reads
 *    0 and ignores writes. Switching the LVT timer into or out of TSC-deadline
 *    mode disarms the timer and clears the initial count and the deadline.
 *    Expiry sets the LVT timer vector in the IRR (edge) unless the LVT is
 *    masked; periodic re-arms from the expiry time (missed periods are
 *    coalesced into one interrupt). The model asks for a wake-up with
 *    ops.set_timer(deadline_ns) whenever its next expiry changes
 *    (0 = none); the caller then calls lapic_model_tick at or after it.
 *  - LINT0/LINT1 (11.5.1): lapic_model_lint reports the pin level; fixed
 *    delivery accepts the LVT vector (edge: on a rising edge; level: while
 *    asserted, with the LVT remote-IRR bit set until the EOI of that vector,
 *    re-delivered at EOI if still asserted), NMI and ExtINT are returned to
 *    the caller. Pin polarity (bit 13) is stored only (level = asserted).
 *    With the APIC hardware-disabled the pins are the processor's INTR
 *    (LINT0, ExtINT) and NMI (LINT1) inputs (11.4.3).
 *  - Thermal and performance-monitoring LVTs are registers only.
 *
 * The callbacks are called with the model in a consistent state; send_ipi
 * and eoi may call lapic_model_accept on the same model, nothing else may be
 * re-entered. Time (now_ns) must not go backwards. Register names carry an
 * LAPICM_ prefix so they do not clash with the host's own APIC definitions. */
#ifndef VDEV_LAPIC_MODEL_H
#define VDEV_LAPIC_MODEL_H

#include <stdbool.h>
#include <stdint.h>

/* xAPIC register offsets (SDM Table 11-1). x2APIC MSR = 0x800 + offset / 16. */
#define LAPICM_ID       0x020
#define LAPICM_VERSION  0x030
#define LAPICM_TPR      0x080
#define LAPICM_APR      0x090
#define LAPICM_PPR      0x0a0
#define LAPICM_EOI      0x0b0
#define LAPICM_LDR      0x0d0
#define LAPICM_DFR      0x0e0
#define LAPICM_SVR      0x0f0
#define LAPICM_ISR      0x100 /* 8 registers, 0x10 apart */
#define LAPICM_TMR      0x180
#define LAPICM_IRR      0x200
#define LAPICM_ESR      0x280
#define LAPICM_LVT_CMCI 0x2f0 /* not implemented (max LVT entry 5) */
#define LAPICM_ICR_LO   0x300
#define LAPICM_ICR_HI   0x310
#define LAPICM_LVT_TIMER   0x320
#define LAPICM_LVT_THERMAL 0x330
#define LAPICM_LVT_PERF    0x340
#define LAPICM_LVT_LINT0   0x350
#define LAPICM_LVT_LINT1   0x360
#define LAPICM_LVT_ERROR   0x370
#define LAPICM_TIMER_ICR   0x380 /* initial count */
#define LAPICM_TIMER_CCR   0x390 /* current count */
#define LAPICM_TIMER_DCR   0x3e0 /* divide configuration */
#define LAPICM_SELF_IPI    0x3f0 /* x2APIC only (MSR 0x83F) */

#define LAPICM_MSR_APIC_BASE    0x1b
#define LAPICM_MSR_TSC_DEADLINE 0x6e0
#define LAPICM_MSR_X2APIC_FIRST 0x800
#define LAPICM_MSR_X2APIC_LAST  0x8ff

/* IA32_APIC_BASE */
#define LAPICM_BASE_BSP     0x100ull
#define LAPICM_BASE_EXTD    0x400ull
#define LAPICM_BASE_ENABLE  0x800ull
#define LAPICM_BASE_DEFAULT 0xfee00000ull

#define LAPICM_VERSION_VALUE 0x00050014u

/* SVR */
#define LAPICM_SVR_ENABLE 0x100u
#define LAPICM_SVR_FOCUS  0x200u

/* LVT fields */
#define LAPICM_LVT_MASKED     0x10000u
#define LAPICM_LVT_LEVEL      0x8000u /* trigger mode (LINT0/1) */
#define LAPICM_LVT_REMOTE_IRR 0x4000u
#define LAPICM_LVT_POLARITY   0x2000u
#define LAPICM_LVT_MODE_SHIFT 17      /* timer mode, bits 18:17 */
#define LAPICM_TIMER_ONESHOT  0u
#define LAPICM_TIMER_PERIODIC 1u
#define LAPICM_TIMER_TSCDL    2u

/* ICR fields and delivery modes */
#define LAPICM_ICR_LOGICAL 0x800u
#define LAPICM_ICR_ASSERT  0x4000u
#define LAPICM_ICR_LEVELTRIG 0x8000u
#define LAPICM_DM_FIXED  0
#define LAPICM_DM_LOWEST 1
#define LAPICM_DM_SMI    2
#define LAPICM_DM_NMI    4
#define LAPICM_DM_INIT   5
#define LAPICM_DM_SIPI   6
#define LAPICM_DM_EXTINT 7

/* Destination shorthand (ICR bits 19:18) */
#define LAPICM_SH_NONE     0
#define LAPICM_SH_SELF     1
#define LAPICM_SH_ALL      2 /* all including self */
#define LAPICM_SH_OTHERS   3 /* all excluding self */

/* Physical broadcast destinations */
#define LAPICM_XAPIC_BROADCAST  0xffu
#define LAPICM_X2APIC_BROADCAST 0xffffffffu

/* ESR bits produced */
#define LAPICM_ESR_SEND_ILLEGAL 0x20u
#define LAPICM_ESR_RECV_ILLEGAL 0x40u

/* lapic_model_lint results */
#define LAPICM_LINT_NONE   0 /* nothing to do (masked, no edge, or accepted into the IRR) */
#define LAPICM_LINT_NMI    1 /* inject an NMI */
#define LAPICM_LINT_EXTINT 2 /* ExtINT: take the vector from the 8259 PIC */

#define LAPICM_NR_LVT 6 /* timer, thermal, perf, LINT0, LINT1, error */

struct lapic_ops {
	/* An IPI to route. dest: the ICR destination field (8 bits in xAPIC mode,
	 * 32 in x2APIC mode; meaningless unless shorthand is LAPICM_SH_NONE);
	 * logical: destination mode; mode: LAPICM_DM_*. */
	void (*send_ipi)(void *ctx, uint32_t dest, int shorthand, bool logical,
			 uint8_t vector, int mode);
	/* The next timer expiry in ns (absolute, same base as now_ns); 0 = none. */
	void (*set_timer)(void *ctx, uint64_t deadline_ns);
	/* EOI of a level-triggered (TMR) vector, for the I/O APIC. */
	void (*eoi)(void *ctx, uint8_t vector);
	void *ctx;
};

struct lapic_model {
	struct lapic_ops ops;     /* copied at init; any callback may be NULL */
	uint32_t initial_id;      /* x2APIC ID; xAPIC ID resets to its low 8 bits */
	bool bsp;
	uint64_t timer_hz;        /* counter input clock ("bus" frequency) */
	uint64_t tsc_hz;          /* guest TSC frequency */
	uint64_t apic_base;       /* IA32_APIC_BASE */

	uint8_t xapic_id;         /* xAPIC ID register bits 31:24 */
	uint8_t tpr;
	uint32_t ldr;             /* xAPIC LDR (bits 31:24) */
	uint32_t dfr;             /* xAPIC DFR (bits 31:28, 27:0 read 1) */
	uint32_t svr;
	uint32_t esr;             /* readable ESR (latched at the last ESR write) */
	uint32_t esr_pending;     /* errors since the last ESR write */
	uint64_t icr;             /* ICR: bits 31:0 low, 63:32 high */
	uint32_t lvt[LAPICM_NR_LVT];
	uint32_t irr[8], isr[8], tmr[8];
	bool lint_level[2];       /* last reported pin levels */

	/* Timer */
	uint32_t timer_icr;       /* initial count register */
	uint32_t timer_dcr;       /* divide configuration register (bits 0,1,3) */
	bool timer_armed;         /* an expiry is due at timer_deadline_ns */
	uint64_t timer_deadline_ns;
	uint64_t count_start_ns;  /* one-shot/periodic: count_start counted from here */
	uint64_t count_start;     /* counter value at count_start_ns */
	uint64_t tsc_deadline;    /* IA32_TSC_DEADLINE as armed (0 = disarmed) */
	uint64_t timer_reported;  /* last value given to ops.set_timer */
};

/* Power-on state: xAPIC mode, ID = apic_id, version as above, TPR 0,
 * LDR 0, DFR 0xFFFFFFFF, SVR 0xFF (software-disabled), all LVTs masked
 * (0x10000), IRR/ISR/TMR/ESR/ICR/timer 0. timer_hz and tsc_hz must be non-zero
 * (0 is taken as 1 GHz). No callback is called. */
void lapic_model_init(struct lapic_model *l, uint32_t apic_id, bool bsp, uint64_t timer_hz,
		      uint64_t tsc_hz, const struct lapic_ops *ops);
/* INIT signal (11.4.7.3): the power-on register state, keeping the APIC ID
 * registers and IA32_APIC_BASE (so the mode); cancels the timer. */
void lapic_model_init_signal(struct lapic_model *l);

/* xAPIC MMIO: offset from the APIC base, 32-bit accesses. 0 or -1. */
int lapic_model_mmio_read(struct lapic_model *l, uint32_t offset, uint32_t *value, uint64_t now_ns);
int lapic_model_mmio_write(struct lapic_model *l, uint32_t offset, uint32_t value, uint64_t now_ns);
/* MSRs 0x1B, 0x6E0 and 0x800-0x8FF: 0, or -1 => #GP (also for any other MSR).
 * guest_tsc: the guest's TSC at the time of the access (used by 0x6E0). */
int lapic_model_msr_read(struct lapic_model *l, uint32_t msr, uint64_t *value, uint64_t now_ns);
int lapic_model_msr_write(struct lapic_model *l, uint32_t msr, uint64_t value, uint64_t now_ns,
			  uint64_t guest_tsc);

/* An interrupt arrives (fixed/lowest-priority IPI, I/O APIC, MSI). Dropped
 * while the APIC is hardware-disabled. */
void lapic_model_accept(struct lapic_model *l, uint8_t vector, bool level);
/* Highest-priority deliverable vector, or -1. */
int lapic_model_pending(const struct lapic_model *l);
/* The caller injected vector: IRR -> ISR (ignored if it is not in the IRR). */
void lapic_model_ack(struct lapic_model *l, uint8_t vector);
/* Timer service: fires every expiry due at now_ns. */
void lapic_model_tick(struct lapic_model *l, uint64_t now_ns);
/* Level of LINT0 (pin 0) or LINT1 (pin 1): LAPICM_LINT_*. */
int lapic_model_lint(struct lapic_model *l, unsigned pin, bool level);

/* Routing helpers for the caller. */
bool lapic_model_enabled(const struct lapic_model *l);     /* hardware-enabled */
bool lapic_model_x2apic(const struct lapic_model *l);
uint32_t lapic_model_id(const struct lapic_model *l);      /* current APIC ID */
/* Is this APIC a destination of an IPI/MSI addressed to dest (no shorthand)?
 * Physical: ID match or broadcast (0xFF xAPIC, 0xFFFFFFFF x2APIC). Logical:
 * xAPIC flat (DFR model 1111b: dest & LDR[31:24]) or cluster (0000b:
 * dest[7:4] == LDR[31:28] and dest[3:0] & LDR[27:24]), 0xFF broadcast;
 * x2APIC cluster (dest[31:16] == LDR[31:16] and dest[15:0] & LDR[15:0]),
 * 0xFFFFFFFF broadcast. */
bool lapic_model_match(const struct lapic_model *l, uint32_t dest, bool logical);

#endif
