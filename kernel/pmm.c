/*
 * Bitmap physical frame allocator; see pmm.h for the contract.
 *
 * Bit f of the bitmap (word f / 64, bit f % 64) describes frame f, the 4 KiB at
 * f * 4096. Set = free. Bits past the last frame in the final word stay clear, so
 * they look reserved and no scan ever hands them out.
 *
 * Accounting: added_frames counts the frames in the usable pool. add_range
 * grows it by the frames it frees; reserve_range shrinks it by the free frames
 * it takes back out of the pool. So added_frames - free_frames is always the
 * number of frames handed out and not yet returned.
 */
#include "pmm.h"

#define PMM_WORD_BITS 64ull

enum pmm_op { PMM_SET, PMM_CLEAR, PMM_COUNT };

/* Set bits in x; done by hand because -mgeneral-regs-only builds lack POPCNT
 * and a __builtin_popcountll would become a libgcc call we do not link. */
static uint64_t pmm_popcount(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (x * 0x0101010101010101ull) >> 56;
}

/* Bits [lo, hi) of a word, 0 <= lo < hi <= 64. */
static uint64_t pmm_mask(uint64_t lo, uint64_t hi)
{
	uint64_t upto_hi = hi == PMM_WORD_BITS ? ~0ull : (1ull << hi) - 1;
	return upto_hi & ~((1ull << lo) - 1);
}

static uint64_t pmm_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* base + size, saturating instead of wrapping past the top of the space. */
static uint64_t pmm_end_addr(uint64_t base, uint64_t size)
{
	return base + size < base ? ~0ull : base + size;
}

/* Apply op to the bits of frames [first, end), a word at a time. Returns how
 * many bits changed (SET, CLEAR) or how many were set (COUNT). */
static uint64_t pmm_apply(struct pmm *p, uint64_t first, uint64_t end, enum pmm_op op)
{
	uint64_t n = 0;

	while (first < end) {
		uint64_t lo = first % PMM_WORD_BITS;
		uint64_t hi = pmm_min(PMM_WORD_BITS, lo + (end - first));
		uint64_t m = pmm_mask(lo, hi);
		uint64_t *w = &p->bitmap[first / PMM_WORD_BITS];

		if (op == PMM_SET) {
			n += pmm_popcount(m & ~*w);
			*w |= m;
		} else {
			n += pmm_popcount(m & *w);
			if (op == PMM_CLEAR)
				*w &= ~m;
		}
		first += hi - lo;
	}
	return n;
}

size_t pmm_bitmap_bytes(uint64_t max_pa)
{
	uint64_t frames = max_pa / PMM_PAGE_SIZE;
	return (size_t)((frames + PMM_WORD_BITS - 1) / PMM_WORD_BITS * 8);
}

void pmm_init(struct pmm *p, uint64_t *bitmap, uint64_t max_pa)
{
	size_t words = pmm_bitmap_bytes(max_pa) / 8;

	for (size_t i = 0; i < words; i++)
		bitmap[i] = 0;
	p->bitmap = bitmap;
	p->frames = max_pa / PMM_PAGE_SIZE;
	p->free_frames = 0;
	p->added_frames = 0;
	p->hint = 1;
}

uint64_t pmm_add_range(struct pmm *p, uint64_t base, uint64_t size)
{
	/* Round inwards: a partial frame at either end is not ours to give out. */
	uint64_t first = base / PMM_PAGE_SIZE + (base % PMM_PAGE_SIZE != 0);
	uint64_t end = pmm_min(pmm_end_addr(base, size) / PMM_PAGE_SIZE, p->frames);

	if (first == 0)
		first = 1; /* address 0 doubles as "no frame" */
	if (first >= end)
		return 0;
	uint64_t n = pmm_apply(p, first, end, PMM_SET);
	p->free_frames += n;
	p->added_frames += n;
	return n;
}

uint64_t pmm_reserve_range(struct pmm *p, uint64_t base, uint64_t size)
{
	/* Round outwards: anything touching the range must not be handed out. */
	uint64_t last = pmm_end_addr(base, size);
	uint64_t end = last / PMM_PAGE_SIZE + (last % PMM_PAGE_SIZE != 0);
	uint64_t first = base / PMM_PAGE_SIZE;

	end = pmm_min(end, p->frames);
	if (size == 0 || first >= end)
		return 0;
	uint64_t n = pmm_apply(p, first, end, PMM_CLEAR);
	p->free_frames -= n;
	p->added_frames -= n;
	return n;
}

/* First free frame in [from, end), or end. Whole zero words are skipped. */
static uint64_t pmm_next_free(const struct pmm *p, uint64_t from, uint64_t end)
{
	if (from >= end)
		return end;
	uint64_t i = from / PMM_WORD_BITS;
	uint64_t w = p->bitmap[i] & ~((1ull << (from % PMM_WORD_BITS)) - 1);

	while (w == 0) {
		if (++i * PMM_WORD_BITS >= end)
			return end;
		w = p->bitmap[i];
	}
	return pmm_min(i * PMM_WORD_BITS + (uint64_t)__builtin_ctzll(w), end);
}

/* First non-free frame in [from, end), or end. All-ones words are skipped. */
static uint64_t pmm_next_used(const struct pmm *p, uint64_t from, uint64_t end)
{
	if (from >= end)
		return end;
	uint64_t i = from / PMM_WORD_BITS;
	uint64_t w = ~p->bitmap[i] & ~((1ull << (from % PMM_WORD_BITS)) - 1);

	while (w == 0) {
		if (++i * PMM_WORD_BITS >= end)
			return end;
		w = ~p->bitmap[i];
	}
	return pmm_min(i * PMM_WORD_BITS + (uint64_t)__builtin_ctzll(w), end);
}

/* First frame of `count` free frames starting at a multiple of `align` inside
 * [from, end), or 0 when there is none. */
static uint64_t pmm_find_run(const struct pmm *p, uint64_t from, uint64_t end,
			     uint64_t count, uint64_t align)
{
	while (from < end) {
		uint64_t s = pmm_next_free(p, from, end);
		s = (s + align - 1) & ~(align - 1);
		if (s >= end || end - s < count)
			return 0;
		uint64_t used = pmm_next_used(p, s, s + count);
		if (used == s + count)
			return s;
		from = used + 1; /* no run starting at or before `used` fits */
	}
	return 0;
}

uint64_t pmm_alloc(struct pmm *p, uint64_t count, uint64_t align, uint64_t limit)
{
	if (count == 0 || count > p->frames || align < PMM_PAGE_SIZE || (align & (align - 1)))
		return 0;
	uint64_t af = align / PMM_PAGE_SIZE;
	uint64_t end = limit ? pmm_min(limit / PMM_PAGE_SIZE, p->frames) : p->frames;
	uint64_t hint = p->hint ? p->hint : 1;

	/* From the hint to the end, then once more from the bottom for runs that
	 * start below the hint (and may run across it). */
	uint64_t s = pmm_find_run(p, hint, end, count, af);
	if (s == 0)
		s = pmm_find_run(p, 1, pmm_min(end, hint - 1 + count), count, af);
	if (s == 0)
		return 0;
	pmm_apply(p, s, s + count, PMM_CLEAR);
	p->free_frames -= count;
	p->hint = s + count < p->frames ? s + count : 1;
	return s * PMM_PAGE_SIZE;
}

int pmm_free(struct pmm *p, uint64_t pa, uint64_t count)
{
	uint64_t first = pa / PMM_PAGE_SIZE;

	if (pa % PMM_PAGE_SIZE || first == 0 || first >= p->frames || count > p->frames - first)
		return -1;
	if (pmm_apply(p, first, first + count, PMM_COUNT) != 0)
		return -1; /* double free: part of the range is free already */
	pmm_apply(p, first, first + count, PMM_SET);
	p->free_frames += count;
	return 0;
}

bool pmm_is_free(const struct pmm *p, uint64_t pa)
{
	uint64_t f = pa / PMM_PAGE_SIZE;

	if (f >= p->frames)
		return false;
	return (p->bitmap[f / PMM_WORD_BITS] >> (f % PMM_WORD_BITS)) & 1;
}
