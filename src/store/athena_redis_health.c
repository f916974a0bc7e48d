#include <stdint.h>
#include <stdatomic.h>

#include "athena_redis_health.h"
#include "../core/athena_time.h"


/* athena_clock_ms() until which Redis rests; 0 while it answers */
static _Atomic int64_t  athena_redis_rest_until;


/*
 * 1: ask Redis. Once the window is over, the one caller that claims it
 * asks, and the others keep away for another window unless its command
 * is answered: a Redis that is still sick costs one timeout again, not
 * one per thread that happened to be waiting for the window to end.
 */

int
athena_redis_may_ask(int retry_ms)
{
    int64_t  until, now;

    until = atomic_load_explicit(&athena_redis_rest_until,
                                 memory_order_relaxed);
    if (until == 0) {
        return 1;
    }

    now = athena_clock_ms();
    if (now < until) {
        return 0;
    }

    return atomic_compare_exchange_strong(&athena_redis_rest_until, &until,
                                          now + retry_ms);
}


void
athena_redis_failed(int retry_ms)
{
    atomic_store_explicit(&athena_redis_rest_until,
                          athena_clock_ms() + retry_ms,
                          memory_order_relaxed);
}


/* the one load on the healthy path; a store only when Redis comes back */

void
athena_redis_answered(void)
{
    if (atomic_load_explicit(&athena_redis_rest_until, memory_order_relaxed)
        != 0)
    {
        atomic_store_explicit(&athena_redis_rest_until, 0,
                              memory_order_relaxed);
    }
}
