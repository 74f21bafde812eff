#include "guest.h"

#include "log.h"
#include "mem.h"
#include "string.h"
#include "time.h"

#define CONSOLE_BURST (16 * 1024)
#define CONSOLE_RATE  8192 /* bytes per second */

static uint64_t table_alloc(void *ctx)
{
	(void)ctx;
	return frames_alloc(1, PAGE_SIZE, 0);
}

static void table_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	frames_free(pa, 1);
}

static void *identity(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)pa;
}

int guest_create(struct guest *g, const char *name, uint64_t ram_size, const struct pt_format *fmt,
		 bool no_1g)
{
	return guest_create_at(g, name, 0, ram_size, fmt, no_1g);
}

int guest_create_at(struct guest *g, const char *name, uint64_t ram_gpa, uint64_t ram_size,
		    const struct pt_format *fmt, bool no_1g)
{
	struct pt_env env = { table_alloc, identity, NULL };
	memset(g, 0, sizeof *g);
	strlcpy(g->name, name, sizeof g->name);
	ram_size = (ram_size + PT_SIZE_2M - 1) & ~(PT_SIZE_2M - 1);
	g->ram_hpa = frames_alloc(ram_size / PAGE_SIZE, PT_SIZE_2M, 0);
	if (!g->ram_hpa) {
		log_err("tessera: guest %s: no %lu MiB of free memory", name, ram_size >> 20);
		return -1;
	}
	g->ram_size = ram_size;
	g->ram_gpa = ram_gpa;
	if (pt_init(&g->npt, fmt, &env) || (g->npt.no_1g = no_1g, false) ||
	    pt_map(&g->npt, ram_gpa, g->ram_hpa, ram_size, PT_READ | PT_WRITE | PT_EXEC)) {
		log_err("tessera: guest %s: out of memory for nested page tables", name);
		guest_destroy(g);
		return -1;
	}
	return 0;
}

void guest_destroy(struct guest *g)
{
	if (g->npt.root)
		pt_destroy(&g->npt, table_free);
	if (g->ram_hpa)
		frames_free(g->ram_hpa, g->ram_size / PAGE_SIZE);
	g->ram_hpa = 0;
	g->ram_size = 0;
}

int guest_protect(struct guest *g, uint64_t gpa, uint64_t size, unsigned flags)
{
	if (!guest_ram_ptr(g, gpa, size))
		return -1;
	if (!(flags & PT_WRITE)) {
		if (g->ro_count == sizeof g->ro / sizeof g->ro[0])
			return -1;
		g->ro[g->ro_count].gpa = gpa;
		g->ro[g->ro_count++].size = size;
	}
	return pt_map(&g->npt, gpa, g->ram_hpa + (gpa - g->ram_gpa), size, flags);
}

int guest_io_register(struct guest *g, uint16_t base, uint16_t count, io_handler_fn fn, void *ctx)
{
	if (g->io_count == GUEST_MAX_IO)
		return -1;
	g->io[g->io_count++] = (struct io_region){ base, count, fn, ctx };
	return 0;
}

int guest_mmio_register(struct guest *g, uint64_t base, uint64_t size, mmio_handler_fn fn, void *ctx)
{
	if (g->mmio_count == GUEST_MAX_MMIO ||
	    (base < g->ram_gpa + g->ram_size && base + size > g->ram_gpa))
		return -1; /* MMIO never overlays RAM: RAM accesses would not exit */
	g->mmio[g->mmio_count++] = (struct mmio_region){ base, size, fn, ctx };
	return 0;
}

const struct io_region *guest_io_find(const struct guest *g, uint16_t port)
{
	for (unsigned i = 0; i < g->io_count; i++)
		if (port >= g->io[i].base && port - g->io[i].base < g->io[i].count)
			return &g->io[i];
	return NULL;
}

const struct mmio_region *guest_mmio_find(const struct guest *g, uint64_t gpa)
{
	for (unsigned i = 0; i < g->mmio_count; i++)
		if (gpa >= g->mmio[i].base && gpa - g->mmio[i].base < g->mmio[i].size)
			return &g->mmio[i];
	return NULL;
}

void *guest_ram_ptr(const struct guest *g, uint64_t gpa, uint64_t len)
{
	if (gpa < g->ram_gpa || gpa - g->ram_gpa >= g->ram_size || len > g->ram_size - (gpa - g->ram_gpa))
		return NULL;
	return (void *)(g->ram_hpa + (gpa - g->ram_gpa));
}

bool guest_console_budget(struct guest *g, uint64_t len)
{
	uint64_t now = time_ns();
	bool ok;
	spin_lock(&g->console_lock);
	if (!g->console_refill_ns) {
		g->console_refill_ns = now;
		g->console_tokens = CONSOLE_BURST;
	}
	uint64_t earned = (now - g->console_refill_ns) / 1000 * CONSOLE_RATE / 1000000;
	if (earned) {
		g->console_tokens = g->console_tokens + earned > CONSOLE_BURST ? CONSOLE_BURST
									: g->console_tokens + earned;
		g->console_refill_ns = now;
	}
	ok = len <= g->console_tokens;
	if (ok)
		g->console_tokens -= len;
	bool first_drop = !ok && !g->console_dropped++;
	spin_unlock(&g->console_lock);
	if (first_drop)
		log_warn("tessera: guest %s: console output throttled", g->name);
	return ok;
}

void *guest_ram_ptr_writable(const struct guest *g, uint64_t gpa, uint64_t len)
{
	void *p = guest_ram_ptr(g, gpa, len);
	for (unsigned i = 0; p && i < g->ro_count; i++)
		if (gpa < g->ro[i].gpa + g->ro[i].size && gpa + len > g->ro[i].gpa)
			return NULL;
	return p;
}
