/*
 * ALU for emulating the read-modify-write, test and cmp forms that
 * insn_decode() reports: the result and the arithmetic flags exactly as the
 * CPU computes them (SDM Vol. 1 3.4.3.1 status flags; Vol. 2A/2B "Flags
 * Affected" of ADD, SUB, CMP, AND, OR, XOR, TEST).
 */
#include "include/arch/insn.h"

static uint64_t size_mask(uint8_t size)
{
	return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* PF: set when the low byte of the result has an even number of 1 bits. */
static bool parity_even(uint64_t v)
{
	uint8_t b = (uint8_t)v;

	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

uint64_t insn_alu(enum insn_op op, uint8_t size, uint64_t dst, uint64_t src, uint64_t *rflags)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return 0;

	const uint64_t mask = size_mask(size);
	const uint64_t sign = 1ull << (8 * size - 1);
	uint64_t res, f = 0;

	dst &= mask;
	src &= mask;
	switch (op) {
	case INSN_ADD:
		res = (dst + src) & mask;
		if (res < dst)                             /* unsigned carry out */
			f |= INSN_RFLAGS_CF;
		if ((dst ^ res) & (src ^ res) & sign)      /* both inputs differ in sign from result */
			f |= INSN_RFLAGS_OF;
		break;
	case INSN_SUB:
	case INSN_CMP:
		res = (dst - src) & mask;
		if (dst < src)                             /* unsigned borrow */
			f |= INSN_RFLAGS_CF;
		if ((dst ^ src) & (dst ^ res) & sign)      /* operands differ in sign, result took src's */
			f |= INSN_RFLAGS_OF;
		break;
	case INSN_AND:
	case INSN_TEST:
		res = dst & src;                           /* CF = OF = 0, AF undefined: 0 */
		break;
	case INSN_OR:
		res = dst | src;
		break;
	case INSN_XOR:
		res = dst ^ src;
		break;
	default:
		return src;                                /* not an ALU op: flags untouched */
	}

	if (op == INSN_ADD || op == INSN_SUB || op == INSN_CMP) {
		if ((dst ^ src ^ res) & 0x10)              /* carry/borrow out of bit 3 */
			f |= INSN_RFLAGS_AF;
	}
	if (res == 0)
		f |= INSN_RFLAGS_ZF;
	if (res & sign)
		f |= INSN_RFLAGS_SF;
	if (parity_even(res))
		f |= INSN_RFLAGS_PF;
	*rflags = (*rflags & ~INSN_RFLAGS_ARITH) | f;
	return res;
}
