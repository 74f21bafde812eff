/* printf-style formatting for the hypervisor; see format.h for what it supports. */
#include "format.h"

#include <stdbool.h>
#include <stdint.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters the full output would have */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero;
	int width;
	int length; /* -2 hh, -1 h, 0 int, 1 l, 2 ll/z */
};

/* Digits of v in `base`, most significant first, into tmp; returns count. */
static int digits(char *tmp, uint64_t v, unsigned base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;
	do {
		tmp[n++] = set[v % base];
		v /= base;
	} while (v);
	return n;
}

static void put_number(struct out *o, const struct spec *s, uint64_t v, bool neg,
		       unsigned base, bool upper, const char *prefix)
{
	char tmp[24];
	int n = digits(tmp, v, base, upper);
	int plen = 0;
	while (prefix[plen])
		plen++;
	int body = n + (neg ? 1 : 0) + plen;
	int fill = s->width > body ? s->width - body : 0;

	if (!s->left && !s->zero)
		pad(o, ' ', fill);
	if (neg)
		put(o, '-');
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!s->left && s->zero)
		pad(o, '0', fill);
	while (n)
		put(o, tmp[--n]);
	if (s->left)
		pad(o, ' ', fill);
}

static void put_string(struct out *o, const struct spec *s, const char *str)
{
	int n = 0;
	if (!str)
		str = "(null)";
	while (str[n])
		n++;
	int fill = s->width > n ? s->width - n : 0;
	if (!s->left)
		pad(o, ' ', fill);
	for (int i = 0; i < n; i++)
		put(o, str[i]);
	if (s->left)
		pad(o, ' ', fill);
}

static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	*s = (struct spec){0};
	for (;; f++) {
		if (*f == '-')
			s->left = true;
		else if (*f == '0')
			s->zero = true;
		else
			break;
	}
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0) {
			s->left = true;
			s->width = -s->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		s->width = s->width * 10 + (*f++ - '0');
	for (;; f++) {
		if (*f == 'h')
			s->length--;
		else if (*f == 'l' || *f == 'z')
			s->length++;
		else
			break;
	}
	return f;
}

static uint64_t arg_unsigned(const struct spec *s, va_list *ap)
{
	if (s->length >= 1)
		return s->length >= 2 ? va_arg(*ap, unsigned long long) : va_arg(*ap, unsigned long);
	unsigned int v = va_arg(*ap, unsigned int);
	if (s->length == -1)
		return (uint16_t)v;
	if (s->length <= -2)
		return (uint8_t)v;
	return v;
}

static int64_t arg_signed(const struct spec *s, va_list *ap)
{
	if (s->length >= 1)
		return s->length >= 2 ? va_arg(*ap, long long) : va_arg(*ap, long);
	int v = va_arg(*ap, int);
	if (s->length == -1)
		return (int16_t)v;
	if (s->length <= -2)
		return (int8_t)v;
	return v;
}

static void convert(struct out *o, char c, struct spec *s, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		int64_t v = arg_signed(s, ap);
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		put_number(o, s, mag, v < 0, 10, false, "");
		break;
	}
	case 'u':
		put_number(o, s, arg_unsigned(s, ap), false, 10, false, "");
		break;
	case 'x':
	case 'X':
		put_number(o, s, arg_unsigned(s, ap), false, 16, c == 'X', "");
		break;
	case 'p':
		put_number(o, s, (uintptr_t)va_arg(*ap, void *), false, 16, false, "0x");
		break;
	case 's':
		put_string(o, s, va_arg(*ap, const char *));
		break;
	case 'c': {
		char str[2] = { (char)va_arg(*ap, int), 0 };
		put_string(o, s, str);
		break;
	}
	case '%':
		put(o, '%');
		break;
	default: /* unknown conversion: show it rather than guess */
		put(o, '%');
		if (c)
			put(o, c);
		break;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	struct spec s;
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &ap);
		convert(&o, *fmt, &s, &ap);
		if (*fmt)
			fmt++;
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
