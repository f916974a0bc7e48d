/*
 * The gate's part in the API layer: which token a request carries (the
 * same rules as the endpoints), and, in a thread task, what that token's
 * session says. The gate only reads: an expired session is refused here
 * and left for the API to delete.
 */

#include <string.h>

#include "athena_api.h"
#include "athena_apikey.h"
#include "../core/athena_time.h"
#include "../store/athena_admin_role_store.h"
#include "../store/athena_auth_store.h"
#include "../store/athena_org_store.h"


const char *
athena_gate_token(const athena_conf_t *conf, athena_arena_t *a,
    const char *authorization, const char *cookie)
{
    athena_req_t  req;
    athena_ctx_t  ctx;

    memset(&req, 0, sizeof(athena_req_t));
    memset(&ctx, 0, sizeof(athena_ctx_t));

    req.authorization = authorization;
    req.cookie = cookie;

    ctx.a = a;
    ctx.conf = conf;
    ctx.req = &req;

    return athena_session_token(&ctx);
}


/* a live session's identity; the organization role comes later */

static void
athena_gate_identity(athena_identity_t *id, const athena_session_t *s,
    const athena_user_t *u)
{
    memset(id, 0, sizeof(athena_identity_t));

    if (s->expires_at <= athena_now_ms()) {
        id->state = ATHENA_GATE_NONE;
        return;
    }

    id->state = ATHENA_GATE_LIVE;
    id->session_expires = s->expires_at;
    id->banned = u->banned == 1;
    id->ban_expires = u->ban_expires;

    id->str[ATHENA_ID_USER_ID] = u->id;
    id->str[ATHENA_ID_EMAIL] = u->email;
    id->str[ATHENA_ID_NAME] = u->name;
    id->str[ATHENA_ID_ROLE] = u->role;
    id->str[ATHENA_ID_SESSION_ID] = s->id;
    id->str[ATHENA_ID_ORG_ID] = s->active_organization_id;
    id->str[ATHENA_ID_IMPERSONATED_BY] = s->impersonated_by;
}


/*
 * What an API location's reads are answered with on the event loop (see
 * the answer file): the session's cache entry (text, the session s and
 * user u as the lookup read them), and get-session's answer rendered
 * from them. The gate itself needs neither, so its own lookups store
 * neither.
 */

static void
athena_gate_answers(athena_gate_lookup_t *lk, const char *text,
    const athena_session_t *s, const athena_user_t *u)
{
    athena_gen_t  *g;
    size_t         len;

    if (text == NULL) {
        return;
    }

    g = athena_gen_new();
    if (g == NULL) {
        return;
    }

    athena_gen_session_user(g, s, u);

    lk->id.str[ATHENA_ID_SESSION] = text;
    lk->id.str[ATHENA_ID_SESSION_JSON] = athena_gen_finish(lk->arena, g, &len);
}


/* the user's live admin roles (seed 004), for admin_role= rules */

static athena_store_rc_e
athena_gate_admin_roles(athena_db_t *db, athena_gate_lookup_t *lk)
{
    char               *roles;
    athena_store_rc_e   rc;

    rc = athena_admin_roles_live(db, lk->arena,
                                 lk->id.str[ATHENA_ID_USER_ID], &roles);
    if (rc == ATHENA_STORE_OK) {
        lk->id.str[ATHENA_ID_ADMIN_ROLES] = roles;
    }

    return rc;
}


static athena_store_rc_e
athena_gate_find(athena_db_t *db, athena_gate_lookup_t *lk)
{
    int                 cached;
    char               *org_role;
    size_t              len;
    athena_user_t       u;
    athena_session_t    s;
    athena_identity_t  *id;
    athena_store_rc_e   rc;

    id = &lk->id;
    memset(id, 0, sizeof(athena_identity_t));

    rc = athena_session_find(db, lk->arena, lk->token, &s, &u, &cached);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        id->state = ATHENA_GATE_NONE;
        id->absent = 1;
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_gate_identity(id, &s, &u);

    if (id->state != ATHENA_GATE_LIVE) {
        return ATHENA_STORE_OK;
    }

    if (!cached) {
        s.cached_at = athena_now_ms();
        athena_session_cache_put(db, lk->arena, &s, &u, 0);
    }

    if (lk->answers) {
        athena_gate_answers(lk, athena_session_cache_text(lk->arena, &s, &u,
                                                          s.cached_at, &len),
                            &s, &u);
    }

    if (s.active_organization_id != NULL) {
        rc = athena_member_role(db, lk->arena, s.active_organization_id,
                                u.id, &org_role);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }

        id->str[ATHENA_ID_ORG_ROLE] = org_role;
    }

    return athena_gate_admin_roles(db, lk);
}


/* the Athena client an admin's key names, from its metadata */

static const char *
athena_gate_key_client(athena_arena_t *a, const athena_apikey_t *k)
{
    athena_json_t        *meta;
    const athena_json_t  *v;

    if (k->metadata == NULL
        || athena_json_parse(a, k->metadata, strlen(k->metadata), 8, &meta)
           != ATHENA_JSON_OK)
    {
        return NULL;
    }

    v = athena_json_get(meta, "athenaClientName");

    return v && v->type == ATHENA_JSON_STRING ? v->string : NULL;
}


static void
athena_gate_refused(athena_identity_t *id, int status, const char *code,
    const char *message)
{
    memset(id, 0, sizeof(athena_identity_t));

    id->state = ATHENA_GATE_REFUSED;
    id->refusal_status = status;
    id->refusal_code = code;
    id->refusal_message = message;
}


/*
 * An x-api-key at the gate: checked and counted as the API checks it, the
 * location's key permissions before any use is spent, then its owner.
 * A key with a quota or a rate limit is marked counted: every request
 * comes back here, so that every use is counted where all nodes see it.
 */

static athena_store_rc_e
athena_gate_key_find(athena_db_t *db, athena_gate_lookup_t *lk)
{
    athena_req_t              req;
    athena_ctx_t              ctx;
    athena_resp_t             resp;
    athena_user_t             u;
    athena_apikey_t           k;
    athena_json_t            *granted;
    athena_identity_t        *id;
    athena_store_rc_e         rc;
    athena_apikey_refusal_t   no;

    memset(&req, 0, sizeof(athena_req_t));
    memset(&ctx, 0, sizeof(athena_ctx_t));
    memset(&resp, 0, sizeof(athena_resp_t));

    ctx.a = lk->arena;
    ctx.conf = lk->conf;
    ctx.req = &req;
    ctx.resp = &resp;
    ctx.db = db;
    ctx.now = athena_now_ms();

    id = &lk->id;

    rc = athena_apikey_check(&ctx, lk->key, NULL, lk->want, lk->nwant, &k,
                             &no);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (no.code != NULL) {
        athena_gate_refused(id, no.status, no.code, no.message);
        return ATHENA_STORE_OK;
    }

    rc = athena_user_by_id(db, lk->arena, k.reference_id, &u);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_gate_refused(id, 401, "INVALID_REFERENCE_ID_FROM_API_KEY",
                            "The reference id from the API key is invalid.");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    memset(id, 0, sizeof(athena_identity_t));

    id->state = ATHENA_GATE_LIVE;
    id->session_expires = k.expires_at != ATHENA_TIME_NULL ? k.expires_at
                                                           : INT64_MAX;
    id->banned = u.banned == 1;
    id->ban_expires = u.ban_expires;
    id->counted = k.remaining != ATHENA_TIME_NULL
                  || (k.rate_limit_enabled != 0
                      && k.rate_limit_time_window != ATHENA_TIME_NULL
                      && k.rate_limit_max != ATHENA_TIME_NULL);

    id->str[ATHENA_ID_USER_ID] = u.id;
    id->str[ATHENA_ID_EMAIL] = u.email;
    id->str[ATHENA_ID_NAME] = u.name;
    id->str[ATHENA_ID_ROLE] = u.role;
    id->str[ATHENA_ID_KEY_ID] = k.id;
    id->str[ATHENA_ID_KEY_NAME] = k.name;
    id->str[ATHENA_ID_KEY_CLIENT] = athena_gate_key_client(lk->arena, &k);

    if (k.permissions != NULL
        && athena_json_parse(lk->arena, k.permissions, strlen(k.permissions),
                             8, &granted)
           == ATHENA_JSON_OK)
    {
        id->str[ATHENA_ID_KEY_PERMISSIONS] = athena_apikey_flatten(lk->arena,
                                                                   granted);
    }

    return athena_gate_admin_roles(db, lk);
}


/*
 * The Redis entries a lookup may be answered from without a thread: the
 * session's, then (with an active organization) the membership's. NULL
 * when session caching is off.
 */

const char *
athena_gate_session_key(athena_gate_lookup_t *lk)
{
    const athena_store_conf_t  *sc;

    sc = &lk->conf->store;

    if (!sc->redis_enabled || sc->cache_ttl <= 0) {
        return NULL;
    }

    return athena_session_cache_key(lk->arena, sc->cache_prefix, lk->token);
}


/*
 * What the session's entry says: ATHENA_GATE_DONE (lk->id is the answer),
 * ATHENA_GATE_MEMBER (lk->member_key must be read next, then
 * lk->roles_key), ATHENA_GATE_ROLES (lk->roles_key next) or
 * ATHENA_GATE_ASK (the entry cannot answer: ask the thread task).
 */

athena_gate_step_e
athena_gate_session_cached(athena_gate_lookup_t *lk, char *text)
{
    athena_user_t      u;
    athena_session_t   s;
    athena_store_rc_e  rc;

    rc = athena_session_cache_parse(lk->arena, text, lk->token, &s, &u);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        memset(&lk->id, 0, sizeof(athena_identity_t));
        lk->id.absent = 1;
        return ATHENA_GATE_DONE;
    }

    if (rc != ATHENA_STORE_OK) {
        return ATHENA_GATE_ASK;
    }

    athena_gate_identity(&lk->id, &s, &u);

    if (lk->id.state != ATHENA_GATE_LIVE) {
        return ATHENA_GATE_DONE;
    }

    if (lk->answers) {
        athena_gate_answers(lk, text, &s, &u);
    }

    lk->roles_key = athena_admin_roles_cache_key(lk->arena,
                                                 lk->conf->store.cache_prefix,
                                                 u.id);
    if (lk->roles_key == NULL) {
        return ATHENA_GATE_ASK;
    }

    if (s.active_organization_id == NULL) {
        return ATHENA_GATE_ROLES;
    }

    lk->member_key = athena_member_cache_key(lk->arena,
                                             lk->conf->store.cache_prefix,
                                             s.active_organization_id, u.id);

    return lk->member_key ? ATHENA_GATE_MEMBER : ATHENA_GATE_ASK;
}


/* the membership's entry; the admin roles' (lk->roles_key) come next */

athena_gate_step_e
athena_gate_member_cached(athena_gate_lookup_t *lk, char *text)
{
    lk->id.str[ATHENA_ID_ORG_ROLE] = athena_member_cache_parse(text);

    return ATHENA_GATE_ROLES;
}


/* the admin roles' entry: the last of a session's */

athena_gate_step_e
athena_gate_roles_cached(athena_gate_lookup_t *lk, char *text)
{
    lk->id.str[ATHENA_ID_ADMIN_ROLES] = athena_admin_roles_cache_parse(text);

    return ATHENA_GATE_DONE;
}


/* runs in a pool thread */

void
athena_gate_lookup(athena_gate_lookup_t *lk)
{
    const char         *msg;
    athena_db_t        *db;
    athena_store_rc_e   rc;
    athena_store_rc_e (*find)(athena_db_t *db, athena_gate_lookup_t *lk);

    db = athena_db_acquire(&lk->conf->store);
    if (db == NULL) {
        lk->id.state = ATHENA_GATE_ERROR;
        lk->log_error = "out of memory";
        return;
    }

    find = lk->jwks ? athena_gate_jwks
           : lk->key ? athena_gate_key_find : athena_gate_find;

    rc = find(db, lk);

    if (rc == ATHENA_STORE_UNAVAILABLE && athena_db_may_retry(db)) {
        /* the connection died since the last task: one fresh try */
        athena_db_release(db);
        db = athena_db_acquire(&lk->conf->store);
        rc = db ? find(db, lk) : ATHENA_STORE_ERROR;
    }

    if (rc != ATHENA_STORE_OK) {
        lk->id.state = rc == ATHENA_STORE_UNAVAILABLE ? ATHENA_GATE_UNAVAILABLE
                                                     : ATHENA_GATE_ERROR;
        msg = db ? athena_db_error(db) : NULL;
        lk->log_error = athena_strdup(lk->arena,
                                      msg ? msg : "session lookup failed");
    }

    msg = db ? athena_db_warning(db) : NULL;
    if (msg != NULL) {
        lk->log_warn = athena_strdup(lk->arena, msg);
    }

    if (db) {
        athena_db_release(db);
    }
}
