/*
 * Nested page faults. An address a device model claimed is emulated: the
 * instruction at the guest's RIP is fetched through its own page tables,
 * decoded (arch/x86/insn_decode.c), and carried out against the model. Any
 * other fault is the guest reaching outside its memory, or writing its ROM:
 * the vCPU is stopped, nothing is mapped on demand.
 */
#include <arch/exits.h>
#include <arch/guest_mem.h>
#include <arch/insn.h>
#include <arch/virt.h>
#include <kernel/guest.h>
#include <kernel/string.h>

#define RFLAGS_DF (1ull << 10)
#define ARITH_FLAGS 0x8d5ull /* CF PF AF ZF SF OF */

struct mmio_ctx {
	struct vcpu *v;
	const struct vm_exit *e;
	const struct mmio_region *r;
	struct insn in;
};

static uint64_t size_mask(unsigned size) { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }

static uint64_t reg_get(struct vcpu *v, int reg, bool high8, unsigned size)
{
	uint64_t val = reg == 4 ? virt->reg_read(v, VREG_RSP) : *vcpu_gpr(v, (unsigned)reg);
	return (high8 ? val >> 8 : val) & size_mask(size);
}

/* SDM Vol. 1 3.4.1.1: 32-bit results zero-extend, 8/16-bit ones merge. */
static void reg_set(struct vcpu *v, int reg, bool high8, unsigned size, uint64_t val)
{
	uint64_t old = reg == 4 ? virt->reg_read(v, VREG_RSP) : *vcpu_gpr(v, (unsigned)reg);
	uint64_t new;
	if (high8)
		new = (old & ~0xff00ull) | ((val & 0xff) << 8);
	else if (size >= 4)
		new = val & size_mask(size);
	else
		new = (old & ~size_mask(size)) | (val & size_mask(size));
	if (reg == 4)
		virt->reg_write(v, VREG_RSP, new);
	else
		*vcpu_gpr(v, (unsigned)reg) = new;
}

/* A PC's bus answers an address nothing decodes with all ones and drops
 * writes (a master abort). Guests with a virtual platform get that, since
 * their kernels probe (and users read /dev/mem); raw guests are stopped. */
static bool unbacked(const struct guest *g, uint64_t gpa)
{
	return g->platform && !guest_mmio_find(g, gpa) && !guest_ram_ptr(g, gpa, 1);
}

static int mmio(struct mmio_ctx *c, uint64_t gpa, bool write, uint64_t *val)
{
	const struct mmio_region *r = guest_mmio_find(c->v->guest, gpa);
	if (!r && unbacked(c->v->guest, gpa)) {
		if (!write)
			*val = ~0ull;
		return 0;
	}
	if (!r)
		return -1;
	return r->fn(c->v, r->ctx, gpa, c->in.mem_size, write, val);
}

static int fetch(struct vcpu *v, uint8_t *bytes, size_t *len)
{
	struct vseg_state cs;
	virt->segment_read(v, VSEG_CS, &cs);
	uint64_t linear = virt->reg_read(v, VREG_RIP) + (guest_code_bits(v) == 64 ? 0 : cs.base);
	unsigned first = 4096 - (linear & 0xfff);
	if (first > INSN_MAX_LEN)
		first = INSN_MAX_LEN;
	if (guest_read_linear(v, linear, bytes, first))
		return -1;
	*len = first;
	if (first < INSN_MAX_LEN && !guest_read_linear(v, linear + first, bytes + first, INSN_MAX_LEN - first))
		*len = INSN_MAX_LEN; /* the next page may legitimately be absent */
	return 0;
}

static void set_flags(struct vcpu *v, uint64_t flags)
{
	uint64_t rf = virt->reg_read(v, VREG_RFLAGS);
	virt->reg_write(v, VREG_RFLAGS, (rf & ~ARITH_FLAGS) | (flags & ARITH_FLAGS));
}

static uint64_t sign_extend(uint64_t v, unsigned from)
{
	unsigned shift = 64 - from * 8;
	return (uint64_t)((int64_t)(v << shift) >> shift);
}

static int emulate_mov(struct mmio_ctx *c, uint64_t gpa)
{
	struct insn *in = &c->in;
	uint64_t val;
	if (in->mem_is_dest) {
		val = in->has_imm ? in->imm : reg_get(c->v, in->reg, in->reg_high8, in->mem_size);
		return mmio(c, gpa, true, &val);
	}
	if (mmio(c, gpa, false, &val))
		return -1;
	val &= size_mask(in->mem_size);
	if (in->op == INSN_MOVSX)
		val = sign_extend(val, in->mem_size);
	reg_set(c->v, in->reg, in->reg_high8, in->op == INSN_MOV ? in->mem_size : in->reg_size, val);
	return 0;
}

static int emulate_alu(struct mmio_ctx *c, uint64_t gpa)
{
	struct insn *in = &c->in;
	uint64_t m, flags = virt->reg_read(c->v, VREG_RFLAGS);
	if (mmio(c, gpa, false, &m))
		return -1;
	m &= size_mask(in->mem_size);
	uint64_t other = in->has_imm ? in->imm : reg_get(c->v, in->reg, in->reg_high8, in->mem_size);
	uint64_t a = in->mem_is_dest ? m : other, b = in->mem_is_dest ? other : m;
	uint64_t res = insn_alu(in->op, in->mem_size, a, b, &flags);
	set_flags(c->v, flags);
	if (in->op == INSN_TEST || in->op == INSN_CMP)
		return 0;
	if (in->mem_is_dest)
		return mmio(c, gpa, true, &res);
	reg_set(c->v, in->reg, in->reg_high8, in->mem_size, res);
	return 0;
}

/* One element per exit: with a REP prefix the instruction runs again until
 * RCX is exhausted, each element faulting into here. Returns 1 when the
 * instruction is done, 0 when it must re-execute, -1 on failure. */
static int emulate_string(struct mmio_ctx *c, uint64_t gpa)
{
	struct insn *in = &c->in;
	struct vcpu *v = c->v;
	uint64_t amask = size_mask(in->addr_size);
	int64_t step = (virt->reg_read(v, VREG_RFLAGS) & RFLAGS_DF) ? -(int64_t)in->mem_size : in->mem_size;
	if (in->rep && !(v->regs.rcx & amask))
		return 1;
	uint64_t val = v->regs.rax & size_mask(in->mem_size);
	if (in->op == INSN_MOVS) {
		uint64_t src_gpa;
		bool src_is_mmio = !guest_translate(v, v->regs.rsi & amask, &src_gpa) &&
				   (src_gpa & ~0xfffull) == (gpa & ~0xfffull);
		if (src_is_mmio ? mmio(c, gpa, false, &val)
				: guest_read_linear(v, v->regs.rsi & amask, &val, in->mem_size))
			return -1;
		if (src_is_mmio ? guest_write_linear(v, v->regs.rdi & amask, &val, in->mem_size)
				: mmio(c, gpa, true, &val))
			return -1;
		v->regs.rsi = (v->regs.rsi & ~amask) | ((v->regs.rsi + (uint64_t)step) & amask);
	} else if (mmio(c, gpa, true, &val)) {
		return -1;
	}
	v->regs.rdi = (v->regs.rdi & ~amask) | ((v->regs.rdi + (uint64_t)step) & amask);
	if (!in->rep)
		return 1;
	v->regs.rcx = (v->regs.rcx & ~amask) | ((v->regs.rcx - 1) & amask);
	return (v->regs.rcx & amask) ? 0 : 1;
}

static enum exit_result emulate(struct vcpu *v, const struct vm_exit *e)
{
	struct mmio_ctx c = { .v = v, .e = e };
	uint8_t bytes[INSN_MAX_LEN];
	size_t len;
	unsigned bits = guest_code_bits(v);
	enum insn_mode mode = bits == 64 ? INSN_MODE_64 : bits == 32 ? INSN_MODE_32 : INSN_MODE_16;
	if (fetch(v, bytes, &len)) {
		vcpu_stop(v, e, "MMIO access from code the hypervisor cannot fetch");
		return EXIT_RESUME;
	}
	if (insn_decode(bytes, len, mode, &c.in)) {
		vcpu_stop(v, e, "MMIO access by an instruction not emulated: %02x %02x %02x %02x %02x",
			  bytes[0], bytes[1], bytes[2], bytes[3], bytes[4]);
		return EXIT_RESUME;
	}
	int done;
	if (c.in.op == INSN_MOV || c.in.op == INSN_MOVZX || c.in.op == INSN_MOVSX)
		done = emulate_mov(&c, e->npf.gpa) ? -1 : 1;
	else if (c.in.op == INSN_STOS || c.in.op == INSN_MOVS)
		done = emulate_string(&c, e->npf.gpa);
	else
		done = emulate_alu(&c, e->npf.gpa) ? -1 : 1;
	if (done < 0) {
		vcpu_stop(v, e, "MMIO emulation failed at gpa 0x%lx", e->npf.gpa);
		return EXIT_RESUME;
	}
	if (done)
		virt->advance_rip(v, c.in.length);
	return EXIT_RESUME;
}

enum exit_result exit_npf(struct vcpu *v, const struct vm_exit *e)
{
	const char *how = e->npf.fetch ? "fetch" : e->npf.write ? "write" : "read";
	if ((guest_mmio_find(v->guest, e->npf.gpa) || unbacked(v->guest, e->npf.gpa)) && !e->npf.fetch)
		return emulate(v, e);
	if (guest_ram_ptr(v->guest, e->npf.gpa, 1))
		vcpu_stop(v, e, "%s of protected guest memory at gpa 0x%lx", how, e->npf.gpa);
	else
		vcpu_stop(v, e, "%s outside the guest's memory at gpa 0x%lx", how, e->npf.gpa);
	return EXIT_RESUME;
}
