/*
 * Athena's POST /admin/api-key/create {name?, expiresIn?, athenaClientName?,
 * permissions?, metadata?} -> {key, apiKey}: a key for the calling admin,
 * in the api-key plugin's table and format, so that the plugin's routes
 * list, change and delete it like any other.
 *
 * Unlike a key made through /api-key/create (the plugin's 10 uses a day),
 * an admin's key has no quota and no rate limit: it is meant for services.
 * Its lastRequest is still kept (folded, see the store). The Athena client
 * it names is kept in metadata, as athenaClientName, and wins over a
 * caller's key of that name.
 */

#include <math.h>
#include <string.h>

#include "../athena_admin.h"
#include "../athena_apikey.h"
#include "../../core/athena_text.h"
#include "../../store/athena_client_store.h"


#define ATHENA_ADMIN_KEY_NAME_MAX     64
#define ATHENA_ADMIN_KEY_EXPIRES_MAX  31536000     /* seconds: 365 days */


static const athena_admin_perm_t  athena_may_create_key = {
    "user", "update", "YOU_ARE_NOT_ALLOWED_TO_CREATE_API_KEYS",
    "You are not allowed to create API keys"
};


/* name, trimmed: 1-64 characters when given */

static const char *
athena_admin_key_name(athena_ctx_t *ctx, athena_check_t *chk)
{
    char                 *name;
    size_t                len;
    const athena_json_t  *v;

    v = athena_check_nullish(chk, "name");
    if (v == NULL || v->type == ATHENA_JSON_NULL) {
        return NULL;
    }

    name = athena_trim(ctx->a, v->string, v->len, &len);
    if (name == NULL) {
        return NULL;
    }

    if (len == 0 || athena_utf16_len(name, len) > ATHENA_ADMIN_KEY_NAME_MAX) {
        athena_check_issue(chk, "name", "Invalid string: 1 to %d characters"
                           " after trimming", ATHENA_ADMIN_KEY_NAME_MAX);
        return NULL;
    }

    return name;
}


/* expiresIn: whole seconds, 1 to 365 days; 0 when absent or null */

static int64_t
athena_admin_key_expires(athena_check_t *chk)
{
    const athena_json_t  *v;

    v = athena_json_get(chk->obj, "expiresIn");
    if (v == NULL || v->type == ATHENA_JSON_NULL) {
        return 0;
    }

    v = athena_check_number(chk, "expiresIn", 1);
    if (v == NULL) {
        return 0;
    }

    if (v->number != floor(v->number) || v->number < 1
        || v->number > ATHENA_ADMIN_KEY_EXPIRES_MAX)
    {
        athena_check_issue(chk, "expiresIn", "Invalid number: whole seconds"
                           " from 1 to %d", ATHENA_ADMIN_KEY_EXPIRES_MAX);
        return 0;
    }

    return (int64_t) v->number;
}


/* permissions: {resource: [action, ...]}, each list and name non-empty */

static const char *
athena_admin_key_permissions(athena_check_t *chk)
{
    size_t                i, k;
    const athena_json_t  *v, *list;

    v = athena_json_get(chk->obj, "permissions");
    if (v == NULL || v->type == ATHENA_JSON_NULL) {
        return NULL;
    }

    if (v->type != ATHENA_JSON_OBJECT) {
        athena_check_issue(chk, "permissions", "Invalid input: expected"
                           " record, received %s", athena_json_type_name(v));
        return NULL;
    }

    for (i = 0; i < v->n; i++) {
        list = v->items[i];

        if (v->keys[i][0] == '\0' || list->type != ATHENA_JSON_ARRAY
            || list->n == 0)
        {
            athena_check_issue(chk, "permissions", "Invalid input: each"
                               " resource needs a non-empty list of actions");
            return NULL;
        }

        for (k = 0; k < list->n; k++) {
            if (list->items[k]->type != ATHENA_JSON_STRING
                || list->items[k]->len == 0)
            {
                athena_check_issue(chk, "permissions", "Invalid input: an"
                                   " action must be a non-empty string");
                return NULL;
            }
        }
    }

    return athena_check_record_text(chk, "permissions");
}


/* the caller's metadata with athenaClientName set (or dropped) */

static char *
athena_admin_key_metadata(athena_ctx_t *ctx, athena_check_t *chk,
    const char *client)
{
    size_t                i, len;
    athena_gen_t         *g;
    const athena_json_t  *v;

    v = athena_json_get(chk->obj, "metadata");

    if (v != NULL && v->type != ATHENA_JSON_NULL
        && v->type != ATHENA_JSON_OBJECT)
    {
        athena_check_issue(chk, "metadata", "Invalid input: expected record,"
                           " received %s", athena_json_type_name(v));
        return NULL;
    }

    if ((v == NULL || v->type == ATHENA_JSON_NULL) && client == NULL) {
        return "null";
    }

    g = athena_gen_new();
    if (g == NULL) {
        return NULL;
    }

    athena_gen_map_open(g);

    for (i = 0; v != NULL && v->type == ATHENA_JSON_OBJECT && i < v->n; i++) {
        if (strcmp(v->keys[i], "athenaClientName") != 0) {
            athena_gen_key(g, v->keys[i]);
            athena_gen_value(g, v->items[i]);
        }
    }

    if (client != NULL) {
        athena_gen_key(g, "athenaClientName");
        athena_gen_cstr(g, client);
    }

    athena_gen_map_close(g);

    return athena_gen_finish(ctx->a, g, &len);
}


/* the audit row's details: never the key, nor its hash */

static const char *
athena_admin_key_details(athena_ctx_t *ctx, const athena_apikey_t *k,
    const char *client)
{
    size_t         len;
    athena_gen_t  *g;

    g = athena_gen_new();
    if (g == NULL) {
        return NULL;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "name");
    athena_gen_str_or_null(g, k->name);
    athena_gen_key(g, "athenaClientName");
    athena_gen_str_or_null(g, client);
    athena_gen_key(g, "expiresAt");
    athena_gen_time_or_null(g, k->expires_at);
    athena_gen_map_close(g);

    return athena_gen_finish(ctx->a, g, &len);
}


athena_store_rc_e
athena_api_admin_api_key_create(athena_ctx_t *ctx)
{
    int                    ok;
    char                  *plain;
    int64_t                expires_in;
    athena_gen_t          *g;
    const char            *client;
    athena_check_t         chk;
    athena_apikey_t        k;
    athena_client_t        c;
    athena_store_rc_e      rc;
    const athena_json_t   *v;

    memset(&k, 0, sizeof(athena_apikey_t));
    client = NULL;
    expires_in = 0;

    if (athena_admin_body(ctx, &chk)) {
        k.name = (char *) athena_admin_key_name(ctx, &chk);
        expires_in = athena_admin_key_expires(&chk);

        v = athena_check_nullish(&chk, "athenaClientName");
        if (v != NULL && v->type == ATHENA_JSON_STRING) {
            client = v->string;
        }

        k.permissions = (char *) athena_admin_key_permissions(&chk);
        k.metadata = athena_admin_key_metadata(ctx, &chk, NULL);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, &athena_may_create_key, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (client != NULL) {
        rc = athena_client_by_name(ctx->db, ctx->a, client, &c);

        if (rc == ATHENA_STORE_NOT_FOUND) {
            athena_reply_error(ctx, 404, "ATHENA_CLIENT_NOT_FOUND",
                               "Athena client not found");
            return ATHENA_STORE_OK;
        }

        if (rc != ATHENA_STORE_OK) {
            return rc;
        }

        if (!c.is_active) {
            athena_reply_error(ctx, 400, "ATHENA_CLIENT_INACTIVE",
                               "Athena client is inactive");
            return ATHENA_STORE_OK;
        }

        /* the registry's spelling of the name */
        client = c.name;
        k.metadata = athena_admin_key_metadata(ctx, &chk, client);
    }

    if (k.metadata == NULL) {
        return ATHENA_STORE_ERROR;
    }

    k.config_id = "default";
    k.reference_id = ctx->user.id;
    k.enabled = 1;
    k.rate_limit_enabled = 0;
    k.rate_limit_time_window = ATHENA_TIME_NULL;
    k.rate_limit_max = ATHENA_TIME_NULL;
    k.remaining = ATHENA_TIME_NULL;
    k.refill_amount = ATHENA_TIME_NULL;
    k.refill_interval = ATHENA_TIME_NULL;
    k.expires_at = expires_in ? ctx->now + expires_in * 1000
                              : ATHENA_TIME_NULL;

    rc = athena_apikey_make(ctx, &k, NULL, &plain);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->audit_target = k.id;
    ctx->audit_details = athena_admin_key_details(ctx, &k, client);

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "key");
    athena_gen_cstr(g, plain);
    athena_gen_key(g, "apiKey");
    athena_gen_apikey(ctx, g, &k, NULL, 1);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}
