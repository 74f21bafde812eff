#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <tessera/boot_info.h>

/* Called by the boot stage after ExitBootServices: switches to the kernel's
 * stack and runs kernel_main. Never returns. */
void kernel_enter(struct boot_info *bi) __attribute__((noreturn));

#endif
