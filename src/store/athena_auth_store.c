#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "athena_admin_role_store.h"
#include "athena_auth_store.h"
#include "athena_limit_store.h"
#include "athena_columns.h"
#include "../core/athena_crypto.h"
#include "../core/athena_gen.h"
#include "../core/athena_json.h"
#include "../core/athena_text.h"
#include "../core/athena_time.h"


#define ATHENA_SESSION_COLS(s)                                               \
    s ".id, " ATHENA_TIME(s ".\"expiresAt\"") ", " s ".token, "              \
    ATHENA_TIME(s ".\"createdAt\"") ", "                                     \
    ATHENA_TIME(s ".\"updatedAt\"") ", "                                     \
    s ".\"ipAddress\", " s ".\"userAgent\", " s ".\"userId\", "              \
    s ".\"impersonatedBy\", " s ".\"activeOrganizationId\", "                \
    s ".\"activeTeamId\""
#define ATHENA_SESSION_NCOLS  11


void
athena_user_read(const athena_rows_t *rows, size_t r, int c, athena_user_t *u)
{
    u->id = (char *) athena_rows_get(rows, r, c);
    u->name = (char *) athena_rows_get(rows, r, c + 1);
    u->email = (char *) athena_rows_get(rows, r, c + 2);
    u->email_verified = athena_rows_bool(rows, r, c + 3, 0);
    u->image = (char *) athena_rows_get(rows, r, c + 4);
    u->created_at = athena_rows_time(rows, r, c + 5, ATHENA_TIME_NULL);
    u->updated_at = athena_rows_time(rows, r, c + 6, ATHENA_TIME_NULL);
    u->role = (char *) athena_rows_get(rows, r, c + 7);
    u->banned = athena_rows_bool(rows, r, c + 8, -1);
    u->ban_reason = (char *) athena_rows_get(rows, r, c + 9);
    u->ban_expires = athena_rows_time(rows, r, c + 10, ATHENA_TIME_NULL);
}


static void
athena_session_read(const athena_rows_t *rows, size_t r, int c,
    athena_session_t *s)
{
    s->id = (char *) athena_rows_get(rows, r, c);
    s->expires_at = athena_rows_time(rows, r, c + 1, ATHENA_TIME_NULL);
    s->token = (char *) athena_rows_get(rows, r, c + 2);
    s->created_at = athena_rows_time(rows, r, c + 3, ATHENA_TIME_NULL);
    s->updated_at = athena_rows_time(rows, r, c + 4, ATHENA_TIME_NULL);
    s->ip_address = (char *) athena_rows_get(rows, r, c + 5);
    s->user_agent = (char *) athena_rows_get(rows, r, c + 6);
    s->user_id = (char *) athena_rows_get(rows, r, c + 7);
    s->impersonated_by = (char *) athena_rows_get(rows, r, c + 8);
    s->active_organization_id = (char *) athena_rows_get(rows, r, c + 9);
    s->active_team_id = (char *) athena_rows_get(rows, r, c + 10);
    s->from_key = 0;
    s->cached_at = ATHENA_TIME_NULL;
}


athena_store_rc_e
athena_user_by_email(athena_db_t *db, athena_arena_t *a, const char *email,
    athena_user_t *user, char **password_hash)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_one(db, a,
             "SELECT " ATHENA_USER_COLS("u") ", acc.password"
             " FROM \"user\" u LEFT JOIN account acc"
             " ON acc.\"userId\" = u.id AND acc.\"providerId\" = 'credential'"
             " AND acc.\"accountId\" = u.id"
             " WHERE u.email = $1 LIMIT 1",
             1, &email, &rows);

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_user_read(rows, 0, 0, user);
    *password_hash = (char *) athena_rows_get(rows, 0, ATHENA_USER_NCOLS);

    return ATHENA_STORE_OK;
}


/* inserts the user and, with a hash, its credential account */

athena_store_rc_e
athena_user_create(athena_db_t *db, athena_arena_t *a, athena_user_t *u,
    const char *password_hash)
{
    char                account_id[ATHENA_ID_LEN + 1];
    const char         *p[10];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = u->id;
    p[1] = u->name;
    p[2] = u->email;
    p[3] = u->email_verified ? "t" : "f";
    p[4] = u->image;
    p[5] = athena_int_text(a, u->created_at);
    p[6] = u->role;
    p[7] = u->banned == 1 ? "t" : "f";
    p[8] = u->ban_reason;
    p[9] = u->ban_expires == ATHENA_TIME_NULL
           ? NULL : athena_int_text(a, u->ban_expires);

    /* a taken email is no error: it must not abort the transaction */
    rc = athena_pg_one(db, a,
             "INSERT INTO \"user\" (id, name, email, \"emailVerified\","
             " image, \"createdAt\", \"updatedAt\", role, banned,"
             " \"banReason\", \"banExpires\")"
             " VALUES ($1, $2, $3, $4, $5, " ATHENA_TS(6) ", "
             ATHENA_TS(6) ", $7, $8, $9, " ATHENA_TS(10) ")"
             " ON CONFLICT (email) DO NOTHING RETURNING id",
             10, p, &rows);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        return ATHENA_STORE_CONFLICT;
    }

    if (rc != ATHENA_STORE_OK || password_hash == NULL) {
        return rc;
    }

    if (athena_random_id(account_id) != 0) {
        return ATHENA_STORE_ERROR;
    }

    p[0] = account_id;
    p[1] = u->id;
    p[2] = password_hash;
    p[3] = p[5];

    return athena_pg_exec(db, a,
               "INSERT INTO account (id, \"accountId\", \"providerId\","
               " \"userId\", password, \"createdAt\", \"updatedAt\")"
               " VALUES ($1, $2, 'credential', $2, $3, " ATHENA_TS(4) ", "
               ATHENA_TS(4) ")",
               4, p, NULL);
}


/* an expired ban is lifted when the user next gets a session (§4.4) */

athena_store_rc_e
athena_user_lift_ban(athena_db_t *db, athena_arena_t *a, const char *user_id,
    int64_t now)
{
    const char  *p[2];

    p[0] = user_id;
    p[1] = athena_int_text(a, now);

    return athena_pg_exec(db, a,
               "UPDATE \"user\" SET banned = false, \"banReason\" = NULL,"
               " \"banExpires\" = NULL, \"updatedAt\" = " ATHENA_TS(2)
               " WHERE id = $1",
               2, p, NULL);
}


athena_store_rc_e
athena_user_by_id(athena_db_t *db, athena_arena_t *a, const char *id,
    athena_user_t *user)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_one(db, a,
             "SELECT " ATHENA_USER_COLS("u") " FROM \"user\" u WHERE u.id = $1",
             1, &id, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_user_read(rows, 0, 0, user);
    }

    return rc;
}


athena_store_rc_e
athena_user_set_role(athena_db_t *db, athena_arena_t *a, const char *id,
    const char *role, int64_t now, athena_user_t *user)
{
    const char         *p[3];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = id;
    p[1] = role;
    p[2] = athena_int_text(a, now);

    rc = athena_pg_one(db, a,
             "UPDATE \"user\" u SET role = $2, \"updatedAt\" = " ATHENA_TS(3)
             " WHERE u.id = $1 RETURNING " ATHENA_USER_COLS("u"),
             3, p, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_user_read(rows, 0, 0, user);
    }

    return rc;
}


/* banned = 0 lifts a ban (reason and expiry cleared) */

athena_store_rc_e
athena_user_set_ban(athena_db_t *db, athena_arena_t *a, const char *id,
    int banned, const char *reason, int64_t expires, int64_t now,
    athena_user_t *user)
{
    const char         *p[5];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = id;
    p[1] = banned ? "true" : "false";
    p[2] = reason;
    p[3] = expires == ATHENA_TIME_NULL ? NULL : athena_int_text(a, expires);
    p[4] = athena_int_text(a, now);

    rc = athena_pg_one(db, a,
             "UPDATE \"user\" u SET banned = $2::bool, \"banReason\" = $3,"
             " \"banExpires\" = " ATHENA_TS(4) ", \"updatedAt\" = "
             ATHENA_TS(5) " WHERE u.id = $1 RETURNING " ATHENA_USER_COLS("u"),
             5, p, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_user_read(rows, 0, 0, user);
    }

    return rc;
}


/* the tokens of a user's sessions, for the caches that hold them */

athena_store_rc_e
athena_session_tokens(athena_db_t *db, athena_arena_t *a,
    const char *user_id, const char ***tokens, size_t *n)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_exec(db, a,
                        "SELECT token FROM session WHERE \"userId\" = $1",
                        1, &user_id, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *tokens = athena_rows_column(a, rows, 0);

    return *tokens ? ATHENA_STORE_OK : ATHENA_STORE_ERROR;
}


athena_store_rc_e
athena_session_create(athena_db_t *db, athena_arena_t *a,
    athena_session_t *s)
{
    const char  *p[8];

    p[0] = s->id;
    p[1] = athena_int_text(a, s->expires_at);
    p[2] = s->token;
    p[3] = athena_int_text(a, s->created_at);
    p[4] = s->ip_address;
    p[5] = s->user_agent;
    p[6] = s->user_id;
    p[7] = s->impersonated_by;

    return athena_pg_exec(db, a,
               "INSERT INTO session (id, \"expiresAt\", token, \"createdAt\","
               " \"updatedAt\", \"ipAddress\", \"userAgent\", \"userId\","
               " \"impersonatedBy\")"
               " VALUES ($1, " ATHENA_TS(2) ", $3, " ATHENA_TS(4) ", "
               ATHENA_TS(4) ", $5, $6, $7, $8)",
               8, p, NULL);
}


/*
 * The cache holds a session and its user as one JSON array of fields,
 * then the time the copy was made (an entry of an earlier version has
 * none): whoever serves from a copy of the entry, such as the gate's
 * shared memory, can then serve it no longer than Redis keeps it.
 */

static void
athena_gen_ms(athena_gen_t *g, int64_t ms)
{
    if (ms == ATHENA_TIME_NULL) {
        athena_gen_null(g);
        return;
    }

    athena_gen_int(g, ms);
}


char *
athena_session_cache_text(athena_arena_t *a, const athena_session_t *s,
    const athena_user_t *u, int64_t cached_at, size_t *len)
{
    athena_gen_t  *g;

    g = athena_gen_new();
    if (g == NULL) {
        return NULL;
    }

    athena_gen_array_open(g);

    athena_gen_cstr(g, s->id);
    athena_gen_ms(g, s->expires_at);
    athena_gen_cstr(g, s->token);
    athena_gen_ms(g, s->created_at);
    athena_gen_ms(g, s->updated_at);
    athena_gen_str_or_null(g, s->ip_address);
    athena_gen_str_or_null(g, s->user_agent);
    athena_gen_cstr(g, s->user_id);
    athena_gen_str_or_null(g, s->impersonated_by);
    athena_gen_str_or_null(g, s->active_organization_id);
    athena_gen_str_or_null(g, s->active_team_id);

    athena_gen_cstr(g, u->id);
    athena_gen_cstr(g, u->name);
    athena_gen_cstr(g, u->email);
    athena_gen_bool(g, u->email_verified);
    athena_gen_str_or_null(g, u->image);
    athena_gen_ms(g, u->created_at);
    athena_gen_ms(g, u->updated_at);
    athena_gen_str_or_null(g, u->role);

    if (u->banned < 0) {
        athena_gen_null(g);
    } else {
        athena_gen_bool(g, u->banned);
    }

    athena_gen_str_or_null(g, u->ban_reason);
    athena_gen_ms(g, u->ban_expires);

    athena_gen_int(g, cached_at);

    athena_gen_array_close(g);

    return athena_gen_finish(a, g, len);
}


static char *
athena_field_str(const athena_json_t *v)
{
    return v->type == ATHENA_JSON_STRING ? v->string : NULL;
}


/*
 * A number of up to 15 characters is exact as the double the reader made
 * of it; a longer one is read again as an integer
 */

static int64_t
athena_field_ms(const athena_json_t *v)
{
    if (v->type != ATHENA_JSON_NUMBER) {
        return ATHENA_TIME_NULL;
    }

    return v->len <= 15 ? (int64_t) v->number : strtoll(v->string, NULL, 10);
}


static int
athena_cache_decode(athena_arena_t *a, const char *text, athena_session_t *s,
    athena_user_t *u)
{
    athena_json_t   *root, **f;

    if (athena_json_parse(a, text, strlen(text), 2, &root) != ATHENA_JSON_OK
        || root->type != ATHENA_JSON_ARRAY
        || root->n < ATHENA_SESSION_NCOLS + ATHENA_USER_NCOLS
        || root->n > ATHENA_SESSION_NCOLS + ATHENA_USER_NCOLS + 1)
    {
        return -1;
    }

    s->cached_at = root->n > ATHENA_SESSION_NCOLS + ATHENA_USER_NCOLS
                   ? athena_field_ms(root->items[root->n - 1])
                   : ATHENA_TIME_NULL;
    s->from_key = 0;

    f = root->items;

    s->id = athena_field_str(f[0]);
    s->expires_at = athena_field_ms(f[1]);
    s->token = athena_field_str(f[2]);
    s->created_at = athena_field_ms(f[3]);
    s->updated_at = athena_field_ms(f[4]);
    s->ip_address = athena_field_str(f[5]);
    s->user_agent = athena_field_str(f[6]);
    s->user_id = athena_field_str(f[7]);
    s->impersonated_by = athena_field_str(f[8]);
    s->active_organization_id = athena_field_str(f[9]);
    s->active_team_id = athena_field_str(f[10]);

    f += ATHENA_SESSION_NCOLS;

    u->id = athena_field_str(f[0]);
    u->name = athena_field_str(f[1]);
    u->email = athena_field_str(f[2]);
    u->email_verified = f[3]->type == ATHENA_JSON_BOOL && f[3]->boolean;
    u->image = athena_field_str(f[4]);
    u->created_at = athena_field_ms(f[5]);
    u->updated_at = athena_field_ms(f[6]);
    u->role = athena_field_str(f[7]);
    u->banned = f[8]->type == ATHENA_JSON_BOOL ? f[8]->boolean : -1;
    u->ban_reason = athena_field_str(f[9]);
    u->ban_expires = athena_field_ms(f[10]);

    if (s->id == NULL || s->token == NULL || s->user_id == NULL
        || u->id == NULL || u->name == NULL || u->email == NULL)
    {
        return -1;
    }

    return 0;
}


/* the key names the SHA-256 of the token, never the token itself */

char *
athena_session_cache_key(athena_arena_t *a, const char *prefix,
    const char *token)
{
    char  hex[ATHENA_SHA256_HEX + 1];

    athena_sha256_hex(token, strlen(token), hex);

    return athena_sprintf(a, "%s" ATHENA_CACHE_SESSION "%s", prefix, hex);
}


static char *
athena_cache_key(athena_db_t *db, athena_arena_t *a, const char *token)
{
    return athena_session_cache_key(a, athena_db_conf(db)->cache_prefix,
                                    token);
}


/*
 * What a cache entry read by whoever asked Redis says about token:
 * ATHENA_STORE_OK with the session and user, ATHENA_STORE_NOT_FOUND for
 * a revocation's marker, ATHENA_STORE_ERROR for anything else (the entry
 * is then ignored, as if missing).
 */

athena_store_rc_e
athena_session_cache_parse(athena_arena_t *a, const char *text,
    const char *token, athena_session_t *s, athena_user_t *u)
{
    if (strcmp(text, ATHENA_CACHE_REVOKED) == 0) {
        return ATHENA_STORE_NOT_FOUND;
    }

    if (athena_cache_decode(a, text, s, u) == 0
        && strcmp(s->token, token) == 0)
    {
        return ATHENA_STORE_OK;
    }

    return ATHENA_STORE_ERROR;
}


athena_store_rc_e
athena_session_find(athena_db_t *db, athena_arena_t *a, const char *token,
    athena_session_t *s, athena_user_t *u, int *cached_hit)
{
    return athena_session_find_counted(db, a, token, s, u, cached_hit, NULL,
                                       NULL);
}


/*
 * athena_session_find(), and with ask the count of the session's user
 * that the REST API's limits want, or with roles (not NULL) the user's
 * admin roles entry (*roles NULL when Redis has none), in the same round
 * trip to Redis when the session is cached there (the count: when this
 * thread has read the session before and so knows its user;
 * ask->counted says whether it was counted).
 */

athena_store_rc_e
athena_session_find_counted(athena_db_t *db, athena_arena_t *a,
    const char *token, athena_session_t *s, athena_user_t *u,
    int *cached_hit, athena_limit_ask_t *ask, char **roles)
{
    char               *key, *cached;
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    /*
     * Tokens are text; bytes that are no UTF-8 (a client's "\xff" bearer)
     * match no stored token, as in better-auth, where they read as Latin-1
     */
    if (!athena_utf8_valid(token, strlen(token))) {
        return ATHENA_STORE_NOT_FOUND;
    }

    /* a cache TTL of 0 turns session caching off: Postgres answers all */
    key = athena_db_conf(db)->cache_ttl > 0 ? athena_cache_key(db, a, token)
                                            : NULL;
    if (roles != NULL) {
        *roles = NULL;
    }

    cached = key == NULL ? NULL
             : ask ? athena_limit_get(db, a, key, ask)
             : roles ? athena_admin_roles_with_session(db, a, key,
                                                       ATHENA_SESSION_NCOLS + 1,
                                                       roles)
                     : athena_redis_get(db, a, key);

    if (cached != NULL) {
        rc = athena_session_cache_parse(a, cached, token, s, u);

        if (rc != ATHENA_STORE_ERROR) {
            *cached_hit = (rc == ATHENA_STORE_OK);

            if (ask) {
                athena_limit_seen(db, a, key, ask,
                                  rc == ATHENA_STORE_OK ? u->id : NULL);
            }

            return rc;
        }
    }

    *cached_hit = 0;

    rc = athena_pg_one(db, a,
             "SELECT " ATHENA_SESSION_COLS("s") ", " ATHENA_USER_COLS("u")
             " FROM session s JOIN \"user\" u ON u.id = s.\"userId\""
             " WHERE s.token = $1",
             1, &token, &rows);

    if (rc != ATHENA_STORE_OK) {
        if (ask && key && rc == ATHENA_STORE_NOT_FOUND) {
            athena_limit_seen(db, a, key, ask, NULL);
        }

        return rc;
    }

    athena_session_read(rows, 0, 0, s);
    athena_user_read(rows, 0, ATHENA_SESSION_NCOLS, u);

    if (ask && key) {
        athena_limit_seen(db, a, key, ask, u->id);
    }

    return ATHENA_STORE_OK;
}


/*
 * A miss fills the cache only if no entry exists (NX), so that a
 * revocation's marker, written while this task read Postgres, wins.
 */

void
athena_session_cache_put(athena_db_t *db, athena_arena_t *a,
    const athena_session_t *s, const athena_user_t *u, int replace)
{
    char     *key, *val;
    size_t    len;
    int64_t   ttl;

    /* an entry never outlives the session it describes */
    ttl = s->expires_at - athena_now_ms();
    if (ttl > athena_db_conf(db)->cache_ttl) {
        ttl = athena_db_conf(db)->cache_ttl;
    }

    if (ttl <= 0) {
        return;
    }

    key = athena_cache_key(db, a, s->token);
    val = athena_session_cache_text(a, s, u, athena_now_ms(), &len);

    if (key && val) {
        athena_redis_set(db, key, val, len, ttl, !replace);
    }
}


/* a session that changed (not ended): the next read refills it */

void
athena_session_cache_drop(athena_db_t *db, athena_arena_t *a,
    const char *const *tokens, size_t n)
{
    size_t        i;
    const char  **keys;

    keys = athena_alloc(a, (n + 1) * sizeof(char *));
    if (keys == NULL) {
        return;
    }

    for (i = 0; i < n; i++) {
        keys[i] = athena_cache_key(db, a, tokens[i]);
        if (keys[i] == NULL) {
            return;
        }
    }

    if (n) {
        athena_redis_del(db, keys, n);
    }
}


void
athena_session_cache_revoke(athena_db_t *db, athena_arena_t *a,
    const char *const *tokens, size_t n)
{
    char    *key;
    size_t   i;

    for (i = 0; i < n; i++) {
        key = athena_cache_key(db, a, tokens[i]);
        if (key) {
            athena_redis_set(db, key, ATHENA_CACHE_REVOKED, 1,
                             athena_db_conf(db)->cache_ttl, 0);
        }
    }
}


athena_store_rc_e
athena_session_touch(athena_db_t *db, athena_arena_t *a, athena_session_t *s,
    int64_t expires_at, int64_t now)
{
    const char         *p[3];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = s->token;
    p[1] = athena_int_text(a, expires_at);
    p[2] = athena_int_text(a, now);

    rc = athena_pg_one(db, a,
             "UPDATE session SET \"expiresAt\" = " ATHENA_TS(2) ","
             " \"updatedAt\" = " ATHENA_TS(3) " WHERE token = $1"
             " RETURNING id",
             3, p, &rows);

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    s->expires_at = expires_at;
    s->updated_at = now;

    return ATHENA_STORE_OK;
}


athena_store_rc_e
athena_session_delete(athena_db_t *db, athena_arena_t *a, const char *token)
{
    return athena_pg_exec(db, a, "DELETE FROM session WHERE token = $1",
                          1, &token, NULL);
}


/* a token, if it is user_id's (any user's when NULL): NOT_FOUND if not */

athena_store_rc_e
athena_session_delete_of(athena_db_t *db, athena_arena_t *a,
    const char *token, const char *user_id)
{
    const char     *p[2];
    athena_rows_t  *rows;

    p[0] = token;
    p[1] = user_id;

    return athena_pg_one(db, a,
               "DELETE FROM session WHERE token = $1"
               " AND ($2::text IS NULL OR \"userId\" = $2) RETURNING id",
               2, p, &rows);
}


/* the organization plugin's active organization (NULL: none) */

athena_store_rc_e
athena_session_set_active(athena_db_t *db, athena_arena_t *a,
    const char *token, const char *org_id, int64_t now)
{
    const char  *p[3];

    p[0] = token;
    p[1] = org_id;
    p[2] = athena_int_text(a, now);

    return athena_pg_exec(db, a,
               "UPDATE session SET \"activeOrganizationId\" = $2,"
               " \"updatedAt\" = " ATHENA_TS(3) " WHERE token = $1",
               3, p, NULL);
}


/* the user's credential account gets the hash, made if it is missing */

athena_store_rc_e
athena_account_set_password(athena_db_t *db, athena_arena_t *a,
    const char *user_id, const char *hash, int64_t now)
{
    char                id[ATHENA_ID_LEN + 1];
    const char         *p[4];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = user_id;
    p[1] = hash;
    p[2] = athena_int_text(a, now);

    rc = athena_pg_one(db, a,
             "UPDATE account SET password = $2, \"updatedAt\" = " ATHENA_TS(3)
             " WHERE \"userId\" = $1 AND \"providerId\" = 'credential'"
             " RETURNING id",
             3, p, &rows);

    if (rc != ATHENA_STORE_NOT_FOUND) {
        return rc;
    }

    if (athena_random_id(id) != 0) {
        return ATHENA_STORE_ERROR;
    }

    p[3] = id;

    return athena_pg_exec(db, a,
               "INSERT INTO account (id, \"accountId\", \"providerId\","
               " \"userId\", password, \"createdAt\", \"updatedAt\")"
               " VALUES ($4, $1, 'credential', $1, $2, " ATHENA_TS(3) ", "
               ATHENA_TS(3) ")",
               4, p, NULL);
}


/* the user and its accounts (its sessions are the caller's to end) */

athena_store_rc_e
athena_user_delete(athena_db_t *db, athena_arena_t *a, const char *id)
{
    athena_store_rc_e  rc;

    rc = athena_pg_exec(db, a, "DELETE FROM account WHERE \"userId\" = $1",
                        1, &id, NULL);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    return athena_pg_exec(db, a, "DELETE FROM \"user\" WHERE id = $1",
                          1, &id, NULL);
}


/*
 * Deletes a user's sessions but keep_token's (and, with live_at, only
 * those still live then); *tokens lists the deleted ones, for the caches.
 */

athena_store_rc_e
athena_session_delete_user(athena_db_t *db, athena_arena_t *a,
    const char *user_id, const char *keep_token, int64_t live_at,
    const char ***tokens, size_t *ntokens)
{
    size_t              i, n;
    const char         *p[3];
    const char        **list;
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = user_id;
    p[1] = keep_token;
    p[2] = live_at ? athena_int_text(a, live_at) : NULL;

    rc = athena_pg_exec(db, a,
             "DELETE FROM session WHERE \"userId\" = $1"
             " AND ($2::text IS NULL OR token <> $2)"
             " AND ($3::float8 IS NULL OR \"expiresAt\" > " ATHENA_TS(3) ")"
             " RETURNING token",
             3, p, &rows);

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    n = athena_rows_count(rows);

    list = athena_alloc(a, (n + 1) * sizeof(char *));
    if (list == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < n; i++) {
        list[i] = athena_rows_get(rows, i, 0);
    }

    *tokens = list;
    *ntokens = n;

    return ATHENA_STORE_OK;
}


/*
 * A user's sessions, at most 100: those live at now and not made by an
 * impersonation, or with all set every row (the admin's view).
 */

athena_store_rc_e
athena_session_list(athena_db_t *db, athena_arena_t *a, const char *user_id,
    int64_t now, int all, athena_session_t **list, size_t *n)
{
    size_t              i;
    const char         *p[3];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = user_id;
    p[1] = athena_int_text(a, now);
    p[2] = all ? "true" : "false";

    rc = athena_pg_exec(db, a,
             "SELECT " ATHENA_SESSION_COLS("s") " FROM session s"
             " WHERE s.\"userId\" = $1 AND ($3::bool"
             " OR (s.\"expiresAt\" > " ATHENA_TS(2)
             " AND s.\"impersonatedBy\" IS NULL))"
             " ORDER BY s.\"createdAt\" LIMIT 100",
             3, p, &rows);

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *list = athena_calloc(a, (*n + 1) * sizeof(athena_session_t));
    if (*list == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        athena_session_read(rows, i, 0, &(*list)[i]);
    }

    return ATHENA_STORE_OK;
}
