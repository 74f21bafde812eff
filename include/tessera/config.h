/*
 * The appliance configuration: what tessera.toml describes, after parsing
 * (kernel/config.c) and validation. The same parser runs in the hypervisor
 * at boot and in the host tool build/tessera-check. docs/config.md is the
 * reference for the text format.
 */
#ifndef TESSERA_CONFIG_H
#define TESSERA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_MAX_PARTITIONS  16
#define CFG_MAX_VCPUS       16  /* cpus per partition */
#define CFG_MAX_MODULES     4
#define CFG_MAX_DEVICES     8
#define CFG_MAX_SHARED      8
#define CFG_NAME_MAX        32
#define CFG_PATH_MAX        64
#define CFG_CMDLINE_MAX     256
#define CFG_MACHINE_CPUS    64  /* highest CPU index + 1 that a config may name */
#define CFG_MAX_FILE        65536 /* bytes in a configuration file */
#define CFG_MAX_LINE        1024  /* characters in one line (without its newline) */
#define CFG_GPA_LIMIT       (1ull << 48) /* guest-physical addresses stay below 256 TiB */
#define CFG_MAX_WINDOWS     32  /* windows in one cyclic CPU's major frame */
#define CFG_MAX_CPU_VCPUS   16  /* vCPUs placed on one physical CPU */
#define CFG_SLICE_DEFAULT_NS 5000000ull /* shared CPUs: time slice unless `slice` says */

enum cfg_format { CFG_FORMAT_RAW, CFG_FORMAT_LINUX, CFG_FORMAT_MULTIBOOT };
enum cfg_on_fault { CFG_FAULT_STOP, CFG_FAULT_RESTART, CFG_FAULT_HALT_SYSTEM };
enum cfg_on_reboot { CFG_REBOOT_RESTART, CFG_REBOOT_STOP };
enum cfg_sched { CFG_SCHED_DEDICATED, CFG_SCHED_SHARED, CFG_SCHED_CYCLIC };

struct cfg_pos {                    /* a place in the file, 1-based; line 0 = not set */
	int line, column;
};

struct cfg_shared {                 /* mem_shared = [{ name, size, gpa }] */
	char name[CFG_NAME_MAX];
	uint64_t size;
	uint64_t gpa;
};

struct cfg_partition {
	char name[CFG_NAME_MAX];
	int line;                       /* line of its [[partition]] header */
	uint32_t cpu_count;
	uint32_t cpus[CFG_MAX_VCPUS];   /* physical CPU index per vCPU (may repeat) */
	uint64_t memory;                /* bytes, multiple of 2 MiB */
	uint64_t memory_base;           /* guest-physical base of RAM (default 0) */
	char image[CFG_PATH_MAX];
	enum cfg_format format;
	uint64_t entry;                 /* raw: guest-physical entry point */
	uint64_t load;                  /* raw: where the image goes (default = entry) */
	bool entry_set, load_set;
	char initrd[CFG_PATH_MAX];
	char cmdline[CFG_CMDLINE_MAX];
	uint32_t module_count;
	char modules[CFG_MAX_MODULES][CFG_PATH_MAX];
	char console[CFG_NAME_MAX];     /* "shared" (default) or "com1".."com4" */
	uint32_t console_port;          /* its own UART's port, 0 = shared */
	uint32_t emulated_count, passthrough_count;
	char emulated[CFG_MAX_DEVICES][CFG_NAME_MAX];
	char passthrough[CFG_MAX_DEVICES][CFG_NAME_MAX];
	enum cfg_on_fault on_fault;     /* default: the global default_on_fault */
	enum cfg_on_reboot on_reboot;
	uint32_t weight;                /* shared CPUs: 1..1000, default 100 */
	uint32_t cap;                   /* shared CPUs: percent of a CPU, 0 = none, 1..100 */
	uint32_t shared_count;
	struct cfg_shared shared[CFG_MAX_SHARED];
	/* Where values were written, for messages (config_check_plan). */
	struct cfg_pos name_pos, cpus_pos, memory_pos, image_pos, initrd_pos, console_pos;
	struct cfg_pos cpu_pos[CFG_MAX_VCPUS];
	struct cfg_pos module_pos[CFG_MAX_MODULES];
	struct cfg_pos shared_pos[CFG_MAX_SHARED];
};

/* One window of a cyclic CPU's major frame: [start, start + length) is
 * owned by one vCPU (time no window covers is idle). Times count from the
 * start of the frame, which is the same instant on every cyclic CPU. */
struct cfg_window {
	char partition[CFG_NAME_MAX];
	int32_t vcpu;                   /* as written; -1 = not given */
	uint64_t start_ns, length_ns;   /* length > 0; start + length <= the frame */
	/* Resolved by config_parse once every partition is known: */
	uint32_t part_index;            /* index into config.partitions */
	uint32_t vcpu_index;            /* the owning vCPU (its cpus[] entry is this CPU) */
	struct cfg_pos pos;             /* the window's inline table */
};

/* A [[cpu]] table: how one physical CPU schedules the vCPUs placed on it
 * (docs/scheduling.md). CPUs without a table get a default policy:
 * cfg_cpu_policy(). In a valid config: ids are unique, a dedicated CPU has
 * at most one vCPU, a cyclic one has 1..CFG_MAX_WINDOWS windows sorted by
 * start and not overlapping, every vCPU on it owns one at least, and all
 * cyclic CPUs have the same frame_ns. */
struct cfg_cpu {
	uint32_t id;                    /* physical CPU index (UINT32_MAX while unset) */
	int line;                       /* line of its [[cpu]] header */
	enum cfg_sched policy;
	uint64_t slice_ns;              /* shared: time slice (CFG_SLICE_DEFAULT_NS if unset) */
	uint64_t frame_ns;              /* cyclic: major frame */
	uint32_t window_count;          /* cyclic only; 0 otherwise */
	struct cfg_window windows[CFG_MAX_WINDOWS];
	struct cfg_pos id_pos, policy_pos, slice_pos, frame_pos, windows_pos; /* line 0: not set */
};

struct config {
	uint32_t console_port;          /* default 0x3f8 */
	int log_level;                  /* 0 error .. 3 debug, default 2 */
	enum cfg_on_fault default_on_fault;
	uint32_t partition_count;
	struct cfg_partition partitions[CFG_MAX_PARTITIONS];
	uint32_t cpu_table_count;
	struct cfg_cpu cpu_tables[CFG_MACHINE_CPUS]; /* [[cpu]] tables, in file order */
	char file[CFG_PATH_MAX];        /* the file name given to config_parse (messages) */
};

struct cfg_error {
	char file[CFG_PATH_MAX];
	int line, column;               /* 1-based; 0 when not about one place */
	char message[256];
};

/* What the plan is checked against (the real machine, or tessera-check's
 * command-line options). file_exists may be NULL: then images are not
 * looked up. */
struct cfg_machine {
	uint32_t cpu_count;             /* CPUs present (indexes 0..cpu_count-1) */
	uint64_t memory;                /* bytes available for partitions; 0 = unknown */
	bool (*file_exists)(void *ctx, const char *path);
	void *ctx;
};

#endif
