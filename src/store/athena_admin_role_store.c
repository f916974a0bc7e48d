#include <string.h>

#include "athena_admin_role_store.h"
#include "athena_auth_store.h"
#include "athena_columns.h"
#include "athena_where.h"
#include "../core/athena_json.h"


#define ATHENA_ROLE_COLS                                                      \
    "id, user_id, role, partner_id, tenant_id, granted_by, is_active, "      \
    ATHENA_TIME("expires_at") ", " ATHENA_TIME("created_at") ", "            \
    ATHENA_TIME("updated_at")


static void
athena_admin_role_read(const athena_rows_t *rows, size_t i,
    athena_admin_role_t *r)
{
    r->id = athena_rows_get(rows, i, 0);
    r->user_id = athena_rows_get(rows, i, 1);
    r->role = athena_rows_get(rows, i, 2);
    r->partner_id = athena_rows_get(rows, i, 3);
    r->tenant_id = athena_rows_get(rows, i, 4);
    r->granted_by = athena_rows_get(rows, i, 5);
    r->is_active = athena_rows_bool(rows, i, 6, 0);
    r->expires_at = athena_rows_time(rows, i, 7, ATHENA_TIME_NULL);
    r->created_at = athena_rows_time(rows, i, 8, 0);
    r->updated_at = athena_rows_time(rows, i, 9, 0);
}


static athena_store_rc_e
athena_admin_role_rows(athena_arena_t *a, const athena_rows_t *rows,
    athena_admin_role_t **list, size_t *n)
{
    size_t  i;

    *n = athena_rows_count(rows);
    *list = athena_calloc(a, (*n + 1) * sizeof(athena_admin_role_t));
    if (*list == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        athena_admin_role_read(rows, i, &(*list)[i]);
    }

    return ATHENA_STORE_OK;
}


static const char *
athena_admin_role_time(athena_arena_t *a, int64_t ms)
{
    return ms == ATHENA_TIME_NULL ? NULL : athena_int_text(a, ms);
}


/* the same role in the same scope given twice is ATHENA_STORE_CONFLICT */

athena_store_rc_e
athena_admin_role_create(athena_db_t *db, athena_arena_t *a,
    athena_admin_role_t *r)
{
    const char         *p[8];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = r->id;
    p[1] = r->user_id;
    p[2] = r->role;
    p[3] = r->partner_id;
    p[4] = r->tenant_id;
    p[5] = r->granted_by;
    p[6] = athena_admin_role_time(a, r->expires_at);
    p[7] = athena_int_text(a, r->created_at);

    rc = athena_pg_one(db, a,
             "INSERT INTO admin_roles (id, user_id, role, partner_id,"
             " tenant_id, granted_by, is_active, expires_at, created_at,"
             " updated_at) VALUES ($1, $2, $3, $4, $5, $6, true, "
             ATHENA_TS(7) ", " ATHENA_TS(8) ", " ATHENA_TS(8) ")"
             " ON CONFLICT DO NOTHING RETURNING " ATHENA_ROLE_COLS,
             8, p, &rows);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        return ATHENA_STORE_CONFLICT;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_admin_role_read(rows, 0, r);
    }

    return rc;
}


athena_store_rc_e
athena_admin_role_get(athena_db_t *db, athena_arena_t *a, const char *id,
    int lock, athena_admin_role_t *r)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_one(db, a,
             lock ? "SELECT " ATHENA_ROLE_COLS " FROM admin_roles"
                    " WHERE id = $1 FOR UPDATE"
                  : "SELECT " ATHENA_ROLE_COLS " FROM admin_roles"
                    " WHERE id = $1",
             1, &id, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_admin_role_read(rows, 0, r);
    }

    return rc;
}


/*
 * A page of assignments, newest first, and how many match: only the
 * filters given are in the statement (athena_where.c), kept prepared; for
 * none or a role alone the total is a row the triggers keep (migration
 * 018), read with the page.
 */

#define ATHENA_ROLE_KEPT                                                      \
    "(SELECT coalesce(max(n), 0) FROM admin_role_counts WHERE key = $%d)"

athena_store_rc_e
athena_admin_role_list(athena_db_t *db, athena_arena_t *a,
    const athena_admin_role_filter_t *f, athena_admin_role_t **list,
    size_t *n, int64_t *total)
{
    athena_rows_t      *rows;
    athena_where_t      w;
    athena_store_rc_e   rc;

    athena_where_init(&w);
    athena_where_add(&w, 0x01, "role = $%d", f->role);
    athena_where_add(&w, 0x02, "user_id = $%d", f->user_id);
    athena_where_add(&w, 0x04, "is_active = $%d::bool",
                     f->is_active < 0 ? NULL
                     : f->is_active ? "true" : "false");

    if (w.mask == 0x00 || w.mask == 0x01) {
        athena_where_kept(&w, ATHENA_ROLE_KEPT, f->role ? f->role : "",
                          NULL);
    }

    rc = athena_where_page(db, a, "athena_admin_role_list", ATHENA_ROLE_COLS,
                           "admin_roles", &w, f->per_page,
                           (f->page - 1) * f->per_page, &rows, total);

    return rc == ATHENA_STORE_OK ? athena_admin_role_rows(a, rows, list, n)
                                 : rc;
}


athena_store_rc_e
athena_admin_role_of_user(athena_db_t *db, athena_arena_t *a,
    const char *user_id, athena_admin_role_t **list, size_t *n)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_exec(db, a,
             "SELECT " ATHENA_ROLE_COLS " FROM admin_roles WHERE user_id = $1"
             " ORDER BY created_at, id",
             1, &user_id, &rows);

    return rc == ATHENA_STORE_OK ? athena_admin_role_rows(a, rows, list, n)
                                 : rc;
}


/* is_active -1 keeps it; set_expires 0 keeps expires_at */

athena_store_rc_e
athena_admin_role_update(athena_db_t *db, athena_arena_t *a, const char *id,
    int is_active, int set_expires, int64_t expires_at, int64_t now,
    athena_admin_role_t *r)
{
    const char         *p[5];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = id;
    p[1] = is_active < 0 ? NULL : is_active ? "true" : "false";
    p[2] = set_expires ? "true" : "false";
    p[3] = athena_admin_role_time(a, expires_at);
    p[4] = athena_int_text(a, now);

    rc = athena_pg_one(db, a,
             "UPDATE admin_roles SET"
             " is_active = coalesce($2::bool, is_active),"
             " expires_at = CASE WHEN $3::bool THEN " ATHENA_TS(4)
             " ELSE expires_at END,"
             " updated_at = " ATHENA_TS(5)
             " WHERE id = $1 RETURNING " ATHENA_ROLE_COLS,
             5, p, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_admin_role_read(rows, 0, r);
    }

    return rc;
}


athena_store_rc_e
athena_admin_role_delete(athena_db_t *db, athena_arena_t *a, const char *id)
{
    athena_rows_t  *rows;

    return athena_pg_one(db, a,
               "DELETE FROM admin_roles WHERE id = $1 RETURNING id",
               1, &id, &rows);
}


/*
 * Seed 004's three conditions for removing a user with its last admin
 * role, mapped onto this schema (see README): no admin role left, a
 * member of several organizations (its email "in several tenants"), and
 * never signed in (no session row, live or not).
 */

athena_store_rc_e
athena_admin_role_orphaned(athena_db_t *db, athena_arena_t *a,
    const char *user_id, int *orphaned)
{
    int64_t             n;
    athena_store_rc_e   rc;

    rc = athena_pg_count(db, a,
             "SELECT count(*) FROM \"user\" u WHERE u.id = $1"
             " AND NOT EXISTS (SELECT 1 FROM admin_roles r"
             "                 WHERE r.user_id = u.id)"
             " AND (SELECT count(DISTINCT m.\"organizationId\") FROM member m"
             "      WHERE m.\"userId\" = u.id) >= 2"
             " AND NOT EXISTS (SELECT 1 FROM session s"
             "                 WHERE s.\"userId\" = u.id)",
             1, &user_id, &n);

    *orphaned = rc == ATHENA_STORE_OK && n > 0;

    return rc;
}


athena_store_rc_e
athena_admin_user_mark_deleted(athena_db_t *db, athena_arena_t *a,
    const char *user_id, const char *by, int64_t now)
{
    const char     *p[3];
    athena_rows_t  *rows;

    p[0] = user_id;
    p[1] = by;
    p[2] = athena_int_text(a, now);

    return athena_pg_exec(db, a,
               "INSERT INTO admin_user_deletions (user_id, deleted_at,"
               " deleted_by, reason) VALUES ($1, " ATHENA_TS(3) ", $2,"
               " 'orphaned admin: no admin role left')"
               " ON CONFLICT (user_id) DO NOTHING",
               3, p, &rows);
}


/*
 * A user's live admin roles as the gate keeps them: "ROLE[:scope][@ms]"
 * joined by commas (scope a tenant's or partner's id, ms the expiry), ""
 * for none. Redis holds it per user ("-" for none) for the cache TTL;
 * the admin-roles API drops the entry when it changes the user's roles.
 */

#define ATHENA_CACHE_NO_ROLES  "-"

char *
athena_admin_roles_cache_key(athena_arena_t *a, const char *prefix,
    const char *user_id)
{
    return athena_sprintf(a, "%s" ATHENA_CACHE_ROLES "%s", prefix, user_id);
}


char *
athena_admin_roles_cache_parse(char *text)
{
    return strcmp(text, ATHENA_CACHE_NO_ROLES) == 0 ? (char *) "" : text;
}


athena_store_rc_e
athena_admin_roles_live(athena_db_t *db, athena_arena_t *a,
    const char *user_id, char **roles)
{
    char               *key, *cached;
    int64_t             ttl;
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    ttl = athena_db_conf(db)->cache_ttl;
    key = ttl > 0 ? athena_admin_roles_cache_key(a,
                        athena_db_conf(db)->cache_prefix, user_id)
                  : NULL;
    cached = key ? athena_redis_get(db, a, key) : NULL;

    if (cached != NULL) {
        *roles = athena_admin_roles_cache_parse(cached);
        return ATHENA_STORE_OK;
    }

    rc = athena_pg_one(db, a,
             "SELECT coalesce(string_agg(role"
             " || coalesce(':' || coalesce(tenant_id, partner_id), '')"
             " || coalesce('@' || " ATHENA_MS("expires_at") ", ''),"
             " ',' ORDER BY role, tenant_id, partner_id), '')"
             " FROM admin_roles WHERE user_id = $1 AND is_active"
             " AND (expires_at IS NULL OR expires_at > now())",
             1, &user_id, &rows);

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *roles = (char *) athena_rows_get(rows, 0, 0);

    if (key != NULL) {
        cached = **roles ? *roles : ATHENA_CACHE_NO_ROLES;
        athena_redis_set(db, key, cached, strlen(cached), ttl, 1);
    }

    return ATHENA_STORE_OK;
}


/*
 * ARGV[1]: the roles entries' key without the id. The session's entry
 * and, after a newline (JSON as athena_gen writes it has none), the user's
 * roles entry when there is one: one round trip for what the admin-roles
 * API reads first.
 */
static const char  athena_roles_session_script[] =
    ATHENA_SESSION_UID_LUA
    "local r = redis.call('GET', ARGV[1] .. uid)\n"
    "if not r then return {v} end\n"
    "return {v .. '\\n' .. r}\n";


/*
 * The cached session at key (NULL: none, or Redis unavailable), and in
 * *roles its user's roles entry (NULL when Redis has none: read them with
 * athena_admin_roles_live())
 */

char *
athena_admin_roles_with_session(athena_db_t *db, athena_arena_t *a,
    const char *key, int uid_at, char **roles)
{
    char         *value, *nl;
    const char   *argv[2];

    *roles = NULL;

    argv[0] = athena_admin_roles_cache_key(a,
                                           athena_db_conf(db)->cache_prefix,
                                           "");
    argv[1] = athena_int_text(a, uid_at);

    if (argv[0] == NULL || argv[1] == NULL
        || athena_redis_eval(db, a, athena_roles_session_script, key, 2,
                             argv, &value, NULL, 0) < 0)
    {
        return NULL;
    }

    nl = value ? strchr(value, '\n') : NULL;

    if (nl != NULL) {
        *nl = '\0';
        *roles = athena_admin_roles_cache_parse(nl + 1);
    }

    return value;
}
