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
 * order (a partition's missing keys come when its table ends). Returns the
 * number of errors stored: 0 means *out is a valid config. */
int config_parse_all(const char *text, size_t len, const char *filename, struct config *out,
		     struct cfg_error *errs, int max);

/* Check a parsed config against the machine: every CPU exists, no CPU is
 * claimed by two partitions, the memory fits, images exist, names are unique,
 * there is at least one partition. Returns 0 or -1 with *err (pointing at the
 * offending partition or key). */
int config_check_plan(const struct config *cfg, const struct cfg_machine *m, struct cfg_error *err);

/* The same, collecting up to max errors; returns how many were stored. */
int config_check_plan_all(const struct config *cfg, const struct cfg_machine *m,
			  struct cfg_error *errs, int max);

/* Print the plan as a table, one line per call of `line` (no newline):
 *   partition  cpus  memory  format  image  on_fault
 * then one row per partition and a total line. */
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

/* bytes as "512M", "2G", "4K" when exact, else "1536K" or a byte count. */
void cfg_format_size(char *buf, size_t size, uint64_t bytes);

/* Fill *e (shared by the parser and the plan checker). */
void cfg_error_set(struct cfg_error *e, const char *file, int line, int column, const char *fmt,
		   ...) __attribute__((format(printf, 5, 6)));

#endif
