/* Silence the interrupt sources the firmware left running: the 8259 pair and
 * every I/O APIC input. The host polls; guests get virtual interrupts only. */
#include "irq_quiesce.h"

#include <arch/cpu.h>

/* 8259A: OCW1 writes the interrupt mask register (Intel 8259A datasheet). */
static void mask_pic(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

/* I/O APIC: IOREGSEL at +0, IOWIN at +0x10; register 1 bits 23:16 = last
 * redirection entry; entry n low dword at 0x10 + 2n, bit 16 masks (82093AA). */
static void mask_ioapic(uint64_t base)
{
	mmio_write32(base, 1);
	unsigned last = (mmio_read32(base + 0x10) >> 16) & 0xff;
	for (unsigned n = 0; n <= last; n++) {
		mmio_write32(base, 0x10 + 2 * n);
		mmio_write32(base + 0x10, mmio_read32(base + 0x10) | (1u << 16));
	}
}

void irq_quiesce(const uint64_t *ioapic_bases, unsigned count)
{
	mask_pic();
	for (unsigned i = 0; i < count; i++)
		mask_ioapic(ioapic_bases[i]);
}
