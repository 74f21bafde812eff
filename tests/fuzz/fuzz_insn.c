/*
 * libFuzzer target for arch/x86/insn_decode.c and insn_alu.c (built and run
 * by tests/fuzz/run.sh with ASan + UBSan).
 *
 * Every input is decoded in all three modes, from exactly-sized heap copies
 * so ASan flags any read past len, and every prefix of it is decoded too:
 *  - a success has sane fields and length <= min(len, 15);
 *  - decoding is deterministic;
 *  - results are monotonic in the buffer: a success of length L means -2 for
 *    every shorter prefix and the same success for every longer one; a -1
 *    stays -1 as bytes are added; -2 never happens at 15 bytes or more.
 * insn_alu runs on values taken from the input; its result and flags must be
 * self-consistent (ZF/SF/PF describe the result, other RFLAGS bits kept).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../arch/x86/include/arch/insn.h"

#define REQUIRE(cond)                                                            \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "fuzz_insn: invariant failed at line %d: %s\n", \
				__LINE__, #cond);                                \
			abort();                                                 \
		}                                                                \
	} while (0)

static uint64_t mask_of(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static int decode_exact(const uint8_t *data, size_t n, enum insn_mode mode, struct insn *out)
{
	uint8_t *copy = malloc(n);   /* malloc(0) is a distinct 0-byte block under ASan */
	if (!copy)
		abort();
	if (n)
		memcpy(copy, data, n);
	memset(out, 0xa5, sizeof *out);
	int r = insn_decode(copy, n, mode, out);
	free(copy);
	return r;
}

static int same(const struct insn *a, const struct insn *b)
{
	return a->length == b->length && a->op == b->op && a->mem_size == b->mem_size &&
	       a->mem_read == b->mem_read && a->mem_write == b->mem_write &&
	       a->mem_is_dest == b->mem_is_dest && a->reg == b->reg && a->reg_high8 == b->reg_high8 &&
	       a->reg_size == b->reg_size && a->has_imm == b->has_imm && a->imm == b->imm &&
	       a->rep == b->rep && a->lock == b->lock && a->addr_size == b->addr_size &&
	       a->seg_override == b->seg_override;
}

static int valid_size(unsigned s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static void check_fields(const struct insn *d, size_t n, enum insn_mode mode)
{
	REQUIRE(d->length >= 1 && d->length <= INSN_MAX_LEN && d->length <= n);
	REQUIRE((unsigned)d->op <= INSN_MOVS);
	REQUIRE(valid_size(d->mem_size));
	REQUIRE(d->mem_read || d->mem_write);
	REQUIRE(!d->mem_write || d->mem_is_dest);
	REQUIRE(d->reg >= -1 && d->reg <= 15);
	REQUIRE((d->reg < 0) == (d->reg_size == 0));
	REQUIRE(d->reg < 0 || valid_size(d->reg_size));
	REQUIRE(!d->reg_high8 || (d->reg >= 0 && d->reg <= 3 && d->reg_size == 1));
	REQUIRE(d->has_imm || d->imm == 0);
	REQUIRE(d->imm <= mask_of(d->mem_size));
	REQUIRE(!d->rep || d->op == INSN_STOS || d->op == INSN_MOVS);
	REQUIRE(!d->lock || (d->mem_write && d->op >= INSN_AND && d->op <= INSN_SUB));
	REQUIRE(d->seg_override >= -1 && d->seg_override <= INSN_SEG_GS);
	REQUIRE(mode == INSN_MODE_64 ? (d->addr_size == 4 || d->addr_size == 8)
				     : (d->addr_size == 2 || d->addr_size == 4));
	if (mode != INSN_MODE_64)
		REQUIRE(d->mem_size < 8 && d->reg_size < 8 && d->reg < 8);
}

static void fuzz_decode(const uint8_t *data, size_t size, enum insn_mode mode)
{
	struct insn full, again, part;
	int r = decode_exact(data, size, mode, &full);

	REQUIRE(r == 0 || r == -1 || r == -2);
	REQUIRE(r != -2 || size < INSN_MAX_LEN);
	if (r == 0)
		check_fields(&full, size, mode);
	REQUIRE(decode_exact(data, size, mode, &again) == r);
	if (r == 0)
		REQUIRE(same(&full, &again));

	/* Monotonic in the buffer length. */
	int prev = -2;
	for (size_t k = 0; k < size; k++) {
		int rk = decode_exact(data, k, mode, &part);
		if (r == 0) {
			REQUIRE(rk == (k < full.length ? -2 : 0));
			if (rk == 0)
				REQUIRE(same(&part, &full));
		} else if (r == -2) {
			REQUIRE(rk == -2);
		} else {
			REQUIRE(rk == -1 || rk == -2);
			REQUIRE(prev != -1 || rk == -1);
		}
		prev = rk;
	}
}

static int parity_even(uint64_t v)
{
	return !__builtin_parity((unsigned)(v & 0xff));
}

static void fuzz_alu(const uint8_t *data, size_t size)
{
	uint64_t dst, src, flags;

	if (size < 26)
		return;
	enum insn_op op = (enum insn_op)(data[0] % (INSN_MOVS + 1));
	uint8_t sz = data[1] & 0x0f;  /* includes invalid sizes */
	memcpy(&dst, data + 2, 8);
	memcpy(&src, data + 10, 8);
	memcpy(&flags, data + 18, 8);

	uint64_t f = flags;
	uint64_t res = insn_alu(op, sz, dst, src, &f);
	if (!valid_size(sz)) {
		REQUIRE(res == 0 && f == flags);
		return;
	}
	uint64_t m = mask_of(sz);
	REQUIRE(res <= m);
	int alu = op >= INSN_AND && op <= INSN_CMP;
	if (!alu) {
		REQUIRE(f == flags && res == (src & m));
		return;
	}
	REQUIRE((f & ~INSN_RFLAGS_ARITH) == (flags & ~INSN_RFLAGS_ARITH));
	REQUIRE(!!(f & INSN_RFLAGS_ZF) == (res == 0));
	REQUIRE(!!(f & INSN_RFLAGS_SF) == !!(res >> (8 * sz - 1)));
	REQUIRE(!!(f & INSN_RFLAGS_PF) == parity_even(res));

	/* cmp is sub without the write, test is and without it */
	uint64_t f2 = flags;
	if (op == INSN_CMP || op == INSN_SUB) {
		REQUIRE(insn_alu(op == INSN_CMP ? INSN_SUB : INSN_CMP, sz, dst, src, &f2) == res && f2 == f);
		REQUIRE(((res + src) & m) == (dst & m));                     /* sub undone by add */
		REQUIRE(!!(f & INSN_RFLAGS_CF) == ((dst & m) < (src & m)));
	} else if (op == INSN_TEST || op == INSN_AND) {
		REQUIRE(insn_alu(op == INSN_TEST ? INSN_AND : INSN_TEST, sz, dst, src, &f2) == res && f2 == f);
	} else if (op == INSN_ADD) {
		REQUIRE(!!(f & INSN_RFLAGS_CF) == (res < (dst & m)));
	}
	if (op == INSN_AND || op == INSN_OR || op == INSN_XOR || op == INSN_TEST)
		REQUIRE(!(f & (INSN_RFLAGS_CF | INSN_RFLAGS_OF)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(data, size, INSN_MODE_16);
	fuzz_decode(data, size, INSN_MODE_32);
	fuzz_decode(data, size, INSN_MODE_64);
	fuzz_alu(data, size);
	return 0;
}
