// unit-modules: kernel/cmdline.c
#include "../../kernel/cmdline.h"
#include "unit.h"

TEST(get_values)
{
	char v[32];
	CHECK(cmdline_get("console=0x2f8 loglevel=3 debug", "loglevel", v, sizeof v));
	CHECK_STR(v, "3");
	CHECK(cmdline_get("console=0x2f8 loglevel=3 debug", "debug", v, sizeof v));
	CHECK_STR(v, "");
	CHECK(!cmdline_get("console=0x2f8 loglevel=3", "log", v, sizeof v));
	CHECK(!cmdline_get("", "x", v, sizeof v));
	CHECK(cmdline_get("  a=1   a=2 ", "a", v, sizeof v));
	CHECK_STR(v, "2");
}

TEST(get_truncates)
{
	char v[4];
	CHECK(cmdline_get("config=verylongname.toml", "config", v, sizeof v));
	CHECK_STR(v, "ver");
}

TEST(numbers)
{
	uint64_t n;
	CHECK(cmdline_number("0x3f8", &n));
	CHECK_EQ(n, 0x3f8);
	CHECK(cmdline_number("1016", &n));
	CHECK_EQ(n, 1016);
	CHECK(cmdline_number("18446744073709551615", &n));
	CHECK(!cmdline_number("18446744073709551616", &n));
	CHECK(!cmdline_number("0x", &n));
	CHECK(!cmdline_number("12a", &n));
	CHECK(!cmdline_number("", &n));
}

TEST(comma_lists)
{
	char item[8];
	const char *p = "a.bin,bb,,toolongname";
	p = cmdline_list_next(p, item, sizeof item);
	CHECK_STR(item, "a.bin");
	p = cmdline_list_next(p, item, sizeof item);
	CHECK_STR(item, "bb");
	p = cmdline_list_next(p, item, sizeof item);
	CHECK_STR(item, "");                 /* an empty item is still an item */
	p = cmdline_list_next(p, item, sizeof item);
	CHECK_STR(item, "toolong");          /* cut to the buffer */
	CHECK(cmdline_list_next(p, item, sizeof item) == NULL);
	CHECK(cmdline_list_next("", item, sizeof item) == NULL);
}
