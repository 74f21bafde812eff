/*
 * Minimal host unit-test framework. Each test file defines tests with TEST(name)
 * and links tests/unit/unit_main.c, which runs them all and ends with the line
 * "unit: N passed, N failed" that tests/run.py reads.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

typedef void (*unit_fn)(void);
void unit_register(const char *name, unit_fn fn);
void unit_fail(const char *file, int line, const char *what);
extern int unit_current_failed;

#define TEST(name)                                                        \
	static void name(void);                                           \
	__attribute__((constructor)) static void reg_##name(void)         \
	{ unit_register(#name, name); }                                   \
	static void name(void)

#define CHECK(cond)                                                       \
	do { if (!(cond)) unit_fail(__FILE__, __LINE__, #cond); } while (0)

#define CHECK_EQ(a, b)                                                    \
	do {                                                              \
		unsigned long long _a = (unsigned long long)(a);          \
		unsigned long long _b = (unsigned long long)(b);          \
		if (_a != _b) {                                           \
			char _m[256];                                     \
			snprintf(_m, sizeof _m, "%s == %s (0x%llx != 0x%llx)", \
				 #a, #b, _a, _b);                         \
			unit_fail(__FILE__, __LINE__, _m);                \
		}                                                         \
	} while (0)

#define CHECK_STR(a, b)                                                   \
	do {                                                              \
		const char *_a = (a), *_b = (b);                          \
		if (strcmp(_a, _b) != 0) {                                \
			char _m[512];                                     \
			snprintf(_m, sizeof _m, "%s == %s (\"%s\" != \"%s\")", \
				 #a, #b, _a, _b);                         \
			unit_fail(__FILE__, __LINE__, _m);                \
		}                                                         \
	} while (0)

/* Captured hypervisor log (tests/unit/log_capture.c). */
void log_capture_reset(void);
int log_capture_contains(const char *needle);
const char *log_capture_text(void);

#endif
