// unit-modules: arch/x86/insn_decode.c arch/x86/insn_alu.c
/*
 * insn_decode per encoding family (lengths and operands checked against the
 * SDM opcode tables and binutils' disassembly), every truncation of each valid
 * instruction (-2), and insn_alu's flags against the host CPU's own.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../arch/x86/include/arch/insn.h"
#include "unit.h"

/* OK(...) starts from defaults and overrides the fields a case cares about. */
#pragma GCC diagnostic ignored "-Woverride-init"

#define M16 INSN_MODE_16
#define M32 INSN_MODE_32
#define M64 INSN_MODE_64

/* Byte string arguments: B(literal bytes...) or RAW(array, length); each expands to "pointer, length". */
#define B(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define RAW(p, n) (p), (n)

/* Memory access shapes. */
#define LOAD  .mem_read = true
#define STORE .mem_write = true, .mem_is_dest = true
#define RMW   .mem_read = true, .mem_write = true, .mem_is_dest = true
#define READ_DEST .mem_read = true, .mem_is_dest = true   /* cmp m, x / test m, x */
#define REG(r, size) .reg = (r), .reg_size = (size)
#define IMM(v) .has_imm = true, .imm = (v)

#define OK(mode, bytes, ...)                                                    \
	check_ok(__LINE__, mode, bytes,                                         \
		 (struct insn){ .reg = -1, .seg_override = -1, __VA_ARGS__ })
#define ERR(mode, bytes, ret) check_err(__LINE__, mode, bytes, ret)

static void fail_at(int line, const char *what, unsigned long long got, unsigned long long want)
{
	char m[256];
	snprintf(m, sizeof m, "%s: got 0x%llx, want 0x%llx", what, got, want);
	unit_fail(__FILE__, line, m);
}

/* Decode from an exactly-sized heap copy, so ASan catches any read past len. */
static int decode_copy(const uint8_t *bytes, size_t len, enum insn_mode mode, struct insn *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, bytes, len);
	int r = insn_decode(copy, len, mode, out);
	free(copy);
	return r;
}

#define FIELD(f)                                                                \
	do {                                                                    \
		if ((unsigned long long)got.f != (unsigned long long)want.f)   \
			fail_at(line, #f, (unsigned long long)got.f,            \
				(unsigned long long)want.f);                    \
	} while (0)

/* Field-wise equality (struct padding is not guaranteed equal). */
static bool insn_same(const struct insn *a, const struct insn *b)
{
	return a->length == b->length && a->op == b->op && a->mem_size == b->mem_size &&
	       a->mem_read == b->mem_read && a->mem_write == b->mem_write &&
	       a->mem_is_dest == b->mem_is_dest && a->reg == b->reg && a->reg_high8 == b->reg_high8 &&
	       a->reg_size == b->reg_size && a->has_imm == b->has_imm && a->imm == b->imm &&
	       a->rep == b->rep && a->lock == b->lock && a->addr_size == b->addr_size &&
	       a->seg_override == b->seg_override;
}

static void check_ok(int line, enum insn_mode mode, const uint8_t *bytes, size_t n, struct insn want)
{
	static const uint8_t default_addr[] = { [M16] = 2, [M32] = 4, [M64] = 8 };
	struct insn got;

	if (!want.addr_size)
		want.addr_size = default_addr[mode];
	memset(&got, 0x5a, sizeof got);
	int r = decode_copy(bytes, n, mode, &got);
	if (r != 0) {
		fail_at(line, "insn_decode", (unsigned long long)r, 0);
		return;
	}
	FIELD(length); FIELD(op); FIELD(mem_size); FIELD(mem_read); FIELD(mem_write);
	FIELD(mem_is_dest); FIELD(reg); FIELD(reg_high8); FIELD(reg_size); FIELD(has_imm);
	FIELD(imm); FIELD(rep); FIELD(lock); FIELD(addr_size); FIELD(seg_override);

	/* Every proper prefix of the instruction ends too soon. */
	for (size_t k = 0; k < want.length; k++) {
		struct insn t;
		r = decode_copy(bytes, k, mode, &t);
		if (r != -2)
			fail_at(line, "truncated decode", (unsigned long long)r, (unsigned long long)-2);
	}
	/* Trailing bytes (here: a 15-byte window padded with 0xcc) change nothing. */
	uint8_t padded[INSN_MAX_LEN];
	memset(padded, 0xcc, sizeof padded);
	memcpy(padded, bytes, n < sizeof padded ? n : sizeof padded);
	struct insn again;
	r = decode_copy(padded, sizeof padded, mode, &again);
	if (r != 0 || !insn_same(&again, &got))
		fail_at(line, "decode with trailing bytes differs", (unsigned long long)r, 0);
}

static void check_err(int line, enum insn_mode mode, const uint8_t *bytes, size_t n, int want)
{
	struct insn got;
	int r = decode_copy(bytes, n, mode, &got);
	if (r != want)
		fail_at(line, "insn_decode", (unsigned long long)r, (unsigned long long)want);
}

/* ---- decoder ------------------------------------------------------------- */

TEST(mov_reg_forms)
{
	OK(M64, B(0x89, 0x08), .length = 2, .op = INSN_MOV, .mem_size = 4, STORE, REG(1, 4));     /* mov [rax],ecx */
	OK(M64, B(0x48, 0x89, 0x08), .length = 3, .op = INSN_MOV, .mem_size = 8, STORE, REG(1, 8)); /* mov [rax],rcx */
	OK(M64, B(0x66, 0x89, 0x08), .length = 3, .op = INSN_MOV, .mem_size = 2, STORE, REG(1, 2)); /* mov [rax],cx */
	OK(M64, B(0x88, 0x08), .length = 2, .op = INSN_MOV, .mem_size = 1, STORE, REG(1, 1));      /* mov [rax],cl */
	OK(M64, B(0x8b, 0x08), .length = 2, .op = INSN_MOV, .mem_size = 4, LOAD, REG(1, 4));       /* mov ecx,[rax] */
	OK(M64, B(0x8a, 0x08), .length = 2, .op = INSN_MOV, .mem_size = 1, LOAD, REG(1, 1));       /* mov cl,[rax] */
	OK(M64, B(0x4c, 0x8b, 0x38), .length = 3, .op = INSN_MOV, .mem_size = 8, LOAD, REG(15, 8)); /* mov r15,[rax] */
	OK(M64, B(0x41, 0x8b, 0x0f), .length = 3, .op = INSN_MOV, .mem_size = 4, LOAD, REG(1, 4)); /* mov ecx,[r15] */
}

TEST(byte_registers)
{
	OK(M64, B(0x88, 0x20), .length = 2, .op = INSN_MOV, .mem_size = 1, STORE, REG(0, 1), .reg_high8 = true); /* ah */
	OK(M64, B(0x88, 0x3b), .length = 2, .op = INSN_MOV, .mem_size = 1, STORE, REG(3, 1), .reg_high8 = true); /* bh,[rbx] */
	OK(M64, B(0x8a, 0x28), .length = 2, .op = INSN_MOV, .mem_size = 1, LOAD, REG(1, 1), .reg_high8 = true);  /* ch */
	OK(M64, B(0x40, 0x88, 0x20), .length = 3, .op = INSN_MOV, .mem_size = 1, STORE, REG(4, 1));  /* spl */
	OK(M64, B(0x40, 0x88, 0x38), .length = 3, .op = INSN_MOV, .mem_size = 1, STORE, REG(7, 1));  /* dil */
	OK(M64, B(0x44, 0x88, 0x20), .length = 3, .op = INSN_MOV, .mem_size = 1, STORE, REG(12, 1)); /* r12b */
	OK(M64, B(0x84, 0x30), .length = 2, .op = INSN_TEST, .mem_size = 1, READ_DEST, REG(2, 1), .reg_high8 = true); /* dh */
	OK(M32, B(0x88, 0x20), .length = 2, .op = INSN_MOV, .mem_size = 1, STORE, REG(0, 1), .reg_high8 = true);
	OK(M16, B(0x88, 0x27), .length = 2, .op = INSN_MOV, .mem_size = 1, STORE, REG(0, 1), .reg_high8 = true); /* [bx] */
	/* movzx's register is never a byte register */
	OK(M64, B(0x0f, 0xb6, 0x20), .length = 3, .op = INSN_MOVZX, .mem_size = 1, LOAD, REG(4, 4)); /* esp */
}

TEST(modrm_sib_disp)
{
	/* mov eax,[rip+0x12345678] */
	OK(M64, B(0x8b, 0x05, 0x78, 0x56, 0x34, 0x12), .length = 6, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4));
	/* mov r8,[rax+rcx*8+0x12345678] */
	OK(M64, B(0x4c, 0x8b, 0x84, 0xc8, 0x78, 0x56, 0x34, 0x12), .length = 8, .op = INSN_MOV, .mem_size = 8,
	   LOAD, REG(8, 8));
	/* mov eax,[0x1000] (SIB, no base, no index) */
	OK(M64, B(0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00), .length = 7, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4));
	/* mov eax,[rcx*4+0x10] (SIB base 101, mod 00: disp32) */
	OK(M64, B(0x8b, 0x04, 0x8d, 0x10, 0x00, 0x00, 0x00), .length = 7, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4));
	/* mov eax,[rbp+rcx*4+0x10] (SIB base 101, mod 01: disp8) */
	OK(M64, B(0x8b, 0x44, 0x8d, 0x10), .length = 4, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4));
	/* mov eax,[rsp+8] */
	OK(M64, B(0x8b, 0x44, 0x24, 0x08), .length = 4, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4));
	/* mov eax,[rbp-8] */
	OK(M64, B(0x8b, 0x45, 0xf8), .length = 3, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4));
	/* mov eax,[r13] has to be encoded mod 01 disp8 0 (REX.B doesn't change the special cases) */
	OK(M64, B(0x41, 0x8b, 0x45, 0x00), .length = 4, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4));
	/* mov eax,[rip+0] with REX.B: still RIP-relative disp32 */
	OK(M64, B(0x41, 0x8b, 0x05, 0, 0, 0, 0), .length = 7, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4));
	/* mov [r12],eax: REX.B with r/m 100 still takes a SIB */
	OK(M64, B(0x41, 0x89, 0x04, 0x24), .length = 4, .op = INSN_MOV, .mem_size = 4, STORE, REG(0, 4));
	/* mov [rax+0x100],ecx disp32 */
	OK(M64, B(0x89, 0x88, 0x00, 0x01, 0x00, 0x00), .length = 6, .op = INSN_MOV, .mem_size = 4, STORE, REG(1, 4));
	/* mov [rax+rbx*2-0x80],r9w */
	OK(M64, B(0x66, 0x44, 0x89, 0x4c, 0x58, 0x80), .length = 6, .op = INSN_MOV, .mem_size = 2, STORE, REG(9, 2));
}

TEST(mov_imm_and_moffs)
{
	OK(M64, B(0xc6, 0x00, 0xab), .length = 3, .op = INSN_MOV, .mem_size = 1, STORE, IMM(0xab));
	OK(M64, B(0xc7, 0x00, 0x78, 0x56, 0x34, 0x12), .length = 6, .op = INSN_MOV, .mem_size = 4, STORE,
	   IMM(0x12345678));
	OK(M64, B(0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80), .length = 7, .op = INSN_MOV, .mem_size = 8, STORE,
	   IMM(0xffffffff80000000ull));
	OK(M64, B(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f), .length = 7, .op = INSN_MOV, .mem_size = 8, STORE,
	   IMM(0x7fffffff));
	OK(M64, B(0x66, 0xc7, 0x00, 0x34, 0x92), .length = 5, .op = INSN_MOV, .mem_size = 2, STORE, IMM(0x9234));
	OK(M64, B(0xc7, 0x80, 0x00, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff), .length = 10, .op = INSN_MOV,
	   .mem_size = 4, STORE, IMM(0xffffffff));
	/* C7 /0 with SIB + disp8 + imm32 */
	OK(M64, B(0xc7, 0x44, 0x24, 0x10, 0x01, 0x00, 0x00, 0x00), .length = 8, .op = INSN_MOV, .mem_size = 4,
	   STORE, IMM(1));
	/* moffs: 8 bytes in 64-bit mode, 4 with 67 */
	OK(M64, B(0xa1, 0x00, 0x10, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00), .length = 9, .op = INSN_MOV,
	   .mem_size = 4, LOAD, REG(0, 4));
	OK(M64, B(0x48, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8), .length = 10, .op = INSN_MOV, .mem_size = 8, STORE, REG(0, 8));
	OK(M64, B(0xa2, 1, 2, 3, 4, 5, 6, 7, 8), .length = 9, .op = INSN_MOV, .mem_size = 1, STORE, REG(0, 1));
	OK(M64, B(0x67, 0xa0, 1, 2, 3, 4), .length = 6, .op = INSN_MOV, .mem_size = 1, LOAD, REG(0, 1),
	   .addr_size = 4);
	OK(M64, B(0x66, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8), .length = 10, .op = INSN_MOV, .mem_size = 2, LOAD, REG(0, 2));
	/* C6/C7 other than /0 are not mov */
	ERR(M64, B(0xc6, 0x08, 0x00), -1);
	ERR(M64, B(0xc7, 0x38, 0, 0, 0, 0), -1);
}

TEST(movzx_movsx)
{
	OK(M64, B(0x0f, 0xb6, 0x00), .length = 3, .op = INSN_MOVZX, .mem_size = 1, LOAD, REG(0, 4));
	OK(M64, B(0x48, 0x0f, 0xb7, 0x08), .length = 4, .op = INSN_MOVZX, .mem_size = 2, LOAD, REG(1, 8));
	OK(M64, B(0x66, 0x0f, 0xb6, 0x00), .length = 4, .op = INSN_MOVZX, .mem_size = 1, LOAD, REG(0, 2));
	OK(M64, B(0x0f, 0xbe, 0x48, 0x10), .length = 4, .op = INSN_MOVSX, .mem_size = 1, LOAD, REG(1, 4));
	OK(M64, B(0x44, 0x0f, 0xbf, 0x00), .length = 4, .op = INSN_MOVSX, .mem_size = 2, LOAD, REG(8, 4));
	OK(M64, B(0x4c, 0x0f, 0xbe, 0x3c, 0x24), .length = 5, .op = INSN_MOVSX, .mem_size = 1, LOAD, REG(15, 8));
	/* movsxd rcx,dword [rax] */
	OK(M64, B(0x48, 0x63, 0x08), .length = 3, .op = INSN_MOVSX, .mem_size = 4, LOAD, REG(1, 8));
	OK(M64, B(0x4c, 0x63, 0x44, 0x24, 0x04), .length = 5, .op = INSN_MOVSX, .mem_size = 4, LOAD, REG(8, 8));
	ERR(M64, B(0x63, 0x08), -1);         /* movsxd r32: not supported */
	ERR(M32, B(0x63, 0x08), -1);         /* arpl */
	ERR(M64, B(0x0f, 0xb6, 0xc0), -1);   /* register source */
	ERR(M64, B(0x0f, 0xb8, 0x00), -1);   /* jmpe/popcnt space */
	ERR(M64, B(0xf3, 0x0f, 0xb6, 0x00), -1); /* F3 before 0F: not a plain movzx */
	OK(M32, B(0x0f, 0xb7, 0x05, 0x00, 0x00, 0xe0, 0xfe), .length = 7, .op = INSN_MOVZX, .mem_size = 2,
	   LOAD, REG(0, 4));
}

TEST(alu_reg_forms)
{
	static const struct { uint8_t base; enum insn_op op; } rows[] = {
		{ 0x00, INSN_ADD }, { 0x08, INSN_OR }, { 0x20, INSN_AND },
		{ 0x28, INSN_SUB }, { 0x30, INSN_XOR },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		uint8_t b = rows[i].base;
		enum insn_op op = rows[i].op;
		OK(M64, B(b + 0, 0x08), .length = 2, .op = op, .mem_size = 1, RMW, REG(1, 1));
		OK(M64, B(b + 1, 0x08), .length = 2, .op = op, .mem_size = 4, RMW, REG(1, 4));
		OK(M64, B(b + 2, 0x08), .length = 2, .op = op, .mem_size = 1, LOAD, REG(1, 1));
		OK(M64, B(b + 3, 0x08), .length = 2, .op = op, .mem_size = 4, LOAD, REG(1, 4));
		OK(M64, B(0x48, b + 1, 0x08), .length = 3, .op = op, .mem_size = 8, RMW, REG(1, 8));
		OK(M64, B(0x66, b + 3, 0x08), .length = 3, .op = op, .mem_size = 2, LOAD, REG(1, 2));
		ERR(M64, B(b + 1, 0xc8), -1);           /* register-direct */
		ERR(M64, B(b + 4, 0x01), -1);           /* op al, imm8: no memory */
		ERR(M64, B(b + 5, 0x01, 0, 0, 0), -1);  /* op eax, imm32 */
	}
	/* cmp: only reads; m - r when memory comes first, r - m otherwise */
	OK(M64, B(0x38, 0x08), .length = 2, .op = INSN_CMP, .mem_size = 1, READ_DEST, REG(1, 1));
	OK(M64, B(0x39, 0x08), .length = 2, .op = INSN_CMP, .mem_size = 4, READ_DEST, REG(1, 4));
	OK(M64, B(0x3a, 0x08), .length = 2, .op = INSN_CMP, .mem_size = 1, LOAD, REG(1, 1));
	OK(M64, B(0x4d, 0x3b, 0x4c, 0x24, 0x08), .length = 5, .op = INSN_CMP, .mem_size = 8, LOAD, REG(9, 8));
	/* test r/m, r */
	OK(M64, B(0x85, 0x08), .length = 2, .op = INSN_TEST, .mem_size = 4, READ_DEST, REG(1, 4));
	OK(M64, B(0x48, 0x85, 0x48, 0x08), .length = 4, .op = INSN_TEST, .mem_size = 8, READ_DEST, REG(1, 8));
	ERR(M64, B(0x85, 0xc8), -1);
}

TEST(alu_imm_forms)
{
	OK(M64, B(0x80, 0x08, 0x0f), .length = 3, .op = INSN_OR, .mem_size = 1, RMW, IMM(0x0f));
	OK(M64, B(0x80, 0x38, 0xff), .length = 3, .op = INSN_CMP, .mem_size = 1, READ_DEST, IMM(0xff));
	OK(M64, B(0x81, 0x20, 0x00, 0xff, 0x00, 0x00), .length = 6, .op = INSN_AND, .mem_size = 4, RMW,
	   IMM(0xff00));
	OK(M64, B(0x83, 0x28, 0xff), .length = 3, .op = INSN_SUB, .mem_size = 4, RMW, IMM(0xffffffff));
	OK(M64, B(0x83, 0x30, 0x7f), .length = 3, .op = INSN_XOR, .mem_size = 4, RMW, IMM(0x7f));
	OK(M64, B(0x48, 0x83, 0x00, 0x80), .length = 4, .op = INSN_ADD, .mem_size = 8, RMW,
	   IMM(0xffffffffffffff80ull));
	OK(M64, B(0x66, 0x83, 0x30, 0xff), .length = 4, .op = INSN_XOR, .mem_size = 2, RMW, IMM(0xffff));
	OK(M64, B(0x66, 0x81, 0x38, 0x34, 0x12), .length = 5, .op = INSN_CMP, .mem_size = 2, READ_DEST,
	   IMM(0x1234));
	OK(M64, B(0x48, 0x81, 0x00, 0x00, 0x00, 0x00, 0x80), .length = 7, .op = INSN_ADD, .mem_size = 8, RMW,
	   IMM(0xffffffff80000000ull));
	OK(M64, B(0x48, 0x81, 0x00, 0x00, 0x00, 0x00, 0x70), .length = 7, .op = INSN_ADD, .mem_size = 8, RMW,
	   IMM(0x70000000));
	/* or dword [rip+0x10],0x100 */
	OK(M64, B(0x81, 0x0d, 0x10, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00), .length = 10, .op = INSN_OR,
	   .mem_size = 4, RMW, IMM(0x100));
	ERR(M64, B(0x80, 0x10, 0x01), -1);      /* adc */
	ERR(M64, B(0x83, 0x18, 0x01), -1);      /* sbb */
	ERR(M64, B(0x82, 0x00, 0x01), -1);      /* 82: #UD in 64-bit mode; unsupported elsewhere */
	ERR(M32, B(0x82, 0x00, 0x01), -1);
	ERR(M64, B(0x80, 0xc0, 0x01), -1);      /* add al,1 */
	ERR(M64, B(0x81, 0xe1, 0, 0, 0, 0), -1);
	/* test r/m, imm */
	OK(M64, B(0xf6, 0x00, 0x01), .length = 3, .op = INSN_TEST, .mem_size = 1, READ_DEST, IMM(1));
	OK(M64, B(0xf7, 0x00, 0x00, 0x00, 0x00, 0x80), .length = 6, .op = INSN_TEST, .mem_size = 4, READ_DEST,
	   IMM(0x80000000));
	OK(M64, B(0x48, 0xf7, 0x00, 0xff, 0xff, 0xff, 0xff), .length = 7, .op = INSN_TEST, .mem_size = 8,
	   READ_DEST, IMM(~0ull));
	OK(M64, B(0x66, 0xf7, 0x40, 0x04, 0x00, 0x80), .length = 6, .op = INSN_TEST, .mem_size = 2, READ_DEST,
	   IMM(0x8000));
	ERR(M64, B(0xf6, 0x10), -1);            /* not */
	ERR(M64, B(0xf7, 0x18), -1);            /* neg */
	ERR(M64, B(0xf7, 0x08, 0, 0, 0, 0), -1); /* /1: not documented by Intel */
	ERR(M64, B(0xf6, 0xc0, 0x01), -1);
}

TEST(string_ops)
{
	OK(M64, B(0xaa), .length = 1, .op = INSN_STOS, .mem_size = 1, STORE);
	OK(M64, B(0xf3, 0x48, 0xab), .length = 3, .op = INSN_STOS, .mem_size = 8, STORE, .rep = true);
	OK(M64, B(0xf3, 0xab), .length = 2, .op = INSN_STOS, .mem_size = 4, STORE, .rep = true);
	OK(M64, B(0x66, 0xab), .length = 2, .op = INSN_STOS, .mem_size = 2, STORE);
	OK(M64, B(0xf3, 0xa4), .length = 2, .op = INSN_MOVS, .mem_size = 1, RMW, .rep = true);
	OK(M64, B(0xf3, 0x67, 0xa5), .length = 3, .op = INSN_MOVS, .mem_size = 4, RMW, .rep = true,
	   .addr_size = 4);
	OK(M64, B(0x64, 0xa4), .length = 2, .op = INSN_MOVS, .mem_size = 1, RMW, .seg_override = INSN_SEG_FS);
	OK(M64, B(0x48, 0xa5), .length = 2, .op = INSN_MOVS, .mem_size = 8, RMW);
	OK(M32, B(0xf3, 0xa5), .length = 2, .op = INSN_MOVS, .mem_size = 4, RMW, .rep = true);
	OK(M32, B(0x67, 0xf3, 0xaa), .length = 3, .op = INSN_STOS, .mem_size = 1, STORE, .rep = true,
	   .addr_size = 2);
	OK(M16, B(0xf3, 0xab), .length = 2, .op = INSN_STOS, .mem_size = 2, STORE, .rep = true);
	OK(M16, B(0x66, 0xf3, 0xa5), .length = 3, .op = INSN_MOVS, .mem_size = 4, RMW, .rep = true);
	ERR(M64, B(0xf2, 0xab), -1);            /* repne: only for cmps/scas */
	ERR(M64, B(0xf2, 0xa4), -1);
	ERR(M64, B(0xf2, 0xf3, 0xa4), -1);
	ERR(M64, B(0xf0, 0xab), -1);            /* lock */
	ERR(M64, B(0xa6), -1);                  /* cmps */
	ERR(M64, B(0xac), -1);                  /* lods */
	ERR(M64, B(0xae), -1);                  /* scas */
}

TEST(prefixes)
{
	static const struct { uint8_t byte; int seg; } segs[] = {
		{ 0x26, INSN_SEG_ES }, { 0x2e, INSN_SEG_CS }, { 0x36, INSN_SEG_SS },
		{ 0x3e, INSN_SEG_DS }, { 0x64, INSN_SEG_FS }, { 0x65, INSN_SEG_GS },
	};
	for (size_t i = 0; i < sizeof segs / sizeof segs[0]; i++) {
		OK(M64, B(segs[i].byte, 0x8b, 0x00), .length = 3, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4),
		   .seg_override = segs[i].seg);
		OK(M32, B(segs[i].byte, 0x89, 0x00), .length = 3, .op = INSN_MOV, .mem_size = 4, STORE, REG(0, 4),
		   .seg_override = segs[i].seg);
	}
	OK(M64, B(0x65, 0x48, 0x8b, 0x00), .length = 4, .op = INSN_MOV, .mem_size = 8, LOAD, REG(0, 8),
	   .seg_override = INSN_SEG_GS);
	OK(M64, B(0x2e, 0x64, 0x8b, 0x00), .length = 4, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4),
	   .seg_override = INSN_SEG_FS);  /* the last one wins */
	/* REX.W wins over 66 */
	OK(M64, B(0x66, 0x48, 0x89, 0x08), .length = 4, .op = INSN_MOV, .mem_size = 8, STORE, REG(1, 8));
	/* 67: address size only */
	OK(M64, B(0x67, 0x8b, 0x00), .length = 3, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4), .addr_size = 4);
	OK(M64, B(0x67, 0x8b, 0x05, 1, 2, 3, 4), .length = 7, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4),
	   .addr_size = 4);  /* eip-relative */
	/* legacy prefixes in any order */
	OK(M64, B(0x64, 0x67, 0x66, 0xf0, 0x83, 0x00, 0x01), .length = 7, .op = INSN_ADD, .mem_size = 2, RMW,
	   IMM(1), .lock = true, .addr_size = 4, .seg_override = INSN_SEG_FS);
	OK(M64, B(0xf0, 0x66, 0x67, 0x64, 0x83, 0x00, 0x01), .length = 7, .op = INSN_ADD, .mem_size = 2, RMW,
	   IMM(1), .lock = true, .addr_size = 4, .seg_override = INSN_SEG_FS);
	/* multiple 66 are harmless */
	OK(M64, B(0x66, 0x66, 0x89, 0x08), .length = 4, .op = INSN_MOV, .mem_size = 2, STORE, REG(1, 2));
}

TEST(rex_placement)
{
	/* REX then a legacy prefix: the REX is ignored (SDM Vol. 2A 2.2.1) */
	OK(M64, B(0x48, 0x66, 0x89, 0x08), .length = 4, .op = INSN_MOV, .mem_size = 2, STORE, REG(1, 2));
	OK(M64, B(0x4c, 0x64, 0x89, 0x00), .length = 4, .op = INSN_MOV, .mem_size = 4, STORE, REG(0, 4),
	   .seg_override = INSN_SEG_FS);
	/* an ignored REX does not turn AH into SPL either */
	OK(M64, B(0x44, 0x66, 0x88, 0x20), .length = 4, .op = INSN_MOV, .mem_size = 1, STORE, REG(0, 1),
	   .reg_high8 = true);
	/* two REX: only the last counts */
	OK(M64, B(0x44, 0x40, 0x88, 0x00), .length = 4, .op = INSN_MOV, .mem_size = 1, STORE, REG(0, 1));
	OK(M64, B(0x40, 0x4c, 0x89, 0x00), .length = 4, .op = INSN_MOV, .mem_size = 8, STORE, REG(8, 8));
	OK(M64, B(0x48, 0x40, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff), .length = 8, .op = INSN_MOV, .mem_size = 4,
	   STORE, IMM(0xffffffff));
	/* REX.R reaches r8..r15; REX.X/REX.B only touch addressing */
	OK(M64, B(0x4e, 0x8b, 0x04, 0xc8), .length = 4, .op = INSN_MOV, .mem_size = 8, LOAD, REG(8, 8));
	OK(M64, B(0x43, 0x89, 0x0c, 0xc8), .length = 4, .op = INSN_MOV, .mem_size = 4, STORE, REG(1, 4));
	/* REX before 0F is still "immediately before the opcode" */
	OK(M64, B(0x66, 0x4c, 0x0f, 0xb6, 0x00), .length = 5, .op = INSN_MOVZX, .mem_size = 1, LOAD, REG(8, 8));
	/* REX before an immediate-group opcode: REX.R does not make a register operand */
	OK(M64, B(0x4c, 0x83, 0x00, 0x01), .length = 4, .op = INSN_ADD, .mem_size = 8, RMW, IMM(1));
	/* outside 64-bit mode 40-4F are inc/dec */
	ERR(M32, B(0x48, 0x89, 0x08), -1);
	ERR(M16, B(0x40, 0x89, 0x08), -1);
}

TEST(lock_and_hle)
{
	OK(M64, B(0xf0, 0x01, 0x08), .length = 3, .op = INSN_ADD, .mem_size = 4, RMW, REG(1, 4), .lock = true);
	OK(M64, B(0xf0, 0x48, 0x09, 0x08), .length = 4, .op = INSN_OR, .mem_size = 8, RMW, REG(1, 8), .lock = true);
	OK(M64, B(0xf0, 0x80, 0x20, 0xfe), .length = 4, .op = INSN_AND, .mem_size = 1, RMW, IMM(0xfe), .lock = true);
	OK(M64, B(0xf0, 0x31, 0x08), .length = 3, .op = INSN_XOR, .mem_size = 4, RMW, REG(1, 4), .lock = true);
	OK(M64, B(0xf0, 0x29, 0x08), .length = 3, .op = INSN_SUB, .mem_size = 4, RMW, REG(1, 4), .lock = true);
	ERR(M64, B(0xf0, 0x03, 0x08), -1);      /* register destination */
	ERR(M64, B(0xf0, 0x89, 0x08), -1);      /* mov */
	ERR(M64, B(0xf0, 0x8b, 0x08), -1);
	ERR(M64, B(0xf0, 0x39, 0x08), -1);      /* cmp */
	ERR(M64, B(0xf0, 0x83, 0x38, 0x01), -1);
	ERR(M64, B(0xf0, 0x85, 0x08), -1);      /* test */
	ERR(M64, B(0xf0, 0x0f, 0xb6, 0x00), -1); /* movzx */
	ERR(M64, B(0xf0, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8), -1);
	/* F2/F3 outside string ops: only as XACQUIRE/XRELEASE hints */
	OK(M64, B(0xf2, 0xf0, 0x01, 0x08), .length = 4, .op = INSN_ADD, .mem_size = 4, RMW, REG(1, 4),
	   .lock = true);
	OK(M64, B(0xf3, 0xf0, 0x83, 0x28, 0x01), .length = 5, .op = INSN_SUB, .mem_size = 4, RMW, IMM(1),
	   .lock = true);
	OK(M64, B(0xf3, 0x89, 0x08), .length = 3, .op = INSN_MOV, .mem_size = 4, STORE, REG(1, 4));
	OK(M64, B(0xf3, 0xc6, 0x00, 0x00), .length = 4, .op = INSN_MOV, .mem_size = 1, STORE, IMM(0));
	OK(M64, B(0xf2, 0xf3, 0x88, 0x08), .length = 4, .op = INSN_MOV, .mem_size = 1, STORE, REG(1, 1));
	ERR(M64, B(0xf3, 0xf2, 0x88, 0x08), -1); /* F2 closest: not XRELEASE */
	ERR(M64, B(0xf2, 0x89, 0x08), -1);
	ERR(M64, B(0xf3, 0x8b, 0x08), -1);      /* load */
	ERR(M64, B(0xf3, 0x01, 0x08), -1);      /* alu without lock */
	ERR(M64, B(0xf2, 0x39, 0x08), -1);
}

TEST(mode_16)
{
	OK(M16, B(0x8b, 0x07), .length = 2, .op = INSN_MOV, .mem_size = 2, LOAD, REG(0, 2));            /* [bx] */
	OK(M16, B(0x8b, 0x04), .length = 2, .op = INSN_MOV, .mem_size = 2, LOAD, REG(0, 2));            /* [si]: no SIB */
	OK(M16, B(0x8b, 0x06, 0x34, 0x12), .length = 4, .op = INSN_MOV, .mem_size = 2, LOAD, REG(0, 2)); /* [0x1234] */
	OK(M16, B(0x8b, 0x46, 0xfe), .length = 3, .op = INSN_MOV, .mem_size = 2, LOAD, REG(0, 2));      /* [bp-2] */
	OK(M16, B(0x8b, 0x87, 0x34, 0x12), .length = 4, .op = INSN_MOV, .mem_size = 2, LOAD, REG(0, 2)); /* [bx+0x1234] */
	OK(M16, B(0x8b, 0x05), .length = 2, .op = INSN_MOV, .mem_size = 2, LOAD, REG(0, 2));            /* [di] */
	OK(M16, B(0x66, 0x8b, 0x07), .length = 3, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4));
	/* 67 in 16-bit mode: 32-bit addressing with SIB */
	OK(M16, B(0x67, 0x8b, 0x04, 0x24), .length = 4, .op = INSN_MOV, .mem_size = 2, LOAD, REG(0, 2),
	   .addr_size = 4);
	OK(M16, B(0x67, 0x66, 0x89, 0x05, 0x00, 0x00, 0xe0, 0xfe), .length = 8, .op = INSN_MOV, .mem_size = 4,
	   STORE, REG(0, 4), .addr_size = 4);
	OK(M16, B(0xc7, 0x06, 0x34, 0x12, 0x78, 0x56), .length = 6, .op = INSN_MOV, .mem_size = 2, STORE,
	   IMM(0x5678));
	OK(M16, B(0x66, 0xc7, 0x06, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12), .length = 9, .op = INSN_MOV,
	   .mem_size = 4, STORE, IMM(0x12345678));
	OK(M16, B(0x83, 0x0f, 0x80), .length = 3, .op = INSN_OR, .mem_size = 2, RMW, IMM(0xff80));
	OK(M16, B(0xa1, 0x34, 0x12), .length = 3, .op = INSN_MOV, .mem_size = 2, LOAD, REG(0, 2));
	OK(M16, B(0x67, 0xa1, 1, 2, 3, 4), .length = 6, .op = INSN_MOV, .mem_size = 2, LOAD, REG(0, 2),
	   .addr_size = 4);
	OK(M16, B(0x0f, 0xb6, 0x07), .length = 3, .op = INSN_MOVZX, .mem_size = 1, LOAD, REG(0, 2));
	OK(M16, B(0x26, 0x88, 0x25), .length = 3, .op = INSN_MOV, .mem_size = 1, STORE, REG(0, 1),
	   .reg_high8 = true, .seg_override = INSN_SEG_ES);
}

TEST(mode_32)
{
	OK(M32, B(0x8b, 0x00), .length = 2, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4));
	/* mod 00 r/m 101: absolute disp32, not RIP-relative, same length */
	OK(M32, B(0x89, 0x05, 0x00, 0x00, 0xe0, 0xfe), .length = 6, .op = INSN_MOV, .mem_size = 4, STORE,
	   REG(0, 4));
	OK(M32, B(0x66, 0x89, 0x08), .length = 3, .op = INSN_MOV, .mem_size = 2, STORE, REG(1, 2));
	OK(M32, B(0x67, 0x8b, 0x06, 0x34, 0x12), .length = 5, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4),
	   .addr_size = 2);
	OK(M32, B(0x67, 0x8b, 0x04), .length = 3, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4),
	   .addr_size = 2);   /* [si] */
	OK(M32, B(0xa1, 0x00, 0x00, 0xe0, 0xfe), .length = 5, .op = INSN_MOV, .mem_size = 4, LOAD, REG(0, 4));
	OK(M32, B(0x67, 0xa3, 0x00, 0x10), .length = 4, .op = INSN_MOV, .mem_size = 4, STORE, REG(0, 4),
	   .addr_size = 2);
	OK(M32, B(0x81, 0x4c, 0x24, 0x04, 0x00, 0x00, 0x00, 0x80), .length = 8, .op = INSN_OR, .mem_size = 4, RMW,
	   IMM(0x80000000));
	OK(M32, B(0x88, 0x3c, 0x8d, 0x00, 0x00, 0xe0, 0xfe), .length = 7, .op = INSN_MOV, .mem_size = 1, STORE,
	   REG(3, 1), .reg_high8 = true);   /* mov [ecx*4+0xfee00000],bh */
}

TEST(rejected)
{
	/* register-direct forms are no memory access */
	ERR(M64, B(0x89, 0xc8), -1);
	ERR(M64, B(0x8b, 0xc1), -1);
	ERR(M64, B(0x88, 0xe0), -1);
	ERR(M64, B(0xc7, 0xc0, 0, 0, 0, 0), -1);
	ERR(M64, B(0x83, 0xc0, 0x01), -1);
	ERR(M64, B(0x48, 0x63, 0xc1), -1);
	ERR(M16, B(0x8b, 0xc0), -1);
	/* opcodes we do not emulate */
	static const uint8_t unknown[] = {
		0x90, 0xc3, 0x8d /* lea */, 0x86 /* xchg */, 0x87, 0xff /* inc/dec/call */, 0xfe,
		0x10 /* adc */, 0x18 /* sbb */, 0x8f /* pop */, 0xc4 /* vex */, 0xc5, 0x62, 0xd0, 0xe4, 0x06,
	};
	for (size_t i = 0; i < sizeof unknown; i++) {
		uint8_t b[4] = { unknown[i], 0x00, 0x00, 0x00 };
		ERR(M64, RAW(b, sizeof b), -1);
		ERR(M32, RAW(b, sizeof b), -1);
	}
	ERR(M64, B(0x0f, 0x05), -1);             /* syscall */
	ERR(M64, B(0x0f, 0x38, 0x00, 0x00), -1); /* three-byte maps */
	ERR(M64, B(0x0f, 0xaf, 0x00), -1);       /* imul */
	/* bad mode */
	ERR((enum insn_mode)7, B(0x89, 0x08), -1);
}

TEST(truncated)
{
	/* every proper prefix of a valid instruction is -2 (check_ok does this for all cases above) */
	ERR(M64, B(0), -2);
	ERR(M64, RAW((const uint8_t *)"", 0), -2);
	ERR(M64, B(0x66, 0x67, 0xf0, 0x64), -2);
	ERR(M64, B(0x48), -2);
	ERR(M64, B(0x0f), -2);
	ERR(M64, B(0x8b, 0x04), -2);           /* SIB missing */
	ERR(M64, B(0x8b, 0x04, 0x25, 0, 0), -2);
	ERR(M64, B(0xa1, 1, 2, 3, 4), -2);     /* 8-byte moffs in 64-bit mode */
	ERR(M16, B(0x8b, 0x06, 0x34), -2);
	ERR(M64, B(0x48, 0xc7, 0x00, 0, 0, 0), -2);
}

TEST(length_limit)
{
	uint8_t b[20];

	/* 13 prefixes + 89 08 is exactly 15 bytes */
	memset(b, 0x66, sizeof b);
	b[13] = 0x89;
	b[14] = 0x08;
	OK(M64, RAW(b, 15), .length = 15, .op = INSN_MOV, .mem_size = 2, STORE, REG(1, 2));
	/* one more prefix makes 16: #GP, however long the buffer */
	memset(b, 0x66, sizeof b);
	b[14] = 0x89;
	b[15] = 0x08;
	ERR(M64, RAW(b, 16), -1);
	ERR(M64, RAW(b, 15), -1);       /* the 16th byte is never needed to know */
	memset(b, 0x66, sizeof b);
	ERR(M64, RAW(b, sizeof b), -1);  /* prefixes only */
	ERR(M64, RAW(b, 14), -2);
	/* the longest real forms: 15 bytes ok, 16 not */
	OK(M64, B(0x2e, 0xf0, 0x64, 0x48, 0x81, 0x84, 0xc8, 0x78, 0x56, 0x34, 0x12, 0x01, 0x00, 0x00, 0x80),
	   .length = 15, .op = INSN_ADD, .mem_size = 8, RMW, IMM(0xffffffff80000001ull), .lock = true,
	   .seg_override = INSN_SEG_FS);
	ERR(M64, B(0x2e, 0x2e, 0xf0, 0x64, 0x48, 0x81, 0x84, 0xc8, 0x78, 0x56, 0x34, 0x12, 0x01, 0x00, 0x00, 0x80),
	    -1);
	/* the limit applies before the end of a short buffer is reported */
	ERR(M64, B(0x2e, 0x2e, 0xf0, 0x64, 0x48, 0x81, 0x84, 0xc8, 0x78, 0x56, 0x34, 0x12, 0x01, 0x00, 0x00), -1);
	OK(M16, B(0x66, 0x67, 0x2e, 0x3e, 0xc7, 0x84, 0xc8, 0x78, 0x56, 0x34, 0x12, 0x01, 0x00, 0x00, 0x80),
	   .length = 15, .op = INSN_MOV, .mem_size = 4, STORE, IMM(0x80000001), .addr_size = 4,
	   .seg_override = INSN_SEG_DS);
}

/* ---- ALU against the host CPU ---------------------------------------------- */

#define ARITH INSN_RFLAGS_ARITH

/*
 * Run "op src, dst" on this CPU with the given incoming flags and return the
 * outgoing RFLAGS. The 128-byte step over the red zone keeps pushf from
 * clobbering locals the compiler keeps below %rsp.
 */
#define HW_OP(insn, mod, dst, src, fin, fout)                                            \
	__asm__ volatile("sub $128, %%rsp\n\t"                                          \
			 "push %[fi]\n\t"                                               \
			 "popf\n\t"                                                     \
			 insn " %" mod "[s], %" mod "[d]\n\t"                           \
			 "pushf\n\t"                                                    \
			 "pop %[fo]\n\t"                                                \
			 "add $128, %%rsp"                                              \
			 : [d] "+r"(dst), [fo] "=&r"(fout)                              \
			 : [s] "r"(src), [fi] "r"(fin)                                  \
			 : "cc", "memory")

#define HW_SIZES(insn, size, dst, src, fin, fout)                                        \
	do {                                                                             \
		switch (size) {                                                          \
		case 1: HW_OP(insn "b", "b", dst, src, fin, fout); break;               \
		case 2: HW_OP(insn "w", "w", dst, src, fin, fout); break;               \
		case 4: HW_OP(insn "l", "k", dst, src, fin, fout); break;               \
		default: HW_OP(insn "q", "q", dst, src, fin, fout); break;              \
		}                                                                        \
	} while (0)

/* Result (dst after the op; for cmp/test: unchanged) and flags from hardware. */
static uint64_t hw_alu(enum insn_op op, uint8_t size, uint64_t dst, uint64_t src, uint64_t fin,
		       uint64_t *fout)
{
	uint64_t d = dst, f = 0;

	switch (op) {
	case INSN_ADD:  HW_SIZES("add", size, d, src, fin, f); break;
	case INSN_SUB:  HW_SIZES("sub", size, d, src, fin, f); break;
	case INSN_CMP:  HW_SIZES("cmp", size, d, src, fin, f); break;
	case INSN_AND:  HW_SIZES("and", size, d, src, fin, f); break;
	case INSN_OR:   HW_SIZES("or", size, d, src, fin, f); break;
	case INSN_XOR:  HW_SIZES("xor", size, d, src, fin, f); break;
	case INSN_TEST: HW_SIZES("test", size, d, src, fin, f); break;
	default: break;
	}
	*fout = f;
	return size == 8 ? d : d & ((1ull << (8 * size)) - 1);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int alu_mismatches;

static void alu_compare(enum insn_op op, uint8_t size, uint64_t dst, uint64_t src, uint64_t fin)
{
	uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
	bool logic = op == INSN_AND || op == INSN_OR || op == INSN_XOR || op == INSN_TEST;
	uint64_t checked = logic ? ARITH & ~INSN_RFLAGS_AF : ARITH;
	uint64_t hw_flags, ours_flags = fin;

	uint64_t hw = hw_alu(op, size, dst, src, fin, &hw_flags);
	uint64_t ours = insn_alu(op, size, dst, src, &ours_flags);
	if (op != INSN_CMP && op != INSN_TEST && ours != hw) {
		if (alu_mismatches++ < 10)
			printf("  alu op %d size %u dst %#llx src %#llx: result %#llx, cpu %#llx\n", op, size,
			       (unsigned long long)dst, (unsigned long long)src, (unsigned long long)ours,
			       (unsigned long long)hw);
	}
	if ((ours_flags & checked) != (hw_flags & checked) ||
	    (ours_flags & ~ARITH) != (fin & ~ARITH) || ours > mask) {
		if (alu_mismatches++ < 10)
			printf("  alu op %d size %u dst %#llx src %#llx: flags %#llx, cpu %#llx\n", op, size,
			       (unsigned long long)dst, (unsigned long long)src,
			       (unsigned long long)ours_flags, (unsigned long long)hw_flags);
	}
}

static const enum insn_op alu_ops[] = {
	INSN_ADD, INSN_SUB, INSN_CMP, INSN_AND, INSN_OR, INSN_XOR, INSN_TEST,
};

TEST(alu_flags_edge_values)
{
	static const uint8_t sizes[] = { 1, 2, 4, 8 };
	alu_mismatches = 0;
	for (size_t si = 0; si < 4; si++) {
		uint8_t size = sizes[si];
		uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
		uint64_t sign = 1ull << (8 * size - 1);
		const uint64_t edges[] = {
			0, 1, 2, 0x0f, 0x10, sign - 1, sign, sign + 1, mask, mask - 1,
			mask & 0x5555555555555555ull, mask & 0xaaaaaaaaaaaaaaaaull,
			rng() & mask, rng() & mask, rng(), rng(),  /* raw: bits above size ignored */
		};
		const size_t n = sizeof edges / sizeof edges[0];
		for (size_t o = 0; o < sizeof alu_ops / sizeof alu_ops[0]; o++)
			for (size_t a = 0; a < n; a++)
				for (size_t b = 0; b < n; b++) {
					/* incoming flags: none, or all arithmetic flags set */
					alu_compare(alu_ops[o], size, edges[a], edges[b], 0x2);
					alu_compare(alu_ops[o], size, edges[a], edges[b], 0x2 | ARITH);
				}
	}
	CHECK_EQ(alu_mismatches, 0);
}

TEST(alu_flags_random)
{
	alu_mismatches = 0;
	for (int i = 0; i < 200000; i++) {
		uint8_t size = (uint8_t)(1u << (rng() & 3));
		enum insn_op op = alu_ops[rng() % (sizeof alu_ops / sizeof alu_ops[0])];
		uint64_t dst = rng(), src = rng();
		if (rng() & 1)  /* small values exercise AF/CF/ZF more */
			dst &= 0x1ff, src &= 0x1ff;
		alu_compare(op, size, dst, src, 0x2 | (rng() & ARITH));
	}
	CHECK_EQ(alu_mismatches, 0);
}

TEST(alu_known_values)
{
	uint64_t f = 0x202;   /* IF and the reserved bit survive */
	CHECK_EQ(insn_alu(INSN_ADD, 1, 0xff, 0x01, &f), 0);
	CHECK_EQ(f, 0x202 | INSN_RFLAGS_CF | INSN_RFLAGS_PF | INSN_RFLAGS_AF | INSN_RFLAGS_ZF);
	f = 0x202;
	CHECK_EQ(insn_alu(INSN_ADD, 4, 0x7fffffff, 1, &f), 0x80000000);
	CHECK_EQ(f, 0x202 | INSN_RFLAGS_PF | INSN_RFLAGS_AF | INSN_RFLAGS_SF | INSN_RFLAGS_OF);
	f = 0x202 | ARITH;
	CHECK_EQ(insn_alu(INSN_SUB, 8, 0, 1, &f), ~0ull);
	CHECK_EQ(f, 0x202 | INSN_RFLAGS_CF | INSN_RFLAGS_PF | INSN_RFLAGS_AF | INSN_RFLAGS_SF);
	f = 0x202 | ARITH;
	CHECK_EQ(insn_alu(INSN_OR, 2, 0x0f00, 0x00f0, &f), 0x0ff0);
	CHECK_EQ(f, 0x202 | INSN_RFLAGS_PF);
	/* AF is undefined after logic ops (so the hardware comparison masks it); ours clears it */
	f = 0x202 | ARITH;
	CHECK_EQ(insn_alu(INSN_AND, 1, 0x10, 0x10, &f), 0x10);
	CHECK_EQ(f, 0x202);
	f = 0x202 | ARITH;
	CHECK_EQ(insn_alu(INSN_TEST, 1, 0x30, 0x10, &f), 0x10);
	CHECK_EQ(f, 0x202);
	/* non-alu ops and bad sizes leave the flags alone */
	f = 0x202;
	CHECK_EQ(insn_alu(INSN_MOV, 2, 0x1111, 0x123456, &f), 0x3456);
	CHECK_EQ(f, 0x202);
	CHECK_EQ(insn_alu(INSN_ADD, 3, 1, 1, &f), 0);
	CHECK_EQ(f, 0x202);
}
