/* VMCS field encodings (SDM Vol. 3D Appendix B), control bits (SDM Vol. 3C
 * chapter 25 "VM-Execution Control Fields" ... in older numbering 24.6-24.8),
 * and basic exit reasons (Appendix C). */
#ifndef VMX_VMCS_H
#define VMX_VMCS_H

/* 16-bit */
#define VMCS_VPID               0x0000
#define VMCS_GUEST_ES_SEL       0x0800 /* + 2 * segment index (ES CS SS DS FS GS LDTR TR) */
#define VMCS_HOST_ES_SEL        0x0c00
#define VMCS_HOST_CS_SEL        0x0c02
#define VMCS_HOST_SS_SEL        0x0c04
#define VMCS_HOST_DS_SEL        0x0c06
#define VMCS_HOST_FS_SEL        0x0c08
#define VMCS_HOST_GS_SEL        0x0c0a
#define VMCS_HOST_TR_SEL        0x0c0c
/* 64-bit */
#define VMCS_IO_BITMAP_A        0x2000
#define VMCS_IO_BITMAP_B        0x2002
#define VMCS_MSR_BITMAP         0x2004
#define VMCS_TSC_OFFSET         0x2010
#define VMCS_EPT_POINTER        0x201a
#define VMCS_GUEST_PHYS_ADDR    0x2400
#define VMCS_LINK_POINTER       0x2800
#define VMCS_GUEST_DEBUGCTL     0x2802
#define VMCS_GUEST_PAT          0x2804
#define VMCS_GUEST_EFER         0x2806
#define VMCS_HOST_PAT           0x2c00
#define VMCS_HOST_EFER          0x2c02
/* 32-bit */
#define VMCS_PIN_CTLS           0x4000
#define VMCS_PREEMPT_TIMER      0x482e  /* SDM B.3.3: guest VMX-preemption timer value */
#define VMCS_PROC_CTLS          0x4002
#define VMCS_EXCEPTION_BITMAP   0x4004
#define VMCS_CR3_TARGET_COUNT   0x400a
#define VMCS_EXIT_CTLS          0x400c
#define VMCS_EXIT_MSR_STORE_COUNT 0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT 0x4010
#define VMCS_ENTRY_CTLS         0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014
#define VMCS_ENTRY_INTR_INFO    0x4016
#define VMCS_ENTRY_EXC_ERROR    0x4018
#define VMCS_ENTRY_INSN_LEN     0x401a
#define VMCS_PROC_CTLS2         0x401e
#define VMCS_INSN_ERROR         0x4400
#define VMCS_EXIT_REASON        0x4402
#define VMCS_EXIT_INTR_INFO     0x4404
#define VMCS_EXIT_INTR_ERROR    0x4406
#define VMCS_IDT_VECTORING_INFO 0x4408
#define VMCS_IDT_VECTORING_ERROR 0x440a
#define VMCS_EXIT_INSN_LEN      0x440c
#define VMCS_GUEST_ES_LIMIT     0x4800 /* + 2 * index; GDTR 0x4810, IDTR 0x4812 */
#define VMCS_GUEST_ES_AR        0x4814 /* + 2 * index (ES..TR) */
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY     0x4826
#define VMCS_GUEST_SYSENTER_CS  0x482a
#define VMCS_HOST_SYSENTER_CS   0x4c00
/* natural width */
#define VMCS_CR0_MASK           0x6000
#define VMCS_CR4_MASK           0x6002
#define VMCS_CR0_SHADOW         0x6004
#define VMCS_CR4_SHADOW         0x6006
#define VMCS_EXIT_QUAL          0x6400
#define VMCS_GUEST_LINEAR_ADDR  0x640a
#define VMCS_GUEST_CR0          0x6800
#define VMCS_GUEST_CR3          0x6802
#define VMCS_GUEST_CR4          0x6804
#define VMCS_GUEST_ES_BASE      0x6806 /* + 2 * index; GDTR 0x6816, IDTR 0x6818 */
#define VMCS_GUEST_DR7          0x681a
#define VMCS_GUEST_RSP          0x681c
#define VMCS_GUEST_RIP          0x681e
#define VMCS_GUEST_RFLAGS       0x6820
#define VMCS_GUEST_PENDING_DBG  0x6822
#define VMCS_GUEST_SYSENTER_ESP 0x6824
#define VMCS_GUEST_SYSENTER_EIP 0x6826
#define VMCS_HOST_CR0           0x6c00
#define VMCS_HOST_CR3           0x6c02
#define VMCS_HOST_CR4           0x6c04
#define VMCS_HOST_FS_BASE       0x6c06
#define VMCS_HOST_GS_BASE       0x6c08
#define VMCS_HOST_TR_BASE       0x6c0a
#define VMCS_HOST_GDTR_BASE     0x6c0c
#define VMCS_HOST_IDTR_BASE     0x6c0e
#define VMCS_HOST_SYSENTER_ESP  0x6c10
#define VMCS_HOST_SYSENTER_EIP  0x6c12
#define VMCS_HOST_RSP           0x6c14
#define VMCS_HOST_RIP           0x6c16

/* Pin-based controls */
#define PIN_EXTINT_EXITING  (1u << 0)
#define PIN_NMI_EXITING     (1u << 3)
#define PIN_VIRTUAL_NMIS    (1u << 5)
#define PIN_PREEMPT_TIMER   (1u << 6)  /* SDM 25.6.1 */
/* Primary processor-based controls */
#define PROC_INTR_WINDOW    (1u << 2)
#define PROC_HLT_EXITING    (1u << 7)
#define PROC_MWAIT_EXITING  (1u << 10)
#define PROC_RDPMC_EXITING  (1u << 11)
#define PROC_USE_TSC_OFFSET (1u << 3)
#define PROC_MOV_DR_EXITING (1u << 23)
#define PROC_USE_IO_BITMAPS (1u << 25)
#define PROC_USE_MSR_BITMAPS (1u << 28)
#define PROC_MONITOR_EXITING (1u << 29)
#define PROC_SECONDARY      (1u << 31)
/* Secondary processor-based controls */
#define PROC2_EPT           (1u << 1)
#define PROC2_RDTSCP        (1u << 3)
#define PROC2_VPID          (1u << 5)
#define PROC2_WBINVD_EXITING (1u << 6)
#define PROC2_UNRESTRICTED  (1u << 7)
#define PROC2_INVPCID       (1u << 12)
#define PROC2_XSAVES        (1u << 20)
/* VM-exit controls */
#define EXIT_SAVE_DEBUG     (1u << 2)
#define EXIT_HOST_64        (1u << 9)
#define EXIT_SAVE_PAT       (1u << 18)
#define EXIT_LOAD_PAT       (1u << 19)
#define EXIT_SAVE_EFER      (1u << 20)
#define EXIT_LOAD_EFER      (1u << 21)
/* VM-entry controls */
#define ENTRY_LOAD_DEBUG    (1u << 2)
#define ENTRY_IA32E_GUEST   (1u << 9)
#define ENTRY_LOAD_PAT      (1u << 14)
#define ENTRY_LOAD_EFER     (1u << 15)

/* Capability MSRs (Appendix A) */
#define MSR_VMX_PINBASED_CTLS   0x481
#define MSR_VMX_PROCBASED_CTLS  0x482
#define MSR_VMX_EXIT_CTLS       0x483
#define MSR_VMX_ENTRY_CTLS      0x484
#define MSR_VMX_PROCBASED_CTLS2 0x48b
#define MSR_VMX_TRUE_PINBASED   0x48d
#define MSR_VMX_TRUE_PROCBASED  0x48e
#define MSR_VMX_TRUE_EXIT       0x48f
#define MSR_VMX_TRUE_ENTRY      0x490
#define MSR_VMX_CR0_FIXED0      0x486
#define MSR_VMX_CR0_FIXED1      0x487
#define MSR_VMX_CR4_FIXED0      0x488
#define MSR_VMX_CR4_FIXED1      0x489

/* Basic exit reasons (Appendix C) */
enum vmx_exit_reason {
	VMX_EXIT_EXCEPTION_NMI = 0, VMX_EXIT_EXTINT = 1, VMX_EXIT_TRIPLE_FAULT = 2,
	VMX_EXIT_INIT = 3, VMX_EXIT_SIPI = 4, VMX_EXIT_INTR_WINDOW = 7, VMX_EXIT_TASK_SWITCH = 9,
	VMX_EXIT_CPUID = 10, VMX_EXIT_GETSEC = 11, VMX_EXIT_HLT = 12, VMX_EXIT_INVD = 13,
	VMX_EXIT_INVLPG = 14, VMX_EXIT_RDPMC = 15, VMX_EXIT_RDTSC = 16, VMX_EXIT_VMCALL = 18,
	VMX_EXIT_VMCLEAR = 19, VMX_EXIT_VMXON = 27, VMX_EXIT_CR_ACCESS = 28, VMX_EXIT_DR_ACCESS = 29,
	VMX_EXIT_IO = 30, VMX_EXIT_RDMSR = 31, VMX_EXIT_WRMSR = 32, VMX_EXIT_BAD_GUEST_STATE = 33,
	VMX_EXIT_BAD_MSR_LOAD = 34, VMX_EXIT_MWAIT = 36, VMX_EXIT_MONITOR = 39, VMX_EXIT_PAUSE = 40,
	VMX_EXIT_MCE_DURING_ENTRY = 41, VMX_EXIT_EPT_VIOLATION = 48, VMX_EXIT_EPT_MISCONFIG = 49,
	VMX_EXIT_INVEPT = 50, VMX_EXIT_RDTSCP = 51, VMX_EXIT_PREEMPT_TIMER = 52, VMX_EXIT_INVVPID = 53, VMX_EXIT_WBINVD = 54,
	VMX_EXIT_XSETBV = 55, VMX_EXIT_VMFUNC = 59,
};

#endif
