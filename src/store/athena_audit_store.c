#include <string.h>

#include "athena_audit_store.h"
#include "../core/athena_crypto.h"
#include "../core/athena_json.h"


athena_store_rc_e
athena_audit_insert(athena_db_t *db, athena_arena_t *a,
    const athena_audit_t *row)
{
    char         id[ATHENA_ID_LEN + 1], hash[ATHENA_SHA256_HEX + 1];
    size_t       len;
    yajl_gen     g;
    const char  *p[10];

    if (athena_random_id(id) != 0) {
        return ATHENA_STORE_ERROR;
    }

    g = athena_gen_new();
    if (g == NULL) {
        return ATHENA_STORE_ERROR;
    }

    yajl_gen_map_open(g);
    athena_gen_key(g, "ip");
    athena_gen_str_or_null(g, row->ip);
    athena_gen_key(g, "userAgent");
    athena_gen_str_or_null(g, row->user_agent);
    yajl_gen_map_close(g);

    p[0] = id;
    p[1] = row->actor_user_id;
    p[2] = NULL;
    p[3] = row->action;
    p[4] = row->target_type;
    p[5] = row->target_id;
    p[6] = row->success ? "true" : "false";
    p[7] = row->error;
    p[8] = athena_gen_finish(a, g, &len);
    p[9] = athena_int_text(a, row->at);

    if (row->actor_token != NULL) {
        athena_sha256_hex(row->actor_token, strlen(row->actor_token), hash);
        p[2] = hash;
    }

    if (p[8] == NULL || p[9] == NULL) {
        return ATHENA_STORE_ERROR;
    }

    return athena_pg_exec(db, a,
               "INSERT INTO admin_audit_logs (id, actor_user_id,"
               " actor_session_token, action, target_type, target_id,"
               " success, error_message, metadata, created_at)"
               " VALUES ($1, $2, $3, $4, $5, $6, $7::bool, $8, $9::jsonb,"
               " to_timestamp($10::float8 / 1000))",
               10, p, NULL);
}
