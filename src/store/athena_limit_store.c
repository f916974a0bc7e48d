#include <stdlib.h>
#include <string.h>

#include "athena_auth_store.h"
#include "athena_limit_store.h"
#include "../core/athena_buf.h"
#include "../core/athena_time.h"


/*
 * Each limit counts in one key per window: "rl:admin:" the user, the
 * window's length and its number since the epoch (on this node's clock),
 * kept until the next window has used it too. A request is one pipelined
 * round trip: an INCR of each limit's current window, then one MGET of
 * the previous windows'. Each INCR is atomic and answers the request its
 * own place in its window, and nothing is read and then written, so two
 * requests never both take the last place: a MULTI around them added
 * Redis's EXEC and nothing else. The INCR that makes a key (its count is
 * 1) is followed by the key's expiry, once per window and limit: sent
 * with every request, it cost Redis more than the INCR. Plain commands
 * cost Redis a microsecond each where a Lua script costs it tens; a
 * refusal takes its count back with DECRs (a round trip that only
 * refusals pay).
 */

#define ATHENA_LIMIT_CMDS  (ATHENA_WINDOW_MAX + 1)
#define ATHENA_LIMIT_VALS  (2 * ATHENA_WINDOW_MAX)


static char *
athena_limit_key(athena_db_t *db, athena_arena_t *a, const char *who,
    const athena_window_limit_t *l, int64_t index)
{
    athena_buf_t  key;

    athena_buf_init(&key, a);
    athena_buf_str(&key, athena_db_conf(db)->cache_prefix);
    athena_buf_add(&key, "rl:admin:", sizeof("rl:admin:") - 1);
    athena_buf_str(&key, who);
    athena_buf_add(&key, ":", 1);
    athena_buf_int(&key, l->window);
    athena_buf_add(&key, ":", 1);
    athena_buf_int(&key, index);

    return key.failed ? NULL : key.data;
}


/*
 * op (DECR; NULL: none) on the current window of each limit in mask,
 * and its expiry if it has none (a key INCR made, or one gone meanwhile
 * that DECR made: never left behind for ever). A worker that dies
 * between an INCR that made a key and this leaves that one key without
 * an expiry.
 */

static void
athena_limit_fix(athena_db_t *db, athena_arena_t *a,
    const athena_limit_conf_t *lc, const athena_limit_count_t *c,
    const char *op, unsigned mask)
{
    char                *ttl;
    size_t               i, n;
    athena_redis_val_t   vals[2 * ATHENA_WINDOW_MAX];
    athena_redis_cmd_t   cmds[2 * ATHENA_WINDOW_MAX];

    n = 0;

    for (i = 0; i < lc->nlimits; i++) {
        if (!(mask & (1u << i))) {
            continue;
        }

        ttl = athena_int_text(a, 2 * lc->limits[i].window);
        if (ttl == NULL) {
            return;
        }

        if (op != NULL) {
            cmds[n].argc = 2;
            cmds[n].argv[0] = op;
            cmds[n].argv[1] = c->keys[i];
            n++;
        }

        cmds[n].argc = 4;
        cmds[n].argv[0] = "PEXPIRE";
        cmds[n].argv[1] = c->keys[i];
        cmds[n].argv[2] = ttl;
        cmds[n].argv[3] = "NX";
        n++;
    }

    if (n > 0) {
        (void) athena_redis_batch(db, a, cmds, n, vals, n);
    }
}


/* a refused (or misdirected) request's counts taken back */

static void
athena_limit_refund(athena_db_t *db, athena_arena_t *a,
    const athena_limit_conf_t *lc, const athena_limit_count_t *c)
{
    athena_limit_fix(db, a, lc, c, "DECR", (1u << lc->nlimits) - 1);
}


/* the commands that count one request of who, into cmds: how many, or 0 */

static size_t
athena_limit_commands(athena_db_t *db, athena_arena_t *a,
    const athena_limit_conf_t *lc, const char *who,
    athena_limit_count_t *c, athena_redis_cmd_t *cmds)
{
    size_t                        i;
    int64_t                       index;
    athena_redis_cmd_t           *mget;
    const athena_window_limit_t  *l;

    c->now = athena_now_ms();

    mget = &cmds[lc->nlimits];
    mget->argc = 1 + (int) lc->nlimits;
    mget->argv[0] = "MGET";

    for (i = 0; i < lc->nlimits; i++) {
        l = &lc->limits[i];
        index = athena_window_index(l, c->now);

        c->keys[i] = athena_limit_key(db, a, who, l, index);
        mget->argv[1 + i] = athena_limit_key(db, a, who, l, index - 1);

        if (c->keys[i] == NULL || mget->argv[1 + i] == NULL) {
            return 0;
        }

        cmds[i].argc = 2;
        cmds[i].argv[0] = "INCR";
        cmds[i].argv[1] = c->keys[i];
    }

    return lc->nlimits + 1;
}


/*
 * The counts' values (the INCRs', then the previous windows') judged: -1
 * if they are not what Redis answers.
 */

static int
athena_limit_judge(athena_db_t *db, athena_arena_t *a,
    const athena_limit_conf_t *lc, const athena_limit_count_t *c,
    const athena_redis_val_t *vals, athena_window_result_t *r)
{
    size_t                    i;
    unsigned                  made;
    const athena_redis_val_t *v;
    athena_window_count_t     counts[ATHENA_WINDOW_MAX];

    made = 0;
    memset(counts, 0, sizeof(counts));

    for (i = 0; i < lc->nlimits; i++) {
        if (vals[i].type != ATHENA_REDIS_INT) {
            return -1;
        }

        counts[i].cur = vals[i].integer;

        if (counts[i].cur == 1) {
            made |= 1u << i;
        }

        v = &vals[lc->nlimits + i];
        counts[i].prev = v->type == ATHENA_REDIS_STR
                         ? strtoll(v->str, NULL, 10) : 0;
    }

    athena_window_judge(lc->limits, lc->nlimits, counts, c->now, r);

    if (!r->allowed) {
        athena_limit_refund(db, a, lc, c);

    } else if (made) {
        athena_limit_fix(db, a, lc, c, NULL, made);
    }

    return 0;
}


void
athena_limit_check(athena_db_t *db, athena_arena_t *a,
    const athena_limit_conf_t *lc, const char *who,
    athena_window_result_t *r)
{
    size_t                 n;
    athena_redis_val_t     vals[ATHENA_LIMIT_VALS];
    athena_redis_cmd_t     cmds[ATHENA_LIMIT_CMDS];
    athena_limit_count_t   c;

    if (who == NULL) {
        who = "";
    }

    n = athena_limit_commands(db, a, lc, who, &c, cmds);

    if (n > 0
        && athena_redis_batch(db, a, cmds, n, vals, 2 * lc->nlimits)
           == (int) (2 * lc->nlimits)
        && athena_limit_judge(db, a, lc, &c, vals, r) == 0)
    {
        return;
    }

    /* never unlimited: this node counts alone until Redis is back */
    if (athena_db_conf(db)->redis_enabled) {
        athena_db_warn(db, "redis unavailable: the admin API's rate limits"
                           " are counted by this node alone");
    }

    athena_window_table(lc->slots, lc->nslots, who, lc->limits, lc->nlimits,
                        athena_now_ms(), r);
}


/*
 * The cached session at key (NULL: none, or Redis unavailable), and
 * with it the count ask wants of its user, when this thread has seen the
 * session before and so knows whose it is: ask->counted says whether
 * Redis counted, and ask->who whom (athena_limit_seen() checks it).
 */

char *
athena_limit_get(athena_db_t *db, athena_arena_t *a, const char *key,
    athena_limit_ask_t *ask)
{
    size_t                 n, nvals;
    const char            *who;
    athena_redis_val_t     vals[1 + ATHENA_LIMIT_VALS];
    athena_redis_cmd_t     cmds[1 + ATHENA_LIMIT_CMDS];

    who = athena_db_memo(db, key);
    if (who == NULL) {
        return athena_redis_get(db, a, key);
    }

    ask->who = athena_strdup(a, who);
    if (ask->who == NULL) {
        return NULL;
    }

    cmds[0].argc = 2;
    cmds[0].argv[0] = "GET";
    cmds[0].argv[1] = key;

    n = athena_limit_commands(db, a, ask->conf, ask->who, &ask->count,
                              cmds + 1);
    nvals = 1 + 2 * ask->conf->nlimits;

    if (n == 0
        || athena_redis_batch(db, a, cmds, n + 1, vals, nvals) != (int) nvals)
    {
        return NULL;
    }

    if (athena_limit_judge(db, a, ask->conf, &ask->count, vals + 1,
                           &ask->result)
        == 0)
    {
        ask->counted = 1;
    }

    return vals[0].type == ATHENA_REDIS_STR ? vals[0].str : NULL;
}


/*
 * The session at key is who's (NULL: there is none): remembered for its
 * next request; a count made for another user, or for a session that is
 * gone, is taken back, and the caller counts who itself.
 */

void
athena_limit_seen(athena_db_t *db, athena_arena_t *a, const char *key,
    athena_limit_ask_t *ask, const char *who)
{
    int  known;

    /* the memo named who already when the count rode the session's read */
    known = who != NULL && ask->who != NULL && strcmp(ask->who, who) == 0;

    if (who != NULL && !known) {
        athena_db_memo_put(db, key, who);
    }

    if (!ask->counted || known) {
        return;
    }

    if (ask->result.allowed) {
        athena_limit_refund(db, a, ask->conf, &ask->count);
    }

    ask->counted = 0;
}
