/*
 * A guest: its RAM (host frames no one else holds, mapped at guest-physical
 * 0), its nested page table, the port and MMIO regions its device models
 * claim, and its vCPUs. Partitions (later) are built on this.
 */
#ifndef KERNEL_GUEST_H
#define KERNEL_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "paging.h"
#include "spinlock.h"

struct vcpu;
struct vplat;

/* Device-model callbacks: return 0 when handled, negative to stop the vCPU. */
typedef int (*io_handler_fn)(struct vcpu *v, void *ctx, uint16_t port, uint8_t size, bool in,
			     uint32_t *value);
typedef int (*mmio_handler_fn)(struct vcpu *v, void *ctx, uint64_t gpa, uint8_t size, bool write,
			       uint64_t *value);

struct io_region { uint16_t base, count; io_handler_fn fn; void *ctx; };
struct mmio_region { uint64_t base, size; mmio_handler_fn fn; void *ctx; };

#define GUEST_MAX_IO    16
#define GUEST_MAX_MMIO  16
#define GUEST_MAX_VCPUS 16

struct guest {
	char name[32];
	uint64_t ram_hpa, ram_size;  /* guest RAM = [ram_gpa, ram_gpa + ram_size) */
	uint64_t ram_gpa;
	struct page_table npt;
	struct io_region io[GUEST_MAX_IO];
	unsigned io_count;
	struct mmio_region mmio[GUEST_MAX_MMIO];
	unsigned mmio_count;
	struct vcpu *vcpu[GUEST_MAX_VCPUS];
	unsigned vcpu_count;
	uint64_t console_bytes;      /* written through the hypercall */
	/* Console budget (token bucket, guest_console_budget): a guest cannot
	 * flood the shared log, whether through the hypercall or its COM1. */
	struct spinlock console_lock;
	uint64_t console_tokens, console_refill_ns;
	uint64_t console_dropped;
	uint64_t heartbeats;         /* HC_HEARTBEAT calls                       */
	uint64_t sched_report_ns;   /* last HC_SCHED_REPORT (rate limit) */
	uint32_t restarts;           /* times its owner restarted it             */
	void *owner;                 /* the partition, or NULL (payload harness) */
	struct vplat *platform;      /* virtual PC platform, or NULL (raw guests) */
	struct { uint64_t gpa, size; } ro[4]; /* read-only RAM (guest_protect) */
	unsigned ro_count;
};

/* May the guest put len more bytes on the shared console now? Takes them
 * from its budget if so: 16 KiB at once, 8 KiB per second earned back. */
bool guest_console_budget(struct guest *g, uint64_t len);

/* A device model asks for the whole guest to be reset (port 0xCF9, the
 * keyboard controller's 0xFE): the vCPU stops with reset_requested set and
 * the owner applies its on_reboot policy (arch/x86/vcpu.c). */
void guest_request_reset(struct vcpu *v, const char *why);
/* The guest switched itself off (ACPI S5): its partition ends as if it
 * had exited with status 0. */
void guest_request_poweroff(struct vcpu *v, const char *why);

/* RAM from fresh zeroed frames at guest-physical 0 (guest_create_at: at
 * ram_gpa, 2 MiB aligned), mapped RWX write-back with the largest pages
 * possible; nothing else is mapped. 0 or negative (logged). */
int guest_create_at(struct guest *g, const char *name, uint64_t ram_gpa, uint64_t ram_size,
		    const struct pt_format *fmt, bool no_1g);
int guest_create(struct guest *g, const char *name, uint64_t ram_size, const struct pt_format *fmt,
		 bool no_1g);
void guest_destroy(struct guest *g);
/* Make [gpa, gpa+size) of RAM read+execute only (a ROM). */
int guest_protect(struct guest *g, uint64_t gpa, uint64_t size, unsigned pt_flags);

int guest_io_register(struct guest *g, uint16_t base, uint16_t count, io_handler_fn fn, void *ctx);
int guest_mmio_register(struct guest *g, uint64_t base, uint64_t size, mmio_handler_fn fn, void *ctx);
const struct io_region *guest_io_find(const struct guest *g, uint16_t port);
const struct mmio_region *guest_mmio_find(const struct guest *g, uint64_t gpa);

/* Host pointer to [gpa, gpa+len) if that lies wholly inside the guest's RAM,
 * else NULL. The only way hypervisor code touches guest memory. */
void *guest_ram_ptr(const struct guest *g, uint64_t gpa, uint64_t len);
/* The same for writes made on the guest's behalf (emulated string I/O and
 * MOVS, hypercall results): NULL where the guest itself could not write. */
void *guest_ram_ptr_writable(const struct guest *g, uint64_t gpa, uint64_t len);

#endif
