/* Guest page-table walks for instruction fetch and string I/O (SDM Vol. 3A
 * 4.3 32-bit paging, 4.4 PAE, 4.5 4-level). Permission bits are not checked:
 * the guest already executed the access and took the exit for its address. */
#include <arch/cpu.h>
#include <arch/guest_mem.h>
#include <arch/virt.h>
#include <kernel/guest.h>
#include <kernel/string.h>

#define PTE_P  1ull
#define PTE_PS (1ull << 7)
#define ADDR_MASK 0x000ffffffffff000ull
#define CR4_PSE (1ull << 4)
#define EFER_LMA (1ull << 10)

struct walk_mode {
	uint8_t levels, width;     /* entry width in bytes */
	uint8_t shift[4];
	uint16_t mask[4];
	uint8_t large_min_shift;   /* PS honoured from this shift ... (0: never) */
	uint8_t large_max_shift;   /* ... up to this one (PML4 entries have no PS) */
};

static const struct walk_mode mode_long = { 4, 8, { 39, 30, 21, 12 }, { 511, 511, 511, 511 }, 21, 30 };
static const struct walk_mode mode_pae = { 3, 8, { 30, 21, 12 }, { 3, 511, 511 }, 21, 21 };
static const struct walk_mode mode_32 = { 2, 4, { 22, 12 }, { 1023, 1023 }, 22, 22 };
static const struct walk_mode mode_32_nopse = { 2, 4, { 22, 12 }, { 1023, 1023 }, 0, 0 };

static int read_entry(struct vcpu *v, uint64_t gpa, unsigned width, uint64_t *entry)
{
	void *p = guest_ram_ptr(v->guest, gpa, width);
	if (!p)
		return -1;
	*entry = width == 8 ? *(uint64_t *)p : *(uint32_t *)p;
	return (*entry & PTE_P) ? 0 : -1;
}

/* table: physical address of the first-level table, already aligned. */
static int walk(struct vcpu *v, uint64_t linear, uint64_t table, const struct walk_mode *m,
		uint64_t *gpa)
{
	uint64_t addr_mask = m->width == 8 ? ADDR_MASK : 0xfffff000u;
	for (unsigned i = 0; i < m->levels; i++) {
		uint64_t entry, size = 1ull << m->shift[i];
		uint64_t index = (linear >> m->shift[i]) & m->mask[i];
		if (read_entry(v, table + index * m->width, m->width, &entry))
			return -1;
		bool leaf_level = i + 1 == m->levels;
		bool large = !leaf_level && m->large_min_shift && m->shift[i] >= m->large_min_shift &&
			     m->shift[i] <= m->large_max_shift && (entry & PTE_PS);
		if (large) {
			*gpa = (entry & addr_mask & ~(size - 1)) | (linear & (size - 1));
			return 0;
		}
		table = entry & addr_mask;
	}
	*gpa = table | (linear & 0xfff);
	return 0;
}

int guest_translate(struct vcpu *v, uint64_t linear, uint64_t *gpa)
{
	uint64_t cr0 = virt->reg_read(v, VREG_CR0), cr3 = virt->reg_read(v, VREG_CR3);
	uint64_t cr4 = virt->reg_read(v, VREG_CR4);
	if (!(cr0 & CR0_PG)) {
		*gpa = linear & 0xffffffffull;
		return 0;
	}
	if (virt->reg_read(v, VREG_EFER) & EFER_LMA)
		return walk(v, linear, cr3 & ADDR_MASK, &mode_long, gpa);
	if (cr4 & CR4_PAE)
		return walk(v, (uint32_t)linear, cr3 & 0xffffffe0u, &mode_pae, gpa);
	return walk(v, (uint32_t)linear, cr3 & 0xfffff000u, (cr4 & CR4_PSE) ? &mode_32 : &mode_32_nopse, gpa);
}

static int copy_linear(struct vcpu *v, uint64_t linear, uint8_t *buf, unsigned len, bool write)
{
	while (len) {
		unsigned chunk = 4096 - (linear & 0xfff);
		if (chunk > len)
			chunk = len;
		uint64_t gpa;
		uint8_t *p;
		if (guest_translate(v, linear, &gpa))
			return -1;
		p = write ? guest_ram_ptr_writable(v->guest, gpa, chunk) : guest_ram_ptr(v->guest, gpa, chunk);
		if (!p)
			return -1;
		if (write)
			memcpy(p, buf, chunk);
		else
			memcpy(buf, p, chunk);
		linear += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

int guest_read_linear(struct vcpu *v, uint64_t linear, void *out, unsigned len)
{
	return copy_linear(v, linear, out, len, false);
}

int guest_write_linear(struct vcpu *v, uint64_t linear, const void *in, unsigned len)
{
	return copy_linear(v, linear, (uint8_t *)in, len, true);
}

unsigned guest_code_bits(struct vcpu *v)
{
	struct vseg_state cs;
	virt->segment_read(v, VSEG_CS, &cs);
	if (!(virt->reg_read(v, VREG_CR0) & CR0_PE))
		return 16;
	if ((virt->reg_read(v, VREG_EFER) & EFER_LMA) && (cs.attrib & (1u << 13)))
		return 64;
	return (cs.attrib & (1u << 14)) ? 32 : 16;
}
