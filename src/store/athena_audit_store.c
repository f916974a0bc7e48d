#include <string.h>

#include "athena_audit_store.h"
#include "athena_columns.h"
#include "athena_where.h"
#include "../core/athena_crypto.h"
#include "../core/athena_gen.h"
#include "../core/athena_json.h"


athena_store_rc_e
athena_audit_insert(athena_db_t *db, athena_arena_t *a,
    const athena_audit_t *row)
{
    char            id[ATHENA_ID_LEN + 1], hash[ATHENA_SHA256_HEX + 1];
    size_t          len;
    athena_gen_t   *g;
    const char     *p[10];
    athena_json_t  *details;

    if (athena_random_id(id) != 0) {
        return ATHENA_STORE_ERROR;
    }

    g = athena_gen_new();
    if (g == NULL) {
        return ATHENA_STORE_ERROR;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "ip");
    athena_gen_str_or_null(g, row->ip);
    athena_gen_key(g, "userAgent");
    athena_gen_str_or_null(g, row->user_agent);

    if (row->details != NULL
        && athena_json_parse(a, row->details, strlen(row->details), 8,
                             &details) == ATHENA_JSON_OK)
    {
        athena_gen_key(g, "details");
        athena_gen_value(g, details);
    }

    athena_gen_map_close(g);

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


/* the filters that are given, in this order: a bit each in w->mask */

static void
athena_audit_where(athena_arena_t *a, const athena_audit_query_t *q,
    athena_where_t *w)
{
    athena_where_init(w);

    athena_where_add(w, 0x01, "actor_user_id = $%d", q->actor_user_id);
    athena_where_add(w, 0x02, "action = $%d", q->action);
    athena_where_add(w, 0x04, "target_type = $%d", q->target_type);
    athena_where_add(w, 0x08, "target_id = $%d", q->target_id);
    athena_where_add(w, 0x10, "success = $%d::bool",
                     q->success < 0 ? NULL : (q->success ? "true" : "false"));
    athena_where_add(w, 0x20, "created_at >= " ATHENA_TS_N,
                     q->after == ATHENA_TIME_NULL
                     ? NULL : athena_int_text(a, q->after));
    athena_where_add(w, 0x40, "created_at <= " ATHENA_TS_N,
                     q->before == ATHENA_TIME_NULL
                     ? NULL : athena_int_text(a, q->before));
}


/*
 * A page of rows, newest first, and how many match in all. With no filter
 * or an actor's alone, the total is the count the triggers keep
 * (migration 008), read by the page's own statement. The session token's
 * hash stays in the table: it is never read out.
 */

athena_store_rc_e
athena_audit_list(athena_db_t *db, athena_arena_t *a,
    const athena_audit_query_t *q, athena_audit_t **rows, size_t *n,
    int64_t *total)
{
    size_t              i;
    athena_where_t      w;
    athena_rows_t      *res;
    athena_audit_t     *r;
    athena_store_rc_e   rc;

    athena_audit_where(a, q, &w);

    if (w.mask == 0 || w.mask == 0x01) {
        athena_where_kept(&w, "(SELECT coalesce(max(n), 0)"
                          " FROM admin_audit_log_counts"
                          " WHERE actor_user_id = $%1$d)",
                          q->actor_user_id ? q->actor_user_id : "", NULL);
    }

    rc = athena_where_page(db, a, "athena_audit_list",
                           "id, actor_user_id, action, target_type,"
                           " target_id, success, error_message,"
                           " metadata::text, " ATHENA_TIME("created_at"),
                           "admin_audit_logs", &w, q->limit, q->offset,
                           &res, total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(res);

    *rows = athena_calloc(a, (*n + 1) * sizeof(athena_audit_t));
    if (*rows == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        r = &(*rows)[i];
        r->id = athena_rows_get(res, i, 0);
        r->actor_user_id = athena_rows_get(res, i, 1);
        r->action = athena_rows_get(res, i, 2);
        r->target_type = athena_rows_get(res, i, 3);
        r->target_id = athena_rows_get(res, i, 4);
        r->success = athena_rows_bool(res, i, 5, 0);
        r->error = athena_rows_get(res, i, 6);
        r->metadata = athena_rows_get(res, i, 7);
        r->at = athena_rows_time(res, i, 8, 0);
    }

    return ATHENA_STORE_OK;
}
