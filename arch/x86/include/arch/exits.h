/* Exit handlers: what an exit means, decided once for both vendors. */
#ifndef ARCH_EXITS_H
#define ARCH_EXITS_H

#include <arch/vcpu.h>

enum exit_result {
	EXIT_RESUME,  /* re-enter as is (state already updated, or event injected) */
	EXIT_ADVANCE, /* skip the exiting instruction, then re-enter              */
};

typedef enum exit_result (*exit_handler_fn)(struct vcpu *v, const struct vm_exit *e);

enum exit_result exit_cpuid(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_msr_read(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_msr_write(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_io(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_hypercall(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_npf(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_cr_write(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_xsetbv(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_hlt(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_cache(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_exception(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_triple_fault(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_init(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_sipi(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_host_event(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_undefined(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_pause(struct vcpu *v, const struct vm_exit *e);
enum exit_result exit_failure(struct vcpu *v, const struct vm_exit *e);

/* Helpers for handlers (arch/x86/vcpu.c) */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
static inline void vcpu_inject_gp(struct vcpu *v) { vcpu_inject_exception(v, EXC_GP, true, 0); }
static inline void vcpu_inject_ud(struct vcpu *v) { vcpu_inject_exception(v, EXC_UD, false, 0); }
/* Stop this vCPU: logs the reason, the exit and the guest registers. */
void vcpu_stop(struct vcpu *v, const struct vm_exit *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint64_t *vcpu_gpr(struct vcpu *v, unsigned index); /* 0 = rax ... 15 = r15, rsp via the block */

#endif
