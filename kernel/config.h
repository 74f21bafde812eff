/*
 * The appliance configuration parser (kernel/config.c) and plan checker
 * (kernel/config_plan.c). The text format, a subset of TOML, is described in
 * docs/config.md; the parsed result is struct config (include/tessera/config.h).
 * Freestanding: the same code runs in the hypervisor and in build/tessera-check.
 */
#ifndef KERNEL_CONFIG_H
#define KERNEL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tessera/config.h>

/* Parse text (len bytes, not necessarily NUL-terminated) into *out. filename
 * is only used in messages. Returns 0, or -1 with *err filled with the first
 * error: file, line, column, and a message saying what is wrong and what is
 * allowed. */
int config_parse(const char *text, size_t len, const char *filename, struct config *out,
		 struct cfg_error *err);

/* The same, collecting up to max (>= 1) errors in errs[], mostly in file
 * order (a table's missing keys come when it ends; the [[cpu]] tables'
 * windows, dedicated CPUs and frames are checked against the partitions after
 * the whole file). Returns the number of errors stored: 0 means *out is a
 * valid config, whose windows are resolved (part_index, vcpu_index) and
 * sorted by start. */
int config_parse_all(const char *text, size_t len, const char *filename, struct config *out,
		     struct cfg_error *errs, int max);

/* Check a parsed config against the machine: every CPU exists (partitions'
 * cpus and [[cpu]] ids), the memory fits, images exist, names are unique,
 * there is at least one partition. Returns 0 or -1 with *err (pointing at the
 * offending partition or key). */
int config_check_plan(const struct config *cfg, const struct cfg_machine *m, struct cfg_error *err);

/* The same, collecting up to max errors; returns how many were stored. */
int config_check_plan_all(const struct config *cfg, const struct cfg_machine *m,
			  struct cfg_error *errs, int max);

/* Print the plan as a table, one line per call of `line` (no newline):
 *   partition  cpus  memory  format  image  on_fault
 * then one row per partition and a total line; then, in CPU order, one line
 * per CPU that has vCPUs or a [[cpu]] table (more when it is long:
 * continuation lines start with blanks):
 *   cpu 0: shared (slice 5ms): a/0 (weight 100), b/0 (weight 200, cap 50%)
 *   cpu 1: cyclic, frame 10ms: 0-2ms rt-a/0, 2-5ms rt-b/1
 *   cpu 3: dedicated: linux/0 */
void config_print_plan(const struct config *cfg, void (*line)(void *ctx, const char *text), void *ctx);

/* Value parsers, shared with tools and tests. Each returns NULL on success or
 * a fixed message saying what is wrong. */

/* A TOML integer: decimal with optional sign, or 0x / 0o / 0b without one;
 * '_' only between digits; must fit in int64_t. */
const char *cfg_parse_integer(const char *s, size_t n, int64_t *out);

/* A size: decimal digits ('_' between digits allowed) with an optional suffix
 * K, M, G or T (powers of 1024), each optionally followed by "B" or "iB"; a
 * lone "B" or no suffix means bytes. */
const char *cfg_parse_size(const char *s, size_t n, uint64_t *out);

/* The contents of a basic string (between the quotes, escapes \" \\ \b \t \n
 * \f \r \uXXXX \UXXXXXXXXX) decoded into out (NUL-terminated, cut to size - 1
 * bytes; out may be NULL when size is 0). *decoded gets the full decoded
 * length. On error *bad is the offset in s of the offending escape. */
const char *cfg_unescape(const char *s, size_t n, char *out, size_t size, size_t *decoded,
			 size_t *bad);

/* A duration: decimal digits ('_' between digits allowed) followed by a
 * unit "ns", "us", "ms" or "s"; the unit is required. */
const char *cfg_parse_duration(const char *s, size_t n, uint64_t *ns);

/* The scheduling policy of physical CPU `cpu`: its [[cpu]] table's, or the
 * default (dedicated when at most one vCPU is placed there, shared when
 * more are). *table gets the [[cpu]] table or NULL; table may be NULL. */
enum cfg_sched cfg_cpu_policy(const struct config *cfg, uint32_t cpu, const struct cfg_cpu **table);

/* How many vCPUs of all partitions are placed on `cpu`. */
uint32_t cfg_cpu_vcpus(const struct config *cfg, uint32_t cpu);

/* bytes as "512M", "2G", "4K" when exact, else "1536K" or a byte count. */
void cfg_format_size(char *buf, size_t size, uint64_t bytes);

/* Nanoseconds in the largest unit that is exact: "10ms", "1500us", "2s", "0s". */
void cfg_format_duration(char *buf, size_t size, uint64_t ns);

/* [start, end) as "0-2ms", "500us-2000us": one unit, exact for both. */
void cfg_format_span(char *buf, size_t size, uint64_t start, uint64_t end);

/* Fill *e (shared by the parser and the plan checker). */
void cfg_error_set(struct cfg_error *e, const char *file, int line, int column, const char *fmt,
		   ...) __attribute__((format(printf, 5, 6)));

#endif
