/* panic: only for hypervisor bugs. Prints the message, a register dump and a
 * stack trace, stops every CPU. A guest must never be able to reach it. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void log_enter_panic(void);

#define BUG_ON(cond)                                                          \
	do {                                                                  \
		if (__builtin_expect(!!(cond), 0))                            \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
