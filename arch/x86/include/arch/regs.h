/* Register frame built by the exception stubs (arch/x86/entry.asm). The layout
 * is shared with the assembly; the offsets are asserted in panic.c. */
#ifndef ARCH_REGS_H
#define ARCH_REGS_H

#include <stdint.h>

struct exc_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU (SDM 6.14.2) */
};

/* Fill f with the caller's registers (rip/rsp/rbp of the call site). */
void arch_capture_regs(struct exc_frame *f);

#endif
