/* The hypervisor log: one line per call, timestamped, tagged with the CPU,
 * written whole under a lock (see log.h). */
#include "log.h"

#include <drivers/uart16550.h>

#include "cpu.h"
#include "format.h"
#include "spinlock.h"
#include "time.h"

static struct spinlock log_lock;
static enum log_level max_level = LOG_INFO;
static volatile int log_panicking;

static const char *const level_tag[] = { "error: ", "warning: ", "", "debug: " };

void log_set_level(enum log_level level) { max_level = level; }

/* Once a panic starts, a CPU that died holding the lock must not silence the
 * dump: take the lock with a bounded wait and write regardless. */
void log_enter_panic(void) { log_panicking = 1; }

static int format_prefix(char *buf, size_t size, enum log_level level)
{
	uint64_t ns = time_ns();
	uint64_t us = ns / 1000;
	return fmt_snprintf(buf, size, "[%5llu.%06llu c%u] %s", (unsigned long long)(us / 1000000),
			    (unsigned long long)(us % 1000000), cpu_current(), level_tag[level]);
}

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	char line[256];
	if (level > max_level)
		return;
	int n = format_prefix(line, sizeof line, level);
	n += fmt_vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	if ((size_t)n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';

	bool locked = true;
	if (log_panicking)
		locked = spin_lock_bounded(&log_lock, 10000000);
	else
		spin_lock(&log_lock);
	uart_write(line, (size_t)n);
	if (locked)
		spin_unlock(&log_lock);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}
