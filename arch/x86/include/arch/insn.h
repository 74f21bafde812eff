/*
 * x86 instruction decoder for MMIO emulation (Intel SDM Vol. 2A chapter 2,
 * Vol. 2D appendix A), and the ALU used to emulate read-modify-write forms.
 *
 * After a nested page fault on an MMIO address the hypervisor fetches up to
 * 15 bytes at the guest RIP and asks insn_decode() what the instruction does
 * with its memory operand. Only the forms a guest uses against device
 * registers are known; everything else is refused rather than guessed at.
 * No effective address is computed: the hardware already reported it.
 *
 * Pure code: no libc, no global state, safe on any CPU at any time.
 */
#ifndef ARCH_INSN_H
#define ARCH_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Default operand/address size from the guest's CS.D and CS.L (SDM Vol. 1 3.6). */
enum insn_mode { INSN_MODE_16, INSN_MODE_32, INSN_MODE_64 };

enum insn_op {
	INSN_MOV, INSN_MOVZX, INSN_MOVSX,
	INSN_AND, INSN_OR, INSN_XOR, INSN_ADD, INSN_SUB, INSN_TEST, INSN_CMP,
	INSN_STOS, INSN_MOVS,
};

/* Segment numbers used by seg_override: the sreg field encoding (SDM Vol. 2D B.1.4.3). */
enum insn_seg { INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS, INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS };

struct insn {
	uint8_t length;        /* bytes consumed, 1..15 */
	enum insn_op op;
	uint8_t mem_size;      /* bytes of the memory operand: 1, 2, 4, 8 */
	bool mem_read;         /* memory operand is read (mov load, alu, test, cmp, movs source) */
	bool mem_write;        /* memory operand is written (mov store, and/or/xor/add/sub to mem, stos, movs dest) */
	/*
	 * Memory is the instruction's first (destination) operand: mov store,
	 * alu/test/cmp with r/m first (cmp m, r computes m - r; cmp r, m computes
	 * r - m), stos. For movs both operands are memory and this is true; the
	 * caller tells source from destination by the faulting address.
	 */
	bool mem_is_dest;
	/*
	 * GPR number 0..15 of the register operand, -1 if none (immediate form or
	 * string op). For AH/CH/DH/BH, reg is the GPR that holds them (0..3:
	 * RAX, RCX, RDX, RBX) and reg_high8 is set: the operand is bits 15:8.
	 * moffs forms (A0-A3) report reg 0 (AL/AX/EAX/RAX).
	 */
	int reg;
	bool reg_high8;        /* AH/CH/DH/BH (8-bit reg 4..7 without REX) */
	uint8_t reg_size;      /* size of the register operand, 0 if none (movzx eax, byte [m]: reg_size 4, mem_size 1) */
	bool has_imm;
	uint64_t imm;          /* sign-extended to mem_size*8 bits then zero-extended into u64; 0 if !has_imm */
	bool rep;              /* F3 (rep) prefix on stos/movs */
	bool lock;             /* F0 (lock) on and/or/xor/add/sub to memory: emulate atomically */
	uint8_t addr_size;     /* 2, 4 or 8: address size (rep count register width and string pointer regs) */
	/*
	 * -1 none, else enum insn_seg; the last one wins if several are given.
	 * Reported as encoded: in 64-bit mode only FS/GS have a base (SDM Vol. 1
	 * 3.4.2.1), and STOS always writes through ES (MOVS takes the override
	 * for its source only; SDM Vol. 1 3.7.4).
	 */
	int seg_override;
};

/* Instructions are at most 15 bytes (SDM Vol. 2A 2.2.1; longer raise #GP). */
#define INSN_MAX_LEN 15

/*
 * Decode the instruction at bytes[0..len). 0 on success; -1 unknown or
 * unsupported encoding (never guess), including register-direct forms (not a
 * memory access), LOCK where it would #UD, and instructions over 15 bytes;
 * -2 the bytes end before the instruction does. Reads only bytes[0..len).
 * *out is fully written on success, unspecified otherwise.
 */
int insn_decode(const uint8_t *bytes, size_t len, enum insn_mode mode, struct insn *out);

/*
 * ALU for read-modify-write emulation. Computes dst OP src for size bytes
 * (1, 2, 4 or 8; operands are truncated to it), returns the result masked to
 * size, and updates *rflags' arithmetic flags (CF PF AF ZF SF OF) exactly as
 * the CPU does for and/or/xor/add/sub/test/cmp (test/cmp: result computed for
 * flags; caller doesn't write it back). AF is undefined after and/or/xor/test
 * (SDM Vol. 2A/2B "Flags Affected"); it is cleared here. Other bits of *rflags
 * are preserved. Any other op returns src masked to size and leaves *rflags
 * alone; an invalid size returns 0 and leaves *rflags alone.
 */
uint64_t insn_alu(enum insn_op op, uint8_t size, uint64_t dst, uint64_t src, uint64_t *rflags);

/* RFLAGS arithmetic flag bits (SDM Vol. 1 3.4.3.1). */
#define INSN_RFLAGS_CF (1ull << 0)
#define INSN_RFLAGS_PF (1ull << 2)
#define INSN_RFLAGS_AF (1ull << 4)
#define INSN_RFLAGS_ZF (1ull << 6)
#define INSN_RFLAGS_SF (1ull << 7)
#define INSN_RFLAGS_OF (1ull << 11)
#define INSN_RFLAGS_ARITH (INSN_RFLAGS_CF | INSN_RFLAGS_PF | INSN_RFLAGS_AF | \
			   INSN_RFLAGS_ZF | INSN_RFLAGS_SF | INSN_RFLAGS_OF)

#endif
