/*
 * better-auth's api-key plugin routes that make and read keys: POST
 * /api-key/create, GET /api-key/get and /api-key/list with the plugin's
 * shapes, defaults, codes and order of checks; and POST /api-key/verify
 * over HTTP, as Athena serves it (the plugin offers it to server code
 * only). Changes are athena_api_apikey_edit.c's.
 *
 * The module runs the plugin's default configuration, with two choices:
 * metadata is enabled (as Athena runs it), and org-owned keys are listed
 * for members but never made (no configuration references organizations).
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "athena_apikey.h"
#include "../store/athena_apikey_store.h"
#include "../store/athena_org_store.h"


/* the plugin's defaults for a key made over HTTP */
#define ATHENA_AK_PREFIX_MIN    1
#define ATHENA_AK_PREFIX_MAX    32
#define ATHENA_AK_WINDOW        86400000    /* ms: a day */
#define ATHENA_AK_MAX           10          /* uses per window */


static int
athena_ak_prefix_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '_' || c == '-';
}


static void
athena_ak_prefix_shape(athena_check_t *chk, const athena_json_t *prefix)
{
    size_t  i;

    if (prefix == NULL) {
        return;
    }

    for (i = 0; i < prefix->len; i++) {
        if (!athena_ak_prefix_char(prefix->string[i])) {
            break;
        }
    }

    if (prefix->len == 0 || i < prefix->len) {
        athena_check_issue(chk, "prefix", "Invalid prefix format, must be"
                           " alphanumeric and contain only underscores and"
                           " hyphens.");
    }
}


/*
 * POST /api-key/create {configId?, name?, expiresIn?, prefix?, metadata?,
 * remaining: null?} -> KeyJSON and the key. Over HTTP the quota, refill,
 * rate limit and permissions are the server's to set: a new key allows
 * the plugin's 10 uses a day.
 */

athena_store_rc_e
athena_api_key_create(athena_ctx_t *ctx)
{
    int                    bad;
    char                  *plain;
    double                 expires_in;
    athena_check_t         chk;
    athena_apikey_t        k;
    athena_store_rc_e      rc;
    const athena_json_t   *name, *prefix;

    static const char *const  server_only[] = {
        "refillAmount", "refillInterval", "rateLimitMax",
        "rateLimitTimeWindow", "rateLimitEnabled", "permissions", NULL
    };

    const char *const  *f;

    name = prefix = NULL;
    expires_in = NAN;

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (athena_check_object(&chk)) {
        (void) athena_check_string(&chk, "configId", 0);
        name = athena_check_string(&chk, "name", 0);
        expires_in = athena_apikey_number(&chk, "expiresIn", 1, 1);
        prefix = athena_check_string(&chk, "prefix", 0);
        athena_ak_prefix_shape(&chk, prefix);
        (void) athena_apikey_number(&chk, "remaining", 0, 1);
        (void) athena_apikey_number(&chk, "refillAmount", 1, 0);
        (void) athena_apikey_number(&chk, "refillInterval", -INFINITY, 0);
        (void) athena_apikey_number(&chk, "rateLimitTimeWindow", -INFINITY, 0);
        (void) athena_apikey_number(&chk, "rateLimitMax", -INFINITY, 0);
        (void) athena_check_bool(&chk, "rateLimitEnabled", 0);
        athena_apikey_permissions_shape(ctx, &chk, 0);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    for (f = server_only; *f; f++) {
        if (athena_apikey_has(ctx, *f)) {
            athena_apikey_server_only(ctx);
            return ATHENA_STORE_OK;
        }
    }

    if (athena_apikey_given(ctx, "remaining")) {
        athena_apikey_server_only(ctx);
        return ATHENA_STORE_OK;
    }

    if (athena_apikey_has(ctx, "userId")) {
        athena_apikey_unauthorized(ctx);
        return ATHENA_STORE_OK;
    }

    rc = athena_session_load(ctx, 1);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (!ctx->has_session) {
        athena_apikey_unauthorized(ctx);
        return ATHENA_STORE_OK;
    }

    memset(&k, 0, sizeof(athena_apikey_t));

    k.metadata = (char *) athena_apikey_metadata(ctx, &bad);
    if (bad) {
        return ATHENA_STORE_OK;
    }

    if (k.metadata == NULL) {
        return ATHENA_STORE_ERROR;
    }

    /* expiresIn 0 or null: no expiry, as the plugin reads a falsy one */
    if (!isnan(expires_in) && expires_in != 0
        && !athena_apikey_expires_ok(ctx, expires_in))
    {
        return ATHENA_STORE_OK;
    }

    if (prefix != NULL && prefix->len
        && (prefix->len < ATHENA_AK_PREFIX_MIN
            || prefix->len > ATHENA_AK_PREFIX_MAX))
    {
        athena_reply_error(ctx, 400, "INVALID_PREFIX_LENGTH",
                           "The prefix length is either too large or too"
                           " small.");
        return ATHENA_STORE_OK;
    }

    if (!athena_apikey_name_ok(ctx, name)) {
        return ATHENA_STORE_OK;
    }

    k.config_id = "default";
    k.name = name ? name->string : NULL;
    k.reference_id = ctx->user.id;
    k.enabled = 1;
    k.rate_limit_enabled = 1;
    k.rate_limit_time_window = ATHENA_AK_WINDOW;
    k.rate_limit_max = ATHENA_AK_MAX;
    k.remaining = ATHENA_TIME_NULL;
    k.refill_amount = ATHENA_TIME_NULL;
    k.refill_interval = ATHENA_TIME_NULL;
    k.expires_at = isnan(expires_in) || expires_in == 0
                   ? ATHENA_TIME_NULL
                   : ctx->now + (int64_t) (expires_in * 1000);

    rc = athena_apikey_make(ctx, &k, prefix && prefix->len ? prefix->string
                                                           : NULL, &plain);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_reply_apikey(ctx, &k, plain);

    return ATHENA_STORE_OK;
}


/* GET /api-key/get?id=&configId= -> KeyJSON */

athena_store_rc_e
athena_api_key_get(athena_ctx_t *ctx)
{
    int                 ok, found;
    const char         *id, *config_id;
    athena_check_t      chk;
    athena_apikey_t     k;
    athena_store_rc_e   rc;

    athena_check_init(&chk, ctx->a, NULL, "query");

    id = athena_query_arg(ctx, "id", NULL);
    config_id = athena_query_arg(ctx, "configId", NULL);

    if (id == NULL) {
        athena_check_issue(&chk, "id", "Invalid input: expected string,"
                           " received undefined");
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_session_require(ctx, 1, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_apikey_own(ctx, id, config_id, &k, &found);
    if (rc != ATHENA_STORE_OK || !found) {
        return rc;
    }

    athena_reply_apikey(ctx, &k, NULL);

    return ATHENA_STORE_OK;
}


/* z.coerce.number().int().min(0) of a query parameter: -1 when absent */

static int64_t
athena_ak_query_count(athena_ctx_t *ctx, athena_check_t *chk,
    const char *name)
{
    char    *v, *end;
    double   d;

    v = athena_query_arg(ctx, name, NULL);
    if (v == NULL) {
        return -1;
    }

    d = *v ? strtod(v, &end) : 0;

    if (*v && (*end != '\0' || d != d)) {
        athena_check_issue(chk, name, "Invalid input: expected number,"
                           " received NaN");
        return -1;
    }

    if (d != floor(d) || d > 9e15) {
        athena_check_issue(chk, name, "Invalid input: expected int,"
                           " received number");
        return -1;
    }

    if (d < 0) {
        athena_check_issue(chk, name, "Too small: expected number to be"
                           " >=0");
        return -1;
    }

    return (int64_t) d;
}


/*
 * GET /api-key/list?configId&organizationId&limit&offset&sortBy
 * &sortDirection -> {apiKeys, total[, limit][, offset]}: the caller's
 * keys, or with organizationId those of an organization it belongs to.
 */

athena_store_rc_e
athena_api_key_list(athena_ctx_t *ctx)
{
    int                 ok;
    char               *role;
    size_t              i, n, shown;
    int64_t             limit, offset;
    athena_gen_t       *g;
    const char         *config_id, *org_id, *sort_by, *dir, *owner;
    athena_check_t      chk;
    athena_apikey_t    *list;
    athena_store_rc_e   rc;

    static const char *const  dirs[] = { "asc", "desc", NULL };

    athena_check_init(&chk, ctx->a, NULL, "query");

    config_id = athena_query_arg(ctx, "configId", NULL);
    org_id = athena_query_arg(ctx, "organizationId", NULL);
    limit = athena_ak_query_count(ctx, &chk, "limit");
    offset = athena_ak_query_count(ctx, &chk, "offset");
    sort_by = athena_query_arg(ctx, "sortBy", NULL);
    dir = athena_query_enum(ctx, &chk, "sortDirection", dirs, NULL);

    /* the plugin hands any name to the database; here it must be a field */
    if (sort_by != NULL && !athena_apikey_sortable(sort_by)) {
        athena_check_issue(&chk, "sortBy", "Invalid input: expected a field"
                           " of the api key");
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_session_require(ctx, 1, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    owner = ctx->user.id;

    if (org_id != NULL) {
        rc = athena_member_role(ctx->db, ctx->a, org_id, ctx->user.id, &role);

        if (rc == ATHENA_STORE_OK && role == NULL) {
            athena_reply_error(ctx, 403, "USER_NOT_MEMBER_OF_ORGANIZATION",
                               "You are not a member of the organization that"
                               " owns this API key.");
            return ATHENA_STORE_OK;
        }

        if (rc != ATHENA_STORE_OK) {
            return rc;
        }

        owner = org_id;
    }

    rc = athena_apikey_list(ctx->db, ctx->a, owner, sort_by,
                            dir != NULL && strcmp(dir, "desc") == 0,
                            &list, &n);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    /* the keys of another configuration are not listed */
    shown = 0;
    for (i = 0; i < n; i++) {
        if (config_id == NULL
            || strcmp(config_id, list[i].config_id ? list[i].config_id
                                                   : "default") == 0)
        {
            list[shown++] = list[i];
        }
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "apiKeys");
    athena_gen_array_open(g);

    for (i = offset > 0 ? (size_t) offset : 0;
         i < shown && (limit < 0 || i < (size_t) (offset > 0 ? offset : 0)
                                        + (size_t) limit);
         i++)
    {
        athena_gen_apikey(ctx, g, &list[i], NULL, 0);
    }

    athena_gen_array_close(g);
    athena_gen_key(g, "total");
    athena_gen_int(g, (int64_t) shown);

    if (limit >= 0) {
        athena_gen_key(g, "limit");
        athena_gen_int(g, limit);
    }

    if (offset >= 0) {
        athena_gen_key(g, "offset");
        athena_gen_int(g, offset);
    }

    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}


/*
 * POST /api-key/verify {key, configId?, permissions?} -> 200 {valid,
 * error, key}: every outcome of the check is an answer, not an error; the
 * key is the one counted (its quota and request count after this use).
 */

athena_store_rc_e
athena_api_key_verify(athena_ctx_t *ctx)
{
    int                       bad;
    size_t                    nwant;
    athena_gen_t             *g;
    athena_check_t            chk;
    athena_apikey_t           k;
    athena_store_rc_e         rc;
    athena_permission_t      *want;
    const athena_json_t      *key, *config_id, *perms;
    athena_apikey_refusal_t   no;

    key = config_id = NULL;
    want = NULL;
    nwant = 0;

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (athena_check_object(&chk)) {
        key = athena_check_string(&chk, "key", 1);
        config_id = athena_check_string(&chk, "configId", 0);
        athena_apikey_permissions_shape(ctx, &chk, 0);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    perms = athena_json_get(ctx->body, "permissions");
    if (perms != NULL) {
        want = athena_permissions_read(ctx, perms, &nwant, &bad);
        if (want == NULL) {
            return ATHENA_STORE_ERROR;
        }
    }

    rc = athena_apikey_check(ctx, key->string,
                             config_id ? config_id->string : NULL,
                             want, nwant, &k, &no);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "valid");
    athena_gen_bool(g, no.code == NULL);
    athena_gen_key(g, "error");

    if (no.code == NULL) {
        athena_gen_null(g);
    } else {
        athena_gen_apikey_error(g, &no);
    }

    athena_gen_key(g, "key");

    if (no.code == NULL) {
        athena_gen_apikey(ctx, g, &k, NULL, 0);
    } else {
        athena_gen_null(g);
    }

    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}
