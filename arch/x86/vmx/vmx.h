/* Internal to the VMX back end. */
#ifndef VMX_VMX_H
#define VMX_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/vcpu.h>

struct vmx_caps {
	uint32_t vmcs_revision;
	bool true_ctls;
	bool ept_1g;
	bool invept_single;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};
extern struct vmx_caps vmx_caps;

static inline uint64_t vmread(uint64_t field)
{
	uint64_t v = 0;
	__asm__ volatile("vmread %1, %0" : "=rm"(v) : "r"(field) : "cc");
	return v;
}

static inline void vmwrite(uint64_t field, uint64_t v)
{
	__asm__ volatile("vmwrite %1, %0" : : "r"(field), "rm"(v) : "cc", "memory");
}

/* Enter the guest (vmx_entry.asm). 0 after a VM exit, 1 VMfailInvalid,
 * 2 VMfailValid (reason in VMCS_INSN_ERROR). */
int vmx_enter(struct guest_regs *regs, int launched);
void vmx_exit_stub(void);

struct percpu;
int vmx_probe(void);
int vmx_cpu_enable(struct percpu *c);
void vmx_load_state(struct vcpu *v, const struct vcpu_state *s);
uint64_t vmx_reg_read(struct vcpu *v, enum vreg r);
void vmx_reg_write(struct vcpu *v, enum vreg r, uint64_t value);
void vmx_segment_read(struct vcpu *v, enum vseg s, struct vseg_state *out);
void vmx_inject(struct vcpu *v, const struct vevent *e);
void vmx_advance_rip(struct vcpu *v, unsigned len);
bool vmx_intr_ready(struct vcpu *v);
void vmx_intr_window(struct vcpu *v, bool on);
/* Entry controls of the current VMCS, kept in step with guest EFER.LMA. */
void vmx_set_ia32e_guest(bool on);
void vmx_decode_exit(struct vcpu *v, struct vm_exit *e);
const char *vmx_insn_error_name(unsigned code);

#endif
