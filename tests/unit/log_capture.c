/* Host stand-in for kernel/log.c: formats with the real fmt_vsnprintf and keeps
 * the text so tests can assert on what a pure module logged. */
#include "../../kernel/format.h"
#include "../../kernel/log.h"
#include "unit.h"

static char captured[65536];
static size_t used;

void log_capture_reset(void)
{
	used = 0;
	captured[0] = 0;
}

int log_capture_contains(const char *needle) { return strstr(captured, needle) != NULL; }
const char *log_capture_text(void) { return captured; }
void log_set_level(enum log_level level) { (void)level; }

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (used >= sizeof captured - 1)
		return;
	int n = fmt_vsnprintf(captured + used, sizeof captured - used, fmt, ap);
	if (n > 0)
		used += (size_t)n < sizeof captured - used ? (size_t)n : sizeof captured - used - 1;
	if (used < sizeof captured - 1)
		captured[used++] = '\n';
	captured[used] = 0;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}
