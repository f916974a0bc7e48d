/*
 * SQL for the core auth tables: users, credential accounts and sessions,
 * and the Redis entries that cache a session with its user.
 */

#ifndef ATHENA_AUTH_STORE_H
#define ATHENA_AUTH_STORE_H

#include "athena_db.h"
#include "../core/athena_model.h"


/* a revoked session's Redis entry, so that no cache fill brings it back */
#define ATHENA_CACHE_REVOKED  "-"


void athena_user_read(const athena_rows_t *rows, size_t r, int c,
    athena_user_t *u);
athena_store_rc_e athena_user_by_email(athena_db_t *db, athena_arena_t *a,
    const char *email, athena_user_t *user, char **password_hash);
athena_store_rc_e athena_user_create(athena_db_t *db, athena_arena_t *a,
    athena_user_t *user, const char *password_hash);
athena_store_rc_e athena_user_by_id(athena_db_t *db, athena_arena_t *a,
    const char *id, athena_user_t *user);
athena_store_rc_e athena_user_set_role(athena_db_t *db, athena_arena_t *a,
    const char *id, const char *role, int64_t now, athena_user_t *user);
athena_store_rc_e athena_user_set_ban(athena_db_t *db, athena_arena_t *a,
    const char *id, int banned, const char *reason, int64_t expires,
    int64_t now, athena_user_t *user);
athena_store_rc_e athena_user_lift_ban(athena_db_t *db, athena_arena_t *a,
    const char *user_id, int64_t now);

athena_store_rc_e athena_session_create(athena_db_t *db, athena_arena_t *a,
    athena_session_t *s);
athena_store_rc_e athena_session_find(athena_db_t *db, athena_arena_t *a,
    const char *token, athena_session_t *s, athena_user_t *user,
    int *cached_hit);
/*
 * The start of a Redis script over a cached session (KEYS[1], this file's
 * entry) that goes on with its user: ARGV[2] is the place of the user's id
 * in the entry. It returns {false} without an entry and {v} for one that
 * names no user; else v is the entry and uid the user's id.
 */
#define ATHENA_SESSION_UID_LUA                                                \
    "local v = redis.call('GET', KEYS[1])\n"                                   \
    "if not v then return {false} end\n"                                       \
    "local ok, a = pcall(cjson.decode, v)\n"                                   \
    "local uid = ok and type(a) == 'table' and a[tonumber(ARGV[2])]\n"         \
    "if type(uid) ~= 'string' then return {v} end\n"

struct athena_limit_ask_s;
athena_store_rc_e athena_session_find_counted(athena_db_t *db,
    athena_arena_t *a, const char *token, athena_session_t *s,
    athena_user_t *u, int *cached_hit, struct athena_limit_ask_s *ask,
    char **roles);
athena_store_rc_e athena_session_touch(athena_db_t *db, athena_arena_t *a,
    athena_session_t *s, int64_t expires_at, int64_t now);
athena_store_rc_e athena_session_delete(athena_db_t *db, athena_arena_t *a,
    const char *token);
athena_store_rc_e athena_session_delete_user(athena_db_t *db,
    athena_arena_t *a, const char *user_id, const char *keep_token,
    int64_t live_at, const char ***tokens, size_t *ntokens);
athena_store_rc_e athena_session_tokens(athena_db_t *db, athena_arena_t *a,
    const char *user_id, const char ***tokens, size_t *n);
athena_store_rc_e athena_session_list(athena_db_t *db, athena_arena_t *a,
    const char *user_id, int64_t now, int all, athena_session_t **list,
    size_t *n);
athena_store_rc_e athena_session_delete_of(athena_db_t *db,
    athena_arena_t *a, const char *token, const char *user_id);
athena_store_rc_e athena_session_set_active(athena_db_t *db,
    athena_arena_t *a, const char *token, const char *org_id, int64_t now);
athena_store_rc_e athena_account_set_password(athena_db_t *db,
    athena_arena_t *a, const char *user_id, const char *hash, int64_t now);
athena_store_rc_e athena_user_delete(athena_db_t *db, athena_arena_t *a,
    const char *id);

char *athena_session_cache_key(athena_arena_t *a, const char *prefix,
    const char *token);
char *athena_session_cache_text(athena_arena_t *a,
    const athena_session_t *s, const athena_user_t *u, int64_t cached_at,
    size_t *len);
athena_store_rc_e athena_session_cache_parse(athena_arena_t *a,
    const char *text, const char *token, athena_session_t *s,
    athena_user_t *u);
void athena_session_cache_put(athena_db_t *db, athena_arena_t *a,
    const athena_session_t *s, const athena_user_t *user, int replace);
void athena_session_cache_drop(athena_db_t *db, athena_arena_t *a,
    const char *const *tokens, size_t n);
void athena_session_cache_revoke(athena_db_t *db, athena_arena_t *a,
    const char *const *tokens, size_t n);


#endif /* ATHENA_AUTH_STORE_H */
