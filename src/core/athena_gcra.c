#include <string.h>

#include "athena_gcra.h"


/*
 * The request at now against each limit's tat[] (0: none yet): allowed
 * when, for every limit, the new tat (the later of tat and now, plus one
 * interval) stays within a window of now; then every tat[] moves on.
 * Intervals are exact in ms only when window / max is whole: the
 * division rounds down, so a fractional interval lets a little more
 * through, never less.
 */

void
athena_gcra(const athena_gcra_limit_t *limits, size_t n, int64_t *tat,
    int64_t now, athena_gcra_result_t *r)
{
    size_t   i;
    int64_t  t, next[ATHENA_GCRA_MAX], ivl[ATHENA_GCRA_MAX], wait, rem,
             reset;

    memset(r, 0, sizeof(athena_gcra_result_t));
    r->allowed = 1;
    r->remaining = -1;

    for (i = 0; i < n && i < ATHENA_GCRA_MAX; i++) {
        ivl[i] = limits[i].window / limits[i].max;
        t = tat[i] > now ? tat[i] : now;
        next[i] = t + ivl[i];

        if (next[i] - now > limits[i].window) {
            r->allowed = 0;
            wait = next[i] - limits[i].window - now;

            if (wait > r->retry) {
                r->retry = wait;
            }
        }
    }

    for (i = 0; i < n && i < ATHENA_GCRA_MAX; i++) {
        if (r->allowed) {
            tat[i] = next[i];
        }

        t = tat[i] > now ? tat[i] : now;
        rem = (limits[i].window - (t - now)) / ivl[i];
        reset = t - now;

        if (rem < 0) {
            rem = 0;
        }

        /* of two with as little left, the one that stays longer */
        if (r->remaining < 0 || rem < r->remaining
            || (rem == r->remaining && reset > r->reset))
        {
            r->limit = limits[i].max;
            r->remaining = rem;
            r->reset = reset;
        }
    }

    if (r->remaining < 0) {
        r->remaining = 0;
    }
}


/* FNV-1a, never 0 (which marks a slot unused) */

static uint32_t
athena_gcra_hash(const char *key)
{
    uint32_t  h;

    for (h = 2166136261u; *key; key++) {
        h = (h ^ (unsigned char) *key) * 16777619u;
    }

    return h ? h : 1;
}


/*
 * The same over a table shared by the threads of every worker: a key
 * takes the slot its hash names. Another key there (a collision) takes
 * it over only once the slot's limits are full again; until then the two
 * share it, which limits both more, never less.
 */

void
athena_gcra_table(athena_gcra_slot_t *slots, size_t nslots, const char *key,
    const athena_gcra_limit_t *limits, size_t n, int64_t now,
    athena_gcra_result_t *r)
{
    size_t               i;
    uint32_t             h;
    athena_gcra_slot_t  *s;

    h = athena_gcra_hash(key);
    s = &slots[h % nslots];

    while (__atomic_test_and_set(&s->lock, __ATOMIC_ACQUIRE)) {
        /* a few instructions' wait: the holder does arithmetic only */
    }

    if (s->key != h) {
        for (i = 0; i < n && i < ATHENA_GCRA_MAX; i++) {
            if (s->tat[i] > now) {
                break;
            }
        }

        if (i == n || i == ATHENA_GCRA_MAX) {
            memset(s->tat, 0, sizeof(s->tat));
            s->key = h;
        }
    }

    athena_gcra(limits, n, s->tat, now, r);

    __atomic_clear(&s->lock, __ATOMIC_RELEASE);
}
