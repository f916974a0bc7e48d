/*
 * The session of a request: which token it carries (a verified bearer
 * wins over the cookie, as better-auth's bearer plugin arranges), the
 * lookup with expiry and refresh by update age, and new sessions with the
 * admin plugin's ban hook.
 */

#include <string.h>
#include <strings.h>

#include "athena_api.h"
#include "../core/athena_crypto.h"
#include "../core/athena_text.h"
#include "../store/athena_auth_store.h"


#define ATHENA_DAY_MS  (86400 * 1000LL)


/* the admin plugin's bannedUserMessage; the gate says it too */
const char  athena_banned_message[] =
    "You have been banned from this application. "
    "Please contact support if you believe this is an error.";


/*
 * "Bearer token.sig" must carry a valid signature, checked as the session
 * cookie's is (better-auth's bearer plugin puts it into that cookie); a
 * bare "Bearer token" is signed by the plugin itself, so it is taken as it
 * is. A header that fails is ignored, not refused.
 */

static const char *
athena_bearer_token(athena_ctx_t *ctx)
{
    char        *value, *dot;
    size_t       len;
    const char  *h, *end;

    h = ctx->req->authorization;

    if (h == NULL || strncasecmp(h, "bearer ", 7) != 0) {
        return NULL;
    }

    h += 7;
    while (*h == ' ' || *h == '\t') {
        h++;
    }

    end = h + strlen(h);
    while (end > h && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }

    len = (size_t) (end - h);
    if (len == 0) {
        return NULL;
    }

    if (memchr(h, '.', len) == NULL) {
        return athena_strndup(ctx->a, h, len);
    }

    value = memchr(h, '%', len) ? athena_uri_decode(ctx->a, h, len, &len)
                                : athena_strndup(ctx->a, h, len);
    if (value == NULL) {
        return NULL;
    }

    /*
     * the plugin splits at the first dot, the cookie at the last: one dot;
     * none is left to find when a decoded NUL byte ("%00") comes first
     */
    dot = strchr(value, '.');
    if (dot == NULL || strchr(dot + 1, '.') != NULL) {
        return NULL;
    }

    return athena_unsign(ctx, value);
}


const char *
athena_session_token(athena_ctx_t *ctx)
{
    const char  *token;

    token = athena_bearer_token(ctx);
    if (token != NULL) {
        return token;
    }

    return athena_cookie_get_signed(ctx, "session_token");
}


/*
 * Room for n more digests to leave the gate's shared memory on this node,
 * or NULL when memory ran out.
 */

unsigned char *
athena_evict_more(athena_ctx_t *ctx, size_t n)
{
    size_t          have;
    unsigned char  *all;

    have = ctx->resp->nevict;

    all = athena_alloc(ctx->a, (have + n) * ATHENA_SHA256_LEN);
    if (all == NULL) {
        return NULL;
    }

    if (have) {
        memcpy(all, ctx->resp->evict, have * ATHENA_SHA256_LEN);
    }

    ctx->resp->evict = all;
    ctx->resp->nevict = have + n;

    return all + have * ATHENA_SHA256_LEN;
}


/*
 * Sessions that ended or changed leave both caches before the answer:
 * Redis here (a "revoked" marker, or the entry deleted), and the answer
 * carries the tokens' hashes for the gate's shared memory on this node.
 */

static void
athena_session_evict(athena_ctx_t *ctx, const char *const *tokens,
    size_t n)
{
    size_t          i;
    unsigned char  *md;

    md = athena_evict_more(ctx, n);
    if (md == NULL) {
        return;
    }

    for (i = 0; i < n; i++) {
        athena_sha256(tokens[i], strlen(tokens[i]),
                      md + i * ATHENA_SHA256_LEN);
    }
}


void
athena_session_forget(athena_ctx_t *ctx, const char *const *tokens,
    size_t n)
{
    athena_session_cache_revoke(ctx->db, ctx->a, tokens, n);
    athena_session_evict(ctx, tokens, n);
}


/* sessions that go on but now say something else (a role, a ban) */

void
athena_session_refresh(athena_ctx_t *ctx, const char *const *tokens,
    size_t n)
{
    athena_session_cache_drop(ctx->db, ctx->a, tokens, n);
    athena_session_evict(ctx, tokens, n);
}


athena_store_rc_e
athena_session_revoke(athena_ctx_t *ctx, const char *token)
{
    athena_store_rc_e  rc;

    rc = athena_session_delete(ctx->db, ctx->a, token);
    if (rc == ATHENA_STORE_OK) {
        athena_session_forget(ctx, &token, 1);
    }

    return rc;
}


/* a session older than the update age is extended (and re-sent) */

static int
athena_session_due(athena_ctx_t *ctx)
{
    char  *flag;

    flag = athena_cookie_get_signed(ctx, "dont_remember");
    ctx->dont_remember = flag != NULL && strcmp(flag, "true") == 0;

    return !ctx->dont_remember
           && ctx->now >= ctx->session.expires_at - ctx->conf->expires_in
                          + ctx->conf->update_age;
}


/*
 * On the event loop (athena_api_answer()): the session from the copy of
 * its cache entry that the gate's shared memory holds. The copy is taken
 * only while Redis itself would still hold the entry (its TTL from when
 * it was made), so that no session, revoked or changed behind the
 * module's back, is served from it for longer than from Redis. Whatever
 * needs a store (an expired session to delete, a refresh, a count)
 * is ATHENA_STORE_AGAIN, for a thread task. The lookup may also have
 * found no store answering (req->stores_down), or no session with the
 * token (req->session_absent): that is the answer, as a task's would be.
 */

static athena_store_rc_e
athena_session_preloaded(athena_ctx_t *ctx, const char *token, int refresh)
{
    athena_session_t  *s;

    s = &ctx->session;

    if (ctx->req->stores_down) {
        return ATHENA_STORE_UNAVAILABLE;
    }

    /* as a task finds none: no session, and its cookies expired */
    if (ctx->req->session_absent) {
        athena_cookie_expire_session(ctx);
        return ATHENA_STORE_OK;
    }

    if (ctx->req->session_text == NULL || ctx->limit_ask != NULL
        || ctx->roles_wanted
        || athena_session_cache_parse(ctx->a, ctx->req->session_text, token,
                                      s, &ctx->user)
           != ATHENA_STORE_OK
        || s->cached_at == ATHENA_TIME_NULL
        || ctx->now - s->cached_at >= ctx->conf->store.cache_ttl
        || s->expires_at < ctx->now)
    {
        return ATHENA_STORE_AGAIN;
    }

    ctx->has_session = 1;

    if (athena_session_due(ctx) && refresh) {
        return ATHENA_STORE_AGAIN;
    }

    return ATHENA_STORE_OK;
}


/*
 * Loads the request's session into ctx. A missing or expired session is
 * not an error: has_session stays 0 and the cookies are expired, as
 * better-auth's get-session does. With refresh set, a session older than
 * the update age is extended and its cookie sent again.
 */

athena_store_rc_e
athena_session_load(athena_ctx_t *ctx, int refresh)
{
    int                 cached;
    const char         *token;
    athena_store_rc_e   rc;

    /* an x-api-key made the request its owner's before the endpoint ran */
    if (ctx->key_session) {
        return ATHENA_STORE_OK;
    }

    ctx->has_session = 0;
    ctx->session_read = 1;

    token = athena_session_token(ctx);
    if (token == NULL) {
        return ATHENA_STORE_OK;
    }

    if (ctx->db == NULL) {
        return athena_session_preloaded(ctx, token, refresh);
    }

    /* a task's route whose lookup found the session (ATHENA_ROUTE_PRELOAD) */
    if (ctx->req->session_text != NULL) {
        rc = athena_session_preloaded(ctx, token, refresh);
        if (rc != ATHENA_STORE_AGAIN) {
            return rc;
        }

        ctx->has_session = 0;
    }

    rc = athena_session_find_counted(ctx->db, ctx->a, token, &ctx->session,
                                     &ctx->user, &cached, ctx->limit_ask,
                                     ctx->roles_wanted ? &ctx->admin_roles
                                                       : NULL);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_cookie_expire_session(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (ctx->session.expires_at < ctx->now) {
        athena_cookie_expire_session(ctx);
        return athena_session_revoke(ctx, token);
    }

    ctx->has_session = 1;

    if (athena_session_due(ctx) && refresh) {
        rc = athena_session_touch(ctx->db, ctx->a, &ctx->session,
                                  ctx->now + ctx->conf->expires_in,
                                  ctx->now);

        if (rc == ATHENA_STORE_NOT_FOUND) {
            /* revoked between the read and the update */
            ctx->has_session = 0;
            athena_cookie_expire_session(ctx);
            return ATHENA_STORE_OK;
        }

        if (rc != ATHENA_STORE_OK) {
            return rc;
        }

        athena_session_cache_put(ctx->db, ctx->a, &ctx->session, &ctx->user,
                                 1);
        athena_cookie_set_session(ctx, ctx->session.token, 1);

        return ATHENA_STORE_OK;
    }

    if (!cached) {
        athena_session_cache_put(ctx->db, ctx->a, &ctx->session, &ctx->user,
                                 0);
    }

    return ATHENA_STORE_OK;
}


/* better-auth's session middleware: 401 UNAUTHORIZED when there is none */

athena_store_rc_e
athena_session_require(athena_ctx_t *ctx, int refresh, int *ok)
{
    athena_store_rc_e  rc;

    *ok = 0;

    rc = athena_session_load(ctx, refresh);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (!ctx->has_session) {
        athena_reply_error(ctx, 401, "UNAUTHORIZED", "Unauthorized");
        return ATHENA_STORE_OK;
    }

    *ok = 1;

    return ATHENA_STORE_OK;
}


/*
 * Every new session passes the admin plugin's ban hook: an expired ban is
 * lifted, a live one refuses with 403 BANNED_USER (and *refused set).
 * The session, ending at expires_at, becomes ctx's; no cookie is set.
 */

athena_store_rc_e
athena_session_open(athena_ctx_t *ctx, athena_user_t *user,
    int64_t expires_at, const char *impersonated_by, int *refused)
{
    char                id[ATHENA_ID_LEN + 1], token[ATHENA_ID_LEN + 1];
    athena_session_t   *s;
    athena_store_rc_e   rc;

    *refused = 0;

    if (user->banned == 1) {
        if (user->ban_expires == ATHENA_TIME_NULL
            || user->ban_expires > ctx->now)
        {
            *refused = 1;
            athena_reply_error(ctx, 403, "BANNED_USER",
                               athena_banned_message);
            return ATHENA_STORE_OK;
        }

        rc = athena_user_lift_ban(ctx->db, ctx->a, user->id, ctx->now);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }
    }

    if (athena_random_id(id) != 0 || athena_random_id(token) != 0) {
        return ATHENA_STORE_ERROR;
    }

    s = &ctx->session;
    memset(s, 0, sizeof(athena_session_t));

    s->id = athena_strdup(ctx->a, id);
    s->token = athena_strdup(ctx->a, token);
    s->created_at = ctx->now;
    s->updated_at = ctx->now;
    s->expires_at = expires_at;
    s->ip_address = (char *) (ctx->req->ip ? ctx->req->ip : "");
    s->user_agent = (char *) (ctx->req->user_agent ? ctx->req->user_agent
                                                   : "");
    s->user_id = user->id;
    s->impersonated_by = (char *) impersonated_by;

    rc = athena_session_create(ctx->db, ctx->a, s);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->has_session = 1;
    ctx->user = *user;

    return ATHENA_STORE_OK;
}


/* a signed-in session, with its cookie */

athena_store_rc_e
athena_session_start(athena_ctx_t *ctx, athena_user_t *user, int remember,
    int *refused)
{
    athena_store_rc_e  rc;

    rc = athena_session_open(ctx, user,
                             ctx->now + (remember ? ctx->conf->expires_in
                                                  : ATHENA_DAY_MS),
                             NULL, refused);

    if (rc == ATHENA_STORE_OK && !*refused) {
        athena_cookie_set_session(ctx, ctx->session.token, remember);
    }

    return rc;
}
