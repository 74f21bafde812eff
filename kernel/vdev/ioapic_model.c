/* I/O APIC device model: see ioapic_model.h for the modelling choices.
 * Register semantics follow the Intel 82093AA IOAPIC datasheet, section 3
 * ("Register Description"). */
#include "ioapic_model.h"

#include <stddef.h>

#define RTE_RESET IOAPICM_RTE_MASK /* 3.2.4: masked, all other bits 0 */

static unsigned rte_mode(uint64_t rte)
{
	return (unsigned)((rte & IOAPICM_RTE_DELMODE) >> 8);
}

/* The effective trigger mode: SMI, NMI, INIT and ExtINT are edge-only
 * (3.2.4, delivery mode descriptions), whatever bit 15 says. */
static bool rte_level(uint64_t rte)
{
	unsigned mode = rte_mode(rte);

	if (mode != IOAPICM_DM_FIXED && mode != IOAPICM_DM_LOWEST)
		return false;
	return rte & IOAPICM_RTE_LEVEL;
}

/* Whether the input of pin is asserted, after the polarity inversion. */
static bool pin_active(const struct ioapic_model *io, unsigned pin)
{
	bool line = (io->lines >> pin) & 1;

	return (io->rte[pin] & IOAPICM_RTE_POLARITY) ? !line : line;
}

/* Send the interrupt message of entry pin; a level delivery sets Remote IRR. */
static void deliver(struct ioapic_model *io, unsigned pin)
{
	uint64_t rte = io->rte[pin];
	bool level = rte_level(rte);

	if (level)
		io->rte[pin] |= IOAPICM_RTE_REMOTE_IRR;
	if (io->ops.deliver)
		io->ops.deliver(io->ops.ctx, (uint8_t)(rte & IOAPICM_RTE_VECTOR),
				(uint32_t)(rte >> IOAPICM_RTE_DEST_SHIFT),
				(rte & IOAPICM_RTE_DESTMODE) != 0, (int)rte_mode(rte), level);
}

/* A level-triggered entry delivers while its input is active, it is unmasked
 * and the previous delivery has been EOIed (Remote IRR clear). */
static void level_check(struct ioapic_model *io, unsigned pin)
{
	uint64_t rte = io->rte[pin];

	if (!rte_level(rte) || (rte & (IOAPICM_RTE_MASK | IOAPICM_RTE_REMOTE_IRR)))
		return;
	if (pin_active(io, pin))
		deliver(io, pin);
}

static void power_on(struct ioapic_model *io)
{
	io->id = io->reset_id;
	io->regsel = 0;
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		io->rte[i] = RTE_RESET;
}

void ioapic_model_init(struct ioapic_model *io, uint8_t id, const struct ioapic_ops *ops)
{
	io->ops.deliver = ops ? ops->deliver : NULL;
	io->ops.ctx = ops ? ops->ctx : NULL;
	io->reset_id = id & 0x0f;
	io->lines = 0;
	power_on(io);
}

void ioapic_model_reset(struct ioapic_model *io)
{
	power_on(io); /* every entry is masked: nothing to deliver */
}

/* IOWIN read of the register selected by IOREGSEL (3.2). */
static uint32_t reg_read(const struct ioapic_model *io, uint8_t index)
{
	unsigned pin;

	switch (index) {
	case IOAPICM_REG_ID:
	case IOAPICM_REG_ARB:
		return (uint32_t)io->id << 24;
	case IOAPICM_REG_VER:
		return IOAPICM_VER_VALUE;
	default:
		break;
	}
	if (index < IOAPICM_REG_RTE || index >= IOAPICM_REG_RTE + 2 * IOAPIC_PINS)
		return 0; /* unimplemented */
	pin = (index - IOAPICM_REG_RTE) / 2;
	if (index & 1)
		return (uint32_t)(io->rte[pin] >> 32);
	return (uint32_t)io->rte[pin];
}

/* IOWIN write of the register selected by IOREGSEL (3.2). */
static void reg_write(struct ioapic_model *io, uint8_t index, uint32_t value)
{
	unsigned pin;
	uint64_t old, rte;

	if (index == IOAPICM_REG_ID) {
		io->id = (value >> 24) & 0x0f; /* also loads IOAPICARB (3.2.3) */
		return;
	}
	if (index < IOAPICM_REG_RTE || index >= IOAPICM_REG_RTE + 2 * IOAPIC_PINS)
		return; /* IOAPICVER, IOAPICARB (read-only) and unimplemented */
	pin = (index - IOAPICM_REG_RTE) / 2;
	old = io->rte[pin];
	if (index & 1)
		rte = (old & 0xffffffffull) | ((uint64_t)value << 32);
	else
		rte = (old & ~0xffffffffull) | value;
	/* Only the writable bits change; Remote IRR is kept... */
	rte = (rte & IOAPICM_RTE_WRITABLE) | (old & IOAPICM_RTE_REMOTE_IRR);
	/* ...unless the entry is now edge-triggered, where it has no meaning. */
	if (!(rte & IOAPICM_RTE_LEVEL))
		rte &= ~IOAPICM_RTE_REMOTE_IRR;
	io->rte[pin] = rte;
	/* Unmasking (or switching to level / flipping polarity) with the input
	 * asserted: a level entry delivers now. Edges are never replayed. */
	level_check(io, pin);
}

/* 0: a register at this exact offset; 1: elsewhere in the window (no
 * register); -1: an access partly overlapping a register or not wholly inside
 * the window. */
static int classify(uint32_t offset)
{
	static const uint32_t regs[] = { IOAPICM_REGSEL, IOAPICM_WIN, IOAPICM_EOI };

	if (offset > IOAPICM_MMIO_SIZE - 4)
		return -1;
	for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++) {
		if (offset == regs[i])
			return 0;
		if (offset + 4 > regs[i] && offset < regs[i] + 4)
			return -1;
	}
	return 1;
}

int ioapic_model_mmio_read(struct ioapic_model *io, uint32_t offset, uint32_t *value)
{
	int kind = classify(offset);

	*value = 0;
	if (kind < 0)
		return -1;
	if (kind == 0) {
		if (offset == IOAPICM_REGSEL)
			*value = io->regsel;
		else if (offset == IOAPICM_WIN)
			*value = reg_read(io, io->regsel);
		/* IOAPICM_EOI is write-only: reads 0. */
	}
	return 0;
}

int ioapic_model_mmio_write(struct ioapic_model *io, uint32_t offset, uint32_t value)
{
	int kind = classify(offset);

	if (kind < 0)
		return -1;
	if (kind == 0) {
		if (offset == IOAPICM_REGSEL)
			io->regsel = (uint8_t)value; /* bits 31:8 reserved (3.1.1) */
		else if (offset == IOAPICM_WIN)
			reg_write(io, io->regsel, value);
		else
			ioapic_model_eoi(io, (uint8_t)value);
	}
	return 0;
}

void ioapic_model_set_irq(struct ioapic_model *io, unsigned pin, bool level)
{
	bool was_active, now_active;
	uint64_t rte;

	if (pin >= IOAPIC_PINS)
		return;
	was_active = pin_active(io, pin);
	if (level)
		io->lines |= 1u << pin;
	else
		io->lines &= ~(1u << pin);
	now_active = pin_active(io, pin);
	rte = io->rte[pin];
	if (rte_level(rte)) {
		level_check(io, pin);
		return;
	}
	/* Edge: an inactive-to-active transition on an unmasked pin; one seen
	 * while masked is lost (3.2.4, bit 16). */
	if (!was_active && now_active && !(rte & IOAPICM_RTE_MASK))
		deliver(io, pin);
}

void ioapic_model_eoi(struct ioapic_model *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t rte = io->rte[pin];

		if (!(rte & IOAPICM_RTE_REMOTE_IRR) || (uint8_t)(rte & IOAPICM_RTE_VECTOR) != vector)
			continue;
		io->rte[pin] = rte & ~IOAPICM_RTE_REMOTE_IRR;
		level_check(io, pin);
	}
}
