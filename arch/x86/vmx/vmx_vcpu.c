/*
 * VMX vCPUs: the VMCS (SDM Vol. 3C chapter 25, "Organization of VMCS Data"),
 * guest and host state, controls adjusted through the capability MSRs, EPT,
 * VPID, MSR and I/O bitmaps that deny everything until common code allows it.
 */
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/virt.h>
#include <kernel/log.h>
#include <kernel/mem.h>
#include <kernel/paging.h>
#include <kernel/panic.h>
#include <kernel/string.h>

#include "vmcs.h"
#include "vmx.h"

struct vmx_vcpu {
	uint64_t vmcs;       /* physical addresses, one page each */
	uint64_t msr_bitmap;
	uint64_t io_bitmaps; /* A (ports 0-7fff) then B */
	uint16_t vpid;
	uint32_t entry_ctls;
	uint32_t pin_ctls;   /* as written, with or without the preemption timer */
	struct percpu *loaded_on;
	/* Guest state outside the VMCS, kept while another vCPU has the CPU
	 * (vmx_vcpu_put): CR2 and DR6 (SDM 27.3: not saved or loaded), the
	 * SYSCALL MSRs the guest reaches directly. */
	uint64_t cr2, dr6;
	uint64_t msr[5];
};

/* KERNEL_GS_BASE, STAR, LSTAR, CSTAR, SFMASK */
static const uint32_t switched_msrs[5] = { 0xc0000102, 0xc0000081, 0xc0000082, 0xc0000083,
					   0xc0000084 };

#define MSR_VMX_MISC 0x485
static bool preempt_timer_ok;      /* SDM A.3.1: allowed-1 pin-based bit 6 */
static unsigned preempt_timer_rate; /* SDM A.6: timer ticks every 2^rate TSC ticks */

#define EPTP_WB_4LEVEL ((3ull << 3) | 6) /* SDM 25.6.11: walk length - 1, memory type */

static uint16_t next_vpid = 1;

/* Controls: bits the CPU requires are set, bits it cannot do are reported.
 * Low half of the capability MSR = must be 1, high half = may be 1 (A.3). */
static int adjust_ctls(uint32_t msr, uint32_t want, uint32_t optional, uint32_t *out, const char *what)
{
	uint64_t cap = rdmsr(msr);
	uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32);
	if (want & ~may) {
		log_err("tessera: vmx: %s controls 0x%x not supported (allowed 0x%x)", what, want & ~may, may);
		return -1;
	}
	*out = (want | (optional & may) | must) & may;
	return 0;
}

static uint32_t cap_msr(uint32_t plain, uint32_t true_msr)
{
	return vmx_caps.true_ctls ? true_msr : plain;
}

static int setup_controls(struct vmx_vcpu *x)
{
	uint32_t pin, proc, proc2, exit;
	if (adjust_ctls(cap_msr(MSR_VMX_PINBASED_CTLS, MSR_VMX_TRUE_PINBASED),
			PIN_EXTINT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS, 0, &pin, "pin-based") ||
	    adjust_ctls(cap_msr(MSR_VMX_PROCBASED_CTLS, MSR_VMX_TRUE_PROCBASED),
			PROC_HLT_EXITING | PROC_MWAIT_EXITING | PROC_RDPMC_EXITING | PROC_MONITOR_EXITING |
			PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_SECONDARY | PROC_USE_TSC_OFFSET,
			0, &proc, "processor-based") ||
	    adjust_ctls(MSR_VMX_PROCBASED_CTLS2, PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED |
			PROC2_WBINVD_EXITING, PROC2_RDTSCP | PROC2_INVPCID | PROC2_XSAVES, &proc2,
			"secondary") ||
	    adjust_ctls(cap_msr(MSR_VMX_EXIT_CTLS, MSR_VMX_TRUE_EXIT),
			EXIT_HOST_64 | EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
			EXIT_SAVE_DEBUG,
			0, &exit, "exit") ||
	    adjust_ctls(cap_msr(MSR_VMX_ENTRY_CTLS, MSR_VMX_TRUE_ENTRY),
			ENTRY_LOAD_PAT | ENTRY_LOAD_EFER | ENTRY_LOAD_DEBUG, 0, &x->entry_ctls, "entry"))
		return -1;
	uint32_t may_pin = (uint32_t)(rdmsr(cap_msr(MSR_VMX_PINBASED_CTLS, MSR_VMX_TRUE_PINBASED)) >> 32);
	preempt_timer_ok = may_pin & PIN_PREEMPT_TIMER;
	preempt_timer_rate = rdmsr(MSR_VMX_MISC) & 0x1f;
	x->pin_ctls = pin;
	vmwrite(VMCS_PIN_CTLS, pin);
	vmwrite(VMCS_PROC_CTLS, proc);
	vmwrite(VMCS_PROC_CTLS2, proc2);
	vmwrite(VMCS_EXIT_CTLS, exit);
	vmwrite(VMCS_ENTRY_CTLS, x->entry_ctls);
	return 0;
}

/* Host state: this CPU's own descriptors (SDM 26.2.2/26.2.3 checks). */
static void setup_host_state(struct percpu *c)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr;
	__asm__ volatile("sidt %0" : "=m"(idtr));
	vmwrite(VMCS_HOST_CR0, read_cr0());
	vmwrite(VMCS_HOST_CR3, read_cr3());
	vmwrite(VMCS_HOST_CR4, read_cr4());
	vmwrite(VMCS_HOST_CS_SEL, GDT_KERNEL_CS);
	vmwrite(VMCS_HOST_SS_SEL, GDT_KERNEL_DS);
	vmwrite(VMCS_HOST_DS_SEL, GDT_KERNEL_DS);
	vmwrite(VMCS_HOST_ES_SEL, GDT_KERNEL_DS);
	vmwrite(VMCS_HOST_FS_SEL, 0);
	vmwrite(VMCS_HOST_GS_SEL, 0);
	vmwrite(VMCS_HOST_TR_SEL, GDT_TSS);
	vmwrite(VMCS_HOST_FS_BASE, 0);
	vmwrite(VMCS_HOST_GS_BASE, (uint64_t)c);
	vmwrite(VMCS_HOST_TR_BASE, (uint64_t)&c->tss);
	vmwrite(VMCS_HOST_GDTR_BASE, (uint64_t)c->gdt);
	vmwrite(VMCS_HOST_IDTR_BASE, idtr.base);
	vmwrite(VMCS_HOST_SYSENTER_CS, 0);
	vmwrite(VMCS_HOST_SYSENTER_ESP, 0);
	vmwrite(VMCS_HOST_SYSENTER_EIP, 0);
	vmwrite(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmwrite(VMCS_HOST_PAT, rdmsr(0x277));
	vmwrite(VMCS_HOST_RIP, (uint64_t)vmx_exit_stub);
}

/* Make x's VMCS current on this CPU (SDM 25.1: one current VMCS per CPU);
 * host state is per CPU, so it is written when the VMCS arrives here. */
static int vmcs_load(struct vmx_vcpu *x)
{
	uint8_t fail;
	if (this_cpu()->current_vmcs == x->vmcs && x->loaded_on == this_cpu())
		return 0;
	__asm__ volatile("vmptrld %1; setna %0" : "=r"(fail) : "m"(x->vmcs) : "cc", "memory");
	if (fail)
		return -1;
	this_cpu()->current_vmcs = x->vmcs;
	if (x->loaded_on != this_cpu()) {
		x->loaded_on = this_cpu();
		setup_host_state(x->loaded_on);
	}
	return 0;
}

static uint64_t alloc_filled(unsigned pages, uint8_t fill)
{
	uint64_t pa = frames_alloc(pages, PAGE_SIZE, 0);
	if (pa)
		memset((void *)pa, fill, pages * PAGE_SIZE);
	return pa;
}

static void setup_static_guest_fields(struct vmx_vcpu *x, struct vcpu *v)
{
	vmwrite(VMCS_LINK_POINTER, ~0ull);
	vmwrite(VMCS_VPID, x->vpid);
	vmwrite(VMCS_EPT_POINTER, v->npt_root | EPTP_WB_4LEVEL);
	vmwrite(VMCS_MSR_BITMAP, x->msr_bitmap);
	vmwrite(VMCS_IO_BITMAP_A, x->io_bitmaps);
	vmwrite(VMCS_IO_BITMAP_B, x->io_bitmaps + PAGE_SIZE);
	/* #AC and #DB can loop forever inside event delivery (CVE-2015-5307,
	 * CVE-2015-8104): intercept and reflect them; #MC belongs to the host. */
	vmwrite(VMCS_EXCEPTION_BITMAP, (1u << EXC_AC) | (1u << EXC_DB) | (1u << EXC_MC));
	vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	/* Bits the CPU fixes in VMX operation are owned by us and shadowed
	 * (SDM 25.6.6); with unrestricted guest PE and PG are the guest's. */
	uint64_t cr0_own = (vmx_caps.cr0_fixed0 | ~vmx_caps.cr0_fixed1) & ~(CR0_PE | CR0_PG);
	vmwrite(VMCS_CR0_MASK, cr0_own & 0xffffffff);
	vmwrite(VMCS_CR4_MASK, vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1);
}

static void vmx_npt_flush(struct vcpu *v);

static int vmx_vcpu_create(struct vcpu *v)
{
	struct vmx_vcpu *x = (struct vmx_vcpu *)frames_alloc(1, PAGE_SIZE, 0);
	if (!x)
		return -1;
	x->vmcs = frames_alloc(1, PAGE_SIZE, 0);
	x->msr_bitmap = alloc_filled(1, 0xff); /* SDM 25.6.9: set bit = exit */
	x->io_bitmaps = alloc_filled(2, 0xff); /* SDM 25.6.4 */
	x->vpid = next_vpid++;
	v->hw = x;
	if (!x->vmcs || !x->msr_bitmap || !x->io_bitmaps || !x->vpid)
		return -1;
	*(uint32_t *)x->vmcs = vmx_caps.vmcs_revision;
	__asm__ volatile("vmclear %0" : : "m"(x->vmcs) : "cc", "memory");
	if (vmcs_load(x) || setup_controls(x))
		return -1;
	setup_static_guest_fields(x, v);
	vmx_npt_flush(v);
	return 0;
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *x = v->hw;
	if (!x)
		return;
	vmx_npt_flush(v); /* the tables are about to be freed and reused */
	if (x->vmcs) {
		__asm__ volatile("vmclear %0" : : "m"(x->vmcs) : "cc", "memory");
		if (this_cpu()->current_vmcs == x->vmcs)
			this_cpu()->current_vmcs = 0;
		frames_free(x->vmcs, 1);
	}
	if (x->msr_bitmap)
		frames_free(x->msr_bitmap, 1);
	if (x->io_bitmaps)
		frames_free(x->io_bitmaps, 2);
	frames_free((uint64_t)x, 1);
	v->hw = NULL;
}

static void vmx_msr_passthrough(struct vcpu *v, uint32_t msr, bool read, bool write)
{
	struct vmx_vcpu *x = v->hw;
	uint8_t *bm = (uint8_t *)x->msr_bitmap;
	unsigned half; /* SDM 25.6.9: read low, read high, write low, write high */
	if (msr <= 0x1fff)
		half = 0;
	else if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		half = 1024;
	else
		return;
	uint32_t bit = msr & 0x1fff;
	if (read)
		bm[half + bit / 8] &= ~(1u << (bit % 8));
	if (write)
		bm[2048 + half + bit / 8] &= ~(1u << (bit % 8));
}

/* SDM 29.4.3.4: cached guest-physical translations are tagged by the EPTP
 * alone; a root frame reused by another guest must not find old entries. */
static void vmx_npt_flush(struct vcpu *v)
{
	struct { uint64_t eptp, zero; } desc = { v->npt_root | EPTP_WB_4LEVEL, 0 };
	uint64_t type = vmx_caps.invept_single ? 1 : 2; /* single-context, else all */
	__asm__ volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

static void vmx_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
	struct vmx_vcpu *x = v->hw;
	*e = (struct vm_exit){ .kind = EXIT_NONE }; /* plain stores: no rep stos in the hot path */
	if (vmcs_load(x)) {
		e->kind = EXIT_ENTRY_FAILED;
		e->fail.why = "VMPTRLD failed";
		return;
	}
	int r = vmx_enter(&v->regs, v->launched);
	if (r) {
		e->kind = EXIT_ENTRY_FAILED;
		e->fail.why = r == 1 ? "VMfailInvalid" : vmx_insn_error_name((unsigned)vmread(VMCS_INSN_ERROR));
		e->raw = r == 1 ? 0 : vmread(VMCS_INSN_ERROR);
		return;
	}
	vmx_decode_exit(v, e);
	if (!(e->raw & (1u << 31)))
		v->launched = true; /* an entry that failed late leaves the VMCS clear */
	if (e->kind == EXIT_NMI)
		__asm__ volatile("int $2"); /* SDM 27.2.2: the exit consumed it; the host's it is */
}

static void vmx_vcpu_put(struct vcpu *v)
{
	struct vmx_vcpu *x = v->hw;
	x->cr2 = read_cr2();
	__asm__ volatile("mov %%dr6, %0" : "=r"(x->dr6));
	for (int i = 0; i < 5; i++)
		x->msr[i] = rdmsr(switched_msrs[i]);
}

/* The first load restores zeros: the reset values of all of them but DR6. */
static void vmx_vcpu_load(struct vcpu *v)
{
	struct vmx_vcpu *x = v->hw;
	vmcs_load(x);
	write_cr2(x->cr2);
	uint64_t dr6 = x->dr6 ? x->dr6 : 0xffff0ff0; /* SDM 18.2.3 */
	__asm__ volatile("mov %0, %%dr6" : : "r"(dr6));
	for (int i = 0; i < 5; i++)
		wrmsr(switched_msrs[i], x->msr[i]);
}

/* SDM 26.5.1: the timer counts down from the VMCS value at the TSC rate
 * divided by 2^rate, and exits at zero. */
static bool vmx_slice_timer(struct vcpu *v, uint64_t tsc_deadline)
{
	struct vmx_vcpu *x = v->hw;
	if (!preempt_timer_ok)
		return false;
	uint32_t pin = tsc_deadline ? x->pin_ctls | PIN_PREEMPT_TIMER : x->pin_ctls & ~PIN_PREEMPT_TIMER;
	if (pin != x->pin_ctls) {
		x->pin_ctls = pin;
		vmwrite(VMCS_PIN_CTLS, pin);
	}
	if (tsc_deadline) {
		uint64_t now = rdtsc();
		uint64_t ticks = tsc_deadline > now ? (tsc_deadline - now) >> preempt_timer_rate : 0;
		vmwrite(VMCS_PREEMPT_TIMER, ticks > 0xffffffffull ? 0xffffffffull : ticks);
	}
	return true;
}

static bool vmx_npt_has_1g(void) { return vmx_caps.ept_1g; } /* SDM A.10 bit 17 */

const struct virt_ops vmx_ops = {
	.name = "vmx",
	.hypercall_insn = "vmcall",
	.probe = vmx_probe,
	.cpu_enable = vmx_cpu_enable,
	.npt_format = &pt_format_ept,
	.npt_has_1g = vmx_npt_has_1g,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_load_state = vmx_load_state,
	.vcpu_run = vmx_vcpu_run,
	.vcpu_put = vmx_vcpu_put,
	.vcpu_load = vmx_vcpu_load,
	.slice_timer = vmx_slice_timer,
	.advance_rip = vmx_advance_rip,
	.reg_read = vmx_reg_read,
	.reg_write = vmx_reg_write,
	.segment_read = vmx_segment_read,
	.inject = vmx_inject,
	.intr_ready = vmx_intr_ready,
	.intr_window = vmx_intr_window,
	.msr_passthrough = vmx_msr_passthrough,
	.npt_flush = vmx_npt_flush,
};
