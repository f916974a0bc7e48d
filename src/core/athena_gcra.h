/*
 * Rate limits by GCRA (the generic cell rate algorithm): a limit of max
 * requests per window lets one request through every window / max ms,
 * with a burst of the whole max, and keeps one time per key (the
 * theoretical arrival time, "tat"). Several limits are checked together:
 * a request passes only when every one has room, and spends from all.
 * The same arithmetic runs in Redis (a Lua script, athena_rest_limit_store)
 * and, while Redis is away, over a table of slots in shared memory that
 * threads update under a per-slot spin lock.
 */

#ifndef ATHENA_GCRA_H
#define ATHENA_GCRA_H

#include <stddef.h>
#include <stdint.h>


#define ATHENA_GCRA_MAX  2            /* limits checked together */


typedef struct {
    int64_t   max;
    int64_t   window;                 /* ms */
} athena_gcra_limit_t;


/* the outcome, of the limit closest to running out */
typedef struct {
    int       allowed;
    int64_t   limit;
    int64_t   remaining;
    int64_t   reset;                  /* ms until that limit is full again */
    int64_t   retry;                  /* ms to wait, when not allowed */
} athena_gcra_result_t;


typedef struct {
    char      lock;                   /* __atomic_test_and_set() */
    uint32_t  key;                    /* a hash of the key, 0: unused */
    int64_t   tat[ATHENA_GCRA_MAX];
} athena_gcra_slot_t;


void athena_gcra(const athena_gcra_limit_t *limits, size_t n, int64_t *tat,
    int64_t now, athena_gcra_result_t *r);
void athena_gcra_table(athena_gcra_slot_t *slots, size_t nslots,
    const char *key, const athena_gcra_limit_t *limits, size_t n,
    int64_t now, athena_gcra_result_t *r);


#endif /* ATHENA_GCRA_H */
