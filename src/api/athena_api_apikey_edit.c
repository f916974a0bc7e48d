/*
 * better-auth's api-key plugin routes that change keys: POST
 * /api-key/update and /api-key/delete. Each drops the key from Redis and
 * from the gate's shared memory on this node before it answers.
 */

#include <math.h>
#include <string.h>

#include "athena_apikey.h"
#include "../store/athena_apikey_store.h"


/*
 * POST /api-key/update {keyId, configId?, name?, enabled?, expiresIn?,
 * metadata?} -> KeyJSON. Over HTTP only those four may change; the
 * plugin leaves updatedAt alone, and so does this.
 */

athena_store_rc_e
athena_api_key_update(athena_ctx_t *ctx)
{
    int                    found, bad;
    double                 expires_in;
    unsigned               set;
    athena_check_t         chk;
    athena_apikey_t        k, v;
    athena_store_rc_e      rc;
    const athena_json_t   *key_id, *config_id, *name, *user_id;

    static const char *const  server_only[] = {
        "refillAmount", "refillInterval", "rateLimitMax",
        "rateLimitTimeWindow", "rateLimitEnabled", "remaining",
        "permissions", NULL
    };

    const char *const  *f;

    key_id = config_id = name = user_id = NULL;
    expires_in = NAN;

    memset(&v, 0, sizeof(athena_apikey_t));

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (athena_check_object(&chk)) {
        key_id = athena_check_string(&chk, "keyId", 1);
        config_id = athena_check_string(&chk, "configId", 0);
        user_id = athena_check_string(&chk, "userId", 0);
        name = athena_check_string(&chk, "name", 0);
        v.enabled = athena_check_bool(&chk, "enabled", 1);
        (void) athena_apikey_number(&chk, "remaining", 1, 0);
        (void) athena_apikey_number(&chk, "refillAmount", -INFINITY, 0);
        (void) athena_apikey_number(&chk, "refillInterval", -INFINITY, 0);
        expires_in = athena_apikey_number(&chk, "expiresIn", 1, 1);
        (void) athena_check_bool(&chk, "rateLimitEnabled", 0);
        (void) athena_apikey_number(&chk, "rateLimitTimeWindow", -INFINITY, 0);
        (void) athena_apikey_number(&chk, "rateLimitMax", -INFINITY, 0);
        athena_apikey_permissions_shape(ctx, &chk, 1);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_session_load(ctx, 1);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (!ctx->has_session
        || (user_id != NULL && strcmp(user_id->string, ctx->user.id) != 0))
    {
        athena_apikey_unauthorized(ctx);
        return ATHENA_STORE_OK;
    }

    for (f = server_only; *f; f++) {
        if (athena_apikey_has(ctx, *f)) {
            athena_apikey_server_only(ctx);
            return ATHENA_STORE_OK;
        }
    }

    rc = athena_apikey_own(ctx, key_id->string,
                       config_id ? config_id->string : NULL, &k, &found);
    if (rc != ATHENA_STORE_OK || !found) {
        return rc;
    }

    if (!athena_apikey_name_ok(ctx, name)) {
        return ATHENA_STORE_OK;
    }

    set = 0;

    if (athena_apikey_has(ctx, "expiresIn")) {
        if (!isnan(expires_in) && !athena_apikey_expires_ok(ctx, expires_in)) {
            return ATHENA_STORE_OK;
        }

        set |= ATHENA_AK_EXPIRES;
        v.expires_at = isnan(expires_in)
                       ? ATHENA_TIME_NULL
                       : ctx->now + (int64_t) (expires_in * 1000);
    }

    if (athena_apikey_has(ctx, "metadata")) {
        v.metadata = (char *) athena_apikey_metadata(ctx, &bad);
        if (bad) {
            return ATHENA_STORE_OK;
        }
        if (v.metadata == NULL) {
            return ATHENA_STORE_ERROR;
        }
        set |= ATHENA_AK_METADATA;
    }

    if (name != NULL) {
        v.name = name->string;
        set |= ATHENA_AK_NAME;
    }

    if (athena_apikey_has(ctx, "enabled")) {
        set |= ATHENA_AK_ENABLED;
    }

    if (set == 0) {
        athena_reply_error(ctx, 400, "NO_VALUES_TO_UPDATE",
                           "No values to update.");
        return ATHENA_STORE_OK;
    }

    rc = athena_apikey_update(ctx->db, ctx->a, set, &v, &k);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_apikey_not_found(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_apikey_evict(ctx, &k);
    athena_reply_apikey(ctx, &k, NULL);

    return ATHENA_STORE_OK;
}


/* POST /api-key/delete {keyId, configId?} -> {success: true} */

athena_store_rc_e
athena_api_key_delete(athena_ctx_t *ctx)
{
    int                    ok, found;
    athena_check_t         chk;
    athena_apikey_t        k;
    athena_store_rc_e      rc;
    const athena_json_t   *key_id, *config_id;

    key_id = config_id = NULL;

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (athena_check_object(&chk)) {
        key_id = athena_check_string(&chk, "keyId", 1);
        config_id = athena_check_string(&chk, "configId", 0);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_session_require(ctx, 1, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (ctx->user.banned == 1) {
        athena_reply_error(ctx, 401, "USER_BANNED", "User is banned");
        return ATHENA_STORE_OK;
    }

    rc = athena_apikey_own(ctx, key_id->string,
                       config_id ? config_id->string : NULL, &k, &found);
    if (rc != ATHENA_STORE_OK || !found) {
        return rc;
    }

    rc = athena_apikey_delete(ctx->db, ctx->a, &k);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_apikey_not_found(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_apikey_evict(ctx, &k);
    athena_reply_flag(ctx, "success", 1);

    return ATHENA_STORE_OK;
}
