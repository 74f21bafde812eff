/*
 * Several vCPUs on one CPU. VM entry and exit switch what the VMCS/VMCB
 * holds; the rest of a guest's state stays in the CPU's registers while it
 * is descheduled: the x87/SSE/AVX registers (XSAVE, SDM Vol. 1 13), XCR0,
 * DR0-DR3 (SDM 18.2: neither VMX nor SVM switches them), SPEC_CTRL, and the
 * back end's own list (virt->vcpu_put / vcpu_load: on VMX CR2, DR6 and the
 * SYSCALL MSRs, SDM 27.3). Switching happens only when a different vCPU
 * runs next, so a dedicated CPU switches once.
 */
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/vcpu.h>
#include <arch/virt.h>
#include <kernel/mem.h>
#include <kernel/string.h>

#define CR4_OSXSAVE    (1ull << 18)
#define MSR_SPEC_CTRL  0x48
#define FXSAVE_SIZE    512
#define FPU_PAGES_MAX  4

static bool use_xsave(void) { return read_cr4() & CR4_OSXSAVE; }

static uint32_t fpu_pages(void)
{
	static uint32_t pages;
	if (!pages) {
		uint32_t size = use_xsave() ? cpuid(0xd, 0).ecx : FXSAVE_SIZE; /* SDM Vol. 1 13.2 */
		pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
		if (pages > FPU_PAGES_MAX)
			pages = FPU_PAGES_MAX;
	}
	return pages;
}

/* IA32_SPEC_CTRL exists with CPUID.7.EDX[26] (Intel) or 0x80000008 EBX[14] (AMD). */
static bool has_spec_ctrl(void)
{
	static int known = -1;
	if (known < 0) {
		bool intel = cpuid(0, 0).eax >= 7 && (cpuid(7, 0).edx >> 26) & 1;
		bool amd = cpuid(0x80000000, 0).eax >= 0x80000008 &&
			   (cpuid(0x80000008, 0).ebx >> 14) & 1;
		known = intel || amd;
	}
	return known;
}

/* Reset values: FCW 0x37F, MXCSR 0x1F80, an empty XSAVE header (XSTATE_BV
 * 0: every component in its initial state, SDM Vol. 1 13.8.1). */
static void fpu_init_image(void *fpu)
{
	memset(fpu, 0, fpu_pages() * PAGE_SIZE);
	*(uint16_t *)fpu = 0x37f;
	*(uint32_t *)((uint8_t *)fpu + 24) = 0x1f80;
}

int vcpu_switch_alloc(struct vcpu *v)
{
	uint64_t pa = frames_alloc(fpu_pages(), PAGE_SIZE, 0);
	if (!pa)
		return -1;
	v->fpu = (void *)pa;
	fpu_init_image(v->fpu);
	return 0;
}

void vcpu_switch_free(struct vcpu *v)
{
	if (this_cpu()->loaded_vcpu == v)
		this_cpu()->loaded_vcpu = NULL;
	if (v->fpu)
		frames_free((uint64_t)v->fpu, fpu_pages());
	v->fpu = NULL;
}

static void save(struct vcpu *v)
{
	if (use_xsave())
		__asm__ volatile("xsave64 (%0)" : : "r"(v->fpu), "a"(~0u), "d"(~0u) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(v->fpu) : "memory");
	__asm__ volatile("mov %%dr0, %0" : "=r"(v->dr[0]));
	__asm__ volatile("mov %%dr1, %0" : "=r"(v->dr[1]));
	__asm__ volatile("mov %%dr2, %0" : "=r"(v->dr[2]));
	__asm__ volatile("mov %%dr3, %0" : "=r"(v->dr[3]));
	if (has_spec_ctrl())
		v->spec_ctrl = rdmsr(MSR_SPEC_CTRL);
	if (virt->vcpu_put)
		virt->vcpu_put(v);
}

static void load(struct vcpu *v)
{
	if (virt->vcpu_load)
		virt->vcpu_load(v);
	if (use_xsave()) {
		__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)v->xcr0), "d"((uint32_t)(v->xcr0 >> 32)));
		__asm__ volatile("xrstor64 (%0)" : : "r"(v->fpu), "a"(~0u), "d"(~0u) : "memory");
	} else {
		__asm__ volatile("fxrstor64 (%0)" : : "r"(v->fpu) : "memory");
	}
	__asm__ volatile("mov %0, %%dr0" : : "r"(v->dr[0]));
	__asm__ volatile("mov %0, %%dr1" : : "r"(v->dr[1]));
	__asm__ volatile("mov %0, %%dr2" : : "r"(v->dr[2]));
	__asm__ volatile("mov %0, %%dr3" : : "r"(v->dr[3]));
	if (has_spec_ctrl())
		wrmsr(MSR_SPEC_CTRL, v->spec_ctrl);
}

void vcpu_switch_to(struct vcpu *v)
{
	struct percpu *c = this_cpu();
	if (c->loaded_vcpu == v)
		return;
	if (c->loaded_vcpu)
		save(c->loaded_vcpu);
	load(v);
	c->loaded_vcpu = v;
}

/* The image goes back to reset values; if the CPU holds v's state, that
 * is reloaded from the image. */
void vcpu_switch_reset(struct vcpu *v)
{
	fpu_init_image(v->fpu);
	v->dr[0] = v->dr[1] = v->dr[2] = v->dr[3] = 0;
	v->spec_ctrl = 0;
	if (this_cpu()->loaded_vcpu == v) {
		this_cpu()->loaded_vcpu = NULL;
		load(v);
		this_cpu()->loaded_vcpu = v;
	}
}
