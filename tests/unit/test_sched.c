// unit-modules: kernel/sched/runqueue.c kernel/sched/policy_dedicated.c kernel/sched/policy_shared.c kernel/sched/policy_cyclic.c
/* The pure scheduler (kernel/sched/): each policy driven the way the runtime
 * drives it, on a simulated clock:
 *   loop { se = rq_schedule(rq, now, &until); now = min(until, next event); }
 * Entities are always busy unless a script makes them block, wake or yield
 * at given times. The simulation measures run and idle time itself and
 * compares with the run queue's own accounting. */
#include <stdbool.h>
#include <stdint.h>

#include "../../kernel/sched/runqueue.h"
#include "unit.h"

#define US 1000ull
#define MS 1000000ull
#define SEC 1000000000ull

#define CHECK_NEAR(a, b, tol)                                             \
	do {                                                              \
		long long _a = (long long)(a), _b = (long long)(b);       \
		long long _d = _a > _b ? _a - _b : _b - _a;               \
		if (_d > (long long)(tol)) {                              \
			char _m[256];                                     \
			snprintf(_m, sizeof _m, "%s ~ %s (%lld vs %lld, tol %lld)", \
				 #a, #b, _a, _b, (long long)(tol));       \
			unit_fail(__FILE__, __LINE__, _m);                \
		}                                                         \
	} while (0)

/* ------------------------------------------------------------------ */
/* The simulation                                                      */

enum act { ACT_BLOCK, ACT_WAKE, ACT_YIELD, ACT_STOP };

/* se NULL with ACT_YIELD: whatever runs at that time yields. */
struct event {
	uint64_t t;
	struct sched_entity *se;
	enum act act;
};

struct interval {
	struct sched_entity *se;
	uint64_t from, to;
};

struct decision {
	uint64_t t, until;
	struct sched_entity *se;
};

#define MAX_IV 20000
#define MAX_DEC 40000
#define MAX_EV 4096

struct sim {
	struct sched_rq rq;
	uint64_t start, now, until;
	uint64_t late;                 /* the timer fires this late */
	struct sched_entity *cur;      /* what the CPU runs now */
	struct sched_entity *last;     /* the last decision (switch counting) */
	const struct event *ev;
	unsigned nev, next_ev;
	uint64_t added[SCHED_MAX_ENTITIES];
	uint64_t ran[SCHED_MAX_ENTITIES];      /* measured here */
	uint64_t switches[SCHED_MAX_ENTITIES]; /* counted here */
	uint64_t stopped[SCHED_MAX_ENTITIES];  /* time spent STOPPED */
	uint64_t idle;
	struct interval iv[MAX_IV];    /* run intervals, merged when contiguous */
	unsigned niv;
	struct decision dec[MAX_DEC];
	unsigned ndec;
	struct sched_entity *yielded;  /* who the last NULL yield hit */
	bool bad;
};

static struct sim S;

static unsigned idx(struct sim *s, const struct sched_entity *se)
{
	for (unsigned i = 0; i < s->rq.count; i++)
		if (s->rq.entity[i] == se)
			return i;
	CHECK(!"entity not on the run queue");
	return 0;
}

static struct sim *sim_init(const struct sched_policy *p, uint64_t start)
{
	struct sim *s = &S;
	memset(s, 0, sizeof *s);
	rq_init(&s->rq, p, start);
	s->start = s->now = start;
	return s;
}

static void sim_add(struct sim *s, struct sched_entity *se, uint32_t weight, uint32_t cap,
		    enum se_state st)
{
	memset(se, 0, sizeof *se);
	se->weight = weight;
	se->cap = cap;
	CHECK_EQ(rq_add(&s->rq, se, st, s->now), 0);
	s->added[idx(s, se)] = s->now;
}

static void sim_events(struct sim *s, const struct event *ev, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		CHECK(ev[i - 1].t <= ev[i].t);
	s->ev = ev;
	s->nev = n;
	s->next_ev = 0;
}

static void decide(struct sim *s)
{
	uint64_t until = 0xdeadbeef;
	struct sched_entity *se = rq_schedule(&s->rq, s->now, &until);
	CHECK(s->rq.current == se);
	if (se) {
		CHECK_EQ(se->state, SE_RUNNING);
		if (se != s->last)
			s->switches[idx(s, se)]++;
	}
	if (until && until <= s->now) {
		CHECK(!"until is not in the future");
		s->bad = true;
	}
	s->last = s->cur = se;
	s->until = until;
	if (s->ndec < MAX_DEC)
		s->dec[s->ndec++] = (struct decision){ s->now, until, se };
	else
		s->bad = true;
}

static void advance(struct sim *s, uint64_t t)
{
	if (t <= s->now)
		return;
	for (unsigned i = 0; i < s->rq.count; i++)
		if (s->rq.entity[i]->state == SE_STOPPED)
			s->stopped[i] += t - s->now;
	if (s->cur) {
		s->ran[idx(s, s->cur)] += t - s->now;
		struct interval *l = s->niv ? &s->iv[s->niv - 1] : NULL;
		if (l && l->se == s->cur && l->to == s->now)
			l->to = t;
		else if (s->niv < MAX_IV)
			s->iv[s->niv++] = (struct interval){ s->cur, s->now, t };
		else
			s->bad = true;
	} else {
		s->idle += t - s->now;
	}
	s->now = t;
}

static void apply(struct sim *s, const struct event *e)
{
	switch (e->act) {
	case ACT_BLOCK: rq_block(&s->rq, e->se, s->now); break;
	case ACT_WAKE: rq_wake(&s->rq, e->se, s->now); break;
	case ACT_STOP: rq_stop(&s->rq, e->se, s->now); break;
	case ACT_YIELD: {
		struct sched_entity *se = e->se ? e->se : s->rq.current;
		s->yielded = se;
		if (se)
			rq_yield(&s->rq, se, s->now);
		break;
	}
	}
}

/* Run everything that happens before `end`, then stop the clock at end. */
static void sim_run(struct sim *s, uint64_t end)
{
	while (s->now < end && !s->bad) {
		uint64_t t = end;
		bool timer = false;
		if (s->until && s->until + s->late < end) {
			t = s->until + s->late;
			timer = true;
		}
		if (s->next_ev < s->nev && s->ev[s->next_ev].t < end && s->ev[s->next_ev].t <= t) {
			if (s->ev[s->next_ev].t < t)
				timer = false; /* an event first; the timer stays armed */
			t = s->ev[s->next_ev].t;
		}
		advance(s, t);
		bool any = false;
		while (s->next_ev < s->nev && s->ev[s->next_ev].t <= s->now) {
			apply(s, &s->ev[s->next_ev++]);
			any = true;
		}
		if (any || timer)
			decide(s);
	}
	advance(s, end);
}

/* Start: the first decision. */
static void sim_go(struct sim *s)
{
	decide(s);
}

/* Accounting against what the simulation saw. Time spent STOPPED is in
 * none of an entity's buckets. */
static void check_accounting(struct sim *s)
{
	rq_account(&s->rq, s->now);
	uint64_t run = 0;
	for (unsigned i = 0; i < s->rq.count; i++) {
		struct sched_entity *se = s->rq.entity[i];
		CHECK_EQ(se->run_ns + se->wait_ns + se->blocked_ns + s->stopped[i],
			 s->now - s->added[i]);
		CHECK_EQ(se->run_ns, s->ran[i]);
		CHECK_EQ(se->switches, s->switches[i]);
		run += se->run_ns;
	}
	CHECK_EQ(s->rq.idle_ns, s->idle);
	CHECK_EQ(run + s->rq.idle_ns, s->now - s->start);
}

/* Run time of se inside [from, to). */
static uint64_t run_in(const struct sim *s, const struct sched_entity *se, uint64_t from, uint64_t to)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < s->niv; i++) {
		const struct interval *v = &s->iv[i];
		if (v->se != se)
			continue;
		uint64_t a = v->from > from ? v->from : from;
		uint64_t b = v->to < to ? v->to : to;
		if (b > a)
			sum += b - a;
	}
	return sum;
}

/* The longest interval se ran without a break, starting in [from, to). */
static uint64_t longest_run(const struct sim *s, const struct sched_entity *se, uint64_t from, uint64_t to)
{
	uint64_t m = 0;
	for (unsigned i = 0; i < s->niv; i++) {
		const struct interval *v = &s->iv[i];
		if (v->se == se && v->from >= from && v->from < to && v->to - v->from > m)
			m = v->to - v->from;
	}
	return m;
}

/* Each cap period of [start, end) gives se at most its budget. */
static void check_cap_periods(const struct sim *s, const struct sched_entity *se, uint64_t end)
{
	uint64_t budget = SCHED_CAP_PERIOD_NS * se->cap / 100;
	for (uint64_t p = s->start; p + SCHED_CAP_PERIOD_NS <= end; p += SCHED_CAP_PERIOD_NS) {
		uint64_t r = run_in(s, se, p, p + SCHED_CAP_PERIOD_NS);
		if (r > budget) {
			char m[128];
			snprintf(m, sizeof m, "cap period at %llu ms: ran %llu ns > budget %llu",
				 (unsigned long long)(p / MS), (unsigned long long)r,
				 (unsigned long long)budget);
			unit_fail(__FILE__, __LINE__, m);
			return;
		}
	}
}

/* A small deterministic generator for scripted runs. */
static uint64_t rng_state;
static uint64_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return rng_state >> 33;
}

/* Random block/wake/yield script for the entities (times strictly rising). */
static unsigned random_script(struct event *ev, unsigned max, struct sched_entity **se, unsigned n,
			      uint64_t from, uint64_t end, uint64_t step, bool yields)
{
	bool blocked[SCHED_MAX_ENTITIES] = { 0 };
	unsigned k = 0;
	uint64_t t = from;
	while (k < max) {
		t += 1 + rng() % step;
		if (t >= end)
			break;
		unsigned i = rng() % n;
		if (yields && rng() % 4 == 0) {
			ev[k++] = (struct event){ t, NULL, ACT_YIELD };
			continue;
		}
		ev[k++] = (struct event){ t, se[i], blocked[i] ? ACT_WAKE : ACT_BLOCK };
		blocked[i] = !blocked[i];
	}
	return k;
}

/* ------------------------------------------------------------------ */
/* dedicated                                                           */

TEST(dedicated_runs_blocks_wakes)
{
	static struct sched_entity a;
	struct sim *s = sim_init(&sched_dedicated, 1000);
	sim_add(s, &a, 0, 0, SE_RUNNABLE);
	CHECK_EQ(a.weight, 1); /* 0 becomes 1 */
	static const struct event ev[] = {
		{ 1000 + 3 * MS, &a, ACT_BLOCK },
		{ 1000 + 7 * MS, &a, ACT_WAKE },
		{ 1000 + 10 * MS, &a, ACT_BLOCK },
		{ 1000 + 20 * MS, &a, ACT_WAKE },
	};
	sim_events(s, ev, 4);
	sim_go(s);
	CHECK(s->cur == &a);
	CHECK_EQ(s->until, 0);
	sim_run(s, 1000 + 30 * MS);
	/* pick, idle, pick, idle, pick: never a timer */
	CHECK_EQ(s->ndec, 5);
	for (unsigned i = 0; i < s->ndec; i++) {
		CHECK_EQ(s->dec[i].until, 0);
		CHECK(s->dec[i].se == (i % 2 ? NULL : &a));
	}
	check_accounting(s);
	CHECK_EQ(a.run_ns, 3 * MS + 3 * MS + 10 * MS);
	CHECK_EQ(a.blocked_ns, 4 * MS + 10 * MS);
	CHECK_EQ(a.wait_ns, 0);
	CHECK_EQ(s->rq.idle_ns, 14 * MS);
	CHECK_EQ(a.switches, 3);
}

TEST(dedicated_starts_blocked)
{
	static struct sched_entity a;
	struct sim *s = sim_init(&sched_dedicated, 0);
	sim_add(s, &a, 1, 0, SE_BLOCKED);
	static const struct event ev[] = { { 5 * MS, &a, ACT_WAKE } };
	sim_events(s, ev, 1);
	sim_go(s);
	CHECK(s->cur == NULL);
	CHECK_EQ(s->until, 0);
	sim_run(s, 8 * MS);
	CHECK(s->cur == &a);
	check_accounting(s);
	CHECK_EQ(a.run_ns, 3 * MS);
	CHECK_EQ(s->rq.idle_ns, 5 * MS);
	CHECK_EQ(a.switches, 1);
}

TEST(dedicated_stop_and_restart)
{
	static struct sched_entity a;
	struct sim *s = sim_init(&sched_dedicated, 0);
	sim_add(s, &a, 1, 0, SE_RUNNABLE);
	static const struct event ev[] = {
		{ 2 * MS, &a, ACT_STOP },
		{ 6 * MS, &a, ACT_WAKE }, /* restart */
	};
	sim_events(s, ev, 2);
	sim_go(s);
	sim_run(s, 4 * MS);
	CHECK(s->cur == NULL);
	CHECK_EQ(a.state, SE_STOPPED);
	rq_block(&s->rq, &a, s->now); /* a stopped entity stays stopped */
	CHECK_EQ(a.state, SE_STOPPED);
	sim_run(s, 10 * MS);
	CHECK(s->cur == &a);
	check_accounting(s);
	/* the 4 ms stopped are in none of the buckets */
	CHECK_EQ(a.run_ns + a.wait_ns + a.blocked_ns, 10 * MS - 4 * MS);
	CHECK_EQ(a.run_ns, 6 * MS);
	CHECK_EQ(s->rq.idle_ns, 4 * MS);
	CHECK_EQ(a.switches, 2);
}

/* ------------------------------------------------------------------ */
/* shared                                                              */

static struct sim *shared_init(uint64_t slice)
{
	struct sim *s = sim_init(&sched_shared, 0);
	s->rq.slice_ns = slice;
	return s;
}

TEST(shared_weights_1_2_1)
{
	static struct sched_entity e[3];
	struct sim *s = shared_init(5 * MS);
	sim_add(s, &e[0], 1, 0, SE_RUNNABLE);
	sim_add(s, &e[1], 2, 0, SE_RUNNABLE);
	sim_add(s, &e[2], 1, 0, SE_RUNNABLE);
	sim_go(s);
	sim_run(s, 10 * SEC);
	check_accounting(s);
	CHECK_NEAR(e[0].run_ns, 2500 * MS, 100 * MS);
	CHECK_NEAR(e[1].run_ns, 5000 * MS, 100 * MS);
	CHECK_NEAR(e[2].run_ns, 2500 * MS, 100 * MS);
	CHECK_EQ(s->rq.idle_ns, 0);
	/* three compete: every decision has a one-slice timer */
	for (unsigned i = 0; i < s->ndec; i++)
		CHECK_EQ(s->dec[i].until, s->dec[i].t + 5 * MS);
	/* and no entity waits long: all three run in every 40 ms */
	for (uint64_t t = 0; t + 40 * MS <= 10 * SEC; t += 40 * MS)
		for (unsigned i = 0; i < 3; i++)
			CHECK(run_in(s, &e[i], t, t + 40 * MS) > 0);
}

TEST(shared_equal_weights)
{
	static struct sched_entity e[2];
	struct sim *s = shared_init(5 * MS);
	sim_add(s, &e[0], 100, 0, SE_RUNNABLE);
	sim_add(s, &e[1], 100, 0, SE_RUNNABLE);
	sim_go(s);
	sim_run(s, 10 * SEC);
	check_accounting(s);
	CHECK_NEAR(e[0].run_ns, 5 * SEC, 100 * MS);
	CHECK_NEAR(e[1].run_ns, 5 * SEC, 100 * MS);
	/* they alternate slice by slice */
	CHECK_NEAR(e[0].switches, 1000, 2);
	CHECK_NEAR(e[1].switches, 1000, 2);
	CHECK(longest_run(s, &e[0], 0, 10 * SEC) <= 5 * MS);
}

TEST(shared_alone_runs_without_timer)
{
	static struct sched_entity a, b;
	struct sim *s = shared_init(5 * MS);
	sim_add(s, &a, 10, 0, SE_RUNNABLE);
	sim_add(s, &b, 10, 0, SE_BLOCKED);
	static const struct event ev[] = { { 1 * SEC, &b, ACT_WAKE } };
	sim_events(s, ev, 1);
	sim_go(s);
	CHECK(s->cur == &a);
	CHECK_EQ(s->until, 0);
	/* spurious reschedules re-pick a without counting a switch */
	sim_run(s, 100 * MS);
	decide(s);
	sim_run(s, 200 * MS);
	decide(s);
	CHECK(s->cur == &a);
	CHECK_EQ(s->until, 0);
	CHECK_EQ(a.switches, 1);
	sim_run(s, 1 * SEC);
	CHECK_EQ(s->ran[0], 1 * SEC);
	/* b wakes: two compete, so a slice timer appears */
	sim_run(s, 1 * SEC + 1);
	CHECK(s->dec[s->ndec - 1].t == 1 * SEC);
	CHECK_EQ(s->dec[s->ndec - 1].until, 1 * SEC + 5 * MS);
	sim_run(s, 2 * SEC);
	check_accounting(s);
	/* a ran alone for a second without being charged (no timer); b must
	 * still rejoin only about a slice behind it, not a second behind */
	CHECK(longest_run(s, &b, 1 * SEC, 2 * SEC) <= 2 * 5 * MS);
	CHECK_NEAR(run_in(s, &a, 1 * SEC, 2 * SEC), 500 * MS, 10 * MS);
	CHECK_NEAR(run_in(s, &b, 1 * SEC, 2 * SEC), 500 * MS, 10 * MS);
}

TEST(shared_cap_alone)
{
	static struct sched_entity a;
	struct sim *s = shared_init(5 * MS);
	sim_add(s, &a, 1, 30, SE_RUNNABLE);
	sim_go(s);
	CHECK(s->cur == &a);
	CHECK_EQ(s->until, 30 * MS); /* alone, but the cap needs a timer */
	sim_run(s, 10 * SEC);
	check_accounting(s);
	CHECK_NEAR(a.run_ns, 3 * SEC, 100 * MS);
	CHECK_NEAR(s->rq.idle_ns, 7 * SEC, 100 * MS);
	check_cap_periods(s, &a, 10 * SEC);
	/* throttled, the CPU idles with a timer for the next period */
	bool saw_idle = false;
	for (unsigned i = 0; i < s->ndec; i++)
		if (!s->dec[i].se) {
			saw_idle = true;
			CHECK_EQ(s->dec[i].until % SCHED_CAP_PERIOD_NS, 0);
		}
	CHECK(saw_idle);
}

TEST(shared_cap_with_competitors)
{
	static struct sched_entity e[3];
	/* capped below its fair share: held to the cap, the other takes the rest */
	struct sim *s = shared_init(5 * MS);
	sim_add(s, &e[0], 1, 30, SE_RUNNABLE);
	sim_add(s, &e[1], 1, 0, SE_RUNNABLE);
	sim_go(s);
	sim_run(s, 10 * SEC);
	check_accounting(s);
	CHECK_NEAR(e[0].run_ns, 3 * SEC, 100 * MS);
	CHECK_NEAR(e[1].run_ns, 7 * SEC, 100 * MS);
	CHECK_EQ(s->rq.idle_ns, 0);
	check_cap_periods(s, &e[0], 10 * SEC);

	/* both capped: the CPU idles the rest */
	s = shared_init(5 * MS);
	sim_add(s, &e[0], 1, 20, SE_RUNNABLE);
	sim_add(s, &e[1], 3, 20, SE_RUNNABLE);
	sim_go(s);
	sim_run(s, 10 * SEC);
	check_accounting(s);
	CHECK_NEAR(e[0].run_ns, 2 * SEC, 100 * MS);
	CHECK_NEAR(e[1].run_ns, 2 * SEC, 100 * MS);
	CHECK_NEAR(s->rq.idle_ns, 6 * SEC, 100 * MS);
	check_cap_periods(s, &e[0], 10 * SEC);
	check_cap_periods(s, &e[1], 10 * SEC);

	/* a cap above the fair share changes nothing */
	s = shared_init(5 * MS);
	sim_add(s, &e[0], 1, 50, SE_RUNNABLE);
	sim_add(s, &e[1], 1, 0, SE_RUNNABLE);
	sim_add(s, &e[2], 1, 0, SE_RUNNABLE);
	sim_go(s);
	sim_run(s, 10 * SEC);
	check_accounting(s);
	for (unsigned i = 0; i < 3; i++)
		CHECK_NEAR(e[i].run_ns, 10 * SEC / 3, 100 * MS);
}

/* A capped vCPU that wakes late in a cap period must not carry run time
 * across the period boundary uncharged. */
TEST(shared_cap_holds_across_periods)
{
	static struct sched_entity a, b;
	struct sim *s = shared_init(5 * MS);
	sim_add(s, &a, 1, 30, SE_BLOCKED);
	static const struct event ev[] = { { 90 * MS, &a, ACT_WAKE } };
	sim_events(s, ev, 1);
	sim_go(s);
	sim_run(s, 2 * SEC);
	check_accounting(s);
	check_cap_periods(s, &a, 2 * SEC);
	CHECK_EQ(run_in(s, &a, 100 * MS, 200 * MS), 30 * MS);

	/* the same with a competitor and a wake at an odd time */
	s = shared_init(5 * MS);
	sim_add(s, &a, 1, 30, SE_RUNNABLE);
	sim_add(s, &b, 1, 0, SE_RUNNABLE);
	static const struct event ev2[] = {
		{ 213 * MS, &a, ACT_BLOCK },
		{ 387 * MS, &a, ACT_WAKE },
		{ 1013 * MS, &a, ACT_BLOCK },
		{ 1196 * MS, &a, ACT_WAKE },
	};
	sim_events(s, ev2, 4);
	sim_go(s);
	sim_run(s, 3 * SEC);
	check_accounting(s);
	check_cap_periods(s, &a, 3 * SEC);
}

TEST(shared_wake_after_long_sleep_does_not_starve)
{
	static struct sched_entity e[3];
	struct sim *s = shared_init(5 * MS);
	for (unsigned i = 0; i < 3; i++)
		sim_add(s, &e[i], 1, 0, SE_RUNNABLE);
	static const struct event ev[] = {
		{ 1 * SEC, &e[0], ACT_BLOCK },
		{ 6 * SEC, &e[0], ACT_WAKE },
	};
	sim_events(s, ev, 2);
	sim_go(s);
	sim_run(s, 10 * SEC);
	check_accounting(s);
	/* asleep: the other two split the CPU */
	CHECK_EQ(run_in(s, &e[0], 1 * SEC, 6 * SEC), 0);
	CHECK_NEAR(run_in(s, &e[1], 1 * SEC, 6 * SEC), 2500 * MS, 50 * MS);
	CHECK_NEAR(run_in(s, &e[2], 1 * SEC, 6 * SEC), 2500 * MS, 50 * MS);
	/* awake: at most about one slice of catch-up on top of a fair share */
	CHECK(longest_run(s, &e[0], 6 * SEC, 10 * SEC) <= 2 * 5 * MS);
	for (uint64_t w = 30 * MS; w <= 1 * SEC; w += 10 * MS) {
		uint64_t r = run_in(s, &e[0], 6 * SEC, 6 * SEC + w);
		CHECK(r <= w / 3 + 5 * MS + 5 * MS);
	}
	/* the others wait at most the catch-up slice, the waker's fair slice
	 * and one tie it wins on index order, plus each other's slice */
	CHECK(run_in(s, &e[1], 6 * SEC, 6 * SEC + 25 * MS) > 0);
	CHECK(run_in(s, &e[2], 6 * SEC, 6 * SEC + 25 * MS) > 0);
	/* and then all three share fairly */
	for (unsigned i = 0; i < 3; i++)
		CHECK_NEAR(run_in(s, &e[i], 6500 * MS, 10 * SEC), 3500 * MS / 3, 35 * MS);
}

TEST(shared_yield_goes_behind)
{
	static struct sched_entity e[3];
	struct sim *s = shared_init(5 * MS);
	for (unsigned i = 0; i < 3; i++)
		sim_add(s, &e[i], 1, 0, SE_RUNNABLE);
	/* whoever runs yields, at t = 0 and again in the middle of a slice */
	static const struct event ev[] = {
		{ 0, NULL, ACT_YIELD },
		{ 1002 * MS, NULL, ACT_YIELD },
	};
	sim_events(s, ev, 2);
	sim_go(s);
	CHECK(s->cur == &e[0]); /* all equal: the first */
	sim_run(s, 1 * MS);
	/* e[0] yielded at once: e[1] then e[2] run before it again */
	CHECK(s->dec[1].se == &e[1]);
	sim_run(s, 20 * MS);
	CHECK(s->dec[2].se == &e[2]);
	CHECK(s->dec[3].se == &e[0]);

	sim_run(s, 1 * SEC + 1 * MS);
	unsigned before = s->ndec;
	sim_run(s, 1100 * MS);
	struct sched_entity *y = s->yielded;
	CHECK(y != NULL);
	CHECK(s->dec[before].t == 1002 * MS);
	/* both others are picked before the yielder runs again */
	bool seen[3] = { false, false, false };
	unsigned i = before;
	for (; i < s->ndec && s->dec[i].se != y; i++)
		seen[idx(s, s->dec[i].se)] = true;
	CHECK(i < s->ndec);
	for (unsigned k = 0; k < 3; k++)
		CHECK(seen[k] == (&e[k] != y));
	check_accounting(s);
}

TEST(shared_yield_alone_is_no_switch)
{
	static struct sched_entity a;
	struct sim *s = shared_init(5 * MS);
	sim_add(s, &a, 1, 0, SE_RUNNABLE);
	static const struct event ev[] = {
		{ 1 * MS, &a, ACT_YIELD },
		{ 2 * MS, &a, ACT_YIELD },
		{ 3 * MS, &a, ACT_YIELD },
	};
	sim_events(s, ev, 3);
	sim_go(s);
	sim_run(s, 10 * MS);
	CHECK(s->cur == &a);
	check_accounting(s);
	CHECK_EQ(a.switches, 1);
	CHECK_EQ(a.run_ns, 10 * MS);
	CHECK_EQ(s->niv, 1); /* one uninterrupted run */
}

/* Random blocks, wakes and yields: the invariants hold at every point. */
TEST(shared_accounting_scripted)
{
	static struct sched_entity e[4];
	static struct event ev[MAX_EV];
	struct sched_entity *list[4] = { &e[0], &e[1], &e[2], &e[3] };
	rng_state = 42;
	struct sim *s = shared_init(3 * MS);
	sim_add(s, &e[0], 1, 0, SE_RUNNABLE);
	sim_add(s, &e[1], 7, 40, SE_RUNNABLE);
	advance(s, 1234567); /* the others join later */
	sim_add(s, &e[2], 300, 0, SE_BLOCKED);
	sim_add(s, &e[3], 1000, 10, SE_RUNNABLE);
	unsigned n = random_script(ev, MAX_EV, list, 4, s->now, 5 * SEC, 8 * MS, true);
	CHECK(n > 500);
	/* e[2] starts blocked: its first scripted move must be a wake */
	for (unsigned i = 0; i < n; i++)
		if (ev[i].se == &e[2])
			ev[i].act = ev[i].act == ACT_BLOCK ? ACT_WAKE : ACT_BLOCK;
	sim_events(s, ev, n);
	sim_go(s);
	for (uint64_t t = 100 * MS; t <= 5 * SEC; t += 100 * MS) {
		sim_run(s, t);
		check_accounting(s);
	}
	check_cap_periods(s, &e[1], 5 * SEC);
	check_cap_periods(s, &e[3], 5 * SEC);
}

/* ------------------------------------------------------------------ */
/* cyclic                                                              */

static struct sched_entity ca, cb;

/* frame 10 ms: A [0,2), B [2,5), idle [5,10) as a gap or a NULL window */
static struct sim *cyclic_init(uint64_t epoch, bool explicit_idle)
{
	struct sim *s = sim_init(&sched_cyclic, 0);
	s->rq.epoch = epoch;
	s->rq.frame_ns = 10 * MS;
	sim_add(s, &ca, 1, 0, SE_RUNNABLE);
	sim_add(s, &cb, 1, 0, SE_RUNNABLE);
	CHECK_EQ(rq_add_window(&s->rq, 2 * MS, 5 * MS, &cb), 0);
	CHECK_EQ(rq_add_window(&s->rq, 0, 2 * MS, &ca), 0);
	if (explicit_idle)
		CHECK_EQ(rq_add_window(&s->rq, 5 * MS, 10 * MS, NULL), 0);
	return s;
}

static const struct sched_entity *owner_at(const struct sim *s, uint64_t t)
{
	if (t < s->rq.epoch)
		return NULL;
	const struct sched_window *w = rq_window_at(&s->rq, rq_frame_pos(&s->rq, t));
	return w ? w->owner : NULL;
}

/* Every run interval lies inside one window of its owner. */
static void check_confined(const struct sim *s)
{
	for (unsigned i = 0; i < s->niv; i++) {
		const struct interval *v = &s->iv[i];
		CHECK(v->from >= s->rq.epoch);
		uint64_t pos = rq_frame_pos(&s->rq, v->from);
		const struct sched_window *w = rq_window_at(&s->rq, pos);
		if (!w || w->owner != v->se) {
			char m[128];
			snprintf(m, sizeof m, "run at %llu ns outside its window",
				 (unsigned long long)v->from);
			unit_fail(__FILE__, __LINE__, m);
			return;
		}
		if (v->to > v->from - pos + w->end) {
			char m[128];
			snprintf(m, sizeof m, "run [%llu, %llu) ns overruns its window",
				 (unsigned long long)v->from, (unsigned long long)v->to);
			unit_fail(__FILE__, __LINE__, m);
			return;
		}
	}
}

/* Every decision picks the owner of the window it is in (when runnable)
 * and asks again exactly at a window boundary. */
static void check_decisions(const struct sim *s, bool on_time)
{
	for (unsigned i = 0; i < s->ndec; i++) {
		const struct decision *d = &s->dec[i];
		/* the owner, or idle when it was not runnable */
		CHECK(d->se == NULL || d->se == owner_at(s, d->t));
		CHECK(d->until > d->t);
		if (d->t < s->rq.epoch) {
			CHECK_EQ(d->until, s->rq.epoch);
			continue;
		}
		CHECK(d->until - d->t <= s->rq.frame_ns);
		uint64_t p = rq_frame_pos(&s->rq, d->until);
		CHECK(p == 0 || p == 2 * MS || p == 5 * MS);
		if (on_time) {
			/* the next boundary after t, not a later one */
			uint64_t pt = rq_frame_pos(&s->rq, d->t);
			uint64_t next = pt < 2 * MS ? 2 * MS : pt < 5 * MS ? 5 * MS : 10 * MS;
			CHECK_EQ(d->until, d->t - pt + next);
		}
	}
}

TEST(cyclic_windows_confine_owners)
{
	for (int explicit_idle = 0; explicit_idle < 2; explicit_idle++) {
		struct sim *s = cyclic_init(0, explicit_idle);
		sim_go(s);
		sim_run(s, 10 * SEC); /* 1000 frames */
		check_accounting(s);
		check_confined(s);
		check_decisions(s, true);
		CHECK_EQ(ca.run_ns, 1000 * 2 * MS);
		CHECK_EQ(cb.run_ns, 1000 * 3 * MS);
		CHECK_EQ(s->rq.idle_ns, 1000 * 5 * MS);
		CHECK_EQ(ca.switches, 1000);
		CHECK_EQ(cb.switches, 1000);
		/* one jitter entry per window instance, all on time */
		CHECK_EQ(s->rq.late_count, 1000 * (explicit_idle ? 3 : 2));
		CHECK_EQ(s->rq.late_sum, 0);
		CHECK_EQ(s->rq.late_max, 0);
	}
}

TEST(cyclic_block_and_wake)
{
	static const struct event ev[] = {
		/* frame 3: A halts early, an interrupt wakes it in B's window */
		{ 30500 * US, &ca, ACT_BLOCK },
		{ 33 * MS, &ca, ACT_WAKE },
		/* frame 5: B halts and is woken inside its own window */
		{ 53 * MS, &cb, ACT_BLOCK },
		{ 54 * MS, &cb, ACT_WAKE },
		/* frame 7: A the same */
		{ 70500 * US, &ca, ACT_BLOCK },
		{ 71200 * US, &ca, ACT_WAKE },
		/* frame 9: A halts in the gap, wakes in the gap */
		{ 96 * MS, &ca, ACT_BLOCK },
		{ 98 * MS, &ca, ACT_WAKE },
		/* frame 11: B halts in A's window, wakes after its own */
		{ 111 * MS, &cb, ACT_BLOCK },
		{ 119 * MS, &cb, ACT_WAKE },
	};
	struct sim *s = cyclic_init(0, false);
	sim_events(s, ev, sizeof ev / sizeof ev[0]);
	sim_go(s);
	sim_run(s, 200 * MS);
	check_accounting(s);
	check_confined(s);
	check_decisions(s, false);

	CHECK_EQ(run_in(s, &ca, 30 * MS, 40 * MS), 500 * US);
	CHECK_EQ(run_in(s, &cb, 30 * MS, 40 * MS), 3 * MS);
	CHECK_EQ(run_in(s, &ca, 40 * MS, 42 * MS), 2 * MS);  /* back next frame */
	CHECK_EQ(run_in(s, &cb, 50 * MS, 60 * MS), 2 * MS);  /* [52,53) + [54,55) */
	CHECK_EQ(run_in(s, &cb, 54 * MS, 55 * MS), 1 * MS);
	CHECK_EQ(run_in(s, &ca, 70 * MS, 80 * MS), 500 * US + 800 * US);
	CHECK_EQ(run_in(s, &ca, 71200 * US, 72 * MS), 800 * US);
	CHECK_EQ(run_in(s, &ca, 100 * MS, 110 * MS), 2 * MS);
	CHECK_EQ(run_in(s, &cb, 110 * MS, 130 * MS), 3 * MS);  /* frame 12 only */
	CHECK_EQ(run_in(s, &cb, 112 * MS, 115 * MS), 0);
	/* 20 frames, minus what the halts left idle */
	CHECK_EQ(ca.run_ns, 20 * 2 * MS - 1500 * US - 700 * US);
	CHECK_EQ(cb.run_ns, 20 * 3 * MS - 1 * MS - 3 * MS);
	/* wakes inside a window add no jitter entries */
	CHECK_EQ(s->rq.late_count, 20 * 2);
	CHECK_EQ(s->rq.late_max, 0);
	/* one switch-in per window run, two in frames 5 and 7 */
	CHECK_EQ(ca.switches, 20 + 1);
	CHECK_EQ(cb.switches, 20 + 1 - 1);
}

TEST(cyclic_epoch_in_future)
{
	uint64_t epoch = 1 * SEC + 3 * MS; /* not a multiple of the frame */
	struct sim *s = cyclic_init(epoch, false);
	sim_go(s);
	CHECK(s->cur == NULL);
	CHECK_EQ(s->until, epoch);
	CHECK_EQ(rq_frame_pos(&s->rq, 500 * MS), 0);
	sim_run(s, epoch + 1 * SEC);
	check_accounting(s);
	check_confined(s);
	check_decisions(s, true);
	CHECK(s->niv > 0 && s->iv[0].se == &ca && s->iv[0].from == epoch);
	CHECK_EQ(run_in(s, &ca, 0, epoch), 0);
	CHECK_EQ(run_in(s, &cb, 0, epoch), 0);
	CHECK_EQ(ca.run_ns, 100 * 2 * MS);
	CHECK_EQ(cb.run_ns, 100 * 3 * MS);
	CHECK_EQ(s->rq.idle_ns, epoch + 100 * 5 * MS);
	CHECK_EQ(s->rq.late_count, 200);
	CHECK_EQ(rq_frame_pos(&s->rq, epoch + 12 * MS), 2 * MS);
}

TEST(cyclic_add_window_rules)
{
	struct sched_rq rq;
	static struct sched_entity a;
	rq_init(&rq, &sched_cyclic, 0);
	CHECK_EQ(rq_add_window(&rq, 5, 10, &a), 0);
	CHECK_EQ(rq_add_window(&rq, 0, 2, &a), 0);
	CHECK_EQ(rq_add_window(&rq, 2, 5, NULL), 0); /* touching is fine */
	CHECK_EQ(rq.window_count, 3);
	CHECK_EQ(rq.window[0].start, 0);
	CHECK_EQ(rq.window[1].start, 2);
	CHECK_EQ(rq.window[2].start, 5);
	CHECK_EQ(rq_add_window(&rq, 1, 3, &a), -1);   /* over a boundary */
	CHECK_EQ(rq_add_window(&rq, 4, 6, &a), -1);
	CHECK_EQ(rq_add_window(&rq, 0, 2, &a), -1);   /* the same */
	CHECK_EQ(rq_add_window(&rq, 2, 3, &a), -1);   /* same start */
	CHECK_EQ(rq_add_window(&rq, 6, 7, &a), -1);   /* inside */
	CHECK_EQ(rq_add_window(&rq, 0, 20, &a), -1);  /* around all */
	CHECK_EQ(rq_add_window(&rq, 9, 12, &a), -1);  /* over the end */
	CHECK_EQ(rq_add_window(&rq, 12, 12, &a), -1); /* empty */
	CHECK_EQ(rq_add_window(&rq, 13, 12, &a), -1); /* backwards */
	CHECK_EQ(rq.window_count, 3);
	CHECK_EQ(rq_add_window(&rq, 10, 12, &a), 0);

	rq_init(&rq, &sched_cyclic, 0);
	CHECK_EQ(rq_add_window(&rq, 2, 3, &a), 0);
	CHECK_EQ(rq_add_window(&rq, 1, 4, &a), -1);   /* around one */
	/* full */
	rq_init(&rq, &sched_cyclic, 0);
	for (unsigned i = 0; i < SCHED_MAX_WINDOWS; i++)
		CHECK_EQ(rq_add_window(&rq, (SCHED_MAX_WINDOWS - i) * 10, (SCHED_MAX_WINDOWS - i) * 10 + 5, &a), 0);
	CHECK_EQ(rq_add_window(&rq, 1, 2, &a), -1);
	for (unsigned i = 1; i < SCHED_MAX_WINDOWS; i++)
		CHECK(rq.window[i - 1].end <= rq.window[i].start);

	/* rq_window_at */
	rq_init(&rq, &sched_cyclic, 0);
	rq_add_window(&rq, 2, 5, &a);
	CHECK(rq_window_at(&rq, 1) == NULL);
	CHECK(rq_window_at(&rq, 2) == &rq.window[0]);
	CHECK(rq_window_at(&rq, 4) == &rq.window[0]);
	CHECK(rq_window_at(&rq, 5) == NULL);
	/* no frame or no windows: idle without a timer */
	uint64_t until = 1;
	rq_add(&rq, &a, SE_RUNNABLE, 0);
	CHECK(rq_schedule(&rq, 7, &until) == NULL);
	CHECK_EQ(until, 0);
}

/* A timer later than a whole window: that window instance gets no
 * decision and is counted as missed, not hidden. Windows A [0,2) and B
 * [2,5) ms, each decision 3.5 ms late. */
TEST(cyclic_missed_windows)
{
	struct sim *s = cyclic_init(0, false);
	s->late = 3500 * US;
	sim_go(s);
	sim_run(s, 100 * MS);
	check_accounting(s);
	CHECK(s->rq.missed >= 9);
	CHECK(s->rq.missed + s->rq.late_count >= 19 && s->rq.missed + s->rq.late_count <= 21);
}

TEST(cyclic_jitter_late_timer)
{
	for (int explicit_idle = 0; explicit_idle < 2; explicit_idle++) {
		struct sim *s = cyclic_init(0, explicit_idle);
		s->late = 300 * US;
		sim_go(s);
		sim_run(s, 1 * SEC);
		check_accounting(s);
		check_decisions(s, false);
		unsigned per_frame = explicit_idle ? 3 : 2;
		CHECK_EQ(s->rq.late_count, 100 * per_frame);
		CHECK_EQ(s->rq.missed, 0);
		CHECK_EQ(s->rq.late_max, 300 * US);
		/* the very first decision at 0 was on time */
		CHECK_EQ(s->rq.late_sum, (100 * per_frame - 1) * 300 * US);
		/* late timers shift runs by the same amount: only the first
		 * run (decided on time, ended late) is longer */
		CHECK_EQ(ca.run_ns, 100 * 2 * MS + 300 * US);
		CHECK_EQ(cb.run_ns, 100 * 3 * MS);
	}

	/* lateness varies: the maximum and the sum follow */
	struct sim *s = cyclic_init(0, false);
	sim_go(s);
	sim_run(s, 100 * MS);
	CHECK_EQ(s->rq.late_count, 20);
	s->late = 50 * US;
	sim_run(s, 200 * MS);
	s->late = 700 * US;
	sim_run(s, 210 * MS);
	s->late = 0;
	sim_run(s, 300 * MS);
	CHECK_EQ(s->rq.late_count, 60);
	CHECK_EQ(s->rq.late_max, 700 * US);
	/* [100, 200) ms: 20 windows 50 us late; 200 and 202 ms 700 us late
	 * (205.7 is in the gap); on time again from 210 ms */
	CHECK_EQ(s->rq.late_sum, 20 * 50 * US + 2 * 700 * US);
	check_accounting(s);
}

/* Random halts and interrupts: windows still confine, accounting exact. */
TEST(cyclic_accounting_scripted)
{
	static struct event ev[MAX_EV];
	struct sched_entity *list[2] = { &ca, &cb };
	rng_state = 7;
	struct sim *s = cyclic_init(3 * MS, true);
	unsigned n = random_script(ev, MAX_EV, list, 2, 0, 3 * SEC, 3 * MS, false);
	CHECK(n > 500);
	sim_events(s, ev, n);
	sim_go(s);
	for (uint64_t t = 50 * MS; t <= 3 * SEC; t += 50 * MS) {
		sim_run(s, t);
		check_accounting(s);
	}
	check_confined(s);
	check_decisions(s, false);
	CHECK_EQ(s->rq.late_count, 300 * 3);
}
