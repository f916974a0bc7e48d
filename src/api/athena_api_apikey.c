/*
 * better-auth's api-key plugin routes: POST /api-key/create, GET
 * /api-key/get, GET /api-key/list, POST /api-key/update, POST
 * /api-key/delete with the plugin's shapes, defaults, codes and order of
 * checks; and POST /api-key/verify over HTTP, as Athena serves it (the
 * plugin offers it to server code only).
 *
 * The module runs the plugin's default configuration, with two choices:
 * metadata is enabled (as Athena runs it), and org-owned keys are listed
 * for members but never made (no configuration references organizations).
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "athena_apikey.h"
#include "../core/athena_text.h"
#include "../store/athena_apikey_store.h"
#include "../store/athena_org_store.h"


/* the plugin's defaults */
#define ATHENA_AK_NAME_MIN      1
#define ATHENA_AK_NAME_MAX      32
#define ATHENA_AK_PREFIX_MIN    1
#define ATHENA_AK_PREFIX_MAX    32
#define ATHENA_AK_DAYS_MIN      1
#define ATHENA_AK_DAYS_MAX      365
#define ATHENA_AK_WINDOW        86400000    /* ms: a day */
#define ATHENA_AK_MAX           10          /* uses per window */

#define ATHENA_DAY_S            86400.0


static void
athena_ak_error(athena_ctx_t *ctx, int status, const char *code,
    const char *message)
{
    athena_reply_error(ctx, status, code, message);
}


static void
athena_ak_server_only(athena_ctx_t *ctx)
{
    athena_ak_error(ctx, 400, "SERVER_ONLY_PROPERTY", "The property you're"
                    " trying to set can only be set from the server auth"
                    " instance only.");
}


static void
athena_ak_unauthorized(athena_ctx_t *ctx)
{
    athena_ak_error(ctx, 401, "UNAUTHORIZED_SESSION",
                    "Unauthorized or invalid session");
}


static void
athena_ak_not_found(athena_ctx_t *ctx)
{
    athena_ak_error(ctx, 404, "KEY_NOT_FOUND", "API Key not found");
}


/* a field that is present, null included */

static int
athena_ak_has(athena_ctx_t *ctx, const char *field)
{
    return athena_json_get(ctx->body, field) != NULL;
}


static int
athena_ak_given(athena_ctx_t *ctx, const char *field)
{
    const athena_json_t  *v;

    v = athena_json_get(ctx->body, field);

    return v != NULL && v->type != ATHENA_JSON_NULL;
}


/* zod's number().min(n), optionally nullable: the number, or NAN */

static double
athena_ak_number(athena_check_t *chk, const char *field, double min,
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

static void
athena_ak_permissions_shape(athena_ctx_t *ctx, athena_check_t *chk,
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

static const char *
athena_ak_metadata(athena_ctx_t *ctx, int *bad)
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
        athena_ak_error(ctx, 400, "INVALID_METADATA_TYPE",
                        "metadata must be an object or undefined");
        return NULL;
    }

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    return athena_check_record_text(&chk, "metadata");
}


/* expiresIn in seconds, checked in days against the plugin's bounds */

static int
athena_ak_expires(athena_ctx_t *ctx, double seconds)
{
    if (seconds / ATHENA_DAY_S < ATHENA_AK_DAYS_MIN) {
        athena_ak_error(ctx, 400, "EXPIRES_IN_IS_TOO_SMALL", "The expiresIn"
                        " is smaller than the predefined minimum value.");
        return 0;
    }

    if (seconds / ATHENA_DAY_S > ATHENA_AK_DAYS_MAX) {
        athena_ak_error(ctx, 400, "EXPIRES_IN_IS_TOO_LARGE", "The expiresIn"
                        " is larger than the predefined maximum value.");
        return 0;
    }

    return 1;
}


static int
athena_ak_name_ok(athena_ctx_t *ctx, const athena_json_t *name)
{
    size_t  n;

    if (name == NULL || name->len == 0) {
        return 1;
    }

    n = athena_utf16_len(name->string, name->len);

    if (n < ATHENA_AK_NAME_MIN || n > ATHENA_AK_NAME_MAX) {
        athena_ak_error(ctx, 400, "INVALID_NAME_LENGTH",
                        "The name length is either too large or too small.");
        return 0;
    }

    return 1;
}


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


static void
athena_reply_apikey(athena_ctx_t *ctx, const athena_apikey_t *k,
    const char *plain)
{
    yajl_gen  g;

    g = athena_reply_json(ctx);
    if (g != NULL) {
        athena_gen_apikey(ctx, g, k, plain, 0);
        athena_reply_gen(ctx, 200, g);
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
        expires_in = athena_ak_number(&chk, "expiresIn", 1, 1);
        prefix = athena_check_string(&chk, "prefix", 0);
        athena_ak_prefix_shape(&chk, prefix);
        (void) athena_ak_number(&chk, "remaining", 0, 1);
        (void) athena_ak_number(&chk, "refillAmount", 1, 0);
        (void) athena_ak_number(&chk, "refillInterval", -INFINITY, 0);
        (void) athena_ak_number(&chk, "rateLimitTimeWindow", -INFINITY, 0);
        (void) athena_ak_number(&chk, "rateLimitMax", -INFINITY, 0);
        (void) athena_check_bool(&chk, "rateLimitEnabled", 0);
        athena_ak_permissions_shape(ctx, &chk, 0);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    for (f = server_only; *f; f++) {
        if (athena_ak_has(ctx, *f)) {
            athena_ak_server_only(ctx);
            return ATHENA_STORE_OK;
        }
    }

    if (athena_ak_given(ctx, "remaining")) {
        athena_ak_server_only(ctx);
        return ATHENA_STORE_OK;
    }

    if (athena_ak_has(ctx, "userId")) {
        athena_ak_unauthorized(ctx);
        return ATHENA_STORE_OK;
    }

    rc = athena_session_load(ctx, 1);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (!ctx->has_session) {
        athena_ak_unauthorized(ctx);
        return ATHENA_STORE_OK;
    }

    memset(&k, 0, sizeof(athena_apikey_t));

    k.metadata = (char *) athena_ak_metadata(ctx, &bad);
    if (bad) {
        return ATHENA_STORE_OK;
    }

    if (k.metadata == NULL) {
        return ATHENA_STORE_ERROR;
    }

    /* expiresIn 0 or null: no expiry, as the plugin reads a falsy one */
    if (!isnan(expires_in) && expires_in != 0
        && !athena_ak_expires(ctx, expires_in))
    {
        return ATHENA_STORE_OK;
    }

    if (prefix != NULL && prefix->len
        && (prefix->len < ATHENA_AK_PREFIX_MIN
            || prefix->len > ATHENA_AK_PREFIX_MAX))
    {
        athena_ak_error(ctx, 400, "INVALID_PREFIX_LENGTH", "The prefix length"
                        " is either too large or too small.");
        return ATHENA_STORE_OK;
    }

    if (!athena_ak_name_ok(ctx, name)) {
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


/* the session middleware's 401, as get, list and delete answer it */

static athena_store_rc_e
athena_ak_session(athena_ctx_t *ctx, int *ok)
{
    athena_store_rc_e  rc;

    *ok = 0;

    rc = athena_session_load(ctx, 1);
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


/* the caller's own key by id (and configId when given), or a 404 */

static athena_store_rc_e
athena_ak_own(athena_ctx_t *ctx, const char *id, const char *config_id,
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
        athena_ak_not_found(ctx);
        return ATHENA_STORE_OK;
    }

    *found = rc == ATHENA_STORE_OK;

    return rc;
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

    rc = athena_ak_session(ctx, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_ak_own(ctx, id, config_id, &k, &found);
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
    yajl_gen            g;
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

    rc = athena_ak_session(ctx, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    owner = ctx->user.id;

    if (org_id != NULL) {
        rc = athena_member_role(ctx->db, ctx->a, org_id, ctx->user.id, &role);

        if (rc == ATHENA_STORE_OK && role == NULL) {
            athena_ak_error(ctx, 403, "USER_NOT_MEMBER_OF_ORGANIZATION",
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

    yajl_gen_map_open(g);
    athena_gen_key(g, "apiKeys");
    yajl_gen_array_open(g);

    for (i = offset > 0 ? (size_t) offset : 0;
         i < shown && (limit < 0 || i < (size_t) (offset > 0 ? offset : 0)
                                        + (size_t) limit);
         i++)
    {
        athena_gen_apikey(ctx, g, &list[i], NULL, 0);
    }

    yajl_gen_array_close(g);
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

    yajl_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}


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
        (void) athena_ak_number(&chk, "remaining", 1, 0);
        (void) athena_ak_number(&chk, "refillAmount", -INFINITY, 0);
        (void) athena_ak_number(&chk, "refillInterval", -INFINITY, 0);
        expires_in = athena_ak_number(&chk, "expiresIn", 1, 1);
        (void) athena_check_bool(&chk, "rateLimitEnabled", 0);
        (void) athena_ak_number(&chk, "rateLimitTimeWindow", -INFINITY, 0);
        (void) athena_ak_number(&chk, "rateLimitMax", -INFINITY, 0);
        athena_ak_permissions_shape(ctx, &chk, 1);
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
        athena_ak_unauthorized(ctx);
        return ATHENA_STORE_OK;
    }

    for (f = server_only; *f; f++) {
        if (athena_ak_has(ctx, *f)) {
            athena_ak_server_only(ctx);
            return ATHENA_STORE_OK;
        }
    }

    rc = athena_ak_own(ctx, key_id->string,
                       config_id ? config_id->string : NULL, &k, &found);
    if (rc != ATHENA_STORE_OK || !found) {
        return rc;
    }

    if (!athena_ak_name_ok(ctx, name)) {
        return ATHENA_STORE_OK;
    }

    set = 0;

    if (athena_ak_has(ctx, "expiresIn")) {
        if (!isnan(expires_in) && !athena_ak_expires(ctx, expires_in)) {
            return ATHENA_STORE_OK;
        }

        set |= ATHENA_AK_EXPIRES;
        v.expires_at = isnan(expires_in)
                       ? ATHENA_TIME_NULL
                       : ctx->now + (int64_t) (expires_in * 1000);
    }

    if (athena_ak_has(ctx, "metadata")) {
        v.metadata = (char *) athena_ak_metadata(ctx, &bad);
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

    if (athena_ak_has(ctx, "enabled")) {
        set |= ATHENA_AK_ENABLED;
    }

    if (set == 0) {
        athena_ak_error(ctx, 400, "NO_VALUES_TO_UPDATE",
                        "No values to update.");
        return ATHENA_STORE_OK;
    }

    rc = athena_apikey_update(ctx->db, ctx->a, set, &v, &k);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_ak_not_found(ctx);
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

    rc = athena_ak_session(ctx, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (ctx->user.banned == 1) {
        athena_ak_error(ctx, 401, "USER_BANNED", "User is banned");
        return ATHENA_STORE_OK;
    }

    rc = athena_ak_own(ctx, key_id->string,
                       config_id ? config_id->string : NULL, &k, &found);
    if (rc != ATHENA_STORE_OK || !found) {
        return rc;
    }

    rc = athena_apikey_delete(ctx->db, ctx->a, &k);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_ak_not_found(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_apikey_evict(ctx, &k);
    athena_reply_flag(ctx, "success", 1);

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
    yajl_gen                  g;
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
        athena_ak_permissions_shape(ctx, &chk, 0);
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

    yajl_gen_map_open(g);
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

    yajl_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}
