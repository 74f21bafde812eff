// unit-modules: kernel/paging.c
/* Generic page-table builder (kernel/paging.c) with the x86-64, EPT and NPT
 * formats, run against fake physical memory. */
#include <stdint.h>
#include <stdlib.h>

#include "../../kernel/paging.h"
#include "unit.h"

#define KB (1024ull)
#define MB (1024 * KB)
#define GB (1024 * MB)

#define X86_P   (1ull << 0)
#define X86_RW  (1ull << 1)
#define X86_US  (1ull << 2)
#define X86_PWT (1ull << 3)
#define X86_PCD (1ull << 4)
#define X86_PS  (1ull << 7)
#define X86_NX  (1ull << 63)

/* EPT entry bits (SDM Vol. 3C 29.3.2, Tables 29-1..29-6). */
#define EPT_R     (1ull << 0)
#define EPT_W     (1ull << 1)
#define EPT_X     (1ull << 2)
#define EPT_UC    (0ull << 3)
#define EPT_WB    (6ull << 3)
#define EPT_IPAT  (1ull << 6)
#define EPT_LARGE (1ull << 7)

/* ---- fake physical memory: table pages at FAKE_BASE + i * 4 KiB ---- */

#define FAKE_PAGES 64
#define FAKE_BASE  0x7ff00000ull /* nonzero and unlike any test mapping */

static uint64_t fake_mem[FAKE_PAGES][512] __attribute__((aligned(4096)));
static int fake_used;
static int fake_fail_after = -1; /* allocations allowed before failing; -1 = no limit */
static int fake_freed[FAKE_PAGES];  /* pt_destroy's free_table calls per page  */
static int fake_free_order[FAKE_PAGES];
static int fake_free_calls;

static uint64_t fake_alloc(void *ctx)
{
	(void)ctx;
	if (fake_used == FAKE_PAGES || (fake_fail_after >= 0 && fake_used >= fake_fail_after))
		return 0;
	memset(fake_mem[fake_used], 0, sizeof fake_mem[0]);
	return FAKE_BASE + 4096ull * fake_used++;
}

static void *fake_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	uint64_t i = (pa - FAKE_BASE) / 4096;
	if (pa < FAKE_BASE || pa % 4096 || i >= (uint64_t)fake_used) {
		unit_fail(__FILE__, __LINE__, "phys_to_virt of a page never handed out");
		abort();
	}
	return fake_mem[i];
}

static const struct pt_env fake_env = { fake_alloc, fake_virt, NULL };

static void fake_free(void *ctx, uint64_t pa)
{
	uint64_t i = (pa - FAKE_BASE) / 4096;
	CHECK(ctx == NULL);
	if (pa < FAKE_BASE || pa % 4096 || i >= (uint64_t)fake_used) {
		unit_fail(__FILE__, __LINE__, "free_table of a page never handed out");
		return;
	}
	fake_freed[i]++;
	if (fake_free_calls < FAKE_PAGES)
		fake_free_order[fake_free_calls] = (int)i;
	fake_free_calls++;
}

static void fresh(struct page_table *pt, const struct pt_format *fmt)
{
	fake_used = 0;
	fake_fail_after = -1;
	fake_free_calls = 0;
	memset(fake_freed, 0, sizeof fake_freed);
	CHECK_EQ(pt_init(pt, fmt, &fake_env), 0);
	CHECK_EQ(fake_used, 1);
}

/* Raw entry for va at `level`, walked by hand; 0 when a table above is missing
 * or a leaf sits above `level`. Presence and page size come from the format:
 * any of bits 0..2 for EPT, P for the others; bit 7 is PS / large in all. */
static uint64_t raw(const struct page_table *pt, uint64_t va, int level)
{
	uint64_t present = pt->fmt == &pt_format_ept ? EPT_R | EPT_W | EPT_X : X86_P;
	uint64_t table = pt->root;
	for (int l = 4; ; l--) {
		uint64_t e = ((uint64_t *)fake_virt(NULL, table))[(va >> (12 + 9 * (l - 1))) & 511];
		if (l == level)
			return e;
		if (!(e & present) || (l <= 3 && (e & X86_PS)))
			return 0;
		table = e & 0x000ffffffffff000ull;
	}
}

/* Check that va translates to pa with the given flags and page size. */
#define LOOKS_UP(pt, va, want_pa, want_flags, want_size)                   \
	do {                                                               \
		uint64_t _pa = 0, _sz = 0;                                 \
		unsigned _fl = 0;                                          \
		CHECK_EQ(pt_lookup(pt, va, &_pa, &_fl, &_sz), 0);          \
		CHECK_EQ(_pa, want_pa);                                    \
		CHECK_EQ(_fl, want_flags);                                 \
		CHECK_EQ(_sz, want_size);                                  \
	} while (0)

static int unmapped(const struct page_table *pt, uint64_t va)
{
	uint64_t pa, sz;
	unsigned fl;
	return pt_lookup(pt, va, &pa, &fl, &sz) == -1;
}

/* ---- leaf recording for pt_for_each_leaf ---- */

struct leaf { uint64_t va, pa, size; unsigned flags; };

struct leaves {
	struct leaf l[2048];
	int n, count4k, count2m, count1g;
	bool ordered;
};

static int record(void *arg, uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	struct leaves *s = arg;
	if (s->n && va < s->l[s->n - 1].va + s->l[s->n - 1].size)
		s->ordered = false;
	if (s->n < 2048)
		s->l[s->n] = (struct leaf){ va, pa, size, flags };
	s->n++;
	s->count4k += size == PT_SIZE_4K;
	s->count2m += size == PT_SIZE_2M;
	s->count1g += size == PT_SIZE_1G;
	return 0;
}

static struct leaves *collect(const struct page_table *pt)
{
	static struct leaves s;
	memset(&s, 0, sizeof s);
	s.ordered = true;
	CHECK_EQ(pt_for_each_leaf(pt, record, &s), 0);
	CHECK(s.ordered);
	return &s;
}

#define RW (PT_READ | PT_WRITE)
#define RX (PT_READ | PT_EXEC)

/* ---- tests ---- */

TEST(x86_leaf_encoding)
{
	const struct pt_format *f = &pt_format_x86;
	CHECK_EQ(f->leaf_bits(0), 0);
	CHECK_EQ(f->leaf_bits(PT_READ), X86_P | X86_NX);
	CHECK_EQ(f->leaf_bits(RW), X86_P | X86_RW | X86_NX);
	CHECK_EQ(f->leaf_bits(RX), X86_P);
	CHECK_EQ(f->leaf_bits(PT_EXEC), X86_P);
	CHECK_EQ(f->leaf_bits(PT_WRITE | PT_USER | PT_UC), X86_P | X86_RW | X86_US | X86_PWT | X86_PCD | X86_NX);
	CHECK_EQ(f->table_bits, X86_P | X86_RW | X86_US);
	CHECK_EQ(f->large, X86_PS);
	/* Every combination that includes READ decodes back to itself. */
	for (unsigned fl = 0; fl < 32; fl++)
		if (fl & PT_READ)
			CHECK_EQ(f->leaf_flags(f->leaf_bits(fl)), fl);
	CHECK_EQ(f->leaf_flags(0), 0);
	CHECK_EQ(f->leaf_flags(X86_RW | X86_NX), 0); /* not present */
	CHECK_EQ(f->leaf_flags(X86_P | X86_PS | X86_PCD), PT_READ | PT_EXEC); /* PCD alone: not UC */
}

TEST(identity_4g_uses_1g_leaves)
{
	struct page_table pt;
	fresh(&pt, &pt_format_x86);
	CHECK_EQ(pt_map(&pt, 0, 0, 4 * GB, RW), 0);
	CHECK_EQ(fake_used, 2); /* PML4 + one PDPT */
	struct leaves *s = collect(&pt);
	CHECK_EQ(s->n, 4);
	CHECK_EQ(s->count1g, 4);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(s->l[i].va, i * GB);
		CHECK_EQ(s->l[i].pa, i * GB);
		CHECK_EQ(s->l[i].flags, RW);
	}
	LOOKS_UP(&pt, 0x12345678, 0x12345678, RW, PT_SIZE_1G);
	LOOKS_UP(&pt, 4 * GB - 1, 4 * GB - 1, RW, PT_SIZE_1G);
	CHECK(unmapped(&pt, 4 * GB));
	CHECK_EQ(raw(&pt, 3 * GB, 3), 3 * GB | X86_P | X86_RW | X86_PS | X86_NX);
	CHECK_EQ(raw(&pt, 0, 4), (FAKE_BASE + 4096) | X86_P | X86_RW | X86_US);
}

TEST(identity_4g_without_1g_uses_2m_leaves)
{
	struct pt_format no1g = pt_format_x86;
	struct page_table pt;
	no1g.large_1g = false;
	fresh(&pt, &no1g);
	CHECK_EQ(pt_map(&pt, 0, 0, 4 * GB, RW), 0);
	CHECK_EQ(fake_used, 1 + 1 + 4);
	struct leaves *s = collect(&pt);
	CHECK_EQ(s->n, 2048);
	CHECK_EQ(s->count2m, 2048);
	LOOKS_UP(&pt, 3 * GB + 5 * MB + 7, 3 * GB + 5 * MB + 7, RW, PT_SIZE_2M);
}

TEST(unaligned_range_mixes_page_sizes)
{
	struct page_table pt;
	uint64_t va = GB - 2 * MB - 2 * PT_SIZE_4K;
	uint64_t size = 2 * PT_SIZE_4K + 2 * MB + GB + 2 * MB + 3 * PT_SIZE_4K;
	fresh(&pt, &pt_format_x86);
	CHECK_EQ(pt_map(&pt, va, va, size, RX), 0);
	struct leaf want[] = {
		{ GB - 2 * MB - 8 * KB, 0, PT_SIZE_4K, RX },
		{ GB - 2 * MB - 4 * KB, 0, PT_SIZE_4K, RX },
		{ GB - 2 * MB, 0, PT_SIZE_2M, RX },
		{ GB, 0, PT_SIZE_1G, RX },
		{ 2 * GB, 0, PT_SIZE_2M, RX },
		{ 2 * GB + 2 * MB, 0, PT_SIZE_4K, RX },
		{ 2 * GB + 2 * MB + 4 * KB, 0, PT_SIZE_4K, RX },
		{ 2 * GB + 2 * MB + 8 * KB, 0, PT_SIZE_4K, RX },
	};
	struct leaves *s = collect(&pt);
	CHECK_EQ(s->n, 8);
	for (int i = 0; i < 8 && i < s->n; i++) {
		CHECK_EQ(s->l[i].va, want[i].va);
		CHECK_EQ(s->l[i].pa, want[i].va);
		CHECK_EQ(s->l[i].size, want[i].size);
		CHECK_EQ(s->l[i].flags, RX);
	}
	/* PML4, PDPT, PD+PT below 1 GiB, PD+PT above 2 GiB. */
	CHECK_EQ(fake_used, 6);
}

TEST(pa_alignment_limits_page_size)
{
	struct page_table pt;
	fresh(&pt, &pt_format_x86);
	/* va 1 GiB aligned, pa only 2 MiB aligned: no 1 GiB leaf possible. */
	CHECK_EQ(pt_map(&pt, GB, 6 * MB, GB, RW), 0);
	struct leaves *s = collect(&pt);
	CHECK_EQ(s->count2m, 512);
	CHECK_EQ(s->n, 512);
	LOOKS_UP(&pt, GB + 3 * MB + 5, 9 * MB + 5, RW, PT_SIZE_2M);
	/* pa only 4 KiB aligned: 4 KiB leaves throughout. */
	fresh(&pt, &pt_format_x86);
	CHECK_EQ(pt_map(&pt, 4 * MB, 4 * MB + 0x1000, 4 * MB, RW), 0);
	s = collect(&pt);
	CHECK_EQ(s->count4k, 1024);
	CHECK_EQ(s->n, 1024);
	LOOKS_UP(&pt, 6 * MB + 0x10, 6 * MB + 0x1010, RW, PT_SIZE_4K);
}

TEST(lookup_various_addresses)
{
	struct page_table pt;
	uint64_t hi = 0xffffffff80000000ull;
	fresh(&pt, &pt_format_x86);
	CHECK_EQ(pt_map(&pt, 0x200000, 0x5000000, 0x3000, PT_READ), 0);
	CHECK_EQ(pt_map(&pt, hi, 0x1000000, 2 * MB, RX), 0);
	LOOKS_UP(&pt, 0x200000, 0x5000000, PT_READ, PT_SIZE_4K);
	LOOKS_UP(&pt, 0x202fff, 0x5002fff, PT_READ, PT_SIZE_4K);
	LOOKS_UP(&pt, hi + 0x123456, 0x1123456, RX, PT_SIZE_2M);
	CHECK(unmapped(&pt, 0x203000));
	CHECK(unmapped(&pt, 0x1ff000));
	CHECK(unmapped(&pt, 0));
	CHECK(unmapped(&pt, hi - 1));
	CHECK(unmapped(&pt, 0x0000ffff80000000ull)); /* non-canonical alias of hi */
	/* Leaves come out canonical and in ascending order: lower half first. */
	struct leaves *s = collect(&pt);
	CHECK_EQ(s->n, 4);
	CHECK_EQ(s->l[3].va, hi);
	CHECK_EQ(s->l[3].pa, 0x1000000);
	CHECK_EQ(s->l[3].size, PT_SIZE_2M);
}

TEST(remap_inside_1g_splits_and_keeps_neighbours)
{
	struct page_table pt;
	unsigned old = RW | PT_USER | PT_UC;
	fresh(&pt, &pt_format_x86);
	CHECK_EQ(pt_map(&pt, 0, 2 * GB, GB, old), 0);
	CHECK_EQ(fake_used, 2);
	CHECK_EQ(pt_map(&pt, 0x12345000, 0x99999000, PT_SIZE_4K, RX), 0);
	CHECK_EQ(fake_used, 4); /* one PD from the 1 GiB split, one PT from the 2 MiB */
	LOOKS_UP(&pt, 0x12345abc, 0x99999abc, RX, PT_SIZE_4K);
	LOOKS_UP(&pt, 0x12344fff, 2 * GB + 0x12344fff, old, PT_SIZE_4K);
	LOOKS_UP(&pt, 0x12346000, 2 * GB + 0x12346000, old, PT_SIZE_4K);
	LOOKS_UP(&pt, 0x12200000, 2 * GB + 0x12200000, old, PT_SIZE_4K);
	LOOKS_UP(&pt, 0x123fffff, 2 * GB + 0x123fffff, old, PT_SIZE_4K);
	LOOKS_UP(&pt, 0x12400000, 2 * GB + 0x12400000, old, PT_SIZE_2M);
	LOOKS_UP(&pt, 0, 2 * GB, old, PT_SIZE_2M);
	LOOKS_UP(&pt, GB - 1, 3 * GB - 1, old, PT_SIZE_2M);
	struct leaves *s = collect(&pt);
	CHECK_EQ(s->count2m, 511);
	CHECK_EQ(s->count4k, 512);
	CHECK_EQ(s->n, 1023);
	/* The split entries are ordinary tables; the new 4 KiB leaf has no PS. */
	CHECK_EQ(raw(&pt, 0x12345000, 3), (FAKE_BASE + 2 * 4096) | X86_P | X86_RW | X86_US);
	CHECK_EQ(raw(&pt, 0x12345000, 1), 0x99999000 | X86_P);
	CHECK_EQ(raw(&pt, 0x12344000, 1), (2 * GB + 0x12344000) | X86_P | X86_RW | X86_US |
					   X86_PWT | X86_PCD | X86_NX);
	CHECK_EQ(raw(&pt, 0x12400000, 2), (2 * GB + 0x12400000) | X86_P | X86_RW | X86_US |
					   X86_PWT | X86_PCD | X86_PS | X86_NX);
}

TEST(large_leaf_replaces_table)
{
	struct page_table pt;
	fresh(&pt, &pt_format_x86);
	CHECK_EQ(pt_map(&pt, 4 * MB, 4 * MB, 64 * KB, RW), 0);
	CHECK_EQ(fake_used, 4);
	CHECK_EQ(pt_map(&pt, 4 * MB, 8 * MB, 2 * MB, RX), 0);
	CHECK_EQ(fake_used, 4); /* the old PT is dropped, not reused or freed */
	CHECK_EQ(raw(&pt, 4 * MB, 2), 8 * MB | X86_P | X86_PS);
	LOOKS_UP(&pt, 4 * MB + 0x1234, 8 * MB + 0x1234, RX, PT_SIZE_2M);
	CHECK_EQ(collect(&pt)->n, 1);
	/* And a 1 GiB leaf over a directory with tables beneath. */
	CHECK_EQ(pt_map(&pt, 0, 0, GB, PT_READ), 0);
	CHECK_EQ(raw(&pt, 0, 3), X86_P | X86_PS | X86_NX);
	CHECK_EQ(collect(&pt)->n, 1);
}

struct wx { int found; uint64_t va; };

static int find_wx(void *arg, uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	struct wx *w = arg;
	(void)pa;
	(void)size;
	if ((flags & PT_WRITE) && (flags & PT_EXEC)) {
		w->found++;
		w->va = va;
	}
	return 0;
}

static int stop_at_second(void *arg, uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	int *calls = arg;
	(void)va, (void)pa, (void)size, (void)flags;
	return ++*calls == 2 ? 42 : 0;
}

TEST(wx_iteration)
{
	struct page_table pt;
	struct wx w = { 0, 0 };
	fresh(&pt, &pt_format_x86);
	CHECK_EQ(pt_map(&pt, 0x100000, 0x100000, 0x5000, RX), 0);      /* text   */
	CHECK_EQ(pt_map(&pt, 0x105000, 0x105000, 0x2000, PT_READ), 0); /* rodata */
	CHECK_EQ(pt_map(&pt, 0x107000, 0x107000, 0x2fc000, RW), 0);    /* data   */
	CHECK_EQ(pt_for_each_leaf(&pt, find_wx, &w), 0);
	CHECK_EQ(w.found, 0);
	CHECK_EQ(raw(&pt, 0x100000, 1) & X86_NX, 0);
	CHECK_EQ(raw(&pt, 0x105000, 1) & (X86_NX | X86_RW), X86_NX);
	CHECK_EQ(raw(&pt, 0x107000, 1) & (X86_NX | X86_RW), X86_NX | X86_RW);
	CHECK_EQ(raw(&pt, 0x200000, 2) & (X86_NX | X86_RW | X86_PS), X86_NX | X86_RW | X86_PS);
	CHECK_EQ(pt_map(&pt, 0x106000, 0x106000, 0x1000, RW | PT_EXEC), 0);
	CHECK_EQ(pt_for_each_leaf(&pt, find_wx, &w), 0);
	CHECK_EQ(w.found, 1);
	CHECK_EQ(w.va, 0x106000);
	int calls = 0;
	CHECK_EQ(pt_for_each_leaf(&pt, stop_at_second, &calls), 42);
	CHECK_EQ(calls, 2);
}

TEST(allocation_failure)
{
	struct page_table pt;
	fake_used = 0;
	fake_fail_after = 0;
	CHECK_EQ(pt_init(&pt, &pt_format_x86, &fake_env), -1);
	fresh(&pt, &pt_format_x86);
	fake_fail_after = 2; /* root + PDPT, then no PD */
	CHECK_EQ(pt_map(&pt, 0, 0, 2 * MB, RW), -1);
	fresh(&pt, &pt_format_x86);
	CHECK_EQ(pt_map(&pt, 0, 0, GB, RW), 0);
	fake_fail_after = 3; /* the 1 GiB split gets its PD, the 2 MiB split fails */
	CHECK_EQ(pt_map(&pt, 0x5000, 0x9000, PT_SIZE_4K, PT_READ), -1);
	/* A failed split leaves the mapping it tried to split intact. */
	LOOKS_UP(&pt, 0x5000, 0x5000, RW, PT_SIZE_2M);
	LOOKS_UP(&pt, 0x40000000 - 1, 0x40000000 - 1, RW, PT_SIZE_2M);
	fake_fail_after = 2;
	CHECK_EQ(pt_map(&pt, 3 * GB, 3 * GB, PT_SIZE_4K, RW), -1);
	fake_fail_after = -1;
	CHECK_EQ(pt_map(&pt, 0x5000, 0x9000, PT_SIZE_4K, PT_READ), 0);
	LOOKS_UP(&pt, 0x5000, 0x9000, PT_READ, PT_SIZE_4K);
}

TEST(bad_arguments)
{
	struct page_table pt;
	fresh(&pt, &pt_format_x86);
	CHECK_EQ(pt_map(&pt, 0x1001, 0x1000, 0x1000, RW), -2);
	CHECK_EQ(pt_map(&pt, 0x1000, 0x1800, 0x1000, RW), -2);
	CHECK_EQ(pt_map(&pt, 0x1000, 0x1000, 0x800, RW), -2);
	CHECK_EQ(pt_map(&pt, 0x0000800000000000ull, 0, 0x1000, RW), -2); /* non-canonical */
	CHECK_EQ(pt_map(&pt, 0x00007ffffffff000ull, 0, 0x2000, RW), -2); /* runs into the hole */
	CHECK_EQ(pt_map(&pt, 0xfffffffffffff000ull, 0, 0x2000, RW), -2); /* wraps */
	CHECK_EQ(pt_map(&pt, 0, 1ull << 52, 0x1000, RW), -2);            /* pa too wide */
	CHECK_EQ(pt_map(&pt, 0, (1ull << 52) - 0x1000, 0x2000, RW), -2);
	CHECK_EQ(pt_map(&pt, 0, 0, 0x1000, 1u << 5), -2);                 /* unknown flag */
	CHECK_EQ(pt_map(&pt, 0, 0, 0x1000, PT_UC), -2);                  /* no rights */
	CHECK_EQ(fake_used, 1);
	CHECK_EQ(collect(&pt)->n, 0);
	CHECK_EQ(pt_map(&pt, 0, 0, 0, RW), 0); /* empty range: nothing to do */
	CHECK_EQ(pt_map(&pt, 0x00007ffffffff000ull, (1ull << 52) - 0x1000, 0x1000, RW), 0);
	LOOKS_UP(&pt, 0x00007ffffffff008ull, (1ull << 52) - 0x1000 + 8, RW, PT_SIZE_4K);
}

TEST(unmap_with_zero_flags)
{
	struct page_table pt;
	fresh(&pt, &pt_format_x86);
	CHECK_EQ(pt_map(&pt, 0, 0, 4 * MB, RW), 0);
	int used = fake_used;
	/* Unmapping where nothing was ever mapped allocates nothing. */
	CHECK_EQ(pt_map(&pt, 5 * GB, 0, 3 * GB, 0), 0);
	CHECK_EQ(pt_map(&pt, 0x7f0000000000ull, 0, 4 * KB, 0), 0);
	CHECK_EQ(fake_used, used);
	/* One 4 KiB page out of a 2 MiB leaf: split, hole, neighbours intact. */
	CHECK_EQ(pt_map(&pt, 0x1000, 0, 0x1000, 0), 0);
	CHECK(unmapped(&pt, 0x1000));
	CHECK_EQ(raw(&pt, 0x1000, 1), 0);
	LOOKS_UP(&pt, 0, 0, RW, PT_SIZE_4K);
	LOOKS_UP(&pt, 0x2000, 0x2000, RW, PT_SIZE_4K);
	/* A whole 2 MiB leaf goes with one zero entry. */
	CHECK_EQ(pt_map(&pt, 2 * MB, 0, 2 * MB, 0), 0);
	CHECK_EQ(raw(&pt, 2 * MB, 2), 0);
	CHECK(unmapped(&pt, 3 * MB));
	struct leaves *s = collect(&pt);
	CHECK_EQ(s->n, 511);
	CHECK_EQ(s->count4k, 511);
}

TEST(entry_bits)
{
	struct page_table pt;
	fresh(&pt, &pt_format_x86);
	CHECK_EQ(pt_map(&pt, GB, GB, GB, PT_READ | PT_UC), 0);          /* 1 GiB MMIO */
	CHECK_EQ(pt_map(&pt, 0x400000, 0x600000, 2 * MB, RX), 0);       /* 2 MiB text */
	CHECK_EQ(pt_map(&pt, 0x3000, 0x3000, 0x1000, RW | PT_USER), 0); /* 4 KiB data */
	CHECK_EQ(raw(&pt, GB, 3), GB | X86_P | X86_PWT | X86_PCD | X86_PS | X86_NX);
	CHECK_EQ(raw(&pt, 0x400000, 2), 0x600000 | X86_P | X86_PS);
	CHECK_EQ(raw(&pt, 0x3000, 1), 0x3000 | X86_P | X86_RW | X86_US | X86_NX);
	/* Tables: P|RW|US and the table's address, nothing else. */
	CHECK_EQ(raw(&pt, 0, 4), (FAKE_BASE + 1 * 4096) | X86_P | X86_RW | X86_US);
	CHECK_EQ(raw(&pt, 0, 3), (FAKE_BASE + 2 * 4096) | X86_P | X86_RW | X86_US);
	CHECK_EQ(raw(&pt, 0, 2), (FAKE_BASE + 3 * 4096) | X86_P | X86_RW | X86_US);
}

TEST(large_leaf_pat_bit_is_not_address)
{
	/* Bit 12 of a 2 MiB / 1 GiB leaf is PAT (SDM Vol. 3A Tables 4-16, 4-18);
	 * a walker must not take it for part of the address. */
	struct page_table pt;
	fresh(&pt, &pt_format_x86);
	CHECK_EQ(pt_map(&pt, 0, 0, 4 * GB, RW), 0);
	CHECK_EQ(pt_map(&pt, 2 * GB, 8 * MB, 2 * MB, RW), 0);
	fake_mem[1][1] |= 1ull << 12;                 /* the 1 GiB leaf at 1 GiB */
	fake_mem[2][0] |= 1ull << 12;                 /* the 2 MiB leaf at 2 GiB */
	LOOKS_UP(&pt, GB + 0x10, GB + 0x10, RW, PT_SIZE_1G);
	LOOKS_UP(&pt, 2 * GB + 0x10, 8 * MB + 0x10, RW, PT_SIZE_2M);
	struct leaves *s = collect(&pt);
	CHECK_EQ(s->l[1].pa, GB);
	CHECK_EQ(s->l[2].pa, 8 * MB);
	/* Splitting such a leaf keeps the real address, too. */
	CHECK_EQ(pt_map(&pt, GB + 0x5000, 0, 0x1000, 0), 0);
	LOOKS_UP(&pt, GB + 0x6000, GB + 0x6000, RW, PT_SIZE_4K);
	LOOKS_UP(&pt, GB + 4 * MB, GB + 4 * MB, RW, PT_SIZE_2M);
}

/* ---- EPT (SDM Vol. 3C 29.3.2) ---- */

#define EPT_TABLE (EPT_R | EPT_W | EPT_X)

/* Some right, and never write without read (SDM Vol. 3C 29.3.3.1). */
static bool ept_encodable(unsigned fl)
{
	return (fl & (PT_READ | PT_WRITE | PT_EXEC)) && (!(fl & PT_WRITE) || (fl & PT_READ));
}

TEST(ept_leaf_encoding)
{
	const struct pt_format *f = &pt_format_ept;
	CHECK_EQ(f->present, EPT_R | EPT_W | EPT_X);
	CHECK_EQ(f->table_bits, EPT_TABLE); /* bits 7:3 stay zero in tables */
	CHECK_EQ(f->large, EPT_LARGE);
	CHECK(f->large_1g);
	CHECK_EQ(f->leaf_bits(0), 0);
	CHECK_EQ(f->leaf_bits(PT_READ), EPT_R | EPT_WB | EPT_IPAT);
	CHECK_EQ(f->leaf_bits(RW), EPT_R | EPT_W | EPT_WB | EPT_IPAT);
	CHECK_EQ(f->leaf_bits(RX), EPT_R | EPT_X | EPT_WB | EPT_IPAT);
	CHECK_EQ(f->leaf_bits(PT_EXEC), EPT_X | EPT_WB | EPT_IPAT); /* execute-only */
	CHECK_EQ(f->leaf_bits(RW | PT_EXEC | PT_UC), EPT_R | EPT_W | EPT_X | EPT_UC | EPT_IPAT);
	CHECK_EQ(f->leaf_bits(RW | PT_USER), f->leaf_bits(RW)); /* no U/S in EPT */
	/* Every encodable combination decodes back to itself, minus PT_USER. */
	for (unsigned fl = 0; fl < 32; fl++)
		if (ept_encodable(fl))
			CHECK_EQ(f->leaf_flags(f->leaf_bits(fl)), fl & ~PT_USER);
	/* Present means any of R/W/X: no P bit, type and IPAT alone are nothing. */
	CHECK_EQ(f->leaf_flags(0), 0);
	CHECK_EQ(f->leaf_flags(EPT_WB | EPT_IPAT | EPT_LARGE | 0x1000), 0);
	CHECK_EQ(f->leaf_flags(EPT_X | EPT_WB), PT_EXEC);
	CHECK_EQ(f->leaf_flags(EPT_R | (4ull << 3)), PT_READ); /* WT: not UC */
	CHECK_EQ(f->leaf_flags(EPT_R), PT_READ | PT_UC);        /* type 0 is UC */
}

TEST(ept_flags_valid_rejects_write_without_read)
{
	const struct pt_format *f = &pt_format_ept;
	CHECK(f->flags_valid != NULL);
	if (!f->flags_valid)
		return;
	for (unsigned fl = 1; fl < 32; fl++)
		if (fl & (PT_READ | PT_WRITE | PT_EXEC))
			CHECK_EQ(f->flags_valid(fl), ept_encodable(fl));
	CHECK(f->flags_valid(PT_READ));
	CHECK(f->flags_valid(PT_EXEC));
	CHECK(f->flags_valid(RW | PT_EXEC));
	CHECK(!f->flags_valid(PT_WRITE));
	CHECK(!f->flags_valid(PT_WRITE | PT_EXEC));
	CHECK(pt_format_x86.flags_valid == NULL);
	CHECK(pt_format_npt.flags_valid == NULL);

	struct page_table pt;
	fresh(&pt, &pt_format_ept);
	CHECK_EQ(pt_map(&pt, 0, 0, 4 * KB, PT_WRITE), -2);
	CHECK_EQ(pt_map(&pt, 0, 0, 2 * MB, PT_WRITE | PT_EXEC), -2);
	CHECK_EQ(pt_map(&pt, GB, GB, GB, PT_WRITE | PT_UC | PT_USER), -2);
	CHECK_EQ(fake_used, 1);
	CHECK_EQ(collect(&pt)->n, 0);
	CHECK_EQ(pt_map(&pt, 0, 0, 4 * KB, RW), 0);
	CHECK_EQ(pt_map(&pt, 0, 0, 4 * KB, PT_WRITE), -2); /* leaves the old mapping */
	LOOKS_UP(&pt, 0, 0, RW, PT_SIZE_4K);
	/* The host format keeps accepting it (x86 pages are always readable). */
	fresh(&pt, &pt_format_x86);
	CHECK_EQ(pt_map(&pt, 0, 0, 4 * KB, PT_WRITE), 0);
	LOOKS_UP(&pt, 0, 0, RW, PT_SIZE_4K);
}

TEST(ept_entries_in_tables)
{
	struct page_table pt;
	fresh(&pt, &pt_format_ept);
	CHECK_EQ(pt_map(&pt, GB, 5 * GB, GB, RX | PT_UC), 0);          /* 1 GiB */
	CHECK_EQ(pt_map(&pt, 0x400000, 0x600000, 2 * MB, RW | PT_USER), 0); /* 2 MiB */
	CHECK_EQ(pt_map(&pt, 0x3000, 0x7000, 4 * KB, PT_EXEC), 0);     /* 4 KiB */
	CHECK_EQ(raw(&pt, GB, 3), 5 * GB | EPT_R | EPT_X | EPT_UC | EPT_IPAT | EPT_LARGE);
	CHECK_EQ(raw(&pt, 0x400000, 2), 0x600000 | EPT_R | EPT_W | EPT_WB | EPT_IPAT | EPT_LARGE);
	CHECK_EQ(raw(&pt, 0x3000, 1), 0x7000 | EPT_X | EPT_WB | EPT_IPAT); /* no bit 7 */
	CHECK_EQ(raw(&pt, 0, 4), (FAKE_BASE + 1 * 4096) | EPT_TABLE);
	CHECK_EQ(raw(&pt, 0, 3), (FAKE_BASE + 2 * 4096) | EPT_TABLE);
	CHECK_EQ(raw(&pt, 0, 2), (FAKE_BASE + 3 * 4096) | EPT_TABLE);
	/* Execute-only has bit 0 clear and is still a mapping. */
	LOOKS_UP(&pt, 0x3abc, 0x7abc, PT_EXEC, PT_SIZE_4K);
	LOOKS_UP(&pt, GB + 0x123, 5 * GB + 0x123, RX | PT_UC, PT_SIZE_1G);
	LOOKS_UP(&pt, 0x500000, 0x700000, RW, PT_SIZE_2M);
	CHECK(unmapped(&pt, 0x4000));
}

TEST(ept_split_1g_keeps_type_and_rights)
{
	struct page_table pt;
	unsigned mmio = RX | PT_UC;
	uint64_t mmio_bits = EPT_R | EPT_X | EPT_UC | EPT_IPAT;
	fresh(&pt, &pt_format_ept);
	CHECK_EQ(pt_map(&pt, 0, 8 * GB, GB, mmio), 0);
	CHECK_EQ(pt_map(&pt, GB, 9 * GB, GB, RW), 0);
	CHECK_EQ(fake_used, 2);
	CHECK_EQ(pt_map(&pt, 0x12345000, 0x1000, 4 * KB, RW), 0);
	CHECK_EQ(fake_used, 4);
	LOOKS_UP(&pt, 0x12345000, 0x1000, RW, PT_SIZE_4K);
	LOOKS_UP(&pt, 0x12344000, 8 * GB + 0x12344000, mmio, PT_SIZE_4K);
	LOOKS_UP(&pt, 0x12346000, 8 * GB + 0x12346000, mmio, PT_SIZE_4K);
	LOOKS_UP(&pt, 0x12400000, 8 * GB + 0x12400000, mmio, PT_SIZE_2M);
	LOOKS_UP(&pt, GB - 1, 9 * GB - 1, mmio, PT_SIZE_2M);
	CHECK_EQ(raw(&pt, 0, 3), (FAKE_BASE + 2 * 4096) | EPT_TABLE);
	CHECK_EQ(raw(&pt, 0x12400000, 2), (8 * GB + 0x12400000) | mmio_bits | EPT_LARGE);
	CHECK_EQ(raw(&pt, 0x12344000, 1), (8 * GB + 0x12344000) | mmio_bits);
	CHECK_EQ(raw(&pt, 0x12345000, 1), 0x1000 | EPT_R | EPT_W | EPT_WB | EPT_IPAT);
	/* A hole punched in the write-back 1 GiB leaf keeps WB around it. */
	CHECK_EQ(pt_map(&pt, GB + 4 * MB, 0, 4 * KB, 0), 0);
	CHECK(unmapped(&pt, GB + 4 * MB));
	CHECK_EQ(raw(&pt, GB + 4 * MB + 4 * KB, 1), (9 * GB + 4 * MB + 4 * KB) | EPT_R | EPT_W |
						    EPT_WB | EPT_IPAT);
	CHECK_EQ(raw(&pt, GB, 2), 9 * GB | EPT_R | EPT_W | EPT_WB | EPT_IPAT | EPT_LARGE);
}

TEST(no_1g_gives_2m_leaves)
{
	struct page_table pt;
	const struct pt_format *fmts[] = { &pt_format_ept, &pt_format_npt, &pt_format_x86 };
	for (int i = 0; i < 3; i++) {
		pt.no_1g = true;
		fresh(&pt, fmts[i]);
		CHECK(!pt.no_1g); /* pt_init defaults to 1 GiB leaves allowed */
		pt.no_1g = true;
		CHECK_EQ(pt_map(&pt, 0, 0, 4 * GB, RW), 0);
		CHECK_EQ(fake_used, 1 + 1 + 4);
		struct leaves *s = collect(&pt);
		CHECK_EQ(s->n, 2048);
		CHECK_EQ(s->count2m, 2048);
		CHECK_EQ(s->count1g, 0);
		CHECK_EQ(raw(&pt, 3 * GB, 3) & X86_PS, 0);
		CHECK_EQ(raw(&pt, 3 * GB, 2) & X86_PS, X86_PS);
	}
	/* Without no_1g the same map is four 1 GiB leaves. */
	fresh(&pt, &pt_format_ept);
	CHECK_EQ(pt_map(&pt, 0, 0, 4 * GB, RW), 0);
	CHECK_EQ(collect(&pt)->count1g, 4);
}

/* ---- NPT (APM Vol. 2 15.25.5) ---- */

TEST(npt_leaf_encoding)
{
	const struct pt_format *f = &pt_format_npt;
	CHECK_EQ(f->present, X86_P);
	CHECK_EQ(f->table_bits, X86_P | X86_RW | X86_US);
	CHECK_EQ(f->large, X86_PS);
	CHECK_EQ(f->leaf_bits(0), 0);
	CHECK_EQ(f->leaf_bits(PT_READ), X86_P | X86_US | X86_NX);
	CHECK_EQ(f->leaf_bits(RW), X86_P | X86_RW | X86_US | X86_NX);
	CHECK_EQ(f->leaf_bits(RX), X86_P | X86_US);
	CHECK_EQ(f->leaf_bits(RW | PT_UC), X86_P | X86_RW | X86_US | X86_PWT | X86_PCD | X86_NX);
	for (unsigned fl = 0; fl < 32; fl++)
		if (fl & PT_READ)
			CHECK_EQ(f->leaf_flags(f->leaf_bits(fl)), fl | PT_USER);
}

/* Every entry on the walk to va, from level 4 down to the leaf, has U/S. */
static void check_us_path(const struct page_table *pt, uint64_t va, int leaf_level)
{
	for (int l = 4; l >= leaf_level; l--) {
		uint64_t e = raw(pt, va, l);
		CHECK_EQ(e & (X86_P | X86_US), X86_P | X86_US);
		CHECK_EQ(e & X86_PS, l == leaf_level && l > 1 ? X86_PS : 0);
	}
}

TEST(npt_user_bit_on_every_level)
{
	struct page_table pt;
	fresh(&pt, &pt_format_npt);
	CHECK_EQ(pt_map(&pt, GB, 2 * GB, GB, RW), 0);
	CHECK_EQ(pt_map(&pt, 4 * MB, 6 * MB, 2 * MB, RX), 0);
	CHECK_EQ(pt_map(&pt, 0x5000, 0x9000, 4 * KB, PT_READ | PT_UC), 0);
	CHECK_EQ(pt_map(&pt, 0x00007f0000000000ull, 0x1000, 4 * KB, RW | PT_EXEC), 0);
	check_us_path(&pt, GB, 3);
	check_us_path(&pt, 4 * MB, 2);
	check_us_path(&pt, 0x5000, 1);
	check_us_path(&pt, 0x00007f0000000000ull, 1);
	/* Splitting a leaf keeps U/S on the new table and leaves. */
	CHECK_EQ(pt_map(&pt, GB + 0x3000, 0, 4 * KB, 0), 0);
	check_us_path(&pt, GB + 0x4000, 1);
	check_us_path(&pt, GB + 2 * MB, 2);
	/* NX exactly where PT_EXEC is missing. */
	CHECK_EQ(raw(&pt, GB + 2 * MB, 2) & X86_NX, X86_NX);
	CHECK_EQ(raw(&pt, GB + 0x4000, 1) & X86_NX, X86_NX);
	CHECK_EQ(raw(&pt, 4 * MB, 2) & X86_NX, 0);
	CHECK_EQ(raw(&pt, 0x5000, 1), 0x9000 | X86_P | X86_US | X86_PWT | X86_PCD | X86_NX);
	CHECK_EQ(raw(&pt, 0x00007f0000000000ull, 1), 0x1000 | X86_P | X86_RW | X86_US);
}

TEST(lookup_round_trip_nested_formats)
{
	struct page_table pt;
	int n;

	fresh(&pt, &pt_format_ept);
	n = 0;
	for (unsigned fl = 1; fl < 32; fl++) {
		uint64_t va = 2 * MB + fl * 4 * KB;
		bool ok = ept_encodable(fl);
		CHECK_EQ(pt_map(&pt, va, 3 * GB + va, 4 * KB, fl), ok ? 0 : -2);
		CHECK_EQ(pt_map(&pt, fl * GB, 64 * GB + fl * GB, GB, fl), ok ? 0 : -2);
		if (!ok)
			continue;
		n++;
		LOOKS_UP(&pt, va + 9, 3 * GB + va + 9, fl & ~PT_USER, PT_SIZE_4K);
		LOOKS_UP(&pt, fl * GB + 9, 64 * GB + fl * GB + 9, fl & ~PT_USER, PT_SIZE_1G);
	}
	CHECK_EQ(n, 20); /* 31 minus UC/USER-only (3) minus write-without-read (8) */
	struct leaves *s = collect(&pt);
	CHECK_EQ(s->n, 2 * n);
	for (int i = 0; i < s->n && i < 2048; i++)
		CHECK_EQ(s->l[i].flags, (unsigned)(s->l[i].size == PT_SIZE_4K ?
			 (s->l[i].va - 2 * MB) / (4 * KB) : s->l[i].va / GB) & ~PT_USER);

	fresh(&pt, &pt_format_npt);
	for (unsigned fl = 1; fl < 32; fl++) {
		if (!(fl & PT_READ))
			continue;
		CHECK_EQ(pt_map(&pt, fl * 2 * MB, 3 * GB, 2 * MB, fl), 0);
		LOOKS_UP(&pt, fl * 2 * MB + 7, 3 * GB + 7, fl | PT_USER, PT_SIZE_2M);
	}
}

TEST(nested_inputs_are_48_bit_guest_physical)
{
	/* EPT and NPT translate guest-physical bits 47:0: no canonical hole. */
	const struct pt_format *fmts[] = { &pt_format_ept, &pt_format_npt };
	uint64_t top = 1ull << 48;
	for (int i = 0; i < 2; i++) {
		struct page_table pt;
		fresh(&pt, fmts[i]);
		CHECK_EQ(pt_map(&pt, (1ull << 47) - 2 * MB, GB, 4 * MB, RW), 0);
		CHECK_EQ(pt_map(&pt, top - 4 * KB, 0x5000, 4 * KB, PT_READ), 0);
		CHECK_EQ(pt_map(&pt, top - 4 * KB, 0, 8 * KB, PT_READ), -2);
		CHECK_EQ(pt_map(&pt, top, 0, 4 * KB, PT_READ), -2);
		CHECK_EQ(pt_map(&pt, 0xffff800000000000ull, 0, 4 * KB, PT_READ), -2);
		LOOKS_UP(&pt, 1ull << 47, GB + 2 * MB, RW | (i ? PT_USER : 0), PT_SIZE_2M);
		LOOKS_UP(&pt, top - 1, 0x5fff, PT_READ | (i ? PT_USER : 0), PT_SIZE_4K);
		CHECK(unmapped(&pt, top));
		CHECK(unmapped(&pt, 0xffff800000000000ull));
		struct leaves *s = collect(&pt);
		CHECK_EQ(s->n, 3);
		CHECK_EQ(s->l[1].va, 1ull << 47); /* not sign-extended */
		CHECK_EQ(s->l[2].va, top - 4 * KB);
	}
}

/* ---- pt_destroy ---- */

/* Every page handed out was freed exactly once, the root last. */
static void check_all_freed_once(const struct page_table *pt)
{
	CHECK_EQ(pt->root, 0);
	CHECK_EQ(fake_free_calls, fake_used);
	for (int i = 0; i < fake_used; i++)
		CHECK_EQ(fake_freed[i], 1);
	if (fake_free_calls > 0 && fake_free_calls <= FAKE_PAGES)
		CHECK_EQ(fake_free_order[fake_free_calls - 1], 0);
}

TEST(destroy_frees_every_table_once)
{
	const struct pt_format *fmts[] = { &pt_format_x86, &pt_format_ept, &pt_format_npt };
	for (int i = 0; i < 3; i++) {
		struct page_table pt;
		uint64_t far = fmts[i] == &pt_format_x86 ? 0xffffffff80000000ull
						       : 0x0000ffff80000000ull;
		fresh(&pt, fmts[i]);
		CHECK_EQ(pt_map(&pt, 0, 0, 4 * GB, RW), 0);
		CHECK_EQ(pt_map(&pt, 0x12345000, 0x1000, 4 * KB, PT_READ), 0); /* 1G, 2M splits */
		CHECK_EQ(pt_map(&pt, 3 * GB + 2 * MB, 0, 2 * MB, 0), 0);        /* 1G split    */
		CHECK_EQ(pt_map(&pt, 0x7000000000ull, 0x2000, 16 * KB, RX), 0);
		CHECK_EQ(pt_map(&pt, far, 8 * MB, 2 * MB + 4 * KB, RW), 0);
		CHECK(fake_used >= 10);
		pt_destroy(&pt, fake_free);
		check_all_freed_once(&pt);
		pt_destroy(&pt, fake_free); /* root is 0: nothing happens */
		check_all_freed_once(&pt);
	}
	/* An empty table is just its root. */
	struct page_table pt;
	fresh(&pt, &pt_format_ept);
	pt_destroy(&pt, fake_free);
	CHECK_EQ(fake_free_calls, 1);
	check_all_freed_once(&pt);
}

TEST(destroy_skips_tables_dropped_by_large_leaves)
{
	/* Documented limitation: a table replaced by a large leaf is unreachable,
	 * so pt_destroy cannot hand it back. Everything reachable still goes. */
	struct page_table pt;
	fresh(&pt, &pt_format_npt);
	CHECK_EQ(pt_map(&pt, 4 * MB, 4 * MB, 8 * KB, RW), 0);
	CHECK_EQ(fake_used, 4);
	CHECK_EQ(pt_map(&pt, 4 * MB, 4 * MB, 2 * MB, RW), 0); /* drops the PT (page 3) */
	pt_destroy(&pt, fake_free);
	CHECK_EQ(pt.root, 0);
	CHECK_EQ(fake_free_calls, 3);
	CHECK_EQ(fake_freed[0] + fake_freed[1] + fake_freed[2], 3);
	CHECK_EQ(fake_freed[3], 0);
}
