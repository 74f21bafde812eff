/*
 * dedicated: one vCPU owns the CPU. Nothing to decide and no time limit:
 * the CPU runs its vCPU until it halts, and sleeps until the vCPU wakes.
 */
#include "runqueue.h"

static struct sched_entity *dedicated_pick(struct sched_rq *rq, uint64_t now, uint64_t *until)
{
	(void)now;
	*until = 0;
	for (unsigned i = 0; i < rq->count; i++)
		if (rq->entity[i]->state == SE_RUNNABLE)
			return rq->entity[i];
	return NULL;
}

const struct sched_policy sched_dedicated = {
	.name = "dedicated",
	.pick_next = dedicated_pick,
};
