#include <string.h>

#include "athena_columns.h"
#include "athena_email_store.h"
#include "athena_where.h"
#include "../core/athena_json.h"


#define ATHENA_EMAIL_COLS                                                    \
    "id, recipient_email, subject, from_address, from_name, text_body,"      \
    " html_body, provider, flow, metadata::text, "                           \
    ATHENA_TIME("created_at") ", " ATHENA_TIME("updated_at")


/*
 * A count the triggers keep, of a dimension (the first parameter) and
 * its key (the second): a recipient is kept in lower case. The key is
 * made of the parameters alone, so the primary key finds the row.
 */
#define ATHENA_EMAIL_KEPT                                                    \
    "(SELECT coalesce(max(n), 0) FROM email_counts WHERE dim = $%1$d"        \
    " AND key = CASE WHEN $%1$d = 'recipient' THEN lower($%2$d)"             \
    " ELSE $%2$d END)"


static void
athena_email_read(const athena_rows_t *rows, size_t r, athena_email_t *e)
{
    e->id = athena_rows_get(rows, r, 0);
    e->recipient_email = athena_rows_get(rows, r, 1);
    e->subject = athena_rows_get(rows, r, 2);
    e->from_address = athena_rows_get(rows, r, 3);
    e->from_name = athena_rows_get(rows, r, 4);
    e->text_body = athena_rows_get(rows, r, 5);
    e->html_body = athena_rows_get(rows, r, 6);
    e->provider = athena_rows_get(rows, r, 7);
    e->flow = athena_rows_get(rows, r, 8);
    e->metadata = athena_rows_get(rows, r, 9);
    e->created_at = athena_rows_time(rows, r, 10, 0);
    e->updated_at = athena_rows_time(rows, r, 11, 0);
}


athena_store_rc_e
athena_email_insert(athena_db_t *db, athena_arena_t *a, athena_email_t *e)
{
    const char         *p[11];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = e->id;
    p[1] = e->recipient_email;
    p[2] = e->subject;
    p[3] = e->from_address;
    p[4] = e->from_name;
    p[5] = e->text_body;
    p[6] = e->html_body;
    p[7] = e->provider;
    p[8] = e->flow;
    p[9] = e->metadata;
    p[10] = athena_int_text(a, e->created_at);

    rc = athena_pg_one(db, a,
             "INSERT INTO emails (id, recipient_email, subject, from_address,"
             " from_name, text_body, html_body, provider, flow, metadata,"
             " created_at, updated_at)"
             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, "
             ATHENA_TS(11) ", " ATHENA_TS(11) ")"
             " RETURNING " ATHENA_EMAIL_COLS,
             11, p, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_email_read(rows, 0, e);
    }

    return rc;
}


athena_store_rc_e
athena_email_get(athena_db_t *db, athena_arena_t *a, const char *id,
    athena_email_t *e)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_one(db, a,
             "SELECT " ATHENA_EMAIL_COLS " FROM emails WHERE id = $1",
             1, &id, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_email_read(rows, 0, e);
    }

    return rc;
}


/*
 * A page, newest first, and how many match. The recipient is compared
 * whatever its case, and the subject searched as a plain substring (no
 * LIKE pattern).
 */

athena_store_rc_e
athena_email_list(athena_db_t *db, athena_arena_t *a,
    const athena_email_query_t *q, athena_email_t **list, size_t *n,
    int64_t *total)
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
    athena_where_add(&w, 0x08, "strpos(lower(subject), lower($%d)) > 0",
                     q->subject_contains);
    athena_where_add(&w, 0x10, "created_at >= " ATHENA_TS_N,
                     q->after == ATHENA_TIME_NULL
                     ? NULL : athena_int_text(a, q->after));
    athena_where_add(&w, 0x20, "created_at <= " ATHENA_TS_N,
                     q->before == ATHENA_TIME_NULL
                     ? NULL : athena_int_text(a, q->before));

    /* no filter, or one the triggers count by (migration 015) */
    switch (w.mask) {
    case 0x00:
        athena_where_kept(&w, ATHENA_EMAIL_KEPT, "", "");
        break;
    case 0x01:
        athena_where_kept(&w, ATHENA_EMAIL_KEPT, "recipient",
                          q->recipient_email);
        break;
    case 0x02:
        athena_where_kept(&w, ATHENA_EMAIL_KEPT, "provider", q->provider);
        break;
    case 0x04:
        athena_where_kept(&w, ATHENA_EMAIL_KEPT, "flow", q->flow);
        break;
    }

    rc = athena_where_page(db, a, "athena_email_list", ATHENA_EMAIL_COLS,
                           "emails", &w, q->limit, q->offset, &rows, total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *list = athena_calloc(a, (*n + 1) * sizeof(athena_email_t));
    if (*list == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        athena_email_read(rows, i, &(*list)[i]);
    }

    return ATHENA_STORE_OK;
}


/*
 * The fields flagged in set take v's values (NULL clears a nullable one);
 * updated_at becomes now; e becomes the row as updated.
 */

athena_store_rc_e
athena_email_update(athena_db_t *db, athena_arena_t *a, unsigned set,
    const athena_email_t *v, int64_t now, athena_email_t *e)
{
    const char         *p[12];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = e->id;
    p[1] = athena_int_text(a, set);
    p[2] = v->recipient_email;
    p[3] = v->subject;
    p[4] = v->from_address;
    p[5] = v->from_name;
    p[6] = v->text_body;
    p[7] = v->html_body;
    p[8] = v->provider;
    p[9] = v->flow;
    p[10] = v->metadata;
    p[11] = athena_int_text(a, now);

#define ATHENA_EMAIL_SET(flag, col, val)                                     \
    " " col " = CASE WHEN $2::int4 & " #flag " <> 0 THEN " val " ELSE " col  \
    " END"

    rc = athena_pg_one(db, a,
             "UPDATE emails SET"
             ATHENA_EMAIL_SET(1, "recipient_email", "$3") ","
             ATHENA_EMAIL_SET(2, "subject", "$4") ","
             ATHENA_EMAIL_SET(4, "from_address", "$5") ","
             ATHENA_EMAIL_SET(8, "from_name", "$6") ","
             ATHENA_EMAIL_SET(16, "text_body", "$7") ","
             ATHENA_EMAIL_SET(32, "html_body", "$8") ","
             ATHENA_EMAIL_SET(64, "provider", "$9") ","
             ATHENA_EMAIL_SET(128, "flow", "$10") ","
             ATHENA_EMAIL_SET(256, "metadata", "$11::jsonb") ","
             " updated_at = " ATHENA_TS(12)
             " WHERE id = $1"
             " RETURNING " ATHENA_EMAIL_COLS,
             12, p, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_email_read(rows, 0, e);
    }

    return rc;
}


athena_store_rc_e
athena_email_delete(athena_db_t *db, athena_arena_t *a, const char *id)
{
    athena_rows_t  *rows;

    return athena_pg_one(db, a, "DELETE FROM emails WHERE id = $1"
                         " RETURNING id", 1, &id, &rows);
}
