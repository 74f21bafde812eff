/*
 * Interrupts and waiting for vCPUs of guests with a virtual platform
 * (kernel/vdev/platform.c): before each entry the local APIC's highest
 * deliverable vector is injected, or an interrupt window is opened when the
 * guest cannot take it yet; the host's one-shot timer is armed for the next
 * virtual timer expiry so the guest exits in time. A vCPU that halted, or
 * waits for a SIPI, blocks (kernel/sched) until an interrupt for it is due,
 * another vCPU kicks it, or it is asked to stop.
 */
#include <arch/cpu.h>
#include <arch/exits.h>
#include <arch/guest_boot.h>
#include <arch/lapic.h>
#include <arch/percpu.h>
#include <arch/virt.h>
#include <kernel/guest.h>
#include <kernel/time.h>
#include <kernel/vdev/platform.h>

#include "vcpu_events.h"

#define RFLAGS_IF       (1ull << 9)

/* The local APIC timer is one per CPU, shared by whatever runs there: it
 * is re-armed whenever the deadline wanted changes. */
static void arm_host_timer(uint64_t deadline, uint64_t now)
{
	struct percpu *c = this_cpu();
	if (!deadline || (deadline == c->timer_armed_ns && now < deadline))
		return;
	c->timer_armed_ns = deadline;
	lapic_timer_arm_ns(deadline > now ? deadline - now : 1);
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* Before an entry: the slice's end goes to the VMX preemption timer where
 * there is one (SDM 26.5.1), else to the local APIC timer together with
 * the guest's next virtual timer. */
void vcpu_events_arm(struct vcpu *v, uint64_t slice_end_ns, uint64_t slice_end_tsc)
{
	uint64_t next = v->guest->platform ? vplat_next_event(v) : 0;
	if (!virt->slice_timer || !virt->slice_timer(v, slice_end_tsc))
		next = earliest(next, slice_end_ns);
	if (next)
		arm_host_timer(next, time_ns());
}

/* Idle until an interrupt: a kick, or the host timer at until_ns (0 = no
 * timer). The caller checked for work with interrupts masked, as they
 * always are in the hypervisor; STI takes effect after HLT starts (SDM
 * Vol. 2B STI), so a kick that lands after the check still ends the HLT. */
void vcpu_cpu_wait(uint64_t until_ns)
{
	if (until_ns)
		arm_host_timer(until_ns, time_ns());
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* Inject what is due, or ask for an exit when the guest can take it. */
void vcpu_events_inject(struct vcpu *v)
{
	bool nmi;
	int vec = vplat_pending(v, &nmi);
	bool window = false;
	if (vec >= 0) {
		/* NMIs also wait for RFLAGS.IF: simpler, and only NMI IPIs
		 * (backtraces) produce them. */
		if (virt->intr_ready(v)) {
			struct vevent ev = { nmi ? VEVENT_NMI : VEVENT_EXTINT, (uint8_t)vec, false, 0 };
			virt->inject(v, &ev);
			vplat_ack(v, vec, nmi);
		} else {
			window = true;
		}
	}
	if (window != v->intr_window) {
		virt->intr_window(v, window);
		v->intr_window = window;
	}
}

bool vcpu_events_wake_due(struct vcpu *v)
{
	if (v->stop_request)
		return true;
	if (v->state == VCPU_WAIT_SIPI)
		return vplat_sipi_due(v);
	bool nmi;
	int vec = vplat_pending(v, &nmi);
	/* HLT with interrupts masked waits for an NMI or INIT only (SDM Vol. 2A HLT). */
	return nmi || vplat_init_due(v) || (vec >= 0 && v->halted_if);
}

/* INIT and SIPI from the partition's other vCPUs (SDM 9.4.4): INIT parks
 * the vCPU in wait-for-SIPI; a SIPI starts it in real mode at vector * 4K. */
void vcpu_events_startup(struct vcpu *v)
{
	if (vplat_take_init(v)) {
		v->state = VCPU_WAIT_SIPI;
		if (v->intr_window) {
			virt->intr_window(v, false);
			v->intr_window = false;
		}
	}
	if (v->state != VCPU_WAIT_SIPI)
		return;
	int vector = vplat_take_sipi(v);
	if (vector < 0)
		return;
	struct vcpu_state s;
	vcpu_sipi_state(&s, (uint8_t)vector);
	v->regs = (struct guest_regs){ 0 };
	vcpu_reset_xcr0(v);
	virt->vcpu_load_state(v, &s);
	v->state = VCPU_RUNNING;
}
