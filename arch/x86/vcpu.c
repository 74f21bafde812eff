/*
 * The vCPU loop: enter the guest, take the exit the back end decoded, hand it
 * to the one handler for that kind, account for it. Identical for VMX and SVM.
 */
#include <stddef.h>

#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/exits.h>
#include <arch/virt.h>
#include <kernel/console_mux.h>
#include <kernel/format.h>
#include <kernel/guest.h>
#include <kernel/log.h>
#include <kernel/mem.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kernel/vdev/platform.h>

#include "vcpu_events.h"

_Static_assert(offsetof(struct vcpu, regs) == 0, "entry stubs take &v->regs == v");
_Static_assert(offsetof(struct guest_regs, rdi) == 56, "vmx_entry.asm / svm_entry.asm layout");
_Static_assert(offsetof(struct guest_regs, r15) == 120, "vmx_entry.asm / svm_entry.asm layout");

static const exit_handler_fn handlers[EXIT_KIND_COUNT] = {
	[EXIT_CPUID] = exit_cpuid,         [EXIT_IO] = exit_io,
	[EXIT_MSR_READ] = exit_msr_read,   [EXIT_MSR_WRITE] = exit_msr_write,
	[EXIT_HLT] = exit_hlt,             [EXIT_HYPERCALL] = exit_hypercall,
	[EXIT_NPF] = exit_npf,             [EXIT_CR_WRITE] = exit_cr_write,
	[EXIT_XSETBV] = exit_xsetbv,       [EXIT_INVD] = exit_cache,
	[EXIT_WBINVD] = exit_cache,        [EXIT_EXCEPTION] = exit_exception,
	[EXIT_TRIPLE_FAULT] = exit_triple_fault, [EXIT_INIT] = exit_init,
	[EXIT_SIPI] = exit_sipi,           [EXIT_NMI] = exit_host_event,
	[EXIT_EXTINT] = exit_host_event,   [EXIT_INTR_WINDOW] = exit_host_event,
	[EXIT_PAUSE] = exit_pause,         [EXIT_RDPMC] = exit_undefined,
	[EXIT_MONITOR] = exit_undefined,   [EXIT_MWAIT] = exit_undefined,
	[EXIT_VMINSN] = exit_undefined,    [EXIT_TASK_SWITCH] = exit_failure,
	[EXIT_INVALID_STATE] = exit_failure, [EXIT_ENTRY_FAILED] = exit_failure,
	[EXIT_UNKNOWN] = exit_failure,     [EXIT_PREEMPT] = exit_host_event,
};

const char *exit_kind_name(enum exit_kind k)
{
	static const char *const names[EXIT_KIND_COUNT] = {
		"none", "cpuid", "io", "msr-read", "msr-write", "hlt", "hypercall", "npf",
		"cr-write", "xsetbv", "invd", "wbinvd", "exception", "triple-fault", "init",
		"sipi", "nmi", "extint", "intr-window", "pause", "rdpmc", "monitor", "mwait",
		"vmx/svm-insn", "task-switch", "invalid-state", "entry-failed", "unknown",
		"preempt-timer",
	};
	return k < EXIT_KIND_COUNT ? names[k] : "?";
}

/* MSRs whose state the CPU switches itself (VMCS/VMCB guest fields, or
 * VMLOAD/VMSAVE) or that the hypervisor never uses: the guest owns them. */
static const uint32_t passthrough_msrs[] = {
	0xc0000100, 0xc0000101, 0xc0000102, /* FS_BASE, GS_BASE, KERNEL_GS_BASE */
	0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, /* STAR LSTAR CSTAR SFMASK */
	0x174, 0x175, 0x176,                /* SYSENTER_CS/ESP/EIP */
	0x48, 0x49,                         /* SPEC_CTRL, PRED_CMD: the host sets neither */
};

/* Create vCPU `id` of g on the calling CPU: a VMCS/VMCB is set up where it
 * will run. The caller has set g->vcpu_count (CPUID reports it). */
struct vcpu *vcpu_create(struct guest *g, unsigned id)
{
	_Static_assert(sizeof(struct vcpu) <= 4096, "one page");
	if (id >= GUEST_MAX_VCPUS || g->vcpu[id])
		return NULL;
	struct vcpu *v = (struct vcpu *)frames_alloc(1, PAGE_SIZE, 0);
	if (!v)
		return NULL;
	v->guest = g;
	v->id = id;
	v->cpu = cpu_current();
	v->npt_root = g->npt.root;
	v->xcr0 = 1; /* x87 state only, as after reset */
	if (vcpu_switch_alloc(v) || virt->vcpu_create(v)) {
		virt->vcpu_destroy(v);
		vcpu_switch_free(v);
		frames_free((uint64_t)v, 1);
		return NULL;
	}
	vcpu_switch_to(v); /* the back end made its control block current */
	for (unsigned i = 0; i < sizeof passthrough_msrs / sizeof passthrough_msrs[0]; i++)
		virt->msr_passthrough(v, passthrough_msrs[i], true, true);
	g->vcpu[id] = v;
	return v;
}

void vcpu_destroy(struct vcpu *v)
{
	v->guest->vcpu[v->id] = NULL;
	virt->vcpu_destroy(v);
	vcpu_switch_free(v);
	frames_free((uint64_t)v, 1);
}

uint64_t *vcpu_gpr(struct vcpu *v, unsigned index)
{
	uint64_t *const map[16] = {
		&v->regs.rax, &v->regs.rcx, &v->regs.rdx, &v->regs.rbx, NULL, &v->regs.rbp,
		&v->regs.rsi, &v->regs.rdi, &v->regs.r8, &v->regs.r9, &v->regs.r10, &v->regs.r11,
		&v->regs.r12, &v->regs.r13, &v->regs.r14, &v->regs.r15,
	};
	return map[index & 15]; /* NULL for rsp: it lives in the control block */
}

/* SDM 26.2.1.3: no error code is delivered in real mode (unrestricted
 * guest), and VM entry fails if one is requested. */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	if (!(virt->reg_read(v, VREG_CR0) & CR0_PE))
		has_error = false;
	struct vevent ev = { VEVENT_EXCEPTION, vector, has_error, error };
	virt->inject(v, &ev);
}

void vcpu_stop(struct vcpu *v, const struct vm_exit *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(v->stop_reason, sizeof v->stop_reason, fmt, ap);
	va_end(ap);
	v->state = VCPU_STOPPED;
	log_warn("tessera: guest %s vcpu %u stopped: %s (exit %s, code 0x%lx, info 0x%lx, rip 0x%lx)",
		 v->guest->name, v->id, v->stop_reason, exit_kind_name(e->kind), e->raw, e->qual,
		 virt->reg_read(v, VREG_RIP));
	log_warn("  rax=%lx rbx=%lx rcx=%lx rdx=%lx rsi=%lx rdi=%lx rsp=%lx", v->regs.rax,
		 v->regs.rbx, v->regs.rcx, v->regs.rdx, v->regs.rsi, v->regs.rdi,
		 virt->reg_read(v, VREG_RSP));
	log_warn("  cr0=%lx cr3=%lx cr4=%lx efer=%lx rflags=%lx", virt->reg_read(v, VREG_CR0),
		 virt->reg_read(v, VREG_CR3), virt->reg_read(v, VREG_CR4),
		 virt->reg_read(v, VREG_EFER), virt->reg_read(v, VREG_RFLAGS));
}

static void handle(struct vcpu *v, const struct vm_exit *e)
{
	exit_handler_fn fn = handlers[e->kind];
	if (!fn) {
		vcpu_stop(v, e, "no handler for this exit");
		return;
	}
	if (fn(v, e) == EXIT_ADVANCE && v->state != VCPU_STOPPED) {
		if (!e->insn_len) {
			vcpu_stop(v, e, "instruction length unknown");
			return;
		}
		virt->advance_rip(v, e->insn_len);
	}
}

void guest_request_reset(struct vcpu *v, const char *why)
{
	strlcpy(v->stop_reason, why, sizeof v->stop_reason);
	v->reset_requested = true;
	v->state = VCPU_STOPPED;
	log_info("tessera: guest %s vcpu %u: %s", v->guest->name, v->id, why);
}

void guest_request_poweroff(struct vcpu *v, const char *why)
{
	strlcpy(v->stop_reason, why, sizeof v->stop_reason);
	v->exited = true;
	v->exit_status = 0;
	v->state = VCPU_STOPPED;
	log_info("tessera: guest %s vcpu %u: %s", v->guest->name, v->id, why);
}

#define INPUT_POLLS_PER_SECOND 500 /* console_mux_poll's own interval is 2 ms */
#define RFLAGS_IF (1ull << 9)

static void account(struct vcpu *v, const struct vm_exit *e, uint64_t t0, uint64_t t1)
{
	v->stats.entries++;
	v->stats.guest_tsc += t1 - t0;
	v->stats.count[e->kind]++;
	v->stats.last_kind = e->kind;
	v->stats.last_rip = virt->reg_read(v, VREG_RIP);
	v->stats.handle_tsc[e->kind] += rdtsc() - t1;
}

/* The first entry after another slice ended on this CPU: the time in
 * between is the scheduler's and the switch's (vcpu_between_stats). */
static void note_between(uint64_t entry_tsc)
{
	struct percpu *c = this_cpu();
	if (!c->slice_left_tsc)
		return;
	c->between_tsc += entry_tsc - c->slice_left_tsc;
	c->betweens++;
	c->slice_left_tsc = 0;
}

void vcpu_between_stats(unsigned cpu, uint64_t *ns, uint64_t *count)
{
	struct percpu *c = cpu < cpu_count ? cpus[cpu] : NULL;
	*count = c ? c->betweens : 0;
	*ns = c ? time_ticks_to_ns(c->between_tsc) : 0;
}

/* Why the slice must end before the next entry, or -1 to enter. */
static int slice_over(struct vcpu *v, uint64_t until_tsc, uint64_t now_tsc,
		      const volatile uint32_t *pending, uint32_t mine)
{
	if (v->stop_request && v->state != VCPU_STOPPED) {
		strlcpy(v->stop_reason, "stopped with its partition", sizeof v->stop_reason);
		v->state = VCPU_STOPPED;
	}
	if (v->state == VCPU_STOPPED)
		return SLICE_STOPPED;
	if (v->yield_request) {
		v->yield_request = false;
		return SLICE_YIELD;
	}
	if (pending && (*pending & ~mine))
		return SLICE_PREEMPTED;
	if (until_tsc && now_tsc >= until_tsc)
		return SLICE_EXPIRED;
	return -1;
}

/* A platform vCPU that is not running (halted, waiting for a SIPI): take
 * INIT/SIPI, and say whether it runs again. */
static bool ready_to_enter(struct vcpu *v)
{
	vcpu_events_startup(v);
	if (v->state == VCPU_RUNNING)
		return true;
	if (v->state == VCPU_HALTED)
		v->halted_if = virt->reg_read(v, VREG_RFLAGS) & RFLAGS_IF;
	if (!vcpu_events_wake_due(v))
		return false;
	if (v->state == VCPU_HALTED)
		v->state = VCPU_RUNNING;
	return v->state == VCPU_RUNNING || ready_to_enter(v); /* a SIPI is due */
}

enum slice_end vcpu_run_slice(struct vcpu *v, uint64_t until_ns, const volatile uint32_t *pending,
			      uint32_t mine)
{
	struct vm_exit e;
	bool platform = v->guest->platform;
	/* Typed input is looked at from any vCPU loop, whichever partition it
	 * is for, INPUT_POLLS_PER_SECOND times a second at most; the per-exit
	 * cost is one compare against the previous exit's time. */
	const uint64_t poll_ticks = time_tsc_hz() / INPUT_POLLS_PER_SECOND;
	const uint64_t until_tsc = until_ns ? time_ns_to_tsc(until_ns) : 0;
	uint64_t t1 = rdtsc(), next_poll = t1 + poll_ticks;
	vcpu_switch_to(v);
	for (;;) {
		int over = slice_over(v, until_tsc, t1, pending, mine);
		if (over >= 0) {
			this_cpu()->slice_left_tsc = rdtsc();
			return (enum slice_end)over;
		}
		if (t1 >= next_poll) {
			next_poll = t1 + poll_ticks;
			console_mux_poll(time_ns());
		}
		if (platform) {
			if (v->state != VCPU_RUNNING && !ready_to_enter(v)) {
				this_cpu()->slice_left_tsc = 0; /* the CPU may idle now */
				return SLICE_BLOCKED;
			}
			vcpu_events_inject(v);
		}
		vcpu_events_arm(v, until_ns, until_tsc);
		uint64_t t0 = rdtsc();
		note_between(t0);
		virt->vcpu_run(v, &e);
		t1 = rdtsc();
		handle(v, &e);
		account(v, &e, t0, t1);
	}
}

/* The test-payload runner's loop: the vCPU owns the CPU. */
void vcpu_run(struct vcpu *v)
{
	v->state = VCPU_RUNNING;
	for (;;) {
		enum slice_end end = vcpu_run_slice(v, 0, NULL, 0);
		if (end == SLICE_STOPPED)
			return;
		if (end == SLICE_BLOCKED)
			vcpu_cpu_wait(vcpu_next_event(v));
	}
}

bool vcpu_wake_due(struct vcpu *v)
{
	return !v->guest->platform ? v->stop_request : vcpu_events_wake_due(v);
}

uint64_t vcpu_next_event(struct vcpu *v)
{
	return v->guest->platform ? vplat_next_event(v) : 0;
}

void vcpu_report(const struct vcpu *v)
{
	static const char *const states[] = { "running", "halted", "wait-for-sipi", "stopped" };
	char counts[160];
	int n = 0;
	for (int k = 0; k < EXIT_KIND_COUNT && n < (int)sizeof counts - 24; k++)
		if (v->stats.count[k])
			n += fmt_snprintf(counts + n, sizeof counts - (size_t)n, " %s=%lu",
					  exit_kind_name((enum exit_kind)k), v->stats.count[k]);
	counts[n] = 0;
	log_info("tessera: guest %s vcpu %u on cpu %u: %s, %lu exits, last %s at rip 0x%lx;%s",
		 v->guest->name, v->id, v->cpu, states[v->state], v->stats.entries,
		 exit_kind_name(v->stats.last_kind), v->stats.last_rip, counts);
}

void vcpu_print_stats(const struct vcpu *v)
{
	uint64_t ticks_per_us = time_tsc_hz() / 1000000;
	log_info("tessera: guest %s vcpu %u exits: %lu entries, %lu us in guest and round trips",
		 v->guest->name, v->id, v->stats.entries,
		 ticks_per_us ? v->stats.guest_tsc / ticks_per_us : 0);
	for (int k = 0; k < EXIT_KIND_COUNT; k++) {
		if (!v->stats.count[k])
			continue;
		log_info("tessera:   %-14s %8lu exits, %8lu tsc ticks handling", exit_kind_name((enum exit_kind)k),
			 v->stats.count[k], v->stats.handle_tsc[k]);
	}
}

/* XCR0 after reset is x87 only (SDM Vol. 1 13.3); the CPU's register is the
 * guest's while it runs (exits/cr.c), so a new start resets both. */
void vcpu_reset_xcr0(struct vcpu *v)
{
	v->xcr0 = 1;
	if ((read_cr4() & (1ull << 18)) && this_cpu()->loaded_vcpu == v)
		__asm__ volatile("xsetbv" : : "c"(0), "a"(1u), "d"(0u));
}
