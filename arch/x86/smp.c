/*
 * Starting the other processors listed in the MADT: INIT, then up to two
 * STARTUP IPIs (SDM Vol. 3A 8.4.4.1), one CPU at a time. Each AP runs the
 * trampoline into ap_entry on its own stack; a CPU that does not come up in
 * time is reported and left out, the rest go on.
 */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <kernel/log.h>
#include <kernel/mem.h>
#include <kernel/paging.h>
#include <kernel/string.h>
#include <kernel/time.h>

#define STACK_PAGES 8
#define IST_PAGES   2
#define AP_TIMEOUT_US 2000000

extern const char ap_trampoline_start[], ap_trampoline_end[];

struct tramp_params {
	uint32_t cr3, pad0;
	uint64_t stack, entry, arg;
	uint32_t efer, pad1;
	uint32_t cr4, pad2;
	uint8_t scratch[0x18];
	volatile uint32_t alive;
	uint8_t pad3[0x14];
	uint64_t gdt[4];
};
_Static_assert(__builtin_offsetof(struct tramp_params, alive) == 0x48, "ap_trampoline.nasm P_ALIVE");
_Static_assert(__builtin_offsetof(struct tramp_params, gdt) == 0x60, "ap_trampoline.nasm P_GDT");

struct percpu *cpus[MAX_CPUS];
unsigned int cpu_count;
static volatile unsigned int online_count;
static uint64_t tramp_pa;

unsigned int cpu_current(void)
{
	struct percpu *c = (struct percpu *)rdmsr(MSR_GS_BASE);
	return c ? c->index : 0;
}

unsigned int cpu_online_count(void) { return online_count; }

/* A stack with an unmapped guard page below it; returns the top. */
static uint64_t alloc_stack(unsigned pages, uint64_t *bottom)
{
	uint64_t pa = frames_alloc(pages + 1, PAGE_SIZE, 0);
	if (!pa || mmu_remap(pa, PAGE_SIZE, 0))
		return 0;
	*bottom = pa + PAGE_SIZE;
	return pa + (pages + 1) * PAGE_SIZE;
}

/* Per-CPU block with its stacks. The boot CPU passes its boot stack. */
struct percpu *percpu_create(unsigned index, uint32_t apic_id, uint64_t stack_top)
{
	uint64_t pa = frames_alloc(1, PAGE_SIZE, 0), unused;
	if (!pa)
		return NULL;
	struct percpu *c = (struct percpu *)pa;
	c->index = index;
	c->apic_id = apic_id;
	c->stack_top = stack_top ? stack_top : alloc_stack(STACK_PAGES, &c->stack_bottom);
	if (stack_top)
		c->stack_bottom = stack_top - (BSP_STACK_PAGES - 1) * PAGE_SIZE;
	for (int ist = 0; ist < 3; ist++)
		c->tss.ist[ist] = alloc_stack(IST_PAGES, &unused);
	if (!c->stack_top || !c->tss.ist[0] || !c->tss.ist[1] || !c->tss.ist[2])
		return NULL;
	cpus[index] = c;
	return c;
}

static struct tramp_params *params(void) { return (struct tramp_params *)(tramp_pa + PAGE_SIZE); }

int smp_prepare_trampoline(void)
{
	size_t len = ap_trampoline_end - ap_trampoline_start;
	tramp_pa = frames_alloc(2, PAGE_SIZE, LIMIT_1M);
	if (!tramp_pa || len > PAGE_SIZE) {
		log_err("tessera: smp: no memory below 1 MiB for the AP trampoline");
		return -1;
	}
	memcpy((void *)tramp_pa, ap_trampoline_start, len);
	return mmu_remap(tramp_pa, PAGE_SIZE, PT_READ | PT_EXEC);
}

static void write_params(struct percpu *c)
{
	struct tramp_params *p = params();
	memset(p, 0, sizeof *p);
	p->cr3 = (uint32_t)mmu_cr3();
	p->stack = c->stack_top;
	p->entry = (uint64_t)ap_entry;
	p->arg = (uint64_t)c;
	p->efer = EFER_LME | EFER_NXE;
	p->cr4 = CR4_PAE;
	p->gdt[1] = 0x00cf9b000000ffffull; /* code32, accessed bit preset */
	p->gdt[2] = 0x00cf93000000ffffull; /* data                         */
	p->gdt[3] = 0x00af9b000000ffffull; /* code64                       */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Wait until the AP reached the trampoline (alive) or finished (state). */
static bool wait_for(struct percpu *c, bool alive_is_enough, uint64_t us)
{
	uint64_t end = time_ns() + us * 1000;
	while (c->state == CPU_STARTING && !(alive_is_enough && params()->alive) && time_ns() < end)
		cpu_relax();
	return c->state != CPU_STARTING || (alive_is_enough && params()->alive);
}

static void start_one(struct percpu *c)
{
	uint32_t sipi = ICR_STARTUP | (uint32_t)(tramp_pa >> 12);
	c->state = CPU_STARTING;
	write_params(c);
	lapic_send_ipi(c->apic_id, ICR_INIT | ICR_ASSERT);
	time_delay_us(10000);
	lapic_send_ipi(c->apic_id, sipi);
	/* SDM 8.4.4.1: a second SIPI only if the first did not start it. */
	if (!wait_for(c, true, 200))
		lapic_send_ipi(c->apic_id, sipi);
	wait_for(c, false, AP_TIMEOUT_US);
	if (c->state == CPU_STARTING) {
		bool alive = params()->alive;
		/* Park it for good: the parameter page is about to serve the next AP. */
		lapic_send_ipi(c->apic_id, ICR_INIT | ICR_ASSERT);
		c->state = CPU_FAILED;
		log_err("tessera: cpu %u (apic=%u) did not start (%s), left out", c->index,
			c->apic_id, alive ? "stuck in the trampoline" : "no answer to SIPI");
	}
}

void smp_start_aps(const uint32_t *apic_ids, unsigned count)
{
	uint32_t self = lapic_id();
	unsigned index = 1;
	for (unsigned i = 0; i < count && index < MAX_CPUS; i++) {
		if (apic_ids[i] == self)
			continue;
		struct percpu *c = percpu_create(index, apic_ids[i], 0);
		if (!c) {
			log_err("tessera: cpu %u (apic=%u): out of memory, left out", index, apic_ids[i]);
			break;
		}
		cpu_count = ++index;
		start_one(c);
	}
	if (count > MAX_CPUS)
		log_warn("tessera: smp: %u cpus listed, only %u supported", count, MAX_CPUS);
}

void smp_mark_online(struct percpu *c)
{
	__atomic_add_fetch(&online_count, 1, __ATOMIC_SEQ_CST);
	c->state = CPU_ONLINE;
}

unsigned int cpu_known_count(void) { return cpu_count; }

bool cpu_is_online(unsigned int cpu)
{
	return cpu < cpu_count && cpus[cpu] && cpus[cpu]->state == CPU_ONLINE;
}

void cpu_kick(unsigned int cpu)
{
	if (cpu_is_online(cpu))
		lapic_send_ipi(cpus[cpu]->apic_id, WAKE_VECTOR);
}

int cpu_dispatch(unsigned int cpu, void (*fn)(void *), void *arg)
{
	struct percpu *c = cpu < cpu_count ? cpus[cpu] : NULL;
	if (!c || c->state != CPU_ONLINE || c->work_fn)
		return -1;
	c->work_arg = arg;
	__atomic_store_n(&c->work_fn, fn, __ATOMIC_RELEASE);
	if (c != this_cpu())
		cpu_kick(cpu);
	return 0;
}

/* "sti; hlt" cannot lose the wake-up: STI opens interrupts only after the
 * next instruction (SDM Vol. 2B STI), so a kick that lands after the check
 * still ends the HLT. */
void cpu_idle_loop(void)
{
	struct percpu *c = this_cpu();
	for (;;) {
		irq_disable();
		void (*fn)(void *) = __atomic_load_n(&c->work_fn, __ATOMIC_ACQUIRE);
		if (fn) {
			void *arg = c->work_arg;
			__atomic_store_n(&c->work_fn, NULL, __ATOMIC_RELEASE);
			fn(arg);
			continue;
		}
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
}
