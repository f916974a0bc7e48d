/*
 * Per-caller rate limits (the REST admin API's, seed 003): counted in
 * Redis by plain commands, one round trip per request, so that every
 * worker and node shares them; while Redis is away (or not configured),
 * in this node's table in shared memory instead, with a warning.
 */

#ifndef ATHENA_LIMIT_STORE_H
#define ATHENA_LIMIT_STORE_H

#include "athena_db.h"
#include "../core/athena_window.h"


typedef struct {
    athena_window_limit_t   limits[ATHENA_WINDOW_MAX];
    size_t                  nlimits;        /* 0: no limits */
    athena_window_slot_t   *slots;          /* the node's table */
    size_t                  nslots;
} athena_limit_conf_t;


/* a request's count in Redis: when, and the keys it went to */
typedef struct {
    int64_t                 now;
    const char             *keys[ATHENA_WINDOW_MAX];
} athena_limit_count_t;


/* a count asked for along with a session's read (one Redis round trip) */
typedef struct athena_limit_ask_s {
    const athena_limit_conf_t  *conf;
    int                         counted;      /* Redis counted ... */
    const char                 *who;          /* ... this user */
    athena_limit_count_t        count;
    athena_window_result_t      result;
} athena_limit_ask_t;


void athena_limit_check(athena_db_t *db, athena_arena_t *a,
    const athena_limit_conf_t *lc, const char *who,
    athena_window_result_t *r);
char *athena_limit_get(athena_db_t *db, athena_arena_t *a, const char *key,
    athena_limit_ask_t *ask);
void athena_limit_seen(athena_db_t *db, athena_arena_t *a, const char *key,
    athena_limit_ask_t *ask, const char *who);


#endif /* ATHENA_LIMIT_STORE_H */
