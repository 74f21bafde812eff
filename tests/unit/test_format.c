// unit-modules: kernel/format.c
/* fmt_vsnprintf against the C library's snprintf for the conversions we use. */
#include <stdint.h>
#include <stdio.h>

#include "../../kernel/format.h"
#include "unit.h"

#define SAME(...)                                                   \
	do {                                                        \
		char _ours[128], _libc[128];                        \
		int _n1 = fmt_snprintf(_ours, sizeof _ours, __VA_ARGS__); \
		int _n2 = snprintf(_libc, sizeof _libc, __VA_ARGS__);     \
		CHECK_STR(_ours, _libc);                            \
		CHECK_EQ(_n1, _n2);                                 \
	} while (0)

TEST(integers)
{
	SAME("%d %i %u", -42, 7, 3000000000u);
	SAME("%ld %lu %lld %llu", -1L, 123456789UL, (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
	SAME("%x %X %lx %llx", 0xbeefu, 0xbeefu, 0xdeadbeefcafeUL, 0ULL);
	SAME("%zu %hhu %hu %hd", (size_t)99, 300, 70000, -2);
}

TEST(width_and_flags)
{
	SAME("[%8d][%-8d][%08d][%08x]", 12, 12, -12, 0xab);
	SAME("[%016llx][%2u][%-5s][%5s]", 0x1234ULL, 123u, "ab", "ab");
	SAME("[%*d][%-*d]", 6, 5, 6, 5);
	SAME("[%c][%%][%s]", 'z', "");
}

TEST(truncation)
{
	char small[5];
	int n = fmt_snprintf(small, sizeof small, "%s", "abcdefgh");
	CHECK_EQ(n, 8);
	CHECK_STR(small, "abcd");
	n = fmt_snprintf(small, 0, "%d", 12345);
	CHECK_EQ(n, 5);
}

TEST(pointer_and_null)
{
	char buf[64];
	fmt_snprintf(buf, sizeof buf, "%p", (void *)0x1000);
	CHECK_STR(buf, "0x1000");
	const char *volatile none = NULL; /* hidden from -Wformat-overflow */
	fmt_snprintf(buf, sizeof buf, "%s", none);
	CHECK_STR(buf, "(null)");
}
