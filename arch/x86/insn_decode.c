/*
 * x86 instruction decoder for MMIO emulation: prefixes, opcode, ModR/M (+SIB,
 * displacement), immediate, in that order (SDM Vol. 2A 2.1 Figure 2-1). It
 * knows only the mov/alu/test/cmp/string forms a guest uses on device
 * registers and refuses everything else; it works out lengths and operands,
 * never effective addresses.
 *
 * Every byte is fetched through need(), which distinguishes "past the 15-byte
 * limit" (-1, the CPU raises #GP) from "past the caller's buffer" (-2). All
 * decisions depend only on bytes already fetched, so a longer buffer never
 * changes a result other than -2.
 */
#include "include/arch/insn.h"

/* REX bits (SDM Vol. 2A 2.2.1.2 Table 2-4). */
#define REX_W 0x08
#define REX_R 0x04

struct dstate {
	const uint8_t *bytes;
	size_t len;
	size_t pos;
	enum insn_mode mode;
	bool opsize_prefix;   /* 66 */
	bool addrsize_prefix; /* 67 */
	bool lock;            /* F0 */
	bool saw_f2;
	uint8_t last_rep;     /* F2 or F3 closest to the opcode, 0 if neither */
	uint8_t rex;          /* the effective REX byte, 0 if none */
	int seg;
};

/* May the next n bytes be read? 0 yes, -1 over 15 bytes, -2 past the input. */
static int need(const struct dstate *s, size_t n)
{
	if (s->pos + n > INSN_MAX_LEN)
		return -1;
	if (s->pos + n > s->len)
		return -2;
	return 0;
}

/* Little-endian n-byte field at the cursor, sign-extended to 64 bits. */
static uint64_t take_signed(struct dstate *s, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)s->bytes[s->pos + i] << (8 * i);
	s->pos += n;
	if (n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~0ull << (8 * n);
	return v;
}

/* ---- step 1: prefixes ---------------------------------------------------- */

/*
 * Legacy prefixes in any order (SDM Vol. 2A 2.1.1), then in 64-bit mode REX
 * (40-4F). REX counts only if it immediately precedes the opcode: one followed
 * by a legacy prefix (or by another REX) is ignored (SDM Vol. 2A 2.2.1). In
 * 16/32-bit modes 40-4F are INC/DEC opcodes and end the prefixes.
 */
static int decode_prefixes(struct dstate *s)
{
	for (;;) {
		int r = need(s, 1);
		if (r)
			return r;
		uint8_t b = s->bytes[s->pos];

		switch (b) {
		case 0x66: s->opsize_prefix = true; break;
		case 0x67: s->addrsize_prefix = true; break;
		case 0xf0: s->lock = true; break;
		case 0xf2: s->saw_f2 = true; s->last_rep = b; break;
		case 0xf3: s->last_rep = b; break;
		/* Group 2; numbered as the sreg field (SDM Vol. 2D B.1.4.3). */
		case 0x26: s->seg = INSN_SEG_ES; break;
		case 0x2e: s->seg = INSN_SEG_CS; break;
		case 0x36: s->seg = INSN_SEG_SS; break;
		case 0x3e: s->seg = INSN_SEG_DS; break;
		case 0x64: s->seg = INSN_SEG_FS; break;
		case 0x65: s->seg = INSN_SEG_GS; break;
		default:
			if (s->mode == INSN_MODE_64 && (b & 0xf0) == 0x40) {
				s->rex = b;
				s->pos++;
				continue;
			}
			return 0;
		}
		s->rex = 0; /* a legacy prefix after REX voids it */
		s->pos++;
	}
}

/*
 * Operand size (SDM Vol. 1 3.6 Table 3-3; 64-bit mode Vol. 1 3.6.1 Table 3-4:
 * REX.W wins over 66) and address size (67 flips the default; 64-bit mode
 * offers 64 or 32).
 */
static uint8_t operand_size(const struct dstate *s)
{
	if (s->mode == INSN_MODE_64 && (s->rex & REX_W))
		return 8;
	if (s->mode == INSN_MODE_16)
		return s->opsize_prefix ? 4 : 2;
	return s->opsize_prefix ? 2 : 4;
}

static uint8_t address_size(const struct dstate *s)
{
	switch (s->mode) {
	case INSN_MODE_16: return s->addrsize_prefix ? 4 : 2;
	case INSN_MODE_32: return s->addrsize_prefix ? 2 : 4;
	default:           return s->addrsize_prefix ? 4 : 8;
	}
}

/* ---- step 2: opcode ------------------------------------------------------- */

enum form {
	F_NONE = 0,  /* unsupported */
	F_EG,        /* op r/m, reg (memory first) */
	F_GE,        /* op reg, r/m (memory second) */
	F_GRP1,      /* 80/81/83: alu r/m, imm; op from ModR/M.reg */
	F_GRP11,     /* C6/C7: mov r/m, imm; only /0 */
	F_GRP3,      /* F6/F7: test r/m, imm; only /0 */
	F_MOFFS_LD,  /* A0/A1: mov AL/rAX, moffs */
	F_MOFFS_ST,  /* A2/A3: mov moffs, AL/rAX */
	F_STRING,    /* A4/A5 movs, AA/AB stos */
	F_MOVX,      /* 0F B6/B7/BE/BF: movzx/movsx reg, r/m8 or r/m16 */
	F_MOVSXD,    /* 63 with REX.W: movsxd r64, r/m32 */
	F_ESCAPE,    /* 0F: two-byte opcode map */
};

enum imm_kind {
	IMM_NONE = 0,
	IMM_B,       /* ib: one byte, sign-extended to the operand size */
	IMM_Z,       /* iz: 2 bytes at operand size 16, else 4, sign-extended */
};

struct opcode {
	uint8_t form;
	uint8_t op;       /* enum insn_op, where the opcode alone says */
	uint8_t byte_op;  /* operand size is 1 regardless of prefixes */
	uint8_t imm;      /* enum imm_kind */
	uint8_t mem_size; /* F_MOVX: size of the r/m operand */
};

/* The four ModR/M forms of a classic alu opcode row: Eb,Gb  Ev,Gv  Gb,Eb  Gv,Ev. */
#define ALU_ROW(base, o)                                      \
	[(base) + 0] = { F_EG, (o), 1, IMM_NONE, 0 },         \
	[(base) + 1] = { F_EG, (o), 0, IMM_NONE, 0 },         \
	[(base) + 2] = { F_GE, (o), 1, IMM_NONE, 0 },         \
	[(base) + 3] = { F_GE, (o), 0, IMM_NONE, 0 }

/* One-byte opcode map, SDM Vol. 2D A.3 Table A-2 (only the supported cells). */
static const struct opcode one_byte_map[256] = {
	ALU_ROW(0x00, INSN_ADD),
	ALU_ROW(0x08, INSN_OR),
	[0x0f] = { F_ESCAPE, 0, 0, IMM_NONE, 0 },
	ALU_ROW(0x20, INSN_AND),
	ALU_ROW(0x28, INSN_SUB),
	ALU_ROW(0x30, INSN_XOR),
	ALU_ROW(0x38, INSN_CMP),
	[0x63] = { F_MOVSXD, INSN_MOVSX, 0, IMM_NONE, 4 },
	[0x80] = { F_GRP1, 0, 1, IMM_B, 0 },
	[0x81] = { F_GRP1, 0, 0, IMM_Z, 0 },
	/* 82 is an alias of 80 outside 64-bit mode: not supported. */
	[0x83] = { F_GRP1, 0, 0, IMM_B, 0 },
	[0x84] = { F_EG, INSN_TEST, 1, IMM_NONE, 0 },
	[0x85] = { F_EG, INSN_TEST, 0, IMM_NONE, 0 },
	ALU_ROW(0x88, INSN_MOV),
	[0xa0] = { F_MOFFS_LD, INSN_MOV, 1, IMM_NONE, 0 },
	[0xa1] = { F_MOFFS_LD, INSN_MOV, 0, IMM_NONE, 0 },
	[0xa2] = { F_MOFFS_ST, INSN_MOV, 1, IMM_NONE, 0 },
	[0xa3] = { F_MOFFS_ST, INSN_MOV, 0, IMM_NONE, 0 },
	[0xa4] = { F_STRING, INSN_MOVS, 1, IMM_NONE, 0 },
	[0xa5] = { F_STRING, INSN_MOVS, 0, IMM_NONE, 0 },
	[0xaa] = { F_STRING, INSN_STOS, 1, IMM_NONE, 0 },
	[0xab] = { F_STRING, INSN_STOS, 0, IMM_NONE, 0 },
	[0xc6] = { F_GRP11, INSN_MOV, 1, IMM_B, 0 },
	[0xc7] = { F_GRP11, INSN_MOV, 0, IMM_Z, 0 },
	[0xf6] = { F_GRP3, INSN_TEST, 1, IMM_B, 0 },
	[0xf7] = { F_GRP3, INSN_TEST, 0, IMM_Z, 0 },
};

/* Two-byte opcode map (0F xx), SDM Vol. 2D A.3 Table A-3: movzx/movsx only. */
static const struct opcode two_byte_map[256] = {
	[0xb6] = { F_MOVX, INSN_MOVZX, 0, IMM_NONE, 1 },
	[0xb7] = { F_MOVX, INSN_MOVZX, 0, IMM_NONE, 2 },
	[0xbe] = { F_MOVX, INSN_MOVSX, 0, IMM_NONE, 1 },
	[0xbf] = { F_MOVX, INSN_MOVSX, 0, IMM_NONE, 2 },
};

/* Immediate group 1 (80-83) by ModR/M.reg, SDM Vol. 2D A.4 Table A-6. ADC/SBB unsupported. */
static const int8_t group1_ops[8] = {
	INSN_ADD, INSN_OR, -1 /* ADC */, -1 /* SBB */, INSN_AND, INSN_SUB, INSN_XOR, INSN_CMP,
};

/* Fetch the opcode (one byte, or 0F and a second byte). */
static int decode_opcode(struct dstate *s, const struct opcode **entry, uint8_t *opcode)
{
	int r = need(s, 1);
	if (r)
		return r;
	*opcode = s->bytes[s->pos++];
	*entry = &one_byte_map[*opcode];
	if ((*entry)->form == F_ESCAPE) {
		r = need(s, 1);
		if (r)
			return r;
		*entry = &two_byte_map[s->bytes[s->pos++]];
	}
	return (*entry)->form == F_NONE ? -1 : 0;
}

/* ---- step 3: ModR/M, SIB, displacement -------------------------------------- */

/*
 * Consume ModR/M and whatever addressing bytes it implies; report its reg
 * field. mod == 3 names a register, not memory: not an MMIO access.
 * 16-bit addressing: SDM Vol. 2A 2.1.5 Table 2-1 (no SIB; mod 00 r/m 110 is
 * disp16). 32/64-bit: Table 2-2 (r/m 100 adds a SIB byte; mod 00 r/m 101 is
 * disp32, RIP-relative in 64-bit mode, 2.2.1.6 Table 2-7) and Table 2-3 (SIB
 * base 101 with mod 00 is disp32 with no base). REX.B does not change which
 * encodings are special (2.2.1.2 Table 2-5), so it plays no part here.
 */
static int decode_modrm(struct dstate *s, uint8_t addr_size, unsigned *reg_field)
{
	int r = need(s, 1);
	if (r)
		return r;
	uint8_t modrm = s->bytes[s->pos++];
	unsigned mod = modrm >> 6, rm = modrm & 7;
	size_t disp;

	*reg_field = (modrm >> 3) & 7;
	if (mod == 3)
		return -1;
	if (addr_size == 2) {
		static const uint8_t disp16[3] = { 0, 1, 2 };
		disp = (mod == 0 && rm == 6) ? 2 : disp16[mod];
	} else {
		static const uint8_t disp32[3] = { 0, 1, 4 };
		disp = disp32[mod];
		if (rm == 4) {
			r = need(s, 1);
			if (r)
				return r;
			uint8_t sib = s->bytes[s->pos++];
			if (mod == 0 && (sib & 7) == 5)
				disp = 4;
		} else if (mod == 0 && rm == 5) {
			disp = 4;
		}
	}
	r = need(s, disp);
	if (r)
		return r;
	s->pos += disp;
	return 0;
}

/* ---- step 4: immediate / moffs ------------------------------------------------ */

/* Immediates: SDM Vol. 2A 2.1.4, and 2.2.1.5 (imm32 sign-extended at REX.W). */
static int decode_imm(struct dstate *s, enum imm_kind kind, uint8_t size, struct insn *out)
{
	size_t n = kind == IMM_B ? 1 : size == 2 ? 2 : 4;
	int r = need(s, n);
	if (r)
		return r;
	uint64_t v = take_signed(s, n);
	if (size < 8)
		v &= (1ull << (8 * size)) - 1;
	out->has_imm = true;
	out->imm = v;
	return 0;
}

/* ---- putting it together --------------------------------------------------------- */

/* Register operand from ModR/M.reg (+REX.R); byte registers per SDM Vol. 2A 3.1.1.1 Table 3-1. */
static void set_reg(const struct dstate *s, struct insn *out, unsigned reg_field, uint8_t size)
{
	unsigned reg = reg_field | ((s->rex & REX_R) ? 8 : 0);

	if (size == 1 && !s->rex && reg >= 4) {
		out->reg = (int)reg - 4;   /* AH CH DH BH: bits 15:8 of RAX RCX RDX RBX */
		out->reg_high8 = true;
	} else {
		out->reg = (int)reg;       /* with any REX: SPL BPL SIL DIL */
	}
	out->reg_size = size;
}

/*
 * Which F0/F2/F3 combinations execute as the plain instruction. LOCK only on
 * a memory-destination add/or/and/sub/xor (SDM Vol. 2A LOCK: #UD otherwise).
 * F3 is REP on stos/movs; F2 (REPNE) there is reserved. Elsewhere F2/F3 are
 * defined only as HLE hints, which execute as the plain instruction (SDM
 * Vol. 2A XACQUIRE/XRELEASE): either on a LOCKed alu op, XRELEASE (F3
 * closest to the opcode) on mov r/m,reg / mov r/m,imm stores (88/89/C6/C7).
 */
static int check_lock_rep(const struct dstate *s, struct insn *out, uint8_t opcode)
{
	bool lockable = out->mem_is_dest && (out->op == INSN_ADD || out->op == INSN_SUB ||
					     out->op == INSN_AND || out->op == INSN_OR ||
					     out->op == INSN_XOR);
	if (s->lock && !lockable)
		return -1;
	out->lock = s->lock;
	if (!s->last_rep)
		return 0;
	if (out->op == INSN_STOS || out->op == INSN_MOVS) {
		if (s->saw_f2)
			return -1;
		out->rep = true;
		return 0;
	}
	if (s->lock)
		return 0;
	if (s->last_rep == 0xf3 && (opcode == 0x88 || opcode == 0x89 ||
				    opcode == 0xc6 || opcode == 0xc7))
		return 0;
	return -1;
}

/* Operands of the ModR/M forms, given the opcode entry and operand size (immediate not yet read). */
static int decode_operands(struct dstate *s, const struct opcode *e, uint8_t size, struct insn *out)
{
	unsigned reg_field;
	int r = decode_modrm(s, out->addr_size, &reg_field);
	if (r)
		return r;

	out->op = (enum insn_op)e->op;
	out->mem_size = size;
	switch (e->form) {
	case F_EG:
		out->mem_is_dest = true;
		set_reg(s, out, reg_field, size);
		break;
	case F_GE:
		set_reg(s, out, reg_field, size);
		break;
	case F_MOVX:
	case F_MOVSXD:
		out->mem_size = e->mem_size;
		set_reg(s, out, reg_field, size);
		break;
	case F_GRP1:
		if (group1_ops[reg_field] < 0)
			return -1;
		out->op = (enum insn_op)group1_ops[reg_field];
		out->mem_is_dest = true;
		break;
	case F_GRP11: /* C6/C7 /0 only (SDM Vol. 2D Table A-6 group 11) */
	case F_GRP3:  /* F6/F7 /0 only; /1 is not documented by Intel */
		if (reg_field != 0)
			return -1;
		out->mem_is_dest = true;
		break;
	default:
		return -1;
	}

	switch (out->op) {
	case INSN_MOV:
		out->mem_write = out->mem_is_dest;
		out->mem_read = !out->mem_is_dest;
		break;
	case INSN_MOVZX:
	case INSN_MOVSX:
	case INSN_TEST:
	case INSN_CMP:
		out->mem_read = true;
		break;
	default: /* and/or/xor/add/sub */
		out->mem_read = true;
		out->mem_write = out->mem_is_dest;
		break;
	}
	return 0;
}

int insn_decode(const uint8_t *bytes, size_t len, enum insn_mode mode, struct insn *out)
{
	struct dstate s = { .bytes = bytes, .len = len, .mode = mode, .seg = -1 };
	struct insn d = { .reg = -1 };
	const struct opcode *e;
	uint8_t opcode, size;
	int r;

	if (mode != INSN_MODE_16 && mode != INSN_MODE_32 && mode != INSN_MODE_64)
		return -1;
	r = decode_prefixes(&s);
	if (r)
		return r;
	r = decode_opcode(&s, &e, &opcode);
	if (r)
		return r;

	/* MOVSXD r64, r/m32 needs 64-bit mode and REX.W; elsewhere 63 is ARPL (or reserved). */
	if (e->form == F_MOVSXD && (mode != INSN_MODE_64 || !(s.rex & REX_W)))
		return -1;
	d.seg_override = s.seg;
	d.addr_size = address_size(&s);
	size = e->byte_op ? 1 : operand_size(&s);

	switch (e->form) {
	case F_MOFFS_LD:
	case F_MOFFS_ST:
		/* moffs is address-size wide: 8 bytes in 64-bit mode unless 67 (SDM Vol. 2A 2.2.1.4). */
		r = need(&s, d.addr_size);
		if (r)
			return r;
		s.pos += d.addr_size;
		d.op = INSN_MOV;
		d.mem_size = size;
		d.mem_is_dest = d.mem_write = e->form == F_MOFFS_ST;
		d.mem_read = !d.mem_write;
		d.reg = 0;
		d.reg_size = size;
		break;
	case F_STRING:
		/* STOS writes ES:[rDI]; MOVS reads [rSI] and writes ES:[rDI] (SDM Vol. 2B). */
		d.op = (enum insn_op)e->op;
		d.mem_size = size;
		d.mem_is_dest = d.mem_write = true;
		d.mem_read = e->op == INSN_MOVS;
		break;
	default:
		r = decode_operands(&s, e, size, &d);
		if (r)
			return r;
		break;
	}

	r = check_lock_rep(&s, &d, opcode);
	if (r)
		return r;
	if (e->imm) {
		r = decode_imm(&s, (enum imm_kind)e->imm, size, &d);
		if (r)
			return r;
	}
	d.length = (uint8_t)s.pos;
	*out = d;
	return 0;
}
