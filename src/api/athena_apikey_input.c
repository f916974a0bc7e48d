/*
 * What the api-key plugin's routes share: its checks of their input
 * (zod's messages, then the plugin's own codes), its refusals, the
 * caller's session as they read it, and the caller's own key by id.
 */

#include <math.h>
#include <string.h>

#include "athena_apikey.h"
#include "../core/athena_text.h"
#include "../store/athena_apikey_store.h"


/* the plugin's defaults */
#define ATHENA_AK_NAME_MIN      1
#define ATHENA_AK_NAME_MAX      32
#define ATHENA_AK_DAYS_MIN      1
#define ATHENA_AK_DAYS_MAX      365

#define ATHENA_DAY_S            86400.0


void
athena_apikey_server_only(athena_ctx_t *ctx)
{
    athena_reply_error(ctx, 400, "SERVER_ONLY_PROPERTY", "The property you're"
                       " trying to set can only be set from the server auth"
                       " instance only.");
}


void
athena_apikey_unauthorized(athena_ctx_t *ctx)
{
    athena_reply_error(ctx, 401, "UNAUTHORIZED_SESSION",
                       "Unauthorized or invalid session");
}


void
athena_apikey_not_found(athena_ctx_t *ctx)
{
    athena_reply_error(ctx, 404, "KEY_NOT_FOUND", "API Key not found");
}


/* a field that is present, null included */

int
athena_apikey_has(athena_ctx_t *ctx, const char *field)
{
    return athena_json_get(ctx->body, field) != NULL;
}


int
athena_apikey_given(athena_ctx_t *ctx, const char *field)
{
    const athena_json_t  *v;

    v = athena_json_get(ctx->body, field);

    return v != NULL && v->type != ATHENA_JSON_NULL;
}


/* zod's number().min(n), optionally nullable: the number, or NAN */

double
athena_apikey_number(athena_check_t *chk, const char *field, double min,
    int nullable)
{
    const athena_json_t  *v;

    v = athena_json_get(chk->obj, field);

    if (v == NULL || (nullable && v->type == ATHENA_JSON_NULL)) {
        return NAN;
    }

    v = athena_check_number(chk, field, 1);
    if (v == NULL) {
        return NAN;
    }

    if (v->number < min) {
        athena_check_issue(chk, field, "Too small: expected number to be"
                           " >=%g", min);
        return NAN;
    }

    return v->number;
}


/* permissions: a record of string arrays (or null where nullable) */

void
athena_apikey_permissions_shape(athena_ctx_t *ctx, athena_check_t *chk,
    int nullable)
{
    int                   bad;
    size_t                n;
    const athena_json_t  *v;

    v = athena_json_get(chk->obj, "permissions");

    if (v == NULL || (nullable && v->type == ATHENA_JSON_NULL)) {
        return;
    }

    (void) athena_permissions_read(ctx, v, &n, &bad);

    if (bad) {
        athena_check_issue(chk, "permissions", "Invalid input: expected"
                           " record, received %s", athena_json_type_name(v));
    }
}


/* metadata: an object's JSON text; "null" when absent, as the plugin */

const char *
athena_apikey_metadata(athena_ctx_t *ctx, int *bad)
{
    athena_check_t        chk;
    const athena_json_t  *v;

    *bad = 0;

    v = athena_json_get(ctx->body, "metadata");
    if (v == NULL || v->type == ATHENA_JSON_NULL) {
        return "null";
    }

    if (v->type != ATHENA_JSON_OBJECT) {
        *bad = 1;
        athena_reply_error(ctx, 400, "INVALID_METADATA_TYPE",
                           "metadata must be an object or undefined");
        return NULL;
    }

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    return athena_check_record_text(&chk, "metadata");
}


/* expiresIn in seconds, checked in days against the plugin's bounds */

int
athena_apikey_expires_ok(athena_ctx_t *ctx, double seconds)
{
    if (seconds / ATHENA_DAY_S < ATHENA_AK_DAYS_MIN) {
        athena_reply_error(ctx, 400, "EXPIRES_IN_IS_TOO_SMALL", "The expiresIn"
                           " is smaller than the predefined minimum value.");
        return 0;
    }

    if (seconds / ATHENA_DAY_S > ATHENA_AK_DAYS_MAX) {
        athena_reply_error(ctx, 400, "EXPIRES_IN_IS_TOO_LARGE", "The expiresIn"
                           " is larger than the predefined maximum value.");
        return 0;
    }

    return 1;
}


int
athena_apikey_name_ok(athena_ctx_t *ctx, const athena_json_t *name)
{
    size_t  n;

    if (name == NULL || name->len == 0) {
        return 1;
    }

    n = athena_utf16_len(name->string, name->len);

    if (n < ATHENA_AK_NAME_MIN || n > ATHENA_AK_NAME_MAX) {
        athena_reply_error(ctx, 400, "INVALID_NAME_LENGTH",
                           "The name length is either too large or too"
                           " small.");
        return 0;
    }

    return 1;
}


void
athena_reply_apikey(athena_ctx_t *ctx, const athena_apikey_t *k,
    const char *plain)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g != NULL) {
        athena_gen_apikey(ctx, g, k, plain, 0);
        athena_reply_gen(ctx, 200, g);
    }
}


/* the caller's own key by id (and configId when given), or a 404 */

athena_store_rc_e
athena_apikey_own(athena_ctx_t *ctx, const char *id, const char *config_id,
    athena_apikey_t *k, int *found)
{
    athena_store_rc_e  rc;

    *found = 0;

    rc = athena_apikey_by_id(ctx->db, ctx->a, id, k);

    if (rc == ATHENA_STORE_NOT_FOUND
        || (rc == ATHENA_STORE_OK
            && (strcmp(k->reference_id, ctx->user.id) != 0
                || (config_id != NULL
                    && strcmp(config_id, k->config_id ? k->config_id
                                                      : "default") != 0))))
    {
        athena_apikey_not_found(ctx);
        return ATHENA_STORE_OK;
    }

    *found = rc == ATHENA_STORE_OK;

    return rc;
}
