/*
 * The organization plugin's invitations. Rows are listed in the order
 * they were made, which is what better-auth's unordered reads give on
 * Postgres.
 */

#include <string.h>

#include "athena_invitation_store.h"
#include "athena_columns.h"
#include "../core/athena_json.h"


#define ATHENA_INVITATION_COLS(i)                                            \
    i ".id, " i ".\"organizationId\", " i ".email, " i ".role, "             \
    i ".\"teamId\", " i ".status, " ATHENA_TIME(i ".\"expiresAt\"") ", "     \
    ATHENA_TIME(i ".\"createdAt\"") ", " i ".\"inviterId\""
#define ATHENA_INVITATION_NCOLS  9

/* the organization's name and slug, the inviter's email and membership */
#define ATHENA_INVITATION_INFO                                               \
    "SELECT " ATHENA_INVITATION_COLS("i") ", o.name, o.slug, u.email,"       \
    " EXISTS (SELECT 1 FROM member m WHERE m.\"organizationId\" ="           \
    " i.\"organizationId\" AND m.\"userId\" = i.\"inviterId\")"              \
    " FROM invitation i"                                                     \
    " LEFT JOIN organization o ON o.id = i.\"organizationId\""               \
    " LEFT JOIN \"user\" u ON u.id = i.\"inviterId\""


static void
athena_invitation_read(const athena_rows_t *rows, size_t r,
    athena_invitation_t *i)
{
    i->id = (char *) athena_rows_get(rows, r, 0);
    i->organization_id = (char *) athena_rows_get(rows, r, 1);
    i->email = (char *) athena_rows_get(rows, r, 2);
    i->role = (char *) athena_rows_get(rows, r, 3);
    i->team_id = (char *) athena_rows_get(rows, r, 4);
    i->status = (char *) athena_rows_get(rows, r, 5);
    i->expires_at = athena_rows_time(rows, r, 6, ATHENA_TIME_NULL);
    i->created_at = athena_rows_time(rows, r, 7, ATHENA_TIME_NULL);
    i->inviter_id = (char *) athena_rows_get(rows, r, 8);
}


static void
athena_invitation_info_read(const athena_rows_t *rows, size_t r,
    athena_invitation_info_t *info)
{
    athena_invitation_read(rows, r, &info->inv);

    info->org_name = (char *) athena_rows_get(rows, r,
                                              ATHENA_INVITATION_NCOLS);
    info->org_slug = (char *) athena_rows_get(rows, r,
                                              ATHENA_INVITATION_NCOLS + 1);
    info->inviter_email = (char *) athena_rows_get(rows, r,
                                                ATHENA_INVITATION_NCOLS + 2);
    info->inviter_is_member = athena_rows_bool(rows, r,
                                               ATHENA_INVITATION_NCOLS + 3, 0);
}


athena_store_rc_e
athena_invitation_get(athena_db_t *db, athena_arena_t *a, const char *id,
    athena_invitation_info_t *info)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_one(db, a, ATHENA_INVITATION_INFO " WHERE i.id = $1",
                       1, &id, &rows);
    if (rc == ATHENA_STORE_OK) {
        athena_invitation_info_read(rows, 0, info);
    }

    return rc;
}


athena_store_rc_e
athena_invitation_insert(athena_db_t *db, athena_arena_t *a,
    const athena_invitation_t *i)
{
    const char  *p[8];

    p[0] = i->id;
    p[1] = i->organization_id;
    p[2] = i->email;
    p[3] = i->role;
    p[4] = i->status;
    p[5] = athena_int_text(a, i->expires_at);
    p[6] = athena_int_text(a, i->created_at);
    p[7] = i->inviter_id;

    return athena_pg_exec(db, a,
               "INSERT INTO invitation (id, \"organizationId\", email, role,"
               " status, \"expiresAt\", \"createdAt\", \"inviterId\")"
               " VALUES ($1, $2, $3, $4, $5, " ATHENA_TS(6) ", "
               ATHENA_TS(7) ", $8)",
               8, p, NULL);
}


/* the first unexpired pending invitation of email to org_id */

athena_store_rc_e
athena_invitation_pending(athena_db_t *db, athena_arena_t *a,
    const char *org_id, const char *email, int64_t now,
    athena_invitation_t *inv)
{
    const char         *p[3];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = org_id;
    p[1] = email;
    p[2] = athena_int_text(a, now);

    rc = athena_pg_one(db, a,
             "SELECT " ATHENA_INVITATION_COLS("i") " FROM invitation i"
             " WHERE i.\"organizationId\" = $1 AND i.email = $2"
             " AND i.status = 'pending' AND i.\"expiresAt\" > "
             ATHENA_TS(3) " ORDER BY i.\"createdAt\", i.id LIMIT 1",
             3, p, &rows);
    if (rc == ATHENA_STORE_OK) {
        athena_invitation_read(rows, 0, inv);
    }

    return rc;
}


athena_store_rc_e
athena_invitation_count_pending(athena_db_t *db, athena_arena_t *a,
    const char *org_id, int64_t now, int64_t *n)
{
    const char  *p[2];

    p[0] = org_id;
    p[1] = athena_int_text(a, now);

    return athena_pg_count(db, a,
               "SELECT count(*) FROM invitation WHERE \"organizationId\" = $1"
               " AND status = 'pending' AND \"expiresAt\" > " ATHENA_TS(2),
               2, p, n);
}


/*
 * from NULL: whatever the status was. A row that is not (or no longer)
 * in status from is ATHENA_STORE_NOT_FOUND: of two concurrent accepts,
 * the second waits for the first's row lock and then finds nothing.
 */

athena_store_rc_e
athena_invitation_set_status(athena_db_t *db, athena_arena_t *a,
    const char *id, const char *from, const char *to,
    athena_invitation_t *inv)
{
    const char         *p[3];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = id;
    p[1] = to;
    p[2] = from;

    rc = athena_pg_one(db, a,
             "UPDATE invitation i SET status = $2 WHERE i.id = $1"
             " AND ($3::text IS NULL OR i.status = $3)"
             " RETURNING " ATHENA_INVITATION_COLS("i"),
             3, p, &rows);
    if (rc == ATHENA_STORE_OK) {
        athena_invitation_read(rows, 0, inv);
    }

    return rc;
}


athena_store_rc_e
athena_invitation_extend(athena_db_t *db, athena_arena_t *a, const char *id,
    int64_t expires_at, athena_invitation_t *inv)
{
    const char         *p[2];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = id;
    p[1] = athena_int_text(a, expires_at);

    rc = athena_pg_one(db, a,
             "UPDATE invitation i SET \"expiresAt\" = " ATHENA_TS(2)
             " WHERE i.id = $1 RETURNING " ATHENA_INVITATION_COLS("i"),
             2, p, &rows);
    if (rc == ATHENA_STORE_OK) {
        athena_invitation_read(rows, 0, inv);
    }

    return rc;
}


/*
 * An organization's invitations (org_id), or those sent to email, every
 * status, oldest first, at most limit.
 */

athena_store_rc_e
athena_invitation_list(athena_db_t *db, athena_arena_t *a,
    const char *org_id, const char *email, int64_t limit,
    athena_invitation_info_t **list, size_t *n)
{
    size_t              i;
    const char         *p[2];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = org_id ? org_id : email;
    p[1] = athena_int_text(a, limit);

    rc = athena_pg_exec(db, a,
             org_id
             ? ATHENA_INVITATION_INFO " WHERE i.\"organizationId\" = $1"
               " ORDER BY i.\"createdAt\", i.id LIMIT $2"
             : ATHENA_INVITATION_INFO " WHERE i.email = $1"
               " ORDER BY i.\"createdAt\", i.id LIMIT $2",
             2, p, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *list = athena_calloc(a, (*n + 1) * sizeof(athena_invitation_info_t));
    if (*list == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        athena_invitation_info_read(rows, i, &(*list)[i]);
    }

    return ATHENA_STORE_OK;
}
