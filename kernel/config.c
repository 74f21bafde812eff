/*
 * The appliance configuration parser: a subset of TOML (docs/config.md) into
 * struct config. The steps, in order:
 *
 *  1. pre-scan: file size, line lengths, control characters;
 *  2. lexer: keys, strings, number tokens, white space and comments;
 *  3. value parser: one key's value into a small tree in a fixed arena;
 *  4. key tables, one per section: name, accepted types, setter, allowed
 *     values; the setter converts and range-checks;
 *  5. validation of a table when it ends: a partition's (required keys, keys
 *     that need a given format, addresses) or a [[cpu]] table's (required
 *     keys, keys of another policy, windows inside the frame and apart);
 *  6. the whole file at the end: defaults, and the [[cpu]] tables' windows
 *     resolved against the partitions (which may come later in the file).
 *
 * Freestanding (no libc); the caller's struct config holds the result, the
 * parser's own state lives on the stack (about 12 KiB).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "format.h"

#define MAX_VALS   192  /* values in one key's value, each array element and
			 * inline-table member counted: 32 windows need 161 */
#define MAX_DEPTH  4    /* arrays / inline tables inside each other */
#define MAX_KEYS   32   /* keys in one key table */
#define NO_VAL     (-1)
#define MIB2       (2ull << 20)
#define KIB4       (4ull << 10)

/* ------------------------------------------------------------------------ */
/* Small string helpers (no libc).                                           */

static size_t str_len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static bool mem_eq_str(const char *s, size_t n, const char *z)
{
	size_t i = 0;
	for (; i < n; i++)
		if (z[i] != s[i])
			return false;
	return z[i] == 0;
}

static void str_copy(char *d, const char *s, size_t size)
{
	size_t i = 0;
	for (; s[i] && i + 1 < size; i++)
		d[i] = s[i];
	if (size)
		d[i] = 0;
}

static void zero(void *p, size_t n)
{
	__builtin_memset(p, 0, n); /* inline or a call to kernel/string.c's memset */
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_bare(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
	       c == '-';
}

static int digit_value(int c, unsigned base)
{
	int v = is_digit(c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
	return v < (int)base ? v : -1;
}

/* ------------------------------------------------------------------------ */
/* Errors.                                                                   */

void cfg_error_set(struct cfg_error *e, const char *file, int line, int column, const char *fmt,
		   ...)
{
	va_list ap;
	str_copy(e->file, file ? file : "", sizeof e->file);
	e->line = line;
	e->column = column;
	va_start(ap, fmt);
	fmt_vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
}

void cfg_format_size(char *buf, size_t size, uint64_t bytes)
{
	static const char units[] = "KMGT";
	int u = -1;
	while (u < 3 && bytes && (bytes & 1023) == 0) {
		bytes >>= 10;
		u++;
	}
	if (u < 0)
		fmt_snprintf(buf, size, "%llu", (unsigned long long)bytes);
	else
		fmt_snprintf(buf, size, "%llu%c", (unsigned long long)bytes, units[u]);
}

/* ------------------------------------------------------------------------ */
/* Value parsers (also used by tessera-check and the unit tests).            */

/* Digits in `base` with '_' allowed only between two digits. */
static const char *digits_value(const char *s, size_t n, unsigned base, uint64_t *out,
				size_t *ndigits)
{
	uint64_t v = 0;
	bool prev_digit = false;
	*ndigits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_') {
			if (!prev_digit || i + 1 == n)
				return "'_' is allowed only between two digits";
			prev_digit = false;
			continue;
		}
		int d = digit_value(s[i], base);
		if (d < 0)
			return base == 16 ? "not a hexadecimal digit" : base == 8 ? "not an octal digit"
			       : base == 2 ? "not a binary digit" : "not a number";
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return "too large (more than 64 bits)";
		v = v * base + (uint64_t)d;
		prev_digit = true;
		(*ndigits)++;
	}
	if (!*ndigits)
		return "no digits";
	*out = v;
	return NULL;
}

static bool has_char(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		for (const char *c = set; *c; c++)
			if (s[i] == *c)
				return true;
	return false;
}

const char *cfg_parse_integer(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	unsigned base = 10;

	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (mem_eq_str(s + i, n - i, "inf") || mem_eq_str(s + i, n - i, "nan"))
		return "floating-point numbers are not supported";
	if (n - i >= 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'o' || s[i + 1] == 'b')) {
		if (i)
			return "a sign is not allowed on 0x, 0o and 0b numbers";
		base = s[i + 1] == 'x' ? 16 : s[i + 1] == 'o' ? 8 : 2;
		i += 2;
	} else if (n - i > 0 && is_digit(s[i])) {
		if (has_char(s + i + 1, n - i - 1, ":-"))
			return "dates and times are not supported";
		if (has_char(s + i, n - i, ".eE"))
			return "floating-point numbers are not supported";
	}
	uint64_t mag;
	size_t nd;
	const char *why = digits_value(s + i, n - i, base, &mag, &nd);
	if (why)
		return why;
	if (base == 10 && s[i] == '0' && nd > 1)
		return "leading zeros are not allowed (write 0o17 for octal)";
	if (mag > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
		return "too large (integers must fit in 64 bits, signed)";
	*out = (int64_t)(neg ? 0 - mag : mag); /* two's complement, as gcc defines it */
	return NULL;
}

const char *cfg_parse_size(const char *s, size_t n, uint64_t *out)
{
	static const char units[] = "KMGT";
	size_t d = 0;
	if (n && s[0] == '-')
		return "sizes cannot be negative";
	if (n && s[0] == '+')
		return "it must start with a decimal number";
	while (d < n && (is_digit(s[d]) || s[d] == '_'))
		d++;
	int shift = 0;
	size_t k = d;
	if (k < n) {
		for (int u = 0; u < 4; u++)
			if (s[k] == units[u])
				shift = 10 * (u + 1);
		if (shift)
			k++;
		if (mem_eq_str(s + k, n - k, "B") || (shift && mem_eq_str(s + k, n - k, "iB")))
			k = n;
	}
	if (d == 0)
		return "it must start with a decimal number";
	if (k != n)
		return "unknown unit (use K, M, G or T, optionally followed by B or iB)";
	uint64_t v;
	size_t nd;
	const char *why = digits_value(s, d, 10, &v, &nd);
	if (why)
		return why;
	if (shift && v > (UINT64_MAX >> shift))
		return "too large (more than 64 bits)";
	*out = v << shift;
	return NULL;
}

static const char *const duration_units[] = { "ns", "us", "ms", "s", NULL };
static const uint64_t duration_scale[] = { 1, 1000, 1000000, 1000000000 };

const char *cfg_parse_duration(const char *s, size_t n, uint64_t *ns)
{
	size_t d = 0;
	if (n && s[0] == '-')
		return "durations cannot be negative";
	while (d < n && (is_digit(s[d]) || s[d] == '_'))
		d++;
	if (d == 0)
		return "it must start with a decimal number";
	if (d == n)
		return "a unit is required: ns, us, ms or s";
	if (s[d] == '.')
		return "fractions are not supported: use a smaller unit (\"1500us\", not \"1.5ms\")";
	int u = -1;
	for (int i = 0; duration_units[i]; i++)
		if (mem_eq_str(s + d, n - d, duration_units[i]))
			u = i;
	if (u < 0)
		return "unknown unit (use ns, us, ms or s, right after the number)";
	uint64_t v;
	size_t nd;
	const char *why = digits_value(s, d, 10, &v, &nd);
	if (why)
		return why;
	if (v > UINT64_MAX / duration_scale[u])
		return "too large (more than 64 bits of nanoseconds)";
	*ns = v * duration_scale[u];
	return NULL;
}

/* The largest unit (index into duration_units) that divides both a and b. */
static int duration_unit(uint64_t a, uint64_t b)
{
	int u = 3;
	while (u > 0 && (a % duration_scale[u] || b % duration_scale[u]))
		u--;
	return u;
}

void cfg_format_duration(char *buf, size_t size, uint64_t ns)
{
	int u = duration_unit(ns, ns);
	fmt_snprintf(buf, size, "%llu%s", (unsigned long long)(ns / duration_scale[u]),
		     duration_units[u]);
}

void cfg_format_span(char *buf, size_t size, uint64_t start, uint64_t end)
{
	int u = duration_unit(start, end);
	fmt_snprintf(buf, size, "%llu-%llu%s", (unsigned long long)(start / duration_scale[u]),
		     (unsigned long long)(end / duration_scale[u]), duration_units[u]);
}

static void put_byte(char *out, size_t size, size_t *n, unsigned c)
{
	if (*n + 1 < size)
		out[*n] = (char)c;
	(*n)++;
}

static void put_utf8(char *out, size_t size, size_t *n, uint32_t cp)
{
	if (cp < 0x80) {
		put_byte(out, size, n, cp);
	} else if (cp < 0x800) {
		put_byte(out, size, n, 0xc0 | (cp >> 6));
		put_byte(out, size, n, 0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		put_byte(out, size, n, 0xe0 | (cp >> 12));
		put_byte(out, size, n, 0x80 | ((cp >> 6) & 0x3f));
		put_byte(out, size, n, 0x80 | (cp & 0x3f));
	} else {
		put_byte(out, size, n, 0xf0 | (cp >> 18));
		put_byte(out, size, n, 0x80 | ((cp >> 12) & 0x3f));
		put_byte(out, size, n, 0x80 | ((cp >> 6) & 0x3f));
		put_byte(out, size, n, 0x80 | (cp & 0x3f));
	}
}

/* \uXXXX or \UXXXXXXXX at s[i] ('u' or 'U'); advances *i past it. */
static const char *unicode_escape(const char *s, size_t n, size_t *i, uint32_t *cp)
{
	size_t digits = s[*i] == 'u' ? 4 : 8;
	uint32_t v = 0;
	if (n - *i - 1 < digits)
		return "\\u needs 4 and \\U 8 hexadecimal digits";
	for (size_t k = 1; k <= digits; k++) {
		int d = digit_value(s[*i + k], 16);
		if (d < 0)
			return "\\u needs 4 and \\U 8 hexadecimal digits";
		if (v > 0x10ffff)
			return "\\u and \\U must name a Unicode scalar value (at most 10FFFF, not D800-DFFF)";
		v = v << 4 | (uint32_t)d;
	}
	if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return "\\u and \\U must name a Unicode scalar value (at most 10FFFF, not D800-DFFF)";
	*i += digits + 1;
	*cp = v;
	return NULL;
}

const char *cfg_unescape(const char *s, size_t n, char *out, size_t size, size_t *decoded,
			 size_t *bad)
{
	static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
	size_t len = 0;
	*bad = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] != '\\') {
			put_byte(out, size, &len, (unsigned char)s[i++]);
			continue;
		}
		*bad = i;
		if (i + 1 == n)
			return "a string cannot end in a lone backslash";
		i++;
		const char *e = NULL;
		for (int k = 0; from[k]; k++)
			if (s[i] == from[k])
				e = &to[k];
		if (e) {
			put_byte(out, size, &len, (unsigned char)*e);
			i++;
		} else if (s[i] == 'u' || s[i] == 'U') {
			uint32_t cp;
			const char *why = unicode_escape(s, n, &i, &cp);
			if (why)
				return why;
			if (cp == 0)
				return "\\u0000 (NUL) is not allowed";
			put_utf8(out, size, &len, cp);
		} else {
			return "unknown escape; allowed: \\\" \\\\ \\b \\t \\n \\f \\r \\uXXXX \\UXXXXXXXX";
		}
	}
	if (size)
		out[len < size ? len : size - 1] = 0;
	*decoded = len;
	*bad = 0;
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Parser state and the lexer.                                               */

enum vkind { VK_STRING, VK_INT, VK_BOOL, VK_ARRAY, VK_TABLE };
#define K_STR   (1u << VK_STRING)
#define K_INT   (1u << VK_INT)
#define K_BOOL  (1u << VK_BOOL)
#define K_ARRAY (1u << VK_ARRAY)
#define K_TABLE (1u << VK_TABLE)

static const char *const kind_names[] = {
	"a string", "an integer", "a boolean", "an array", "an inline table",
};

struct val {
	uint8_t kind;
	char quote;                 /* string: '"' basic, '\'' literal */
	char key_quote;             /* member of an inline table: 0 bare, or the quote */
	int line, col;
	int64_t num;                /* integer, or boolean 0/1 */
	uint32_t off, len;          /* string: raw text between the quotes */
	uint32_t key_off, key_len;  /* member of an inline table: raw key text */
	int key_line, key_col;
	int16_t first, next;        /* container: first element; element: next one */
	uint16_t count;
};

enum section { SEC_GLOBAL, SEC_PARTITION, SEC_CPU, SEC_IGNORE };

struct parser {
	const char *text;
	size_t len, pos, line_start;
	int line;
	const char *file;
	struct config *cfg;
	struct cfg_error *errs;
	int max_errs, nerr;
	bool stop;                  /* the error list is full */
	int open;                   /* brackets open in the current value */
	bool resume_here;           /* after an error: the cursor is at the next statement */
	enum section section;
	struct cfg_partition *part;
	struct cfg_cpu *cpu;        /* the current [[cpu]] table */
	int global_header_line;     /* line of [global], 0 before it */
	struct cfg_pos global_seen[MAX_KEYS], part_seen[MAX_KEYS], cpu_seen[MAX_KEYS];
	bool fault_set[CFG_MAX_PARTITIONS];
	int table_nerr;             /* errors before the current table started */
	/* Tables with errors of their own: left out of the checks at the end. */
	bool part_broken[CFG_MAX_PARTITIONS], cpu_broken[CFG_MACHINE_CPUS];
	struct val vals[MAX_VALS];
	int nvals;
};

static void error_at(struct parser *p, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void error_at(struct parser *p, int line, int col, const char *fmt, ...)
{
	if (p->stop)
		return;
	struct cfg_error *e = &p->errs[p->nerr++];
	va_list ap;
	str_copy(e->file, p->file, sizeof e->file);
	e->line = line;
	e->column = col;
	va_start(ap, fmt);
	fmt_vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	if (p->nerr >= p->max_errs)
		p->stop = true;
}

static int peek_at(const struct parser *p, size_t k)
{
	return p->pos + k < p->len ? (unsigned char)p->text[p->pos + k] : -1;
}

static int peek(const struct parser *p)
{
	return peek_at(p, 0);
}

static int col(const struct parser *p)
{
	return (int)(p->pos - p->line_start) + 1;
}

static void skip_ws(struct parser *p)
{
	while (peek(p) == ' ' || peek(p) == '\t')
		p->pos++;
}

static bool at_eol(const struct parser *p)
{
	return peek(p) < 0 || peek(p) == '\n' || peek(p) == '\r';
}

static void skip_comment(struct parser *p)
{
	if (peek(p) == '#')
		while (!at_eol(p))
			p->pos++;
}

/* Past the end of the current line (the pre-scan made every '\r' a "\r\n"). */
static void next_line(struct parser *p)
{
	while (!at_eol(p))
		p->pos++;
	if (peek(p) == '\r')
		p->pos++;
	if (peek(p) == '\n') {
		p->pos++;
		p->line++;
		p->line_start = p->pos;
	}
}

/* White space, comments and line breaks (inside arrays). */
static void skip_ws_nl(struct parser *p)
{
	for (;;) {
		skip_ws(p);
		skip_comment(p);
		if (peek(p) < 0 || !at_eol(p))
			return;
		next_line(p);
	}
}

/* What is at the cursor, for messages: 'x', "end of line" or "end of file". */
static const char *describe(const struct parser *p, char *buf, size_t size)
{
	int c = peek(p);
	if (c < 0)
		return "the end of the file";
	if (c == '\n' || c == '\r')
		return "the end of the line";
	if (c < 0x20 || c >= 0x7f)
		fmt_snprintf(buf, size, "byte 0x%02x", c);
	else
		fmt_snprintf(buf, size, "'%c'", c);
	return buf;
}

/* A user's string made safe and short for a message. */
static void show(char *buf, size_t size, const char *s, size_t n)
{
	size_t o = 0, max = size > 4 ? size - 4 : 0;
	for (size_t i = 0; i < n && o < max; i++)
		buf[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (o < n && size > 4) {
		buf[o++] = '.';
		buf[o++] = '.';
		buf[o++] = '.';
	}
	if (size)
		buf[o < size ? o : size - 1] = 0;
}

/* The first control character in a line (tab is fine, so is the CR of a
 * final CR LF); -1 if none. */
static long control_char(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (((c < 0x20 && c != '\t') || c == 0x7f) && !(c == '\r' && i + 1 == n))
			return (long)i;
	}
	return -1;
}

/* Step 1: size, line lengths, control characters; at most one error of each
 * kind per line. */
static bool prescan(struct parser *p)
{
	bool ok = true;
	int line = 1;

	if (p->len > CFG_MAX_FILE) {
		error_at(p, 0, 0, "the file is %zu bytes long; at most %d are allowed", p->len,
			 CFG_MAX_FILE);
		return false;
	}
	for (size_t start = 0; start <= p->len && !p->stop; line++) {
		size_t end = start;
		while (end < p->len && p->text[end] != '\n')
			end++;
		bool crlf = end < p->len && end > start && p->text[end - 1] == '\r';
		size_t n = end - start - crlf;
		long bad = control_char(p->text + start, n < CFG_MAX_LINE ? n + crlf : CFG_MAX_LINE);
		if (bad >= 0) {
			error_at(p, line, (int)bad + 1,
				 "control character 0x%02x is not allowed (only tab, newline and "
				 "CR LF line ends)", (unsigned char)p->text[start + (size_t)bad]);
			ok = false;
		}
		if (n > CFG_MAX_LINE) {
			error_at(p, line, CFG_MAX_LINE + 1,
				 "line is %zu characters long; at most %d are allowed", n,
				 CFG_MAX_LINE);
			ok = false;
		}
		start = end + 1;
	}
	return ok;
}

/* A string at the cursor (on its opening quote): finds the closing quote and
 * checks the escapes. Leaves the cursor after it. */
static bool lex_string(struct parser *p, uint32_t *off, uint32_t *len, char *quote)
{
	int q = peek(p), line = p->line, c0 = col(p);
	if (peek_at(p, 1) == q && peek_at(p, 2) == q) {
		error_at(p, line, c0, "multi-line strings (%c%c%c) are not supported", q, q, q);
		return false;
	}
	p->pos++;
	size_t start = p->pos;
	for (;;) {
		int c = peek(p);
		if (c < 0 || c == '\n' || c == '\r') {
			error_at(p, line, c0,
				 "unterminated string: add the closing %c on the same line "
				 "(multi-line strings are not supported)", q);
			return false;
		}
		if (c == q)
			break;
		p->pos += (c == '\\' && q == '"' && peek_at(p, 1) >= 0 && peek_at(p, 1) != '\n' &&
			   peek_at(p, 1) != '\r') ? 2 : 1;
	}
	*off = (uint32_t)start;
	*len = (uint32_t)(p->pos - start);
	*quote = (char)q;
	p->pos++;
	if (q == '\'')
		return true;
	size_t decoded, bad;
	const char *why = cfg_unescape(p->text + start, *len, NULL, 0, &decoded, &bad);
	if (why) {
		error_at(p, line, c0 + 1 + (int)bad, "bad escape in string: %s", why);
		return false;
	}
	return true;
}

/* A lexed string's decoded text into buf (cut to size - 1); returns its full length. */
static size_t string_text(const struct parser *p, uint32_t off, uint32_t len, char quote,
			  char *buf, size_t size)
{
	size_t decoded = 0, bad;
	if (quote == '"') {
		cfg_unescape(p->text + off, len, buf, size, &decoded, &bad);
		return decoded;
	}
	for (uint32_t i = 0; i < len; i++)
		put_byte(buf, size, &decoded, (unsigned char)p->text[off + i]);
	if (size)
		buf[decoded < size ? decoded : size - 1] = 0;
	return decoded;
}

static size_t val_text(const struct parser *p, const struct val *v, char *buf, size_t size)
{
	return string_text(p, v->off, v->len, v->quote, buf, size);
}

struct key {
	char name[40];              /* decoded, cut */
	int line, col;
};

/* A bare or quoted key at the cursor. */
static bool lex_key(struct parser *p, struct key *k, uint32_t *off, uint32_t *len, char *quote,
		    bool header)
{
	char what[16];
	k->line = p->line;
	k->col = col(p);
	if (peek(p) == '"' || peek(p) == '\'') {
		if (!lex_string(p, off, len, quote))
			return false;
		string_text(p, *off, *len, *quote, k->name, sizeof k->name);
	} else {
		size_t start = p->pos;
		while (is_bare(peek(p)))
			p->pos++;
		if (p->pos == start) {
			error_at(p, k->line, k->col,
				 "expected a key (letters, digits, '_' and '-', or a quoted "
				 "string), found %s", describe(p, what, sizeof what));
			return false;
		}
		*off = (uint32_t)start;
		*len = (uint32_t)(p->pos - start);
		*quote = 0;
		string_text(p, *off, *len, '\'', k->name, sizeof k->name);
	}
	skip_ws(p);
	if (peek(p) == '.') {
		error_at(p, p->line, col(p), header
			 ? "nested tables like [a.b] are not supported"
			 : "dotted keys like 'a.b' are not supported; write the key in its [table]");
		return false;
	}
	return true;
}

/* Is the line at the cursor a table header: [name] or [[name]], the name
 * starting with a letter, then nothing but a comment? */
static bool looks_like_header(const struct parser *p)
{
	size_t i = p->pos;
	while (i < p->len && (p->text[i] == ' ' || p->text[i] == '\t'))
		i++;
	if (i < p->len && p->text[i] == '[') {
		/* [name] or [[name]], the name starting with a letter, then the end of the line */
		bool array = i + 1 < p->len && p->text[i + 1] == '[';
		i += array ? 2 : 1;
		while (i < p->len && p->text[i] == ' ')
			i++;
		int c = i < p->len ? (unsigned char)p->text[i] : 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return false;
		while (i < p->len && is_bare((unsigned char)p->text[i]))
			i++;
		while (i < p->len && p->text[i] == ' ')
			i++;
		for (int b = array ? 2 : 1; b; b--, i++)
			if (i >= p->len || p->text[i] != ']')
				return false;
		while (i < p->len && (p->text[i] == ' ' || p->text[i] == '\t'))
			i++;
		return i == p->len || p->text[i] == '#' || p->text[i] == '\n' || p->text[i] == '\r';
	}
	return false;
}

/* Does the line at the cursor start a new statement (a table header or
 * `key =`)? Used to find the end of an unclosed array. */
static bool looks_like_statement(const struct parser *p)
{
	if (looks_like_header(p))
		return true;
	size_t i = p->pos;
	while (i < p->len && (p->text[i] == ' ' || p->text[i] == '\t'))
		i++;
	size_t s = i;
	while (i < p->len && is_bare((unsigned char)p->text[i]))
		i++;
	if (i == s)
		return false;
	while (i < p->len && (p->text[i] == ' ' || p->text[i] == '\t'))
		i++;
	return i < p->len && p->text[i] == '=';
}

/* ------------------------------------------------------------------------ */
/* Step 3: values.                                                           */

static int new_val(struct parser *p, enum vkind kind, int line, int column)
{
	if (p->nvals == MAX_VALS) {
		error_at(p, line, column,
			 "value too large: more than %d values in one key (arrays and tables "
			 "count too)", MAX_VALS);
		return NO_VAL;
	}
	struct val *v = &p->vals[p->nvals];
	zero(v, sizeof *v);
	v->kind = (uint8_t)kind;
	v->line = line;
	v->col = column;
	v->first = v->next = NO_VAL;
	return p->nvals++;
}

static int parse_value(struct parser *p, int depth);

static void append(struct parser *p, int parent, int child, int *last)
{
	if (*last == NO_VAL)
		p->vals[parent].first = (int16_t)child;
	else
		p->vals[*last].next = (int16_t)child;
	*last = child;
	p->vals[parent].count++;
}

static bool is_token_char(int c)
{
	return is_bare(c) || c == '+' || c == '.' || c == ':';
}

/* true, false, or an integer. */
static int parse_token(struct parser *p)
{
	char what[16], shown[48];
	int line = p->line, c0 = col(p);
	size_t start = p->pos;
	while (is_token_char(peek(p)))
		p->pos++;
	const char *s = p->text + start;
	size_t n = p->pos - start;
	if (!n) {
		error_at(p, line, c0,
			 "expected a value (a string, an integer, true or false, an [array] or "
			 "an {inline table}), found %s", describe(p, what, sizeof what));
		return NO_VAL;
	}
	if (mem_eq_str(s, n, "true") || mem_eq_str(s, n, "false")) {
		int v = new_val(p, VK_BOOL, line, c0);
		if (v != NO_VAL)
			p->vals[v].num = s[0] == 't';
		return v;
	}
	show(shown, sizeof shown, s, n);
	bool number = is_digit(s[0]) || ((s[0] == '+' || s[0] == '-') && n > 1) ||
		      mem_eq_str(s, n, "inf") || mem_eq_str(s, n, "nan");
	if (!number) {
		error_at(p, line, c0,
			 "expected a value (a string, an integer, true or false, an [array] or "
			 "an {inline table}), found '%s'%s", shown,
			 s[0] >= 'a' && s[0] <= 'z' ? " (strings need quotes)" : "");
		return NO_VAL;
	}
	int64_t num;
	uint64_t size;
	if (!cfg_parse_size(s, n, &size) && !is_digit(s[n - 1])) {
		error_at(p, line, c0, "a size with a unit must be a quoted string, like \"%s\"",
			 shown);
		return NO_VAL;
	}
	const char *why = cfg_parse_integer(s, n, &num);
	if (why) {
		error_at(p, line, c0, "bad number '%s': %s", shown, why);
		return NO_VAL;
	}
	int v = new_val(p, VK_INT, line, c0);
	if (v != NO_VAL)
		p->vals[v].num = num;
	return v;
}

static int parse_string_value(struct parser *p)
{
	int v = new_val(p, VK_STRING, p->line, col(p));
	if (v == NO_VAL)
		return NO_VAL;
	struct val *s = &p->vals[v];
	return lex_string(p, &s->off, &s->len, &s->quote) ? v : NO_VAL;
}

static void unclosed_array(struct parser *p, int line, int column)
{
	error_at(p, line, column, "unclosed array: missing ']' (the array starts here and %s)",
		 peek(p) < 0 ? "the file ends first" : "a new key or table follows");
	p->resume_here = true; /* at a statement already (or at the end) */
}

static int parse_array(struct parser *p, int depth)
{
	char what[16];
	int a = new_val(p, VK_ARRAY, p->line, col(p)), last = NO_VAL;
	if (a == NO_VAL)
		return NO_VAL;
	int line = p->line, c0 = col(p);
	p->pos++;
	p->open++;
	for (;;) {
		int before = p->line;
		skip_ws_nl(p);
		if (peek(p) == ']')
			break;
		if (peek(p) < 0 || (p->line != before && looks_like_statement(p))) {
			unclosed_array(p, line, c0);
			return NO_VAL;
		}
		int e = parse_value(p, depth + 1);
		if (e == NO_VAL)
			return NO_VAL;
		append(p, a, e, &last);
		skip_ws_nl(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == ']')
			break;
		if (peek(p) < 0 || looks_like_statement(p)) {
			unclosed_array(p, line, c0);
			return NO_VAL;
		}
		error_at(p, p->line, col(p), "expected ',' or ']' in the array, found %s",
			 describe(p, what, sizeof what));
		return NO_VAL;
	}
	p->pos++;
	p->open--;
	return a;
}

static bool same_key(const struct parser *p, const struct val *a, const struct val *b)
{
	char x[40], y[40];
	size_t nx = string_text(p, a->key_off, a->key_len, a->key_quote ? a->key_quote : '\'', x,
				sizeof x);
	size_t ny = string_text(p, b->key_off, b->key_len, b->key_quote ? b->key_quote : '\'', y,
				sizeof y);
	return nx == ny && nx < sizeof x && str_eq(x, y);
}

static int parse_inline_table(struct parser *p, int depth)
{
	char what[16];
	int t = new_val(p, VK_TABLE, p->line, col(p)), last = NO_VAL;
	if (t == NO_VAL)
		return NO_VAL;
	p->pos++;
	p->open++;
	skip_ws(p);
	if (peek(p) == '}') {
		p->pos++;
		p->open--;
		return t;
	}
	for (;;) {
		struct key k;
		uint32_t off, len;
		char quote;
		skip_ws(p);
		if (peek(p) == '}') {
			error_at(p, p->line, col(p),
				 "a trailing ',' is not allowed in an inline table");
			return NO_VAL;
		}
		if (at_eol(p) || peek(p) == '#') {
			error_at(p, p->line, col(p), "inline tables must be on one line "
				 "(missing '}'?)");
			return NO_VAL;
		}
		if (!lex_key(p, &k, &off, &len, &quote, false))
			return NO_VAL;
		if (peek(p) != '=') {
			error_at(p, p->line, col(p), "expected '=' after the key '%s', found %s",
				 k.name, describe(p, what, sizeof what));
			return NO_VAL;
		}
		p->pos++;
		skip_ws(p);
		int m = parse_value(p, depth + 1);
		if (m == NO_VAL)
			return NO_VAL;
		struct val *mv = &p->vals[m];
		mv->key_off = off;
		mv->key_len = len;
		mv->key_quote = quote;
		mv->key_line = k.line;
		mv->key_col = k.col;
		for (int o = p->vals[t].first; o != NO_VAL; o = p->vals[o].next)
			if (same_key(p, &p->vals[o], mv)) {
				error_at(p, k.line, k.col,
					 "duplicate key '%s' in the inline table", k.name);
				return NO_VAL;
			}
		append(p, t, m, &last);
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == '}')
			break;
		error_at(p, p->line, col(p), "expected ',' or '}' in the inline table, found %s%s",
			 describe(p, what, sizeof what),
			 at_eol(p) ? " (inline tables must be on one line)" : "");
		return NO_VAL;
	}
	p->pos++;
	p->open--;
	return t;
}

static int parse_value(struct parser *p, int depth)
{
	if (depth >= MAX_DEPTH) {
		error_at(p, p->line, col(p), "values nested too deeply (at most %d levels)",
			 MAX_DEPTH);
		return NO_VAL;
	}
	switch (peek(p)) {
	case '"':
	case '\'':
		return parse_string_value(p);
	case '[':
		return parse_array(p, depth);
	case '{':
		return parse_inline_table(p, depth);
	default:
		return parse_token(p);
	}
}

/* ------------------------------------------------------------------------ */
/* Step 4: key tables and setters.                                           */

struct key_def;
typedef bool (*setter_fn)(struct parser *p, const struct key_def *k, const struct val *v);

struct key_def {
	const char *name;
	unsigned kinds;             /* accepted value kinds (K_*) */
	const char *want;           /* what the value must be, for messages */
	setter_fn set;
	const char *const *allowed; /* allowed strings (NULL-terminated), if any */
	int64_t min, max;           /* integers: allowed range */
};

static const char *const fault_names[] = { "stop", "restart", "halt-system", NULL };
static const char *const level_names[] = { "error", "warn", "info", "debug", NULL };
static const char *const com_names[] = { "com1", "com2", "com3", "com4", NULL };
static const uint32_t com_ports[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static const char *const format_names[] = { "raw", "linux", "multiboot", NULL };
static const char *const reboot_names[] = { "restart", "stop", NULL };
static const char *const pconsole_names[] = { "shared", "com1", "com2", "com3", "com4", NULL };
static const char *const device_names[] = { "uart", "rtc", "pit", "pci-host", "virtio-console",
					    NULL };

/* "\"a\", \"b\" or \"c\"" */
static void list_names(char *buf, size_t size, const char *const *names)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; names[i]; i++) {
		const char *sep = i == 0 ? "" : names[i + 1] ? ", " : " or ";
		int n = fmt_snprintf(buf + o, size - o, "%s\"%s\"", sep, names[i]);
		if (n < 0 || (size_t)n >= size - o)
			return;
		o += (size_t)n;
	}
}

static int name_index(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (str_eq(names[i], s))
			return i;
	return -1;
}

/* One of k->allowed; returns its index or -1 after an error. */
static int enum_value(struct parser *p, const struct key_def *k, const struct val *v)
{
	char s[40], shown[40], list[128];
	size_t n = val_text(p, v, s, sizeof s);
	int i = n < sizeof s ? name_index(k->allowed, s) : -1;
	if (i < 0) {
		show(shown, sizeof shown, s, n < sizeof s ? n : sizeof s - 1);
		list_names(list, sizeof list, k->allowed);
		error_at(p, v->line, v->col, "'%s' must be %s; \"%s\" is not allowed", k->name,
			 list, shown);
	}
	return i;
}

static bool int_in_range(struct parser *p, const struct key_def *k, const struct val *v)
{
	if (v->num >= k->min && v->num <= k->max)
		return true;
	error_at(p, v->line, v->col, "'%s' must be from %lld to %lld, not %lld", k->name,
		 (long long)k->min, (long long)k->max, (long long)v->num);
	return false;
}

/* A size: an integer number of bytes or a string like "256M". */
static bool val_size(struct parser *p, const char *key, const struct val *v, uint64_t *out)
{
	char s[40], shown[40];
	if (v->kind == VK_INT) {
		if (v->num < 0) {
			error_at(p, v->line, v->col, "'%s' cannot be negative", key);
			return false;
		}
		*out = (uint64_t)v->num;
		return true;
	}
	size_t n = val_text(p, v, s, sizeof s);
	const char *why = n < sizeof s ? cfg_parse_size(s, n, out) : "too long";
	if (why) {
		show(shown, sizeof shown, s, n < sizeof s ? n : sizeof s - 1);
		error_at(p, v->line, v->col,
			 "bad size \"%s\" for '%s': %s; a size is a number of bytes, or a number "
			 "and a unit (powers of 1024) like \"256M\"", shown, key, why);
		return false;
	}
	return true;
}

/* A name: [a-z0-9_-]{1,31}. */
static bool val_name(struct parser *p, const char *key, const struct val *v, char *out)
{
	char s[CFG_NAME_MAX], shown[40];
	size_t n = val_text(p, v, s, sizeof s);
	bool ok = n >= 1 && n < CFG_NAME_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = (s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i]) || s[i] == '_' || s[i] == '-';
	if (!ok) {
		show(shown, sizeof shown, s, n < sizeof s ? n : sizeof s - 1);
		error_at(p, v->line, v->col,
			 "bad %s \"%s\": use 1 to %d characters from a-z, 0-9, '_' and '-'", key,
			 shown, CFG_NAME_MAX - 1);
		return false;
	}
	str_copy(out, s, CFG_NAME_MAX);
	return true;
}

/* A path relative to the configuration file. */
static bool val_path(struct parser *p, const char *key, const struct val *v, char *out)
{
	char s[CFG_PATH_MAX];
	size_t n = val_text(p, v, s, sizeof s);
	const char *why = n == 0 ? "it is empty"
		: n >= CFG_PATH_MAX ? "it is too long"
		: s[0] == '/' ? "it must be relative to the configuration file's directory" : NULL;
	if (why) {
		error_at(p, v->line, v->col, "bad path for '%s': %s (at most %d characters)", key,
			 why, CFG_PATH_MAX - 1);
		return false;
	}
	str_copy(out, s, CFG_PATH_MAX);
	return true;
}

/* An element of an array must be of kind `kind`. */
static bool element_kind(struct parser *p, const struct key_def *k, const struct val *e,
			 enum vkind kind, const char *what)
{
	if (e->kind == kind)
		return true;
	error_at(p, e->line, e->col, "'%s' elements must be %s, not %s", k->name, what,
		 kind_names[e->kind]);
	return false;
}

static bool too_many(struct parser *p, const struct key_def *k, const struct val *v, int max)
{
	if (v->count <= max)
		return false;
	error_at(p, v->line, v->col, "'%s' lists %d entries; at most %d are allowed", k->name,
		 v->count, max);
	return true;
}

static struct cfg_pos pos_of(const struct val *v)
{
	return (struct cfg_pos){ v->line, v->col };
}

/* Global keys. */

/* A key that takes a number in range or one of its names: *num gets the
 * number, or *index the name's position (the other is -1). */
static bool int_or_name(struct parser *p, const struct key_def *k, const struct val *v,
			int64_t *num, int *index)
{
	*num = -1;
	*index = -1;
	if (v->kind == VK_INT) {
		if (!int_in_range(p, k, v))
			return false;
		*num = v->num;
		return true;
	}
	*index = enum_value(p, k, v);
	return *index >= 0;
}

static bool set_g_console(struct parser *p, const struct key_def *k, const struct val *v)
{
	int64_t num;
	int i;
	if (!int_or_name(p, k, v, &num, &i))
		return false;
	p->cfg->console_port = i >= 0 ? com_ports[i] : (uint32_t)num;
	return true;
}

static bool set_g_log_level(struct parser *p, const struct key_def *k, const struct val *v)
{
	int64_t num;
	int i;
	if (!int_or_name(p, k, v, &num, &i))
		return false;
	p->cfg->log_level = i >= 0 ? i : (int)num;
	return true;
}

static bool set_g_on_fault(struct parser *p, const struct key_def *k, const struct val *v)
{
	int i = enum_value(p, k, v);
	if (i >= 0)
		p->cfg->default_on_fault = (enum cfg_on_fault)i;
	return i >= 0;
}

static const struct key_def global_keys[] = {
	{ "console", K_INT | K_STR, "a port number or \"com1\"..\"com4\"", set_g_console,
	  com_names, 1, 0xffff },
	{ "log_level", K_INT | K_STR, "\"error\", \"warn\", \"info\", \"debug\" or 0..3",
	  set_g_log_level, level_names, 0, 3 },
	{ "on_fault", K_STR, "\"stop\", \"restart\" or \"halt-system\"", set_g_on_fault,
	  fault_names, 0, 0 },
};

/* Partition keys. */

static bool set_p_name(struct parser *p, const struct key_def *k, const struct val *v)
{
	char name[CFG_NAME_MAX];
	if (!val_name(p, k->name, v, name))
		return false;
	for (uint32_t i = 0; i + 1 < p->cfg->partition_count; i++) {
		const struct cfg_partition *o = &p->cfg->partitions[i];
		if (str_eq(o->name, name)) {
			error_at(p, v->line, v->col,
				 "partition name '%s' is already used by the partition at line %d",
				 name, o->line);
			return false;
		}
	}
	str_copy(p->part->name, name, sizeof p->part->name);
	p->part->name_pos = pos_of(v);
	return true;
}

static bool add_cpu(struct parser *p, const struct key_def *k, const struct val *e)
{
	struct cfg_partition *pt = p->part;
	if (!element_kind(p, k, e, VK_INT, "CPU indexes (integers)") || !int_in_range(p, k, e))
		return false;
	/* A CPU may be listed twice: two vCPUs then time-share it. */
	pt->cpu_pos[pt->cpu_count] = pos_of(e);
	pt->cpus[pt->cpu_count++] = (uint32_t)e->num;
	return true;
}

static bool set_p_cpus(struct parser *p, const struct key_def *k, const struct val *v)
{
	p->part->cpus_pos = pos_of(v);
	if (v->kind == VK_INT)
		return add_cpu(p, k, v);
	if (v->count == 0) {
		error_at(p, v->line, v->col, "'cpus' must list at least one CPU");
		return false;
	}
	if (too_many(p, k, v, CFG_MAX_VCPUS))
		return false;
	for (int e = v->first; e != NO_VAL; e = p->vals[e].next)
		if (!add_cpu(p, k, &p->vals[e]))
			return false;
	return true;
}

static bool set_p_memory(struct parser *p, const struct key_def *k, const struct val *v)
{
	uint64_t size;
	if (!val_size(p, k->name, v, &size))
		return false;
	if (size < MIB2 || size % MIB2) {
		char s[24];
		cfg_format_size(s, sizeof s, size);
		error_at(p, v->line, v->col,
			 "'memory' must be a multiple of 2M and at least 2M, not %s", s);
		return false;
	}
	if (size >= CFG_GPA_LIMIT) {
		error_at(p, v->line, v->col, "'memory' must be less than 256T");
		return false;
	}
	p->part->memory = size;
	p->part->memory_pos = pos_of(v);
	return true;
}

static bool set_p_memory_base(struct parser *p, const struct key_def *k, const struct val *v)
{
	uint64_t base;
	if (!val_size(p, k->name, v, &base))
		return false;
	if (base % MIB2 || base >= CFG_GPA_LIMIT) {
		error_at(p, v->line, v->col,
			 "'memory_base' must be a multiple of 2M below 256T, not 0x%llx",
			 (unsigned long long)base);
		return false;
	}
	p->part->memory_base = base;
	return true;
}

static bool set_p_image(struct parser *p, const struct key_def *k, const struct val *v)
{
	p->part->image_pos = pos_of(v);
	return val_path(p, k->name, v, p->part->image);
}

static bool set_p_format(struct parser *p, const struct key_def *k, const struct val *v)
{
	int i = enum_value(p, k, v);
	if (i >= 0)
		p->part->format = (enum cfg_format)i;
	return i >= 0;
}

static bool guest_address(struct parser *p, const struct key_def *k, const struct val *v,
			  uint64_t *out)
{
	if (v->num < 0 || (uint64_t)v->num >= CFG_GPA_LIMIT) {
		error_at(p, v->line, v->col,
			 "'%s' must be a guest-physical address from 0 to 0xffffffffffff", k->name);
		return false;
	}
	*out = (uint64_t)v->num;
	return true;
}

static bool set_p_entry(struct parser *p, const struct key_def *k, const struct val *v)
{
	p->part->entry_set = guest_address(p, k, v, &p->part->entry);
	return p->part->entry_set;
}

static bool set_p_load(struct parser *p, const struct key_def *k, const struct val *v)
{
	p->part->load_set = guest_address(p, k, v, &p->part->load);
	return p->part->load_set;
}

static bool set_p_initrd(struct parser *p, const struct key_def *k, const struct val *v)
{
	p->part->initrd_pos = pos_of(v);
	return val_path(p, k->name, v, p->part->initrd);
}

static bool set_p_cmdline(struct parser *p, const struct key_def *k, const struct val *v)
{
	size_t n = val_text(p, v, p->part->cmdline, sizeof p->part->cmdline);
	if (n >= sizeof p->part->cmdline) {
		p->part->cmdline[0] = 0;
		error_at(p, v->line, v->col, "'%s' is %zu characters long; at most %d are allowed",
			 k->name, n, CFG_CMDLINE_MAX - 1);
		return false;
	}
	return true;
}

static bool set_p_modules(struct parser *p, const struct key_def *k, const struct val *v)
{
	struct cfg_partition *pt = p->part;
	if (too_many(p, k, v, CFG_MAX_MODULES))
		return false;
	for (int i = v->first; i != NO_VAL; i = p->vals[i].next) {
		const struct val *e = &p->vals[i];
		if (!element_kind(p, k, e, VK_STRING, "paths (strings)") ||
		    !val_path(p, k->name, e, pt->modules[pt->module_count]))
			return false;
		pt->module_pos[pt->module_count++] = pos_of(e);
	}
	return true;
}

static bool set_p_console(struct parser *p, const struct key_def *k, const struct val *v)
{
	int i = enum_value(p, k, v);
	if (i >= 0) {
		str_copy(p->part->console, k->allowed[i], sizeof p->part->console);
		p->part->console_port = i ? com_ports[i - 1] : 0; /* pconsole_names[0] is "shared" */
		p->part->console_pos = pos_of(v);
	}
	return i >= 0;
}

/* "SSSS:BB:DD.F" with hex fields, bus <= ff, device <= 1f, function <= 7;
 * written lower-case to out. */
static bool pci_address(const char *s, size_t n, char *out)
{
	static const char shape[] = "hhhh:hh:hh.h";
	if (n != sizeof shape - 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (shape[i] == 'h' ? digit_value(s[i], 16) < 0 : s[i] != shape[i])
			return false;
		out[i] = s[i] >= 'A' && s[i] <= 'F' ? (char)(s[i] - 'A' + 'a') : s[i];
	}
	out[n] = 0;
	return digit_value(s[8], 16) <= 1 && digit_value(s[11], 16) <= 7;
}

/* emulated = [...] and passthrough = [...]: lists of unique device names. */
static bool set_device_list(struct parser *p, const struct key_def *k, const struct val *v,
			    char (*list)[CFG_NAME_MAX], uint32_t *count)
{
	char s[CFG_NAME_MAX], shown[40], names[128];
	if (too_many(p, k, v, CFG_MAX_DEVICES))
		return false;
	for (int i = v->first; i != NO_VAL; i = p->vals[i].next) {
		const struct val *e = &p->vals[i];
		if (!element_kind(p, k, e, VK_STRING, "strings"))
			return false;
		size_t n = val_text(p, e, s, sizeof s);
		show(shown, sizeof shown, s, n < sizeof s ? n : sizeof s - 1);
		if (k->allowed) {
			if (n >= sizeof s || name_index(k->allowed, s) < 0) {
				list_names(names, sizeof names, k->allowed);
				error_at(p, e->line, e->col,
					 "unknown device \"%s\" in '%s'; allowed: %s", shown,
					 k->name, names);
				return false;
			}
		} else if (n >= sizeof s || !pci_address(s, n, s)) {
			error_at(p, e->line, e->col,
				 "bad PCI address \"%s\" in '%s': write SSSS:BB:DD.F in hex "
				 "(bus <= ff, device <= 1f, function <= 7), like \"0000:00:1f.2\"",
				 shown, k->name);
			return false;
		}
		for (uint32_t j = 0; j < *count; j++)
			if (str_eq(list[j], s)) {
				error_at(p, e->line, e->col, "\"%s\" is listed twice in '%s'",
					 shown, k->name);
				return false;
			}
		str_copy(list[(*count)++], s, CFG_NAME_MAX);
	}
	return true;
}

static bool set_p_emulated(struct parser *p, const struct key_def *k, const struct val *v)
{
	return set_device_list(p, k, v, p->part->emulated, &p->part->emulated_count);
}

static bool set_p_passthrough(struct parser *p, const struct key_def *k, const struct val *v)
{
	return set_device_list(p, k, v, p->part->passthrough, &p->part->passthrough_count);
}

static bool set_p_on_fault(struct parser *p, const struct key_def *k, const struct val *v)
{
	int i = enum_value(p, k, v);
	if (i >= 0) {
		p->part->on_fault = (enum cfg_on_fault)i;
		p->fault_set[p->cfg->partition_count - 1] = true;
	}
	return i >= 0;
}

static bool set_p_on_reboot(struct parser *p, const struct key_def *k, const struct val *v)
{
	int i = enum_value(p, k, v);
	if (i >= 0)
		p->part->on_reboot = (enum cfg_on_reboot)i;
	return i >= 0;
}

static bool set_p_weight(struct parser *p, const struct key_def *k, const struct val *v)
{
	if (!int_in_range(p, k, v))
		return false;
	p->part->weight = (uint32_t)v->num;
	return true;
}

static bool set_p_cap(struct parser *p, const struct key_def *k, const struct val *v)
{
	if (!int_in_range(p, k, v))
		return false;
	p->part->cap = (uint32_t)v->num;
	return true;
}

/* One { name = "...", size = "4K", gpa = 0x... } of mem_shared. */
static bool shared_entry(struct parser *p, const struct val *t, struct cfg_shared *out)
{
	static const char *const keys[] = { "name", "size", "gpa", NULL };
	const struct val *found[3] = { NULL, NULL, NULL };
	char key[40], shown[40];

	for (int i = t->first; i != NO_VAL; i = p->vals[i].next) {
		const struct val *m = &p->vals[i];
		size_t n = string_text(p, m->key_off, m->key_len,
				       m->key_quote ? m->key_quote : '\'', key, sizeof key);
		int idx = n < sizeof key ? name_index(keys, key) : -1;
		if (idx < 0) {
			show(shown, sizeof shown, key, n < sizeof key ? n : sizeof key - 1);
			error_at(p, m->key_line, m->key_col,
				 "unknown key '%s' in a mem_shared entry; allowed: name, size, gpa",
				 shown);
			return false;
		}
		static const unsigned want[] = { K_STR, K_STR | K_INT, K_INT };
		if (!(want[idx] & (1u << m->kind))) {
			error_at(p, m->line, m->col, "mem_shared '%s' must be %s, not %s", keys[idx],
				 idx == 0 ? "a name string" : idx == 1 ? "a size like \"4K\""
				 : "an address (integer)", kind_names[m->kind]);
			return false;
		}
		found[idx] = m;
	}
	for (int i = 0; i < 3; i++)
		if (!found[i]) {
			error_at(p, t->line, t->col,
				 "a mem_shared entry needs name, size and gpa; '%s' is missing",
				 keys[i]);
			return false;
		}
	if (!val_name(p, "mem_shared name", found[0], out->name) ||
	    !val_size(p, "size", found[1], &out->size))
		return false;
	if (!out->size || out->size % KIB4 || out->size >= CFG_GPA_LIMIT) {
		error_at(p, found[1]->line, found[1]->col,
			 "mem_shared 'size' must be a non-zero multiple of 4K below 256T");
		return false;
	}
	int64_t gpa = found[2]->num;
	if (gpa < 0 || (uint64_t)gpa % KIB4 || (uint64_t)gpa >= CFG_GPA_LIMIT - out->size) {
		error_at(p, found[2]->line, found[2]->col,
			 "mem_shared 'gpa' must be 4K-aligned, and gpa + size below 256T");
		return false;
	}
	out->gpa = (uint64_t)gpa;
	return true;
}

static bool set_p_mem_shared(struct parser *p, const struct key_def *k, const struct val *v)
{
	struct cfg_partition *pt = p->part;
	if (too_many(p, k, v, CFG_MAX_SHARED))
		return false;
	for (int i = v->first; i != NO_VAL; i = p->vals[i].next) {
		const struct val *e = &p->vals[i];
		struct cfg_shared *s = &pt->shared[pt->shared_count];
		if (!element_kind(p, k, e, VK_TABLE, "inline tables { name, size, gpa }") ||
		    !shared_entry(p, e, s))
			return false;
		for (uint32_t j = 0; j < pt->shared_count; j++)
			if (str_eq(pt->shared[j].name, s->name)) {
				error_at(p, e->line, e->col,
					 "mem_shared name '%s' is used twice in this partition",
					 s->name);
				return false;
			}
		pt->shared_pos[pt->shared_count++] = pos_of(e);
	}
	return true;
}

enum {
	P_NAME, P_CPUS, P_MEMORY, P_MEMORY_BASE, P_IMAGE, P_FORMAT, P_ENTRY, P_LOAD, P_INITRD,
	P_CMDLINE, P_MODULES, P_CONSOLE, P_EMULATED, P_PASSTHROUGH, P_ON_FAULT, P_ON_REBOOT,
	P_WEIGHT, P_CAP, P_MEM_SHARED,
};

#define SIZE_WANT "a size like \"256M\" (or a number of bytes)"
static const struct key_def partition_keys[] = {
	[P_NAME] = { "name", K_STR, "a name string like \"linux0\"", set_p_name, NULL, 0, 0 },
	[P_CPUS] = { "cpus", K_INT | K_ARRAY, "a CPU index or an array of them like [0, 1]",
		     set_p_cpus, NULL, 0, CFG_MACHINE_CPUS - 1 },
	[P_MEMORY] = { "memory", K_STR | K_INT, SIZE_WANT, set_p_memory, NULL, 0, 0 },
	[P_MEMORY_BASE] = { "memory_base", K_STR | K_INT, SIZE_WANT, set_p_memory_base, NULL,
			    0, 0 },
	[P_IMAGE] = { "image", K_STR, "a path string like \"linux/bzImage\"", set_p_image,
		      NULL, 0, 0 },
	[P_FORMAT] = { "format", K_STR, "\"raw\", \"linux\" or \"multiboot\"", set_p_format,
		       format_names, 0, 0 },
	[P_ENTRY] = { "entry", K_INT, "an address (integer) like 0x100000", set_p_entry, NULL,
		      0, 0 },
	[P_LOAD] = { "load", K_INT, "an address (integer) like 0x100000", set_p_load, NULL, 0,
		     0 },
	[P_INITRD] = { "initrd", K_STR, "a path string", set_p_initrd, NULL, 0, 0 },
	[P_CMDLINE] = { "cmdline", K_STR, "a string", set_p_cmdline, NULL, 0, 0 },
	[P_MODULES] = { "modules", K_ARRAY, "an array of path strings", set_p_modules, NULL, 0,
			0 },
	[P_CONSOLE] = { "console", K_STR, "\"shared\" or \"com1\"..\"com4\"", set_p_console,
			pconsole_names, 0, 0 },
	[P_EMULATED] = { "emulated", K_ARRAY, "an array of device names like [\"uart\"]",
			 set_p_emulated, device_names, 0, 0 },
	[P_PASSTHROUGH] = { "passthrough", K_ARRAY,
			    "an array of PCI addresses like [\"0000:00:1f.2\"]",
			    set_p_passthrough, NULL, 0, 0 },
	[P_ON_FAULT] = { "on_fault", K_STR, "\"stop\", \"restart\" or \"halt-system\"",
			 set_p_on_fault, fault_names, 0, 0 },
	[P_ON_REBOOT] = { "on_reboot", K_STR, "\"restart\" or \"stop\"", set_p_on_reboot,
			  reboot_names, 0, 0 },
	[P_WEIGHT] = { "weight", K_INT, "an integer from 1 to 1000", set_p_weight, NULL, 1,
		       1000 },
	[P_CAP] = { "cap", K_INT, "an integer from 0 to 100 (percent)", set_p_cap, NULL, 0,
		    100 },
	[P_MEM_SHARED] = { "mem_shared", K_ARRAY,
			   "an array of inline tables like [{ name = \"chan0\", size = \"4K\", "
			   "gpa = 0x100000000 }]", set_p_mem_shared, NULL, 0, 0 },
};

/* [[cpu]] keys. */

static const char *const policy_names[] = { "dedicated", "shared", "cyclic", NULL };
#define DURATION_WANT "a duration like \"10ms\" or \"500us\""
#define MS(n) ((n) * 1000000ll)

/* A duration: a string like "10ms". */
static bool val_duration(struct parser *p, const char *key, const struct val *v, uint64_t *out)
{
	char s[40], shown[40];
	if (v->kind != VK_STRING) {
		error_at(p, v->line, v->col, "'%s' must be " DURATION_WANT ", not %s", key,
			 kind_names[v->kind]);
		return false;
	}
	size_t n = val_text(p, v, s, sizeof s);
	const char *why = n < sizeof s ? cfg_parse_duration(s, n, out) : "too long";
	if (why) {
		show(shown, sizeof shown, s, n < sizeof s ? n : sizeof s - 1);
		error_at(p, v->line, v->col, "'%s' must be " DURATION_WANT ", not \"%s\" (%s)", key,
			 shown, why);
		return false;
	}
	return true;
}

/* A duration from k->min to k->max nanoseconds. */
static bool duration_in_range(struct parser *p, const struct key_def *k, const struct val *v,
			      uint64_t *out)
{
	char lo[24], hi[24], got[24];
	if (!val_duration(p, k->name, v, out))
		return false;
	if (*out >= (uint64_t)k->min && *out <= (uint64_t)k->max)
		return true;
	cfg_format_duration(lo, sizeof lo, (uint64_t)k->min);
	cfg_format_duration(hi, sizeof hi, (uint64_t)k->max);
	cfg_format_duration(got, sizeof got, *out);
	error_at(p, v->line, v->col, "'%s' must be from %s to %s, not %s", k->name, lo, hi, got);
	return false;
}

static bool set_c_id(struct parser *p, const struct key_def *k, const struct val *v)
{
	if (!int_in_range(p, k, v))
		return false;
	for (const struct cfg_cpu *o = p->cfg->cpu_tables; o < p->cpu; o++)
		if (o->id_pos.line && o->id == (uint32_t)v->num) {
			error_at(p, v->line, v->col, "cpu %lld already has a [[cpu]] table (line %d)",
				 (long long)v->num, o->line);
			return false;
		}
	p->cpu->id = (uint32_t)v->num;
	p->cpu->id_pos = pos_of(v);
	return true;
}

static bool set_c_policy(struct parser *p, const struct key_def *k, const struct val *v)
{
	int i = enum_value(p, k, v);
	if (i >= 0) {
		p->cpu->policy = (enum cfg_sched)i;
		p->cpu->policy_pos = pos_of(v);
	}
	return i >= 0;
}

static bool set_c_slice(struct parser *p, const struct key_def *k, const struct val *v)
{
	if (!duration_in_range(p, k, v, &p->cpu->slice_ns))
		return false;
	p->cpu->slice_pos = pos_of(v);
	return true;
}

static bool set_c_frame(struct parser *p, const struct key_def *k, const struct val *v)
{
	if (!duration_in_range(p, k, v, &p->cpu->frame_ns))
		return false;
	p->cpu->frame_pos = pos_of(v);
	return true;
}

/* One { partition = "a", vcpu = 1, start = "0ms", length = "2ms" } of windows. */
static bool window_entry(struct parser *p, const struct val *t, struct cfg_window *w)
{
	static const char *const keys[] = { "partition", "vcpu", "start", "length", NULL };
	static const unsigned want[] = { K_STR, K_INT, K_STR, K_STR };
	const struct val *found[4] = { NULL, NULL, NULL, NULL };
	char key[40], shown[40];

	for (int i = t->first; i != NO_VAL; i = p->vals[i].next) {
		const struct val *m = &p->vals[i];
		size_t n = string_text(p, m->key_off, m->key_len,
				       m->key_quote ? m->key_quote : '\'', key, sizeof key);
		int idx = n < sizeof key ? name_index(keys, key) : -1;
		if (idx < 0) {
			show(shown, sizeof shown, key, n < sizeof key ? n : sizeof key - 1);
			error_at(p, m->key_line, m->key_col,
				 "unknown key '%s' in a window; allowed: partition, vcpu, start, "
				 "length", shown);
			return false;
		}
		if (!(want[idx] & (1u << m->kind))) {
			error_at(p, m->line, m->col, "window '%s' must be %s, not %s", keys[idx],
				 idx == 0 ? "a partition name string" : idx == 1
				 ? "a vCPU index (integer)" : DURATION_WANT, kind_names[m->kind]);
			return false;
		}
		found[idx] = m;
	}
	for (int i = 0; i < 4; i++)
		if (!found[i] && i != 1) {
			error_at(p, t->line, t->col,
				 "a window needs partition, start and length; '%s' is missing",
				 keys[i]);
			return false;
		}
	if (!val_name(p, "window partition", found[0], w->partition) ||
	    !val_duration(p, "start", found[2], &w->start_ns) ||
	    !val_duration(p, "length", found[3], &w->length_ns))
		return false;
	if (!w->length_ns) {
		error_at(p, found[3]->line, found[3]->col, "window 'length' must be more than 0");
		return false;
	}
	w->vcpu = -1;
	if (found[1]) {
		if (found[1]->num < 0 || found[1]->num >= CFG_MAX_VCPUS) {
			error_at(p, found[1]->line, found[1]->col,
				 "window 'vcpu' must be from 0 to %d, not %lld", CFG_MAX_VCPUS - 1,
				 (long long)found[1]->num);
			return false;
		}
		w->vcpu = (int32_t)found[1]->num;
	}
	w->pos = pos_of(t);
	return true;
}

static bool set_c_windows(struct parser *p, const struct key_def *k, const struct val *v)
{
	struct cfg_cpu *c = p->cpu;
	if (v->count == 0) {
		error_at(p, v->line, v->col, "'windows' must list at least one window");
		return false;
	}
	for (int i = v->first; i != NO_VAL; i = p->vals[i].next) {
		const struct val *e = &p->vals[i];
		if (c->window_count == CFG_MAX_WINDOWS) {
			error_at(p, e->line, e->col,
				 "too many windows: at most %d fit in one cpu's frame",
				 CFG_MAX_WINDOWS);
			return false;
		}
		if (!element_kind(p, k, e, VK_TABLE,
				  "inline tables { partition, vcpu, start, length }") ||
		    !window_entry(p, e, &c->windows[c->window_count]))
			return false;
		c->window_count++;
	}
	c->windows_pos = pos_of(v);
	return true;
}

enum { C_ID, C_POLICY, C_SLICE, C_FRAME, C_WINDOWS };

static const struct key_def cpu_keys[] = {
	[C_ID] = { "id", K_INT, "a CPU index (integer) like 0", set_c_id, NULL, 0,
		   CFG_MACHINE_CPUS - 1 },
	[C_POLICY] = { "policy", K_STR, "\"dedicated\", \"shared\" or \"cyclic\"",
		       set_c_policy, policy_names, 0, 0 },
	[C_SLICE] = { "slice", K_STR, DURATION_WANT, set_c_slice, NULL, MS(1) / 10, MS(1000) },
	[C_FRAME] = { "frame", K_STR, DURATION_WANT, set_c_frame, NULL, MS(1) / 10,
		      MS(10000) },
	[C_WINDOWS] = { "windows", K_ARRAY,
			"an array of inline tables like [{ partition = \"a\", start = \"0ms\", "
			"length = \"2ms\" }]", set_c_windows, NULL, 0, 0 },
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
_Static_assert(COUNT(partition_keys) <= MAX_KEYS, "too many partition keys");
_Static_assert(COUNT(global_keys) <= MAX_KEYS, "too many global keys");
_Static_assert(COUNT(cpu_keys) <= MAX_KEYS, "too many cpu keys");

/* "name, cpus, memory, ..." */
static void list_keys(char *buf, size_t size, const struct key_def *keys, int n)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < n; i++) {
		int w = fmt_snprintf(buf + o, size - o, "%s%s", i ? ", " : "", keys[i].name);
		if (w < 0 || (size_t)w >= size - o)
			return;
		o += (size_t)w;
	}
}

static const char *section_name(enum section s)
{
	return s == SEC_PARTITION ? "[[partition]]" : s == SEC_CPU ? "[[cpu]]" : "the global table";
}

/* The key table of the current section; the key's index in it, or n. */
static int find_key(struct parser *p, const char *name, const struct key_def **keys, int *n,
		    struct cfg_pos **seen)
{
	if (p->section == SEC_PARTITION) {
		*keys = partition_keys;
		*n = COUNT(partition_keys);
		*seen = p->part_seen;
	} else if (p->section == SEC_CPU) {
		*keys = cpu_keys;
		*n = COUNT(cpu_keys);
		*seen = p->cpu_seen;
	} else {
		*keys = global_keys;
		*n = COUNT(global_keys);
		*seen = p->global_seen;
	}
	int i = 0;
	while (i < *n && !str_eq((*keys)[i].name, name))
		i++;
	return i;
}

/* The key's value did not parse: count the key as set (no "missing" later). */
static void mark_seen(struct parser *p, const struct key *k)
{
	const struct key_def *keys;
	struct cfg_pos *seen;
	int n;
	if (p->section == SEC_IGNORE)
		return;
	int i = find_key(p, k->name, &keys, &n, &seen);
	if (i < n && !seen[i].line)
		seen[i] = (struct cfg_pos){ k->line, k->col };
}

/* key = value, once the value is parsed: look the key up and set it. */
static void assign(struct parser *p, const struct key *k, const struct val *v)
{
	const struct key_def *keys;
	struct cfg_pos *seen;
	int n;
	if (p->section == SEC_IGNORE)
		return;
	int i = find_key(p, k->name, &keys, &n, &seen);
	if (i == n) {
		char list[200], shown[28];
		show(shown, sizeof shown, k->name, str_len(k->name));
		list_keys(list, sizeof list, keys, n);
		error_at(p, k->line, k->col, "unknown key '%s' in %s; allowed: %s", shown,
			 section_name(p->section), list);
		return;
	}
	if (seen[i].line) {
		error_at(p, k->line, k->col, "duplicate key '%s' (first set at line %d)", k->name,
			 seen[i].line);
		return;
	}
	seen[i] = (struct cfg_pos){ k->line, k->col };
	if (!(keys[i].kinds & (1u << v->kind))) {
		error_at(p, v->line, v->col, "'%s' must be %s, not %s", k->name, keys[i].want,
			 kind_names[v->kind]);
		return;
	}
	keys[i].set(p, &keys[i], v);
}

/* ------------------------------------------------------------------------ */
/* Step 5: validation of a partition when its table ends.                    */

static const char *format_name(enum cfg_format f)
{
	return format_names[f];
}

static void require(struct parser *p, int key, const char *why)
{
	const struct cfg_partition *pt = p->part;
	if (p->part_seen[key].line)
		return;
	if (pt->name[0])
		error_at(p, pt->line, 1, "partition '%s' has no '%s'%s", pt->name,
			 partition_keys[key].name, why);
	else
		error_at(p, pt->line, 1, "[[partition]] has no '%s'%s", partition_keys[key].name,
			 why);
}

/* A key that only some formats take. */
static void only_with(struct parser *p, int key, unsigned formats)
{
	const struct cfg_pos *at = &p->part_seen[key];
	if (!at->line || (formats & (1u << p->part->format)))
		return;
	char list[40];
	size_t o = 0;
	for (int f = 0; format_names[f]; f++)
		if (formats & (1u << f))
			o += (size_t)fmt_snprintf(list + o, sizeof list - o, "%s\"%s\"",
						  o ? " or " : "", format_names[f]);
	error_at(p, at->line, at->column, "'%s' is not allowed with format \"%s\" (only with %s)",
		 partition_keys[key].name, format_name(p->part->format), list);
}

static bool overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

static void check_addresses(struct parser *p)
{
	struct cfg_partition *pt = p->part;
	uint64_t base = pt->memory_base, end = base + pt->memory;
	if (!pt->memory)
		return;
	if (end > CFG_GPA_LIMIT) {
		const struct cfg_pos *at = &p->part_seen[P_MEMORY_BASE];
		error_at(p, at->line, at->column,
			 "memory_base + memory ends at 0x%llx, beyond 256T (0x1000000000000)",
			 (unsigned long long)end);
		return;
	}
	if (pt->format == CFG_FORMAT_RAW && pt->entry_set) {
		int keys[2] = { P_ENTRY, P_LOAD };
		uint64_t addr[2] = { pt->entry, pt->load };
		for (int i = 0; i < 2; i++)
			if (p->part_seen[keys[i]].line && (addr[i] < base || addr[i] >= end))
				error_at(p, p->part_seen[keys[i]].line, p->part_seen[keys[i]].column,
					 "'%s' 0x%llx is outside the partition's RAM (0x%llx-0x%llx)",
					 partition_keys[keys[i]].name, (unsigned long long)addr[i],
					 (unsigned long long)base, (unsigned long long)end - 1);
	}
	for (uint32_t i = 0; i < pt->shared_count; i++) {
		const struct cfg_shared *s = &pt->shared[i];
		if (overlaps(s->gpa, s->size, base, pt->memory))
			error_at(p, pt->shared_pos[i].line, pt->shared_pos[i].column,
				 "mem_shared '%s' (0x%llx-0x%llx) overlaps the partition's RAM "
				 "(0x%llx-0x%llx)", s->name, (unsigned long long)s->gpa,
				 (unsigned long long)(s->gpa + s->size - 1), (unsigned long long)base,
				 (unsigned long long)end - 1);
		for (uint32_t j = 0; j < i; j++)
			if (overlaps(s->gpa, s->size, pt->shared[j].gpa, pt->shared[j].size))
				error_at(p, pt->shared_pos[i].line, pt->shared_pos[i].column,
					 "mem_shared '%s' overlaps mem_shared '%s'", s->name,
					 pt->shared[j].name);
	}
}

static void validate_partition(struct parser *p)
{
	struct cfg_partition *pt = p->part;
	require(p, P_NAME, "; every partition needs a unique name");
	require(p, P_CPUS, "; list its CPUs like cpus = [1, 2]");
	require(p, P_MEMORY, "; give its RAM like memory = \"256M\"");
	require(p, P_IMAGE, "; give the image path like image = \"guest.bin\"");
	if (pt->format == CFG_FORMAT_RAW)
		require(p, P_ENTRY, " (format \"raw\" needs the guest-physical entry point)");
	const unsigned raw = 1u << CFG_FORMAT_RAW, lnx = 1u << CFG_FORMAT_LINUX,
		       mb = 1u << CFG_FORMAT_MULTIBOOT;
	only_with(p, P_ENTRY, raw);
	only_with(p, P_LOAD, raw);
	only_with(p, P_INITRD, lnx);
	only_with(p, P_CMDLINE, lnx | mb);
	only_with(p, P_MODULES, mb);
	if (pt->format == CFG_FORMAT_RAW && pt->entry_set && !pt->load_set)
		pt->load = pt->entry;
	check_addresses(p);
}

/* ------------------------------------------------------------------------ */
/* A [[cpu]] table when it ends.                                             */

/* "cpu 2", or "[[cpu]]" when its id is not known. */
static const char *cpu_who(const struct cfg_cpu *c, char *buf, size_t size)
{
	if (!c->id_pos.line)
		return "[[cpu]]";
	fmt_snprintf(buf, size, "cpu %u", c->id);
	return buf;
}

/* A key the table's policy does not take (when its value was fine: else it
 * has had its error). */
static void policy_only(struct parser *p, int key, const struct cfg_pos *value,
			enum cfg_sched policy)
{
	const struct cfg_pos *at = &p->cpu_seen[key];
	if (value->line && p->cpu->policy != policy)
		error_at(p, at->line, at->column,
			 "'%s' is only for policy = \"%s\" (this cpu's policy is \"%s\")",
			 cpu_keys[key].name, policy_names[policy], policy_names[p->cpu->policy]);
}

static uint64_t window_end(const struct cfg_window *w)
{
	return w->length_ns > UINT64_MAX - w->start_ns ? UINT64_MAX : w->start_ns + w->length_ns;
}

/* A cyclic CPU's windows: inside the frame, not overlapping. */
static void check_windows(struct parser *p)
{
	const struct cfg_cpu *c = p->cpu;
	char a[48], b[48], f[24];
	for (uint32_t i = 0; i < c->window_count; i++) {
		const struct cfg_window *w = &c->windows[i];
		uint64_t end = window_end(w);
		if (c->frame_pos.line && end > c->frame_ns) {
			cfg_format_duration(a, sizeof a, end);
			cfg_format_duration(f, sizeof f, c->frame_ns);
			error_at(p, w->pos.line, w->pos.column,
				 "window '%s' ends at %s, after the %s frame", w->partition, a, f);
		}
		for (uint32_t j = 0; j < i; j++) {
			const struct cfg_window *o = &c->windows[j];
			if (!overlaps(w->start_ns, end - w->start_ns, o->start_ns,
				      window_end(o) - o->start_ns))
				continue;
			cfg_format_span(a, sizeof a, w->start_ns, end);
			cfg_format_span(b, sizeof b, o->start_ns, window_end(o));
			error_at(p, w->pos.line, w->pos.column,
				 "window '%s' (%s) overlaps window '%s' (%s, line %d)", w->partition,
				 a, o->partition, b, o->pos.line);
			break;
		}
	}
}

static void validate_cpu(struct parser *p)
{
	const struct cfg_cpu *c = p->cpu;
	char who[16];
	if (!p->cpu_seen[C_ID].line)
		error_at(p, c->line, 1, "[[cpu]] has no 'id'; say which CPU it is like id = 0");
	if (!p->cpu_seen[C_POLICY].line)
		error_at(p, c->line, 1, "%s has no 'policy'; allowed: \"dedicated\", \"shared\" "
			 "or \"cyclic\"", cpu_who(c, who, sizeof who));
	if (!c->policy_pos.line)
		return; /* missing or wrong: which keys fit is not known */
	policy_only(p, C_SLICE, &c->slice_pos, CFG_SCHED_SHARED);
	policy_only(p, C_FRAME, &c->frame_pos, CFG_SCHED_CYCLIC);
	policy_only(p, C_WINDOWS, &c->windows_pos, CFG_SCHED_CYCLIC);
	if (c->policy != CFG_SCHED_CYCLIC)
		return;
	if (!p->cpu_seen[C_FRAME].line)
		error_at(p, c->line, 1, "%s (policy = \"cyclic\") has no 'frame'; give its major "
			 "frame like frame = \"10ms\"", cpu_who(c, who, sizeof who));
	if (!p->cpu_seen[C_WINDOWS].line)
		error_at(p, c->line, 1, "%s (policy = \"cyclic\") has no 'windows'; list them "
			 "like windows = [{ partition = \"a\", start = \"0ms\", length = \"2ms\" }]",
			 cpu_who(c, who, sizeof who));
	check_windows(p);
}

/* The current table ends (a header or the end of the file follows). */
static void end_table(struct parser *p)
{
	if (p->stop)
		return;
	if (p->section == SEC_PARTITION) {
		validate_partition(p);
		p->part_broken[p->part - p->cfg->partitions] = p->nerr > p->table_nerr;
	} else if (p->section == SEC_CPU) {
		validate_cpu(p);
		p->cpu_broken[p->cpu - p->cfg->cpu_tables] = p->nerr > p->table_nerr;
	}
}

static void start_cpu(struct parser *p, int line, int column)
{
	struct config *cfg = p->cfg;
	if (cfg->cpu_table_count == CFG_MACHINE_CPUS) {
		error_at(p, line, column, "too many [[cpu]] tables: at most %d (one per CPU)",
			 CFG_MACHINE_CPUS);
		p->section = SEC_IGNORE;
		return;
	}
	struct cfg_cpu *c = &cfg->cpu_tables[cfg->cpu_table_count++];
	c->line = line;
	c->id = UINT32_MAX; /* no CPU until `id` says (cfg_cpu_policy finds none) */
	c->slice_ns = CFG_SLICE_DEFAULT_NS;
	p->cpu = c;
	p->section = SEC_CPU;
	p->table_nerr = p->nerr;
	zero(p->cpu_seen, sizeof p->cpu_seen);
}

static void start_partition(struct parser *p, int line, int column)
{
	struct config *cfg = p->cfg;
	if (cfg->partition_count == CFG_MAX_PARTITIONS) {
		error_at(p, line, column, "too many partitions: at most %d are allowed",
			 CFG_MAX_PARTITIONS);
		p->section = SEC_IGNORE;
		return;
	}
	struct cfg_partition *pt = &cfg->partitions[cfg->partition_count++];
	pt->line = line;
	pt->format = CFG_FORMAT_RAW;
	str_copy(pt->console, "shared", sizeof pt->console);
	pt->on_reboot = CFG_REBOOT_RESTART;
	pt->weight = 100;
	pt->cap = 0;
	p->part = pt;
	p->section = SEC_PARTITION;
	p->table_nerr = p->nerr;
	zero(p->part_seen, sizeof p->part_seen);
}

/* [name] or [[name]]. */
static bool parse_header(struct parser *p)
{
	char what[16];
	struct key k;
	uint32_t off, len;
	char quote;
	int line = p->line, c0 = col(p);
	bool array = peek_at(p, 1) == '[';

	p->pos += array ? 2 : 1;
	skip_ws(p);
	if (!lex_key(p, &k, &off, &len, &quote, true))
		return false;
	if (peek(p) != ']' || (array && peek_at(p, 1) != ']')) {
		error_at(p, p->line, col(p), "expected '%s' to end the table header, found %s",
			 array ? "]]" : "]", describe(p, what, sizeof what));
		return false;
	}
	p->pos += array ? 2 : 1;
	end_table(p);
	if (str_eq(k.name, "partition")) {
		if (!array) {
			error_at(p, line, c0, "write [[partition]] (one table per partition), not "
				 "[partition]");
			p->section = SEC_IGNORE;
			return true;
		}
		start_partition(p, line, c0);
	} else if (str_eq(k.name, "cpu")) {
		if (!array) {
			error_at(p, line, c0, "write [[cpu]] (one table per CPU), not [cpu]");
			p->section = SEC_IGNORE;
			return true;
		}
		start_cpu(p, line, c0);
	} else if (str_eq(k.name, "global") && !array) {
		if (p->global_header_line) {
			error_at(p, line, c0, "duplicate table [global] (first at line %d)",
				 p->global_header_line);
			p->section = SEC_IGNORE;
			return true;
		}
		p->global_header_line = line;
		p->section = SEC_GLOBAL;
	} else {
		char shown[40];
		show(shown, sizeof shown, k.name, str_len(k.name));
		error_at(p, line, c0, "unknown table '%s%s%s'; allowed: [global], [[partition]], "
			 "[[cpu]]",
			 array ? "[[" : "[", shown, array ? "]]" : "]");
		p->section = SEC_IGNORE;
	}
	return true;
}

/* key = value */
static bool parse_keyval(struct parser *p)
{
	char what[16];
	struct key k;
	uint32_t off, len;
	char quote;

	if (!lex_key(p, &k, &off, &len, &quote, false))
		return false;
	if (peek(p) != '=') {
		error_at(p, p->line, col(p), "expected '=' after the key '%s', found %s", k.name,
			 describe(p, what, sizeof what));
		mark_seen(p, &k);
		return false;
	}
	p->pos++;
	skip_ws(p);
	if (at_eol(p) || peek(p) == '#') {
		error_at(p, p->line, col(p), "missing value after '%s ='", k.name);
		mark_seen(p, &k);
		return false;
	}
	p->nvals = 0;
	int v = parse_value(p, 0);
	if (v == NO_VAL) {
		mark_seen(p, &k);
		return false;
	}
	assign(p, &k, &p->vals[v]);
	return true;
}

/* Past a string's closing quote, or to the end of its line. */
static void skip_string(struct parser *p)
{
	int q = peek(p);
	p->pos++;
	while (!at_eol(p) && peek(p) != q)
		p->pos += peek(p) == '\\' && q == '"' && peek_at(p, 1) >= 0 &&
			  peek_at(p, 1) != '\n' && peek_at(p, 1) != '\r' ? 2 : 1;
	if (peek(p) == q)
		p->pos++;
}

/* After an error: go on at the next line. When the error was inside an
 * array or inline table, first skip to where its brackets close (or to a
 * table header, whichever comes first). */
static void recover(struct parser *p)
{
	int depth = p->open;
	if (p->resume_here)
		return;
	while (depth > 0 && peek(p) >= 0) {
		int c = peek(p);
		if (at_eol(p)) {
			next_line(p);
			if (looks_like_header(p))
				return;
		} else if (c == '#') {
			skip_comment(p);
		} else if (c == '"' || c == '\'') {
			skip_string(p);
		} else {
			depth += (c == '[' || c == '{') - (c == ']' || c == '}');
			p->pos++;
		}
	}
	next_line(p);
}

static void parse_lines(struct parser *p)
{
	char what[16];
	while (!p->stop && p->pos < p->len) {
		p->open = 0;
		p->resume_here = false;
		skip_ws(p);
		skip_comment(p);
		if (at_eol(p)) {
			next_line(p);
			continue;
		}
		bool header = peek(p) == '[';
		bool ok = header ? parse_header(p) : parse_keyval(p);
		if (ok) {
			skip_ws(p);
			skip_comment(p);
			if (!at_eol(p)) {
				error_at(p, p->line, col(p),
					 "unexpected %s after the %s; expected the end of the line "
					 "or a # comment", describe(p, what, sizeof what),
					 header ? "table header" : "value");
				ok = false;
			}
		}
		if (ok)
			next_line(p);
		else
			recover(p);
	}
	end_table(p);
}

/* ------------------------------------------------------------------------ */
/* Step 6: the [[cpu]] tables against the partitions, once the file is read. */

uint32_t cfg_cpu_vcpus(const struct config *cfg, uint32_t cpu)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < cfg->partition_count; i++)
		for (uint32_t k = 0; k < cfg->partitions[i].cpu_count; k++)
			n += cfg->partitions[i].cpus[k] == cpu;
	return n;
}

enum cfg_sched cfg_cpu_policy(const struct config *cfg, uint32_t cpu, const struct cfg_cpu **table)
{
	if (table)
		*table = NULL;
	for (uint32_t i = 0; i < cfg->cpu_table_count; i++)
		if (cfg->cpu_tables[i].id == cpu) {
			if (table)
				*table = &cfg->cpu_tables[i];
			return cfg->cpu_tables[i].policy;
		}
	return cfg_cpu_vcpus(cfg, cpu) <= 1 ? CFG_SCHED_DEDICATED : CFG_SCHED_SHARED;
}

/* A partition's vCPUs on `cpu` as "0", "0 and 1", "0, 1 and 3"; returns how many. */
static uint32_t vcpus_on(const struct cfg_partition *pt, uint32_t cpu, char *buf, size_t size,
			 uint32_t *first)
{
	uint32_t n = 0, total = 0;
	size_t o = 0;
	for (uint32_t k = 0; k < pt->cpu_count; k++)
		total += pt->cpus[k] == cpu;
	buf[0] = 0;
	for (uint32_t k = 0; k < pt->cpu_count; k++) {
		if (pt->cpus[k] != cpu)
			continue;
		if (!n)
			*first = k;
		n++;
		const char *sep = n == 1 ? "" : n == total ? " and " : ", ";
		int w = fmt_snprintf(buf + o, size - o, "%s%u", sep, k);
		if (w < 0 || (size_t)w >= size - o)
			break;
		o += (size_t)w;
	}
	return total;
}

/* "[0, 1, 3]" */
static void cpus_text(const struct cfg_partition *pt, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = 0;
	for (uint32_t k = 0; k <= pt->cpu_count; k++) {
		int w = k == pt->cpu_count ? fmt_snprintf(buf + o, size - o, "]")
			: fmt_snprintf(buf + o, size - o, "%s%u", k ? ", " : "[", pt->cpus[k]);
		if (w < 0 || (size_t)w >= size - o)
			return;
		o += (size_t)w;
	}
}

static int partition_named(const struct config *cfg, const char *name)
{
	for (uint32_t i = 0; i < cfg->partition_count; i++)
		if (str_eq(cfg->partitions[i].name, name))
			return (int)i;
	return -1;
}

/* A window's partition and vCPU: part_index and vcpu_index. */
static bool resolve_window(struct parser *p, const struct cfg_cpu *c, struct cfg_window *w)
{
	const struct config *cfg = p->cfg;
	char list[64], cpus[96];
	int pi = partition_named(cfg, w->partition);
	if (pi < 0) {
		if (partition_named(cfg, "") >= 0)
			return false; /* maybe the partition whose name is wrong: said already */
		error_at(p, w->pos.line, w->pos.column, "no partition named '%s'", w->partition);
		return false;
	}
	const struct cfg_partition *pt = &cfg->partitions[pi];
	if (p->part_broken[pi])
		return false;
	uint32_t first = 0, n = vcpus_on(pt, c->id, list, sizeof list, &first);
	if (!n) {
		cpus_text(pt, cpus, sizeof cpus);
		error_at(p, w->pos.line, w->pos.column,
			 "partition '%s' has no vcpu on cpu %u (its cpus = %s)", pt->name, c->id,
			 cpus);
		return false;
	}
	if (w->vcpu >= 0) {
		uint32_t v = (uint32_t)w->vcpu;
		if (v >= pt->cpu_count) {
			error_at(p, w->pos.line, w->pos.column,
				 "partition '%s' has no vcpu %u (it has %u: %s%u)", pt->name, v,
				 pt->cpu_count, pt->cpu_count > 1 ? "0-" : "", pt->cpu_count - 1);
			return false;
		}
		if (pt->cpus[v] != c->id) {
			error_at(p, w->pos.line, w->pos.column,
				 "partition '%s' vcpu %u is on cpu %u, not on cpu %u (its vcpus on "
				 "cpu %u: %s)", pt->name, v, pt->cpus[v], c->id, c->id, list);
			return false;
		}
		first = v;
	} else if (n > 1) {
		error_at(p, w->pos.line, w->pos.column,
			 "partition '%s' has vcpus %s on cpu %u: say which with vcpu = N", pt->name,
			 list, c->id);
		return false;
	}
	w->part_index = (uint32_t)pi;
	w->vcpu_index = first;
	return true;
}

/* A dedicated CPU runs one vCPU at most. */
static void check_dedicated(struct parser *p, const struct cfg_cpu *c)
{
	const struct config *cfg = p->cfg;
	uint32_t who[2], vcpu[2], n = 0;
	for (uint32_t i = 0; i < cfg->partition_count && n < 2; i++)
		for (uint32_t k = 0; k < cfg->partitions[i].cpu_count && n < 2; k++)
			if (cfg->partitions[i].cpus[k] == c->id) {
				who[n] = i;
				vcpu[n++] = k;
			}
	if (n < 2)
		return;
	const struct cfg_partition *a = &cfg->partitions[who[0]], *b = &cfg->partitions[who[1]];
	if (a == b)
		error_at(p, c->policy_pos.line, c->policy_pos.column,
			 "cpu %u is dedicated but is claimed twice by partition '%s' (line %d: vcpus "
			 "%u and %u); use policy = \"shared\" or \"cyclic\" to share it", c->id,
			 a->name, a->cpu_pos[vcpu[1]].line, vcpu[0], vcpu[1]);
	else
		error_at(p, c->policy_pos.line, c->policy_pos.column,
			 "cpu %u is dedicated but is claimed by partition '%s' (line %d) and "
			 "partition '%s' (line %d); use policy = \"shared\" or \"cyclic\" to share it",
			 c->id, a->name, a->cpu_pos[vcpu[0]].line, b->name, b->cpu_pos[vcpu[1]].line);
}

static void sort_windows(struct cfg_cpu *c)
{
	for (uint32_t i = 1; i < c->window_count; i++) {
		struct cfg_window w = c->windows[i];
		uint32_t j = i;
		for (; j > 0 && c->windows[j - 1].start_ns > w.start_ns; j--)
			c->windows[j] = c->windows[j - 1];
		c->windows[j] = w;
	}
}

static void resolve_cpus(struct parser *p)
{
	struct config *cfg = p->cfg;
	bool resolved[CFG_MACHINE_CPUS];
	const struct cfg_cpu *frame = NULL; /* the first cyclic CPU's */
	char f[24];

	for (uint32_t t = 0; t < cfg->cpu_table_count; t++) {
		struct cfg_cpu *c = &cfg->cpu_tables[t];
		resolved[t] = false;
		if (p->cpu_broken[t])
			continue;
		if (c->policy == CFG_SCHED_DEDICATED)
			check_dedicated(p, c);
		if (c->policy != CFG_SCHED_CYCLIC)
			continue;
		resolved[t] = true;
		for (uint32_t i = 0; i < c->window_count; i++)
			resolved[t] &= resolve_window(p, c, &c->windows[i]);
		if (!frame) {
			frame = c;
		} else if (c->frame_ns != frame->frame_ns) {
			cfg_format_duration(f, sizeof f, frame->frame_ns);
			char here[24];
			cfg_format_duration(here, sizeof here, c->frame_ns);
			error_at(p, c->frame_pos.line, c->frame_pos.column,
				 "every cyclic cpu needs the same frame: cpu %u has %s (line %d), "
				 "cpu %u has %s", frame->id, f, frame->frame_pos.line, c->id, here);
		}
	}
	/* Every vCPU on a cyclic CPU owns a window there. */
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct cfg_partition *pt = &cfg->partitions[i];
		if (p->part_broken[i])
			continue;
		for (uint32_t k = 0; k < pt->cpu_count; k++) {
			const struct cfg_cpu *c;
			if (cfg_cpu_policy(cfg, pt->cpus[k], &c) != CFG_SCHED_CYCLIC ||
			    !resolved[c - cfg->cpu_tables])
				continue;
			bool owns = false;
			for (uint32_t w = 0; w < c->window_count; w++)
				owns |= c->windows[w].part_index == i && c->windows[w].vcpu_index == k;
			if (!owns)
				error_at(p, pt->cpu_pos[k].line, pt->cpu_pos[k].column,
					 "partition '%s' vcpu %u is on cyclic cpu %u but owns no window "
					 "there", pt->name, k, c->id);
		}
	}
	for (uint32_t t = 0; t < cfg->cpu_table_count; t++)
		sort_windows(&cfg->cpu_tables[t]);
}

static void finish(struct parser *p)
{
	struct config *cfg = p->cfg;
	for (uint32_t i = 0; i < cfg->partition_count; i++)
		if (!p->fault_set[i])
			cfg->partitions[i].on_fault = cfg->default_on_fault;
	if (!p->stop)
		resolve_cpus(p);
}

int config_parse_all(const char *text, size_t len, const char *filename, struct config *out,
		     struct cfg_error *errs, int max)
{
	struct parser p;
	if (max < 1)
		return -1; /* nowhere to say what is wrong */
	zero(&p, sizeof p);
	zero(out, sizeof *out);
	zero(errs, sizeof *errs * (size_t)max);
	out->console_port = 0x3f8;
	out->log_level = 2;
	out->default_on_fault = CFG_FAULT_STOP;
	str_copy(out->file, filename ? filename : "", sizeof out->file);
	p.text = text;
	p.len = len;
	p.line = 1;
	p.file = filename ? filename : "";
	p.cfg = out;
	p.errs = errs;
	p.max_errs = max;
	p.section = SEC_GLOBAL;
	if (prescan(&p))
		parse_lines(&p);
	finish(&p);
	return p.nerr;
}

int config_parse(const char *text, size_t len, const char *filename, struct config *out,
		 struct cfg_error *err)
{
	return config_parse_all(text, len, filename, out, err, 1) ? -1 : 0;
}
