/*
 * The scheduler at run time (sched.h, docs/scheduling.md). Each CPU with
 * vCPUs runs cpu_loop: wake the blocked vCPUs something is due for, ask
 * the policy what runs, run it for a slice, account for how the slice
 * ended. The run queue is only changed under its lock, by its own CPU or
 * by a report; other CPUs reach a queue through its pending bits and an
 * IPI (sched_kick, sched_launch).
 */
#include "sched.h"

#include <kernel/arch.h>
#include <kernel/config.h>
#include <kernel/console_mux.h>
#include <kernel/cpu.h>
#include <kernel/log.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>

_Static_assert(SCHED_MAX_ENTITIES == CFG_MAX_CPU_VCPUS, "config check = run queue size");
_Static_assert(SCHED_MAX_WINDOWS == CFG_MAX_WINDOWS, "config check = window table size");

#define HOUSEKEEPING_POLL_NS 10000000ull /* console input, when nothing else runs */
#define EPOCH_DELAY_NS       10000000ull /* cyclic frames start this long after setup */

struct sched_cpu {
	struct sched_rq rq;
	struct sched_vcpu *sv[SCHED_MAX_ENTITIES];
	struct spinlock lock;
	uint32_t pending;              /* bit per slot: look at that vCPU */
	enum cfg_sched policy;
	bool used, housekeeping;
	const struct cfg_cpu *table;
	uint64_t since;                /* when accounting started */
};

static struct sched_cpu cpus[MAX_CPUS];
static uint64_t epoch;

static const struct sched_policy *policy_ops(enum cfg_sched p)
{
	return p == CFG_SCHED_SHARED ? &sched_shared : p == CFG_SCHED_CYCLIC ? &sched_cyclic
										 : &sched_dedicated;
}

static const char *policy_name(enum cfg_sched p) { return policy_ops(p)->name; }

void sched_setup(const struct config *cfg)
{
	uint64_t now = time_ns();
	epoch = now + EPOCH_DELAY_NS;
	for (unsigned i = 0; i < MAX_CPUS && i < CFG_MACHINE_CPUS; i++) {
		struct sched_cpu *c = &cpus[i];
		c->policy = cfg_cpu_policy(cfg, i, &c->table);
		rq_init(&c->rq, policy_ops(c->policy), now);
		c->since = now;
		c->rq.slice_ns = c->table && c->table->slice_ns ? c->table->slice_ns : CFG_SLICE_DEFAULT_NS;
		if (c->policy == CFG_SCHED_CYCLIC && c->table) {
			c->rq.epoch = epoch;
			c->rq.frame_ns = c->table->frame_ns;
		}
	}
}

int sched_add(struct sched_vcpu *sv, unsigned cpu, unsigned part_index, unsigned vcpu_index,
	      uint32_t weight, uint32_t cap)
{
	if (cpu >= MAX_CPUS)
		return -1;
	struct sched_cpu *c = &cpus[cpu];
	sv->se = (struct sched_entity){ .owner = sv, .weight = weight, .cap = cap };
	sv->cpu = cpu;
	sv->slot = c->rq.count;
	if (rq_add(&c->rq, &sv->se, SE_STOPPED, time_ns()))
		return -1;
	c->sv[sv->slot] = sv;
	c->used = true;
	if (c->policy == CFG_SCHED_CYCLIC && c->table)
		for (uint32_t w = 0; w < c->table->window_count; w++) {
			const struct cfg_window *win = &c->table->windows[w];
			if (win->part_index == part_index && win->vcpu_index == vcpu_index &&
			    rq_add_window(&c->rq, win->start_ns, win->start_ns + win->length_ns, &sv->se))
				return -1;
		}
	return 0;
}

static void post(struct sched_vcpu *sv)
{
	__atomic_or_fetch(&cpus[sv->cpu].pending, 1u << sv->slot, __ATOMIC_SEQ_CST);
	if (sv->cpu != cpu_current())
		cpu_kick(sv->cpu);
}

void sched_launch(struct sched_vcpu *sv)
{
	sv->fresh = true;
	post(sv);
}

void sched_kick(struct sched_vcpu *sv)
{
	if (sv)
		post(sv);
}

static struct sched_vcpu *of(struct sched_entity *se) { return se->owner; }

/* Blocked vCPUs that something is due for become runnable, launched ones
 * too; *next gets the earliest virtual timer of those still blocked. */
static void wake_due(struct sched_cpu *c, uint64_t now, uint64_t *next)
{
	*next = 0;
	for (unsigned i = 0; i < c->rq.count; i++) {
		struct sched_vcpu *sv = c->sv[i];
		if (sv->se.state == SE_STOPPED && sv->fresh) {
			rq_wake(&c->rq, &sv->se, now);
			continue;
		}
		if (sv->se.state != SE_BLOCKED)
			continue;
		if (arch_vcpu_wake_due(sv->vcpu)) {
			rq_wake(&c->rq, &sv->se, now);
			continue;
		}
		uint64_t t = arch_vcpu_next_event(sv->vcpu);
		if (t && (!*next || t < *next))
			*next = t;
	}
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* A launched vCPU's first slice of a run: its owner sets it up here. */
static bool start(struct sched_cpu *c, struct sched_vcpu *sv)
{
	sv->fresh = false;
	if (!sv->start(sv)) {
		arch_vcpu_set_sched(sv->vcpu, sv);
		return true;
	}
	spin_lock(&c->lock);
	rq_stop(&c->rq, &sv->se, time_ns());
	spin_unlock(&c->lock);
	sv->done(sv);
	return false;
}

static void account_end(struct sched_cpu *c, struct sched_vcpu *sv, enum slice_end end)
{
	uint64_t now = time_ns();
	spin_lock(&c->lock);
	if (end == SLICE_BLOCKED)
		rq_block(&c->rq, &sv->se, now);
	else if (end == SLICE_STOPPED)
		rq_stop(&c->rq, &sv->se, now);
	else if (end == SLICE_YIELD)
		rq_yield(&c->rq, &sv->se, now);
	spin_unlock(&c->lock);
	if (end == SLICE_STOPPED)
		sv->done(sv); /* may relaunch the partition */
}

/* Interrupts stay masked throughout; a kick that lands while this CPU
 * decides is taken by the HLT in arch_cpu_wait. */
static void cpu_loop(void *arg)
{
	struct sched_cpu *c = arg;
	for (;;) {
		__atomic_store_n(&c->pending, 0, __ATOMIC_SEQ_CST);
		uint64_t now = time_ns(), next_event, until;
		if (c->housekeeping)
			console_mux_poll(now);
		spin_lock(&c->lock);
		wake_due(c, now, &next_event);
		struct sched_entity *se = rq_schedule(&c->rq, now, &until);
		spin_unlock(&c->lock);
		/* Blocked vCPUs' timers end the slice too: they may preempt. */
		until = earliest(until, next_event);
		if (!se) {
			if (c->housekeeping)
				until = earliest(until, now + HOUSEKEEPING_POLL_NS);
			if (!__atomic_load_n(&c->pending, __ATOMIC_SEQ_CST))
				arch_cpu_wait(until);
			continue;
		}
		struct sched_vcpu *sv = of(se);
		if (sv->fresh && !start(c, sv))
			continue;
		enum slice_end end = arch_vcpu_run_slice(sv->vcpu, until, &c->pending, 1u << sv->slot);
		account_end(c, sv, end);
	}
}

/* Console input is polled by every vCPU loop on its exits, and every
 * HOUSEKEEPING_POLL_NS by one CPU while it idles: the lowest CPU that is
 * not given to one vCPU or, when every CPU is, the lowest dedicated one
 * (only while its vCPU sleeps: the guest never sees that timer). */
static int pick_housekeeping(void)
{
	int dedicated = -1;
	for (unsigned i = 0; i < MAX_CPUS && i < CFG_MACHINE_CPUS; i++) {
		if (!cpu_is_online(i))
			continue;
		if (!cpus[i].used || cpus[i].policy != CFG_SCHED_DEDICATED)
			return (int)i;
		if (dedicated < 0)
			dedicated = (int)i;
	}
	return dedicated;
}

void sched_start(void)
{
	int hk = pick_housekeeping();
	if (hk >= 0)
		cpus[hk].housekeeping = true;
	for (unsigned i = 0; i < MAX_CPUS && i < CFG_MACHINE_CPUS; i++) {
		struct sched_cpu *c = &cpus[i];
		if (!c->used && !c->housekeeping)
			continue;
		if (c->used)
			log_info("tessera: sched: cpu %u %s, %u vcpus%s", i, policy_name(c->policy),
				 c->rq.count, c->housekeeping ? ", polls console input" : "");
		else
			log_info("tessera: sched: cpu %u has no vcpus, polls console input", i);
		if (c->policy == CFG_SCHED_CYCLIC)
			log_info("tessera: sched: cpu %u frame %lu us from tsc 0x%lx", i,
				 c->rq.frame_ns / 1000, time_ns_to_tsc(c->rq.epoch));
		if (cpu_dispatch(i, cpu_loop, c))
			log_err("tessera: sched: cpu %u is not available", i);
	}
}

static uint64_t pct10(uint64_t part, uint64_t whole)
{
	return whole ? part * 1000 / whole : 0;
}

/* One CPU, from a snapshot taken under its lock (the log is slow). */
static void report_cpu(unsigned i, struct sched_cpu *c, uint64_t now)
{
	struct sched_entity se[SCHED_MAX_ENTITIES];
	spin_lock(&c->lock);
	rq_account(&c->rq, now);
	unsigned n = c->rq.count;
	for (unsigned k = 0; k < n; k++)
		se[k] = *c->rq.entity[k];
	uint64_t idle = c->rq.idle_ns, late_n = c->rq.late_count;
	uint64_t late_avg = late_n ? c->rq.late_sum / late_n : 0, late_max = c->rq.late_max;
	uint64_t missed = c->rq.missed;
	spin_unlock(&c->lock);
	uint64_t elapsed = now - c->since, p = pct10(idle, elapsed), between_ns, betweens;
	arch_between_stats(i, &between_ns, &betweens);
	log_info("tessera: sched: cpu %u %s at %lu us: idle %lu us (%lu.%lu%%), between slices "
		 "%lu times, avg %lu ns", i, policy_name(c->policy), now / 1000, idle / 1000, p / 10,
		 p % 10, betweens, betweens ? between_ns / betweens : 0);
	if (c->policy == CFG_SCHED_CYCLIC)
		log_info("tessera: sched: cpu %u windows %lu, start late avg %lu us max %lu us, "
			 "missed %lu", i, late_n, late_avg / 1000, late_max / 1000, missed);
	for (unsigned k = 0; k < n; k++) {
		const struct sched_vcpu *sv = c->sv[k];
		uint64_t r = pct10(se[k].run_ns, elapsed);
		log_info("tessera: sched: cpu %u %s/%u: run %lu us (%lu.%lu%%), wait %lu us, switches %lu",
			 i, sv->name, sv->id, se[k].run_ns / 1000, r / 10, r % 10, se[k].wait_ns / 1000,
			 se[k].switches);
		if (sv->vcpu)
			arch_vcpu_report(sv->vcpu); /* exits by reason */
	}
}

void sched_report(void)
{
	uint64_t now = time_ns();
	for (unsigned i = 0; i < MAX_CPUS && i < CFG_MACHINE_CPUS; i++)
		if (cpus[i].used)
			report_cpu(i, &cpus[i], now);
}

int sched_self(const struct sched_vcpu *sv, struct sched_self *out)
{
	if (!sv)
		return -1;
	struct sched_cpu *c = &cpus[sv->cpu];
	spin_lock(&c->lock);
	rq_account(&c->rq, time_ns());
	*out = (struct sched_self){ .policy = c->policy, .run_ns = sv->se.run_ns,
				    .wait_ns = sv->se.wait_ns, .switches = sv->se.switches };
	if (c->policy == CFG_SCHED_CYCLIC) {
		out->epoch_ns = c->rq.epoch;
		out->frame_ns = c->rq.frame_ns;
	}
	spin_unlock(&c->lock);
	return 0;
}
