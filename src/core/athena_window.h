/*
 * Rate limits by sliding window counters: each limit of max requests a
 * window counts requests in fixed windows (aligned on the epoch), and
 * judges a request by this window's count plus the previous window's,
 * weighted by how much of the previous window a window ending now still
 * covers (so it assumes that window's requests came evenly). Several
 * limits are checked together: a request passes only when every one has
 * room, and a refused one is not counted.
 *
 * The counts live in Redis (plain INCRs, athena_limit_store.c) and, while
 * Redis is away, in a table of slots in shared memory that threads
 * update under a per-slot spin lock; the judgement is the same.
 */

#ifndef ATHENA_WINDOW_H
#define ATHENA_WINDOW_H

#include <stddef.h>
#include <stdint.h>


#define ATHENA_WINDOW_MAX  2          /* limits checked together */

/* max * window at most this: the judgement's sums stay in 64 bits */
#define ATHENA_WINDOW_LOAD_MAX  (1ll << 60)


typedef struct {
    int64_t   max;
    int64_t   window;                 /* ms */
} athena_window_limit_t;


/* one limit's counts: this window's (this request in it) and the last */
typedef struct {
    int64_t   cur;
    int64_t   prev;
} athena_window_count_t;


/* the outcome, of the limit closest to running out */
typedef struct {
    int       allowed;
    int64_t   limit;
    int64_t   remaining;
    int64_t   reset;                  /* ms until that limit is full again */
    int64_t   retry;                  /* ms to wait, when not allowed */
} athena_window_result_t;


typedef struct {
    char      lock;                   /* __atomic_test_and_set() */
    uint64_t  key;                    /* athena_hash() of the key */
    int64_t   index[ATHENA_WINDOW_MAX];   /* the window cur counts */
    athena_window_count_t  count[ATHENA_WINDOW_MAX];
} athena_window_slot_t;


#define athena_window_index(limit, now)  ((now) / (limit)->window)

void athena_window_judge(const athena_window_limit_t *limits, size_t n,
    const athena_window_count_t *counts, int64_t now,
    athena_window_result_t *r);
void athena_window_table(athena_window_slot_t *slots, size_t nslots,
    const char *key, const athena_window_limit_t *limits, size_t n,
    int64_t now, athena_window_result_t *r);


#endif /* ATHENA_WINDOW_H */
