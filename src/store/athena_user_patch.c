#include <string.h>

#include "athena_user_patch.h"
#include "athena_auth_store.h"
#include "athena_columns.h"


#define ATHENA_PATCH_MAX  9


typedef struct {
    athena_arena_t   *a;
    char             *set;
    const char       *params[ATHENA_PATCH_MAX + 1];
    int               n;
} athena_sets_t;


static void
athena_set(athena_sets_t *s, unsigned given, const char *col,
    const char *cast, const char *value)
{
    if (!given || s->set == NULL) {
        return;
    }

    s->params[s->n++] = value;
    s->set = athena_sprintf(s->a, "%s, %s = $%d%s", s->set, col, s->n + 1,
                            cast);
}


/* sets what p says was given, and updatedAt; NOT_FOUND: no such user */

athena_store_rc_e
athena_user_patch(athena_db_t *db, athena_arena_t *a, const char *id,
    const athena_user_patch_t *p, int64_t now, athena_user_t *user)
{
    char               *sql;
    const char         *params[ATHENA_PATCH_MAX + 2];
    athena_sets_t       s;
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    memset(&s, 0, sizeof(athena_sets_t));
    s.a = a;

    /* $2 is updatedAt; the fields follow */
    s.params[s.n++] = athena_int_text(a, now);
    s.set = athena_sprintf(a, "\"updatedAt\" = " ATHENA_TS(2));

    athena_set(&s, p->set_name, "name", "", p->name);
    athena_set(&s, p->set_email, "email", "", p->email);
    athena_set(&s, p->set_email_verified, "\"emailVerified\"", "::bool",
               p->email_verified ? "t" : "f");
    athena_set(&s, p->set_image, "image", "", p->image);
    athena_set(&s, p->set_role, "role", "", p->role);
    athena_set(&s, p->set_banned, "banned", "::bool", p->banned ? "t" : "f");
    athena_set(&s, p->set_ban_reason, "\"banReason\"", "", p->ban_reason);
    athena_set(&s, p->set_ban_expires, "\"banExpires\"", "::timestamptz",
               p->ban_expires);

    if (s.set == NULL || s.params[0] == NULL) {
        return ATHENA_STORE_ERROR;
    }

    sql = athena_sprintf(a, "UPDATE \"user\" u SET %s WHERE u.id = $1"
                         " RETURNING " ATHENA_USER_COLS("u"), s.set);
    if (sql == NULL) {
        return ATHENA_STORE_ERROR;
    }

    params[0] = id;
    memcpy(&params[1], s.params, s.n * sizeof(char *));

    rc = athena_pg_one(db, a, sql, s.n + 1, params, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_user_read(rows, 0, 0, user);
    }

    return rc;
}


athena_store_rc_e
athena_email_taken(athena_db_t *db, athena_arena_t *a, const char *email,
    const char *except_id, int *taken)
{
    const char         *p[2];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = email;
    p[1] = except_id;

    rc = athena_pg_one(db, a,
                       "SELECT 1 FROM \"user\" WHERE email = $1 AND id <> $2",
                       2, p, &rows);

    *taken = (rc == ATHENA_STORE_OK);

    return rc == ATHENA_STORE_NOT_FOUND ? ATHENA_STORE_OK : rc;
}
