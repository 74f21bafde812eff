/*
 * One physical CPU's run queue and the policy that orders it. Pure: time is
 * passed in (nanoseconds on one clock shared by all CPUs), nothing here
 * touches hardware, so the policies are unit-tested on the host
 * (tests/unit/test_sched.c). kernel/sched/sched.c drives it at run time.
 *
 * A vCPU is a sched_entity on exactly one run queue. Its state moves
 *   RUNNABLE --pick--> RUNNING --preempt/yield--> RUNNABLE
 *   RUNNING --block (halt)--> BLOCKED --wake--> RUNNABLE
 * and every move goes through rq_* so the accounting (run, wait and idle
 * time, switches) is exact whatever the policy.
 */
#ifndef KERNEL_SCHED_RUNQUEUE_H
#define KERNEL_SCHED_RUNQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCHED_MAX_ENTITIES 16  /* vCPUs on one CPU */
#define SCHED_MAX_WINDOWS  32  /* = CFG_MAX_WINDOWS */
#define SCHED_WEIGHT_UNIT  1024ull
#define SCHED_CAP_PERIOD_NS 100000000ull /* caps are enforced per 100 ms */

enum se_state { SE_RUNNABLE, SE_RUNNING, SE_BLOCKED, SE_STOPPED };

struct sched_entity {
	void *owner;               /* the vCPU (run time only) */
	enum se_state state;
	uint32_t weight;           /* shared: 1..1000 */
	uint32_t cap;              /* shared: percent of the CPU, 0 = none */
	uint64_t vruntime;         /* shared: run time scaled by 1/weight */
	uint64_t cap_used;         /* shared: ns run in the current cap period */
	uint64_t since;            /* when the state last changed */
	/* accounting, nanoseconds */
	uint64_t run_ns, wait_ns, blocked_ns;
	uint64_t switches;         /* times it was switched in */
};

/* [start, end) within the major frame; owner NULL = idle. */
struct sched_window {
	uint64_t start, end;
	struct sched_entity *owner;
};

struct sched_rq;

/* What a policy decides; each policy is one short file. */
struct sched_policy {
	const char *name;
	/* What runs from `now`, and until when: *until is the absolute time at
	 * which to ask again (0 = not until something wakes or blocks). NULL =
	 * idle. Called with rq->current already back in RUNNABLE/BLOCKED. */
	struct sched_entity *(*pick_next)(struct sched_rq *rq, uint64_t now, uint64_t *until);
	/* se ran for ran_ns up to now (charged before every pick). */
	void (*tick)(struct sched_rq *rq, struct sched_entity *se, uint64_t ran_ns, uint64_t now);
	/* se became runnable after being blocked. */
	void (*wake)(struct sched_rq *rq, struct sched_entity *se, uint64_t now);
	/* se gave up the CPU on its own (HC_YIELD). */
	void (*yield)(struct sched_rq *rq, struct sched_entity *se, uint64_t now);
};

extern const struct sched_policy sched_dedicated, sched_shared, sched_cyclic;

struct sched_rq {
	const struct sched_policy *policy;
	struct sched_entity *entity[SCHED_MAX_ENTITIES];
	unsigned count;
	struct sched_entity *current;  /* RUNNING, or NULL when idle */
	uint64_t current_since;        /* when current was last charged */
	uint64_t idle_ns, idle_since;
	bool idle;
	struct sched_entity *last;     /* the latest pick (NULL = idle): switches */
	/* shared */
	uint64_t slice_ns;
	uint64_t cap_period;           /* start of the current cap period */
	/* cyclic: windows sorted by start, frames counted from epoch */
	uint64_t epoch, frame_ns;
	struct sched_window window[SCHED_MAX_WINDOWS];
	unsigned window_count;
	/* cyclic: how late each window's first decision came (jitter) */
	uint64_t window_seen;          /* absolute start of the latest window seen (~0 = none) */
	uint64_t window_seq;           /* its number, counting windows from the epoch */
	uint64_t late_max, late_sum, late_count;
	uint64_t missed;               /* window instances that passed undecided */
};

void rq_init(struct sched_rq *rq, const struct sched_policy *policy, uint64_t now);
/* Add a RUNNABLE (or BLOCKED) entity; -1 when the queue is full. */
int rq_add(struct sched_rq *rq, struct sched_entity *se, enum se_state state, uint64_t now);
/* Cyclic: add a window (kept sorted); -1 when full or overlapping. */
int rq_add_window(struct sched_rq *rq, uint64_t start, uint64_t end, struct sched_entity *owner);

/* Charge the current entity up to now and ask the policy what runs next.
 * Switches count only real changes of entity. *until as in pick_next. */
struct sched_entity *rq_schedule(struct sched_rq *rq, uint64_t now, uint64_t *until);

/* State changes; each charges the current entity first when it is se. */
void rq_block(struct sched_rq *rq, struct sched_entity *se, uint64_t now);
void rq_wake(struct sched_rq *rq, struct sched_entity *se, uint64_t now);
void rq_yield(struct sched_rq *rq, struct sched_entity *se, uint64_t now);
/* Leaves the queue's decisions for good (partition stopped); a later
 * rq_wake brings it back (restart). */
void rq_stop(struct sched_rq *rq, struct sched_entity *se, uint64_t now);

/* Accounting brought up to `now` without changing anything (reports). */
void rq_account(struct sched_rq *rq, uint64_t now);

/* Cyclic helpers, shared with reports: position of now in its frame, and
 * the window covering a position (NULL = a gap). */
uint64_t rq_frame_pos(const struct sched_rq *rq, uint64_t now);
const struct sched_window *rq_window_at(const struct sched_rq *rq, uint64_t pos);

#endif
