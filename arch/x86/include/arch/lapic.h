/* Local APIC in xAPIC (MMIO) or x2APIC (MSR) mode (SDM Vol. 3A chapter 10/11). */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* ICR delivery modes and flags (SDM 10.6.1) */
#define ICR_INIT    (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_NMI     (4u << 8)
#define ICR_ASSERT  (1u << 14)
#define ICR_ALL_BUT_SELF (3u << 18)
/* Fixed-delivery vector that only wakes a CPU (cpu_kick): acknowledged and
 * otherwise ignored by the host. */
#define WAKE_VECTOR 0xf0
/* The host's own one-shot timer (vCPU deadlines): acknowledged and ignored
 * like WAKE_VECTOR; the interrupted vCPU loop looks at the time itself. */
#define TIMER_VECTOR 0xf1

/* Choose the mode on the boot CPU; x2APIC whenever the CPU has it. */
void lapic_init_bsp(void);
/* Put this CPU's APIC in the chosen mode and software-enable it. */
void lapic_cpu_init(void);
bool lapic_x2apic(void);
uint64_t lapic_mmio_base(void);
uint32_t lapic_id(void);
/* Send an IPI; returns false if the xAPIC never reported it delivered. */
bool lapic_send_ipi(uint32_t dest_apic_id, uint32_t icr_low);
void lapic_eoi(void);
/* Mask every local interrupt source (LVT timer, LINT0, error, thermal, perf):
 * the host takes no interrupts it did not ask for. */
void lapic_mask_lvt(void);
/* NMI to every other CPU (panic). Safe to call before lapic_init_bsp. */
void lapic_nmi_others(void);
/* The local timer: calibrated once against the TSC, then armed one-shot
 * (TIMER_VECTOR) ns from now on the calling CPU; 0 disarms. */
void lapic_timer_calibrate(void);
uint64_t lapic_timer_hz(void);
void lapic_timer_arm_ns(uint64_t ns);

#endif
