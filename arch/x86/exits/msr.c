/*
 * MSR accesses that exit. Everything not in the allow list below injects #GP,
 * as hardware does for an MSR that does not exist. Each entry says why the
 * guest may touch it. MSRs the CPU switches on entry and exit are not here:
 * they are passed through (see passthrough_msrs in vcpu.c).
 */
#include <stddef.h>

#include <arch/cpu.h>
#include <arch/exits.h>
#include <arch/virt.h>
#include <kernel/log.h>
#include <kernel/guest.h>
#include <kernel/vdev/platform.h>

#define MSR_TSC         0x010
#define MSR_PLATFORM_ID 0x017
#define MSR_APIC_BASE   0x01b
#define MSR_BIOS_SIGN   0x08b
#define MSR_MTRRCAP     0x0fe
#define MSR_MISC_ENABLE 0x1a0
#define MSR_PAT         0x277
#define MSR_MTRR_DEF    0x2ff
#define MSR_AMD_INT_PENDING 0xc0010055

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

struct msr_rule {
	uint32_t msr;
	int (*read)(struct vcpu *v, uint64_t *value);        /* NULL: #GP */
	int (*write)(struct vcpu *v, uint64_t value);         /* NULL: #GP; <0: #GP */
	const char *why;
};

static int read_zero(struct vcpu *v, uint64_t *value) { (void)v; *value = 0; return 0; }
static int write_ignore(struct vcpu *v, uint64_t value) { (void)v; (void)value; return 0; }

static int read_efer(struct vcpu *v, uint64_t *value)
{
	*value = virt->reg_read(v, VREG_EFER);
	return 0;
}

/* SDM Vol. 3A 2.2.1: reserved bits and LME under paging fault; LMA is the
 * CPU's to set. */
static int write_efer(struct vcpu *v, uint64_t value)
{
	uint64_t old = virt->reg_read(v, VREG_EFER);
	if (value & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
		return -1;
	if ((virt->reg_read(v, VREG_CR0) & CR0_PG) && ((value ^ old) & EFER_LME))
		return -1;
	virt->reg_write(v, VREG_EFER, (value & ~EFER_LMA) | (old & EFER_LMA));
	return 0;
}

static int read_pat(struct vcpu *v, uint64_t *value)
{
	*value = virt->reg_read(v, VREG_PAT);
	return 0;
}

/* SDM 13.12.2 (PAT): each type must be 0, 1, 4, 5, 6 or 7. */
static int write_pat(struct vcpu *v, uint64_t value)
{
	for (int i = 0; i < 8; i++) {
		uint8_t t = (value >> (i * 8)) & 0xff;
		if (t == 2 || t == 3 || t > 7)
			return -1;
	}
	virt->reg_write(v, VREG_PAT, value);
	return 0;
}

static int read_tsc(struct vcpu *v, uint64_t *value)
{
	*value = rdtsc() + virt->reg_read(v, VREG_TSC_OFFSET);
	return 0;
}

static int write_tsc(struct vcpu *v, uint64_t value)
{
	virt->reg_write(v, VREG_TSC_OFFSET, value - rdtsc());
	return 0;
}

/* No virtual local APIC yet: report the architectural default base with
 * the APIC disabled, refuse any change. */
static int read_apic_base(struct vcpu *v, uint64_t *value)
{
	*value = 0xfee00000ull | (v->id == 0 ? 1u << 8 : 0);
	return 0;
}

static int write_apic_base(struct vcpu *v, uint64_t value)
{
	uint64_t cur;
	read_apic_base(v, &cur);
	return value == cur ? 0 : -1;
}

static int read_misc_enable(struct vcpu *v, uint64_t *value)
{
	(void)v;
	*value = 1; /* fast strings; no MONITOR, no thermal control */
	return 0;
}

static const struct msr_rule rules[] = {
	{ MSR_EFER, read_efer, write_efer, "long mode and NX are the guest's own" },
	{ MSR_PAT, read_pat, write_pat, "page attribute types are per guest (VMCS/VMCB field)" },
	{ MSR_TSC, read_tsc, write_tsc, "guest TSC is the host's plus a per-vCPU offset" },
	{ MSR_APIC_BASE, read_apic_base, write_apic_base, "reported, never movable" },
	{ MSR_PLATFORM_ID, read_zero, NULL, "read by microcode loaders; no information" },
	{ MSR_BIOS_SIGN, read_zero, write_ignore, "microcode revision probe: reads 0" },
	{ MSR_MTRRCAP, read_zero, NULL, "no MTRRs: memory types come from nested paging" },
	{ MSR_MTRR_DEF, read_zero, write_ignore, "no MTRRs to enable" },
	{ MSR_MISC_ENABLE, read_misc_enable, write_ignore, "fixed value, writes have no effect" },
	{ MSR_AMD_INT_PENDING, read_zero, write_ignore,
	  "AMD interrupt-pending message: 0 = no C1E (Linux reads it on family 0Fh/10h)" },
};

static const struct msr_rule *find_rule(uint32_t msr)
{
	for (unsigned i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (rules[i].msr == msr)
			return &rules[i];
	return NULL;
}

static enum exit_result refuse(struct vcpu *v, uint32_t msr, const char *what)
{
	log_debug("tessera: guest %s vcpu %u: %s of MSR 0x%x refused (#GP)", v->guest->name, v->id,
		  what, msr);
	vcpu_inject_gp(v);
	return EXIT_RESUME;
}

/* The local APIC's MSRs belong to the virtual platform when there is one. */
static int platform_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *value)
{
	if (!v->guest->platform)
		return 1;
	return vplat_msr(v, msr, write, value, rdtsc() + virt->reg_read(v, VREG_TSC_OFFSET));
}

enum exit_result exit_msr_read(struct vcpu *v, const struct vm_exit *e)
{
	const struct msr_rule *r = find_rule(e->msr.msr);
	uint64_t value;
	int p = platform_msr(v, e->msr.msr, false, &value);
	if (p < 0)
		return refuse(v, e->msr.msr, "read");
	if (p == 0) {
		v->regs.rax = (uint32_t)value;
		v->regs.rdx = value >> 32;
		return EXIT_ADVANCE;
	}
	if (!r || !r->read || r->read(v, &value))
		return refuse(v, e->msr.msr, "read");
	v->regs.rax = (uint32_t)value;
	v->regs.rdx = value >> 32;
	return EXIT_ADVANCE;
}

enum exit_result exit_msr_write(struct vcpu *v, const struct vm_exit *e)
{
	const struct msr_rule *r = find_rule(e->msr.msr);
	uint64_t value = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	int p = platform_msr(v, e->msr.msr, true, &value);
	if (p <= 0)
		return p < 0 ? refuse(v, e->msr.msr, "write") : EXIT_ADVANCE;
	if (!r || !r->write || r->write(v, value))
		return refuse(v, e->msr.msr, "write");
	return EXIT_ADVANCE;
}
