/*
 * Generic 4-level page-table builder and walker; see paging.h.
 *
 * Geometry shared by every format we use (x86-64 4-level paging, SDM Vol. 3A
 * 4.5; 4-level EPT, SDM Vol. 3C 29.3.2, and AMD nested paging, APM Vol. 2
 * 15.25, use the same shape): 512 8-byte entries per 4 KiB table,
 * levels 4..1 each indexed by 9 bits of the 48-bit address, bits 47:39 at
 * level 4 down to bits 20:12 at level 1. A level-1 entry always maps 4 KiB; a
 * level-2 or level-3 entry with the format's `large` bit maps 2 MiB or 1 GiB.
 *
 * This module only writes tables. Flushing stale TLB entries after a change to
 * live tables is the caller's business.
 */
#include "paging.h"

#define PT_ENTRIES     512u
#define PT_PAGE_MASK   (PT_SIZE_4K - 1)
#define PT_RIGHTS      (PT_READ | PT_WRITE | PT_EXEC)
#define PT_ALL_FLAGS   (PT_RIGHTS | PT_USER | PT_UC)

/* ---- x86-64 4-level paging entries (SDM Vol. 3A 4.5, Tables 4-15..4-20) ---- */

#define X86_P   (1ull << 0)  /* present                                      */
#define X86_RW  (1ull << 1)  /* writable                                     */
#define X86_US  (1ull << 2)  /* user-mode accessible                         */
#define X86_PWT (1ull << 3)  /* page-level write-through                     */
#define X86_PCD (1ull << 4)  /* page-level cache disable                     */
#define X86_PS  (1ull << 7)  /* page size: maps a page (PDPTE/PDE only)      */
#define X86_NX  (1ull << 63) /* execute-disable; needs IA32_EFER.NXE = 1     */

static uint64_t pt_x86_leaf_bits(unsigned flags)
{
	uint64_t e = X86_P;

	if (!(flags & PT_RIGHTS))
		return 0; /* no access at all: not present */
	if (flags & PT_WRITE)
		e |= X86_RW;
	if (flags & PT_USER)
		e |= X86_US;
	/* PCD=1, PWT=1 (PAT=0) selects PAT entry 3, which is UC in the power-up
	 * PAT (SDM Vol. 3A 11.12.3 "Selecting a Memory Type from the PAT", Table
	 * 11-11, and 11.12.4 for the power-up value). */
	if (flags & PT_UC)
		e |= X86_PCD | X86_PWT;
	if (!(flags & PT_EXEC))
		e |= X86_NX;
	return e;
}

static unsigned pt_x86_leaf_flags(uint64_t e)
{
	unsigned f = PT_READ; /* a present x86 page is always readable */

	if (!(e & X86_P))
		return 0;
	if (e & X86_RW)
		f |= PT_WRITE;
	if (e & X86_US)
		f |= PT_USER;
	if ((e & (X86_PCD | X86_PWT)) == (X86_PCD | X86_PWT))
		f |= PT_UC;
	if (!(e & X86_NX))
		f |= PT_EXEC;
	return f;
}

/* Non-leaf entries grant everything (P|RW|US): the effective rights are the
 * intersection over all levels (SDM Vol. 3A 4.6), so restricting at the leaf
 * alone is enough and keeps tables shareable between differently-mapped leaves. */
const struct pt_format pt_format_x86 = {
	.name = "x86-64",
	.present = X86_P,
	.table_bits = X86_P | X86_RW | X86_US,
	.addr_mask = 0x000ffffffffff000ull, /* bits 51:12, MAXPHYADDR <= 52 */
	.large = X86_PS,
	.large_1g = true,
	.leaf_bits = pt_x86_leaf_bits,
	.leaf_flags = pt_x86_leaf_flags,
};

/* ---- Intel EPT entries (SDM Vol. 3C 29.3.2, Tables 29-1..29-6; older
 * editions 28.2.2, Tables 28-1..28-6) ---- */

#define EPT_R      (1ull << 0)  /* read access                                  */
#define EPT_W      (1ull << 1)  /* write access                                 */
#define EPT_X      (1ull << 2)  /* (supervisor-mode) execute access             */
#define EPT_RWX    (EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT 3          /* bits 5:3: EPT memory type, leaves only       */
#define EPT_MT_MASK  (7ull << EPT_MT_SHIFT)
#define EPT_MT_UC  0ull         /* memory type encodings as in the PAT/MTRRs    */
#define EPT_MT_WB  6ull
#define EPT_IPAT   (1ull << 6)  /* ignore PAT memory type, leaves only          */
#define EPT_LARGE  (1ull << 7)  /* maps a page (PDPTE/PDE); reserved in PML4E   */

/* An entry whose bits 2:0 are 010b or 110b (writable but not readable) is an
 * EPT misconfiguration on every CPU (SDM Vol. 3C 29.3.3.1 "EPT
 * Misconfigurations"; older 28.2.3.1). Execute-only (100b) is legal only when
 * IA32_VMX_EPT_VPID_CAP bit 0 says so, which is the caller's check. */
static bool pt_ept_flags_valid(unsigned flags)
{
	return !(flags & PT_WRITE) || (flags & PT_READ);
}

/* With IPAT = 1 the leaf's EPT memory type is the effective type of guest
 * accesses; the guest's PAT is not consulted and the MTRRs never apply to
 * guest-physical accesses (SDM Vol. 3C "Memory Type Used for Translated
 * Guest-Physical Addresses"). */
static uint64_t pt_ept_leaf_bits(unsigned flags)
{
	uint64_t type = (flags & PT_UC) ? EPT_MT_UC : EPT_MT_WB;
	uint64_t e = EPT_IPAT | type << EPT_MT_SHIFT;

	if (!(flags & PT_RIGHTS))
		return 0; /* bits 2:0 = 000b: not present */
	if (flags & PT_READ)
		e |= EPT_R;
	if (flags & PT_WRITE)
		e |= EPT_W;
	if (flags & PT_EXEC)
		e |= EPT_X;
	return e; /* PT_USER: EPT has no user/supervisor distinction */
}

static unsigned pt_ept_leaf_flags(uint64_t e)
{
	unsigned f = 0;

	if (!(e & EPT_RWX))
		return 0;
	if (e & EPT_R)
		f |= PT_READ;
	if (e & EPT_W)
		f |= PT_WRITE;
	if (e & EPT_X)
		f |= PT_EXEC;
	if (((e & EPT_MT_MASK) >> EPT_MT_SHIFT) == EPT_MT_UC)
		f |= PT_UC;
	return f;
}

/* An EPT entry is present when any of bits 2:0 is set. Non-leaf entries grant
 * R|W|X and leave bits 7:3 zero (reserved there); as on x86 the rights of a
 * translation are the intersection over all levels, so leaves decide. */
const struct pt_format pt_format_ept = {
	.name = "ept",
	.present = EPT_RWX,
	.table_bits = EPT_RWX,
	.addr_mask = 0x000ffffffffff000ull, /* bits 51:12, MAXPHYADDR <= 52 */
	.large = EPT_LARGE,
	.large_1g = true, /* caller checks IA32_VMX_EPT_VPID_CAP bit 17: no_1g */
	.input_phys = true,
	.flags_valid = pt_ept_flags_valid,
	.leaf_bits = pt_ept_leaf_bits,
	.leaf_flags = pt_ept_leaf_flags,
};

/* ---- AMD nested paging entries (APM Vol. 2 15.25.5 "Nested Table Walk") ----
 *
 * Same layout as x86-64 long-mode entries, but the nested walk treats every
 * access, including the guest's own page-table walks, as a user access, so
 * U/S must be 1 at every level or nothing works. NX (bit 63) in nested entries
 * is governed by the host's EFER.NXE at VMRUN, not the guest's (APM Vol. 2
 * 15.25); the hypervisor sets EFER.NXE on every CPU. PCD|PWT of a UC leaf
 * index the host PAT, as for host tables. */

static uint64_t pt_npt_leaf_bits(unsigned flags)
{
	return pt_x86_leaf_bits(flags | PT_USER);
}

const struct pt_format pt_format_npt = {
	.name = "npt",
	.present = X86_P,
	.table_bits = X86_P | X86_RW | X86_US,
	.addr_mask = 0x000ffffffffff000ull, /* bits 51:12, MAXPHYADDR <= 52 */
	.large = X86_PS,
	.large_1g = true, /* needs CPUID 8000_0001h EDX[26] Page1GB, else no_1g */
	.input_phys = true,
	.leaf_bits = pt_npt_leaf_bits,
	.leaf_flags = pt_x86_leaf_flags, /* reports PT_USER: U/S is always set */
};

/* ---- generic walker ---- */

/* Bytes one entry at `level` covers: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
static uint64_t pt_level_size(int level)
{
	return 1ull << (12 + 9 * (level - 1));
}

static unsigned pt_index(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

static uint64_t *pt_table(const struct page_table *pt, uint64_t pa)
{
	return pt->env.phys_to_virt(pt->env.ctx, pa & pt->fmt->addr_mask);
}

static bool pt_present(const struct pt_format *fmt, uint64_t e)
{
	return (e & fmt->present) != 0;
}

/* Whether a present entry maps memory itself rather than pointing to a table.
 * Bit 7 of a level-1 entry is PAT, not PS, so only levels 2 and 3 look at it. */
static bool pt_is_leaf(const struct pt_format *fmt, uint64_t e, int level)
{
	return level == 1 || ((level == 2 || level == 3) && (e & fmt->large));
}

/* Physical address of the page a leaf maps. In 2 MiB and 1 GiB leaves bit 12
 * is PAT (SDM Vol. 3A Tables 4-16, 4-18), so mask with the page size too. */
static uint64_t pt_leaf_addr(const struct pt_format *fmt, uint64_t e, int level)
{
	return e & fmt->addr_mask & ~(pt_level_size(level) - 1);
}

static uint64_t pt_make_leaf(const struct pt_format *fmt, int level, uint64_t pa, unsigned flags)
{
	if (!flags)
		return 0;
	return fmt->leaf_bits(flags) | (level > 1 ? fmt->large : 0) | (pa & fmt->addr_mask);
}

/* Whether the table may hold 1 GiB leaves: the format and the CPU allow them. */
static bool pt_allows_1g(const struct page_table *pt)
{
	return pt->fmt->large_1g && !pt->no_1g;
}

/* Whether [va, va+n) can be one leaf at `level`. pa == va when unmapping. */
static bool pt_leaf_fits(const struct page_table *pt, int level, uint64_t va,
			 uint64_t pa, uint64_t n)
{
	uint64_t size = pt_level_size(level);

	if (level == 1)
		return true;
	if (level == 4 || !pt->fmt->large || (level == 3 && !pt_allows_1g(pt)))
		return false;
	return n == size && ((va | pa) & (size - 1)) == 0;
}

static uint64_t pt_new_table(const struct page_table *pt)
{
	return pt->env.alloc_table(pt->env.ctx);
}

/* Replace the large leaf *entry at `level` by a table of 512 next-smaller leaves
 * with the same rights covering the same memory. The table is filled before
 * *entry changes, so failure leaves the old mapping untouched. */
static int pt_split(const struct page_table *pt, uint64_t *entry, int level)
{
	const struct pt_format *fmt = pt->fmt;
	uint64_t base = pt_leaf_addr(fmt, *entry, level);
	uint64_t step = pt_level_size(level - 1);
	unsigned flags = fmt->leaf_flags(*entry);
	uint64_t table = pt_new_table(pt);

	if (!table)
		return -1;
	uint64_t *t = pt_table(pt, table);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		t[i] = pt_make_leaf(fmt, level - 1, base + i * step, flags);
	*entry = fmt->table_bits | (table & fmt->addr_mask);
	return 0;
}

/* Make *entry at `level` point to a table, creating or splitting as needed, and
 * return its physical address in *child. Returns 0, 1 when there is nothing
 * below and we are only unmapping (skip), -1 when out of memory. */
static int pt_descend(const struct page_table *pt, uint64_t *entry, int level,
		      bool unmap, uint64_t *child)
{
	const struct pt_format *fmt = pt->fmt;

	if (!pt_present(fmt, *entry)) {
		if (unmap)
			return 1;
		uint64_t table = pt_new_table(pt);
		if (!table)
			return -1;
		*entry = fmt->table_bits | (table & fmt->addr_mask);
	} else if (pt_is_leaf(fmt, *entry, level) && pt_split(pt, entry, level)) {
		return -1;
	}
	*child = *entry & fmt->addr_mask;
	return 0;
}

/* Map [va, va+size), which lies inside the table at table_pa (a `level` table).
 * A leaf written over a table drops that table without freeing it: pt_env has
 * no free callback, and replacing a finely mapped region by one large page is
 * rare, so the page leaks rather than the API growing. */
static int pt_map_level(const struct page_table *pt, uint64_t table_pa, int level,
			uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	uint64_t *t = pt_table(pt, table_pa);

	while (size) {
		uint64_t span = pt_level_size(level);
		uint64_t n = span - (va & (span - 1));
		uint64_t *entry = &t[pt_index(va, level)];
		uint64_t child;

		n = n < size ? n : size;
		if (pt_leaf_fits(pt, level, va, pa, n)) {
			*entry = pt_make_leaf(pt->fmt, level, pa, flags);
		} else {
			int r = pt_descend(pt, entry, level, flags == 0, &child);
			if (r < 0 || (r == 0 && pt_map_level(pt, child, level - 1, va, pa, n, flags)))
				return -1;
		}
		va += n;
		pa += n;
		size -= n;
	}
	return 0;
}

/* Canonical: bits 63:47 all equal (SDM Vol. 1 3.3.7.1; Vol. 3A 4.5). */
static bool pt_canonical(uint64_t va)
{
	uint64_t top = va >> 47;
	return top == 0 || top == 0x1ffff;
}

/* Whether va can be translated at all: canonical for linear addresses,
 * below 2^48 for guest-physical ones (4-level EPT and NPT translate bits 47:0,
 * SDM Vol. 3C 29.3.2, APM Vol. 2 15.25.5). */
static bool pt_input_ok(const struct pt_format *fmt, uint64_t va)
{
	return fmt->input_phys ? (va >> 48) == 0 : pt_canonical(va);
}

/* [va, va+size) translatable and, for linear addresses, within one half;
 * size > 0. */
static bool pt_va_range_ok(const struct pt_format *fmt, uint64_t va, uint64_t size)
{
	uint64_t last = va + size - 1;

	if (last < va || !pt_input_ok(fmt, va) || !pt_input_ok(fmt, last))
		return false;
	return fmt->input_phys || ((va ^ last) >> 47) == 0;
}

/* [pa, pa+size) representable in the entry's address field; size > 0. */
static bool pt_pa_range_ok(const struct pt_format *fmt, uint64_t pa, uint64_t size)
{
	uint64_t last = pa + size - 1;
	return last >= pa && (pa & ~fmt->addr_mask) == 0 &&
	       (last & ~(fmt->addr_mask | PT_PAGE_MASK)) == 0;
}

int pt_init(struct page_table *pt, const struct pt_format *fmt, const struct pt_env *env)
{
	pt->fmt = fmt;
	pt->env = *env;
	pt->no_1g = false;
	pt->root = pt_new_table(pt);
	return pt->root ? 0 : -1;
}

int pt_map(struct page_table *pt, uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	if ((va | pa | size) & PT_PAGE_MASK || (flags & ~PT_ALL_FLAGS))
		return -2;
	if (flags && !(flags & PT_RIGHTS))
		return -2; /* USER or UC without any access right means nothing */
	if (flags && pt->fmt->flags_valid && !pt->fmt->flags_valid(flags))
		return -2;
	if (size == 0)
		return 0;
	if (!pt_va_range_ok(pt->fmt, va, size) || (flags && !pt_pa_range_ok(pt->fmt, pa, size)))
		return -2;
	if (!flags)
		pa = va; /* unmapping: only va alignment decides the leaf level */
	return pt_map_level(pt, pt->root, 4, va, pa, size, flags);
}

int pt_lookup(const struct page_table *pt, uint64_t va, uint64_t *pa, unsigned *flags,
	      uint64_t *page_size)
{
	uint64_t table = pt->root;

	if (!pt_input_ok(pt->fmt, va))
		return -1;
	for (int level = 4; level >= 1; level--) {
		uint64_t e = pt_table(pt, table)[pt_index(va, level)];
		if (!pt_present(pt->fmt, e))
			return -1;
		if (pt_is_leaf(pt->fmt, e, level)) {
			uint64_t size = pt_level_size(level);
			*pa = pt_leaf_addr(pt->fmt, e, level) + (va & (size - 1));
			*flags = pt->fmt->leaf_flags(e);
			*page_size = size;
			return 0;
		}
		table = e & pt->fmt->addr_mask;
	}
	return -1; /* not reached: level 1 entries are always leaves */
}

/* Sign-extend bit 47 so upper-half linear addresses come out canonical;
 * guest-physical addresses stay as they are. */
static uint64_t pt_canon(const struct pt_format *fmt, uint64_t va)
{
	if (fmt->input_phys)
		return va;
	return (va & (1ull << 47)) ? va | 0xffff000000000000ull : va;
}

static int pt_walk(const struct page_table *pt, uint64_t table, int level, uint64_t base,
		   pt_leaf_fn fn, void *arg)
{
	const struct pt_format *fmt = pt->fmt;
	const uint64_t *t = pt_table(pt, table);

	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = t[i];
		uint64_t va = base + i * pt_level_size(level);
		int r;

		if (!pt_present(fmt, e))
			continue;
		if (pt_is_leaf(fmt, e, level))
			r = fn(arg, pt_canon(fmt, va), pt_leaf_addr(fmt, e, level), pt_level_size(level),
			       fmt->leaf_flags(e));
		else
			r = pt_walk(pt, e & fmt->addr_mask, level - 1, va, fn, arg);
		if (r)
			return r;
	}
	return 0;
}

int pt_for_each_leaf(const struct page_table *pt, pt_leaf_fn fn, void *arg)
{
	return pt_walk(pt, pt->root, 4, 0, fn, arg);
}

/* Free every table below the `level` table at table_pa, deepest first. Level-1
 * tables hold only leaves; large leaves at levels 2 and 3 own no table. */
static void pt_free_below(const struct page_table *pt, uint64_t table_pa, int level,
			  void (*free_table)(void *ctx, uint64_t pa))
{
	const struct pt_format *fmt = pt->fmt;
	const uint64_t *t = pt_table(pt, table_pa);

	if (level == 1)
		return;
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = t[i];
		if (!pt_present(fmt, e) || pt_is_leaf(fmt, e, level))
			continue;
		pt_free_below(pt, e & fmt->addr_mask, level - 1, free_table);
		free_table(pt->env.ctx, e & fmt->addr_mask);
	}
}

void pt_destroy(struct page_table *pt, void (*free_table)(void *ctx, uint64_t pa))
{
	if (!pt->root)
		return;
	pt_free_below(pt, pt->root, 4, free_table);
	free_table(pt->env.ctx, pt->root);
	pt->root = 0;
}
