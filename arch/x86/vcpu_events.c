/*
 * Interrupts and waiting for vCPUs of guests with a virtual platform
 * (kernel/vdev/platform.c): before each entry the local APIC's highest
 * deliverable vector is injected, or an interrupt window is opened when the
 * guest cannot take it yet; the host's one-shot timer is armed for the next
 * virtual timer expiry so the guest exits in time. A vCPU that halted, or
 * waits for a SIPI, sleeps on its CPU (sti; hlt) until an interrupt for it
 * is due, another vCPU kicks it, or it is asked to stop.
 */
#include <arch/cpu.h>
#include <arch/exits.h>
#include <arch/guest_boot.h>
#include <arch/lapic.h>
#include <arch/virt.h>
#include <kernel/guest.h>
#include <kernel/time.h>
#include <kernel/vdev/platform.h>

#include "vcpu_events.h"

#define RFLAGS_IF       (1ull << 9)
#define INPUT_POLL_NS   10000000ull /* a sleeping vCPU still looks at console input */

static void arm_host_timer(struct vcpu *v, uint64_t deadline, uint64_t now)
{
	if (!deadline || (deadline == v->timer_armed_ns && now < deadline))
		return;
	v->timer_armed_ns = deadline;
	lapic_timer_arm_ns(deadline > now ? deadline - now : 1);
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
	uint64_t next = vplat_next_event(v);
	if (next)
		arm_host_timer(v, next, time_ns());
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
	return nmi || vplat_init_due(v) ||
	       (vec >= 0 && (virt->reg_read(v, VREG_RFLAGS) & RFLAGS_IF));
}

/* Sleep until something for this vCPU may be due; the caller found nothing
 * due (vcpu_events_wake_due) with interrupts masked, as they always are in
 * the hypervisor. That check and the HLT are one step for interrupts: STI
 * takes effect after HLT starts (SDM Vol. 2B STI), so a kick that lands
 * after the check still ends the HLT. */
void vcpu_events_wait(struct vcpu *v)
{
	uint64_t now = time_ns();
	uint64_t next = vplat_next_event(v), poll = now + INPUT_POLL_NS;
	v->timer_armed_ns = 0;
	arm_host_timer(v, next && next < poll ? next : poll, now);
	uint64_t t0 = rdtsc();
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	v->stats.halted_tsc += rdtsc() - t0;
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
