/* The command line: space-separated words "key" or "key=value". Pure. */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copy the value of key=... into out (NUL-terminated, truncated to size);
 * true if the key is present ("key" alone gives ""). The last one wins. */
bool cmdline_get(const char *cmdline, const char *key, char *out, size_t size);
/* Walk a comma-separated value ("a.bin,b.bin"): copy the next item into
 * item (NUL-terminated, cut to size) and return where the one after it
 * starts, or NULL when there is none left. */
const char *cmdline_list_next(const char *list, char *item, size_t size);
/* Parse a decimal or 0x-prefixed number; false on junk or overflow. */
bool cmdline_number(const char *s, uint64_t *out);

#endif
