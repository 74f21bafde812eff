/* Exception dispatch and the panic path: register dump, stack trace, stop all. */
#include <stddef.h>

#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/percpu.h>
#include <arch/regs.h>
#include <kernel/format.h>
#include <kernel/log.h>
#include <kernel/panic.h>

_Static_assert(offsetof(struct exc_frame, vector) == 15 * 8, "entry.asm frame layout");
_Static_assert(offsetof(struct exc_frame, rip) == 17 * 8, "entry.asm frame layout");
_Static_assert(sizeof(struct exc_frame) == 22 * 8, "entry.asm frame layout");

extern const char ImageBase[];
static volatile int panicking;

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
};

static void dump_regs(const struct exc_frame *f)
{
	log_err("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx", f->rax, f->rbx, f->rcx, f->rdx);
	log_err("  rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx", f->rsi, f->rdi, f->rbp, f->rsp);
	log_err("  r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx", f->r8, f->r9, f->r10, f->r11);
	log_err("  r12=%016lx r13=%016lx r14=%016lx r15=%016lx", f->r12, f->r13, f->r14, f->r15);
	log_err("  rip=%016lx cs=%04lx rflags=%08lx ss=%04lx err=%lx", f->rip, f->cs, f->rflags,
		f->ss, f->error);
	log_err("  cr0=%016lx cr2=%016lx cr3=%016lx cr4=%016lx", read_cr0(), read_cr2(),
		read_cr3(), read_cr4());
}

/* Follow saved rbp links, but only while they stay inside this CPU's stack:
 * the trace must never fault inside the panic path. */
static void stack_trace(uint64_t rip, uint64_t rbp)
{
	const struct percpu *c = this_cpu();
	uint64_t base = (uint64_t)ImageBase;
	log_err("  stack trace (addr2line -e build/tessera.so OFFSET):");
	log_err("    #0 %016lx  tessera.so+0x%lx", rip, rip - base);
	for (int depth = 1; depth < 16; depth++) {
		if (rbp & 7 || rbp < c->stack_bottom || rbp + 16 > c->stack_top)
			break;
		uint64_t ret = ((const uint64_t *)rbp)[1];
		if (!ret)
			break;
		log_err("    #%d %016lx  tessera.so+0x%lx", depth, ret, ret - base);
		rbp = ((const uint64_t *)rbp)[0];
	}
}

static __attribute__((noreturn)) void panic_frame(const struct exc_frame *f, const char *msg)
{
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		cpu_stop(); /* another CPU is already reporting */
	log_enter_panic();
	lapic_nmi_others();
	log_err("tessera: PANIC on cpu %u: %s", cpu_current(), msg);
	dump_regs(f);
	stack_trace(f->rip, f->rbp);
	log_err("tessera: system halted");
	cpu_stop();
}

static uint64_t stray_interrupts, stray_nmis;

void exception_dispatch(struct exc_frame *f)
{
	char msg[128];
	if (f->vector == 2 && panicking)
		cpu_stop(); /* stopped by the panicking CPU */
	if (f->vector == 2) {
		/* An NMI nobody sent on purpose (a guest exit lets it through):
		 * note it, keep running. */
		stray_nmis++; /* no log here: this CPU may hold the log lock */
		return;
	}
	if (f->vector == TIMER_VECTOR)
		this_cpu()->timer_armed_ns = 0; /* one-shot: nothing is armed any more */
	if (f->vector == WAKE_VECTOR || f->vector == TIMER_VECTOR) {
		lapic_eoi(); /* cpu_kick: the work is in this CPU's request fields */
		return;
	}
	if (f->vector >= 32) {
		lapic_eoi();
		if (!stray_interrupts++)
			log_warn("tessera: unexpected interrupt vector %lu on cpu %u", f->vector, cpu_current());
		return;
	}
	const char *name = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector] : "exception";
	fmt_snprintf(msg, sizeof msg, "exception %lu (%s) at rip=0x%lx", f->vector, name, f->rip);
	panic_frame(f, msg);
}

void panic(const char *fmt, ...)
{
	struct exc_frame f;
	char msg[160];
	va_list ap;
	arch_capture_regs(&f);
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	panic_frame(&f, msg);
}

void arch_halt_system(const char *why)
{
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		cpu_stop();
	lapic_nmi_others(); /* they stop in their NMI handler (panicking is set) */
	log_err("tessera: %s: system halted", why);
	cpu_stop();
}
