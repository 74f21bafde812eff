/*
 * The scheduler at run time (docs/scheduling.md): one run queue per
 * physical CPU, ordered by that CPU's policy (runqueue.h), and a loop on
 * each CPU that runs the vCPU its policy picks until the slice ends, the
 * vCPU halts or stops, or a wakeup for another vCPU arrives. A wakeup from
 * another CPU is a pending bit plus an IPI.
 */
#ifndef KERNEL_SCHED_SCHED_H
#define KERNEL_SCHED_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include <tessera/config.h>

#include "runqueue.h"

struct vcpu;

/* One vCPU as the scheduler sees it; its owner (kernel/partition.c) fills
 * in the callbacks and names. */
struct sched_vcpu {
	struct sched_entity se;
	struct vcpu *vcpu;           /* set by start() */
	unsigned cpu, slot;          /* physical CPU, index in its run queue */
	volatile bool fresh;         /* start() before the next slice */
	/* On the vCPU's CPU: create/boot it for a new run (0 or -1). */
	int (*start)(struct sched_vcpu *sv);
	/* On the vCPU's CPU: it stopped (or could not start: vcpu may be NULL). */
	void (*done)(struct sched_vcpu *sv);
	void *owner;
	const char *name;            /* partition name, for reports */
	unsigned id;                 /* vCPU index in the partition */
};

/* Build the run queues from the config's CPU policies. */
void sched_setup(const struct config *cfg);
/* Place sv (partition part_index, vCPU vcpu_index) on `cpu`; it stays
 * stopped until sched_launch. -1 if the CPU's queue is full. */
int sched_add(struct sched_vcpu *sv, unsigned cpu, unsigned part_index, unsigned vcpu_index,
	      uint32_t weight, uint32_t cap);
/* Start the per-CPU loops (every CPU with vCPUs, and the housekeeping CPU
 * that polls console input). */
void sched_start(void);
/* (Re)start sv from its start state: from any CPU. */
void sched_launch(struct sched_vcpu *sv);
/* Something is due for v (an interrupt, INIT/SIPI, a stop request): make
 * its CPU look, from any CPU. */
void sched_kick(struct sched_vcpu *sv);
/* Print every CPU's and vCPU's accounting (Ctrl-A s, HC_SCHED_REPORT). */
void sched_report(void);

/* A vCPU's own view (HC_SCHED_INFO). */
struct sched_self {
	enum cfg_sched policy;
	uint64_t epoch_ns, frame_ns; /* cyclic: frames start at epoch + k * frame */
	uint64_t run_ns, wait_ns, switches;
};
int sched_self(const struct sched_vcpu *sv, struct sched_self *out);

#endif
