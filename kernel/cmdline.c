#include "cmdline.h"

static bool word_is_key(const char *w, const char *key, const char **value)
{
	while (*key && *w == *key)
		w++, key++;
	if (*key)
		return false;
	if (*w == '=') {
		*value = w + 1;
		return true;
	}
	if (*w == ' ' || !*w) {
		*value = w;
		return true;
	}
	return false;
}

bool cmdline_get(const char *cmdline, const char *key, char *out, size_t size)
{
	const char *value = 0, *found = 0;
	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (*p && word_is_key(p, key, &value))
			found = value;
		while (*p && *p != ' ')
			p++;
	}
	if (!found)
		return false;
	size_t n = 0;
	while (found[n] && found[n] != ' ' && n + 1 < size) {
		out[n] = found[n];
		n++;
	}
	if (size)
		out[n] = 0;
	return true;
}

const char *cmdline_list_next(const char *p, char *item, size_t size)
{
	size_t n = 0;
	if (!p || !*p)
		return NULL;
	for (; *p && *p != ','; p++)
		if (n + 1 < size)
			item[n++] = *p;
	if (size)
		item[n] = 0;
	return *p == ',' ? p + 1 : p;
}

static int digit_value(char c, unsigned base)
{
	int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
	return v < (int)base ? v : -1;
}

bool cmdline_number(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		int d = digit_value(*s, base);
		if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}
