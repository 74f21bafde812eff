/*
 * libFuzzer target for the configuration parser and plan checker
 * (kernel/config.c, kernel/config_plan.c), built and run by
 * `tests/fuzz/run.sh SECONDS config` with ASan + UBSan.
 *
 * Every input is parsed from an exactly-sized heap copy, so ASan flags any
 * read past len. Then:
 *  - errors are well-formed: a count within the limit, NUL-terminated
 *    non-empty messages, the file name given, line and column inside the text;
 *  - config_parse (first error only) agrees with config_parse_all;
 *  - a config that parsed satisfies every documented rule (docs/config.md),
 *    [[cpu]] tables included;
 *  - the plan checker and the table printer run on it without trouble, and
 *    config_check_plan agrees with config_check_plan_all.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/config.h"

#define REQUIRE(cond)                                                              \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "fuzz_config: invariant failed at line %d: %s\n", \
				__LINE__, #cond);                                  \
			abort();                                                   \
		}                                                                  \
	} while (0)

#define MAX_ERRS 8

static struct config cfg, again;
static struct cfg_error errs[MAX_ERRS], one;

static int terminated(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

static void check_errors(const struct cfg_error *e, int n, int lines, const char *file)
{
	REQUIRE(n >= 0 && n <= MAX_ERRS);
	for (int i = 0; i < n; i++) {
		REQUIRE(terminated(e[i].message, sizeof e[i].message) && e[i].message[0]);
		REQUIRE(terminated(e[i].file, sizeof e[i].file) && !strcmp(e[i].file, file));
		REQUIRE(e[i].line >= 0 && e[i].line <= lines);
		REQUIRE(e[i].column >= 0 && e[i].column <= CFG_MAX_LINE + 1);
		REQUIRE((e[i].line == 0) == (e[i].column == 0));
	}
}

static int valid_name(const char *s)
{
	size_t n = strnlen(s, CFG_NAME_MAX);
	if (n < 1 || n >= CFG_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return 0;
	return 1;
}

static int valid_path(const char *s, int required)
{
	return terminated(s, CFG_PATH_MAX) && s[0] != '/' && (!required || s[0]);
}

static void check_shared(const struct cfg_partition *p)
{
	REQUIRE(p->shared_count <= CFG_MAX_SHARED);
	for (uint32_t i = 0; i < p->shared_count; i++) {
		const struct cfg_shared *s = &p->shared[i];
		REQUIRE(valid_name(s->name));
		REQUIRE(s->size && s->size % 4096 == 0 && s->gpa % 4096 == 0);
		REQUIRE(s->gpa + s->size <= CFG_GPA_LIMIT);
		REQUIRE(s->gpa + s->size <= p->memory_base || s->gpa >= p->memory_base + p->memory);
		for (uint32_t j = 0; j < i; j++) {
			REQUIRE(strcmp(s->name, p->shared[j].name));
			REQUIRE(s->gpa + s->size <= p->shared[j].gpa ||
				p->shared[j].gpa + p->shared[j].size <= s->gpa);
		}
	}
}

static void check_partition(const struct config *c, uint32_t k)
{
	const struct cfg_partition *p = &c->partitions[k];
	REQUIRE(valid_name(p->name));
	for (uint32_t j = 0; j < k; j++)
		REQUIRE(strcmp(p->name, c->partitions[j].name));
	REQUIRE(p->line >= 1);
	REQUIRE(p->cpu_count >= 1 && p->cpu_count <= CFG_MAX_VCPUS);
	for (uint32_t i = 0; i < p->cpu_count; i++) /* a CPU may repeat: vCPUs share it */
		REQUIRE(p->cpus[i] < CFG_MACHINE_CPUS && p->cpu_pos[i].line >= 1);
	REQUIRE(p->memory >= (2u << 20) && p->memory % (2u << 20) == 0);
	REQUIRE(p->memory_base % (2u << 20) == 0);
	REQUIRE(p->memory_base + p->memory <= CFG_GPA_LIMIT);
	REQUIRE(valid_path(p->image, 1) && p->image_pos.line >= 1);
	REQUIRE(valid_path(p->initrd, 0));
	REQUIRE(terminated(p->cmdline, sizeof p->cmdline));
	REQUIRE((unsigned)p->format <= CFG_FORMAT_MULTIBOOT);
	uint64_t end = p->memory_base + p->memory;
	if (p->format == CFG_FORMAT_RAW) {
		REQUIRE(p->entry_set && !p->initrd[0] && !p->cmdline[0] && !p->module_count);
		REQUIRE(p->entry >= p->memory_base && p->entry < end);
		REQUIRE(p->load >= p->memory_base && p->load < end);
		REQUIRE(p->load_set || p->load == p->entry);
	} else {
		REQUIRE(!p->entry_set && !p->load_set);
		REQUIRE(p->format == CFG_FORMAT_LINUX || !p->initrd[0]);
		REQUIRE(p->format == CFG_FORMAT_MULTIBOOT || !p->module_count);
	}
	REQUIRE(p->module_count <= CFG_MAX_MODULES);
	for (uint32_t i = 0; i < p->module_count; i++)
		REQUIRE(valid_path(p->modules[i], 1));
	REQUIRE(!strcmp(p->console, "shared") ||
		(strlen(p->console) == 4 && !strncmp(p->console, "com", 3) &&
		 p->console[3] >= '1' && p->console[3] <= '4'));
	REQUIRE(p->emulated_count <= CFG_MAX_DEVICES && p->passthrough_count <= CFG_MAX_DEVICES);
	for (uint32_t i = 0; i < p->passthrough_count; i++)
		REQUIRE(strlen(p->passthrough[i]) == 12);
	REQUIRE((unsigned)p->on_fault <= CFG_FAULT_HALT_SYSTEM);
	REQUIRE((unsigned)p->on_reboot <= CFG_REBOOT_STOP);
	REQUIRE(p->weight >= 1 && p->weight <= 1000 && p->cap <= 100);
	check_shared(p);
}

/* [[cpu]] tables: unique ids, keys that fit the policy, cyclic windows
 * resolved, sorted, apart and inside one common frame, every vCPU on a
 * cyclic CPU with a window, dedicated CPUs with one vCPU at most. */
static void check_cpu_tables(const struct config *c)
{
	uint64_t frame = 0;
	REQUIRE(c->cpu_table_count <= CFG_MACHINE_CPUS);
	for (uint32_t t = 0; t < c->cpu_table_count; t++) {
		const struct cfg_cpu *ct = &c->cpu_tables[t];
		const struct cfg_cpu *found;
		REQUIRE(ct->id < CFG_MACHINE_CPUS && ct->line >= 1 && ct->id_pos.line >= 1);
		REQUIRE(ct->policy_pos.line >= 1 && (unsigned)ct->policy <= CFG_SCHED_CYCLIC);
		REQUIRE(cfg_cpu_policy(c, ct->id, &found) == ct->policy && found == ct);
		for (uint32_t u = 0; u < t; u++)
			REQUIRE(c->cpu_tables[u].id != ct->id);
		REQUIRE(ct->slice_ns >= 100000 && ct->slice_ns <= 1000000000);
		REQUIRE(ct->policy == CFG_SCHED_SHARED || !ct->slice_pos.line);
		if (ct->policy == CFG_SCHED_DEDICATED)
			REQUIRE(cfg_cpu_vcpus(c, ct->id) <= 1);
		if (ct->policy != CFG_SCHED_CYCLIC) {
			REQUIRE(!ct->frame_pos.line && !ct->windows_pos.line && !ct->window_count);
			continue;
		}
		REQUIRE(ct->frame_ns >= 100000 && ct->frame_ns <= 10000000000ull);
		REQUIRE(!frame || frame == ct->frame_ns);
		frame = ct->frame_ns;
		REQUIRE(ct->window_count >= 1 && ct->window_count <= CFG_MAX_WINDOWS);
		for (uint32_t i = 0; i < ct->window_count; i++) {
			const struct cfg_window *w = &ct->windows[i];
			REQUIRE(w->length_ns && w->start_ns <= ct->frame_ns &&
				w->length_ns <= ct->frame_ns - w->start_ns);
			REQUIRE(i == 0 || ct->windows[i - 1].start_ns + ct->windows[i - 1].length_ns <=
					  w->start_ns);
			REQUIRE(w->part_index < c->partition_count);
			const struct cfg_partition *p = &c->partitions[w->part_index];
			REQUIRE(!strcmp(p->name, w->partition));
			REQUIRE(w->vcpu_index < p->cpu_count && p->cpus[w->vcpu_index] == ct->id);
			REQUIRE(w->vcpu < 0 || (uint32_t)w->vcpu == w->vcpu_index);
		}
	}
	for (uint32_t k = 0; k < c->partition_count; k++) {
		const struct cfg_partition *p = &c->partitions[k];
		for (uint32_t v = 0; v < p->cpu_count; v++) {
			const struct cfg_cpu *ct;
			if (cfg_cpu_policy(c, p->cpus[v], &ct) != CFG_SCHED_CYCLIC)
				continue;
			int owns = 0;
			for (uint32_t i = 0; i < ct->window_count; i++)
				owns |= ct->windows[i].part_index == k && ct->windows[i].vcpu_index == v;
			REQUIRE(owns);
		}
	}
}

static bool some_files_exist(void *ctx, const char *path)
{
	(void)ctx;
	REQUIRE(path[0] && terminated(path, CFG_PATH_MAX));
	return strlen(path) % 3 != 0;
}

static void table_line(void *ctx, const char *text)
{
	(*(int *)ctx)++;
	REQUIRE(strlen(text) < 320);
}

static void check_plan(const struct config *c, int lines)
{
	struct cfg_machine m = { 4, 64u << 20, some_files_exist, NULL };
	int n = config_check_plan_all(c, &m, errs, MAX_ERRS);
	check_errors(errs, n, lines, "fuzz.toml");
	REQUIRE(config_check_plan(c, &m, &one) == (n ? -1 : 0));
	if (n)
		REQUIRE(!strcmp(one.message, errs[0].message) && one.line == errs[0].line);
	int printed = 0, cpu_lines = 0;
	config_print_plan(c, table_line, &printed);
	for (uint32_t cpu = 0; cpu < CFG_MACHINE_CPUS; cpu++) {
		const struct cfg_cpu *t;
		cfg_cpu_policy(c, cpu, &t);
		cpu_lines += t || cfg_cpu_vcpus(c, cpu);
	}
	/* the table, a total, and a line per CPU (or more when it is long) */
	REQUIRE(printed >= (int)c->partition_count + 2 + cpu_lines);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	if (!text)
		abort();
	if (size)
		memcpy(text, data, size);
	int lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';

	int n = config_parse_all(text, size, "fuzz.toml", &cfg, errs, MAX_ERRS);
	check_errors(errs, n, lines, "fuzz.toml");
	struct cfg_error first = errs[0];
	REQUIRE(config_parse(text, size, "fuzz.toml", &again, &one) == (n ? -1 : 0));
	if (n) {
		REQUIRE(one.line == first.line && one.column == first.column);
		REQUIRE(!strcmp(one.message, first.message));
	} else {
		REQUIRE(!memcmp(&cfg, &again, sizeof cfg)); /* deterministic */
		REQUIRE(cfg.partition_count <= CFG_MAX_PARTITIONS);
		REQUIRE(cfg.console_port >= 1 && cfg.console_port <= 0xffff);
		REQUIRE(cfg.log_level >= 0 && cfg.log_level <= 3);
		REQUIRE((unsigned)cfg.default_on_fault <= CFG_FAULT_HALT_SYSTEM);
		for (uint32_t k = 0; k < cfg.partition_count; k++)
			check_partition(&cfg, k);
		check_cpu_tables(&cfg);
		check_plan(&cfg, lines);
	}
	free(text);
	return 0;
}
