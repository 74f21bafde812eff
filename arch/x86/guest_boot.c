#include <arch/cpu.h>
#include <arch/guest_boot.h>
#include <kernel/guest.h>
#include <kernel/string.h>

#define PAT_DEFAULT 0x0007040600070406ull /* SDM 13.12.4: power-up PAT */

/* Access rights in the VMX layout (see vcpu.h). */
#define AR_CODE64 0xa09b /* present, code exec/read accessed, L, G */
#define AR_DATA   0xc093 /* present, data read/write accessed, D/B, G */
#define AR_CODE32 0xc09b /* present, code exec/read accessed, D, G */
#define AR_TSS64  0x008b /* present, busy 64-bit TSS */
#define AR_LDT    0x0082
#define AR_RCODE  0x009b /* real-mode code */
#define AR_RDATA  0x0093

static void seg(struct vcpu_state *s, enum vseg i, uint16_t sel, uint64_t base, uint32_t limit,
		uint32_t ar)
{
	s->seg[i] = (struct vseg_state){ sel, ar, limit, base };
}

static void real_mode_state(struct vcpu_state *s, uint16_t cs, uint64_t base, uint64_t ip)
{
	memset(s, 0, sizeof *s);
	for (int i = VSEG_ES; i <= VSEG_GS; i++)
		seg(s, (enum vseg)i, 0, 0, 0xffff, AR_RDATA);
	seg(s, VSEG_CS, cs, base, 0xffff, AR_RCODE);
	seg(s, VSEG_LDTR, 0, 0, 0xffff, AR_LDT);
	seg(s, VSEG_TR, 0, 0, 0xffff, AR_TSS64);
	seg(s, VSEG_GDTR, 0, 0, 0xffff, 0);
	seg(s, VSEG_IDTR, 0, 0, 0xffff, 0);
	s->rip = ip;
	s->rflags = 2;
	s->cr0 = 0x60000010; /* CD NW ET */
	s->pat = PAT_DEFAULT;
}

void vcpu_reset_state(struct vcpu_state *s, uint8_t vector)
{
	if (vector)
		vcpu_sipi_state(s, vector);
	else
		real_mode_state(s, 0xf000, 0xffff0000, 0xfff0);
}

/* SDM Vol. 3A 9.4.4.2 / 11.6.1: a SIPI starts the processor at
 * vector:0000 in real mode, vector 0 included. */
void vcpu_sipi_state(struct vcpu_state *s, uint8_t vector)
{
	real_mode_state(s, (uint16_t)(vector << 8), (uint64_t)vector << 12, 0);
}

static int write_page_tables(struct guest *g)
{
	uint64_t *pml4 = guest_ram_ptr(g, GUEST_BOOT_PML4, 0x6000);
	if (!pml4)
		return -1;
	uint64_t *pdpt = pml4 + 512, *pd = pml4 + 1024;
	memset(pml4, 0, 0x6000);
	pml4[0] = (GUEST_BOOT_PML4 + 0x1000) | 3;
	for (uint64_t i = 0; i < 4; i++)
		pdpt[i] = (GUEST_BOOT_PML4 + 0x2000 + i * 0x1000) | 3;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | 0x83; /* present, writable, 2 MiB */
	return 0;
}

/* null, code64 (0x08), data (0x10), TSS (0x18, 16 bytes) */
static int write_gdt(struct guest *g)
{
	uint64_t *gdt = guest_ram_ptr(g, GUEST_BOOT_GDT, 40);
	if (!gdt)
		return -1;
	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffull;
	gdt[2] = 0x00cf93000000ffffull;
	gdt[3] = 0x00008b0000000067ull;
	gdt[4] = 0;
	return 0;
}

int guest_boot_write_tables(struct guest *g)
{
	return write_page_tables(g) || write_gdt(g) ? -1 : 0;
}

int guest_boot_long_mode(struct guest *g, struct vcpu_state *s, uint64_t entry, uint64_t stack)
{
	if (guest_boot_write_tables(g))
		return -1;
	guest_boot_long_mode_state(s, entry, stack);
	return 0;
}

void guest_boot_long_mode_state(struct vcpu_state *s, uint64_t entry, uint64_t stack)
{
	memset(s, 0, sizeof *s);
	seg(s, VSEG_CS, 0x08, 0, 0xffffffff, AR_CODE64);
	for (int i = VSEG_ES; i <= VSEG_GS; i++)
		if (i != VSEG_CS)
			seg(s, (enum vseg)i, 0x10, 0, 0xffffffff, AR_DATA);
	seg(s, VSEG_TR, 0x18, 0, 0x67, AR_TSS64);
	seg(s, VSEG_LDTR, 0, 0, 0, SEG_UNUSABLE);
	seg(s, VSEG_GDTR, 0, GUEST_BOOT_GDT, 39, 0);
	seg(s, VSEG_IDTR, 0, 0, 0, 0);
	s->rip = entry;
	s->rsp = stack;
	s->rflags = 2;
	s->cr0 = CR0_PE | CR0_MP | 0x10 /* ET */ | 0x20 /* NE */ | CR0_WP | CR0_PG;
	s->cr3 = GUEST_BOOT_PML4;
	s->cr4 = CR4_PAE | (1u << 9) | (1u << 10); /* OSFXSR, OSXMMEXCPT */
	s->efer = EFER_LME | (1ull << 10) /* LMA */ | EFER_NXE;
	s->pat = PAT_DEFAULT;
}

/* The GDT the Linux and Multiboot protocols expect: a flat 32-bit code
 * segment (0x08, Multiboot 0.6.96 3.2), __BOOT_CS = 0x10 (64-bit code) and
 * __BOOT_DS = 0x18 (Linux boot.rst, "64-bit Boot Protocol"), a TSS at 0x20. */
int guest_boot_write_os_gdt(struct guest *g)
{
	uint64_t *gdt = guest_ram_ptr(g, GUEST_BOOT_GDT_OS, 48);
	if (!gdt)
		return -1;
	gdt[0] = 0;
	gdt[1] = 0x00cf9b000000ffffull;
	gdt[2] = 0x00af9b000000ffffull;
	gdt[3] = 0x00cf93000000ffffull;
	gdt[4] = 0x00008b0000000067ull;
	gdt[5] = 0;
	return 0;
}

static void os_segments(struct vcpu_state *s, uint16_t cs, uint32_t cs_ar)
{
	seg(s, VSEG_CS, cs, 0, 0xffffffff, cs_ar);
	for (int i = VSEG_ES; i <= VSEG_GS; i++)
		if (i != VSEG_CS)
			seg(s, (enum vseg)i, 0x18, 0, 0xffffffff, AR_DATA);
	seg(s, VSEG_TR, 0x20, 0, 0x67, AR_TSS64);
	seg(s, VSEG_LDTR, 0, 0, 0, SEG_UNUSABLE);
	seg(s, VSEG_GDTR, 0, GUEST_BOOT_GDT_OS, 47, 0);
	seg(s, VSEG_IDTR, 0, 0, 0, 0);
}

/* Linux 64-bit entry: long mode on the identity map, CS 0x10, data 0x18,
 * interrupts off; the caller sets RSI to boot_params. */
void guest_boot_linux_state(struct vcpu_state *s, uint64_t entry)
{
	guest_boot_long_mode_state(s, entry, 0);
	os_segments(s, 0x10, AR_CODE64);
}

/* Multiboot 0.6.96 3.2: 32-bit protected mode, paging off, flat CS and
 * data segments, IF clear; the caller sets EAX and EBX. */
void guest_boot_protected_state(struct vcpu_state *s, uint64_t entry)
{
	memset(s, 0, sizeof *s);
	os_segments(s, 0x08, AR_CODE32);
	s->rip = entry;
	s->rflags = 2;
	s->cr0 = CR0_PE | 0x10 /* ET */;
	s->pat = PAT_DEFAULT;
}
