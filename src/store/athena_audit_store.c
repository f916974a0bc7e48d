#include <stdio.h>
#include <string.h>

#include "athena_audit_store.h"
#include "athena_columns.h"
#include "../core/athena_crypto.h"
#include "../core/athena_json.h"


athena_store_rc_e
athena_audit_insert(athena_db_t *db, athena_arena_t *a,
    const athena_audit_t *row)
{
    char            id[ATHENA_ID_LEN + 1], hash[ATHENA_SHA256_HEX + 1];
    size_t          len;
    yajl_gen        g;
    const char     *p[10];
    athena_json_t  *details;

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

    if (row->details != NULL
        && athena_json_parse(a, row->details, strlen(row->details), 8,
                             &details) == ATHENA_JSON_OK)
    {
        athena_gen_key(g, "details");
        athena_gen_value(g, details);
    }

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


/*
 * The WHERE of the filters that are given, each a parameter, in p from
 * p[0] on: a query without the filters it does not use is planned (and
 * run) as the simple query it is. Returns the number of parameters.
 */

static int
athena_audit_where(athena_arena_t *a, const athena_audit_query_t *q,
    const char **p, char *where, size_t size)
{
    int      n;
    size_t   len;

    n = 0;
    len = 0;
    where[0] = '\0';

#define ATHENA_AUDIT_FILTER(given, value, cond)                              \
    if (given) {                                                             \
        p[n++] = value;                                                      \
        len += snprintf(where + len, size - len, "%s" cond,                 \
                        n == 1 ? " WHERE " : " AND ", n);                    \
    }

    ATHENA_AUDIT_FILTER(q->actor_user_id != NULL, q->actor_user_id,
                        "actor_user_id = $%d")
    ATHENA_AUDIT_FILTER(q->action != NULL, q->action, "action = $%d")
    ATHENA_AUDIT_FILTER(q->target_type != NULL, q->target_type,
                        "target_type = $%d")
    ATHENA_AUDIT_FILTER(q->target_id != NULL, q->target_id,
                        "target_id = $%d")
    ATHENA_AUDIT_FILTER(q->success >= 0, q->success ? "true" : "false",
                        "success = $%d::bool")
    ATHENA_AUDIT_FILTER(q->after != ATHENA_TIME_NULL,
                        athena_int_text(a, q->after),
                        "created_at >= to_timestamp($%d::float8 / 1000)")
    ATHENA_AUDIT_FILTER(q->before != ATHENA_TIME_NULL,
                        athena_int_text(a, q->before),
                        "created_at <= to_timestamp($%d::float8 / 1000)")

    return len < size ? n : -1;
}


/*
 * With no filter or an actor's alone, the total is the count the triggers
 * keep (migration 008): one row's read, by the page's own statement.
 */

#define ATHENA_AUDIT_KEPT                                                    \
    "(SELECT coalesce(max(n), 0) FROM admin_audit_log_counts"                \
    " WHERE actor_user_id = $%d)"


static int
athena_audit_kept(const athena_audit_query_t *q, int np)
{
    return np == 0 || (np == 1 && q->actor_user_id != NULL
                       && q->actor_user_id[0] != '\0');
}


/*
 * How many rows match, when the page did not say: a page that is not
 * full says it itself; else the kept count, or Postgres counts.
 */

static athena_store_rc_e
athena_audit_total(athena_db_t *db, athena_arena_t *a,
    const athena_audit_query_t *q, size_t shown, const char *where, int np,
    const char *const *p, int64_t *total)
{
    const char  *actor;

    if ((int64_t) shown < q->limit && (shown > 0 || q->offset == 0)) {
        *total = q->offset + (int64_t) shown;
        return ATHENA_STORE_OK;
    }

    if (athena_audit_kept(q, np)) {
        actor = q->actor_user_id ? q->actor_user_id : "";

        return athena_pg_count(db, a,
                               athena_sprintf(a, "SELECT " ATHENA_AUDIT_KEPT,
                                              1),
                               1, &actor, total);
    }

    return athena_pg_count(db, a,
                           athena_sprintf(a, "SELECT count(*) FROM"
                                          " admin_audit_logs%s", where),
                           np, p, total);
}


/*
 * A page of rows, newest first, and how many match in all. The session
 * token's hash stays in the table: it is never read out.
 */

athena_store_rc_e
athena_audit_list(athena_db_t *db, athena_arena_t *a,
    const athena_audit_query_t *q, athena_audit_t **rows, size_t *n,
    int64_t *total)
{
    int                 np, kept;
    char                where[512], *sql, *count, *name;
    unsigned            mask;
    size_t              i;
    const char         *p[10];
    athena_rows_t      *res;
    athena_audit_t     *r;
    athena_store_rc_e   rc;

    np = athena_audit_where(a, q, p, where, sizeof(where));
    if (np < 0) {
        return ATHENA_STORE_ERROR;
    }

    kept = athena_audit_kept(q, np);

    /* which filters are given decides the statement's text, and its name */
    mask = (q->actor_user_id != NULL) | (q->action != NULL) << 1
           | (q->target_type != NULL) << 2 | (q->target_id != NULL) << 3
           | (q->success >= 0) << 4 | (q->after != ATHENA_TIME_NULL) << 5
           | (q->before != ATHENA_TIME_NULL) << 6;

    p[np] = athena_int_text(a, q->limit);
    p[np + 1] = athena_int_text(a, q->offset);
    p[np + 2] = q->actor_user_id ? q->actor_user_id : "";

    count = kept ? athena_sprintf(a, ", " ATHENA_AUDIT_KEPT, np + 3) : "";

    sql = athena_sprintf(a, "SELECT id, actor_user_id, action, target_type,"
                         " target_id, success, error_message, metadata::text,"
                         " " ATHENA_MS("created_at") "%s"
                         " FROM admin_audit_logs%s"
                         " ORDER BY created_at DESC, id DESC"
                         " LIMIT $%d::int8 OFFSET $%d::int8",
                         count ? count : "", where, np + 1, np + 2);
    if (sql == NULL || count == NULL) {
        return ATHENA_STORE_ERROR;
    }

    /* one statement for each set of filters: kept prepared by name */
    name = athena_sprintf(a, "athena_audit_list_%x_%d", mask, kept);
    if (name == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_pg_exec_named(db, a, name, sql, np + 2 + kept, p, &res);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(res);

    if (kept && *n > 0) {
        *total = athena_rows_int(res, 0, 9, 0);

    } else {
        rc = athena_audit_total(db, a, q, *n, where, np, p, total);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }
    }

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
        r->at = athena_rows_int(res, i, 8, 0);
    }

    return ATHENA_STORE_OK;
}
