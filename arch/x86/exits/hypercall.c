/* The hypercall ABI (include/tessera/hypercall.h, docs/hypercalls.md). Every
 * argument is checked here; a bad one is an error code for the caller, never
 * a stop of anything else. */
#include <arch/exits.h>
#include <arch/virt.h>
#include <kernel/guest.h>
#include <kernel/log.h>
#include <kernel/string.h>
#include <kernel/sched/sched.h>
#include <kernel/time.h>
#include <tessera/hypercall.h>

#define SCHED_REPORT_INTERVAL_NS 100000000ull /* per partition */

#define CONSOLE_MAX 4096

/* One log line per guest line; control characters become '.'. */
static void console_write(struct vcpu *v, const char *text, uint64_t len)
{
	char line[160];
	unsigned n = 0;
	for (uint64_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '\n' || n == sizeof line - 1) {
			line[n] = 0;
			log_info("tessera: guest %s: %s", v->guest->name, line);
			n = 0;
			if (c == '\n')
				continue;
		}
		line[n++] = (c >= 0x20 && c < 0x7f) ? c : '.';
	}
	if (n) {
		line[n] = 0;
		log_info("tessera: guest %s: %s", v->guest->name, line);
	}
}

static int64_t hc_console_write(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	if (len > CONSOLE_MAX)
		return -HC_EINVAL;
	const char *text = guest_ram_ptr(v->guest, gpa, len);
	if (!text)
		return -HC_EFAULT;
	if (!guest_console_budget(v->guest, len))
		return -HC_EAGAIN;
	v->guest->console_bytes += len;
	console_write(v, text, len);
	return (int64_t)len;
}

static int64_t hc_partition_info(struct vcpu *v, uint64_t gpa, uint64_t size)
{
	struct hc_partition_info info;
	if (size < sizeof info)
		return -HC_EINVAL;
	struct hc_partition_info *out = guest_ram_ptr_writable(v->guest, gpa, sizeof info);
	if (!out)
		return -HC_EFAULT;
	memset(&info, 0, sizeof info);
	strlcpy(info.name, v->guest->name, sizeof info.name);
	info.vcpu_id = v->id;
	info.vcpu_count = v->guest->vcpu_count;
	info.memory = v->guest->ram_size;
	info.restarts = v->guest->restarts;
	info.cpu = v->cpu;
	info.heartbeats = v->guest->heartbeats;
	memcpy(out, &info, sizeof info);
	return (int64_t)sizeof info;
}

static int64_t hc_sched_info(struct vcpu *v, uint64_t gpa, uint64_t size)
{
	struct hc_sched_info info;
	struct sched_self self;
	if (size < sizeof info)
		return -HC_EINVAL;
	struct hc_sched_info *out = guest_ram_ptr_writable(v->guest, gpa, sizeof info);
	if (!out)
		return -HC_EFAULT;
	if (sched_self(v->sched, &self))
		return -HC_ENOSYS; /* a test payload run outside the scheduler */
	uint64_t hz = time_tsc_hz(), offset = virt->reg_read(v, VREG_TSC_OFFSET);
	memset(&info, 0, sizeof info);
	info.policy = self.policy;
	info.cpu = v->cpu;
	info.tsc_hz = hz;
	if (self.frame_ns) {
		info.frame_start_tsc = time_ns_to_tsc(self.epoch_ns) + offset;
		info.frame_tsc = time_ns_to_ticks(self.frame_ns);
	}
	info.run_ns = self.run_ns;
	info.wait_ns = self.wait_ns;
	info.switches = self.switches;
	memcpy(out, &info, sizeof info);
	return (int64_t)sizeof info;
}

/* A report is many log lines: a partition gets one per interval. */
static int64_t hc_sched_report(struct vcpu *v)
{
	if (!v->sched)
		return -HC_ENOSYS; /* a test payload run outside the scheduler */
	uint64_t now = time_ns(), last = v->guest->sched_report_ns;
	if (last && now - last < SCHED_REPORT_INTERVAL_NS)
		return -HC_EAGAIN;
	v->guest->sched_report_ns = now;
	log_info("tessera: sched: report for partition %s", v->guest->name);
	sched_report();
	return 0;
}

static unsigned guest_cpl(struct vcpu *v)
{
	struct vseg_state ss;
	virt->segment_read(v, VSEG_SS, &ss);
	return (ss.attrib >> 5) & 3;
}

enum exit_result exit_hypercall(struct vcpu *v, const struct vm_exit *e)
{
	int64_t ret;
	if (guest_cpl(v) != 0) { /* guest user space cannot call the hypervisor */
		vcpu_inject_ud(v);
		return EXIT_RESUME;
	}
	switch (v->regs.rax) {
	case HC_VERSION:
		ret = HC_ABI_VERSION;
		break;
	case HC_CONSOLE_WRITE:
		ret = hc_console_write(v, v->regs.rdi, v->regs.rsi);
		break;
	case HC_PARTITION_INFO:
		ret = hc_partition_info(v, v->regs.rdi, v->regs.rsi);
		break;
	case HC_YIELD:
		v->yield_request = true; /* the slice ends after this exit */
		ret = 0;
		break;
	case HC_SCHED_REPORT:
		ret = hc_sched_report(v);
		break;
	case HC_SCHED_INFO:
		ret = hc_sched_info(v, v->regs.rdi, v->regs.rsi);
		break;
	case HC_HEARTBEAT:
		ret = (int64_t)__atomic_add_fetch(&v->guest->heartbeats, 1, __ATOMIC_RELAXED);
		break;
	case HC_EXIT:
		v->exit_status = (int)v->regs.rdi;
		v->exited = true;
		v->state = VCPU_STOPPED;
		return EXIT_ADVANCE;
	default:
		ret = -HC_ENOSYS;
		break;
	}
	(void)e;
	v->regs.rax = (uint64_t)ret;
	return EXIT_ADVANCE;
}
