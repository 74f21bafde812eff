#include "partition.h"

#include <arch/vcpu.h>
#include <boot/boot_info_build.h>
#include <kernel/vdev/com.h>
#include <kernel/vdev/reset.h>

#include "appliance.h"
#include "arch.h"
#include "cpu.h"
#include "guest.h"
#include "log.h"
#include "spinlock.h"
#include "string.h"
#include "time.h"

#define RESTART_WINDOW_NS (60ull * 1000000000ull)
#define RESTART_LIMIT     100 /* restarts per window before a partition is failed */
#define RAW_MIN_LOAD      0x100000ul /* GUEST_PAYLOAD_BASE: below are the boot tables and stacks */

enum end_kind { END_NONE, END_EXIT, END_RESET, END_FAULT };

struct partition;
struct vcpu_slot { struct partition *p; unsigned index; };

struct partition {
	const struct cfg_partition *cfg;
	const struct boot_file *image;
	struct guest guest;
	struct vcpu *vcpu[CFG_MAX_VCPUS];
	struct vcpu_slot slot[CFG_MAX_VCPUS];
	struct com_port com1;
	struct spinlock lock;
	volatile enum part_state state;
	unsigned running;            /* vCPUs not yet done in this run */
	enum end_kind end;           /* why this run ends (first vCPU to stop) */
	char end_reason[96];
	bool unrecoverable;          /* a CPU was not there: restarting cannot help */
	int exit_status;
	uint64_t window_start;
	unsigned window_restarts;
};

static struct partition parts[CFG_MAX_PARTITIONS];

static const char *const state_names[] = { "created", "running", "stopped", "failed", "restarting" };

static void set_state(struct partition *p, enum part_state s)
{
	p->state = s;
	log_info("tessera: partition %s state %s", p->cfg->name, state_names[s]);
}

/* The image goes to its load address every start: RAM is zeroed first, so
 * a restart is a cold boot from the copy the hypervisor keeps. */
static int load_image(struct partition *p)
{
	const struct cfg_partition *c = p->cfg;
	uint64_t load = c->load_set ? c->load : c->entry;
	void *dst = guest_ram_ptr(&p->guest, load, p->image->size);
	if (!dst) {
		log_err("tessera: partition %s: image %s (%lu bytes) does not fit at 0x%lx in its RAM",
			c->name, c->image, p->image->size, load);
		return -1;
	}
	memset((void *)p->guest.ram_hpa, 0, p->guest.ram_size);
	memcpy(dst, (const void *)p->image->base, p->image->size);
	return arch_guest_prepare_raw(&p->guest);
}

static int create(struct partition *p, const struct cfg_partition *c, const struct boot_info *bi,
		  const char *config_name)
{
	char path[BOOT_CMDLINE_MAX];
	p->cfg = c;
	if (c->format != CFG_FORMAT_RAW) {
		log_err("tessera: partition %s: format %s is not supported yet (only raw)", c->name,
			c->format == CFG_FORMAT_LINUX ? "linux" : "multiboot");
		return -1;
	}
	uint64_t load = c->load_set ? c->load : c->entry;
	if (load < RAW_MIN_LOAD) {
		log_err("tessera: partition %s: raw images load at 0x%lx or above (below: boot page tables and stacks), not 0x%lx",
			c->name, RAW_MIN_LOAD, load);
		return -1;
	}
	if (c->memory_base) {
		log_err("tessera: partition %s: raw images need RAM from guest-physical 0 (boot page tables at 0x1000)",
			c->name);
		return -1;
	}
	appliance_path(config_name, c->image, path, sizeof path);
	p->image = boot_find_file(bi, path);
	if (!p->image) {
		log_err("tessera: partition %s: image %s was not loaded from the boot volume", c->name, c->image);
		return -1;
	}
	if (arch_guest_create(&p->guest, c->name, c->memory_base, c->memory))
		return -1;
	p->guest.owner = p;
	p->guest.vcpu_count = c->cpu_count;
	if (reset_attach(&p->guest) || com_attach(&p->guest, &p->com1, COM1_PORT) || load_image(p)) {
		guest_destroy(&p->guest);
		return -1;
	}
	set_state(p, PART_CREATED);
	return 0;
}

static void vcpu_done(struct partition *p, struct vcpu *v);

/* Runs on the vCPU's own CPU (cpu_dispatch): create it there on first use,
 * put it in its start state, run it until it stops. */
static void vcpu_thread(void *arg)
{
	struct vcpu_slot *s = arg;
	struct partition *p = s->p;
	struct vcpu *v = p->vcpu[s->index];
	if (!v)
		v = p->vcpu[s->index] = arch_vcpu_create(&p->guest, s->index);
	if (!v || arch_vcpu_boot_raw(v, p->cfg->entry)) {
		log_err("tessera: partition %s: vcpu %u cannot be set up on cpu %u", p->cfg->name,
			s->index, cpu_current());
		vcpu_done(p, NULL);
		return;
	}
	/* Under the lock: a sibling that already ended this run either sees this
	 * vCPU running (and asks it to stop) or this vCPU sees the end. */
	spin_lock(&p->lock);
	bool ended = p->end != END_NONE;
	if (!ended)
		v->state = VCPU_RUNNING;
	spin_unlock(&p->lock);
	if (!ended)
		arch_vcpu_run(v);
	vcpu_done(p, v);
}

static void launch(struct partition *p)
{
	const struct cfg_partition *c = p->cfg;
	p->running = c->cpu_count;
	p->end = END_NONE;
	set_state(p, PART_RUNNING);
	for (unsigned i = 0; i < c->cpu_count; i++) {
		p->slot[i] = (struct vcpu_slot){ p, i };
		if (cpu_dispatch(c->cpus[i], vcpu_thread, &p->slot[i])) {
			log_err("tessera: partition %s: cpu %u is not available for vcpu %u", c->name,
				c->cpus[i], i);
			p->unrecoverable = true;
			vcpu_done(p, NULL);
		}
	}
}

/* The first vCPU to stop decides how this run ends; the others are asked
 * to stop too (a request and a kick). */
static void classify_end(struct partition *p, struct vcpu *v)
{
	if (!v) {
		p->end = END_FAULT;
		strlcpy(p->end_reason, "a vcpu could not start", sizeof p->end_reason);
	} else {
		p->end = v->reset_requested ? END_RESET : v->exited ? END_EXIT : END_FAULT;
		p->exit_status = v->exit_status;
		strlcpy(p->end_reason, v->stop_reason, sizeof p->end_reason);
	}
	for (unsigned i = 0; i < p->cfg->cpu_count; i++) {
		struct vcpu *o = p->vcpu[i];
		if (o && o != v && o->state == VCPU_RUNNING) {
			o->stop_request = true;
			cpu_kick(p->cfg->cpus[i]);
		}
	}
}

static void restart(struct partition *p)
{
	uint64_t now = time_ns();
	if (now - p->window_start > RESTART_WINDOW_NS) {
		p->window_start = now;
		p->window_restarts = 0;
	}
	if (++p->window_restarts > RESTART_LIMIT) {
		log_err("tessera: partition %s: restarting too often (%u times within a minute): giving up",
			p->cfg->name, RESTART_LIMIT);
		set_state(p, PART_FAILED);
		return;
	}
	set_state(p, PART_RESTARTING);
	p->guest.restarts++;
	com_reset(&p->com1);
	if (load_image(p)) {
		set_state(p, PART_FAILED);
		return;
	}
	launch(p);
}

static void apply_policy(struct partition *p)
{
	const struct cfg_partition *c = p->cfg;
	com_flush(&p->com1);
	if (p->end == END_EXIT) {
		log_info("tessera: partition %s exited with status %d", c->name, p->exit_status);
		set_state(p, PART_STOPPED);
	} else if (p->end == END_RESET) {
		if (c->on_reboot == CFG_REBOOT_RESTART)
			restart(p);
		else
			set_state(p, PART_STOPPED);
	} else {
		log_warn("tessera: partition %s fault: %s", c->name, p->end_reason);
		if (p->unrecoverable)
			set_state(p, PART_FAILED);
		else if (c->on_fault == CFG_FAULT_RESTART)
			restart(p);
		else if (c->on_fault == CFG_FAULT_HALT_SYSTEM)
			arch_halt_system("partition fault with on_fault = halt-system");
		else
			set_state(p, PART_FAILED);
	}
}

static void vcpu_done(struct partition *p, struct vcpu *v)
{
	spin_lock(&p->lock);
	if (p->end == END_NONE)
		classify_end(p, v);
	bool last = --p->running == 0;
	spin_unlock(&p->lock);
	if (v)
		arch_vcpu_print_stats(v);
	if (last)
		apply_policy(p); /* on the CPU of the last vCPU; a restart re-dispatches */
}

unsigned partitions_start(const struct config *cfg, const struct boot_info *bi, const char *config_name)
{
	unsigned started = 0;
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		struct partition *p = &parts[i];
		if (create(p, &cfg->partitions[i], bi, config_name)) {
			p->cfg = &cfg->partitions[i];
			set_state(p, PART_FAILED);
			continue;
		}
		started++;
	}
	for (uint32_t i = 0; i < cfg->partition_count; i++)
		if (parts[i].state == PART_CREATED)
			launch(&parts[i]);
	return started;
}
