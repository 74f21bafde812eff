/* Port I/O: dispatched to the device model that claimed the port. Unclaimed
 * reads return all ones and writes are dropped, as on a PC bus with nothing
 * behind the port. String forms move guest memory one element at a time. */
#include <arch/exits.h>
#include <arch/guest_mem.h>
#include <arch/virt.h>
#include <kernel/guest.h>

#define RFLAGS_DF (1ull << 10)
#define STRING_BATCH 256 /* elements per exit; the instruction re-executes for more */

static int port_access(struct vcpu *v, uint16_t port, uint8_t size, bool in, uint32_t *value)
{
	const struct io_region *r = guest_io_find(v->guest, port);
	if (!r) {
		if (in)
			*value = 0xffffffffu;
		return 0;
	}
	return r->fn(v, r->ctx, port, size, in, value);
}

static void set_accumulator(struct vcpu *v, uint8_t size, uint32_t value)
{
	if (size == 4)
		v->regs.rax = value; /* 32-bit results zero-extend (SDM 3.4.1.1) */
	else if (size == 2)
		v->regs.rax = (v->regs.rax & ~0xffffull) | (value & 0xffff);
	else
		v->regs.rax = (v->regs.rax & ~0xffull) | (value & 0xff);
}

static uint64_t addr_mask(uint8_t addr_size)
{
	return addr_size == 8 ? ~0ull : (1ull << (addr_size * 8)) - 1;
}

/* INS writes ES:rDI, OUTS reads DS:rSI (segment bases are 0 in 64-bit mode
 * and in the flat protected-mode guests we run). */
static enum exit_result string_io(struct vcpu *v, const struct vm_exit *e)
{
	if (e->io.addr_size != 2 && e->io.addr_size != 4 && e->io.addr_size != 8) {
		vcpu_stop(v, e, "string I/O with an address size the hypervisor cannot tell");
		return EXIT_RESUME;
	}
	uint64_t mask = addr_mask(e->io.addr_size);
	uint64_t *ptr = e->io.in ? &v->regs.rdi : &v->regs.rsi;
	uint64_t count = e->io.rep ? v->regs.rcx & mask : 1;
	int64_t step = (virt->reg_read(v, VREG_RFLAGS) & RFLAGS_DF) ? -(int64_t)e->io.size : e->io.size;
	for (unsigned n = 0; count && n < STRING_BATCH; n++, count--) {
		uint32_t value = 0;
		uint64_t linear = *ptr & mask;
		if (!e->io.in && guest_read_linear(v, linear, &value, e->io.size))
			goto fault;
		if (port_access(v, e->io.port, e->io.size, e->io.in, &value))
			goto device;
		if (e->io.in && guest_write_linear(v, linear, &value, e->io.size))
			goto fault;
		*ptr = (*ptr & ~mask) | ((*ptr + (uint64_t)step) & mask);
	}
	if (e->io.rep)
		v->regs.rcx = (v->regs.rcx & ~mask) | count;
	return count ? EXIT_RESUME : EXIT_ADVANCE;
fault:
	vcpu_stop(v, e, "string I/O on guest memory it cannot access (outside its RAM, or read-only)");
	return EXIT_RESUME;
device:
	vcpu_stop(v, e, "device model failed on port 0x%x", e->io.port);
	return EXIT_RESUME;
}

enum exit_result exit_io(struct vcpu *v, const struct vm_exit *e)
{
	if (e->io.string)
		return string_io(v, e);
	uint32_t mask = e->io.size == 4 ? 0xffffffffu : (1u << (e->io.size * 8)) - 1;
	uint32_t value = (uint32_t)v->regs.rax & mask;
	if (port_access(v, e->io.port, e->io.size, e->io.in, &value)) {
		vcpu_stop(v, e, "device model failed on port 0x%x", e->io.port);
		return EXIT_RESUME;
	}
	if (e->io.in)
		set_accumulator(v, e->io.size, value & mask);
	return EXIT_ADVANCE;
}
