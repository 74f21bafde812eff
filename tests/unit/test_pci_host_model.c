// unit-modules: kernel/vdev/pci_host_model.c
/* The virtual PCI bus 0 (host bridge at 00:00.0) against the PCI Local Bus
 * Specification 3.0 (Configuration Mechanism #1, type 0 header), ECAM, and
 * the probes of Linux's arch/x86/pci/direct.c. */
#include <stdbool.h>
#include <stdint.h>

#include "../../kernel/vdev/pci_host_model.h"
#include "unit.h"

static int io(struct pci_host_model *m, unsigned port, unsigned size, bool write, uint32_t *v)
{
	return pci_host_model_io(m, port, size, write, v);
}

static void outl(struct pci_host_model *m, unsigned port, uint32_t v)
{
	CHECK_EQ(io(m, port, 4, true, &v), 0);
}

static uint32_t in(struct pci_host_model *m, unsigned port, unsigned size)
{
	uint32_t v = 0x12345678;
	CHECK_EQ(io(m, port, size, false, &v), 0);
	return v;
}

/* PCI_CONF1_ADDRESS of Linux's direct.c (register < 256). */
static uint32_t conf1(unsigned bus, unsigned devfn, unsigned reg)
{
	return 0x80000000u | bus << 16 | devfn << 8 | (reg & 0xfc);
}

/* Linux pci_conf1_read: address, then a data-port access at reg & 3. */
static uint32_t conf1_read(struct pci_host_model *m, unsigned bus, unsigned devfn, unsigned reg,
			   unsigned len)
{
	outl(m, 0xcf8, conf1(bus, devfn, reg));
	return in(m, 0xcfc + (reg & (len == 2 ? 2 : 3)), len);
}

static void conf1_write(struct pci_host_model *m, unsigned bus, unsigned devfn, unsigned reg,
			unsigned len, uint32_t v)
{
	outl(m, 0xcf8, conf1(bus, devfn, reg));
	CHECK_EQ(io(m, 0xcfc + (reg & 3), len, true, &v), 0);
}

static uint64_t ecam_read(struct pci_host_model *m, uint64_t off, unsigned size)
{
	uint64_t v = 0x1122334455667788ull;
	CHECK_EQ(pci_host_model_ecam_access(m, off, size, false, &v), 0);
	return v;
}

static uint64_t ecam(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return (uint64_t)bus << 20 | dev << 15 | fn << 12 | reg;
}

/* pci_check_type1 and pci_sanity_check (with the DMI year check off). */
TEST(pci_linux_type1_probe)
{
	struct pci_host_model m;
	uint32_t v = 0x01, tmp;
	pci_host_model_init(&m);
	CHECK_EQ(io(&m, 0xcfb, 1, true, &v), -1); /* not ours: mechanism #2 probe */
	tmp = in(&m, 0xcf8, 4);
	CHECK_EQ(tmp, 0);
	outl(&m, 0xcf8, 0x80000000);
	CHECK_EQ(in(&m, 0xcf8, 4), 0x80000000);
	int found = -1;
	for (unsigned devfn = 0; devfn < 0x100 && found < 0; devfn++) {
		uint32_t x = conf1_read(&m, 0, devfn, 0x0a, 2);
		if (x == 0x0600 || x == 0x0300)
			found = (int)devfn;
		else if (conf1_read(&m, 0, devfn, 0x00, 2) == 0x8086)
			found = (int)devfn;
	}
	CHECK_EQ(found, 0);
	outl(&m, 0xcf8, tmp);
	CHECK_EQ(in(&m, 0xcf8, 4), 0);
	/* Nothing else answers on bus 0. */
	for (unsigned devfn = 1; devfn < 0x100; devfn++) {
		CHECK_EQ(conf1_read(&m, 0, devfn, 0x0a, 2), 0xffff);
		CHECK_EQ(conf1_read(&m, 0, devfn, 0x00, 4), 0xffffffff);
	}
	/* pci_check_type2's byte accesses to 0xCF8-0xCFB are not claimed. */
	outl(&m, 0xcf8, 0x80001234);
	v = 0;
	CHECK_EQ(io(&m, 0xcf8, 1, true, &v), -1);
	CHECK_EQ(io(&m, 0xcfa, 1, true, &v), -1);
	CHECK_EQ(io(&m, 0xcf8, 1, false, &v), -1);
	CHECK_EQ(v, 0xff);
	CHECK_EQ(io(&m, 0xcfa, 2, false, &v), -1);
	CHECK_EQ(v, 0xffff);
	CHECK_EQ(io(&m, 0xcf9, 4, false, &v), -1);
	CHECK_EQ(in(&m, 0xcf8, 4), 0x80001234); /* the address was not touched */
}

TEST(pci_host_bridge_header)
{
	static const struct { unsigned reg; uint32_t v; } hdr[] = {
		{ 0x00, 0x29c08086 }, { 0x04, 0x00000006 }, { 0x08, 0x06000000 },
		{ 0x0c, 0x00000000 }, { 0x2c, 0x29c08086 }, { 0x34, 0 }, { 0x3c, 0 },
	};
	struct pci_host_model m;
	pci_host_model_init(&m);
	for (unsigned i = 0; i < sizeof hdr / sizeof hdr[0]; i++)
		CHECK_EQ(conf1_read(&m, 0, 0, hdr[i].reg, 4), hdr[i].v);
	for (unsigned reg = 0x10; reg <= 0x24; reg += 4) /* no BARs */
		CHECK_EQ(conf1_read(&m, 0, 0, reg, 4), 0);
	for (unsigned reg = 0x28; reg <= 0xfc; reg += 4)
		if (reg != 0x2c)
			CHECK_EQ(conf1_read(&m, 0, 0, reg, 4), 0);
	CHECK_EQ(conf1_read(&m, 0, 0, PCIHM_HEADER_TYPE, 1), 0x00);
	CHECK_EQ(conf1_read(&m, 0, 0, PCIHM_INTERRUPT_PIN, 1), 0x00);
	CHECK_EQ(conf1_read(&m, 0, 0, PCIHM_STATUS, 2), 0x0000);
}

TEST(pci_sub_offsets)
{
	struct pci_host_model m;
	uint32_t v;
	pci_host_model_init(&m);
	outl(&m, 0xcf8, conf1(0, 0, 0));
	CHECK_EQ(in(&m, 0xcfc, 1), 0x86);
	CHECK_EQ(in(&m, 0xcfd, 1), 0x80);
	CHECK_EQ(in(&m, 0xcfe, 1), 0xc0);
	CHECK_EQ(in(&m, 0xcff, 1), 0x29);
	CHECK_EQ(in(&m, 0xcfc, 2), 0x8086);
	CHECK_EQ(in(&m, 0xcfd, 2), 0xc080); /* odd but inside the dword */
	CHECK_EQ(in(&m, 0xcfe, 2), 0x29c0);
	/* Past 0xCFF, or a size that is not 1, 2, 4: refused, all ones. */
	CHECK_EQ(io(&m, 0xcff, 2, false, &v), -1);
	CHECK_EQ(v, 0xffff);
	CHECK_EQ(io(&m, 0xcfd, 4, false, &v), -1);
	CHECK_EQ(v, 0xffffffff);
	CHECK_EQ(io(&m, 0xcfc, 3, false, &v), -1);
	CHECK_EQ(io(&m, 0xcfc, 8, false, &v), -1);
	CHECK_EQ(io(&m, 0xd00, 1, false, &v), -1);
	CHECK_EQ(io(&m, 0xcf7, 1, false, &v), -1);
	/* The class code through the sub-offsets of dword 0x08. */
	outl(&m, 0xcf8, conf1(0, 0, 0x08));
	CHECK_EQ(in(&m, 0xcfe, 2), 0x0600);
	CHECK_EQ(in(&m, 0xcff, 1), 0x06);
	CHECK_EQ(in(&m, 0xcfd, 1), 0x00);
	/* CONFIG_ADDRESS bits 1:0 and 30:24 are reserved and read 0. */
	outl(&m, 0xcf8, 0xff00000b);
	CHECK_EQ(in(&m, 0xcf8, 4), 0x80000008);
	CHECK_EQ(in(&m, 0xcfc, 4), 0x06000000);
	outl(&m, 0xcf8, 0x7fffffff);
	CHECK_EQ(in(&m, 0xcf8, 4), 0x00fffffc);
}

TEST(pci_absent_functions_and_enable)
{
	struct pci_host_model m;
	pci_host_model_init(&m);
	static const struct { unsigned bus, devfn; } absent[] = {
		{ 0, 0x08 }, { 0, 0x01 }, { 0, 0x07 }, { 0, 0xf8 }, { 1, 0x00 }, { 255, 0x00 },
	};
	for (unsigned i = 0; i < sizeof absent / sizeof absent[0]; i++) {
		unsigned b = absent[i].bus, df = absent[i].devfn;
		CHECK_EQ(conf1_read(&m, b, df, 0x00, 4), 0xffffffff);
		CHECK_EQ(conf1_read(&m, b, df, 0x02, 2), 0xffff);
		CHECK_EQ(conf1_read(&m, b, df, 0x3c, 1), 0xff);
		conf1_write(&m, b, df, 0x3c, 1, 0x0b);
		conf1_write(&m, b, df, 0x04, 4, 0);
		CHECK_EQ(ecam_read(&m, ecam(b, df >> 3, df & 7, 0x00), 4), 0xffffffff);
		CHECK_EQ(ecam_read(&m, ecam(b, df >> 3, df & 7, 0x101), 1), 0xff);
	}
	/* Those writes went nowhere. */
	CHECK_EQ(conf1_read(&m, 0, 0, 0x3c, 1), 0x00);
	CHECK_EQ(conf1_read(&m, 0, 0, 0x04, 2), 0x0006);
	/* Enable bit clear: no configuration cycle, reads all ones, writes dropped. */
	outl(&m, 0xcf8, conf1(0, 0, 0x3c) & ~0x80000000u);
	CHECK_EQ(in(&m, 0xcfc, 4), 0xffffffff);
	CHECK_EQ(in(&m, 0xcfd, 1), 0xff);
	uint32_t v = 0x55;
	CHECK_EQ(io(&m, 0xcfc, 1, true, &v), 0);
	CHECK_EQ(conf1_read(&m, 0, 0, 0x3c, 1), 0x00);
}

TEST(pci_read_only_fields)
{
	struct pci_host_model m;
	pci_host_model_init(&m);
	uint32_t before[64];
	for (unsigned i = 0; i < 64; i++)
		before[i] = conf1_read(&m, 0, 0, i * 4, 4);
	/* All ones everywhere: only command bits 2:0 and the interrupt line stick. */
	for (unsigned i = 0; i < 64; i++) {
		uint64_t v = 0xffffffff;
		CHECK_EQ(pci_host_model_ecam_access(&m, i * 4, 4, true, &v), 0);
	}
	for (unsigned i = 0; i < 64; i++) {
		uint32_t want = before[i];
		if (i == 1)
			want = 0x00000007;
		if (i == 15)
			want = 0x000000ff;
		CHECK_EQ(conf1_read(&m, 0, 0, i * 4, 4), want);
	}
	/* Byte and word writes change only their bytes. */
	conf1_write(&m, 0, 0, 0x04, 1, 0x02);
	CHECK_EQ(conf1_read(&m, 0, 0, 0x04, 4), 0x00000002);
	conf1_write(&m, 0, 0, 0x3c, 2, 0xff0a); /* pin is read-only */
	CHECK_EQ(conf1_read(&m, 0, 0, 0x3c, 4), 0x0000000a);
	conf1_write(&m, 0, 0, 0x00, 4, 0);
	CHECK_EQ(conf1_read(&m, 0, 0, 0x00, 4), 0x29c08086);
	/* A reset brings the command register back. */
	pci_host_model_init(&m);
	CHECK_EQ(conf1_read(&m, 0, 0, 0x04, 4), 0x00000006);
	CHECK_EQ(conf1_read(&m, 0, 0, 0x3c, 4), 0);
}

TEST(pci_ecam_matches_cf8)
{
	struct pci_host_model m;
	pci_host_model_init(&m);
	conf1_write(&m, 0, 0, 0x3c, 1, 0x0b);
	static const unsigned buses[] = { 0, 1, 128, 255 };
	for (unsigned b = 0; b < 4; b++)
		for (unsigned devfn = 0; devfn < 0x100; devfn += (buses[b] ? 0x55 : 1))
			for (unsigned reg = 0; reg < 0x100; reg++)
				for (unsigned size = 1; size <= 4; size *= 2) {
					if ((reg & 3) + size > 4)
						continue;
					uint32_t a = conf1_read(&m, buses[b], devfn, reg, size);
					if (size == 2 && (reg & 1)) {
						/* Linux never does this; ask the port directly. */
						outl(&m, 0xcf8, conf1(buses[b], devfn, reg));
						a = in(&m, 0xcfc + (reg & 3), 2);
					}
					uint64_t e = ecam_read(&m, ecam(buses[b], devfn >> 3, devfn & 7, reg), size);
					if (a != e) {
						CHECK_EQ(a, e);
						return;
					}
				}
	/* A write through one mechanism is seen through the other. */
	uint64_t v = 0x05;
	CHECK_EQ(pci_host_model_ecam_access(&m, 0x04, 1, true, &v), 0);
	CHECK_EQ(conf1_read(&m, 0, 0, 0x04, 2), 0x0005);
	conf1_write(&m, 0, 0, 0x3c, 1, 0x42);
	CHECK_EQ(ecam_read(&m, 0x3c, 1), 0x42);
}

TEST(pci_ecam_bounds)
{
	struct pci_host_model m;
	uint64_t v;
	pci_host_model_init(&m);
	CHECK_EQ(ecam_read(&m, 0x01, 2), 0xc080); /* inside the dword */
	CHECK_EQ(ecam_read(&m, 0x0a, 2), 0x0600);
	CHECK_EQ(ecam_read(&m, 0x0b, 1), 0x06);
	/* Extended space of a present function: 0, writes ignored. */
	for (unsigned reg = 0x100; reg < 0x1000; reg += 4)
		CHECK_EQ(ecam_read(&m, reg, 4), 0);
	v = 0xffffffff;
	CHECK_EQ(pci_host_model_ecam_access(&m, 0x100, 4, true, &v), 0);
	CHECK_EQ(ecam_read(&m, 0x100, 4), 0);
	CHECK_EQ(ecam_read(&m, 0xfff, 1), 0);
	/* Crossing a dword, bad sizes, past the 256 MiB window: refused. */
	static const struct { uint64_t off; unsigned size; uint64_t ones; } bad[] = {
		{ 0x03, 2, 0xffff }, { 0x02, 4, 0xffffffff }, { 0x01, 4, 0xffffffff },
		{ 0x00, 8, UINT64_MAX }, { 0x00, 3, 0xffffff }, { 0x00, 0, 0 },
		{ 0x10000000, 4, 0xffffffff }, { 0xffffffffffffff00ull, 1, 0xff },
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = 0x42;
		CHECK_EQ(pci_host_model_ecam_access(&m, bad[i].off, bad[i].size, false, &v), -1);
		CHECK_EQ(v, bad[i].ones);
		v = 0;
		CHECK_EQ(pci_host_model_ecam_access(&m, bad[i].off, bad[i].size, true, &v), -1);
	}
	CHECK_EQ(ecam_read(&m, 0x00, 4), 0x29c08086);
	CHECK_EQ(ecam_read(&m, 0x04, 4), 0x00000006); /* the refused writes of 0 */
	/* The last function of the window is a valid (absent) one. */
	CHECK_EQ(ecam_read(&m, PCIHM_ECAM_SIZE - 4, 4), 0xffffffff);
}
