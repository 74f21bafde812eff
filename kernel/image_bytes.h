/*
 * Little-endian field access and overflow-checked arithmetic for the guest
 * image loaders (linux_boot.c, multiboot_boot.c). They read untrusted files
 * and write only inside the partition's RAM buffer, without libc (so the
 * host unit tests link them alone).
 */
#ifndef KERNEL_IMAGE_BYTES_H
#define KERNEL_IMAGE_BYTES_H

#include <stdbool.h>
#include <stdint.h>

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static inline void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void wr64(uint8_t *p, uint64_t v) { wr32(p, (uint32_t)v); wr32(p + 4, (uint32_t)(v >> 32)); }

static inline void copy_bytes(uint8_t *dst, const uint8_t *src, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		dst[i] = src[i];
}

static inline void zero_bytes(uint8_t *dst, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		dst[i] = 0;
}

/* Round up to a power-of-two alignment; false on overflow. */
static inline bool align_up(uint64_t x, uint64_t a, uint64_t *out)
{
	if (x > UINT64_MAX - (a - 1))
		return false;
	*out = (x + a - 1) & ~(a - 1);
	return true;
}

/* base + size, or UINT64_MAX where that would wrap. */
static inline uint64_t sat_end(uint64_t base, uint64_t size)
{
	return size > UINT64_MAX - base ? UINT64_MAX : base + size;
}

/* Loader failure: *why (if asked for) says what is wrong. */
static inline int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -1;
}

#endif
