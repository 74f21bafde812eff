/*
 * Run-queue bookkeeping shared by every policy (runqueue.h): state changes
 * and the accounting that goes with them. Policies only order entities.
 */
#include "runqueue.h"

static uint64_t since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

/* Add the time since the last change to the bucket of se's state. */
static void settle(struct sched_entity *se, uint64_t now)
{
	uint64_t d = since(now, se->since);
	if (se->state == SE_RUNNING)
		se->run_ns += d;
	else if (se->state == SE_RUNNABLE)
		se->wait_ns += d;
	else if (se->state == SE_BLOCKED)
		se->blocked_ns += d;
	se->since = now;
}

static void settle_idle(struct sched_rq *rq, uint64_t now)
{
	if (rq->idle)
		rq->idle_ns += since(now, rq->idle_since);
	rq->idle_since = now;
}

/* The current entity ran until now: account it and tell the policy. */
static void charge_current(struct sched_rq *rq, uint64_t now)
{
	struct sched_entity *se = rq->current;
	if (!se)
		return;
	settle(se, now);
	uint64_t ran = since(now, rq->current_since);
	rq->current_since = now;
	if (rq->policy->tick)
		rq->policy->tick(rq, se, ran, now);
}

/* Take the current entity off the CPU in state `to`. */
static void put_current(struct sched_rq *rq, enum se_state to, uint64_t now)
{
	charge_current(rq, now);
	rq->current->state = to;
	rq->current = NULL;
	rq->idle = true;
	rq->idle_since = now;
}

void rq_init(struct sched_rq *rq, const struct sched_policy *policy, uint64_t now)
{
	*rq = (struct sched_rq){ .policy = policy, .idle = true, .idle_since = now,
				 .cap_period = now, .window_seen = ~0ull };
}

int rq_add(struct sched_rq *rq, struct sched_entity *se, enum se_state state, uint64_t now)
{
	if (rq->count >= SCHED_MAX_ENTITIES || state == SE_RUNNING)
		return -1;
	se->state = state;
	se->since = now;
	if (!se->weight)
		se->weight = 1;
	rq->entity[rq->count++] = se;
	return 0;
}

int rq_add_window(struct sched_rq *rq, uint64_t start, uint64_t end, struct sched_entity *owner)
{
	if (rq->window_count >= SCHED_MAX_WINDOWS || start >= end)
		return -1;
	unsigned i = rq->window_count;
	while (i > 0 && rq->window[i - 1].start > start)
		i--;
	if ((i > 0 && rq->window[i - 1].end > start) ||
	    (i < rq->window_count && rq->window[i].start < end))
		return -1;
	for (unsigned j = rq->window_count; j > i; j--)
		rq->window[j] = rq->window[j - 1];
	rq->window[i] = (struct sched_window){ start, end, owner };
	rq->window_count++;
	return 0;
}

struct sched_entity *rq_schedule(struct sched_rq *rq, uint64_t now, uint64_t *until)
{
	if (rq->current)
		put_current(rq, SE_RUNNABLE, now);
	settle_idle(rq, now);
	*until = 0;
	struct sched_entity *next = rq->policy->pick_next(rq, now, until);
	if (!next || next->state != SE_RUNNABLE) {
		rq->last = NULL;
		return NULL; /* stays idle; idle_since is now */
	}
	settle(next, now);
	next->state = SE_RUNNING;
	/* Against the latest pick, not rq->current: a yield (or a block and
	 * wake) with no decision in between leaves the same entity on. */
	if (next != rq->last)
		next->switches++;
	rq->last = next;
	rq->current = next;
	rq->current_since = now;
	rq->idle = false;
	return next;
}

void rq_block(struct sched_rq *rq, struct sched_entity *se, uint64_t now)
{
	if (se == rq->current) {
		put_current(rq, SE_BLOCKED, now);
		return;
	}
	if (se->state == SE_RUNNABLE) {
		settle(se, now);
		se->state = SE_BLOCKED;
	}
}

void rq_wake(struct sched_rq *rq, struct sched_entity *se, uint64_t now)
{
	if (se->state != SE_BLOCKED && se->state != SE_STOPPED)
		return;
	settle(se, now);
	se->state = SE_RUNNABLE;
	/* The policy places se against the others: charge the current one up
	 * to now first (alone it may have run for long without a timer). */
	charge_current(rq, now);
	if (rq->policy->wake)
		rq->policy->wake(rq, se, now);
}

void rq_yield(struct sched_rq *rq, struct sched_entity *se, uint64_t now)
{
	if (se != rq->current)
		return;
	put_current(rq, SE_RUNNABLE, now);
	if (rq->policy->yield)
		rq->policy->yield(rq, se, now);
}

void rq_stop(struct sched_rq *rq, struct sched_entity *se, uint64_t now)
{
	if (se == rq->current) {
		put_current(rq, SE_STOPPED, now);
		return;
	}
	settle(se, now);
	se->state = SE_STOPPED;
}

void rq_account(struct sched_rq *rq, uint64_t now)
{
	charge_current(rq, now);
	settle_idle(rq, now);
	for (unsigned i = 0; i < rq->count; i++)
		if (rq->entity[i] != rq->current)
			settle(rq->entity[i], now);
}

uint64_t rq_frame_pos(const struct sched_rq *rq, uint64_t now)
{
	if (!rq->frame_ns || now < rq->epoch)
		return 0;
	return (now - rq->epoch) % rq->frame_ns;
}

const struct sched_window *rq_window_at(const struct sched_rq *rq, uint64_t pos)
{
	for (unsigned i = 0; i < rq->window_count; i++)
		if (pos >= rq->window[i].start && pos < rq->window[i].end)
			return &rq->window[i];
	return NULL;
}
