/*
 * One 4-level page-table builder and walker for every format Tessera uses:
 * the host's own tables (pt_format_x86) and the guest-physical -> host-physical
 * nested tables of either vendor (pt_format_ept, pt_format_npt). A format is a
 * small table of bit positions (struct pt_format); the walker never knows which
 * one it builds.
 *
 * "va" below is the input address of a translation: a linear address for the
 * host's tables, a guest-physical address for EPT and NPT.
 *
 * Pure module: tables are reached through pt_env (allocate a zeroed table page,
 * turn a physical address into a pointer), so host unit tests run it against
 * fake memory.
 */
#ifndef KERNEL_PAGING_H
#define KERNEL_PAGING_H

#include <stdbool.h>
#include <stdint.h>

/* Access rights and memory type in format-neutral terms. */
#define PT_READ   (1u << 0)
#define PT_WRITE  (1u << 1)
#define PT_EXEC   (1u << 2)
#define PT_USER   (1u << 3)
#define PT_UC     (1u << 4) /* uncacheable (MMIO); default is write-back */

#define PT_SIZE_4K (1ull << 12)
#define PT_SIZE_2M (1ull << 21)
#define PT_SIZE_1G (1ull << 30)

struct pt_format {
	const char *name;
	uint64_t present;     /* bits that make an entry present (any of them)   */
	uint64_t table_bits;  /* bits set in a non-leaf entry                    */
	uint64_t addr_mask;   /* physical address bits of an entry               */
	uint64_t large;       /* page-size bit in level 2/3 entries              */
	bool large_1g;        /* 1 GiB leaves allowed                            */
	/* Inputs are 48-bit guest-physical addresses [0, 2^48) rather than
	 * canonical linear addresses (EPT, NPT). */
	bool input_phys;
	/* Optional: whether a leaf may have these flags (which include at least
	 * one right). NULL accepts every combination; pt_map returns -2 for
	 * flags this rejects. */
	bool (*flags_valid)(unsigned flags);
	/* Encode rights and type of a leaf; `large` is set by the walker. */
	uint64_t (*leaf_bits)(unsigned flags);
	/* Decode a leaf back to PT_* flags. */
	unsigned (*leaf_flags)(uint64_t entry);
};

struct pt_env {
	/* Physical address of a zeroed 4 KiB page, or 0 when out of memory. */
	uint64_t (*alloc_table)(void *ctx);
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	void *ctx;
};

struct page_table {
	uint64_t root;                 /* physical address of the level-4 table */
	const struct pt_format *fmt;
	struct pt_env env;
	/* Never create 1 GiB leaves even if the format allows them, e.g. EPT on
	 * a CPU without IA32_VMX_EPT_VPID_CAP bit 17. pt_init clears it; set it
	 * before the first pt_map (existing 1 GiB leaves are left alone). */
	bool no_1g;
};

/* Host x86-64 4-level paging (SDM Vol. 3A 4.5). */
extern const struct pt_format pt_format_x86;

/* Intel EPT (SDM Vol. 3C 29.3.2, Tables 29-1..29-6; older 28.2.2, 28-1..28-6).
 * Leaves get R/W/X from PT_READ/PT_WRITE/PT_EXEC (supervisor-mode execute;
 * mode-based execute control is not used), memory type UC with PT_UC and WB
 * otherwise, and ignore-PAT, so that type is the effective one. PT_USER has no
 * meaning and is ignored (never reported back). PT_WRITE without PT_READ is
 * always an EPT misconfiguration and rejected with -2; execute-only (PT_EXEC
 * alone) is accepted, and the caller must check IA32_VMX_EPT_VPID_CAP bit 0
 * before asking for it. */
extern const struct pt_format pt_format_ept;

/* AMD nested paging (APM Vol. 2 15.25.5 "Nested Table Walk"): the x86-64
 * long-mode layout with U/S set at every level, since nested accesses are all
 * user accesses. Leaves therefore always report PT_USER. */
extern const struct pt_format pt_format_npt;

/* 0 on success, -1 when no table page could be allocated. Clears no_1g. */
int pt_init(struct page_table *pt, const struct pt_format *fmt, const struct pt_env *env);

/* Map [va, va+size) to [pa, pa+size) with `flags`, using the largest pages that
 * alignment allows. va, pa and size must be 4 KiB aligned. Existing mappings in
 * the range are replaced; a large page that is only partly replaced is split so
 * the rest keeps its old mapping. flags == 0 unmaps. Returns 0, -1 on
 * allocation failure, -2 on bad arguments (including flags the format's
 * flags_valid rejects). */
int pt_map(struct page_table *pt, uint64_t va, uint64_t pa, uint64_t size, unsigned flags);

/* Translate va. Returns 0 and fills *pa, *flags, *page_size; -1 if unmapped. */
int pt_lookup(const struct page_table *pt, uint64_t va, uint64_t *pa, unsigned *flags,
	      uint64_t *page_size);

/* Call fn for every leaf mapping in ascending va order; stops early and returns
 * fn's value when it is non-zero. */
typedef int (*pt_leaf_fn)(void *arg, uint64_t va, uint64_t pa, uint64_t size, unsigned flags);
int pt_for_each_leaf(const struct page_table *pt, pt_leaf_fn fn, void *arg);

/* Hand every table page reachable from the root to free_table(env.ctx, pa),
 * children before their parent and the root last, then set root to 0. The
 * mapped memory itself is not touched. Tables that pt_map already dropped
 * (a large leaf written over them) are unreachable and not freed. Does nothing
 * when root is 0, so a second call is harmless. */
void pt_destroy(struct page_table *pt, void (*free_table)(void *ctx, uint64_t pa));

#endif
