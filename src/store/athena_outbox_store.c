#include <string.h>

#include "athena_columns.h"
#include "athena_outbox_store.h"


athena_store_rc_e
athena_outbox_add(athena_db_t *db, athena_arena_t *a, const char *id,
    const char *email_id, const char *user_id, int64_t now)
{
    const char  *p[4];

    p[0] = id;
    p[1] = email_id;
    p[2] = user_id;
    p[3] = athena_int_text(a, now);

    return athena_pg_exec(db, a,
               "INSERT INTO email_outbox (id, email_id, user_id,"
               " next_attempt_at, created_at)"
               " VALUES ($1, $2, $3, " ATHENA_TS(4) ", " ATHENA_TS(4) ")",
               4, p, NULL);
}


/*
 * Up to limit entries that are due and nobody holds, claimed for claim_ms
 * in one statement: another worker or node skips the rows this one has
 * locked, and sees them claimed once it commits. A worker that dies while
 * it sends lets its claim run out: the mail is tried again (at least once,
 * never twice at the same time).
 */

athena_store_rc_e
athena_outbox_claim(athena_db_t *db, athena_arena_t *a, int64_t now,
    int64_t claim_ms, int limit, athena_outbox_entry_t **list, size_t *n)
{
    size_t                  i;
    const char             *p[3];
    athena_rows_t          *rows;
    athena_store_rc_e       rc;
    athena_outbox_entry_t  *e;

    p[0] = athena_int_text(a, now);
    p[1] = athena_int_text(a, now + claim_ms);
    p[2] = athena_int_text(a, limit);

    rc = athena_pg_exec(db, a,
             "WITH due AS (SELECT id FROM email_outbox"
             " WHERE next_attempt_at <= " ATHENA_TS(1)
             " AND (claimed_until IS NULL OR claimed_until < " ATHENA_TS(1) ")"
             " ORDER BY next_attempt_at LIMIT $3::int4"
             " FOR UPDATE SKIP LOCKED),"
             " claimed AS (UPDATE email_outbox o"
             " SET claimed_until = " ATHENA_TS(2) ", attempts = o.attempts + 1"
             " FROM due WHERE o.id = due.id"
             " RETURNING o.id, o.email_id, o.user_id, o.attempts)"
             " SELECT c.id, c.email_id, c.user_id, c.attempts,"
             " e.recipient_email, e.subject, e.from_address, e.from_name,"
             " e.text_body, e.html_body, e.provider, e.flow"
             " FROM claimed c JOIN emails e ON e.id = c.email_id",
             3, p, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *list = athena_calloc(a, (*n + 1) * sizeof(athena_outbox_entry_t));
    if (*list == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        e = &(*list)[i];
        e->id = athena_rows_get(rows, i, 0);
        e->email_id = athena_rows_get(rows, i, 1);
        e->user_id = athena_rows_get(rows, i, 2);
        e->attempts = athena_rows_int(rows, i, 3, 1);
        e->recipient_email = athena_rows_get(rows, i, 4);
        e->subject = athena_rows_get(rows, i, 5);
        e->from_address = athena_rows_get(rows, i, 6);
        e->from_name = athena_rows_get(rows, i, 7);
        e->text_body = athena_rows_get(rows, i, 8);
        e->html_body = athena_rows_get(rows, i, 9);
        e->provider = athena_rows_get(rows, i, 10);
        e->flow = athena_rows_get(rows, i, 11);
    }

    return ATHENA_STORE_OK;
}


athena_store_rc_e
athena_outbox_sent(athena_db_t *db, athena_arena_t *a,
    const athena_outbox_entry_t *e)
{
    return athena_pg_exec(db, a, "DELETE FROM email_outbox WHERE id = $1",
                          1, &e->id, NULL);
}


/* put off until next, the claim let go */

athena_store_rc_e
athena_outbox_retry(athena_db_t *db, athena_arena_t *a,
    const athena_outbox_entry_t *e, int64_t next, const char *error)
{
    const char  *p[3];

    p[0] = e->id;
    p[1] = athena_int_text(a, next);
    p[2] = error;

    return athena_pg_exec(db, a,
               "UPDATE email_outbox SET next_attempt_at = " ATHENA_TS(2) ","
               " claimed_until = NULL, last_error = $3 WHERE id = $1",
               3, p, NULL);
}


/* the last try failed: the entry becomes a failure an admin can resolve */

athena_store_rc_e
athena_outbox_give_up(athena_db_t *db, athena_arena_t *a,
    const athena_outbox_entry_t *e, const char *failure_id,
    const char *error, int64_t now)
{
    const char  *p[9];

    p[0] = e->id;
    p[1] = failure_id;
    p[2] = e->user_id;
    p[3] = e->recipient_email;
    p[4] = e->flow ? e->flow : "email";
    p[5] = e->provider;
    p[6] = error;
    p[7] = athena_int_text(a, now);
    p[8] = athena_int_text(a, e->attempts);

    return athena_pg_exec(db, a,
               "WITH gone AS (DELETE FROM email_outbox WHERE id = $1"
               " RETURNING email_id)"
               " INSERT INTO email_send_failures (id, user_id,"
               " recipient_email, flow, provider, error_message, metadata,"
               " resolved, created_at, updated_at)"
               " SELECT $2, $3, $4, $5, $6, $7,"
               " jsonb_build_object('email_id', gone.email_id,"
               " 'attempts', $9::int4), false, "
               ATHENA_TS(8) ", " ATHENA_TS(8) " FROM gone",
               9, p, NULL);
}
