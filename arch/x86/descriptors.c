/* GDT with a per-CPU TSS, and the shared IDT (SDM Vol. 3A 3.4.5, 6.10, 6.14). */
#include <stddef.h>

#include <arch/cpu.h>
#include <arch/percpu.h>

void arch_reload_segments(void);
void isr_spurious(void);
extern const uint64_t isr_table[255];

struct gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, reserved;
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct gate idt[256] __attribute__((aligned(16)));

/* Accessed bits are preset so the CPU never has to write the descriptors. */
#define SEG_CODE64 0x00af9b000000ffffull
#define SEG_DATA   0x00cf93000000ffffull

static void tss_descriptor(uint64_t *d, const struct tss *tss)
{
	uint64_t base = (uint64_t)tss, limit = sizeof *tss - 1;
	d[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	       (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	d[1] = base >> 32;
}

static void set_gate(unsigned vec, uint64_t handler, unsigned ist)
{
	idt[vec] = (struct gate){
		.off_lo = handler & 0xffff, .sel = GDT_KERNEL_CS, .ist = ist,
		.type = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
		.off_mid = (handler >> 16) & 0xffff, .off_hi = handler >> 32,
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < 255; v++)
		set_gate(v, isr_table[v], 0);
	idt[2].ist = IST_NMI;
	idt[8].ist = IST_DF;
	idt[18].ist = IST_MC;
	set_gate(0xff, (uint64_t)isr_spurious, 0);
}

void cpu_load_descriptors(struct percpu *c)
{
	c->self = c;
	c->gdt[0] = 0;
	c->gdt[1] = SEG_CODE64;
	c->gdt[2] = SEG_DATA;
	tss_descriptor(&c->gdt[3], &c->tss);
	c->tss.iomap_base = sizeof c->tss; /* no I/O bitmap: ring 0 only */

	struct desc_ptr gdtr = { sizeof c->gdt - 1, (uint64_t)c->gdt };
	struct desc_ptr idtr = { sizeof idt - 1, (uint64_t)idt };
	__asm__ volatile("lgdt %0" : : "m"(gdtr));
	arch_reload_segments();
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS));
	__asm__ volatile("lidt %0" : : "m"(idtr));
	wrmsr(MSR_GS_BASE, (uint64_t)c);
}
