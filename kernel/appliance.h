/* From the config file on the boot volume to running partitions. */
#ifndef KERNEL_APPLIANCE_H
#define KERNEL_APPLIANCE_H

#include <stddef.h>

#include <tessera/boot_info.h>
#include <tessera/config.h>

#define CONFIG_DEFAULT_NAME "tessera.toml"

/* Name of the config file: config= from the command line, else the default. */
void appliance_config_name(const char *cmdline, char *out, size_t size);
/* A path from the config (relative to the config's directory) as a path
 * relative to the image's directory, the way the boot stage loads it. */
/* Unix time at time_ns() == 0, from the machine's RTC (0 if unreadable). */
uint64_t appliance_epoch(void);
void appliance_path(const char *config_name, const char *rel, char *out, size_t size);

/* Parse, check against this machine, print the plan, start the partitions.
 * Any error is reported with file:line:column and no partition starts; the
 * hypervisor stays up. */
void appliance_start(const struct boot_info *bi);

#endif
