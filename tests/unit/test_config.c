// unit-modules: kernel/config.c kernel/config_plan.c kernel/format.c
/*
 * The configuration parser (kernel/config.c) and plan checker
 * (kernel/config_plan.c): the value parsers, every file in tests/configs/
 * (good_*.toml must parse; bad_*.toml must fail as their first line says:
 * "# expect: LINE[:COL]: message substring"), the example in docs/config.md,
 * plan checks against a fake machine, and the plan table.
 *
 * Files are found relative to the repository root, taken from __FILE__ (an
 * absolute path under tests/run.py, "tests/unit/test_config.c" when built by
 * hand from the root).
 */
#include <dirent.h>
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

/* CHECK_STR for strings longer than unit.h's message buffer. */
static void check_text(int line, const char *what, const char *a, const char *b)
{
	if (strcmp(a, b) != 0) {
		char m[1400];
		snprintf(m, sizeof m, "%s (\"%s\" != \"%s\")", what, a, b);
		unit_fail(__FILE__, line, m);
	}
}
#define CHECK_TEXT(a, b) check_text(__LINE__, #a " == " #b, (a), (b))

static const char *root_path(const char *rel, char *buf, size_t size)
{
	static const char self[] = "tests/unit/test_config.c";
	size_t n = strlen(__FILE__), s = strlen(self);
	size_t prefix = n >= s && strcmp(__FILE__ + n - s, self) == 0 ? n - s : 0;
	snprintf(buf, size, "%.*s%s", (int)prefix, __FILE__, rel);
	return buf;
}

/* The whole file, NUL-terminated (malloc'd), or NULL. */
static char *read_file(const char *rel, size_t *len)
{
	char path[512];
	FILE *f = fopen(root_path(rel, path, sizeof path), "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	for (size_t got; buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
		n += got;
		if (n + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	*len = n;
	return buf;
}

static int parse_text(const char *text)
{
	return config_parse_all(text, strlen(text), "t.toml", &cfg, errs, 16);
}

static int parse_file(const char *rel)
{
	size_t len;
	char *text = read_file(rel, &len);
	if (!text)
		return -1;
	int n = config_parse_all(text, len, rel, &cfg, errs, 16);
	free(text);
	return n;
}

/* Files in tests/configs named PREFIX*.toml, sorted; returns how many. */
static int list_configs(const char *prefix, char names[][128], int max)
{
	char path[512];
	DIR *d = opendir(root_path("tests/configs", path, sizeof path));
	int n = 0;
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d)) && n < max;) {
		size_t len = strlen(e->d_name);
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && len > 5 &&
		    strcmp(e->d_name + len - 5, ".toml") == 0 && len < 100)
			snprintf(names[n++], 128, "tests/configs/%.100s", e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, 128, (int (*)(const void *, const void *))strcmp);
	return n;
}

#define CHECK_ERROR(text, want_line, want_col, substring)                        \
	do {                                                                     \
		CHECK(parse_text(text) > 0);                                     \
		CHECK_EQ(errs[0].line, want_line);                               \
		CHECK_EQ(errs[0].column, want_col);                              \
		if (!strstr(errs[0].message, substring))                         \
			CHECK_TEXT(errs[0].message, substring);                  \
	} while (0)

/* ------------------------------------------------------------------------ */
/* Value parsers.                                                            */

static int64_t int_of(const char *s)
{
	int64_t v = 12345;
	const char *why = cfg_parse_integer(s, strlen(s), &v);
	if (why) {
		char m[200];
		snprintf(m, sizeof m, "cfg_parse_integer(\"%s\"): %s", s, why);
		unit_fail(__FILE__, __LINE__, m);
	}
	return v;
}

static const char *int_error(const char *s)
{
	int64_t v;
	const char *why = cfg_parse_integer(s, strlen(s), &v);
	return why ? why : "(accepted)";
}

TEST(integers)
{
	CHECK_EQ(int_of("0"), 0);
	CHECK_EQ(int_of("-0"), 0);
	CHECK_EQ(int_of("+17"), 17);
	CHECK_EQ(int_of("-17"), (uint64_t)-17);
	CHECK_EQ(int_of("1_000_000"), 1000000);
	CHECK_EQ(int_of("0xDEAD_beef"), 0xdeadbeef);
	CHECK_EQ(int_of("0o755"), 0755);
	CHECK_EQ(int_of("0b1010"), 10);
	CHECK_EQ(int_of("0x0"), 0);
	CHECK_EQ(int_of("9223372036854775807"), INT64_MAX);
	CHECK_EQ(int_of("-9223372036854775808"), (uint64_t)INT64_MIN);
	CHECK_EQ(int_of("0x7fffffffffffffff"), INT64_MAX);
}

TEST(integer_errors)
{
	CHECK(strstr(int_error("9223372036854775808"), "too large"));
	CHECK(strstr(int_error("-9223372036854775809"), "too large"));
	CHECK(strstr(int_error("0x8000000000000000"), "too large"));
	CHECK(strstr(int_error("18446744073709551616"), "too large"));
	CHECK(strstr(int_error("99999999999999999999999"), "too large"));
	CHECK(strstr(int_error("1__0"), "'_'"));
	CHECK(strstr(int_error("_1"), "not a number") || strstr(int_error("_1"), "'_'"));
	CHECK(strstr(int_error("1_"), "'_'"));
	CHECK(strstr(int_error("0x_1"), "'_'"));
	CHECK(strstr(int_error("01"), "leading zeros"));
	CHECK(strstr(int_error("0x"), "no digits"));
	CHECK(strstr(int_error(""), "no digits"));
	CHECK(strstr(int_error("-"), "no digits"));
	CHECK(strstr(int_error("+0x10"), "sign"));
	CHECK(strstr(int_error("0xg"), "hexadecimal"));
	CHECK(strstr(int_error("0o8"), "octal"));
	CHECK(strstr(int_error("0b2"), "binary"));
	CHECK(strstr(int_error("1.5"), "floating-point"));
	CHECK(strstr(int_error("1e3"), "floating-point"));
	CHECK(strstr(int_error("-inf"), "floating-point"));
	CHECK(strstr(int_error("nan"), "floating-point"));
	CHECK(strstr(int_error("1979-05-27"), "dates"));
	CHECK(strstr(int_error("07:32:00"), "dates"));
	CHECK(strstr(int_error("12x"), "not a number"));
}

static uint64_t size_of(const char *s)
{
	uint64_t v = 12345;
	const char *why = cfg_parse_size(s, strlen(s), &v);
	if (why) {
		char m[200];
		snprintf(m, sizeof m, "cfg_parse_size(\"%s\"): %s", s, why);
		unit_fail(__FILE__, __LINE__, m);
	}
	return v;
}

static const char *size_error(const char *s)
{
	uint64_t v;
	const char *why = cfg_parse_size(s, strlen(s), &v);
	return why ? why : "(accepted)";
}

TEST(sizes)
{
	CHECK_EQ(size_of("0"), 0);
	CHECK_EQ(size_of("4096"), 4096);
	CHECK_EQ(size_of("4096B"), 4096);
	CHECK_EQ(size_of("4K"), 4096);
	CHECK_EQ(size_of("4KB"), 4096);
	CHECK_EQ(size_of("4KiB"), 4096);
	CHECK_EQ(size_of("256M"), 256ull << 20);
	CHECK_EQ(size_of("512MiB"), 512ull << 20);
	CHECK_EQ(size_of("2G"), 2ull << 30);
	CHECK_EQ(size_of("1_024M"), 1ull << 30);
	CHECK_EQ(size_of("3T"), 3ull << 40);
	CHECK_EQ(size_of("16777215T"), 16777215ull << 40);
	CHECK(strstr(size_error("16777216T"), "too large"));
	CHECK(strstr(size_error("18446744073709551616"), "too large"));
	CHECK(strstr(size_error("256X"), "unknown unit"));
	CHECK(strstr(size_error("256 M"), "unknown unit"));
	CHECK(strstr(size_error("256m"), "unknown unit"));
	CHECK(strstr(size_error("1iB"), "unknown unit"));
	CHECK(strstr(size_error("2MBB"), "unknown unit"));
	CHECK(strstr(size_error("0x100"), "unknown unit"));
	CHECK(strstr(size_error("1.5G"), "unknown unit"));
	CHECK(strstr(size_error("-2M"), "negative"));
	CHECK(strstr(size_error("M"), "decimal number"));
	CHECK(strstr(size_error(""), "decimal number"));
	CHECK(strstr(size_error("+2M"), "decimal number"));
	CHECK(strstr(size_error("_2M"), "'_'"));
	CHECK(strstr(size_error("1__0K"), "'_'"));
}

static const char *unescape(const char *s, char *out, size_t size, size_t *len)
{
	size_t bad;
	const char *why = cfg_unescape(s, strlen(s), out, size, len, &bad);
	return why ? why : "";
}

TEST(string_escapes)
{
	char out[64];
	size_t len, bad;
	CHECK_TEXT(unescape("plain", out, sizeof out, &len), "");
	CHECK_TEXT(out, "plain");
	CHECK_TEXT(unescape("a\\tb\\nc\\\"d\\\\e\\r\\b\\f", out, sizeof out, &len), "");
	CHECK_TEXT(out, "a\tb\nc\"d\\e\r\b\f");
	CHECK_EQ(len, 12);
	CHECK_TEXT(unescape("caf\\u00e9 \\U0001F600 \\u20AC", out, sizeof out, &len), "");
	CHECK_TEXT(out, "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac");
	/* truncated output, full length reported */
	CHECK_TEXT(unescape("abcdef\\n", out, 4, &len), "");
	CHECK_TEXT(out, "abc");
	CHECK_EQ(len, 7);
	CHECK(cfg_unescape("x\\q", 3, out, sizeof out, &len, &bad) != NULL);
	CHECK_EQ(bad, 1);
	CHECK(strstr(unescape("\\q", out, sizeof out, &len), "unknown escape"));
	CHECK(strstr(unescape("\\u12", out, sizeof out, &len), "4"));
	CHECK(strstr(unescape("\\u12G4", out, sizeof out, &len), "hexadecimal"));
	CHECK(strstr(unescape("\\uD800", out, sizeof out, &len), "scalar"));
	CHECK(strstr(unescape("\\U00110000", out, sizeof out, &len), "scalar"));
	CHECK(strstr(unescape("\\UFFFFFFFF", out, sizeof out, &len), "scalar"));
	CHECK(strstr(unescape("\\u0000", out, sizeof out, &len), "NUL"));
	CHECK(strstr(unescape("\\", out, sizeof out, &len), "backslash"));
}

TEST(string_values)
{
	CHECK_EQ(parse_text("[[partition]]\nname = 'lit'\ncpus = 0\nmemory = \"2M\"\n"
			    "image = 'C:\\dir\\x.bin'\nformat = \"linux\"\n"
			    "cmdline = \"a=\\\"b c\\\"\\td # not a comment\"  # a comment\n"), 0);
	CHECK_TEXT(cfg.partitions[0].image, "C:\\dir\\x.bin");
	CHECK_TEXT(cfg.partitions[0].cmdline, "a=\"b c\"\td # not a comment");
	CHECK_TEXT(cfg.partitions[0].name, "lit");
	/* an escaped quote does not end the string; '#' inside a string is text */
	CHECK_EQ(parse_text("[[partition]]\n\"name\" = \"q\"\ncpus = 0\nmemory = \"2M\"\n"
			    "image = \"#\"\nformat = \"multiboot\"\ncmdline = ''\n"), 0);
	CHECK_TEXT(cfg.partitions[0].image, "#");
	CHECK_TEXT(cfg.partitions[0].cmdline, "");
}

TEST(format_size)
{
	char b[32];
	cfg_format_size(b, sizeof b, 0);
	CHECK_TEXT(b, "0");
	cfg_format_size(b, sizeof b, 512ull << 20);
	CHECK_TEXT(b, "512M");
	cfg_format_size(b, sizeof b, 3ull << 30);
	CHECK_TEXT(b, "3G");
	cfg_format_size(b, sizeof b, 1536ull << 10);
	CHECK_TEXT(b, "1536K");
	cfg_format_size(b, sizeof b, 4097);
	CHECK_TEXT(b, "4097");
	cfg_format_size(b, sizeof b, 2048ull << 40);
	CHECK_TEXT(b, "2048T");
}

/* ------------------------------------------------------------------------ */
/* Files.                                                                    */

TEST(example_parses)
{
	CHECK_EQ(parse_file("tests/configs/example.toml"), 0);
	CHECK_EQ(cfg.partition_count, 3);
	CHECK_EQ(cfg.console_port, 0x3f8);
	CHECK_EQ(cfg.log_level, 2);
	const struct cfg_partition *l = &cfg.partitions[0], *c = &cfg.partitions[1],
				   *m = &cfg.partitions[2];
	CHECK_TEXT(l->name, "linux");
	CHECK_EQ(l->cpu_count, 2);
	CHECK_EQ(l->cpus[1], 2);
	CHECK_EQ(l->memory, 512ull << 20);
	CHECK_EQ(l->format, CFG_FORMAT_LINUX);
	CHECK_TEXT(l->initrd, "linux/initrd.img");
	CHECK_EQ(l->emulated_count, 3);
	CHECK_TEXT(l->passthrough[0], "0000:00:1f.2");
	CHECK_EQ(l->on_fault, CFG_FAULT_RESTART);
	CHECK_EQ(l->shared_count, 1);
	CHECK_EQ(l->shared[0].gpa, 0x100000000ull);
	CHECK_TEXT(c->name, "control");
	CHECK_EQ(c->cpu_count, 1);
	CHECK_EQ(c->cpus[0], 3);
	CHECK_EQ(c->entry, 0x100000);
	CHECK_EQ(c->load, 0x100000);
	CHECK_EQ(c->weight, 100);
	CHECK_EQ(c->on_fault, CFG_FAULT_HALT_SYSTEM);
	CHECK_TEXT(c->console, "com2");
	CHECK_TEXT(m->name, "monitor");
	CHECK_EQ(m->format, CFG_FORMAT_MULTIBOOT);
	CHECK_EQ(m->module_count, 1);
	CHECK_TEXT(m->modules[0], "monitor/rules.bin");
	CHECK_EQ(m->cap, 50);
	CHECK_EQ(m->on_reboot, CFG_REBOOT_STOP);
	CHECK_EQ(m->on_fault, CFG_FAULT_STOP);
	CHECK_EQ(m->weight, 100);
	CHECK_TEXT(m->console, "shared");
}

/* The block after "<!-- example: tests/configs/example.toml -->" in
 * docs/config.md is that file, byte for byte. */
TEST(docs_example_is_example_toml)
{
	size_t dlen, elen;
	char *doc = read_file("docs/config.md", &dlen), *ex = read_file("tests/configs/example.toml", &elen);
	CHECK(doc && ex);
	if (!doc || !ex)
		goto out;
	const char *mark = strstr(doc, "<!-- example: tests/configs/example.toml -->");
	CHECK(mark != NULL);
	const char *start = mark ? strstr(mark, "```toml\n") : NULL;
	CHECK(start != NULL);
	if (!start)
		goto out;
	start += strlen("```toml\n");
	const char *end = strstr(start, "\n```\n");
	CHECK(end != NULL);
	if (!end)
		goto out;
	CHECK_EQ((size_t)(end + 1 - start), elen);
	CHECK(memcmp(start, ex, elen) == 0);
	CHECK_EQ(config_parse_all(start, (size_t)(end + 1 - start), "docs/config.md", &cfg, errs, 16), 0);
	CHECK_EQ(cfg.partition_count, 3);
out:
	free(doc);
	free(ex);
}

TEST(good_configs_parse)
{
	static char names[64][128];
	int n = list_configs("good_", names, 64);
	CHECK(n >= 4);
	for (int i = 0; i < n; i++) {
		int e = parse_file(names[i]);
		if (e) {
			char m[400];
			snprintf(m, sizeof m, "%s: %d errors, first %d:%d: %s", names[i], e,
				 errs[0].line, errs[0].column, errs[0].message);
			unit_fail(__FILE__, __LINE__, m);
		}
		CHECK(cfg.partition_count >= 1);
	}
}

/* "# expect: LINE[:COL]: substring" */
static int expectation(const char *text, int *line, int *col, char *sub, size_t size)
{
	const char *p = text;
	if (strncmp(p, "# expect: ", 10))
		return -1;
	p += 10;
	*line = (int)strtol(p, (char **)&p, 10);
	*col = 0;
	if (*p == ':' && p[1] >= '0' && p[1] <= '9')
		*col = (int)strtol(p + 1, (char **)&p, 10);
	if (strncmp(p, ": ", 2))
		return -1;
	p += 2;
	size_t n = strcspn(p, "\n");
	if (n >= size || n == 0)
		return -1;
	memcpy(sub, p, n);
	sub[n] = 0;
	return 0;
}

static void check_bad(const char *name)
{
	char m[700], sub[256];
	int line, col;
	size_t len;
	char *text = read_file(name, &len);
	if (!text || expectation(text, &line, &col, sub, sizeof sub)) {
		snprintf(m, sizeof m, "%s: no '# expect: LINE[:COL]: text' on line 1", name);
		unit_fail(__FILE__, __LINE__, m);
		free(text);
		return;
	}
	struct cfg_error one;
	int n = config_parse_all(text, len, name, &cfg, errs, 16);
	int r = config_parse(text, len, name, &cfg, &one);
	free(text);
	if (!n || r != -1 || errs[0].line != line || (col && errs[0].column != col) ||
	    !strstr(errs[0].message, sub)) {
		snprintf(m, sizeof m, "%s: expected %d:%d: ...%s...; got %d errors (config_parse %d), first %d:%d: %s",
			 name, line, col, sub, n, r, n ? errs[0].line : 0, n ? errs[0].column : 0,
			 n ? errs[0].message : "");
		unit_fail(__FILE__, __LINE__, m);
		return;
	}
	/* config_parse reports the same first error */
	CHECK_EQ(one.line, errs[0].line);
	CHECK_EQ(one.column, errs[0].column);
	CHECK_TEXT(one.message, errs[0].message);
	CHECK_TEXT(one.file, name);
}

TEST(bad_configs_fail_as_expected)
{
	static char names[256][128];
	int n = list_configs("bad_", names, 256);
	CHECK(n >= 25);
	for (int i = 0; i < n; i++)
		check_bad(names[i]);
}

/* ------------------------------------------------------------------------ */
/* Parser details.                                                           */

#define MINIMAL "[[partition]]\nname = \"p\"\ncpus = 0\nmemory = \"2M\"\nimage = \"p.bin\"\nentry = 0\n"

TEST(defaults)
{
	CHECK_EQ(parse_text(MINIMAL), 0);
	CHECK_EQ(cfg.console_port, 0x3f8);
	CHECK_EQ(cfg.log_level, 2);
	CHECK_EQ(cfg.default_on_fault, CFG_FAULT_STOP);
	CHECK_TEXT(cfg.file, "t.toml");
	const struct cfg_partition *p = &cfg.partitions[0];
	CHECK_EQ(p->line, 1);
	CHECK_EQ(p->format, CFG_FORMAT_RAW);
	CHECK_EQ(p->memory_base, 0);
	CHECK(p->entry_set && !p->load_set);
	CHECK_EQ(p->load, 0);
	CHECK_TEXT(p->console, "shared");
	CHECK_EQ(p->on_fault, CFG_FAULT_STOP);
	CHECK_EQ(p->on_reboot, CFG_REBOOT_RESTART);
	CHECK_EQ(p->weight, 100);
	CHECK_EQ(p->cap, 0);
	CHECK_EQ(p->emulated_count + p->passthrough_count + p->shared_count + p->module_count, 0);
	CHECK_EQ(p->cpus_pos.line, 3);
	CHECK_EQ(p->cpus_pos.column, 8);
	CHECK_EQ(p->image_pos.line, 5);
}

TEST(globals)
{
	CHECK_EQ(parse_text("console = \"com2\"\nlog_level = \"debug\"\n" MINIMAL), 0);
	CHECK_EQ(cfg.console_port, 0x2f8);
	CHECK_EQ(cfg.log_level, 3);
	CHECK_EQ(parse_text("[global]\nconsole = 0x3e8\nlog_level = 0\n" MINIMAL), 0);
	CHECK_EQ(cfg.console_port, 0x3e8);
	CHECK_EQ(cfg.log_level, 0);
	CHECK_EQ(parse_text("console = 'com4'\nlog_level = 'warn'\n"), 0);
	CHECK_EQ(cfg.console_port, 0x2e8);
	CHECK_EQ(cfg.log_level, 1);
	CHECK_EQ(cfg.partition_count, 0);
	/* [global] after the partitions: its on_fault is still their default */
	CHECK_EQ(parse_text(MINIMAL "on_fault = 'restart'\n[[partition]]\nname = 'q'\ncpus = 1\n"
			    "memory = '2M'\nimage = 'q'\nentry = 0\n[global]\non_fault = 'halt-system'\n"), 0);
	CHECK_EQ(cfg.partitions[0].on_fault, CFG_FAULT_RESTART);
	CHECK_EQ(cfg.partitions[1].on_fault, CFG_FAULT_HALT_SYSTEM);
	CHECK_EQ(cfg.default_on_fault, CFG_FAULT_HALT_SYSTEM);
	CHECK_ERROR("console = 0\n", 1, 11, "'console' must be from 1 to 65535, not 0");
	CHECK_ERROR("console = 0x10000\n", 1, 11, "'console' must be from 1 to 65535");
	CHECK_ERROR("on_fault = 1\n", 1, 12, "'on_fault' must be \"stop\", \"restart\" or \"halt-system\", not an integer");
	CHECK_ERROR("log_level = 'trace'\n", 1, 13, "\"error\", \"warn\", \"info\" or \"debug\"; \"trace\" is not allowed");
	CHECK_ERROR("[[global]]\n", 1, 1, "unknown table '[[global]]'");
}

TEST(empty_and_comment_only)
{
	CHECK_EQ(parse_text(""), 0);
	CHECK_EQ(cfg.partition_count, 0);
	CHECK_EQ(parse_text("# nothing\n\n   \t# more\n"), 0);
	CHECK_EQ(config_parse_all("x", 0, "t", &cfg, errs, 4), 0); /* len 0: the 'x' is not read */
}

TEST(no_trailing_newline)
{
	const char *t = MINIMAL "weight = 5";
	CHECK_EQ(config_parse_all(t, strlen(t), "t", &cfg, errs, 4), 0);
	CHECK_EQ(cfg.partitions[0].weight, 5);
	/* the text is not read past len: "weight = 51" cut after the 5 */
	t = MINIMAL "weight = 51";
	CHECK_EQ(config_parse_all(t, strlen(t) - 1, "t", &cfg, errs, 4), 0);
	CHECK_EQ(cfg.partitions[0].weight, 5);
}

TEST(cpus_forms)
{
	CHECK_EQ(parse_text(MINIMAL), 0);
	CHECK_EQ(cfg.partitions[0].cpu_count, 1);
	CHECK_EQ(parse_text("[[partition]]\nname = 'p'\ncpus = [63, 0x3e, 0]\nmemory = '2M'\n"
			    "image = 'x'\nentry = 0\n"), 0);
	CHECK_EQ(cfg.partitions[0].cpu_count, 3);
	CHECK_EQ(cfg.partitions[0].cpus[0], 63);
	CHECK_EQ(cfg.partitions[0].cpus[1], 62);
	CHECK_EQ(cfg.partitions[0].cpu_pos[1].column, 13);
}

TEST(size_forms)
{
	CHECK_EQ(parse_text("[[partition]]\nname = 'p'\ncpus = 0\nmemory = 0x40_0000\nmemory_base = '1G'\n"
			    "image = 'x'\nentry = 0x4000_0000\nload = 0x4010_0000\n"), 0);
	CHECK_EQ(cfg.partitions[0].memory, 4ull << 20);
	CHECK_EQ(cfg.partitions[0].memory_base, 1ull << 30);
	CHECK_EQ(cfg.partitions[0].entry, 0x40000000);
	CHECK_EQ(cfg.partitions[0].load, 0x40100000);
	CHECK(cfg.partitions[0].load_set);
	/* load outside RAM */
	CHECK_ERROR("[[partition]]\nname = 'p'\ncpus = 0\nmemory = '2M'\nimage = 'x'\nentry = 0\n"
		    "load = 0x200000\n", 7, 1, "'load' 0x200000 is outside the partition's RAM (0x0-0x1fffff)");
	/* memory_base + memory past 256T */
	CHECK_EQ(parse_text("[[partition]]\nname = 'p'\ncpus = 0\nmemory = '2M'\n"
			    "memory_base = 0xffffffe00000\nimage = 'x'\nentry = 0xffffffe00000\n"), 0);
	CHECK_ERROR("[[partition]]\nname = 'p'\ncpus = 0\nmemory = '4M'\nmemory_base = 0xffffffe00000\n"
		    "image = 'x'\nentry = 0xffffffe00000\n", 5, 1, "beyond 256T");
}

#define BASED "[[partition]]\nname = 'p'\ncpus = 0\nmemory = '2M'\nmemory_base = '4M'\nimage = 'x'\n" \
	"entry = 0x400000\n"

TEST(shared_regions)
{
	/* touching the RAM on either side is fine */
	CHECK_EQ(parse_text(BASED "mem_shared = [{ name = 'a', size = '4K', gpa = 0x3ff000 },\n"
			    "  { name = 'b', size = '4K', gpa = 0x600000 }]\n"), 0);
	CHECK_EQ(cfg.partitions[0].shared_count, 2);
	CHECK_EQ(cfg.partitions[0].shared[1].gpa, 0x600000);
	CHECK_EQ(cfg.partitions[0].shared_pos[1].line, 9);
	/* reaching into it from below or above is not */
	CHECK_ERROR(BASED "mem_shared = [{ name = 'a', size = '8K', gpa = 0x3ff000 }]\n", 8, 15,
		    "mem_shared 'a' (0x3ff000-0x400fff) overlaps the partition's RAM (0x400000-0x5fffff)");
	CHECK_ERROR(BASED "mem_shared = [{ name = 'a', size = '4K', gpa = 0x5ff000 }]\n", 8, 15,
		    "overlaps the partition's RAM");
	/* regions overlapping each other, in either order */
	CHECK_ERROR(BASED "mem_shared = [{ name = 'a', size = '4K', gpa = 0x801000 },\n"
		    "  { name = 'b', size = '8K', gpa = 0x800000 }]\n", 9, 3,
		    "mem_shared 'b' overlaps mem_shared 'a'");
	CHECK_ERROR(BASED "mem_shared = [{ name = 'a', size = '8K', gpa = 0x800000 },\n"
		    "  { name = 'b', size = '4K', gpa = 0x801000 }]\n", 9, 3,
		    "mem_shared 'b' overlaps mem_shared 'a'");
	CHECK_ERROR(BASED "mem_shared = [{ name = 'a', size = '4K', gpa = 0x800000, size = '8K' }]\n",
		    8, 58, "duplicate key 'size' in the inline table");
	CHECK_ERROR(BASED "mem_shared = ['chan0']\n", 8, 15,
		    "'mem_shared' elements must be inline tables { name, size, gpa }, not a string");
}

TEST(total_file_size_limit)
{
	size_t n = CFG_MAX_FILE + 1;
	char *big = malloc(n);
	memset(big, '\n', n);
	CHECK_EQ(config_parse_all(big, n, "big.toml", &cfg, errs, 4), 1);
	CHECK_EQ(errs[0].line, 0);
	CHECK(strstr(errs[0].message, "65537 bytes long; at most 65536") != NULL);
	/* exactly at the limit: fine */
	memset(big, '#', CFG_MAX_LINE);
	CHECK_EQ(config_parse_all(big, n - 1, "big.toml", &cfg, errs, 4), 0);
	free(big);
}

TEST(line_length_limit)
{
	static char t[CFG_MAX_LINE + 8];
	memset(t, '#', CFG_MAX_LINE);
	t[CFG_MAX_LINE] = '\r';
	t[CFG_MAX_LINE + 1] = '\n';
	CHECK_EQ(config_parse_all(t, CFG_MAX_LINE + 2, "t", &cfg, errs, 4), 0);
	t[CFG_MAX_LINE] = '#';
	CHECK_EQ(config_parse_all(t, CFG_MAX_LINE + 2, "t", &cfg, errs, 4), 1);
	CHECK_EQ(errs[0].line, 1);
	CHECK_EQ(errs[0].column, CFG_MAX_LINE + 1);
}

TEST(lone_cr_is_an_error)
{
	CHECK_ERROR("a = 1\rb = 2\n", 1, 6, "control character 0x0d");
}

TEST(several_errors_are_collected)
{
	const char *t = "console = 'com9'\n"                 /* 1 */
			"[[partition]]\n"                    /* 2 */
			"name = 'a'\n"                       /* 3 */
			"cpu = [0]\n"                        /* 4: unknown key */
			"memory = '3M'\n"                    /* 5: not 2M */
			"image = 'x'\n"
			"entry = 0\n"
			"cpus = [0, 1\n"                     /* 8: unclosed */
			"weight = 0\n"                       /* 9: range */
			"[oops]\n"                           /* 10: unknown table */
			"x = 1\n"                            /* ignored */
			"[[partition]]\n"                    /* 12: no name, cpus, image, entry */
			"memory = \"4M\" junk\n";            /* 13: garbage */
	int n = parse_text(t);
	CHECK_EQ(n, 11);
	int lines[] = { 1, 4, 5, 8, 9, 10, 13, 12, 12, 12, 12 };
	for (int i = 0; i < n && i < 11; i++)
		CHECK_EQ(errs[i].line, lines[i]);
	CHECK(strstr(errs[7].message, "no 'name'") != NULL);
	CHECK(strstr(errs[8].message, "no 'cpus'") != NULL);
	CHECK(strstr(errs[9].message, "no 'image'") != NULL);
	CHECK(strstr(errs[10].message, "no 'entry'") != NULL);
	/* config_parse stops at the first */
	struct cfg_error one;
	CHECK_EQ(config_parse(t, strlen(t), "t.toml", &cfg, &one), -1);
	CHECK_EQ(one.line, 1);
	/* a limit of max errors */
	CHECK_EQ(config_parse_all(t, strlen(t), "t.toml", &cfg, errs, 3), 3);
}

TEST(broken_multiline_array_recovers)
{
	const char *t = "[[partition]]\nname = 'a'\ncpus = [\n  0,\n  x,\n  2,\n]\nmemory = '2M'\n"
			"image = 'y'\nentry = 0\nweight = 0\n";
	CHECK_EQ(parse_text(t), 2);
	CHECK_EQ(errs[0].line, 5);
	CHECK(strstr(errs[0].message, "found 'x'") != NULL);
	CHECK_EQ(errs[1].line, 11);
}

TEST(nesting_and_value_limits)
{
	CHECK_ERROR("x = [[[[1]]]]\n", 1, 9, "nested too deeply");
	static char t[1000];
	strcpy(t, "[[partition]]\ncpus = [");
	for (int i = 0; i < 200; i++)
		strcat(t, "1,");
	strcat(t, "]\n");
	CHECK_ERROR(t, 2, 9 + 2 * 191, "more than 192 values in one key"); /* the array is one */
	/* unknown keys may hold any value, nested arrays and tables included */
	CHECK_ERROR("x = [[1, 2], {a = [3]}, 'z']\n", 1, 1, "unknown key 'x' in the global table");
	CHECK_ERROR("x = {a = 1, a = 2}\n", 1, 13, "duplicate key 'a' in the inline table");
	CHECK_ERROR("x = inf\n", 1, 5, "bad number 'inf': floating-point numbers are not supported");
	CHECK_ERROR("x = yes\n", 1, 5, "found 'yes' (strings need quotes)");
	CHECK_ERROR("console = 'com1' 'b'\n", 1, 18, "unexpected ''' after the value");
	CHECK_ERROR("[[partition]] x\n", 1, 15, "unexpected 'x' after the table header");
	CHECK_ERROR("[[partition]\n", 1, 12, "expected ']]' to end the table header");
	CHECK_ERROR("[]\n", 1, 2, "expected a key");
	CHECK_ERROR("\xc3\xa9 = 1\n", 1, 1, "found byte 0xc3");
}

TEST(error_positions_and_file)
{
	CHECK_EQ(config_parse_all("[[partition]]\n  name = 7\n", 25, "dir/my.toml", &cfg, errs, 4), 4);
	CHECK_TEXT(errs[0].file, "dir/my.toml");
	CHECK_EQ(errs[0].line, 2);
	CHECK_EQ(errs[0].column, 10);
	CHECK_TEXT(errs[0].message, "'name' must be a name string like \"linux0\", not an integer");
}

/* ------------------------------------------------------------------------ */
/* Plan checks.                                                              */

static const char *missing_file;

static bool fake_exists(void *ctx, const char *path)
{
	(*(int *)ctx)++;
	return !missing_file || strcmp(path, missing_file) != 0;
}

static int lookups;
static struct cfg_machine machine(uint32_t cpus, uint64_t memory)
{
	struct cfg_machine m = { cpus, memory, fake_exists, &lookups };
	return m;
}

TEST(plan_example_fits)
{
	CHECK_EQ(parse_file("tests/configs/example.toml"), 0);
	struct cfg_machine m = machine(4, 1ull << 30);
	missing_file = NULL;
	lookups = 0;
	CHECK_EQ(config_check_plan(&cfg, &m, errs), 0);
	CHECK_EQ(lookups, 5); /* three images, an initrd, a module */
}

TEST(plan_cpu_missing)
{
	CHECK_EQ(parse_file("tests/configs/example.toml"), 0);
	struct cfg_machine m = machine(3, 0);
	missing_file = NULL;
	CHECK_EQ(config_check_plan(&cfg, &m, errs), -1);
	CHECK_TEXT(errs[0].message, "cpu 3 does not exist (this machine has 3: 0-2)");
	CHECK_EQ(errs[0].line, 29);
	CHECK_EQ(errs[0].column, 8);
	CHECK_TEXT(errs[0].file, "tests/configs/example.toml");
	m.cpu_count = 1;
	CHECK_EQ(config_check_plan_all(&cfg, &m, errs, 16), 3);
	CHECK_TEXT(errs[0].message, "cpu 1 does not exist (this machine has 1: 0)");
}

/* Partitions may share CPUs (docs/scheduling.md): no plan error. More in
 * test_config_sched.c. */
TEST(plan_cpu_shared)
{
	CHECK_EQ(parse_text(MINIMAL "[[partition]]\nname = 'q'\ncpus = [1, 0]\nmemory = '2M'\n"
			    "image = 'q'\nentry = 0\n"), 0);
	struct cfg_machine m = machine(4, 0);
	CHECK_EQ(config_check_plan(&cfg, &m, errs), 0);
	CHECK_EQ(cfg_cpu_vcpus(&cfg, 0), 2);
	CHECK_EQ(cfg_cpu_policy(&cfg, 0, NULL), CFG_SCHED_SHARED);
	CHECK_EQ(cfg_cpu_policy(&cfg, 1, NULL), CFG_SCHED_DEDICATED);
}

TEST(plan_memory_overcommit)
{
	CHECK_EQ(parse_file("tests/configs/example.toml"), 0);
	struct cfg_machine m = machine(4, 520ull << 20);
	CHECK_EQ(config_check_plan(&cfg, &m, errs), -1);
	CHECK_TEXT(errs[0].message,
		  "memory overcommitted: the partitions need 592M in total but the machine has "
		  "520M (72M too much; partition 'control' is the first that does not fit)");
	CHECK_EQ(errs[0].line, 30);
	m.memory = 592ull << 20;
	CHECK_EQ(config_check_plan(&cfg, &m, errs), 0);
	m.memory = 0; /* unknown: not checked */
	CHECK_EQ(config_check_plan(&cfg, &m, errs), 0);
}

TEST(plan_missing_files)
{
	CHECK_EQ(parse_file("tests/configs/example.toml"), 0);
	struct cfg_machine m = machine(4, 0);
	missing_file = "linux/initrd.img";
	CHECK_EQ(config_check_plan(&cfg, &m, errs), -1);
	CHECK_TEXT(errs[0].message, "initrd 'linux/initrd.img' not found next to tests/configs/example.toml");
	CHECK_EQ(errs[0].line, 17);
	CHECK_EQ(errs[0].column, 10);
	missing_file = "monitor/rules.bin";
	CHECK_EQ(config_check_plan(&cfg, &m, errs), -1);
	CHECK_TEXT(errs[0].message, "module 'monitor/rules.bin' not found next to tests/configs/example.toml");
	missing_file = "control.bin";
	CHECK_EQ(config_check_plan(&cfg, &m, errs), -1);
	CHECK_TEXT(errs[0].message, "image 'control.bin' not found next to tests/configs/example.toml");
	m.file_exists = NULL; /* not looked up */
	CHECK_EQ(config_check_plan(&cfg, &m, errs), 0);
	missing_file = NULL;
}

TEST(plan_no_partitions)
{
	CHECK_EQ(config_parse_all("log_level = 1\n", 14, "empty.toml", &cfg, errs, 4), 0);
	struct cfg_machine m = machine(4, 0);
	CHECK_EQ(config_check_plan(&cfg, &m, errs), -1);
	CHECK_TEXT(errs[0].message, "no [[partition]] in empty.toml");
	CHECK_EQ(errs[0].line, 0);
}

TEST(plan_duplicate_names_and_shared_sizes)
{
	/* configs built in code get the same checks as parsed ones */
	CHECK_EQ(parse_text(MINIMAL "[[partition]]\nname = 'q'\ncpus = 1\nmemory = '2M'\nimage = 'q'\n"
			    "entry = 0\nmem_shared = [{ name = 's', size = '8K', gpa = 0x1000_0000 }]\n"), 0);
	struct cfg_machine m = machine(4, 0);
	CHECK_EQ(config_check_plan(&cfg, &m, errs), 0);
	cfg.partitions[0].shared_count = 1;
	cfg.partitions[0].shared[0] = (struct cfg_shared){ "s", 4096, 0x10000000 };
	strcpy(cfg.partitions[1].name, "p");
	CHECK_EQ(config_check_plan_all(&cfg, &m, errs, 16), 2);
	CHECK_TEXT(errs[0].message, "partition name 'p' is already used by the partition at line 1");
	CHECK_TEXT(errs[1].message,
		  "mem_shared 's' is 8K here but 4K in partition 'p' (line 1); shared regions must have one size");
	CHECK_EQ(errs[1].line, 13);
}

/* ------------------------------------------------------------------------ */
/* The plan table.                                                           */

struct lines {
	char text[16][200];
	int n;
};

static void collect(void *ctx, const char *text)
{
	struct lines *l = ctx;
	if (l->n < 16)
		snprintf(l->text[l->n], sizeof l->text[0], "%s", text);
	l->n++;
}

TEST(print_plan_example)
{
	struct lines l = { .n = 0 };
	CHECK_EQ(parse_file("tests/configs/example.toml"), 0);
	config_print_plan(&cfg, collect, &l);
	CHECK_EQ(l.n, 9);
	CHECK_TEXT(l.text[0], "partition  cpus  memory  format     image               on_fault");
	CHECK_TEXT(l.text[1], "linux      1-2     512M  linux      linux/bzImage       restart");
	CHECK_TEXT(l.text[2], "control    3        16M  raw        control.bin         halt-system");
	CHECK_TEXT(l.text[3], "monitor    0        64M  multiboot  monitor/kernel.elf  stop");
	CHECK_TEXT(l.text[4], "total: 3 partitions, 4 cpus, 592M memory");
	CHECK_TEXT(l.text[5], "cpu 0: shared (slice 5ms): monitor/0 (weight 100, cap 50%)");
	CHECK_TEXT(l.text[6], "cpu 1: dedicated: linux/0");
	CHECK_TEXT(l.text[7], "cpu 2: dedicated: linux/1");
	CHECK_TEXT(l.text[8], "cpu 3: dedicated: control/0");
}

TEST(print_plan_cpu_lists_and_widths)
{
	struct lines l = { .n = 0 };
	CHECK_EQ(parse_text("[[partition]]\nname = 'a-rather-long-partition-name'\ncpus = [0, 1, 2, 5, 7, 8, 4]\n"
			    "memory = '2G'\nimage = 'i'\nentry = 0\n"), 0);
	config_print_plan(&cfg, collect, &l);
	CHECK_EQ(l.n, 10);
	CHECK_TEXT(l.text[0], "partition                     cpus         memory  format  image  on_fault");
	CHECK_TEXT(l.text[1], "a-rather-long-partition-name  0-2,5,7-8,4      2G  raw     i      stop");
	CHECK_TEXT(l.text[2], "total: 1 partition, 7 cpus, 2G memory");
	CHECK_TEXT(l.text[6], "cpu 4: dedicated: a-rather-long-partition-name/6");
	CHECK_TEXT(l.text[9], "cpu 8: dedicated: a-rather-long-partition-name/5");
	l.n = 0;
	CHECK_EQ(parse_text(""), 0);
	config_print_plan(&cfg, collect, &l);
	CHECK_EQ(l.n, 2);
	CHECK_TEXT(l.text[1], "total: 0 partitions, 0 cpus, 0 memory");
}

/* A partition's own UART: not the hypervisor's log port, not another's. */
TEST(plan_console_conflicts)
{
	static const char text[] =
		"[global]\nconsole = 'com1'\n[[partition]]\nname = 'a'\ncpus = [0]\n"
		"memory = '2M'\nimage = 'a'\nentry = 0\nconsole = 'com2'\n"
		"[[partition]]\nname = 'b'\ncpus = [1]\nmemory = '2M'\nimage = 'b'\n"
		"entry = 0\nconsole = 'com2'\n"
		"[[partition]]\nname = 'c'\ncpus = [2]\nmemory = '2M'\nimage = 'c'\n"
		"entry = 0\nconsole = 'com1'\n";
	int parsed = parse_text(text);
	CHECK_EQ(parsed, 0);
	struct cfg_machine m = machine(4, 0);
	missing_file = NULL;
	CHECK_EQ(config_check_plan_all(&cfg, &m, errs, 16), 2);
	CHECK_TEXT(errs[0].message, "partition 'b': console com2 is already partition 'a''s");
	CHECK_EQ(errs[0].line, 16);
	CHECK_EQ(errs[0].column, 11);
	CHECK_TEXT(errs[1].message,
		   "partition 'c': console com1 is the hypervisor's log port (global console)");
	CHECK_EQ(errs[1].line, 23);
	CHECK_EQ(cfg.partitions[0].console_port, 0x2f8);
	CHECK_EQ(cfg.partitions[2].console_port, 0x3f8);
}
