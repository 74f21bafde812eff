/* Internal to the SVM back end. */
#ifndef SVM_SVM_H
#define SVM_SVM_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/vcpu.h>

#include "vmcb.h"

struct svm_caps {
	uint32_t asids;
	bool nrip_save, flush_by_asid, clean_bits, decode_assists;
	bool qemu_tcg; /* the SVM model of QEMU's TCG: see svm_vcpu.c warn_qemu_cpu0 */
};
extern struct svm_caps svm_caps;

struct svm_vcpu {
	struct vmcb *vmcb;    /* identity-mapped: pointer == physical address */
	uint64_t msrpm;       /* 2 pages */
	uint64_t iopm;        /* 3 pages */
	struct percpu *last_cpu;
};

struct percpu;
int svm_probe(void);
int svm_cpu_enable(struct percpu *c);
void svm_enter(struct guest_regs *regs, uint64_t vmcb_pa, uint64_t host_save_pa);
void svm_vmsave(uint64_t pa);
void svm_decode_exit(struct vcpu *v, struct vm_exit *e);

void svm_load_state(struct vcpu *v, const struct vcpu_state *s);
uint64_t svm_reg_read(struct vcpu *v, enum vreg r);
void svm_reg_write(struct vcpu *v, enum vreg r, uint64_t value);
void svm_segment_read(struct vcpu *v, enum vseg s, struct vseg_state *out);
void svm_inject(struct vcpu *v, const struct vevent *e);
void svm_advance_rip(struct vcpu *v, unsigned len);
bool svm_intr_ready(struct vcpu *v);
void svm_intr_window(struct vcpu *v, bool on);

#endif
