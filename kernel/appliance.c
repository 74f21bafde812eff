#include "appliance.h"

#include <boot/boot_info_build.h>
#include <drivers/cmos_rtc.h>
#include <drivers/uart16550.h>
#include <kernel/vdev/rtc_model.h>

#include "cmdline.h"
#include "config.h"
#include "cpu.h"
#include "log.h"
#include "mem.h"
#include "partition.h"
#include "string.h"
#include "time.h"

#define MAX_REPORTED_ERRORS 16

static struct config cfg; /* partitions keep pointers into it */
static uint64_t epoch_at_ns0;

uint64_t appliance_epoch(void) { return epoch_at_ns0; }

/* Partitions' RTCs show the machine's wall clock (its CMOS RTC, taken as
 * UTC) as it was at time_ns() 0, plus the time since. */
static void read_wall_clock(void)
{
	struct cmos_time t;
	uint64_t epoch;
	if (cmos_rtc_read(&t)) {
		struct rtc_civil_time c = { (uint32_t)t.year, (uint8_t)t.month, (uint8_t)t.day,
					    (uint8_t)t.hour, (uint8_t)t.minute, (uint8_t)t.second, 0 };
		if (rtc_model_epoch_from_civil(&c, &epoch)) {
			epoch_at_ns0 = epoch - time_ns() / 1000000000ull;
			log_info("tessera: wall clock %04d-%02d-%02d %02d:%02d:%02d (machine RTC)", t.year,
				 t.month, t.day, t.hour, t.minute, t.second);
			return;
		}
	}
	log_warn("tessera: machine RTC unreadable: partitions' clocks start at 1970-01-01");
}

void appliance_config_name(const char *cmdline, char *out, size_t size)
{
	if (!cmdline_get(cmdline, "config", out, size) || !out[0])
		strlcpy(out, CONFIG_DEFAULT_NAME, size);
}

void appliance_path(const char *config_name, const char *rel, char *out, size_t size)
{
	size_t dir = 0;
	for (size_t i = 0; config_name[i]; i++)
		if (config_name[i] == '/')
			dir = i + 1;
	if (dir >= size)
		dir = size - 1;
	memcpy(out, config_name, dir);
	strlcpy(out + dir, rel, size - dir);
}

struct exists_ctx { const struct boot_info *bi; const char *config_name; };

static bool file_loaded(void *ctx, const char *path)
{
	struct exists_ctx *c = ctx;
	char full[BOOT_CMDLINE_MAX];
	appliance_path(c->config_name, path, full, sizeof full);
	return boot_find_file(c->bi, full) != NULL;
}

static void report(const struct cfg_error *errs, int n)
{
	for (int i = 0; i < n && i < MAX_REPORTED_ERRORS; i++)
		log_err("tessera: config %s:%d:%d: %s", errs[i].file, errs[i].line, errs[i].column,
			errs[i].message);
	log_err("tessera: no partition started: the configuration is invalid");
}

static void plan_line(void *ctx, const char *text)
{
	(void)ctx;
	log_info("tessera: plan: %s", text);
}

/* Global settings that the command line did not already set. */
static void apply_globals(const struct boot_info *bi)
{
	char v[8];
	if (!cmdline_get(bi->cmdline, "loglevel", v, sizeof v))
		log_set_level((enum log_level)cfg.log_level);
	if (cmdline_get(bi->cmdline, "console", v, sizeof v) || cfg.console_port == uart_port())
		return;
	if (cfg.console_port < 0x100 || cfg.console_port > 0xfff8) /* the PC's own chips live below */
		log_warn("tessera: config console port 0x%x not used: it must be 0x100..0xfff8",
			 cfg.console_port);
	else
		uart_init((uint16_t)cfg.console_port);
}

void appliance_start(const struct boot_info *bi)
{
	static struct cfg_error errs[MAX_REPORTED_ERRORS];
	char name[64];
	appliance_config_name(bi->cmdline, name, sizeof name);
	const struct boot_file *f = boot_find_file(bi, name);
	if (!f) {
		log_info("tessera: no config file %s: no partitions to start", name);
		return;
	}
	int n = config_parse_all((const char *)f->base, f->size, name, &cfg, errs, MAX_REPORTED_ERRORS);
	struct exists_ctx ectx = { bi, name };
	struct cfg_machine m = { cpu_known_count(), mem_free_bytes(), file_loaded, &ectx };
	if (!n)
		n = config_check_plan_all(&cfg, &m, errs, MAX_REPORTED_ERRORS);
	if (n) {
		report(errs, n);
		return;
	}
	apply_globals(bi);
	read_wall_clock();
	config_print_plan(&cfg, plan_line, NULL);
	unsigned started = partitions_start(&cfg, bi, name);
	log_info("tessera: %u of %u partitions started", started, cfg.partition_count);
}
