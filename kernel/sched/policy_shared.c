/*
 * shared: weighted fair sharing. Each vCPU's run time is scaled by
 * 1/weight into a virtual run time and the runnable vCPU furthest behind
 * runs next, for at most one slice, so over time each gets
 * weight / sum(weights) of the CPU. A cap limits a vCPU to cap% of the CPU
 * in every SCHED_CAP_PERIOD_NS, even when the CPU would otherwise idle.
 */
#include "runqueue.h"

static uint64_t cap_budget(const struct sched_entity *se)
{
	return se->cap ? SCHED_CAP_PERIOD_NS * se->cap / 100 : ~0ull;
}

static bool throttled(const struct sched_entity *se)
{
	return se->cap && se->cap_used >= cap_budget(se);
}

/* Start a new cap period when the current one is over. */
static void cap_roll(struct sched_rq *rq, uint64_t now)
{
	if (now - rq->cap_period < SCHED_CAP_PERIOD_NS)
		return;
	rq->cap_period = now - (now - rq->cap_period) % SCHED_CAP_PERIOD_NS;
	for (unsigned i = 0; i < rq->count; i++)
		rq->entity[i]->cap_used = 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static struct sched_entity *shared_pick(struct sched_rq *rq, uint64_t now, uint64_t *until)
{
	cap_roll(rq, now);
	struct sched_entity *best = NULL;
	unsigned runnable = 0;
	bool waiting_for_budget = false;
	for (unsigned i = 0; i < rq->count; i++) {
		struct sched_entity *se = rq->entity[i];
		if (se->state != SE_RUNNABLE)
			continue;
		if (throttled(se)) {
			waiting_for_budget = true;
			continue;
		}
		runnable++;
		if (!best || se->vruntime < best->vruntime)
			best = se;
	}
	uint64_t end = 0;
	if (runnable > 1)
		end = now + rq->slice_ns; /* alone, a vCPU runs without a timer */
	/* A capped vCPU stops at the end of its budget or of the period,
	 * whichever comes first: run time past the period end would be
	 * charged to the old period and forgotten by cap_roll. */
	if (best && best->cap)
		end = min_u64(end ? end : ~0ull,
			      min_u64(now + cap_budget(best) - best->cap_used,
				      rq->cap_period + SCHED_CAP_PERIOD_NS));
	if (waiting_for_budget)
		end = min_u64(end ? end : ~0ull, rq->cap_period + SCHED_CAP_PERIOD_NS);
	*until = end;
	return best;
}

static void shared_tick(struct sched_rq *rq, struct sched_entity *se, uint64_t ran, uint64_t now)
{
	(void)now;
	(void)rq;
	se->vruntime += ran * SCHED_WEIGHT_UNIT / se->weight;
	se->cap_used += ran;
}

/* The least virtual run time among the others that compete, or 0 with
 * *found false. */
static uint64_t others_min(const struct sched_rq *rq, const struct sched_entity *se, bool *found)
{
	uint64_t m = 0;
	*found = false;
	for (unsigned i = 0; i < rq->count; i++) {
		const struct sched_entity *o = rq->entity[i];
		if (o == se || (o->state != SE_RUNNABLE && o->state != SE_RUNNING))
			continue;
		if (!*found || o->vruntime < m)
			m = o->vruntime;
		*found = true;
	}
	return m;
}

/* A vCPU that slept does not bank the time: it rejoins at most one slice
 * (in its own virtual time) behind the others, so it runs soon but cannot
 * starve them. */
static void shared_wake(struct sched_rq *rq, struct sched_entity *se, uint64_t now)
{
	(void)now;
	bool found;
	uint64_t m = others_min(rq, se, &found);
	uint64_t credit = rq->slice_ns * SCHED_WEIGHT_UNIT / se->weight;
	if (found && se->vruntime + credit < m)
		se->vruntime = m - credit;
}

/* Yielding puts the vCPU behind every other runnable one. */
static void shared_yield(struct sched_rq *rq, struct sched_entity *se, uint64_t now)
{
	(void)now;
	for (unsigned i = 0; i < rq->count; i++) {
		const struct sched_entity *o = rq->entity[i];
		if (o != se && o->state == SE_RUNNABLE && o->vruntime >= se->vruntime)
			se->vruntime = o->vruntime + 1;
	}
}

const struct sched_policy sched_shared = {
	.name = "shared",
	.pick_next = shared_pick,
	.tick = shared_tick,
	.wake = shared_wake,
	.yield = shared_yield,
};
