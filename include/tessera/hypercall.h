/*
 * Tessera hypercall ABI, the same on both vendors (docs/hypercalls.md).
 * Instruction: VMCALL (0F 01 C1) on Intel, VMMCALL (0F 01 D9) on AMD; a guest
 * picks by the CPUID vendor. RAX = call number, arguments in RDI, RSI, RDX,
 * result in RAX: >= 0 success, negative = -HC_E*. Pointers are guest-physical
 * and must lie wholly inside the caller's RAM. Other registers are preserved.
 */
#ifndef TESSERA_HYPERCALL_H
#define TESSERA_HYPERCALL_H

#define HC_ABI_VERSION 1

#define HC_VERSION       0 /* () -> HC_ABI_VERSION                          */
#define HC_CONSOLE_WRITE 1 /* (gpa, len) -> bytes written; len <= 4096    */
#define HC_EXIT          2 /* (status) -> does not return: guest ends     */
#define HC_PARTITION_INFO 3 /* (gpa, size) -> bytes of struct hc_partition_info written */
#define HC_YIELD         4 /* () -> 0: give up the CPU (a no-op on a dedicated CPU) */
#define HC_HEARTBEAT     5 /* () -> the caller's heartbeat count after this one */
#define HC_SCHED_REPORT  6 /* () -> 0: log the scheduler's accounting (docs/scheduling.md) */
#define HC_SCHED_INFO    7 /* (gpa, size) -> bytes of struct hc_sched_info written */

#define HC_EAGAIN 11       /* try later: a budget is used up      */
#define HC_EFAULT 14       /* pointer outside the caller's memory */
#define HC_EINVAL 22       /* bad argument                        */
#define HC_ENOSYS 38       /* no such call                        */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* HC_PARTITION_INFO: who am I (docs/hypercalls.md). */
struct hc_partition_info {
	char name[32];
	uint32_t vcpu_id, vcpu_count;
	uint64_t memory;            /* bytes of RAM                       */
	uint32_t restarts;          /* times the partition was restarted  */
	uint32_t cpu;               /* physical CPU this vCPU runs on     */
	uint64_t heartbeats;
};

/* HC_SCHED_INFO: how the caller's vCPU is scheduled, and what it got. */
struct hc_sched_info {
	uint32_t policy;            /* 0 dedicated, 1 shared, 2 cyclic    */
	uint32_t cpu;               /* physical CPU                       */
	uint64_t tsc_hz;            /* the TSC's rate                     */
	uint64_t frame_start_tsc;   /* cyclic: the caller's TSC at the start of a major frame */
	uint64_t frame_tsc;         /* cyclic: the frame's length in TSC ticks; 0 otherwise */
	uint64_t run_ns, wait_ns;   /* time run, and runnable but waiting */
	uint64_t switches;          /* times switched in                  */
};
#endif

/* CPUID leaves the hypervisor answers (docs/hypercalls.md) */
#define CPUID_TESSERA_SIGNATURE 0x40000000 /* EBX ECX EDX = "TesseraHV\0\0\0" */
#define CPUID_TESSERA_FEATURES  0x40000001 /* EAX = HC_ABI_VERSION            */
#define CPUID_TESSERA_TIMING    0x40000010 /* EAX = TSC kHz, EBX = local APIC timer kHz
                                              (0 in guests without a virtual platform) */

#endif
