/*
 * The api-key plugin's table (apikey) and the module's Redis entries for
 * keys: the row cached by its hash, and the per-key counters of the
 * plugin's rate limit, shared by every worker and node.
 */

#ifndef ATHENA_APIKEY_STORE_H
#define ATHENA_APIKEY_STORE_H

#include "athena_db.h"
#include "../core/athena_model.h"


/* what an update changes: each flag says its field is given */
#define ATHENA_AK_NAME         0x001
#define ATHENA_AK_ENABLED      0x002
#define ATHENA_AK_EXPIRES      0x004
#define ATHENA_AK_METADATA     0x008
#define ATHENA_AK_REMAINING    0x010
#define ATHENA_AK_REFILL       0x020    /* amount and interval together */
#define ATHENA_AK_RATE_ON      0x040
#define ATHENA_AK_RATE_WINDOW  0x080
#define ATHENA_AK_RATE_MAX     0x100
#define ATHENA_AK_PERMISSIONS  0x200


/* what the plugin's rate limit says of one more request */
typedef struct {
    int        allowed;
    int64_t    count;             /* requestCount after this request */
    int64_t    last;              /* lastRequest after it */
    int64_t    retry_ms;          /* when refused: tryAgainIn */
    int        fold;              /* this request writes them to Postgres */
} athena_apikey_count_t;


athena_store_rc_e athena_apikey_insert(athena_db_t *db, athena_arena_t *a,
    athena_apikey_t *k);
athena_store_rc_e athena_apikey_by_id(athena_db_t *db, athena_arena_t *a,
    const char *id, athena_apikey_t *k);
athena_store_rc_e athena_apikey_by_hash(athena_db_t *db, athena_arena_t *a,
    const char *hash, athena_apikey_t *k);
athena_store_rc_e athena_apikey_list(athena_db_t *db, athena_arena_t *a,
    const char *reference_id, const char *sort_by, int desc,
    athena_apikey_t **list, size_t *n);
athena_store_rc_e athena_apikey_update(athena_db_t *db, athena_arena_t *a,
    unsigned set, const athena_apikey_t *v, athena_apikey_t *k);
athena_store_rc_e athena_apikey_delete(athena_db_t *db, athena_arena_t *a,
    const athena_apikey_t *k);
athena_store_rc_e athena_apikey_consume(athena_db_t *db, athena_arena_t *a,
    athena_apikey_t *k, int64_t now);
athena_store_rc_e athena_apikey_count(athena_db_t *db, athena_arena_t *a,
    const athena_apikey_t *k, int64_t now, athena_apikey_count_t *c);
athena_store_rc_e athena_apikey_touch(athena_db_t *db, athena_arena_t *a,
    const athena_apikey_t *k, const athena_apikey_count_t *c);
int athena_apikey_sortable(const char *field);


#endif /* ATHENA_APIKEY_STORE_H */
