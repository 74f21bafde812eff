/* The remaining exits: halting, caches, exceptions, resets, host events,
 * instructions a guest may not use, and failures. */
#include <arch/cpu.h>
#include <arch/exits.h>
#include <arch/guest_boot.h>
#include <arch/virt.h>
#include <kernel/guest.h>
#include <kernel/log.h>

#define RFLAGS_IF (1ull << 9)

/* With a virtual platform the vCPU sleeps until an interrupt (or, masked,
 * an NMI or INIT) is due (arch/x86/vcpu_events.c). Without one nothing can
 * ever interrupt the guest, so the halt is for good. */
enum exit_result exit_hlt(struct vcpu *v, const struct vm_exit *e)
{
	if (v->guest->platform) {
		v->state = VCPU_HALTED;
		return EXIT_ADVANCE;
	}
	bool masked = !(virt->reg_read(v, VREG_RFLAGS) & RFLAGS_IF);
	vcpu_stop(v, e, "halted%s: nothing can wake it", masked ? " with interrupts masked" : "");
	return EXIT_ADVANCE;
}

/* WBINVD and INVD are no-ops: every guest page is write-back and coherent
 * and no device does DMA into a partition yet, so there is nothing to write
 * back for the guest; a real WBINVD would stall every other partition for
 * milliseconds, and INVD would drop other owners' dirty lines. (With
 * non-coherent passthrough DMA this must become a real write-back.) */
enum exit_result exit_cache(struct vcpu *v, const struct vm_exit *e)
{
	(void)v;
	(void)e;
	return EXIT_ADVANCE;
}

enum exit_result exit_exception(struct vcpu *v, const struct vm_exit *e)
{
	if (e->exc.vector == EXC_MC) {
		vcpu_stop(v, e, "machine check while the guest ran");
		return EXIT_RESUME;
	}
	/* #DB and #AC are intercepted only to stop endless delivery loops:
	 * give them to the guest as they were. ICEBP's #DB is a trap: the
	 * guest sees it after the instruction (SDM Vol. 3A 6.15, Interrupt 1). */
	vcpu_inject_exception(v, e->exc.vector, e->exc.vector == EXC_AC, e->exc.error);
	return e->exc.trap ? EXIT_ADVANCE : EXIT_RESUME;
}

enum exit_result exit_triple_fault(struct vcpu *v, const struct vm_exit *e)
{
	vcpu_stop(v, e, "triple fault");
	return EXIT_RESUME;
}

/* INIT puts the vCPU in wait-for-SIPI (SDM 8.4.1); a SIPI then starts it in
 * real mode at vector * 4096. */
enum exit_result exit_init(struct vcpu *v, const struct vm_exit *e)
{
	(void)e;
	struct vcpu_state s;
	vcpu_reset_state(&s, 0);
	s.activity = WAIT_FOR_SIPI;
	virt->vcpu_load_state(v, &s);
	v->state = VCPU_WAIT_SIPI;
	vcpu_stop(v, e, "INIT received from the machine, not from the partition");
	return EXIT_RESUME;
}

enum exit_result exit_sipi(struct vcpu *v, const struct vm_exit *e)
{
	struct vcpu_state s;
	vcpu_sipi_state(&s, e->sipi.vector);
	virt->vcpu_load_state(v, &s);
	v->state = VCPU_RUNNING;
	return EXIT_RESUME;
}

/* An interrupt or NMI for the host arrived while the guest ran: let the
 * host take it now (interrupts are open for one instruction). */
enum exit_result exit_host_event(struct vcpu *v, const struct vm_exit *e)
{
	(void)v;
	(void)e;
	__asm__ volatile("sti; nop; cli" ::: "memory");
	return EXIT_RESUME;
}

enum exit_result exit_pause(struct vcpu *v, const struct vm_exit *e)
{
	(void)v;
	(void)e;
	return EXIT_ADVANCE;
}

/* Instructions the guest's CPUID says it does not have (VMX/SVM, MONITOR,
 * performance counters): #UD, as on such a CPU. */
enum exit_result exit_undefined(struct vcpu *v, const struct vm_exit *e)
{
	(void)e;
	vcpu_inject_ud(v);
	return EXIT_RESUME;
}

enum exit_result exit_failure(struct vcpu *v, const struct vm_exit *e)
{
	const char *why = e->fail.why ? e->fail.why : exit_kind_name(e->kind);
	if (e->kind == EXIT_TASK_SWITCH)
		why = "hardware task switch (not supported)";
	else if (e->kind == EXIT_UNKNOWN)
		why = "exit the hypervisor does not handle";
	vcpu_stop(v, e, "%s", why);
	return EXIT_RESUME;
}
