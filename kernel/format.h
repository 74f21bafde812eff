/*
 * printf-style formatting without libc. Supports flags '-', '0', field width,
 * length modifiers hh h l ll z, and conversions d i u x X p s c %.
 * Always NUL-terminates when size > 0; returns the length the full output
 * would have had (like C99 vsnprintf).
 */
#ifndef KERNEL_FORMAT_H
#define KERNEL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
