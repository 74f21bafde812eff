/* Control-register writes that exit (VMX: bits the CPU fixes in VMX
 * operation, which we shadow) and XSETBV, checked as the hardware would
 * (SDM Vol. 2B MOV to CR, Vol. 2C XSETBV; Vol. 3A 2.5, 13.3). */
#include <arch/cpu.h>
#include <arch/exits.h>
#include <arch/guest_mem.h>
#include <arch/virt.h>

#define CR0_CD (1ull << 30)
#define CR0_NW (1ull << 29)
#define CR4_OSXSAVE (1ull << 18)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

/* CR4 bits the guest may set: VME..OSXMMEXCPT always, the rest only where
 * the CPU has the feature (SDM Vol. 3A 2.5; CPUID bits from Vol. 2A). VMXE
 * and SMXE stay ours. */
static uint64_t supported_cr4(void)
{
	static uint64_t cached;
	if (cached)
		return cached;
	struct cpuid_regs l1 = cpuid(1, 0), l7 = cpuid(0, 0).eax >= 7 ? cpuid(7, 0) : (struct cpuid_regs){ 0 };
	uint64_t ok = 0x7ff;
	if (l7.ecx & (1u << 3))
		ok |= 1ull << 22; /* PKE (LA57 and CET stay off: hidden in CPUID) */
	if (l7.ecx & (1u << 2))
		ok |= 1ull << 11; /* UMIP */
	if (l7.ebx & (1u << 0))
		ok |= 1ull << 16; /* FSGSBASE */
	if (l1.ecx & (1u << 17))
		ok |= 1ull << 17; /* PCIDE */
	if (l1.ecx & (1u << 26))
		ok |= CR4_OSXSAVE;
	if (l7.ebx & (1u << 7))
		ok |= 1ull << 20; /* SMEP */
	if (l7.ebx & (1u << 20))
		ok |= 1ull << 21; /* SMAP */
	return cached = ok;
}

static int check_cr0(struct vcpu *v, uint64_t value)
{
	uint64_t efer = virt->reg_read(v, VREG_EFER);
	if (value >> 32)
		return -1;
	if ((value & CR0_PG) && !(value & CR0_PE))
		return -1;
	if ((value & CR0_NW) && !(value & CR0_CD))
		return -1;
	if ((value & CR0_PG) && (efer & EFER_LME) && !(virt->reg_read(v, VREG_CR4) & CR4_PAE))
		return -1;
	if (!(value & CR0_PG) && (efer & EFER_LMA) && guest_code_bits(v) == 64)
		return -1; /* cannot leave paging from 64-bit code */
	return 0;
}

static void set_guest_cr0(struct vcpu *v, uint64_t value)
{
	uint64_t efer = virt->reg_read(v, VREG_EFER);
	virt->reg_write(v, VREG_CR0, value);
	/* SDM 10.8.5: LMA follows PG while LME is set. */
	bool lma = (value & CR0_PG) && (efer & EFER_LME);
	virt->reg_write(v, VREG_EFER, lma ? efer | EFER_LMA : efer & ~EFER_LMA);
}

static int check_cr4(struct vcpu *v, uint64_t value)
{
	if (value & ~supported_cr4())
		return -1;
	if (!(value & CR4_PAE) && (virt->reg_read(v, VREG_EFER) & EFER_LMA))
		return -1;
	return 0;
}

/* MOV to CRn is [REX] 0F 22 /r with mod = 11 (SDM Vol. 2B): when the back
 * end could not say which register, read it from the instruction. */
static int decode_mov_to_cr(struct vcpu *v, struct vm_exit *d)
{
	uint8_t b[4];
	struct vseg_state cs;
	virt->segment_read(v, VSEG_CS, &cs);
	uint64_t rip = virt->reg_read(v, VREG_RIP) + (guest_code_bits(v) == 64 ? 0 : cs.base);
	if (guest_read_linear(v, rip, b, sizeof b))
		return -1;
	unsigned i = 0, rex = 0;
	if (guest_code_bits(v) == 64 && (b[0] & 0xf0) == 0x40)
		rex = b[i++];
	if (b[i] != 0x0f || b[i + 1] != 0x22 || (b[i + 2] >> 6) != 3)
		return -1;
	d->cr.cr = (uint8_t)(((b[i + 2] >> 3) & 7) | ((rex & 4) << 1));
	d->cr.gpr = (b[i + 2] & 7) | ((rex & 1) << 3);
	d->insn_len = (uint8_t)(i + 3);
	return 0;
}

enum exit_result exit_cr_write(struct vcpu *v, const struct vm_exit *exit)
{
	struct vm_exit decoded = *exit, *e = &decoded;
	if ((e->cr.gpr < 0 || !e->insn_len) && decode_mov_to_cr(v, e)) {
		vcpu_stop(v, exit, "control-register write the hypervisor cannot decode");
		return EXIT_RESUME;
	}
	uint64_t value = e->cr.gpr == 4 ? virt->reg_read(v, VREG_RSP) : *vcpu_gpr(v, (unsigned)e->cr.gpr);
	if (e->cr.cr == 0 && !check_cr0(v, value)) {
		set_guest_cr0(v, value);
		virt->advance_rip(v, e->insn_len);
		return EXIT_RESUME;
	} else if (e->cr.cr == 4 && !check_cr4(v, value)) {
		/* SDM 4.10.4.1: changing PSE, PGE, PAE, PCIDE, SMEP, SMAP or PKE
		 * flushes the TLB; other CR4 bits do not. */
		uint64_t paging_bits = (1u << 4) | (1u << 5) | (1u << 7) | (1u << 17) | (1u << 20) |
				       (1u << 21) | (1u << 22);
		bool flush = (value ^ virt->reg_read(v, VREG_CR4)) & paging_bits;
		virt->reg_write(v, VREG_CR4, value);
		if (flush)
			virt->npt_flush(v);
		virt->advance_rip(v, e->insn_len);
		return EXIT_RESUME;
	} else if (e->cr.cr == 0 || e->cr.cr == 4) {
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	} else {
		vcpu_stop(v, e, "write to CR%u is not intercepted on purpose", e->cr.cr);
	}
	return EXIT_RESUME;
}

/* Components whose XCR0 rules are checked below: x87, SSE, AVX, MPX,
 * AVX-512, PKRU, AMX. Anything newer stays off until its rules are known,
 * so a guest cannot make the host's own XSETBV fault. Cached: CPUID exits. */
#define XCR0_KNOWN 0x602ffull
static uint64_t host_xcr0_mask(void)
{
	static uint64_t mask;
	if (!mask) {
		struct cpuid_regs r = cpuid(0xd, 0);
		mask = (((uint64_t)r.edx << 32) | r.eax) & XCR0_KNOWN;
	}
	return mask;
}

/* SDM Vol. 1 13.3: x87 always on; AVX needs SSE; AVX-512 state comes as a
 * whole and needs AVX; MPX state comes as a pair; so does AMX state. */
static bool xcr0_valid(uint64_t x)
{
	if (!(x & 1) || (x & ~host_xcr0_mask()))
		return false;
	if ((x & 4) && !(x & 2))
		return false;
	if (((x >> 3) & 3) == 1 || ((x >> 3) & 3) == 2)
		return false;
	if ((x & 0xe0) && ((x & 0xe0) != 0xe0 || !(x & 4)))
		return false;
	if (((x >> 17) & 3) == 1 || ((x >> 17) & 3) == 2)
		return false; /* AMX: XTILECFG and XTILEDATA only together */
	return true;
}

enum exit_result exit_xsetbv(struct vcpu *v, const struct vm_exit *e)
{
	uint64_t value = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	struct vseg_state ss;
	virt->segment_read(v, VSEG_SS, &ss);
	(void)e;
	if ((uint32_t)v->regs.rcx != 0 || ((ss.attrib >> 5) & 3) != 0 || !xcr0_valid(value)) {
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	v->xcr0 = value;
	/* The hypervisor itself uses no extended state: the guest's XCR0 can be
	 * the CPU's while it runs (switched on vCPU change by the scheduler). */
	__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
	return EXIT_ADVANCE;
}
