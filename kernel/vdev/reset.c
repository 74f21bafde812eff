#include "reset.h"

#define RST_CNT    0xcf9
#define RST_CPU    0x04 /* bit 2: reset now (bits 1 and 3 choose its kind) */
#define KBC_CMD    0x64
#define KBC_PULSE_RESET 0xfe

/* Reads as 0: the reset kind bits have no meaning here, and a shared
 * register would be a channel between partitions. */
static int rst_cnt(struct vcpu *v, void *ctx, uint16_t port, uint8_t size, bool in, uint32_t *value)
{
	(void)ctx;
	(void)port;
	(void)size;
	if (in) {
		*value = 0;
		return 0;
	}
	if (*value & RST_CPU)
		guest_request_reset(v, "reset through port 0xcf9");
	return 0;
}

/* Only the reset command is modelled; the keyboard controller itself is
 * absent (status reads 0: input buffer empty, no data). */
static int kbc_cmd(struct vcpu *v, void *ctx, uint16_t port, uint8_t size, bool in, uint32_t *value)
{
	(void)ctx;
	(void)port;
	(void)size;
	if (in)
		*value = 0;
	else if ((*value & 0xff) == KBC_PULSE_RESET)
		guest_request_reset(v, "reset through the keyboard controller (0xfe to port 0x64)");
	return 0;
}

int reset_attach(struct guest *g)
{
	if (guest_io_register(g, RST_CNT, 1, rst_cnt, 0))
		return -1;
	return guest_io_register(g, KBC_CMD, 1, kbc_cmd, 0);
}
