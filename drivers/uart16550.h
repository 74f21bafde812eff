/* 16550-compatible UART on an I/O port (PC16550D datasheet). */
#ifndef DRIVERS_UART16550_H
#define DRIVERS_UART16550_H

#include <stddef.h>
#include <stdint.h>

#define UART_COM1 0x3f8

void uart_init(uint16_t port);
void uart_write(const char *s, size_t n);
uint16_t uart_port(void);
/* A received byte, or -1 when none is waiting (never blocks). */
int uart_try_getc(void);
/* The same on any 16550 (a partition's own UART): set up, write a byte
 * (bounded wait), read a byte or -1. */
void uart_port_init(uint16_t port);
void uart_port_putc(uint16_t port, char c);
int uart_port_try_getc(uint16_t port);

#endif
