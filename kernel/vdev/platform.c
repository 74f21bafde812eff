/* The interrupt side of the virtual platform: local APICs, the I/O APIC,
 * IPIs between a partition's vCPUs, and waking the CPUs they run on. The
 * legacy devices and ACPI live in platform_devices.c. */
#include "platform.h"

#include "com.h"

#include <arch/vcpu.h>
#include <kernel/cpu.h>
#include <kernel/log.h>
#include <kernel/sched/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>

/* The vCPU may be in the guest, waiting for its CPU, or blocked: make its
 * CPU look (kernel/sched). */
static void kick(struct vplat *p, unsigned i)
{
	struct vcpu *v = p->guest->vcpu[i];
	if (v)
		sched_kick(v->sched);
}

static bool is_target(struct vplat *p, unsigned i, int self, int shorthand, uint32_t dest,
		      bool logical)
{
	switch (shorthand) {
	case LAPICM_SH_SELF: return (int)i == self;
	case LAPICM_SH_ALL: return true;
	case LAPICM_SH_OTHERS: return (int)i != self;
	default: return lapic_model_match(&p->cpu[i].lapic, dest, logical);
	}
}

static void take(struct vplat_cpu *c, uint8_t vector, int mode, bool level)
{
	if (mode == LAPICM_DM_FIXED || mode == LAPICM_DM_LOWEST)
		lapic_model_accept(&c->lapic, vector, level);
	else if (mode == LAPICM_DM_NMI)
		c->nmi_pending = true;
	else if (mode == LAPICM_DM_INIT)
		/* The SIPI state changes at delivery, in message order: the
		 * vCPU may only get to act on INIT once a SIPI is in too. */
		c->init_pending = true, c->sipi_pending = false, c->waiting_sipi = true;
	else if (mode == LAPICM_DM_SIPI && c->waiting_sipi && !c->sipi_pending)
		c->sipi_pending = true, c->sipi_vector = vector;
}

/* An interrupt message for the partition's local APICs, from an IPI (self =
 * the sender) or the I/O APIC (self = -1). Lowest priority goes to the
 * first match (SDM 11.6.2.4 leaves the choice to the platform). Messages
 * that reach no vCPU of the partition are dropped and counted: a partition
 * cannot address anything else. Platform lock held. */
static void deliver(struct vplat *p, int self, int shorthand, uint32_t dest, bool logical,
		    uint8_t vector, int mode, bool level)
{
	unsigned taken = 0;
	for (unsigned i = 0; i < p->vcpu_count; i++) {
		struct vplat_cpu *c = &p->cpu[i];
		if (!is_target(p, i, self, shorthand, dest, logical))
			continue;
		if (!lapic_model_enabled(&c->lapic) && mode != LAPICM_DM_INIT && mode != LAPICM_DM_SIPI)
			continue;
		taken++;
		take(c, vector, mode, level);
		if ((int)i != self)
			kick(p, i);
		if (mode == LAPICM_DM_LOWEST)
			break;
	}
	if (!taken && shorthand == LAPICM_SH_NONE && !p->dropped_ipis++)
		log_warn("tessera: guest %s: IPI to APIC ID 0x%x outside the partition dropped",
			 p->guest->name, dest);
}

static void on_ipi(void *ctx, uint32_t dest, int shorthand, bool logical, uint8_t vector, int mode)
{
	struct vplat_cpu *c = ctx;
	deliver(c->plat, (int)c->index, shorthand, dest, logical, vector, mode, false);
}

static void on_timer(void *ctx, uint64_t deadline_ns)
{
	struct vplat_cpu *c = ctx;
	c->timer_ns = deadline_ns;
}

static void on_lapic_eoi(void *ctx, uint8_t vector)
{
	struct vplat_cpu *c = ctx;
	ioapic_model_eoi(&c->plat->ioapic, vector);
}

static void on_ioapic(void *ctx, uint8_t vector, uint32_t dest, bool logical, int mode, bool level)
{
	deliver(ctx, -1, LAPICM_SH_NONE, dest, logical, vector, mode, level);
}

void vplat_set_irq(struct vplat *p, unsigned pin, bool level)
{
	spin_lock(&p->lock);
	ioapic_model_set_irq(&p->ioapic, pin, level);
	spin_unlock(&p->lock);
}

static int lapic_mmio(struct vcpu *v, void *ctx, uint64_t gpa, uint8_t size, bool write, uint64_t *value)
{
	struct vplat *p = ctx;
	struct vplat_cpu *c = &p->cpu[v->id];
	uint32_t off = (uint32_t)(gpa - VPLAT_LAPIC_BASE), val32 = (uint32_t)*value;
	uint64_t now = time_ns();
	/* Accesses that are not 32-bit and aligned are ignored (reads 0), as
	 * the model documents; only the guest's own APIC is reachable. */
	spin_lock(&p->lock);
	int r = size != 4 ? -1 : write ? lapic_model_mmio_write(&c->lapic, off, val32, now)
				       : lapic_model_mmio_read(&c->lapic, off, &val32, now);
	spin_unlock(&p->lock);
	if (!write)
		*value = r ? 0 : val32;
	return 0;
}

static int ioapic_mmio(struct vcpu *v, void *ctx, uint64_t gpa, uint8_t size, bool write, uint64_t *value)
{
	struct vplat *p = ctx;
	uint32_t off = (uint32_t)(gpa - VPLAT_IOAPIC_BASE), val32 = (uint32_t)*value;
	(void)v;
	spin_lock(&p->lock);
	int r = size != 4 ? -1 : write ? ioapic_model_mmio_write(&p->ioapic, off, val32)
				       : ioapic_model_mmio_read(&p->ioapic, off, &val32);
	spin_unlock(&p->lock);
	if (!write)
		*value = r ? 0 : val32;
	return 0;
}

int vplat_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *value, uint64_t guest_tsc)
{
	struct vplat *p = v->guest->platform;
	if (!p || !(msr == LAPICM_MSR_APIC_BASE || msr == LAPICM_MSR_TSC_DEADLINE ||
		    (msr >= LAPICM_MSR_X2APIC_FIRST && msr <= LAPICM_MSR_X2APIC_LAST)))
		return 1;
	struct lapic_model *l = &p->cpu[v->id].lapic;
	uint64_t now = time_ns();
	spin_lock(&p->lock);
	int r = write ? lapic_model_msr_write(l, msr, *value, now, guest_tsc)
		      : lapic_model_msr_read(l, msr, value, now);
	spin_unlock(&p->lock);
	return r ? -1 : 0;
}

int vplat_pending(struct vcpu *v, bool *nmi)
{
	struct vplat *p = v->guest->platform;
	struct vplat_cpu *c = &p->cpu[v->id];
	uint64_t now = time_ns();
	spin_lock(&p->lock);
	if (c->timer_ns && now >= c->timer_ns)
		lapic_model_tick(&c->lapic, now);
	*nmi = c->nmi_pending;
	int vec = *nmi ? 2 : lapic_model_pending(&c->lapic);
	spin_unlock(&p->lock);
	return vec;
}

void vplat_ack(struct vcpu *v, int vector, bool nmi)
{
	struct vplat *p = v->guest->platform;
	struct vplat_cpu *c = &p->cpu[v->id];
	spin_lock(&p->lock);
	if (nmi)
		c->nmi_pending = false;
	else
		lapic_model_ack(&c->lapic, (uint8_t)vector);
	spin_unlock(&p->lock);
}

uint64_t vplat_next_event(struct vcpu *v)
{
	struct vplat *p = v->guest->platform;
	return __atomic_load_n(&p->cpu[v->id].timer_ns, __ATOMIC_RELAXED);
}

bool vplat_take_init(struct vcpu *v)
{
	struct vplat *p = v->guest->platform;
	struct vplat_cpu *c = &p->cpu[v->id];
	spin_lock(&p->lock);
	bool init = c->init_pending;
	if (init) {
		c->init_pending = false;
		c->nmi_pending = false;
		lapic_model_init_signal(&c->lapic);
	}
	spin_unlock(&p->lock);
	return init;
}

bool vplat_init_due(struct vcpu *v)
{
	struct vplat *p = v->guest->platform;
	return __atomic_load_n(&p->cpu[v->id].init_pending, __ATOMIC_ACQUIRE);
}

bool vplat_sipi_due(struct vcpu *v)
{
	struct vplat *p = v->guest->platform;
	struct vplat_cpu *c = &p->cpu[v->id];
	return __atomic_load_n(&c->sipi_pending, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&c->init_pending, __ATOMIC_ACQUIRE);
}

int vplat_take_sipi(struct vcpu *v)
{
	struct vplat *p = v->guest->platform;
	struct vplat_cpu *c = &p->cpu[v->id];
	int vector = -1;
	spin_lock(&p->lock);
	if (c->sipi_pending) {
		vector = c->sipi_vector;
		c->sipi_pending = false;
		c->waiting_sipi = false;
	}
	spin_unlock(&p->lock);
	return vector;
}

void vplat_wait_sipi(struct vcpu *v)
{
	struct vplat *p = v->guest->platform;
	spin_lock(&p->lock);
	p->cpu[v->id].waiting_sipi = true;
	spin_unlock(&p->lock);
}

static void cpus_init(struct vplat *p)
{
	for (unsigned i = 0; i < p->vcpu_count; i++) {
		struct vplat_cpu *c = &p->cpu[i];
		struct lapic_ops ops = { on_ipi, on_timer, on_lapic_eoi, c };
		memset(c, 0, sizeof *c);
		c->plat = p;
		c->index = i;
		lapic_model_init(&c->lapic, i, i == 0, p->lapic_hz, p->tsc_hz, &ops);
	}
}

void vplat_reset(struct vplat *p)
{
	spin_lock(&p->lock);
	cpus_init(p);
	ioapic_model_reset(&p->ioapic);
	p->powered_off = false;
	spin_unlock(&p->lock);
	vplat_devices_reset(p);
}

int vplat_attach(struct vplat *p, struct guest *g, unsigned vcpu_count, struct com_port *com,
		 uint64_t epoch_at_ns0)
{
	struct ioapic_ops io_ops = { on_ioapic, p };
	memset(p, 0, sizeof *p);
	p->guest = g;
	p->com = com;
	p->vcpu_count = vcpu_count;
	p->epoch_at_ns0 = epoch_at_ns0;
	p->tsc_hz = time_tsc_hz();
	p->lapic_hz = vplat_lapic_hz();
	cpus_init(p);
	ioapic_model_init(&p->ioapic, (uint8_t)vcpu_count, &io_ops);
	if (guest_mmio_register(g, VPLAT_LAPIC_BASE, 0x1000, lapic_mmio, p) ||
	    guest_mmio_register(g, VPLAT_IOAPIC_BASE, IOAPICM_MMIO_SIZE, ioapic_mmio, p) ||
	    vplat_devices_attach(p)) {
		log_err("tessera: guest %s: too many device regions for its platform", g->name);
		return -1;
	}
	g->platform = p;
	if (com)
		com->plat = p;
	return 0;
}
