// unit-modules: kernel/config.c kernel/config_plan.c kernel/format.c
/*
 * Per-CPU scheduling in the configuration (kernel/config.c, config_plan.c):
 * durations, [[cpu]] tables (dedicated, shared, cyclic), their checks when a
 * table ends and once the whole file is read, CPUs shared between
 * partitions, the plan check of [[cpu]] ids and the CPU lines of the plan.
 * docs/config.md is the reference; test_config.c has the rest of the parser.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/config.h"
#include "unit.h"

static struct config cfg;                /* large: kept off the stack */
static struct cfg_error errs[16];

/* ------------------------------------------------------------------------ */
/* Helpers.                                                                  */

static void check_text(int line, const char *what, const char *a, const char *b)
{
	if (strcmp(a, b) != 0) {
		char m[1400];
		snprintf(m, sizeof m, "%s (\"%s\" != \"%s\")", what, a, b);
		unit_fail(__FILE__, line, m);
	}
}
#define CHECK_TEXT(a, b) check_text(__LINE__, #a " == " #b, (a), (b))

static int parse_text(const char *text)
{
	return config_parse_all(text, strlen(text), "t.toml", &cfg, errs, 16);
}

/* errs[i] is at line:col (col 0: not checked) and contains `substring`. */
static void check_error(int at, int i, int line, int col, const char *substring)
{
	char m[700];
	if (errs[i].line != line || (col && errs[i].column != col) ||
	    !strstr(errs[i].message, substring)) {
		snprintf(m, sizeof m, "error %d: expected %d:%d: ...%s...; got %d:%d: %s", i, line,
			 col, substring, errs[i].line, errs[i].column, errs[i].message);
		unit_fail(__FILE__, at, m);
	}
}

/* The text has exactly `n` errors; the first is at line:col with substring. */
#define CHECK_ERRORS(text, n, line, col, substring)                               \
	do {                                                                      \
		int got_ = parse_text(text);                                      \
		CHECK_EQ(got_, n);                                                \
		check_error(__LINE__, 0, line, col, substring);                   \
	} while (0)

/* The only error of `text`. */
#define CHECK_ERROR(text, line, col, substring) CHECK_ERRORS(text, 1, line, col, substring)

/* A partition in six lines: its header, name (2nd), cpus (3rd, the list at
 * column 8), memory, image, entry. */
#define PART(name, cpus)                                                             \
	"[[partition]]\nname = '" name "'\ncpus = " cpus "\nmemory = '2M'\nimage = '" name \
	"'\nentry = 0\n"

static const char *missing_file;

static bool fake_exists(void *ctx, const char *path)
{
	(void)ctx;
	return !missing_file || strcmp(path, missing_file) != 0;
}

static struct cfg_machine machine(uint32_t cpus)
{
	struct cfg_machine m = { cpus, 0, fake_exists, NULL };
	return m;
}

struct lines {
	char text[24][200];
	int n;
};

static void collect(void *ctx, const char *text)
{
	struct lines *l = ctx;
	if (l->n < 24)
		snprintf(l->text[l->n], sizeof l->text[0], "%s", text);
	l->n++;
}

/* ------------------------------------------------------------------------ */
/* Durations.                                                                */

static uint64_t ns_of(const char *s)
{
	uint64_t v = 12345;
	const char *why = cfg_parse_duration(s, strlen(s), &v);
	if (why) {
		char m[200];
		snprintf(m, sizeof m, "cfg_parse_duration(\"%s\"): %s", s, why);
		unit_fail(__FILE__, __LINE__, m);
	}
	return v;
}

static const char *duration_error(const char *s)
{
	uint64_t v;
	const char *why = cfg_parse_duration(s, strlen(s), &v);
	return why ? why : "(accepted)";
}

TEST(durations)
{
	CHECK_EQ(ns_of("0ms"), 0);
	CHECK_EQ(ns_of("250ns"), 250);
	CHECK_EQ(ns_of("500us"), 500000);
	CHECK_EQ(ns_of("10ms"), 10000000);
	CHECK_EQ(ns_of("2s"), 2000000000ull);
	CHECK_EQ(ns_of("1_500us"), 1500000);
	CHECK_EQ(ns_of("007ms"), 7000000);
	CHECK_EQ(ns_of("18446744073709551615ns"), UINT64_MAX);
	CHECK_EQ(ns_of("18446744073s"), 18446744073000000000ull);
	CHECK_EQ(strlen("18446744073s"), 12); /* (the same with len) */
	uint64_t v;
	CHECK(cfg_parse_duration("10msX", 4, &v) == NULL && v == 10000000); /* not read past n */
}

TEST(duration_errors)
{
	CHECK(strstr(duration_error("10"), "a unit is required: ns, us, ms or s"));
	CHECK(strstr(duration_error("1_000"), "a unit is required"));
	CHECK(strstr(duration_error(""), "must start with a decimal number"));
	CHECK(strstr(duration_error("ms"), "must start with a decimal number"));
	CHECK(strstr(duration_error("+5ms"), "must start with a decimal number"));
	CHECK(strstr(duration_error("-5ms"), "cannot be negative"));
	CHECK(strstr(duration_error("1.5ms"), "fractions are not supported"));
	CHECK(strstr(duration_error("10 ms"), "unknown unit"));
	CHECK(strstr(duration_error("10MS"), "unknown unit"));
	CHECK(strstr(duration_error("10m"), "unknown unit"));
	CHECK(strstr(duration_error("10min"), "unknown unit"));
	CHECK(strstr(duration_error("10mss"), "unknown unit"));
	CHECK(strstr(duration_error("0x10ms"), "unknown unit"));
	CHECK(strstr(duration_error("1__0ms"), "'_'"));
	CHECK(strstr(duration_error("_1ms"), "'_'"));
	CHECK(strstr(duration_error("10_ms"), "'_'"));
	CHECK(strstr(duration_error("18446744073709551616ns"), "too large"));
	CHECK(strstr(duration_error("18446744074s"), "too large"));
	CHECK(strstr(duration_error("18446744073710ms"), "too large"));
}

TEST(format_durations)
{
	char b[48];
	cfg_format_duration(b, sizeof b, 10000000);
	CHECK_TEXT(b, "10ms");
	cfg_format_duration(b, sizeof b, 1500000);
	CHECK_TEXT(b, "1500us");
	cfg_format_duration(b, sizeof b, 3000000000ull);
	CHECK_TEXT(b, "3s");
	cfg_format_duration(b, sizeof b, 7);
	CHECK_TEXT(b, "7ns");
	cfg_format_duration(b, sizeof b, 0);
	CHECK_TEXT(b, "0s");
	cfg_format_span(b, sizeof b, 0, 2000000);
	CHECK_TEXT(b, "0-2ms");
	cfg_format_span(b, sizeof b, 500000, 2000000);
	CHECK_TEXT(b, "500-2000us");
	cfg_format_span(b, sizeof b, 1000000000, 2000000000);
	CHECK_TEXT(b, "1-2s");
}

/* Durations in the file are strings; the key's range is checked. */
TEST(duration_values)
{
	const char *pre = "[[cpu]]\nid = 0\npolicy = 'cyclic'\n";
	char t[400];
	snprintf(t, sizeof t, "%sframe = 10\n", pre);
	CHECK_ERRORS(t, 2, 4, 9, "'frame' must be a duration like \"10ms\" or \"500us\", not an integer");
	snprintf(t, sizeof t, "%sframe = '10'\n", pre);
	CHECK_ERRORS(t, 2, 4, 9, "'frame' must be a duration like \"10ms\" or \"500us\", not \"10\" "
		     "(a unit is required: ns, us, ms or s)");
	snprintf(t, sizeof t, "%sframe = 10ms\n", pre); /* unquoted: a syntax error */
	CHECK_ERRORS(t, 2, 4, 9, "bad number '10ms'");
	snprintf(t, sizeof t, "%sframe = '11s'\n", pre);
	CHECK_ERRORS(t, 2, 4, 9, "'frame' must be from 100us to 10s, not 11s");
	snprintf(t, sizeof t, "%sframe = '99us'\n", pre);
	CHECK_ERRORS(t, 2, 4, 9, "'frame' must be from 100us to 10s, not 99us");
	/* the bounds themselves are fine (the windows are missing: one error) */
	snprintf(t, sizeof t, "%sframe = '10s'\n", pre);
	CHECK_ERRORS(t, 1, 1, 1, "cpu 0 (policy = \"cyclic\") has no 'windows'");
	snprintf(t, sizeof t, "%sframe = '100_000ns'\n", pre);
	CHECK_ERRORS(t, 1, 1, 1, "has no 'windows'");
	CHECK_ERROR("[[cpu]]\nid = 0\npolicy = 'shared'\nslice = '2s'\n", 4, 9,
		    "'slice' must be from 100us to 1s, not 2s");
	CHECK_ERROR("[[cpu]]\nid = 0\npolicy = 'shared'\nslice = '50us'\n", 4, 9,
		    "'slice' must be from 100us to 1s, not 50us");
	CHECK_ERROR("[[cpu]]\nid = 0\npolicy = 'shared'\nslice = true\n", 4, 9,
		    "'slice' must be a duration like \"10ms\" or \"500us\", not a boolean");
	CHECK_EQ(parse_text("[[cpu]]\nid = 0\npolicy = 'shared'\nslice = \"1s\"\n"), 0);
	CHECK_EQ(cfg.cpu_tables[0].slice_ns, 1000000000ull);
	CHECK_EQ(parse_text("[[cpu]]\nid = 0\npolicy = 'shared'\nslice = '100us'\n"), 0);
	CHECK_EQ(cfg.cpu_tables[0].slice_ns, 100000);
	CHECK_EQ(cfg.cpu_tables[0].slice_pos.line, 4);
}

/* ------------------------------------------------------------------------ */
/* Defaults and valid tables.                                                */

TEST(default_policies)
{
	/* no [[cpu]] table: dedicated with 0 or 1 vCPU on the CPU, shared with more */
	CHECK_EQ(parse_text(PART("a", "[0, 1]") PART("b", "[1, 2, 2]")), 0);
	CHECK_EQ(cfg.cpu_table_count, 0);
	const struct cfg_cpu *t = (const struct cfg_cpu *)&cfg; /* overwritten */
	CHECK_EQ(cfg_cpu_vcpus(&cfg, 0), 1);
	CHECK_EQ(cfg_cpu_vcpus(&cfg, 1), 2);
	CHECK_EQ(cfg_cpu_vcpus(&cfg, 2), 2);
	CHECK_EQ(cfg_cpu_vcpus(&cfg, 3), 0);
	CHECK_EQ(cfg_cpu_policy(&cfg, 0, &t), CFG_SCHED_DEDICATED);
	CHECK(t == NULL);
	CHECK_EQ(cfg_cpu_policy(&cfg, 1, &t), CFG_SCHED_SHARED);
	CHECK_EQ(cfg_cpu_policy(&cfg, 2, NULL), CFG_SCHED_SHARED);
	CHECK_EQ(cfg_cpu_policy(&cfg, 3, NULL), CFG_SCHED_DEDICATED);
	CHECK_EQ(cfg_cpu_policy(&cfg, 63, NULL), CFG_SCHED_DEDICATED);
	/* a table's policy wins; slice has its default */
	CHECK_EQ(parse_text(PART("a", "[0, 1]") "[[cpu]]\nid = 1\npolicy = 'shared'\n"
			    "[[cpu]]\nid = 2\npolicy = 'dedicated'\n"), 0);
	CHECK_EQ(cfg.cpu_table_count, 2);
	CHECK_EQ(cfg_cpu_policy(&cfg, 1, &t), CFG_SCHED_SHARED);
	CHECK(t == &cfg.cpu_tables[0]);
	CHECK_EQ(t->id, 1);
	CHECK_EQ(t->line, 7);
	CHECK_EQ(t->slice_ns, CFG_SLICE_DEFAULT_NS);
	CHECK_EQ(t->slice_pos.line, 0);
	CHECK_EQ(t->window_count, 0);
	CHECK_EQ(t->id_pos.line, 8);
	CHECK_EQ(t->id_pos.column, 6);
	CHECK_EQ(t->policy_pos.line, 9);
	CHECK_EQ(t->policy_pos.column, 10);
	CHECK_EQ(cfg_cpu_policy(&cfg, 2, &t), CFG_SCHED_DEDICATED);
	CHECK(t == &cfg.cpu_tables[1]);
	CHECK_EQ(cfg_cpu_vcpus(&cfg, 2), 0); /* a table for an idle CPU is fine */
	CHECK_EQ(CFG_SLICE_DEFAULT_NS, 5000000);
}

/* Partitions may share CPUs, and one partition may list a CPU twice. */
TEST(sharing_is_allowed)
{
	static const char text[] = PART("a", "[0, 1, 1]") "weight = 200\ncap = 50\n"
		PART("b", "[1, 2]");
	CHECK_EQ(parse_text(text), 0);
	CHECK_EQ(cfg.partitions[0].cpu_count, 3);
	CHECK_EQ(cfg.partitions[0].cpus[2], 1);
	CHECK_EQ(cfg.partitions[0].cpu_pos[2].column, 15);
	CHECK_EQ(cfg_cpu_vcpus(&cfg, 1), 3);
	struct cfg_machine m = machine(4);
	CHECK_EQ(config_check_plan_all(&cfg, &m, errs, 16), 0);
	struct lines l = { .n = 0 };
	config_print_plan(&cfg, collect, &l);
	CHECK_EQ(l.n, 7);
	CHECK_TEXT(l.text[1], "a          0-1,1      2M  raw     a      stop");
	CHECK_TEXT(l.text[3], "total: 2 partitions, 5 vcpus on 3 cpus, 4M memory");
	CHECK_TEXT(l.text[4], "cpu 0: dedicated: a/0");
	CHECK_TEXT(l.text[5], "cpu 1: shared (slice 5ms): a/1 (weight 200, cap 50%), "
		   "a/2 (weight 200, cap 50%), b/0 (weight 100)");
	CHECK_TEXT(l.text[6], "cpu 2: dedicated: b/1");
	/* weight and cap keep their ranges */
	CHECK_ERROR(PART("a", "0") "weight = 1001\n", 7, 10, "'weight' must be from 1 to 1000, not 1001");
	CHECK_ERROR(PART("a", "0") "cap = 101\n", 7, 7, "'cap' must be from 0 to 100, not 101");
}

/* A cyclic CPU 1 shared by two partitions, one of them with two vCPUs on
 * it; a shared CPU 0; tables before and after the partitions. */
static const char cyclic_text[] =
	"[[cpu]]\n"                                                            /* 1 */
	"id = 1\n"
	"policy = \"cyclic\"\n"
	"frame = \"10ms\"\n"
	"windows = [\n"                                                        /* 5 */
	"  { partition = \"rt-b\", vcpu = 2, start = \"5ms\", length = \"1500us\" },\n"
	"  { partition = \"rt-a\", start = \"0ms\", length = \"2ms\" },\n"
	"  { partition = \"rt-b\", vcpu = 1, start = \"2ms\", length = \"3ms\" },\n"
	"]\n"
	"[global]\n"                                                           /* 10 */
	"log_level = 'debug'\n"
	PART("rt-a", "[1]")                                                    /* 12 */
	PART("rt-b", "[0, 1, 1, 2]") "weight = 300\n"                          /* 18 */
	"[[cpu]]\nid = 0\npolicy = 'shared'\nslice = '2ms'\n"                  /* 25 */
	"[[cpu]]\nid = 2\npolicy = 'cyclic'\nframe = '10ms'\n"                 /* 29 */
	"windows = [{ partition = 'rt-b', start = '8ms', length = '2ms' }]\n"; /* 33 */

TEST(cyclic_config)
{
	CHECK_EQ(parse_text(cyclic_text), 0);
	CHECK_EQ(cfg.log_level, 3);
	CHECK_EQ(cfg.cpu_table_count, 3);
	const struct cfg_cpu *c = &cfg.cpu_tables[0];
	CHECK_EQ(c->id, 1);
	CHECK_EQ(c->policy, CFG_SCHED_CYCLIC);
	CHECK_EQ(c->frame_ns, 10000000);
	CHECK_EQ(c->frame_pos.line, 4);
	CHECK_EQ(c->windows_pos.line, 5);
	CHECK_EQ(c->window_count, 3);
	/* sorted by start; resolved */
	CHECK_TEXT(c->windows[0].partition, "rt-a");
	CHECK_EQ(c->windows[0].vcpu, -1);
	CHECK_EQ(c->windows[0].start_ns, 0);
	CHECK_EQ(c->windows[0].length_ns, 2000000);
	CHECK_EQ(c->windows[0].part_index, 0);
	CHECK_EQ(c->windows[0].vcpu_index, 0);
	CHECK_EQ(c->windows[0].pos.line, 7);
	CHECK_EQ(c->windows[0].pos.column, 3);
	CHECK_TEXT(c->windows[1].partition, "rt-b");
	CHECK_EQ(c->windows[1].vcpu, 1);
	CHECK_EQ(c->windows[1].part_index, 1);
	CHECK_EQ(c->windows[1].vcpu_index, 1);
	CHECK_EQ(c->windows[1].pos.line, 8);
	CHECK_EQ(c->windows[2].start_ns, 5000000);
	CHECK_EQ(c->windows[2].length_ns, 1500000);
	CHECK_EQ(c->windows[2].vcpu_index, 2);
	CHECK_EQ(c->windows[2].pos.line, 6);
	/* one vCPU of rt-b on cpu 2: no vcpu needed */
	const struct cfg_cpu *c2 = &cfg.cpu_tables[2];
	CHECK_EQ(c2->windows[0].part_index, 1);
	CHECK_EQ(c2->windows[0].vcpu_index, 3);
	CHECK_EQ(cfg.cpu_tables[1].slice_ns, 2000000);
	CHECK_EQ(cfg_cpu_policy(&cfg, 0, NULL), CFG_SCHED_SHARED);
	CHECK_EQ(cfg_cpu_policy(&cfg, 1, NULL), CFG_SCHED_CYCLIC);
	CHECK_EQ(cfg_cpu_policy(&cfg, 2, NULL), CFG_SCHED_CYCLIC);

	struct cfg_machine m = machine(4);
	CHECK_EQ(config_check_plan_all(&cfg, &m, errs, 16), 0);
	struct lines l = { .n = 0 };
	config_print_plan(&cfg, collect, &l);
	CHECK_EQ(l.n, 7);
	CHECK_TEXT(l.text[3], "total: 2 partitions, 5 vcpus on 3 cpus, 4M memory");
	CHECK_TEXT(l.text[4], "cpu 0: shared (slice 2ms): rt-b/0 (weight 300)");
	CHECK_TEXT(l.text[5], "cpu 1: cyclic, frame 10ms: 0-2ms rt-a/0, 2-5ms rt-b/1, "
		   "5000-6500us rt-b/2");
	CHECK_TEXT(l.text[6], "cpu 2: cyclic, frame 10ms: 8-10ms rt-b/3");
	/* a [[cpu]] id the machine does not have: at its id */
	m = machine(2);
	CHECK_EQ(config_check_plan_all(&cfg, &m, errs, 16), 2);
	CHECK_TEXT(errs[0].message, "cpu 2 does not exist (this machine has 2: 0-1)");
	CHECK_EQ(errs[0].line, 20); /* rt-b's cpus */
	CHECK_EQ(errs[0].column, 18);
	CHECK_TEXT(errs[1].message, "cpu 2 does not exist (this machine has 2: 0-1)");
	CHECK_EQ(errs[1].line, 30);
	CHECK_EQ(errs[1].column, 6);
	struct cfg_error one;
	CHECK_EQ(config_check_plan(&cfg, &m, &one), -1);
	CHECK_EQ(one.line, 20);
}

TEST(cpu_table_id_on_machine)
{
	CHECK_EQ(parse_text(PART("a", "0") "[[cpu]]\nid = 63\npolicy = 'dedicated'\n"), 0);
	struct cfg_machine m = machine(4);
	CHECK_EQ(config_check_plan(&cfg, &m, errs), -1);
	CHECK_TEXT(errs[0].message, "cpu 63 does not exist (this machine has 4: 0-3)");
	CHECK_EQ(errs[0].line, 8);
	CHECK_EQ(errs[0].column, 6);
	m = machine(64);
	CHECK_EQ(config_check_plan(&cfg, &m, errs), 0);
}

/* Sixteen vCPUs fit on one CPU's run queue; the seventeenth is refused at
 * its own cpus entry. */
TEST(cpu_run_queue_limit)
{
	static const char text[] = PART("a", "[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]")
		PART("b", "[2, 1]");
	CHECK_EQ(parse_text(text), 0);
	struct cfg_machine m = machine(4);
	CHECK_EQ(config_check_plan_all(&cfg, &m, errs, 16), 1);
	CHECK_TEXT(errs[0].message, "cpu 1 would run more than 16 vcpus");
	CHECK_EQ(errs[0].line, cfg.partitions[1].cpu_pos[1].line);
	CHECK_EQ(errs[0].column, cfg.partitions[1].cpu_pos[1].column);
}

/* The documented example (docs/config.md, "<!-- example: scheduling -->"). */
TEST(docs_scheduling_example)
{
	static const char self[] = "tests/unit/test_config_sched.c";
	char path[512];
	size_t n = strlen(__FILE__), s = strlen(self);
	size_t prefix = n >= s && strcmp(__FILE__ + n - s, self) == 0 ? n - s : 0;
	snprintf(path, sizeof path, "%.*sdocs/config.md", (int)prefix, __FILE__);
	FILE *f = fopen(path, "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	static char doc[200000];
	size_t len = fread(doc, 1, sizeof doc - 1, f);
	fclose(f);
	doc[len] = 0;
	const char *mark = strstr(doc, "<!-- example: scheduling -->");
	const char *start = mark ? strstr(mark, "```toml\n") : NULL;
	CHECK(start != NULL);
	if (!start)
		return;
	start += strlen("```toml\n");
	const char *end = strstr(start, "\n```\n");
	CHECK(end != NULL);
	if (!end)
		return;
	int e = config_parse_all(start, (size_t)(end + 1 - start), "docs", &cfg, errs, 16);
	CHECK_EQ(e, 0);
	if (e)
		CHECK_TEXT(errs[0].message, "");
	CHECK(cfg.cpu_table_count >= 2);
	struct cfg_machine m = machine(4);
	CHECK_EQ(config_check_plan_all(&cfg, &m, errs, 16), 0);
}

/* Long CPU lines go on in continuation lines. */
TEST(print_plan_wraps_long_cpu_lines)
{
	CHECK_EQ(parse_text(PART("a-long-partition-name",
				 "[3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]")), 0);
	struct lines l = { .n = 0 };
	config_print_plan(&cfg, collect, &l);
	CHECK_EQ(l.n, 11); /* the table, then 2 vCPUs a line */
	CHECK_TEXT(l.text[3], "cpu 3: shared (slice 5ms): a-long-partition-name/0 (weight 100), "
		   "a-long-partition-name/1 (weight 100),");
	CHECK_TEXT(l.text[10], "                           a-long-partition-name/14 (weight 100), "
		   "a-long-partition-name/15 (weight 100)");
	int items = 0;
	for (int i = 3; i < l.n && i < 24; i++) {
		CHECK(strlen(l.text[i]) <= 120);
		CHECK(i == 3 || strncmp(l.text[i], "                           a-long", 33) == 0);
		CHECK(i == l.n - 1 ? l.text[i][strlen(l.text[i]) - 1] == ')'
		      : l.text[i][strlen(l.text[i]) - 1] == ',');
		for (const char *p = l.text[i]; (p = strstr(p, "(weight 100)")); p++)
			items++;
	}
	CHECK_EQ(items, 16);
	/* an idle CPU with a table */
	l.n = 0;
	CHECK_EQ(parse_text(PART("a", "0") "[[cpu]]\nid = 5\npolicy = 'shared'\n"), 0);
	config_print_plan(&cfg, collect, &l);
	CHECK_EQ(l.n, 5);
	CHECK_TEXT(l.text[4], "cpu 5: shared (slice 5ms): idle");
}

/* ------------------------------------------------------------------------ */
/* Errors in a [[cpu]] table.                                                */

TEST(cpu_table_keys)
{
	CHECK_ERROR("[[cpu]]\npolicy = 'shared'\n", 1, 1, "[[cpu]] has no 'id'; say which CPU it is like id = 0");
	CHECK_ERROR("[[cpu]]\nid = 3\n", 1, 1,
		    "cpu 3 has no 'policy'; allowed: \"dedicated\", \"shared\" or \"cyclic\"");
	CHECK_ERRORS("x = 1\n[[cpu]]\n", 3, 1, 1, "unknown key 'x'");
	check_error(__LINE__, 1, 2, 1, "[[cpu]] has no 'id'");
	check_error(__LINE__, 2, 2, 1, "[[cpu]] has no 'policy'");
	CHECK_ERROR("[[cpu]]\nid = 64\npolicy = 'shared'\n", 2, 6, "'id' must be from 0 to 63, not 64");
	CHECK_ERROR("[[cpu]]\nid = -1\npolicy = 'shared'\n", 2, 6, "'id' must be from 0 to 63, not -1");
	CHECK_ERROR("[[cpu]]\nid = '1'\npolicy = 'shared'\n", 2, 6,
		    "'id' must be a CPU index (integer) like 0, not a string");
	CHECK_ERROR("[[cpu]]\nid = 1\npolicy = 'shared'\n[[cpu]]\npolicy = 'dedicated'\nid = 1\n",
		    6, 6, "cpu 1 already has a [[cpu]] table (line 1)");
	CHECK_ERROR("[[cpu]]\nid = 1\npolicy = 'round-robin'\n", 3, 10,
		    "'policy' must be \"dedicated\", \"shared\" or \"cyclic\"; \"round-robin\" is not allowed");
	CHECK_ERROR("[[cpu]]\nid = 1\npolicy = 'shared'\npolicy = 'shared'\n", 4, 1,
		    "duplicate key 'policy' (first set at line 3)");
	CHECK_ERROR("[[cpu]]\nid = 1\npolicy = 'shared'\nweight = 5\n", 4, 1,
		    "unknown key 'weight' in [[cpu]]; allowed: id, policy, slice, frame, windows");
	CHECK_ERROR("[cpu]\nid = 1\n", 1, 1, "write [[cpu]] (one table per CPU), not [cpu]");
	CHECK_ERROR("[[cpus]]\n", 1, 1, "unknown table '[[cpus]]'; allowed: [global], [[partition]], [[cpu]]");
	/* a wrong policy does not bring errors about the other keys */
	CHECK_ERROR("[[cpu]]\nid = 1\nframe = '10ms'\npolicy = 'rr'\n", 4, 10, "\"rr\" is not allowed");
	/* nor a missing one */
	CHECK_ERROR("[[cpu]]\nid = 1\nslice = '1ms'\nframe = '10ms'\n", 1, 1, "cpu 1 has no 'policy'");
}

TEST(too_many_cpu_tables)
{
	static char t[64 * 40 + 64];
	size_t o = 0;
	for (int i = 0; i < 64; i++)
		o += (size_t)snprintf(t + o, sizeof t - o, "[[cpu]]\nid = %d\npolicy = 'shared'\n", i);
	CHECK_EQ(parse_text(t), 0);
	CHECK_EQ(cfg.cpu_table_count, 64);
	CHECK_EQ(cfg.cpu_tables[63].id, 63);
	snprintf(t + o, sizeof t - o, "[[cpu]]\nid = 0\n");
	CHECK_ERROR(t, 193, 1, "too many [[cpu]] tables: at most 64 (one per CPU)");
}

/* Keys of another policy: at the key, also when the policy comes after it. */
TEST(keys_of_another_policy)
{
	CHECK_ERROR("[[cpu]]\nid = 1\nslice = '1ms'\npolicy = 'cyclic'\nframe = '10ms'\n"
		    "windows = [{ partition = 'a', start = '0ms', length = '1ms' }]\n" PART("a", "1"),
		    3, 1, "'slice' is only for policy = \"shared\" (this cpu's policy is \"cyclic\")");
	CHECK_ERROR("[[cpu]]\nid = 1\npolicy = 'dedicated'\nslice = '1ms'\n", 4, 1,
		    "'slice' is only for policy = \"shared\"");
	CHECK_ERROR("[[cpu]]\nid = 1\n  frame = '10ms'\npolicy = 'shared'\n", 3, 3,
		    "'frame' is only for policy = \"cyclic\" (this cpu's policy is \"shared\")");
	CHECK_ERROR("[[cpu]]\nid = 1\npolicy = 'dedicated'\n"
		    "windows = [{ partition = 'a', start = '0ms', length = '1ms' }]\n", 4, 1,
		    "'windows' is only for policy = \"cyclic\"");
	/* its own error only when the value is wrong too */
	CHECK_ERROR("[[cpu]]\nid = 1\npolicy = 'shared'\nframe = 10\n", 4, 9,
		    "'frame' must be a duration");
	/* cyclic needs frame and windows, at the header when the table ends */
	CHECK_ERRORS("[[cpu]]\nid = 1\npolicy = 'cyclic'\n" PART("a", "1"), 2, 1, 1,
		     "cpu 1 (policy = \"cyclic\") has no 'frame'; give its major frame like frame = \"10ms\"");
	check_error(__LINE__, 1, 1, 1, "cpu 1 (policy = \"cyclic\") has no 'windows'; list them like "
		    "windows = [{ partition = \"a\", start = \"0ms\", length = \"2ms\" }]");
}

#define CYC(windows) "[[cpu]]\nid = 1\npolicy = 'cyclic'\nframe = '10ms'\nwindows = " windows "\n"
#define ON1 PART("a", "[1]") PART("b", "[0, 1]")   /* a at line 6, b at line 12 */

TEST(window_entries)
{
	CHECK_ERROR(CYC("[]"), 5, 11, "'windows' must list at least one window");
	CHECK_ERROR(CYC("{ partition = 'a', start = '0ms', length = '1ms' }"), 5, 11,
		    "'windows' must be an array of inline tables like [{ partition = \"a\"");
	CHECK_ERROR(CYC("['a']"), 5, 12,
		    "'windows' elements must be inline tables { partition, vcpu, start, length }, not a string");
	CHECK_ERROR(CYC("[{ partition = 'a', start = '0ms', length = '1ms', prio = 1 }]"), 5, 62,
		    "unknown key 'prio' in a window; allowed: partition, vcpu, start, length");
	CHECK_ERROR(CYC("[{ partition = 'a', length = '1ms' }]"), 5, 12,
		    "a window needs partition, start and length; 'start' is missing");
	CHECK_ERROR(CYC("[{ start = '0ms', length = '1ms' }]"), 5, 12, "'partition' is missing");
	CHECK_ERROR(CYC("[{ partition = 'a', start = '0ms' }]"), 5, 12, "'length' is missing");
	CHECK_ERROR(CYC("[{ partition = 'a', start = 0, length = '1ms' }]"), 5, 39,
		    "window 'start' must be a duration like \"10ms\" or \"500us\", not an integer");
	CHECK_ERROR(CYC("[{ partition = 'a', start = '0', length = '1ms' }]"), 5, 39,
		    "'start' must be a duration like \"10ms\" or \"500us\", not \"0\" (a unit is required");
	CHECK_ERROR(CYC("[{ partition = 'a', start = '0ms', length = '0us' }]"), 5, 55,
		    "window 'length' must be more than 0");
	CHECK_ERROR(CYC("[{ partition = 1, start = '0ms', length = '1ms' }]"), 5, 26,
		    "window 'partition' must be a partition name string, not an integer");
	CHECK_ERROR(CYC("[{ partition = 'A', start = '0ms', length = '1ms' }]"), 5, 26,
		    "bad window partition \"A\"");
	CHECK_ERROR(CYC("[{ partition = 'a', vcpu = -1, start = '0ms', length = '1ms' }]"), 5, 38,
		    "window 'vcpu' must be from 0 to 15, not -1");
	CHECK_ERROR(CYC("[{ partition = 'a', vcpu = 16, start = '0ms', length = '1ms' }]"), 5, 38,
		    "window 'vcpu' must be from 0 to 15, not 16");
	CHECK_ERROR(CYC("[{ partition = 'a', vcpu = '0', start = '0ms', length = '1ms' }]"), 5, 38,
		    "window 'vcpu' must be a vCPU index (integer), not a string");
	CHECK_ERROR(CYC("[{ partition = 'a', start = '0ms', length = '1ms', start = '1ms' }]"), 5, 62,
		    "duplicate key 'start' in the inline table");
}

TEST(too_many_windows)
{
	static char t[8000];
	size_t o = (size_t)snprintf(t, sizeof t, "[[cpu]]\nid = 1\npolicy = 'cyclic'\nframe = '10ms'\n"
				    "windows = [\n");
	for (int i = 0; i < 33; i++)
		o += (size_t)snprintf(t + o, sizeof t - o,
				      "  { partition = 'a', start = '%dus', length = '100us' },\n",
				      i * 200);
	o += (size_t)snprintf(t + o, sizeof t - o, "]\n" PART("a", "1"));
	CHECK_ERROR(t, 5 + 33, 3, "too many windows: at most 32 fit in one cpu's frame");
	/* 32 with every key fit in one value */
	o = (size_t)snprintf(t, sizeof t, "[[cpu]]\nid = 1\npolicy = 'cyclic'\nframe = '10ms'\n"
			     "windows = [\n");
	for (int i = 0; i < 32; i++)
		o += (size_t)snprintf(t + o, sizeof t - o,
				      "  { partition = 'a', vcpu = 0, start = '%dus', length = '100us' },\n",
				      i * 200);
	snprintf(t + o, sizeof t - o, "]\n" PART("a", "1"));
	CHECK_EQ(parse_text(t), 0);
	CHECK_EQ(cfg.cpu_tables[0].window_count, 32);
}

TEST(windows_in_the_frame)
{
	CHECK_ERROR(CYC("[\n  { partition = 'a', start = '0ms', length = '2ms' },\n"
			"  { partition = 'b', start = '9ms', length = '3ms' },\n]") ON1,
		    7, 3, "window 'b' ends at 12ms, after the 10ms frame");
	/* the frame may come after the windows: checked when the table ends */
	CHECK_ERROR("[[cpu]]\nid = 1\npolicy = 'cyclic'\n"
		    "windows = [{ partition = 'a', start = '9ms', length = '1001us' }]\n"
		    "frame = '10ms'\n" PART("a", "1"),
		    4, 12, "window 'a' ends at 10001us, after the 10ms frame");
	/* ending with the frame is fine */
	CHECK_EQ(parse_text(CYC("[{ partition = 'a', start = '9ms', length = '1ms' }]") PART("a", "1")), 0);
	/* overlaps: naming the other window's line */
	CHECK_ERROR(CYC("[\n  { partition = 'a', start = '0ms', length = '2ms' },\n"
			"  { partition = 'b', vcpu = 1, start = '1ms', length = '3ms' },\n]") ON1,
		    7, 3, "window 'b' (1-4ms) overlaps window 'a' (0-2ms, line 6)");
	CHECK_ERROR(CYC("[\n  { partition = 'a', start = '5ms', length = '2ms' },\n"
			"  { partition = 'b', vcpu = 1, start = '0ms', length = '10ms' },\n]") ON1,
		    7, 3, "window 'b' (0-10ms) overlaps window 'a' (5-7ms, line 6)");
	CHECK_ERROR(CYC("[{ partition = 'a', start = '0ms', length = '2ms' }, "
			"{ partition = 'a', start = '1999us', length = '1ms' }]") PART("a", "1"),
		    5, 64, "window 'a' (1999-2999us) overlaps window 'a' (0-2ms, line 5)");
	/* touching windows, and idle time, are fine */
	CHECK_EQ(parse_text(CYC("[{ partition = 'a', start = '2ms', length = '2ms' }, "
				"{ partition = 'b', vcpu = 1, start = '0ms', length = '2ms' }]") ON1), 0);
	/* a huge start does not wrap around */
	CHECK_ERROR(CYC("[{ partition = 'a', start = '18446744073709551615ns', length = '2ns' }]")
		    PART("a", "1"), 5, 12, "window 'a' ends at 18446744073709551615ns, after the 10ms frame");
}

/* ------------------------------------------------------------------------ */
/* Checks once the whole file is read.                                       */

TEST(window_partitions)
{
	/* partitions may come after the tables */
	CHECK_ERROR(CYC("[{ partition = 'x', start = '0ms', length = '2ms' }]") ON1, 5, 12,
		    "no partition named 'x'");
	CHECK_ERROR(CYC("[{ partition = 'a', start = '0ms', length = '2ms' }]") PART("a", "[0, 2]"),
		    5, 12, "partition 'a' has no vcpu on cpu 1 (its cpus = [0, 2])");
	CHECK_ERROR(CYC("[{ partition = 'b', vcpu = 2, start = '0ms', length = '2ms' }]") ON1,
		    5, 12, "partition 'b' has no vcpu 2 (it has 2: 0-1)");
	CHECK_ERROR(CYC("[{ partition = 'b', vcpu = 0, start = '0ms', length = '2ms' }]") ON1,
		    5, 12, "partition 'b' vcpu 0 is on cpu 0, not on cpu 1 (its vcpus on cpu 1: 1)");
	/* without vcpu: the partition must have one vCPU on the CPU */
	CHECK_ERROR(CYC("[{ partition = 'a', start = '0ms', length = '2ms' }]") PART("a", "[1, 1]"),
		    5, 12, "partition 'a' has vcpus 0 and 1 on cpu 1: say which with vcpu = N");
	CHECK_ERROR(CYC("[{ partition = 'a', start = '0ms', length = '2ms' }]") PART("a", "[1, 0, 1, 1]"),
		    5, 12, "partition 'a' has vcpus 0, 2 and 3 on cpu 1: say which with vcpu = N");
	/* naming each of them is fine */
	CHECK_EQ(parse_text(CYC("[{ partition = 'a', vcpu = 1, start = '0ms', length = '2ms' }, "
				"{ partition = 'a', vcpu = 0, start = '2ms', length = '2ms' }]")
			    PART("a", "[1, 1]")), 0);
	CHECK_EQ(cfg.cpu_tables[0].windows[0].vcpu_index, 1);
	CHECK_EQ(cfg.cpu_tables[0].windows[1].vcpu_index, 0);
}

TEST(every_vcpu_owns_a_window)
{
	/* b's vcpu 1 is on cyclic cpu 1 with no window: at b's cpus entry */
	CHECK_ERROR(CYC("[{ partition = 'a', start = '0ms', length = '2ms' }]") ON1,
		    14, 12, "partition 'b' vcpu 1 is on cyclic cpu 1 but owns no window there");
	CHECK_ERRORS(CYC("[{ partition = 'a', vcpu = 0, start = '0ms', length = '2ms' }]")
		     PART("a", "[1, 1, 1]"), 2, 8, 12,
		     "partition 'a' vcpu 1 is on cyclic cpu 1 but owns no window there");
	check_error(__LINE__, 1, 8, 15, "partition 'a' vcpu 2 is on cyclic cpu 1 but owns no window there");
}

TEST(cyclic_cpus_share_one_frame)
{
	static const char t[] =
		CYC("[{ partition = 'a', start = '0ms', length = '2ms' }]")   /* 1-5 */
		"[[cpu]]\nid = 2\npolicy = 'cyclic'\nframe = '20ms'\n"       /* 6-9 */
		"windows = [{ partition = 'b', start = '0ms', length = '2ms' }]\n"
		"[[cpu]]\nid = 3\npolicy = 'cyclic'\n  frame = '5ms'\n"      /* 11-14 */
		"windows = [{ partition = 'c', start = '0ms', length = '2ms' }]\n"
		PART("a", "1") PART("b", "2") PART("c", "3");
	CHECK_ERRORS(t, 2, 9, 9, "every cyclic cpu needs the same frame: cpu 1 has 10ms (line 4), cpu 2 has 20ms");
	check_error(__LINE__, 1, 14, 11, "every cyclic cpu needs the same frame: cpu 1 has 10ms (line 4), cpu 3 has 5ms");
}

TEST(dedicated_cpus)
{
	static const char two[] = "[[cpu]]\nid = 1\npolicy = 'dedicated'\n"
		PART("a", "[0, 1]") PART("b", "[1]");
	CHECK_ERROR(two, 3, 10, "cpu 1 is dedicated but is claimed by partition 'a' (line 6) and "
		    "partition 'b' (line 12)");
	CHECK_ERROR("[[cpu]]\nid = 1\npolicy = 'dedicated'\n" PART("a", "[\n 1,\n 1]"), 3, 10,
		    "cpu 1 is dedicated but is claimed twice by partition 'a' (line 8: vcpus 0 and 1)");
	/* one vCPU, or none, is fine */
	CHECK_EQ(parse_text("[[cpu]]\nid = 1\npolicy = 'dedicated'\n" PART("a", "[0, 1]")), 0);
	CHECK_EQ(parse_text("[[cpu]]\nid = 1\npolicy = 'dedicated'\n"), 0);
}

/* Several errors in one file: tables and partitions each report theirs, and
 * a table or partition with errors brings no follow-up errors at the end. */
TEST(cpu_errors_are_collected)
{
	static const char t[] =
		"[[cpu]]\n"                                                     /* 1 */
		"id = 1\n"
		"policy = 'cyclic'\n"
		"frame = '10ms'\n"
		"windows = [{ partition = 'a', start = '0ms', length = 5 }]\n"  /* 5: type */
		"[[cpu]]\n"                                                     /* 6 */
		"id = 2\n"
		"policy = 'dedicated'\n"                                        /* 8: claimed twice */
		"[[cpu]]\n"                                                     /* 9 */
		"id = 3\n"
		"policy = 'cyclic'\n"
		"frame = '10ms'\n"
		"windows = [{ partition = 'zz', start = '0ms', length = '2ms' }]\n" /* 13: no such */
		PART("a", "[1, 2]")                                             /* 14-19 */
		PART("b", "[2]")                                                /* 20-25 */
		"memory = '3M'\n";                                              /* 26: b's memory twice */
	CHECK_EQ(parse_text(t), 4);
	check_error(__LINE__, 0, 5, 55, "window 'length' must be a duration like \"10ms\" or \"500us\", not an integer");
	check_error(__LINE__, 1, 26, 1, "duplicate key 'memory'");
	check_error(__LINE__, 2, 8, 10, "cpu 2 is dedicated but is claimed by partition 'a' (line 16) "
		    "and partition 'b' (line 22)");
	check_error(__LINE__, 3, 13, 12, "no partition named 'zz'");
	/* a window naming a partition whose name is wrong: no second error */
	CHECK_ERROR(CYC("[{ partition = 'a', start = '0ms', length = '2ms' }]")
		    "[[partition]]\nname = 'A'\ncpus = 1\nmemory = '2M'\nimage = 'a'\nentry = 0\n",
		    7, 8, "bad name \"A\"");
	/* nor one naming a partition with errors */
	CHECK_ERROR(CYC("[{ partition = 'a', start = '0ms', length = '2ms' }]")
		    "[[partition]]\nname = 'a'\ncpus = [1, x]\nmemory = '2M'\nimage = 'a'\nentry = 0\n",
		    8, 12, "found 'x'");
	/* config_parse stops at the first */
	struct cfg_error one;
	CHECK_EQ(config_parse(t, strlen(t), "t.toml", &cfg, &one), -1);
	CHECK_EQ(one.line, 5);
	CHECK_EQ(config_parse_all(t, strlen(t), "t.toml", &cfg, errs, 3), 3);
}
