/* The legacy half of the virtual platform: PIT, CMOS RTC, PCI host bridge
 * (port 0xcf8/0xcfc and ECAM), the ACPI sleep registers, and the ACPI
 * tables that describe all of it. */
#include <arch/vcpu.h>
#include <kernel/acpi_gen.h>
#include <kernel/log.h>
#include <kernel/time.h>

#include "platform.h"

#define PCI_CONFIG_ADDR 0xcf8
#define RTC_INDEX       0x70
#define RTC_DATA        0x71

static int sleep_regs(struct vcpu *v, void *ctx, uint16_t port, uint8_t size, bool in, uint32_t *value)
{
	struct vplat *p = ctx;
	(void)size;
	if (in) {
		*value = port == VPLAT_SLEEP_STS ? 0x80 : 0; /* WAK_STS: never asleep */
		return 0;
	}
	/* ACPI 6.5 4.8.3.7: SLP_EN with the \_S5 type is soft-off. Other sleep
	 * states do not exist here (the DSDT names only \_S5). */
	if (port == VPLAT_SLEEP_CTL && (*value & 0x3c) == ACPI_GEN_SLEEP_CTL_S5) {
		p->powered_off = true;
		guest_request_poweroff(v, "powered off (ACPI S5)");
	}
	return 0;
}

/* The byte-wide legacy chips: the PIT (0x40-0x43 and port B, 0x61) and
 * the CMOS RTC (0x70-0x71), one access at a time under the platform lock. */
static int legacy_io(struct vcpu *v, void *ctx, uint16_t port, uint8_t size, bool in, uint32_t *value)
{
	struct vplat *p = ctx;
	bool rtc = port == RTC_INDEX || port == RTC_DATA;
	(void)v;
	(void)size;
	uint64_t now = time_ns();
	spin_lock(&p->lock);
	if (in)
		*value = rtc ? rtc_model_read(&p->rtc, port, now) : pit_model_read(&p->pit, port, now);
	else if (rtc)
		rtc_model_write(&p->rtc, port, (uint8_t)*value, now);
	else
		pit_model_write(&p->pit, port, (uint8_t)*value, now);
	spin_unlock(&p->lock);
	return 0;
}

static int pci_io(struct vcpu *v, void *ctx, uint16_t port, uint8_t size, bool in, uint32_t *value)
{
	struct vplat *p = ctx;
	(void)v;
	spin_lock(&p->lock);
	pci_host_model_io(&p->pci, port, size, !in, value);
	spin_unlock(&p->lock);
	return 0;
}

static int pci_ecam(struct vcpu *v, void *ctx, uint64_t gpa, uint8_t size, bool write, uint64_t *value)
{
	struct vplat *p = ctx;
	(void)v;
	spin_lock(&p->lock);
	pci_host_model_ecam_access(&p->pci, gpa - VPLAT_ECAM_BASE, size, write, value);
	spin_unlock(&p->lock);
	return 0;
}

int vplat_devices_attach(struct vplat *p)
{
	struct guest *g = p->guest;
	vplat_devices_reset(p);
	return guest_io_register(g, 0x40, 4, legacy_io, p) || guest_io_register(g, 0x61, 1, legacy_io, p) ||
	       guest_io_register(g, RTC_INDEX, 2, legacy_io, p) ||
	       guest_io_register(g, PCI_CONFIG_ADDR, 8, pci_io, p) ||
	       guest_io_register(g, VPLAT_SLEEP_CTL, 2, sleep_regs, p) ||
	       guest_mmio_register(g, VPLAT_ECAM_BASE, VPLAT_ECAM_SIZE, pci_ecam, p) ? -1 : 0;
}

void vplat_devices_reset(struct vplat *p)
{
	spin_lock(&p->lock);
	pit_model_init(&p->pit, NULL);
	rtc_model_init(&p->rtc, p->epoch_at_ns0);
	pci_host_model_init(&p->pci);
	spin_unlock(&p->lock);
}

int vplat_write_firmware(struct vplat *p, uint64_t *rsdp_gpa)
{
	struct acpi_gen_params a = {
		.vcpu_count = p->vcpu_count,
		/* ACPI 6.5 5.2.12.12: processors with APIC IDs below 255 are
		 * listed as local APIC entries only; Linux 6.1 counts an x2APIC
		 * entry for the same ID as a second CPU. vCPUs here have IDs
		 * 0..15, so x2APIC entries are never needed. */
		.x2apic_entries = false,
		.lapic_base = VPLAT_LAPIC_BASE,
		.ioapic_id = p->vcpu_count & 0xf,
		.ioapic_base = VPLAT_IOAPIC_BASE,
		.have_pci = true,
		.mcfg_base = VPLAT_ECAM_BASE,
		.pci_bus_end = 0,
		/* No ACPI PM timer: with one, Linux refines its TSC rate by
		 * timing it, and when each read is an exit that takes longer
		 * than its sanity bound (31 us at 2 GHz) it retries forever and
		 * stays on the tick-only tsc-early clocksource. The TSC is
		 * invariant here (CPUID 0x80000007), so nothing needs it. */
		.sleep_control_port = VPLAT_SLEEP_CTL,
		.sleep_status_port = VPLAT_SLEEP_STS,
		.reset_port = VPLAT_RESET_PORT,
		.reset_value = VPLAT_RESET_VALUE,
		.uart_com1 = true,
		.rtc_cmos = true,
	};
	/* SDM Vol. 3A 9.1.4: execution starts at 0xffff0 after a reset; a
	 * kernel that "resets" by jumping there (Linux's BOOT_BIOS) meets
	 * "mov al, 6; mov dx, 0xcf9; out dx, al; hlt; jmp $-1": a reset
	 * through the same register the FADT names. */
	static const uint8_t reset_stub[] = { 0xb0, VPLAT_RESET_VALUE, 0xba, 0xf9, 0x0c, 0xee,
					      0xf4, 0xeb, 0xfd };
	uint8_t *stub = guest_ram_ptr(p->guest, VPLAT_RESET_VECTOR, sizeof reset_stub);
	void *buf = guest_ram_ptr(p->guest, VPLAT_ACPI_GPA, VPLAT_ACPI_SIZE - 0x10);
	if (!buf || !stub)
		return -1;
	for (unsigned i = 0; i < sizeof reset_stub; i++)
		stub[i] = reset_stub[i];
	return acpi_gen_build(&a, buf, VPLAT_ACPI_SIZE - 0x10, VPLAT_ACPI_GPA, rsdp_gpa) > 0 ? 0 : -1;
}
