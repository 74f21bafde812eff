#include "unit.h"

#include <stdlib.h>

#define UNIT_MAX 256

static struct { const char *name; unit_fn fn; } tests[UNIT_MAX];
static int test_count;
int unit_current_failed;

void unit_register(const char *name, unit_fn fn)
{
	if (test_count == UNIT_MAX) {
		fprintf(stderr, "unit: too many tests\n");
		exit(2);
	}
	tests[test_count].name = name;
	tests[test_count].fn = fn;
	test_count++;
}

void unit_fail(const char *file, int line, const char *what)
{
	printf("  %s:%d: check failed: %s\n", file, line, what);
	unit_current_failed = 1;
}

int main(void)
{
	int passed = 0, failed = 0;

	for (int i = 0; i < test_count; i++) {
		unit_current_failed = 0;
		tests[i].fn();
		printf("%s %s\n", unit_current_failed ? "FAIL" : "ok  ", tests[i].name);
		if (unit_current_failed)
			failed++;
		else
			passed++;
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
