/*
 * The partition plan: a parsed configuration (kernel/config.c) checked against
 * the machine it is to run on, and printed as a table. Freestanding.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "format.h"

struct checker {
	const struct config *cfg;
	const struct cfg_machine *m;
	struct cfg_error *errs;
	int max, count;
};

#define report(c, at, ...)                                                              \
	do {                                                                            \
		if ((c)->count < (c)->max)                                              \
			cfg_error_set(&(c)->errs[(c)->count++], (c)->cfg->file, (at).line, \
				      (at).column, __VA_ARGS__);                        \
	} while (0)

static bool same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static size_t length(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static struct cfg_pos pos_or_header(struct cfg_pos at, const struct cfg_partition *pt)
{
	return at.line ? at : (struct cfg_pos){ pt->line, 1 };
}

static void check_nonempty(struct checker *c)
{
	if (!c->cfg->partition_count)
		report(c, ((struct cfg_pos){ 0, 0 }), "no [[partition]] in %s", c->cfg->file);
}

/* "0-3", "0", or "none" */
static void cpu_range(char *buf, size_t size, uint32_t count)
{
	if (!count)
		fmt_snprintf(buf, size, "none");
	else if (count == 1)
		fmt_snprintf(buf, size, "0");
	else
		fmt_snprintf(buf, size, "0-%u", count - 1);
}

static void check_cpu_exists(struct checker *c, uint32_t cpu, struct cfg_pos at)
{
	char range[24];
	if (cpu < c->m->cpu_count)
		return;
	cpu_range(range, sizeof range, c->m->cpu_count);
	report(c, at, "cpu %u does not exist (this machine has %u: %s)", cpu, c->m->cpu_count,
	       range);
}

/* A CPU's run queue holds CFG_MAX_CPU_VCPUS vCPUs: the one placed beyond
 * that is the error. */
static void check_cpu_load(struct checker *c)
{
	const struct config *cfg = c->cfg;
	uint32_t load[CFG_MACHINE_CPUS] = { 0 };
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct cfg_partition *pt = &cfg->partitions[i];
		for (uint32_t k = 0; k < pt->cpu_count; k++) {
			uint32_t cpu = pt->cpus[k];
			if (cpu < CFG_MACHINE_CPUS && ++load[cpu] == CFG_MAX_CPU_VCPUS + 1)
				report(c, pos_or_header(pt->cpu_pos[k], pt),
				       "cpu %u would run more than %u vcpus", cpu, CFG_MAX_CPU_VCPUS);
		}
	}
}

/* Every CPU a partition names, and every [[cpu]] table's, exists. (CPUs may
 * be shared: how is the [[cpu]] tables' business, checked by the parser.) */
static void check_cpus(struct checker *c)
{
	const struct config *cfg = c->cfg;
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct cfg_partition *pt = &cfg->partitions[i];
		for (uint32_t k = 0; k < pt->cpu_count; k++)
			check_cpu_exists(c, pt->cpus[k], pos_or_header(pt->cpu_pos[k], pt));
	}
	check_cpu_load(c);
	for (uint32_t t = 0; t < cfg->cpu_table_count; t++) {
		const struct cfg_cpu *ct = &cfg->cpu_tables[t];
		check_cpu_exists(c, ct->id, ct->id_pos.line ? ct->id_pos
				 : (struct cfg_pos){ ct->line, 1 });
	}
}

static void check_names(struct checker *c)
{
	const struct config *cfg = c->cfg;
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct cfg_partition *pt = &cfg->partitions[i];
		for (uint32_t j = 0; j < i; j++)
			if (same(pt->name, cfg->partitions[j].name)) {
				report(c, pos_or_header(pt->name_pos, pt),
				       "partition name '%s' is already used by the partition at "
				       "line %d", pt->name, cfg->partitions[j].line);
				break;
			}
	}
}

/* The partitions' RAM fits in the machine's (when it is known). */
static void check_memory(struct checker *c)
{
	const struct config *cfg = c->cfg;
	uint64_t total = 0;
	if (!c->m->memory)
		return;
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct cfg_partition *pt = &cfg->partitions[i];
		total += pt->memory;
		if (total > c->m->memory) {
			char need[24], have[24], over[24];
			uint64_t sum = total;
			for (uint32_t j = i + 1; j < cfg->partition_count; j++)
				sum += cfg->partitions[j].memory;
			cfg_format_size(need, sizeof need, sum);
			cfg_format_size(have, sizeof have, c->m->memory);
			cfg_format_size(over, sizeof over, sum - c->m->memory);
			report(c, pos_or_header(pt->memory_pos, pt),
			       "memory overcommitted: the partitions need %s in total but the "
			       "machine has %s (%s too much; partition '%s' is the first that does "
			       "not fit)", need, have, over, pt->name);
			return;
		}
	}
}

static void check_file(struct checker *c, const struct cfg_partition *pt, const char *what,
		       const char *path, struct cfg_pos at)
{
	if (path[0] && !c->m->file_exists(c->m->ctx, path))
		report(c, pos_or_header(at, pt), "%s '%s' not found next to %s", what, path,
		       c->cfg->file);
}

static void check_files(struct checker *c)
{
	const struct config *cfg = c->cfg;
	if (!c->m->file_exists)
		return;
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct cfg_partition *pt = &cfg->partitions[i];
		check_file(c, pt, "image", pt->image, pt->image_pos);
		check_file(c, pt, "initrd", pt->initrd, pt->initrd_pos);
		for (uint32_t k = 0; k < pt->module_count; k++)
			check_file(c, pt, "module", pt->modules[k], pt->module_pos[k]);
	}
}

/* Partitions that name the same mem_shared region must agree on its size. */
static void check_shared(struct checker *c)
{
	const struct config *cfg = c->cfg;
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct cfg_partition *pt = &cfg->partitions[i];
		for (uint32_t k = 0; k < pt->shared_count; k++) {
			const struct cfg_shared *s = &pt->shared[k];
			for (uint32_t j = 0; j < i; j++) {
				const struct cfg_partition *o = &cfg->partitions[j];
				for (uint32_t l = 0; l < o->shared_count; l++) {
					if (!same(o->shared[l].name, s->name) ||
					    o->shared[l].size == s->size)
						continue;
					char a[24], b[24];
					cfg_format_size(a, sizeof a, s->size);
					cfg_format_size(b, sizeof b, o->shared[l].size);
					report(c, pos_or_header(pt->shared_pos[k], pt),
					       "mem_shared '%s' is %s here but %s in partition "
					       "'%s' (line %d); shared regions must have one size",
					       s->name, a, b, o->name, o->line);
				}
			}
		}
	}
}

/* A partition's own UART is its alone: not the hypervisor's log port, not
 * another partition's. */
static void check_consoles(struct checker *c)
{
	for (uint32_t i = 0; i < c->cfg->partition_count; i++) {
		const struct cfg_partition *pt = &c->cfg->partitions[i];
		if (!pt->console_port)
			continue;
		if (pt->console_port == c->cfg->console_port)
			report(c, pos_or_header(pt->console_pos, pt),
			       "partition '%s': console %s is the hypervisor's log port (global console)",
			       pt->name, pt->console);
		for (uint32_t j = 0; j < i; j++)
			if (c->cfg->partitions[j].console_port == pt->console_port)
				report(c, pos_or_header(pt->console_pos, pt),
				       "partition '%s': console %s is already partition '%s''s",
				       pt->name, pt->console, c->cfg->partitions[j].name);
	}
}

int config_check_plan_all(const struct config *cfg, const struct cfg_machine *m,
			  struct cfg_error *errs, int max)
{
	struct checker c = { cfg, m, errs, max, 0 };
	check_nonempty(&c);
	check_names(&c);
	check_cpus(&c);
	check_memory(&c);
	check_shared(&c);
	check_consoles(&c);
	check_files(&c);
	return c.count;
}

int config_check_plan(const struct config *cfg, const struct cfg_machine *m, struct cfg_error *err)
{
	return config_check_plan_all(cfg, m, err, 1) ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* The plan as a table.                                                      */

enum { COL_NAME, COL_CPUS, COL_MEMORY, COL_FORMAT, COL_IMAGE, COL_FAULT, COLS };

static const char *const headers[COLS] = {
	"partition", "cpus", "memory", "format", "image", "on_fault",
};

/* "0-3,6,8-9" in index order as listed. */
static void cpu_list(char *buf, size_t size, const struct cfg_partition *pt)
{
	size_t o = 0;
	buf[0] = 0;
	for (uint32_t i = 0; i < pt->cpu_count && o < size;) {
		uint32_t j = i;
		while (j + 1 < pt->cpu_count && pt->cpus[j + 1] == pt->cpus[j] + 1)
			j++;
		int n = j > i ? fmt_snprintf(buf + o, size - o, "%s%u-%u", o ? "," : "",
					     pt->cpus[i], pt->cpus[j])
			      : fmt_snprintf(buf + o, size - o, "%s%u", o ? "," : "", pt->cpus[i]);
		o += (size_t)n;
		i = j + 1;
	}
}

static const char *format_text(enum cfg_format f)
{
	return f == CFG_FORMAT_LINUX ? "linux" : f == CFG_FORMAT_MULTIBOOT ? "multiboot" : "raw";
}

static const char *fault_text(enum cfg_on_fault f)
{
	return f == CFG_FAULT_RESTART ? "restart" : f == CFG_FAULT_HALT_SYSTEM ? "halt-system"
		: "stop";
}

struct row {
	char name[CFG_NAME_MAX];
	char cpus[96];
	char memory[24];
	const char *cell[COLS];
};

static void fill_row(struct row *r, const struct cfg_partition *pt)
{
	cpu_list(r->cpus, sizeof r->cpus, pt);
	cfg_format_size(r->memory, sizeof r->memory, pt->memory);
	r->cell[COL_NAME] = pt->name;
	r->cell[COL_CPUS] = r->cpus;
	r->cell[COL_MEMORY] = r->memory;
	r->cell[COL_FORMAT] = format_text(pt->format);
	r->cell[COL_IMAGE] = pt->image;
	r->cell[COL_FAULT] = fault_text(pt->on_fault);
}

/* One table line: columns padded to width[], memory right-aligned, no
 * trailing blanks. */
static void print_row(const char *const *cell, const int *width,
		      void (*line)(void *ctx, const char *text), void *ctx)
{
	char buf[320];
	size_t o = 0;
	for (int i = 0; i < COLS && o < sizeof buf; i++) {
		const char *sep = i ? "  " : "";
		int n = i == COLS - 1 ? fmt_snprintf(buf + o, sizeof buf - o, "%s%s", sep, cell[i])
			: i == COL_MEMORY ? fmt_snprintf(buf + o, sizeof buf - o, "%s%*s", sep,
							 width[i], cell[i])
			: fmt_snprintf(buf + o, sizeof buf - o, "%s%-*s", sep, width[i], cell[i]);
		o += (size_t)n;
	}
	line(ctx, buf);
}

/* ------------------------------------------------------------------------ */
/* The CPUs' scheduling, one line each after the table.                      */

#define CPU_LINE_WRAP 120  /* longer lines go on in continuation lines */

struct cpu_line {
	char buf[320];
	size_t len, head;           /* head: length of "cpu N: policy: " */
	int items;                  /* on this line */
	void (*line)(void *ctx, const char *text);
	void *ctx;
};

static void cpu_line_start(struct cpu_line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void cpu_line_start(struct cpu_line *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(l->buf, sizeof l->buf, fmt, ap);
	va_end(ap);
	l->len = n < 0 ? 0 : (size_t)n < sizeof l->buf ? (size_t)n : sizeof l->buf - 1;
	l->head = l->len;
	l->items = 0;
}

/* One item, ", "-separated; a new line when this one is full. */
static void cpu_line_item(struct cpu_line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void cpu_line_item(struct cpu_line *l, const char *fmt, ...)
{
	char item[160];
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(item, sizeof item, fmt, ap);
	va_end(ap);
	if (l->items && l->len + 2 + length(item) > CPU_LINE_WRAP) {
		l->buf[l->len++] = ','; /* room: a line holds at most head + 2 + one item */
		l->buf[l->len] = 0;
		l->line(l->ctx, l->buf);
		l->len = (size_t)fmt_snprintf(l->buf, sizeof l->buf, "%*s", (int)l->head, "");
		l->items = 0;
	}
	int n = fmt_snprintf(l->buf + l->len, sizeof l->buf - l->len, "%s%s",
			     l->items ? ", " : "", item);
	if (n > 0)
		l->len += (size_t)n < sizeof l->buf - l->len ? (size_t)n : sizeof l->buf - l->len - 1;
	l->items++;
}

static void cpu_line_end(struct cpu_line *l)
{
	if (!l->items)
		fmt_snprintf(l->buf + l->len, sizeof l->buf - l->len, "idle");
	l->line(l->ctx, l->buf);
}

static void print_cpu(const struct config *cfg, uint32_t cpu, struct cpu_line *l)
{
	const struct cfg_cpu *t;
	char a[48];
	enum cfg_sched policy = cfg_cpu_policy(cfg, cpu, &t);
	if (policy == CFG_SCHED_CYCLIC && t) {
		cfg_format_duration(a, sizeof a, t->frame_ns);
		cpu_line_start(l, "cpu %u: cyclic, frame %s: ", cpu, a);
		for (uint32_t i = 0; i < t->window_count; i++) {
			const struct cfg_window *w = &t->windows[i];
			cfg_format_span(a, sizeof a, w->start_ns, w->start_ns + w->length_ns);
			cpu_line_item(l, "%s %s/%u", a, w->partition, w->vcpu_index);
		}
		cpu_line_end(l);
		return;
	}
	if (policy == CFG_SCHED_SHARED) {
		cfg_format_duration(a, sizeof a, t ? t->slice_ns : CFG_SLICE_DEFAULT_NS);
		cpu_line_start(l, "cpu %u: shared (slice %s): ", cpu, a);
	} else {
		cpu_line_start(l, "cpu %u: dedicated: ", cpu);
	}
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct cfg_partition *pt = &cfg->partitions[i];
		for (uint32_t k = 0; k < pt->cpu_count; k++) {
			if (pt->cpus[k] != cpu)
				continue;
			if (policy != CFG_SCHED_SHARED)
				cpu_line_item(l, "%s/%u", pt->name, k);
			else if (pt->cap)
				cpu_line_item(l, "%s/%u (weight %u, cap %u%%)", pt->name, k, pt->weight,
					      pt->cap);
			else
				cpu_line_item(l, "%s/%u (weight %u)", pt->name, k, pt->weight);
		}
	}
	cpu_line_end(l);
}

/* Is `cpu` listed by a partition before vCPU k of partition p? */
static bool listed_before(const struct config *cfg, uint32_t p, uint32_t k, uint32_t cpu)
{
	for (uint32_t i = 0; i <= p; i++)
		for (uint32_t j = 0; j < (i < p ? cfg->partitions[i].cpu_count : k); j++)
			if (cfg->partitions[i].cpus[j] == cpu)
				return true;
	return false;
}

void config_print_plan(const struct config *cfg, void (*line)(void *ctx, const char *text), void *ctx)
{
	int width[COLS];
	struct row r;
	uint32_t cpus = 0, physical = 0;
	uint64_t memory = 0;
	char text[160], total[24];
	struct cpu_line cl = { .line = line, .ctx = ctx };

	for (int i = 0; i < COLS; i++)
		width[i] = (int)length(headers[i]);
	for (uint32_t p = 0; p < cfg->partition_count; p++) {
		fill_row(&r, &cfg->partitions[p]);
		for (int i = 0; i < COLS; i++)
			if ((int)length(r.cell[i]) > width[i])
				width[i] = (int)length(r.cell[i]);
	}
	print_row(headers, width, line, ctx);
	for (uint32_t p = 0; p < cfg->partition_count; p++) {
		fill_row(&r, &cfg->partitions[p]);
		print_row(r.cell, width, line, ctx);
		cpus += cfg->partitions[p].cpu_count;
		memory += cfg->partitions[p].memory;
		for (uint32_t k = 0; k < cfg->partitions[p].cpu_count; k++)
			physical += !listed_before(cfg, p, k, cfg->partitions[p].cpus[k]);
	}
	cfg_format_size(total, sizeof total, memory);
	if (physical == cpus)
		fmt_snprintf(text, sizeof text, "total: %u partition%s, %u cpu%s, %s memory",
			     cfg->partition_count, cfg->partition_count == 1 ? "" : "s", cpus,
			     cpus == 1 ? "" : "s", total);
	else
		fmt_snprintf(text, sizeof text, "total: %u partition%s, %u vcpus on %u cpu%s, %s memory",
			     cfg->partition_count, cfg->partition_count == 1 ? "" : "s", cpus,
			     physical, physical == 1 ? "" : "s", total);
	line(ctx, text);
	for (uint32_t cpu = 0; cpu < CFG_MACHINE_CPUS; cpu++) {
		const struct cfg_cpu *t;
		cfg_cpu_policy(cfg, cpu, &t);
		if (t || cfg_cpu_vcpus(cfg, cpu))
			print_cpu(cfg, cpu, &cl);
	}
}
