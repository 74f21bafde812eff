// unit-modules: kernel/pmm.c
/* Bitmap frame allocator (kernel/pmm.c) against hand-worked cases and a model. */
#include <stdint.h>
#include <stdlib.h>

#include "../../kernel/pmm.h"
#include "unit.h"

#define KB 1024ull
#define MB (1024 * KB)
#define GB (1024 * MB)
#define PG PMM_PAGE_SIZE

/* Big enough for 8 GiB: 2M frames, 32768 words. */
static uint64_t bitmap[8 * GB / PG / 64];

static void setup(struct pmm *p, uint64_t max_pa)
{
	CHECK(pmm_bitmap_bytes(max_pa) <= sizeof bitmap);
	memset(bitmap, 0xa5, sizeof bitmap); /* pmm_init must clear it */
	pmm_init(p, bitmap, max_pa);
}

TEST(pmm_bitmap_size)
{
	CHECK_EQ(pmm_bitmap_bytes(0), 0);
	CHECK_EQ(pmm_bitmap_bytes(PG - 1), 0);
	CHECK_EQ(pmm_bitmap_bytes(PG), 8);
	CHECK_EQ(pmm_bitmap_bytes(64 * PG), 8);
	CHECK_EQ(pmm_bitmap_bytes(65 * PG), 16);
	CHECK_EQ(pmm_bitmap_bytes(4 * GB), 128 * KB);
}

TEST(pmm_starts_reserved)
{
	struct pmm p;
	setup(&p, 1 * GB);
	CHECK_EQ(p.frames, GB / PG);
	CHECK_EQ(p.free_frames, 0);
	CHECK_EQ(p.added_frames, 0);
	CHECK(!pmm_is_free(&p, 0x100000));
	CHECK_EQ(pmm_alloc(&p, 1, PG, 0), 0);
}

TEST(pmm_add_rounds_inwards_and_skips_frame0)
{
	struct pmm p;
	setup(&p, 1 * MB);
	/* 0x1800..0x4800: frames 2 and 3 are whole, 1 and 4 partial. */
	CHECK_EQ(pmm_add_range(&p, 0x1800, 0x3000), 2);
	CHECK(!pmm_is_free(&p, 0x1000));
	CHECK(pmm_is_free(&p, 0x2000));
	CHECK(pmm_is_free(&p, 0x3fff));
	CHECK(!pmm_is_free(&p, 0x4000));
	/* Overlap only counts what is new; frame 0 is never added. */
	CHECK_EQ(pmm_add_range(&p, 0, 0x10000), 16 - 1 - 2);
	CHECK(!pmm_is_free(&p, 0));
	CHECK_EQ(p.free_frames, 15);
	CHECK_EQ(p.added_frames, 15);
	/* Smaller than a frame, or empty: nothing. */
	CHECK_EQ(pmm_add_range(&p, 0x20001, 0xfff), 0);
	CHECK_EQ(pmm_add_range(&p, 0x20000, 0), 0);
	/* Clipped at max_pa, even when base + size would wrap. */
	CHECK_EQ(pmm_add_range(&p, 0xff000, ~0ull), 1);
	CHECK_EQ(pmm_add_range(&p, 2 * MB, 4 * MB), 0);
	CHECK(!pmm_is_free(&p, 1 * MB));
	CHECK_EQ(p.free_frames, 16);
}

TEST(pmm_reserve_rounds_outwards)
{
	struct pmm p;
	setup(&p, 1 * MB);
	CHECK_EQ(pmm_add_range(&p, 0, 1 * MB), 255);
	/* 0x2800..0x3801 touches frames 2, 3. */
	CHECK_EQ(pmm_reserve_range(&p, 0x2800, 0x1001), 2);
	CHECK(pmm_is_free(&p, 0x1000));
	CHECK(!pmm_is_free(&p, 0x2000));
	CHECK(!pmm_is_free(&p, 0x3000));
	CHECK(pmm_is_free(&p, 0x4000));
	CHECK_EQ(pmm_reserve_range(&p, 0x2000, 0x2000), 0); /* already reserved */
	CHECK_EQ(pmm_reserve_range(&p, 0x5000, 0), 0);
	CHECK_EQ(p.free_frames, 253);
	CHECK_EQ(p.added_frames, 253);
	/* Allocated frames are not free: reserving them takes nothing. */
	uint64_t a = pmm_alloc(&p, 4, PG, 0);
	CHECK(a != 0);
	CHECK_EQ(pmm_reserve_range(&p, a, 4 * PG), 0);
	CHECK_EQ(p.added_frames - p.free_frames, 4);
	/* Past max_pa and wrapping sizes are clipped. */
	CHECK_EQ(pmm_reserve_range(&p, 0xff000, ~0ull), 1);
	CHECK_EQ(pmm_reserve_range(&p, 4 * MB, MB), 0);
	/* Re-adding a reserved range brings it back into the pool. */
	CHECK_EQ(pmm_add_range(&p, 0x2000, 0x2000), 2);
	CHECK_EQ(p.added_frames, 254);
	CHECK_EQ(p.added_frames - p.free_frames, 4);
}

TEST(pmm_frame0_never_handed_out)
{
	struct pmm p;
	uint64_t n = 0, a;
	setup(&p, 300 * PG);
	pmm_add_range(&p, 0, 300 * PG);
	while ((a = pmm_alloc(&p, 1, PG, 0)) != 0) {
		CHECK(a % PG == 0 && a < 300 * PG);
		n++;
	}
	CHECK_EQ(n, 299);
	CHECK_EQ(p.free_frames, 0);
	CHECK_EQ(pmm_free(&p, 0, 1), -1); /* frame 0 can't be freed into the pool */
	CHECK(!pmm_is_free(&p, 0));
}

TEST(pmm_align_and_limit)
{
	struct pmm p;
	setup(&p, 8 * GB);
	pmm_add_range(&p, 1 * MB, 8 * GB);
	pmm_reserve_range(&p, 4 * GB - 3 * MB, 3 * MB);
	p.hint = (6 * GB) / PG; /* start the search high; the limit must win */
	uint64_t a = pmm_alloc(&p, 512, 2 * MB, 4 * GB);
	CHECK(a != 0);
	CHECK_EQ(a % (2 * MB), 0);
	CHECK(a + 2 * MB <= 4 * GB);
	/* 1 GiB aligned, anywhere. */
	uint64_t b = pmm_alloc(&p, 3, 1 * GB, 0);
	CHECK(b != 0 && b % GB == 0);
	/* Limit that covers exactly what is left below it. */
	uint64_t c = pmm_alloc(&p, 256, PG, 2 * MB);
	CHECK_EQ(c, 1 * MB);
	CHECK_EQ(pmm_alloc(&p, 1, PG, 2 * MB), 0);
	CHECK_EQ(pmm_alloc(&p, 1, PG, 1 * MB + PG - 1), 0);
	/* 4 GiB alignment: frame 0 is never free, so 4 GiB itself. */
	CHECK_EQ(pmm_alloc(&p, 1, 4 * GB, 0), 4 * GB);
	/* The reserved 3 MiB below 4 GiB leave no 2 MiB run ending there. */
	p.hint = (4 * GB - 4 * MB) / PG;
	uint64_t d = pmm_alloc(&p, 512, 2 * MB, 0);
	CHECK_EQ(d, 4 * GB + 2 * MB);
	CHECK_EQ(p.added_frames - p.free_frames, 512 + 3 + 256 + 1 + 512);
}

TEST(pmm_bad_arguments)
{
	struct pmm p;
	setup(&p, 1 * MB);
	pmm_add_range(&p, 0, 1 * MB);
	CHECK_EQ(pmm_alloc(&p, 0, PG, 0), 0);
	CHECK_EQ(pmm_alloc(&p, 1, 0, 0), 0);
	CHECK_EQ(pmm_alloc(&p, 1, 2048, 0), 0);
	CHECK_EQ(pmm_alloc(&p, 1, 3 * PG, 0), 0);
	CHECK_EQ(pmm_alloc(&p, 1, PG + 1, 0), 0);
	CHECK_EQ(pmm_alloc(&p, ~0ull, PG, 0), 0);
	CHECK_EQ(pmm_alloc(&p, 256, PG, 0), 0); /* one more than there is */
	CHECK_EQ(pmm_alloc(&p, 1, 1ull << 63, 0), 0);
	CHECK_EQ(p.free_frames, 255);
}

TEST(pmm_exhaustion)
{
	struct pmm p;
	setup(&p, 1 * MB);
	pmm_add_range(&p, 0, 1 * MB);
	CHECK_EQ(pmm_alloc(&p, 255, PG, 0), PG);
	CHECK_EQ(p.free_frames, 0);
	CHECK_EQ(pmm_alloc(&p, 1, PG, 0), 0);
	CHECK_EQ(pmm_free(&p, 10 * PG, 1), 0);
	CHECK_EQ(pmm_alloc(&p, 2, PG, 0), 0);
	CHECK_EQ(pmm_alloc(&p, 1, PG, 0), 10 * PG);
}

TEST(pmm_double_free_detected)
{
	struct pmm p;
	setup(&p, 1 * MB);
	pmm_add_range(&p, 0, 1 * MB);
	uint64_t a = pmm_alloc(&p, 4, PG, 0);
	uint64_t b = pmm_alloc(&p, 4, PG, 0);
	CHECK_EQ(b, a + 4 * PG);
	CHECK_EQ(pmm_free(&p, a, 4), 0);
	CHECK_EQ(p.free_frames, 255 - 4);
	CHECK_EQ(pmm_free(&p, a, 4), -1);
	CHECK_EQ(pmm_free(&p, a + 3 * PG, 1), -1);
	/* Straddles the freed run and the live one: nothing may change. */
	CHECK_EQ(pmm_free(&p, a + 2 * PG, 4), -1);
	CHECK(!pmm_is_free(&p, b));
	CHECK(!pmm_is_free(&p, b + PG));
	CHECK_EQ(p.free_frames, 255 - 4);
	/* Outside the bitmap, unaligned, or at 0. */
	CHECK_EQ(pmm_free(&p, 1 * MB, 1), -1);
	CHECK_EQ(pmm_free(&p, 1 * MB - PG, 2), -1);
	CHECK_EQ(pmm_free(&p, b, ~0ull), -1);
	CHECK_EQ(pmm_free(&p, b + 1, 1), -1);
	CHECK_EQ(pmm_free(&p, 0, 1), -1);
	CHECK(!pmm_is_free(&p, b));
	CHECK_EQ(pmm_free(&p, b, 4), 0);
	CHECK_EQ(p.free_frames, 255);
	CHECK_EQ(p.added_frames, 255);
}

TEST(pmm_free_then_realloc_and_wrap)
{
	struct pmm p;
	setup(&p, 1 * MB);
	pmm_add_range(&p, PG, 8 * PG); /* frames 1..8 */
	for (uint64_t f = 1; f <= 8; f++)
		CHECK_EQ(pmm_alloc(&p, 1, PG, 0), f * PG);
	CHECK_EQ(pmm_free(&p, 3 * PG, 1), 0);
	CHECK_EQ(pmm_alloc(&p, 1, PG, 0), 3 * PG); /* hint is past the end: wraps */
	CHECK_EQ(p.hint, 4);
	CHECK_EQ(pmm_free(&p, 1 * PG, 2), 0);
	CHECK_EQ(pmm_free(&p, 7 * PG, 1), 0);
	CHECK_EQ(pmm_alloc(&p, 1, PG, 0), 7 * PG); /* from the hint first */
	CHECK_EQ(pmm_alloc(&p, 2, PG, 0), 1 * PG); /* then from the bottom */
}

TEST(pmm_wrap_finds_run_across_hint)
{
	struct pmm p;
	setup(&p, 1 * MB);
	pmm_add_range(&p, PG, 4 * PG); /* frames 1..4 */
	p.hint = 3; /* only 3, 4 lie at or after the hint */
	CHECK_EQ(pmm_alloc(&p, 4, PG, 0), PG);
	CHECK_EQ(p.hint, 5);
	CHECK_EQ(p.free_frames, 0);
}

TEST(pmm_odd_frame_count)
{
	struct pmm p;
	uint64_t n = 0, a, max_pa = 100 * PG + 123; /* 100 frames, not a multiple of 64 */
	setup(&p, max_pa);
	CHECK_EQ(p.frames, 100);
	CHECK_EQ(pmm_add_range(&p, 0, ~0ull), 99);
	CHECK(!pmm_is_free(&p, 100 * PG));
	while ((a = pmm_alloc(&p, 1, PG, 0)) != 0) {
		CHECK(a < 100 * PG);
		n++;
	}
	CHECK_EQ(n, 99);
	CHECK_EQ(pmm_free(&p, 99 * PG, 2), -1);
	CHECK_EQ(pmm_free(&p, 99 * PG, 1), 0);
	CHECK_EQ(pmm_alloc(&p, 1, 64 * PG, 0), 0); /* 64 and 0 are taken, 128 is out */
	CHECK_EQ(pmm_alloc(&p, 1, PG, 0), 99 * PG);
}

TEST(pmm_sparse_large_bitmap)
{
	struct pmm p;
	setup(&p, 8 * GB);
	CHECK_EQ(pmm_add_range(&p, 8 * GB - 2 * PG, PG), 1);
	CHECK_EQ(pmm_alloc(&p, 1, PG, 0), 8 * GB - 2 * PG);
	CHECK_EQ(pmm_alloc(&p, 1, PG, 0), 0);
}

/* ---- randomized cross-check against one bool per frame ---- */

#define MODEL_FRAMES 1000
static bool model[MODEL_FRAMES];
static uint64_t model_added;
static int model_allocs, model_frees; /* successes, to show the ops did work */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static uint64_t model_free_count(void)
{
	uint64_t n = 0;
	for (int i = 0; i < MODEL_FRAMES; i++)
		n += model[i];
	return n;
}

static bool model_run_free(uint64_t first, uint64_t count)
{
	for (uint64_t f = first; f < first + count; f++)
		if (!model[f])
			return false;
	return true;
}

/* Whether any valid run exists, the way the allocator is specified. */
static bool model_can_alloc(uint64_t count, uint64_t af, uint64_t end)
{
	for (uint64_t s = af; s + count <= end; s += af)
		if (model_run_free(s, count))
			return true;
	return false;
}

static void random_add(struct pmm *p)
{
	uint64_t base = rnd(MODEL_FRAMES * PG + PG), size = rnd(64 * PG);
	uint64_t first = (base + PG - 1) / PG, end = (base + size) / PG, n = 0;
	for (uint64_t f = first ? first : 1; f < end && f < MODEL_FRAMES; f++) {
		n += !model[f];
		model[f] = true;
	}
	model_added += n;
	CHECK_EQ(pmm_add_range(p, base, size), n);
}

static void random_reserve(struct pmm *p)
{
	uint64_t base = rnd(MODEL_FRAMES * PG + PG), size = rnd(16 * PG);
	uint64_t first = base / PG, end = (base + size + PG - 1) / PG, n = 0;
	for (uint64_t f = first; size && f < end && f < MODEL_FRAMES; f++) {
		n += model[f];
		model[f] = false;
	}
	model_added -= n;
	CHECK_EQ(pmm_reserve_range(p, base, size), n);
}

static void random_alloc(struct pmm *p)
{
	uint64_t count = 1 + rnd(8), af = 1ull << rnd(4);
	uint64_t limit = rnd(3) ? 0 : rnd(MODEL_FRAMES + 10) * PG;
	uint64_t end = limit && limit / PG < MODEL_FRAMES ? limit / PG : MODEL_FRAMES;
	uint64_t a = pmm_alloc(p, count, af * PG, limit);
	if (!a) {
		CHECK(!model_can_alloc(count, af, end));
		return;
	}
	uint64_t f = a / PG;
	if (a % (af * PG) != 0 || f == 0 || f + count > end) {
		CHECK(!"allocation misaligned, at 0 or past the limit");
		return;
	}
	CHECK(model_run_free(f, count));
	model_allocs++;
	for (uint64_t i = f; i < f + count; i++)
		model[i] = false;
}

static void random_free(struct pmm *p)
{
	uint64_t first = rnd(MODEL_FRAMES + 4), count = 1 + rnd(6);
	bool ok = first != 0 && first + count <= MODEL_FRAMES;
	for (uint64_t f = first; ok && f < first + count; f++)
		ok = !model[f];
	CHECK_EQ(pmm_free(p, first * PG, count), ok ? 0 : -1);
	for (uint64_t f = first; ok && f < first + count; f++)
		model[f] = true;
	model_frees += ok;
}

static void model_compare(const struct pmm *p)
{
	for (uint64_t f = 0; f < MODEL_FRAMES + 70; f++)
		CHECK_EQ(pmm_is_free(p, f * PG), f < MODEL_FRAMES && model[f]);
}

TEST(pmm_random_vs_model)
{
	struct pmm p;
	setup(&p, MODEL_FRAMES * PG + 700);
	for (int op = 0; op < 20000 && !unit_current_failed; op++) {
		switch (rnd(10)) {
		case 0: case 1: random_add(&p); break;
		case 2: random_reserve(&p); break;
		case 3: case 4: case 5: random_free(&p); break;
		default: random_alloc(&p); break;
		}
		CHECK_EQ(p.free_frames, model_free_count());
		CHECK_EQ(p.added_frames, model_added);
		if (op % 256 == 0)
			model_compare(&p);
	}
	model_compare(&p);
	printf("  %d allocations, %d frees succeeded\n", model_allocs, model_frees);
	CHECK(model_allocs > 2000 && model_frees > 500);
}
