#include <string.h>

#include "athena_hash.h"
#include "athena_window.h"


/*
 * Over a window w, with e ms of the current one gone, a limit's estimate
 * is prev * (w - e) / w + cur; kept times w here, so that the arithmetic
 * stays in integers: a request passes while that is at most max * w.
 */

static int64_t
athena_window_load(const athena_window_limit_t *l,
    const athena_window_count_t *c, int64_t cur, int64_t now)
{
    int64_t  w, e;

    w = l->window;
    e = now % w;

    return c->prev * (w - e) + cur * w;
}


/*
 * How long until one more request would pass this limit, with cur (this
 * request not in it) in the current window: within it, once enough of
 * the previous window has slid out; else in the next one, once enough of
 * this one has.
 */

static int64_t
athena_window_wait(const athena_window_limit_t *l,
    const athena_window_count_t *c, int64_t cur, int64_t now)
{
    int64_t  w, e, m;

    w = l->window;
    e = now % w;
    m = l->max;

    if (cur + 1 <= m && c->prev > 0) {
        return (w - e) - (m - cur - 1) * w / c->prev;
    }

    return (w - e) + ((cur + 1 - m) * w + cur - 1) / cur;
}


void
athena_window_judge(const athena_window_limit_t *limits, size_t n,
    const athena_window_count_t *counts, int64_t now,
    athena_window_result_t *r)
{
    size_t   i;
    int64_t  w, e, cur, load, rem, reset, wait;

    memset(r, 0, sizeof(athena_window_result_t));
    r->allowed = 1;
    r->remaining = -1;

    for (i = 0; i < n && i < ATHENA_WINDOW_MAX; i++) {
        load = athena_window_load(&limits[i], &counts[i], counts[i].cur,
                                  now);

        if (load > limits[i].max * limits[i].window) {
            r->allowed = 0;
        }
    }

    for (i = 0; i < n && i < ATHENA_WINDOW_MAX; i++) {
        /* a refused request is not counted */
        cur = counts[i].cur - !r->allowed;
        load = athena_window_load(&limits[i], &counts[i], cur, now);

        if (!r->allowed && load + limits[i].window
                           > limits[i].max * limits[i].window)
        {
            wait = athena_window_wait(&limits[i], &counts[i], cur, now);

            if (wait > r->retry) {
                r->retry = wait;
            }
        }

        w = limits[i].window;
        e = now % w;
        rem = (limits[i].max * w - load) / w;

        if (rem < 0) {
            rem = 0;
        }

        /* nothing counted is left once both windows have slid out */
        reset = cur > 0 ? 2 * w - e : counts[i].prev > 0 ? w - e : 0;

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


/*
 * The same over a table shared by the threads of every worker: a key
 * takes the slot its hash names. Another key there (a collision) takes
 * it over only once nothing counted there is left; until then the two
 * share it, which limits both more, never less.
 */

void
athena_window_table(athena_window_slot_t *slots, size_t nslots,
    const char *key, const athena_window_limit_t *limits, size_t n,
    int64_t now, athena_window_result_t *r)
{
    size_t                  i;
    int64_t                 index, left;
    uint64_t                h;
    athena_window_slot_t   *s;

    h = athena_hash(key);
    s = &slots[h % nslots];

    while (__atomic_test_and_set(&s->lock, __ATOMIC_ACQUIRE)) {
        /* a few instructions' wait: the holder does arithmetic only */
    }

    left = 0;

    for (i = 0; i < n && i < ATHENA_WINDOW_MAX; i++) {
        index = athena_window_index(&limits[i], now);

        if (s->index[i] != index) {
            s->count[i].prev = s->index[i] == index - 1 ? s->count[i].cur
                                                        : 0;
            s->count[i].cur = 0;
            s->index[i] = index;
        }

        left += s->count[i].cur + s->count[i].prev;
    }

    if (s->key != h && left == 0) {
        s->key = h;
    }

    for (i = 0; i < n && i < ATHENA_WINDOW_MAX; i++) {
        s->count[i].cur++;
    }

    athena_window_judge(limits, n, s->count, now, r);

    if (!r->allowed) {
        for (i = 0; i < n && i < ATHENA_WINDOW_MAX; i++) {
            s->count[i].cur--;
        }
    }

    __atomic_clear(&s->lock, __ATOMIC_RELEASE);
}
