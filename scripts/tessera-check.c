/*
 * tessera-check: check an appliance configuration on the host, with the
 * hypervisor's own parser (kernel/config.c, kernel/config_plan.c).
 *
 *   tessera-check [--cpus N] [--memory SIZE] [--skip-images] FILE
 *
 * Prints the partition plan and exits 0 when FILE is valid and fits the
 * machine (--cpus, default 64; --memory, default unknown); otherwise prints
 * every error as FILE:LINE:COL: error: MESSAGE on stderr and exits 1. Usage
 * and I/O errors exit 2. See docs/config.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kernel/config.h"

#define MAX_ERRORS 100

static const char *prog = "tessera-check";

__attribute__((noreturn)) static void usage(void)
{
	fprintf(stderr, "usage: %s [--cpus N] [--memory SIZE] [--skip-images] FILE\n"
		"  --cpus N         the machine has CPUs 0..N-1 (default %d)\n"
		"  --memory SIZE    memory for partitions, like 4G (default: unknown, not checked)\n"
		"  --skip-images    do not look for image, initrd and module files\n",
		prog, CFG_MACHINE_CPUS);
	exit(2);
}

/* The file, at most CFG_MAX_FILE + 1 bytes (the parser reports bigger ones). */
static char *read_config(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, path, strerror(errno));
		exit(2);
	}
	char *buf = malloc(CFG_MAX_FILE + 1);
	if (!buf) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(2);
	}
	*len = fread(buf, 1, CFG_MAX_FILE + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "%s: cannot read %s: %s\n", prog, path, strerror(errno));
		exit(2);
	}
	fclose(f);
	return buf;
}

/* Image paths are relative to the configuration file's directory. */
struct lookup {
	char dir[4096];
};

static bool file_exists(void *ctx, const char *path)
{
	const struct lookup *l = ctx;
	char full[8192];
	struct stat st;
	snprintf(full, sizeof full, "%s%s", l->dir, path);
	return stat(full, &st) == 0 && S_ISREG(st.st_mode);
}

static void directory_of(const char *file, char *dir, size_t size)
{
	const char *slash = strrchr(file, '/');
	size_t n = slash ? (size_t)(slash - file) + 1 : 0;
	if (n >= size) {
		fprintf(stderr, "%s: path too long: %s\n", prog, file);
		exit(2);
	}
	memcpy(dir, file, n);
	dir[n] = 0;
}

static bool before(const struct cfg_error *x, const struct cfg_error *y)
{
	return x->line < y->line || (x->line == y->line && x->column < y->column);
}

/* By place in the file (errors not about one place first); a stable
 * insertion sort, so errors at one place keep their order. */
static void print_errors(const char *file, struct cfg_error *errs, int n)
{
	for (int i = 1; i < n; i++) {
		struct cfg_error e = errs[i];
		int j = i;
		for (; j > 0 && before(&e, &errs[j - 1]); j--)
			errs[j] = errs[j - 1];
		errs[j] = e;
	}
	for (int i = 0; i < n; i++) {
		if (errs[i].line)
			fprintf(stderr, "%s:%d:%d: error: %s\n", file, errs[i].line, errs[i].column,
				errs[i].message);
		else
			fprintf(stderr, "%s: error: %s\n", file, errs[i].message);
	}
}

static void print_line(void *ctx, const char *text)
{
	fprintf(ctx, "%s\n", text);
}

static void bad_option(const char *name, const char *value, const char *why)
{
	fprintf(stderr, "%s: bad %s '%s': %s\n", prog, name, value ? value : "", why);
	usage();
}

static uint32_t cpus_option(const char *value)
{
	int64_t v = 0;
	const char *why = value ? cfg_parse_integer(value, strlen(value), &v) : "missing value";
	if (!why && (v < 1 || v > 4096))
		why = "must be from 1 to 4096";
	if (why)
		bad_option("--cpus", value, why);
	return (uint32_t)v;
}

static uint64_t memory_option(const char *value)
{
	uint64_t v = 0;
	const char *why = value ? cfg_parse_size(value, strlen(value), &v) : "missing value";
	if (why)
		bad_option("--memory", value, why);
	return v;
}

int main(int argc, char **argv)
{
	static struct config cfg;
	static struct cfg_error errs[MAX_ERRORS];
	static struct lookup where;
	struct cfg_machine m = { CFG_MACHINE_CPUS, 0, file_exists, &where };
	const char *file = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cpus"))
			m.cpu_count = cpus_option(argv[++i]);
		else if (!strcmp(argv[i], "--memory"))
			m.memory = memory_option(argv[++i]);
		else if (!strcmp(argv[i], "--skip-images"))
			m.file_exists = NULL;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			usage();
		else if (argv[i][0] == '-' && argv[i][1])
			bad_option("option", argv[i], "unknown");
		else if (file)
			usage();
		else
			file = argv[i];
	}
	if (!file)
		usage();

	size_t len;
	char *text = read_config(file, &len);
	int n = config_parse_all(text, len, file, &cfg, errs, MAX_ERRORS);
	free(text);
	if (n) {
		print_errors(file, errs, n);
		return 1;
	}
	directory_of(file, where.dir, sizeof where.dir);
	n = config_check_plan_all(&cfg, &m, errs, MAX_ERRORS);
	if (n) {
		print_errors(file, errs, n);
		return 1;
	}
	config_print_plan(&cfg, print_line, stdout);
	return 0;
}
