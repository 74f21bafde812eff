/*
 * Console input for partitions: bytes typed on the hypervisor's console go
 * to one partition's COM1 at a time. Ctrl-A then a digit 1-9 gives the
 * input to the partition with that number (in config order); Ctrl-A then
 * '?' lists them; Ctrl-A then 's' reports every vCPU's state; Ctrl-A twice
 * sends one Ctrl-A. Output is unaffected:
 * every partition's lines reach the console with its name as a prefix.
 * docs/getting-started.md shows it in use.
 */
#ifndef KERNEL_CONSOLE_MUX_H
#define KERNEL_CONSOLE_MUX_H

#include <stdint.h>

struct com_port;

#define CONSOLE_MUX_ESCAPE 0x01 /* Ctrl-A */

/* A partition's COM1 takes input; the first one registered has it first. */
void console_mux_register(struct com_port *c, const char *name);
/* Read what was typed and hand it on. Cheap to call often: it looks at the
 * UART at most every 2 ms, and only one CPU at a time does. */
void console_mux_poll(uint64_t now_ns);

#endif
