#include "console_mux.h"

#include <kernel/sched/sched.h>

#include <drivers/uart16550.h>
#include <kernel/vdev/com.h>

#include "arch.h"
#include "config.h"
#include "log.h"
#include "spinlock.h"

#define POLL_INTERVAL_NS 2000000ull
#define BYTES_PER_POLL   64

static struct {
	struct spinlock lock;
	struct com_port *com[CFG_MAX_PARTITIONS];
	const char *name[CFG_MAX_PARTITIONS];
	unsigned count, focus;
	struct com_port *own[CFG_MAX_PARTITIONS];
	unsigned own_count;
	bool escape;                 /* Ctrl-A seen, the next byte is a command */
	uint64_t last_poll_ns;
} mux;

void console_mux_register(struct com_port *c, const char *name)
{
	spin_lock(&mux.lock);
	if (c->own_port && mux.own_count < CFG_MAX_PARTITIONS)
		mux.own[mux.own_count++] = c;
	else if (!c->own_port && mux.count < CFG_MAX_PARTITIONS)
		mux.com[mux.count] = c, mux.name[mux.count++] = name;
	spin_unlock(&mux.lock);
}

/* Partitions with a UART of their own read their input there. */
static void poll_own_ports(void)
{
	for (unsigned i = 0; i < mux.own_count; i++) {
		uint8_t buf[16];
		unsigned n = 0;
		int ch;
		while (n < sizeof buf && (ch = uart_port_try_getc(mux.own[i]->own_port)) >= 0)
			buf[n++] = (uint8_t)ch;
		if (n)
			com_input(mux.own[i], buf, n);
	}
}

static void list_targets(void)
{
	log_info("tessera: console: Ctrl-A then 1-%u picks the partition that gets input:", mux.count);
	for (unsigned i = 0; i < mux.count; i++)
		log_info("tessera: console:   %u %s%s", i + 1, mux.name[i], i == mux.focus ? " (now)" : "");
}


/* A byte after Ctrl-A. */
static void command(uint8_t b)
{
	if (b >= '1' && b <= '9' && (unsigned)(b - '1') < mux.count) {
		mux.focus = (unsigned)(b - '1');
		log_info("tessera: console input to partition %s", mux.name[mux.focus]);
	} else if (b == 's') {
		sched_report(); /* every CPU, and every vCPU's exits */
	} else if (b == CONSOLE_MUX_ESCAPE && mux.focus < mux.count) {
		com_input(mux.com[mux.focus], &b, 1);
	} else {
		list_targets();
	}
}

static void handle(uint8_t b)
{
	if (mux.escape) {
		mux.escape = false;
		command(b);
	} else if (b == CONSOLE_MUX_ESCAPE) {
		mux.escape = true;
	} else if (mux.focus < mux.count) {
		com_input(mux.com[mux.focus], &b, 1);
	}
}

void console_mux_poll(uint64_t now_ns)
{
	if (!(mux.count + mux.own_count) || now_ns - __atomic_load_n(&mux.last_poll_ns, __ATOMIC_RELAXED) < POLL_INTERVAL_NS)
		return;
	if (!spin_lock_bounded(&mux.lock, 1))
		return; /* another CPU is polling */
	mux.last_poll_ns = now_ns;
	for (int n = 0; n < BYTES_PER_POLL; n++) {
		int c = uart_try_getc();
		if (c < 0)
			break;
		handle((uint8_t)c);
	}
	poll_own_ports();
	for (unsigned i = 0; i < mux.count; i++)
		com_flush_idle(mux.com[i], now_ns); /* prompts of guests that wait for input */
	spin_unlock(&mux.lock);
}
