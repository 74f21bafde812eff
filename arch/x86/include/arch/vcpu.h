/*
 * A virtual CPU in vendor-neutral terms: the guest's general registers, its
 * nested page table, the neutral exit record that back ends fill in, and the
 * statistics. The back end keeps its control block (VMCS or VMCB) behind
 * `hw`.
 */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include <kernel/arch.h> /* enum slice_end */

/* General registers saved by the entry stubs. Layout shared with
 * vmx_entry.asm and svm_entry.asm (asserted there via offsets in vcpu.c). */
struct guest_regs {
	uint64_t rax, rcx, rdx, rbx, rsp_unused, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/* Registers kept in the control block rather than in guest_regs. */
enum vreg {
	VREG_RIP, VREG_RSP, VREG_RFLAGS, VREG_CR0, VREG_CR2, VREG_CR3, VREG_CR4,
	VREG_EFER, VREG_PAT, VREG_DR7, VREG_TSC_OFFSET, VREG_XCR0_UNUSED,
	VREG_COUNT
};

enum vseg { VSEG_ES, VSEG_CS, VSEG_SS, VSEG_DS, VSEG_FS, VSEG_GS, VSEG_LDTR, VSEG_TR,
	    VSEG_GDTR, VSEG_IDTR, VSEG_COUNT };

/* Access rights in the VMX layout (SDM 25.4.1 Table 25-2): type[3:0], S[4],
 * DPL[6:5], P[7], AVL[12], L[13], D/B[14], G[15], unusable[16]. The SVM back
 * end converts to its packed 12-bit form (APM 15.5.1). */
struct vseg_state {
	uint16_t selector;
	uint32_t attrib;
	uint32_t limit;
	uint64_t base;
};

#define SEG_UNUSABLE (1u << 16)

/* Complete architectural state for a reset or a fresh start. */
struct vcpu_state {
	uint64_t rip, rsp, rflags, cr0, cr3, cr4, efer, pat;
	struct vseg_state seg[VSEG_COUNT];
	enum { ACTIVE, WAIT_FOR_SIPI } activity;
};

enum vevent_type { VEVENT_EXTINT = 0, VEVENT_NMI = 2, VEVENT_EXCEPTION = 3, VEVENT_SOFTINT = 4 };

struct vevent {
	enum vevent_type type;
	uint8_t vector;
	bool has_error;
	uint32_t error;
};

/* Exceptions (SDM Vol. 3A 6.15) */
#define EXC_DE 0
#define EXC_DB 1
#define EXC_UD 6
#define EXC_DF 8
#define EXC_GP 13
#define EXC_PF 14
#define EXC_AC 17
#define EXC_MC 18

/* What happened, in neutral terms (decoded by the back end). */
enum exit_kind {
	EXIT_NONE, EXIT_CPUID, EXIT_IO, EXIT_MSR_READ, EXIT_MSR_WRITE, EXIT_HLT,
	EXIT_HYPERCALL, EXIT_NPF, EXIT_CR_WRITE, EXIT_XSETBV, EXIT_INVD, EXIT_WBINVD,
	EXIT_EXCEPTION, EXIT_TRIPLE_FAULT, EXIT_INIT, EXIT_SIPI, EXIT_NMI, EXIT_EXTINT,
	EXIT_INTR_WINDOW, EXIT_PAUSE, EXIT_RDPMC, EXIT_MONITOR, EXIT_MWAIT, EXIT_VMINSN,
	EXIT_TASK_SWITCH, EXIT_INVALID_STATE, EXIT_ENTRY_FAILED, EXIT_UNKNOWN,
	EXIT_PREEMPT, /* VMX preemption timer: the slice is over */
	EXIT_KIND_COUNT
};

const char *exit_kind_name(enum exit_kind k);

struct vm_exit {
	enum exit_kind kind;
	uint64_t raw;        /* vendor exit code, for logs                        */
	uint64_t qual;       /* vendor qualification/EXITINFO1, for logs          */
	uint8_t insn_len;    /* length of the exiting instruction, 0 if unknown   */
	union {
		struct { uint16_t port; uint8_t size; bool in, string, rep; uint8_t addr_size; } io;
		struct { uint32_t msr; } msr;
		struct { uint64_t gpa, gva; bool read, write, fetch, gva_valid; } npf;
		struct { uint8_t cr; int gpr; } cr;            /* MOV to CRn from gpr     */
		/* trap: raised by an instruction (ICEBP/INT1) that must be skipped,
		 * insn_len long, before the exception is given to the guest. */
		struct { uint8_t vector; bool has_error, trap; uint32_t error; } exc;
		struct { uint8_t vector; } sipi;
		struct { const char *why; } fail;
	};
};

/* Per-vCPU accounting: counts and host TSC ticks spent handling each kind. */
struct vcpu_stats {
	uint64_t count[EXIT_KIND_COUNT];
	uint64_t handle_tsc[EXIT_KIND_COUNT];
	uint64_t guest_tsc;
	uint64_t halted_tsc;         /* asleep in HLT / wait-for-SIPI */
	uint64_t entries;
	uint64_t last_rip;           /* guest RIP at the latest exit (reports) */
	enum exit_kind last_kind;
};

enum vcpu_run_state { VCPU_RUNNING, VCPU_HALTED, VCPU_WAIT_SIPI, VCPU_STOPPED };

struct vcpu {
	struct guest_regs regs;      /* must stay first: the entry stubs use it */
	void *hw;                    /* VMCS / VMCB and bitmaps (back end)      */
	unsigned int id;             /* index within its guest                   */
	struct guest *guest;
	uint64_t npt_root;           /* the guest's nested table (EPT/NPT) root  */
	uint64_t xcr0;
	enum vcpu_run_state state;
	int exit_status;             /* set by the exit hypercall                */
	bool exited;                 /* ended through HC_EXIT, not stopped       */
	bool reset_requested;        /* stopped because the guest asked for reset */
	volatile bool stop_request;  /* set by another CPU: stop at the next exit */
	unsigned int cpu;            /* physical CPU it runs on                   */
	char stop_reason[96];
	struct vcpu_stats stats;
	bool launched;               /* VMX: VMLAUNCH done, VMRESUME next       */
	bool intr_window;            /* interrupt-window exit requested          */
	bool yield_request;          /* HC_YIELD: end the slice after this exit  */
	bool halted_if;              /* RFLAGS.IF when it halted (read off-CPU)  */
	struct sched_vcpu *sched;    /* its scheduler entry (kernel/sched)       */
	/* State the CPU holds for the guest that VM entry and exit leave alone
	 * (vcpu_switch.c): saved when another vCPU takes the CPU. */
	void *fpu;                   /* XSAVE / FXSAVE image                     */
	uint64_t dr[4], dr6, spec_ctrl;
};

struct guest;
struct sched_vcpu;

/* The vCPU loop (arch/x86/vcpu.c). vcpu_create runs on the CPU that will
 * run the vCPU; the caller has set g->vcpu_count. */
struct vcpu *vcpu_create(struct guest *g, unsigned id);
void vcpu_destroy(struct vcpu *v);
/* Run v on this CPU until until_ns (0 = no limit), until it halts
 * (BLOCKED), stops, yields, or a bit other than `mine` appears in
 * *pending (another vCPU of this CPU has something due). */
enum slice_end vcpu_run_slice(struct vcpu *v, uint64_t until_ns, const volatile uint32_t *pending,
			      uint32_t mine);
/* Run v until it stops (the test-payload runner: v owns the CPU). */
void vcpu_run(struct vcpu *v);
/* A halted / wait-for-SIPI vCPU: should it run again? Callable from its
 * CPU while another vCPU is loaded. */
bool vcpu_wake_due(struct vcpu *v);
/* When its next virtual timer fires (time_ns), 0 = none. */
uint64_t vcpu_next_event(struct vcpu *v);
/* Time CPU `cpu` spent between the end of one slice and the next guest
 * entry (scheduling, switching), in ns, and how many times. */
void vcpu_between_stats(unsigned cpu, uint64_t *ns, uint64_t *count);
/* Make v the vCPU whose state this CPU holds (vcpu_switch.c). */
void vcpu_switch_to(struct vcpu *v);
/* A fresh start: the saved FPU/debug state goes back to reset values. */
void vcpu_switch_reset(struct vcpu *v);
int vcpu_switch_alloc(struct vcpu *v);
void vcpu_switch_free(struct vcpu *v);
void vcpu_print_stats(const struct vcpu *v);
void vcpu_reset_xcr0(struct vcpu *v);
/* One line about a vCPU's state for the console's status report; may run
 * on any CPU (reads counters the vCPU's own CPU updates). */
void vcpu_report(const struct vcpu *v);

#endif
