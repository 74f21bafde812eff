/*
 * Partitions: the guests described by the config, each with its own RAM,
 * CPUs and devices, a lifecycle, and a policy for faults and resets.
 * State changes are logged as "tessera: partition NAME state STATE"
 * (docs/boot-log.md).
 */
#ifndef KERNEL_PARTITION_H
#define KERNEL_PARTITION_H

#include <tessera/boot_info.h>
#include <tessera/config.h>

enum part_state { PART_CREATED, PART_RUNNING, PART_STOPPED, PART_FAILED, PART_RESTARTING };

/* Create every partition of cfg and start it on its CPUs. A partition that
 * cannot be created is reported and marked failed; the others start. Returns
 * the number started. */
unsigned partitions_start(const struct config *cfg, const struct boot_info *bi, const char *config_name);

#endif
