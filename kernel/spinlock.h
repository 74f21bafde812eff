/* Ticket spinlock: fair, so a busy CPU cannot starve another's log line. */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	volatile uint32_t next;
	volatile uint32_t owner;
};

static inline void spin_lock(struct spinlock *l)
{
	uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		__asm__ volatile("pause");
}

/* Bounded wait for paths that must make progress even if the holder died
 * (panic, exception dump). Returns false if the lock was not obtained. */
static inline bool spin_lock_bounded(struct spinlock *l, uint64_t spins)
{
	uint32_t cur = __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE);
	while (spins--) {
		uint32_t expect = cur;
		if (__atomic_load_n(&l->next, __ATOMIC_ACQUIRE) == cur &&
		    __atomic_compare_exchange_n(&l->next, &expect, cur + 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
		__asm__ volatile("pause");
		cur = __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE);
	}
	return false;
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

#endif
