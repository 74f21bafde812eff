/*
 * Isolation suite, the attacker (runs with on_fault = "restart" and
 * on_reboot = "restart"). On its first start it tries every attack that the
 * hypervisor must refuse while it keeps running; then, one per start, every
 * attack that must stop it: after the Nth restart it tries stopping attack N.
 * When all are done it exits with the number of attacks that were not
 * contained. The victim partition must not notice any of it.
 */
#include "lib/guest.h"

static int refused, not_contained;

static void verdict(const char *name, bool contained)
{
	print("attack %s: %s", name, contained ? "refused" : "NOT CONTAINED");
	if (contained)
		refused++;
	else
		not_contained++;
}

/* --- attacks the hypervisor refuses while the attacker runs on --- */

static void refused_attacks(void)
{
	uint64_t v;
	verdict("move the local APIC (IA32_APIC_BASE)", wrmsr_safe(0x1b, 0xfec00900) == 13);
	verdict("x2APIC ID write", wrmsr_safe(0x802, 5) == 13);
	verdict("x2APIC ICR: INIT to cpu 1", wrmsr_safe(0x830, (1ull << 32) | 0x4500) == 13);
	verdict("x2APIC ICR: SIPI to cpu 1", wrmsr_safe(0x830, (1ull << 32) | 0x4610) == 13);
	verdict("x2APIC ICR: NMI to all others", wrmsr_safe(0x830, 0xc0400) == 13);
	verdict("read IA32_FEATURE_CONTROL", rdmsr_safe(0x3a, &v) == 13);
	verdict("point VM_HSAVE_PA elsewhere", wrmsr_safe(0xc0010117, 0x1000) == 13);
	verdict("set EFER.SVME", rdmsr_safe(0xc0000080, &v) == -1 && wrmsr_safe(0xc0000080, v | (1u << 12)) == 13);
	verdict("VMXON", TRY_INSN("vmxon (%0)", : : "r"(0x1000ull)) == 6);
	verdict("VMRUN", TRY_INSN("vmrun", : : "a"(0x1000ull)) == 6);
	outl(0xcf8, 0x80000000);
	verdict("PCI config space through 0xcf8/0xcfc", inl(0xcfc) == 0xffffffff);
	outl(0xcf8, 0x80000010);
	outl(0xcfc, 0xffffffff); /* a BAR sizing write that must go nowhere */
	verdict("PCI BAR write", inl(0xcfc) == 0xffffffff);
	/* 0x3f8 is its own virtual COM1: what it writes there reaches the
	 * console only as its own, prefixed line (the test checks the log). */
	for (const char *s = "raw bytes to 0x3f8\r\n"; *s; s++)
		outb(0x3f8, (uint8_t)*s);
	outb(0x3ff, 0x5a);
	verdict("the console UART (0x3f8) is its own", inb(0x3ff) == 0x5a);
	verdict("mask the host's PIC (0x21)", (outb(0x21, 0x00), inb(0x21) == 0xff));
	verdict("console write from foreign memory", hypercall(HC_CONSOLE_WRITE, 0x7ff00000, 64, 0) == -HC_EFAULT);
	verdict("console write with a wrapping pointer", hypercall(HC_CONSOLE_WRITE, ~0ull - 8, 64, 0) == -HC_EFAULT);
	verdict("console write, 1 TiB long", hypercall(HC_CONSOLE_WRITE, 0x100000, 1ull << 40, 0) == -HC_EINVAL);
	verdict("partition info into foreign memory", hypercall(HC_PARTITION_INFO, 0x7ff00000, 64, 0) == -HC_EFAULT);
	static char flood[4096];
	for (unsigned i = 0; i < sizeof flood; i++)
		flood[i] = 'a' + i % 26;
	int64_t r = 0;
	for (int i = 0; i < 64 && r >= 0; i++) /* 256 KiB at once */
		r = hypercall(HC_CONSOLE_WRITE, (uint64_t)flood, sizeof flood, 0);
	verdict("console flood", r == -HC_EAGAIN);
	__asm__ volatile("wbinvd; invd; wbinvd");
	verdict("cache flush storm", true);
}

/* --- attacks that must stop (fault) or reset the attacker --- */

static void disable_paging(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) none = { 0, 0 };
	__asm__ volatile("lidt %0; mov %%cr0, %%rax; and $0x7fffffff, %%eax; mov %%rax, %%cr0; ud2"
			 : : "m"(none) : "rax");
}

static const struct { const char *name; uint64_t addr; int how; } stopping[] = {
	{ "read past the end of its RAM", 0, 1 },
	{ "read at 1 GiB (another partition's host memory, maybe)", 0x40000000, 1 },
	{ "write at 3 GiB", 0xc0000000, 2 },
	{ "write the local APIC ICR (INIT to cpu 1)", 0xfee00300, 3 },
	{ "write the I/O APIC", 0xfec00000, 2 },
	{ "write PCI MMCONFIG", 0xb0000000, 2 },
	{ "write the HPET", 0xfed00000, 2 },
	{ "execute outside its RAM", 0x80000000, 4 },
	{ "disable paging with no IDT (triple fault)", 0, 5 },
	{ "halt with interrupts masked", 0, 6 },
	{ "reset through port 0xcf9", 0, 7 },
	{ "reset through the keyboard controller", 0, 8 },
};
#define STOPPING (sizeof stopping / sizeof stopping[0])

static void stopping_attack(unsigned n, uint64_t ram)
{
	uint64_t a = stopping[n].addr ? stopping[n].addr : ram;
	print("attack %s: expecting a stop", stopping[n].name);
	switch (stopping[n].how) {
	case 1: (void)*(volatile uint64_t *)a; break;
	case 2: *(volatile uint64_t *)a = 0x4141414141414141ull; break;
	case 3: *(volatile uint32_t *)(a + 0x10) = 1u << 24; *(volatile uint32_t *)a = 0x4500; break;
	case 4: ((void (*)(void))a)(); break;
	case 5: disable_paging(); break;
	case 6: __asm__ volatile("cli; hlt"); break;
	case 7: outb(0xcf9, 0x06); break;
	case 8: outb(0x64, 0xfe); break;
	}
	print("attack %s: NOT CONTAINED", stopping[n].name);
	not_contained++;
}

int test_main(void)
{
	struct hc_partition_info info;
	if (hypercall(HC_PARTITION_INFO, (uint64_t)&info, sizeof info, 0) != sizeof info)
		return 1;
	print("attacker: start %u on cpu %u, %lu MiB", info.restarts, info.cpu, info.memory >> 20);
	if (info.restarts == 0)
		refused_attacks();
	if (info.restarts < STOPPING) {
		stopping_attack(info.restarts, info.memory);
		return not_contained;
	}
	print("attacks done: %d refused, %u stopped, %d not contained", refused, (unsigned)STOPPING,
	      not_contained);
	return not_contained;
}
