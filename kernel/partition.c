#include "partition.h"

#include <arch/vcpu.h>
#include <boot/boot_info_build.h>
#include <kernel/vdev/com.h>
#include <kernel/vdev/platform.h>
#include <kernel/vdev/reset.h>
#include <kernel/sched/sched.h>

#include "appliance.h"
#include "arch.h"
#include "console_mux.h"
#include "cpu.h"
#include "guest.h"
#include "loader.h"
#include "log.h"
#include "spinlock.h"
#include "string.h"
#include "time.h"

#define RESTART_WINDOW_NS (60ull * 1000000000ull)
#define RESTART_LIMIT     100 /* restarts per window before a partition is failed */

enum end_kind { END_NONE, END_EXIT, END_RESET, END_FAULT };

struct partition;

struct partition {
	const struct cfg_partition *cfg;
	struct loader_files files;
	struct boot_plan plan;
	struct guest guest;
	struct vplat plat;           /* Linux and Multiboot guests */
	struct vcpu *vcpu[CFG_MAX_VCPUS];
	struct sched_vcpu slot[CFG_MAX_VCPUS];
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

/* Every start is a cold boot: zeroed RAM, the images loaded again, the
 * virtual platform in its power-on state. */
static int load_image(struct partition *p)
{
	if (p->guest.platform)
		vplat_reset(&p->plat);
	return loader_load(&p->guest, p->cfg, &p->files, &p->plat, &p->plan);
}

/* Linux and Multiboot kernels expect a PC: they get the virtual platform
 * (interrupt controllers, timers, RTC, PCI, ACPI). */
static int attach_platform(struct partition *p)
{
	if (p->cfg->format == CFG_FORMAT_RAW)
		return 0;
	return vplat_attach(&p->plat, &p->guest, p->cfg->cpu_count, &p->com1, appliance_epoch());
}

static int create(struct partition *p, const struct cfg_partition *c, const struct boot_info *bi,
		  const char *config_name)
{
	p->cfg = c;
	if (loader_find(c, bi, config_name, &p->files))
		return -1;
	if (arch_guest_create(&p->guest, c->name, c->memory_base, c->memory))
		return -1;
	p->guest.owner = p;
	p->guest.vcpu_count = c->cpu_count;
	if (reset_attach(&p->guest) || com_attach(&p->guest, &p->com1, COM1_PORT) ||
	    attach_platform(p) || load_image(p)) {
		guest_destroy(&p->guest);
		return -1;
	}
	if (c->console_port)
		com_bind(&p->com1, (uint16_t)c->console_port);
	console_mux_register(&p->com1, c->name);
	set_state(p, PART_CREATED);
	return 0;
}

static void vcpu_done(struct partition *p, struct vcpu *v);

/* On the vCPU's CPU, when the scheduler first runs it in a run: create it
 * there on first use and put it in its start state. Nonzero: do not run
 * it (done() follows). */
static int vcpu_start(struct sched_vcpu *s)
{
	struct partition *p = s->owner;
	struct vcpu *v = p->vcpu[s->id];
	if (!v)
		v = p->vcpu[s->id] = arch_vcpu_create(&p->guest, s->id);
	s->vcpu = v;
	if (!v || arch_vcpu_boot(v, &p->plan)) {
		log_err("tessera: partition %s: vcpu %u cannot be set up on cpu %u", p->cfg->name,
			s->id, cpu_current());
		return -1;
	}
	/* Under the lock: a sibling that already ended this run either sees this
	 * vCPU running (and asks it to stop) or this vCPU sees the end. */
	spin_lock(&p->lock);
	bool ended = p->end != END_NONE;
	if (ended)
		v->state = VCPU_STOPPED;
	spin_unlock(&p->lock);
	return ended ? 1 : 0;
}

static void vcpu_stopped(struct sched_vcpu *s)
{
	struct partition *p = s->owner;
	vcpu_done(p, s->vcpu && s->vcpu->state == VCPU_STOPPED ? s->vcpu : NULL);
}

static void launch(struct partition *p)
{
	const struct cfg_partition *c = p->cfg;
	p->running = c->cpu_count;
	p->end = END_NONE;
	set_state(p, PART_RUNNING);
	for (unsigned i = 0; i < c->cpu_count; i++)
		sched_launch(&p->slot[i]);
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
		if (o && o != v && o->state != VCPU_STOPPED) {
			o->stop_request = true;
			sched_kick(&p->slot[i]);
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

/* Put the partition's vCPUs on their CPUs' run queues, stopped. */
static void place(struct partition *p, unsigned index)
{
	const struct cfg_partition *c = p->cfg;
	for (unsigned i = 0; i < c->cpu_count; i++) {
		struct sched_vcpu *s = &p->slot[i];
		*s = (struct sched_vcpu){ .start = vcpu_start, .done = vcpu_stopped, .owner = p,
					  .name = c->name, .id = i };
		if (!cpu_is_online(c->cpus[i]) || sched_add(s, c->cpus[i], index, i, c->weight, c->cap)) {
			log_err("tessera: partition %s: cpu %u is not available for vcpu %u", c->name,
				c->cpus[i], i);
			p->unrecoverable = true;
			set_state(p, PART_FAILED);
			return;
		}
	}
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
	sched_setup(cfg);
	for (uint32_t i = 0; i < cfg->partition_count; i++)
		if (parts[i].state == PART_CREATED)
			place(&parts[i], i);
	sched_start();
	for (uint32_t i = 0; i < cfg->partition_count; i++)
		if (parts[i].state == PART_CREATED)
			launch(&parts[i]);
	return started;
}
