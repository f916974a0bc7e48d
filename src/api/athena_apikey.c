/*
 * A presented API key, checked as better-auth's api-key plugin checks it:
 * exists, enabled, not expired, permissions, remaining / refill, its own
 * rate limit, each refusal with the plugin's status and code. Only the
 * key's hash is ever looked up or compared, so a forged, truncated or
 * prefix-only key costs what any other does and tells nothing.
 */

#include <string.h>

#include "athena_apikey.h"
#include "../core/athena_crypto.h"
#include "../store/athena_apikey_store.h"
#include "../store/athena_auth_store.h"


static void
athena_apikey_no(athena_apikey_refusal_t *no, int status, const char *code,
    const char *message)
{
    no->status = status;
    no->code = code;
    no->message = message;
    no->retry_ms = -1;
}


/* the key's digest leaves the gate's shared memory on this node too */

void
athena_apikey_evict(athena_ctx_t *ctx, const athena_apikey_t *k)
{
    unsigned char  md[ATHENA_SHA256_LEN], *slot;

    if (k->key == NULL || athena_apikey_hash_raw(k->key, md) != 0) {
        return;
    }

    slot = athena_evict_more(ctx, 1);
    if (slot != NULL) {
        memcpy(slot, md, ATHENA_SHA256_LEN);
    }
}


/*
 * Every key of a user leaves the gate's shared memory on this node: the
 * identity it caches names the owner's role and ban. Best effort, after
 * the change has committed: a failure leaves the cache's TTL to bound it.
 */

void
athena_apikey_evict_owner(athena_ctx_t *ctx, const char *user_id)
{
    size_t            i, n;
    athena_apikey_t  *list;

    if (athena_apikey_list(ctx->db, ctx->a, user_id, NULL, 0, &list, &n)
        != ATHENA_STORE_OK)
    {
        return;
    }

    for (i = 0; i < n; i++) {
        athena_apikey_evict(ctx, &list[i]);
    }
}


static athena_store_rc_e
athena_apikey_drop(athena_ctx_t *ctx, const athena_apikey_t *k)
{
    athena_store_rc_e  rc;

    rc = athena_apikey_delete(ctx->db, ctx->a, k);
    if (rc == ATHENA_STORE_NOT_FOUND) {
        rc = ATHENA_STORE_OK;
    }

    athena_apikey_evict(ctx, k);

    return rc;
}


/* "null" and "default" name the same configuration, as in the plugin */

static int
athena_apikey_config_is(const char *have, const char *want)
{
    if (have == NULL || strcmp(have, "default") == 0) {
        have = "";
    }

    if (want == NULL || strcmp(want, "default") == 0) {
        want = "";
    }

    return strcmp(have, want) == 0;
}


static int
athena_apikey_granted(athena_ctx_t *ctx, const athena_apikey_t *k,
    const athena_permission_t *want, size_t nwant)
{
    athena_json_t  *granted;

    if (k->permissions == NULL
        || athena_json_parse(ctx->a, k->permissions, strlen(k->permissions),
                             ctx->conf->max_depth, &granted)
           != ATHENA_JSON_OK)
    {
        return 0;
    }

    return athena_apikey_permits(granted, want, nwant);
}


/*
 * Checks plain (and, when want is not NULL, its permissions) and counts
 * one use. A refusal fills no (no->code not NULL); an accepted key is
 * left in k as counted. config_id, when given, must be the key's.
 */

athena_store_rc_e
athena_apikey_check(athena_ctx_t *ctx, const char *plain,
    const char *config_id, const athena_permission_t *want, size_t nwant,
    athena_apikey_t *k, athena_apikey_refusal_t *no)
{
    char                    hash[ATHENA_APIKEY_HASH_LEN + 1];
    athena_store_rc_e       rc;
    athena_apikey_count_t   c;

    athena_apikey_no(no, 0, NULL, NULL);

    athena_apikey_hash(plain, strlen(plain), hash);

    rc = athena_apikey_by_hash(ctx->db, ctx->a, hash, k);

    if (rc == ATHENA_STORE_NOT_FOUND
        || (rc == ATHENA_STORE_OK && config_id != NULL
            && !athena_apikey_config_is(k->config_id, config_id)))
    {
        athena_apikey_no(no, 401, "INVALID_API_KEY", "Invalid API key.");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    /* disabled before expired: a disabled expired key is kept */
    if (k->enabled == 0) {
        athena_apikey_no(no, 401, "KEY_DISABLED", "API Key is disabled");
        return ATHENA_STORE_OK;
    }

    if (k->expires_at != ATHENA_TIME_NULL && ctx->now > k->expires_at) {
        athena_apikey_no(no, 401, "KEY_EXPIRED", "API Key has expired");
        return athena_apikey_drop(ctx, k);
    }

    if (want != NULL && !athena_apikey_granted(ctx, k, want, nwant)) {
        athena_apikey_no(no, 401, "KEY_NOT_FOUND", "API Key not found");
        return ATHENA_STORE_OK;
    }

    if (k->remaining == 0 && k->refill_amount == ATHENA_TIME_NULL) {
        athena_apikey_no(no, 429, "USAGE_EXCEEDED",
                         "API Key has reached its usage limit");
        return athena_apikey_drop(ctx, k);
    }

    if (k->remaining != ATHENA_TIME_NULL) {
        rc = athena_apikey_consume(ctx->db, ctx->a, k, ctx->now);

        /* spent since the row was read (the cached row is older) */
        if (rc == ATHENA_STORE_NOT_FOUND) {
            athena_apikey_no(no, 429, "USAGE_EXCEEDED",
                             "API Key has reached its usage limit");

            return k->refill_amount == ATHENA_TIME_NULL
                   ? athena_apikey_drop(ctx, k) : ATHENA_STORE_OK;
        }

        if (rc != ATHENA_STORE_OK) {
            return rc;
        }
    }

    /* as in the plugin, a quota unit spent above stays spent */
    rc = athena_apikey_count(ctx->db, ctx->a, k, ctx->now, &c);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (!c.allowed) {
        athena_apikey_no(no, 429, "RATE_LIMITED", "Rate limit exceeded.");
        no->retry_ms = c.retry_ms;
        return ATHENA_STORE_OK;
    }

    k->request_count = c.count;
    k->last_request = c.last;

    if (c.fold) {
        rc = athena_apikey_touch(ctx->db, ctx->a, k, &c);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }
        k->updated_at = c.last;
    }

    return ATHENA_STORE_OK;
}


void
athena_gen_apikey_error(athena_gen_t *g, const athena_apikey_refusal_t *no)
{
    athena_gen_map_open(g);
    athena_gen_key(g, "message");
    athena_gen_cstr(g, no->message);
    athena_gen_key(g, "code");
    athena_gen_cstr(g, no->code);

    if (no->retry_ms >= 0) {
        athena_gen_key(g, "details");
        athena_gen_map_open(g);
        athena_gen_key(g, "tryAgainIn");
        athena_gen_int(g, no->retry_ms);
        athena_gen_map_close(g);
    }

    athena_gen_map_close(g);
}


void
athena_apikey_refuse(athena_ctx_t *ctx, const athena_apikey_refusal_t *no)
{
    athena_gen_t  *g;

    /* the REST surface writes its envelope, with the plugin's words */
    if (ctx->req->surface != ATHENA_SURFACE_AUTH) {
        athena_reply_error(ctx, no->status, no->code, no->message);
        return;
    }

    ctx->error_code = no->code;

    g = athena_reply_json(ctx);
    if (g != NULL) {
        athena_gen_apikey_error(g, no);
        athena_reply_gen(ctx, no->status, g);
    }
}


/*
 * The plugin's "sessions for API keys": an x-api-key header makes the
 * request its owner's, on every route, and wins over a cookie or bearer;
 * a key that fails answers the request with its refusal. Nothing is
 * written to the session table. Two choices differ from the plugin: the
 * session ends with the key, or after the configured session lifetime
 * (the plugin adds the seconds as milliseconds: about ten minutes), and
 * a banned owner's key is refused as the plugin's delete route refuses.
 */

athena_store_rc_e
athena_apikey_session(athena_ctx_t *ctx, int *refused)
{
    const char               *plain;
    athena_apikey_t           k;
    athena_session_t         *s;
    athena_store_rc_e         rc;
    athena_apikey_refusal_t   no;

    *refused = 0;
    plain = ctx->req->api_key;

    if (plain == NULL || plain[0] == '\0') {
        return ATHENA_STORE_OK;
    }

    *refused = 1;

    /* shorter than any key the plugin makes: refused without a lookup */
    if (strlen(plain) < ATHENA_APIKEY_LEN) {
        athena_apikey_no(&no, 403, "INVALID_API_KEY", "Invalid API key.");
        athena_apikey_refuse(ctx, &no);
        return ATHENA_STORE_OK;
    }

    rc = athena_apikey_check(ctx, plain, NULL, NULL, 0, &k, &no);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (no.code != NULL) {
        athena_apikey_refuse(ctx, &no);
        return ATHENA_STORE_OK;
    }

    rc = athena_user_by_id(ctx->db, ctx->a, k.reference_id, &ctx->user);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_apikey_no(&no, 401, "INVALID_REFERENCE_ID_FROM_API_KEY",
                         "The reference id from the API key is invalid.");
        athena_apikey_refuse(ctx, &no);
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (ctx->user.banned == 1
        && (ctx->user.ban_expires == ATHENA_TIME_NULL
            || ctx->user.ban_expires > ctx->now))
    {
        athena_apikey_no(&no, 401, "USER_BANNED", "User is banned");
        athena_apikey_refuse(ctx, &no);
        return ATHENA_STORE_OK;
    }

    s = &ctx->session;
    memset(s, 0, sizeof(athena_session_t));

    s->from_key = 1;
    s->id = k.id;
    s->token = (char *) plain;
    s->user_id = k.reference_id;
    s->ip_address = (char *) ctx->req->ip;
    s->user_agent = (char *) ctx->req->user_agent;
    s->created_at = ctx->now;
    s->updated_at = ctx->now;
    s->expires_at = k.expires_at != ATHENA_TIME_NULL
                    ? k.expires_at : ctx->now + ctx->conf->expires_in;

    ctx->has_session = 1;
    ctx->session_read = 1;
    ctx->key_session = 1;

    /* an audited route's actor, even when it refuses the body first */
    ctx->actor_id = ctx->user.id;
    ctx->actor_token = plain;
    *refused = 0;

    return ATHENA_STORE_OK;
}


/*
 * A new key for k's owner: 64 letters after the prefix, stored as its
 * hash; k's other fields are the caller's. *plain is the key, returned
 * this once and never stored.
 */

athena_store_rc_e
athena_apikey_make(athena_ctx_t *ctx, athena_apikey_t *k, const char *prefix,
    char **plain)
{
    char    id[ATHENA_ID_LEN + 1], random[ATHENA_APIKEY_LEN + 1], *hash;
    size_t  plen;

    if (athena_random_id(id) != 0
        || athena_apikey_generate(random, ATHENA_APIKEY_LEN) != 0)
    {
        return ATHENA_STORE_ERROR;
    }

    *plain = athena_sprintf(ctx->a, "%s%s", prefix ? prefix : "", random);
    hash = athena_alloc(ctx->a, ATHENA_APIKEY_HASH_LEN + 1);

    if (*plain == NULL || hash == NULL) {
        return ATHENA_STORE_ERROR;
    }

    plen = strlen(*plain);
    athena_apikey_hash(*plain, plen, hash);

    if (plen > ATHENA_APIKEY_START) {
        plen = ATHENA_APIKEY_START;
    }

    k->id = athena_strdup(ctx->a, id);
    k->key = hash;
    k->prefix = (char *) prefix;
    k->start = athena_strndup(ctx->a, *plain, plen);
    k->created_at = ctx->now;

    if (k->id == NULL || k->start == NULL) {
        return ATHENA_STORE_ERROR;
    }

    return athena_apikey_insert(ctx->db, ctx->a, k);
}


static void
athena_gen_int_or_null(athena_gen_t *g, int64_t v)
{
    if (v == ATHENA_TIME_NULL) {
        athena_gen_null(g);
    } else {
        athena_gen_int(g, v);
    }
}


static void
athena_gen_bool_or_null(athena_gen_t *g, int v)
{
    if (v < 0) {
        athena_gen_null(g);
    } else {
        athena_gen_bool(g, v);
    }
}


/*
 * The plugin's KeyJSON: every column but the hash; plain once, at birth.
 * Athena's record also names the owner as userId.
 */

void
athena_gen_apikey(athena_ctx_t *ctx, athena_gen_t *g, const athena_apikey_t *k,
    const char *plain, int user_id)
{
    athena_gen_map_open(g);

    athena_gen_key(g, "id");
    athena_gen_cstr(g, k->id);
    athena_gen_key(g, "configId");
    athena_gen_str_or_null(g, k->config_id);
    athena_gen_key(g, "name");
    athena_gen_str_or_null(g, k->name);
    athena_gen_key(g, "start");
    athena_gen_str_or_null(g, k->start);
    athena_gen_key(g, "referenceId");
    athena_gen_cstr(g, k->reference_id);

    if (user_id) {
        athena_gen_key(g, "userId");
        athena_gen_cstr(g, k->reference_id);
    }

    athena_gen_key(g, "prefix");
    athena_gen_str_or_null(g, k->prefix);
    athena_gen_key(g, "refillInterval");
    athena_gen_int_or_null(g, k->refill_interval);
    athena_gen_key(g, "refillAmount");
    athena_gen_int_or_null(g, k->refill_amount);
    athena_gen_key(g, "lastRefillAt");
    athena_gen_time_or_null(g, k->last_refill_at);
    athena_gen_key(g, "enabled");
    athena_gen_bool_or_null(g, k->enabled);
    athena_gen_key(g, "rateLimitEnabled");
    athena_gen_bool_or_null(g, k->rate_limit_enabled);
    athena_gen_key(g, "rateLimitTimeWindow");
    athena_gen_int_or_null(g, k->rate_limit_time_window);
    athena_gen_key(g, "rateLimitMax");
    athena_gen_int_or_null(g, k->rate_limit_max);
    athena_gen_key(g, "requestCount");
    athena_gen_int_or_null(g, k->request_count);
    athena_gen_key(g, "remaining");
    athena_gen_int_or_null(g, k->remaining);
    athena_gen_key(g, "lastRequest");
    athena_gen_time_or_null(g, k->last_request);
    athena_gen_key(g, "expiresAt");
    athena_gen_time_or_null(g, k->expires_at);
    athena_gen_key(g, "createdAt");
    athena_gen_time(g, k->created_at);
    athena_gen_key(g, "updatedAt");
    athena_gen_time(g, k->updated_at);
    athena_gen_key(g, "permissions");
    athena_gen_json_text(ctx->a, g, k->permissions);
    athena_gen_key(g, "metadata");
    athena_gen_json_text(ctx->a, g, k->metadata);

    if (plain != NULL) {
        athena_gen_key(g, "key");
        athena_gen_cstr(g, plain);
    }

    athena_gen_map_close(g);
}
