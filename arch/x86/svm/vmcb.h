/* VMCB layout (AMD APM Vol. 2 Appendix B, Tables B-1 and B-2) and exit codes
 * (Appendix C). */
#ifndef SVM_VMCB_H
#define SVM_VMCB_H

#include <stdint.h>

struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib;   /* packed: type S DPL P in 7:0, AVL L DB G in 11:8 */
	uint32_t limit;
	uint64_t base;
} __attribute__((packed));

struct vmcb {
	/* Control area, offset 0x000 */
	uint32_t intercept_cr;        /* 0x000: reads 15:0, writes 31:16 */
	uint32_t intercept_dr;        /* 0x004 */
	uint32_t intercept_exc;       /* 0x008 */
	uint32_t intercept_misc1;     /* 0x00c */
	uint32_t intercept_misc2;     /* 0x010 */
	uint32_t intercept_misc3;     /* 0x014 */
	uint8_t  reserved0[0x03c - 0x018];
	uint16_t pause_filter_thresh; /* 0x03c */
	uint16_t pause_filter_count;  /* 0x03e */
	uint64_t iopm_base;           /* 0x040 */
	uint64_t msrpm_base;          /* 0x048 */
	uint64_t tsc_offset;          /* 0x050 */
	uint32_t asid;                /* 0x058 */
	uint8_t  tlb_control;         /* 0x05c */
	uint8_t  reserved1[3];
	uint64_t vintr;               /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING (bit 24) */
	uint64_t interrupt_shadow;    /* 0x068 */
	uint64_t exitcode;            /* 0x070 */
	uint64_t exitinfo1;           /* 0x078 */
	uint64_t exitinfo2;           /* 0x080 */
	uint64_t exitintinfo;         /* 0x088 */
	uint64_t np_control;          /* 0x090: bit 0 NP_ENABLE */
	uint64_t avic_apic_bar;       /* 0x098 */
	uint64_t ghcb_pa;             /* 0x0a0 */
	uint64_t eventinj;            /* 0x0a8 */
	uint64_t n_cr3;               /* 0x0b0 */
	uint64_t lbr_control;         /* 0x0b8 */
	uint32_t clean;               /* 0x0c0 */
	uint32_t reserved2;
	uint64_t next_rip;            /* 0x0c8 */
	uint8_t  insn_bytes_fetched;  /* 0x0d0 */
	uint8_t  insn_bytes[15];
	uint8_t  reserved3[0x400 - 0x0e0];
	/* State save area, offset 0x400 */
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400-0x49f */
	uint8_t  reserved4[0x4cb - 0x4a0];
	uint8_t  cpl;                 /* 0x4cb */
	uint32_t reserved5;
	uint64_t efer;                /* 0x4d0 */
	uint8_t  reserved6[0x548 - 0x4d8];
	uint64_t cr4;                 /* 0x548 */
	uint64_t cr3;                 /* 0x550 */
	uint64_t cr0;                 /* 0x558 */
	uint64_t dr7;                 /* 0x560 */
	uint64_t dr6;                 /* 0x568 */
	uint64_t rflags;              /* 0x570 */
	uint64_t rip;                 /* 0x578 */
	uint8_t  reserved7[0x5d8 - 0x580];
	uint64_t rsp;                 /* 0x5d8 */
	uint8_t  reserved8[0x5f8 - 0x5e0];
	uint64_t rax;                 /* 0x5f8 */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base; /* 0x600-0x620 */
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;    /* 0x628-0x638 */
	uint64_t cr2;                 /* 0x640 */
	uint8_t  reserved9[0x668 - 0x648];
	uint64_t g_pat;               /* 0x668 */
	uint64_t dbgctl;              /* 0x670 */
	uint8_t  reserved10[0x1000 - 0x678];
} __attribute__((packed));

_Static_assert(__builtin_offsetof(struct vmcb, exitcode) == 0x070, "APM Table B-1");
_Static_assert(__builtin_offsetof(struct vmcb, n_cr3) == 0x0b0, "APM Table B-1");
_Static_assert(__builtin_offsetof(struct vmcb, next_rip) == 0x0c8, "APM Table B-1");
_Static_assert(__builtin_offsetof(struct vmcb, es) == 0x400, "APM Table B-2");
_Static_assert(__builtin_offsetof(struct vmcb, efer) == 0x4d0, "APM Table B-2");
_Static_assert(__builtin_offsetof(struct vmcb, cr4) == 0x548, "APM Table B-2");
_Static_assert(__builtin_offsetof(struct vmcb, rsp) == 0x5d8, "APM Table B-2");
_Static_assert(__builtin_offsetof(struct vmcb, rax) == 0x5f8, "APM Table B-2");
_Static_assert(__builtin_offsetof(struct vmcb, cr2) == 0x640, "APM Table B-2");
_Static_assert(__builtin_offsetof(struct vmcb, g_pat) == 0x668, "APM Table B-2");
_Static_assert(sizeof(struct vmcb) == 4096, "one page");

/* Intercept vector 3 (misc1) and 4 (misc2), APM Table B-1 */
#define INTERCEPT_INTR      (1u << 0)
#define INTERCEPT_NMI       (1u << 1)
#define INTERCEPT_VINTR     (1u << 4)
#define INTERCEPT_INIT      (1u << 3)
#define INTERCEPT_RDPMC     (1u << 15)
#define INTERCEPT_CPUID     (1u << 18)
#define INTERCEPT_INVD      (1u << 22)
#define INTERCEPT_HLT       (1u << 24)
#define INTERCEPT_IOIO      (1u << 27)
#define INTERCEPT_MSR       (1u << 28)
#define INTERCEPT_TASK_SWITCH (1u << 29)
#define INTERCEPT_FERR      (1u << 30)
#define INTERCEPT_SHUTDOWN  (1u << 31)
#define INTERCEPT_VMRUN     (1u << 0)
#define INTERCEPT_VMMCALL   (1u << 1)
#define INTERCEPT_VMLOAD    (1u << 2)
#define INTERCEPT_VMSAVE    (1u << 3)
#define INTERCEPT_STGI      (1u << 4)
#define INTERCEPT_CLGI      (1u << 5)
#define INTERCEPT_SKINIT    (1u << 6)
#define INTERCEPT_ICEBP     (1u << 8)
#define INTERCEPT_WBINVD    (1u << 9)
#define INTERCEPT_MONITOR   (1u << 10)
#define INTERCEPT_MWAIT     (1u << 11)
#define INTERCEPT_MWAIT_COND (1u << 12)
#define INTERCEPT_XSETBV    (1u << 13)

#define V_INTR_MASKING (1ull << 24)
#define V_IRQ           (1ull << 8)
#define V_INTR_PRIO_MAX (0xfull << 16)
#define V_IGN_TPR       (1ull << 20)
#define TLB_FLUSH_ALL  1
#define TLB_FLUSH_ASID 3

/* Exit codes, APM Appendix C */
#define VMEXIT_CR0_WRITE  0x010
#define VMEXIT_CR4_WRITE  0x014
#define VMEXIT_EXCP_BASE  0x040
#define VMEXIT_INTR       0x060
#define VMEXIT_NMI        0x061
#define VMEXIT_SMI        0x062
#define VMEXIT_INIT       0x063
#define VMEXIT_VINTR      0x064
#define VMEXIT_RDPMC      0x06f
#define VMEXIT_CPUID      0x072
#define VMEXIT_INVD       0x076
#define VMEXIT_PAUSE      0x077
#define VMEXIT_HLT        0x078
#define VMEXIT_IOIO       0x07b
#define VMEXIT_MSR        0x07c
#define VMEXIT_TASK_SWITCH 0x07d
#define VMEXIT_SHUTDOWN   0x07f
#define VMEXIT_VMRUN      0x080
#define VMEXIT_VMMCALL    0x081
#define VMEXIT_SKINIT     0x086
#define VMEXIT_ICEBP      0x088
#define VMEXIT_WBINVD     0x089
#define VMEXIT_MONITOR    0x08a
#define VMEXIT_MWAIT      0x08b
#define VMEXIT_MWAIT_COND 0x08c
#define VMEXIT_XSETBV     0x08d
#define VMEXIT_NPF        0x400
#define VMEXIT_INVALID    0xffffffffu /* -1; some implementations write 32 bits */

#endif
