/*
 * The hypervisor's page tables: every byte of RAM and the 32-bit MMIO hole
 * identity-mapped read/write and never executable, except tessera.efi's own
 * sections, mapped by what they hold (text RX, rodata and relocation data R,
 * data RW). Page 0 stays unmapped so a null pointer faults.
 */
#include <stddef.h>

#include <arch/cpu.h>
#include <arch/mmu.h>
#include <kernel/log.h>
#include <kernel/mem.h>
#include <kernel/paging.h>

/* Linker-script symbols (boot/tessera.lds) */
extern const char ImageBase[], _text[], _etext[], _rodata[], _erodata[], _data[], _edata[];

static struct page_table host_pt;
static uint64_t identity_top;

uint64_t mmu_identity_top(void) { return identity_top; }

static uint64_t alloc_table(void *ctx)
{
	(void)ctx;
	return frames_alloc(1, PAGE_SIZE, LIMIT_4G); /* APs load CR3 from 32-bit code */
}

static void *phys_to_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)pa;
}

uint64_t mmu_cr3(void) { return host_pt.root; }

int mmu_remap(uint64_t pa, uint64_t size, unsigned flags)
{
	uint64_t start = pa & ~(PAGE_SIZE - 1);
	uint64_t end = (pa + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	int err = pt_map(&host_pt, start, start, end - start, flags);
	for (uint64_t va = start; !err && va < end && read_cr3() == host_pt.root; va += PAGE_SIZE)
		invlpg(va);
	return err;
}

static int map_image(const struct boot_info *bi)
{
	uint64_t base = (uint64_t)ImageBase, end = base + bi->image_size;
	struct { uint64_t from, to; unsigned flags; } parts[] = {
		{ base, (uint64_t)_text, PT_READ },                       /* PE headers      */
		{ (uint64_t)_text, (uint64_t)_etext, PT_READ | PT_EXEC },
		{ (uint64_t)_etext, (uint64_t)_data, PT_READ },           /* .reloc, .rodata */
		{ (uint64_t)_data, (uint64_t)_edata, PT_READ | PT_WRITE },
		{ (uint64_t)_edata, end, PT_READ },                       /* .dynamic, .rela */
	};
	for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if (parts[i].to > parts[i].from &&
		    pt_map(&host_pt, parts[i].from, parts[i].from, parts[i].to - parts[i].from, parts[i].flags))
			return -1;
	}
	return 0;
}

/* Firmware-declared MMIO is mapped uncacheable instead of relying on MTRRs. */
static int map_mmio(const struct boot_info *bi)
{
	for (uint32_t i = 0; i < bi->mem_range_count; i++) {
		const struct boot_mem_range *r = &bi->mem[i];
		if (r->kind == BOOT_MEM_MMIO &&
		    pt_map(&host_pt, r->base, r->base, r->pages * PAGE_SIZE, PT_READ | PT_WRITE | PT_UC))
			return -1;
	}
	return 0;
}

int mmu_init(const struct boot_info *bi)
{
	struct pt_env env = { alloc_table, phys_to_virt, NULL };
	uint64_t top = mem_top(bi);
	top = top < LIMIT_4G ? LIMIT_4G : (top + PT_SIZE_1G - 1) & ~(PT_SIZE_1G - 1);

	identity_top = top;
	if (pt_init(&host_pt, &pt_format_x86, &env) ||
	    pt_map(&host_pt, 0, 0, top, PT_READ | PT_WRITE) ||
	    /* the lowest page of the boot stack becomes its guard page */
	    pt_map(&host_pt, bi->bsp_stack_top - BSP_STACK_PAGES * PAGE_SIZE, 0, PAGE_SIZE, 0) ||
	    pt_map(&host_pt, 0, 0, PAGE_SIZE, 0) || map_mmio(bi) ||
	    pt_map(&host_pt, 0xfec00000, 0xfec00000, 0x1400000, PT_READ | PT_WRITE | PT_UC) ||
	    map_image(bi)) {
		log_err("tessera: mmu: out of memory for page tables");
		return -1;
	}
	return 0;
}

void mmu_load(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE); /* NX bits are reserved without it */
	write_cr0(read_cr0() | CR0_WP);              /* read-only applies to ring 0 too */
	write_cr3(host_pt.root);
}

struct wx_count { unsigned leaves, wx; };

static int count_wx(void *arg, uint64_t va, uint64_t pa, uint64_t size, unsigned flags)
{
	struct wx_count *c = arg;
	(void)pa;
	c->leaves++;
	if ((flags & PT_WRITE) && (flags & PT_EXEC)) {
		c->wx++;
		log_err("tessera: wx check: 0x%lx+0x%lx is writable and executable", va, size);
	}
	return 0;
}

unsigned mmu_check_wx(void)
{
	struct wx_count c = { 0, 0 };
	pt_for_each_leaf(&host_pt, count_wx, &c);
	bool enforced = (rdmsr(MSR_EFER) & EFER_NXE) && (read_cr0() & CR0_WP) &&
			read_cr3() == host_pt.root;
	if (!enforced)
		c.wx++;
	log_info("tessera: wx check: %u mappings, %u writable+executable%s", c.leaves, c.wx,
		 enforced ? "" : " (NX or WP not enforced)");
	return c.wx;
}
