/*
 * The payload harness: runs bare-metal test payloads (tests/guests/) one
 * after another in fresh guests on the boot CPU, before partitions exist.
 * Each gets 4 MiB of RAM, the test device, a 64 KiB ROM at 0xe0000 and a
 * 64-bit start at GUEST_PAYLOAD_BASE; a payload whose file name starts with
 * "real_" is loaded at 0x10000 instead and starts in real mode at 1000:0000,
 * as a SIPI with vector 0x10 would start it. A payload that ends itself
 * reports its status; one that misbehaves is stopped, and the next one runs.
 */
#include <arch/cpu.h>
#include <boot/boot_info_build.h>
#include <arch/guest_boot.h>
#include <arch/virt.h>
#include <kernel/arch.h>
#include <kernel/cmdline.h>
#include <kernel/guest.h>
#include <kernel/log.h>
#include <kernel/mem.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kernel/vdev/com.h>
#include <kernel/vdev/testdev.h>

#define PAYLOAD_RAM  (4ull << 20)
#define PAYLOAD_ROM  0xe0000ull
#define PAYLOAD_ROM_SIZE 0x10000ull


static struct guest payload_guest;
static struct testdev payload_testdev;
static struct com_port payload_com1;

#define REAL_MODE_VECTOR 0x10 /* start at 1000:0000, guest-physical 0x10000 */

static bool is_real_mode(const char *name)
{
	const char *base = name;
	for (const char *p = name; *p; p++)
		if (*p == '/')
			base = p + 1;
	return !strncmp(base, "real_", 5);
}

/* Start state and load address for this payload. */
static int start_state(struct guest *g, const char *name, struct vcpu_state *s, uint64_t *load)
{
	if (is_real_mode(name)) {
		vcpu_reset_state(s, REAL_MODE_VECTOR);
		*load = (uint64_t)REAL_MODE_VECTOR << 12;
		return 0;
	}
	*load = GUEST_PAYLOAD_BASE;
	return guest_boot_long_mode(g, s, GUEST_PAYLOAD_BASE, GUEST_BOOT_STACK);
}

static int prepare(const char *name, const struct boot_file *f, struct vcpu **out)
{
	struct guest *g = &payload_guest;
	struct vcpu_state s;
	uint64_t load;
	if (f->size > PAYLOAD_RAM - GUEST_PAYLOAD_BASE) {
		log_err("tessera: payload %s: %lu bytes do not fit in its RAM", name, f->size);
		return -1;
	}
	if (guest_create(g, name, PAYLOAD_RAM, virt->npt_format, !virt->npt_has_1g()))
		return -1;
	if (testdev_attach(g, &payload_testdev) || com_attach(g, &payload_com1, COM1_PORT) ||
	    guest_protect(g, PAYLOAD_ROM, PAYLOAD_ROM_SIZE, PT_READ | PT_EXEC) ||
	    start_state(g, name, &s, &load) ||
	    (g->vcpu_count = 1, !(*out = vcpu_create(g, 0)))) {
		log_err("tessera: payload %s: cannot set up its guest", name);
		guest_destroy(g);
		return -1;
	}
	memcpy(guest_ram_ptr(g, load, f->size), (const void *)f->base, f->size);
	virt->vcpu_load_state(*out, &s);
	vcpu_reset_xcr0(*out);
	return 0;
}

static void run_one(const char *name, const struct boot_file *f)
{
	struct vcpu *v;
	if (prepare(name, f, &v))
		return;
	log_info("tessera: payload %s: start on cpu %u (%s)", name, cpu_current(), virt->name);
	vcpu_run(v);
	com_flush(&payload_com1);
	if (v->exited)
		log_info("tessera: payload %s: exit %d", name, v->exit_status);
	else
		log_info("tessera: payload %s: stopped: %s", name, v->stop_reason);
	vcpu_print_stats(v);
	vcpu_destroy(v);
	guest_destroy(&payload_guest);
}

/* Median cost of a bare CPUID on this CPU, no hypervisor involved: the
 * reference line for make bench (the same measurement as tests/guests/bench.c). */
static void measure_host_cpuid(void)
{
	enum { N = 101 };
	uint64_t t[2][N];
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < N; i++) {
			uint32_t lo0, hi0, lo1, hi1;
			__asm__ volatile("lfence; rdtsc" : "=a"(lo0), "=d"(hi0) : : "memory");
			if (k)
				cpuid(0, 0);
			__asm__ volatile("lfence; rdtsc" : "=a"(lo1), "=d"(hi1) : : "memory");
			t[k][i] = (((uint64_t)hi1 << 32) | lo1) - (((uint64_t)hi0 << 32) | lo0);
		}
		for (int i = 1; i < N; i++) /* insertion sort: N is small */
			for (int j = i; j > 0 && t[k][j - 1] > t[k][j]; j--) {
				uint64_t x = t[k][j];
				t[k][j] = t[k][j - 1];
				t[k][j - 1] = x;
			}
	}
	log_info("tessera: bench host cpuid %lu (tsc %lu kHz)", t[1][N / 2] - t[0][N / 2],
		 time_tsc_hz() / 1000);
}

/* run=a.bin,b.bin: each name as loaded by the boot stage. */
void arch_run_payloads(const struct boot_info *bi)
{
	char list[BOOT_CMDLINE_MAX], name[64];
	unsigned count = 0;
	if (!virt || !cmdline_get(bi->cmdline, "run", list, sizeof list))
		return;
	measure_host_cpuid();
	for (const char *p = list; (p = cmdline_list_next(p, name, sizeof name));) {
		const struct boot_file *f = boot_find_file(bi, name);
		if (!f)
			log_err("tessera: payload %s: not on the boot volume", name);
		else
			run_one(name, f);
		count++;
	}
	log_info("tessera: payloads done: %u run", count);
}
