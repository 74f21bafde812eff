/* AMD SVM: feature check and EFER.SVME on every CPU (APM Vol. 2 15.4 "Enabling
 * SVM", 15.30.1 VM_CR, 15.30.4 VM_HSAVE_PA; CPUID Fn8000_000A in APM Vol. 3). */
#include <arch/cpu.h>
#include <arch/virt.h>
#include <kernel/log.h>
#include <kernel/mem.h>

#include "svm.h"

#define MSR_VM_CR       0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117
#define VM_CR_LOCK   (1ull << 3)
#define VM_CR_SVMDIS (1ull << 4)

/* CPUID Fn8000_000A EDX */
#define SVM_NP       (1u << 0)
#define SVM_NRIPS    (1u << 3)
#define SVM_CLEAN    (1u << 5)
#define SVM_FLUSHASID (1u << 6)
#define SVM_DECODE   (1u << 7)

struct svm_caps svm_caps;

/* QEMU's TCG names itself in the hypervisor leaves: CPUID 0x40000000 returns
 * "TCGTCGTCGTCG" in EBX, ECX, EDX (with CPUID.1:ECX[31], the hypervisor bit). */
static bool under_qemu_tcg(void)
{
	if (!((cpuid(1, 0).ecx >> 31) & 1))
		return false;
	struct cpuid_regs r = cpuid(0x40000000, 0);
	return r.ebx == 0x54474354 && r.ecx == 0x43544743 && r.edx == 0x47435447;
}

int svm_probe(void)
{
	if (cpuid(0x80000000, 0).eax < 0x8000000a || !((cpuid(0x80000001, 0).ecx >> 2) & 1)) {
		log_err("tessera: svm: missing SVM (CPUID Fn8000_0001 ECX[2]): this CPU cannot host guests");
		return -1;
	}
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		log_err("tessera: svm: disabled by firmware (VM_CR.SVMDIS%s)",
			(rdmsr(MSR_VM_CR) & VM_CR_LOCK) ? ", locked" : "");
		return -1;
	}
	struct cpuid_regs f = cpuid(0x8000000a, 0);
	if (!(f.edx & SVM_NP)) {
		log_err("tessera: svm: missing nested paging (CPUID Fn8000_000A EDX[0])");
		return -1;
	}
	if (f.ebx < 2) {
		log_err("tessera: svm: only %u ASIDs: need at least one for guests", f.ebx);
		return -1;
	}
	svm_caps = (struct svm_caps){
		.asids = f.ebx, .nrip_save = f.edx & SVM_NRIPS, .flush_by_asid = f.edx & SVM_FLUSHASID,
		.clean_bits = f.edx & SVM_CLEAN, .decode_assists = f.edx & SVM_DECODE,
		.qemu_tcg = under_qemu_tcg(),
	};
	log_info("tessera: svm: revision %u, nested paging, %u asids, nrip save: %s, clean bits: %s, "
		 "flush by asid: %s, decode assists: %s", f.eax & 0xff, f.ebx,
		 (f.edx & SVM_NRIPS) ? "yes" : "no", (f.edx & SVM_CLEAN) ? "yes" : "no",
		 (f.edx & SVM_FLUSHASID) ? "yes" : "no", (f.edx & SVM_DECODE) ? "yes" : "no");
	return 0;
}

int svm_cpu_enable(struct percpu *c)
{
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		log_err("tessera: svm: cpu %u: SVM disabled by firmware", c->index);
		return -1;
	}
	if (!c->virt_page && !(c->virt_page = frames_alloc(1, PAGE_SIZE, 0)))
		return -1;
	if (!c->virt_host_area && !(c->virt_host_area = frames_alloc(1, PAGE_SIZE, 0)))
		return -1;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, c->virt_page);
	if (!(rdmsr(MSR_EFER) & EFER_SVME))
		return -1;
	svm_vmsave(c->virt_host_area); /* this CPU's FS/GS/TR/LDTR, restored after each exit */
	return 0;
}
