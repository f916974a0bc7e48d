/*
 * Per-caller rate limits (the REST admin API's, seed 003): counted in
 * Redis by one Lua script per request, so every worker and node shares
 * them; while Redis is away (or not configured), in this node's table in
 * shared memory instead, with a warning.
 */

#ifndef ATHENA_LIMIT_STORE_H
#define ATHENA_LIMIT_STORE_H

#include "athena_db.h"
#include "../core/athena_gcra.h"


typedef struct {
    athena_gcra_limit_t   limits[ATHENA_GCRA_MAX];
    size_t                nlimits;        /* 0: no limits */
    athena_gcra_slot_t   *slots;          /* the node's table */
    size_t                nslots;
} athena_limit_conf_t;


/* a count asked for along with a session's read (one Redis round trip) */
typedef struct athena_limit_ask_s {
    const athena_limit_conf_t  *conf;
    int                         counted;      /* Redis counted */
    athena_gcra_result_t        result;
} athena_limit_ask_t;


void athena_limit_check(athena_db_t *db, athena_arena_t *a,
    const athena_limit_conf_t *lc, const char *who, athena_gcra_result_t *r);
char *athena_limit_get(athena_db_t *db, athena_arena_t *a, const char *key,
    int uid_at, athena_limit_ask_t *ask);


#endif /* ATHENA_LIMIT_STORE_H */
