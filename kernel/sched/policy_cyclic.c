/*
 * cyclic: a fixed table, in the spirit of ARINC 653. The major frame
 * repeats forever from a common epoch, so the windows of every CPU start
 * together; inside a window only its owner may run. An owner that halts
 * leaves the rest of its window idle unless an interrupt wakes it there.
 */
#include "runqueue.h"

/* First decision inside each window instance: how late it came, and how
 * many window instances passed with no decision at all (the CPU was held
 * elsewhere for a whole window). seq numbers window instances from the
 * epoch. */
static void note_window_start(struct sched_rq *rq, uint64_t start_abs, uint64_t seq, uint64_t now)
{
	if (start_abs == rq->window_seen)
		return;
	if (rq->window_seen != ~0ull && seq > rq->window_seq + 1)
		rq->missed += seq - rq->window_seq - 1;
	rq->window_seen = start_abs;
	rq->window_seq = seq;
	uint64_t late = now - start_abs;
	rq->late_sum += late;
	rq->late_count++;
	if (late > rq->late_max)
		rq->late_max = late;
}

static struct sched_entity *cyclic_pick(struct sched_rq *rq, uint64_t now, uint64_t *until)
{
	if (!rq->frame_ns || !rq->window_count) {
		*until = 0;
		return NULL;
	}
	if (now < rq->epoch) {
		*until = rq->epoch;
		return NULL;
	}
	uint64_t pos = rq_frame_pos(rq, now);
	uint64_t frame_start = now - pos;
	const struct sched_window *w = rq_window_at(rq, pos);
	if (w) {
		uint64_t frame_no = (frame_start - rq->epoch) / rq->frame_ns;
		note_window_start(rq, frame_start + w->start,
				  frame_no * rq->window_count + (uint64_t)(w - rq->window), now);
		*until = frame_start + w->end;
		return w->owner && w->owner->state == SE_RUNNABLE ? w->owner : NULL;
	}
	/* In a gap: idle until the next window starts, maybe in the next frame. */
	for (unsigned i = 0; i < rq->window_count; i++)
		if (rq->window[i].start > pos) {
			*until = frame_start + rq->window[i].start;
			return NULL;
		}
	*until = frame_start + rq->frame_ns + rq->window[0].start;
	return NULL;
}

const struct sched_policy sched_cyclic = {
	.name = "cyclic",
	.pick_next = cyclic_pick,
};
