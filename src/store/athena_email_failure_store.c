#include <string.h>

#include "athena_columns.h"
#include "athena_email_failure_store.h"
#include "athena_where.h"
#include "../core/athena_json.h"


#define ATHENA_FAILURE_COLS                                                  \
    "id, user_id, recipient_email, flow, provider, error_message,"           \
    " metadata::text, resolved, resolution_note, "                           \
    ATHENA_TIME("created_at") ", " ATHENA_TIME("updated_at")


static void
athena_failure_read(const athena_rows_t *rows, size_t r,
    athena_email_failure_t *f)
{
    f->id = athena_rows_get(rows, r, 0);
    f->user_id = athena_rows_get(rows, r, 1);
    f->recipient_email = athena_rows_get(rows, r, 2);
    f->flow = athena_rows_get(rows, r, 3);
    f->provider = athena_rows_get(rows, r, 4);
    f->error_message = athena_rows_get(rows, r, 5);
    f->metadata = athena_rows_get(rows, r, 6);
    f->resolved = athena_rows_bool(rows, r, 7, 0);
    f->resolution_note = athena_rows_get(rows, r, 8);
    f->created_at = athena_rows_time(rows, r, 9, 0);
    f->updated_at = athena_rows_time(rows, r, 10, 0);
}


/* a new failure starts unresolved */

athena_store_rc_e
athena_email_failure_insert(athena_db_t *db, athena_arena_t *a,
    athena_email_failure_t *f)
{
    const char         *p[8];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = f->id;
    p[1] = f->user_id;
    p[2] = f->recipient_email;
    p[3] = f->flow;
    p[4] = f->provider;
    p[5] = f->error_message;
    p[6] = f->metadata;
    p[7] = athena_int_text(a, f->created_at);

    rc = athena_pg_one(db, a,
             "INSERT INTO email_send_failures (id, user_id, recipient_email,"
             " flow, provider, error_message, metadata, resolved, created_at,"
             " updated_at)"
             " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, false, "
             ATHENA_TS(8) ", " ATHENA_TS(8) ")"
             " RETURNING " ATHENA_FAILURE_COLS,
             8, p, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_failure_read(rows, 0, f);
    }

    return rc;
}


athena_store_rc_e
athena_email_failure_get(athena_db_t *db, athena_arena_t *a, const char *id,
    athena_email_failure_t *f)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_one(db, a,
             "SELECT " ATHENA_FAILURE_COLS " FROM email_send_failures"
             " WHERE id = $1",
             1, &id, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_failure_read(rows, 0, f);
    }

    return rc;
}


athena_store_rc_e
athena_email_failure_list(athena_db_t *db, athena_arena_t *a,
    const athena_email_failure_query_t *q, athena_email_failure_t **list,
    size_t *n, int64_t *total)
{
    size_t              i;
    athena_where_t      w;
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    athena_where_init(&w);

    athena_where_add(&w, 0x01, "lower(recipient_email) = lower($%d)",
                     q->recipient_email);
    athena_where_add(&w, 0x02, "provider = $%d", q->provider);
    athena_where_add(&w, 0x04, "flow = $%d", q->flow);
    athena_where_add(&w, 0x08, "resolved = $%d::bool",
                     q->resolved < 0 ? NULL
                                     : (q->resolved ? "true" : "false"));
    athena_where_add(&w, 0x10, "created_at >= " ATHENA_TS_N,
                     q->after == ATHENA_TIME_NULL
                     ? NULL : athena_int_text(a, q->after));
    athena_where_add(&w, 0x20, "created_at <= " ATHENA_TS_N,
                     q->before == ATHENA_TIME_NULL
                     ? NULL : athena_int_text(a, q->before));

    rc = athena_where_page(db, a, "athena_email_failure_list",
                           ATHENA_FAILURE_COLS, "email_send_failures", &w,
                           q->limit, q->offset, &rows, total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *list = athena_calloc(a, (*n + 1) * sizeof(athena_email_failure_t));
    if (*list == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        athena_failure_read(rows, i, &(*list)[i]);
    }

    return ATHENA_STORE_OK;
}


/* resolved, the note (NULL clears it) and metadata (whole), as flagged */

athena_store_rc_e
athena_email_failure_update(athena_db_t *db, athena_arena_t *a,
    unsigned set, const athena_email_failure_t *v, int64_t now,
    athena_email_failure_t *f)
{
    const char         *p[6];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = f->id;
    p[1] = athena_int_text(a, set);
    p[2] = v->resolved ? "true" : "false";
    p[3] = v->resolution_note;
    p[4] = v->metadata;
    p[5] = athena_int_text(a, now);

    rc = athena_pg_one(db, a,
             "UPDATE email_send_failures SET"
             " resolved = CASE WHEN $2::int4 & 1 <> 0 THEN $3::bool"
             " ELSE resolved END,"
             " resolution_note = CASE WHEN $2::int4 & 2 <> 0 THEN $4"
             " ELSE resolution_note END,"
             " metadata = CASE WHEN $2::int4 & 4 <> 0 THEN $5::jsonb"
             " ELSE metadata END,"
             " updated_at = " ATHENA_TS(6)
             " WHERE id = $1"
             " RETURNING " ATHENA_FAILURE_COLS,
             6, p, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_failure_read(rows, 0, f);
    }

    return rc;
}


athena_store_rc_e
athena_email_failure_delete(athena_db_t *db, athena_arena_t *a,
    const char *id)
{
    athena_rows_t  *rows;

    return athena_pg_one(db, a, "DELETE FROM email_send_failures"
                         " WHERE id = $1 RETURNING id", 1, &id, &rows);
}
