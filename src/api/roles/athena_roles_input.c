/*
 * What the admin-roles routes read, checked as pydantic checks a FastAPI
 * route's parameters and body, each failure added to an
 * athena_roles_invalid_t so that one 422 lists them all.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "athena_roles.h"
#include "../../core/athena_text.h"
#include "../../core/athena_time.h"


/* pydantic's words for booleans given as text */
static const char  *athena_roles_true[] = {
    "1", "on", "t", "true", "y", "yes", NULL
};

static const char  *athena_roles_false[] = {
    "0", "off", "f", "false", "n", "no", NULL
};


static int
athena_roles_word(const char *s, const char **words)
{
    for ( /* void */ ; *words; words++) {
        if (strcasecmp(s, *words) == 0) {
            return 1;
        }
    }

    return 0;
}


/* a query flag: -1 when absent (dflt is then the caller's) */

int
athena_roles_query_bool(athena_ctx_t *ctx, athena_roles_invalid_t *inv,
    const char *name, int dflt)
{
    size_t       len;
    const char  *v;

    v = athena_query_arg(ctx, name, &len);
    if (v == NULL) {
        return dflt;
    }

    if (athena_roles_word(v, athena_roles_true)) {
        return 1;
    }

    if (athena_roles_word(v, athena_roles_false)) {
        return 0;
    }

    athena_roles_invalid_add(inv, "query", name, "bool_parsing",
                             "Input should be a valid boolean, unable to"
                             " interpret input", NULL, v);
    return dflt;
}


/* a query integer within [min, max], or dflt when absent or refused */

int64_t
athena_roles_query_int(athena_ctx_t *ctx, athena_roles_invalid_t *inv,
    const char *name, int64_t dflt, int64_t min, int64_t max)
{
    char        *end;
    size_t       len;
    const char  *v;
    long long    n;

    v = athena_query_arg(ctx, name, &len);
    if (v == NULL) {
        return dflt;
    }

    n = strtoll(v, &end, 10);

    if (len == 0 || len > 18 || *end != '\0'
        || strspn(v, "+-0123456789") != len)
    {
        athena_roles_invalid_add(inv, "query", name, "int_parsing",
                                 "Input should be a valid integer, unable to"
                                 " parse string as an integer", NULL, v);
        return dflt;
    }

    if (n < min) {
        athena_roles_invalid_add(inv, "query", name, "greater_than_equal",
            athena_sprintf(ctx->a, "Input should be greater than or equal"
                           " to %lld", (long long) min), NULL, v);
        return dflt;
    }

    if (n > max) {
        athena_roles_invalid_add(inv, "query", name, "less_than_equal",
            athena_sprintf(ctx->a, "Input should be less than or equal"
                           " to %lld", (long long) max), NULL, v);
        return dflt;
    }

    return n;
}


/* a query text, or NULL */

const char *
athena_roles_query_text(athena_ctx_t *ctx, athena_roles_invalid_t *inv,
    const char *name)
{
    size_t       len;
    const char  *v;

    v = athena_query_arg(ctx, name, &len);

    if (v != NULL && (len > 255 || !athena_utf8_valid(v, len))) {
        athena_roles_invalid_add(inv, "query", name, "string_type",
                                 "Input should be a valid string", NULL, v);
        return NULL;
    }

    return v;
}


/* the path's id: text of 1-255 characters that are not controls */

const char *
athena_roles_path_id(athena_ctx_t *ctx, const char *name)
{
    const char              *id;
    athena_roles_invalid_t   inv;

    id = ctx->req->param;

    if (!athena_route_param_ok(id)) {
        memset(&inv, 0, sizeof(athena_roles_invalid_t));
        athena_roles_invalid_add(&inv, "path", name, "string_type",
                                 "Input should be a valid string", NULL,
                                 NULL);
        athena_roles_invalid_reply(ctx, &inv);
        return NULL;
    }

    ctx->audit_target = id;

    return id;
}


/*
 * A route on one assignment or user: the caller a SUPER_ADMIN, then the
 * path's id (*id NULL when the request has been answered)
 */

athena_store_rc_e
athena_roles_require_id(athena_ctx_t *ctx, const char *name,
    const char **id)
{
    int                ok;
    athena_store_rc_e  rc;

    *id = NULL;

    rc = athena_roles_require(ctx, &ok);
    if (rc == ATHENA_STORE_OK && ok) {
        *id = athena_roles_path_id(ctx, name);
    }

    return rc;
}


/*
 * The body, which must be an object (a JSON document that is none, or no
 * body, is pydantic's failure for the whole model). Keys the model does
 * not know are ignored, as pydantic's default.
 */

int
athena_roles_body(athena_ctx_t *ctx, athena_roles_invalid_t *inv)
{
    if (ctx->body == NULL) {
        athena_roles_invalid_add(inv, "body", NULL, "missing",
                                 "Field required", NULL, NULL);
        return 0;
    }

    if (ctx->body->type != ATHENA_JSON_OBJECT) {
        athena_roles_invalid_add(inv, "body", NULL, "model_attributes_type",
                                 "Input should be a valid dictionary or"
                                 " object to extract fields from",
                                 ctx->body, NULL);
        return 0;
    }

    return 1;
}


/* a text field: NULL when absent or null (required: a failure then) */

const char *
athena_roles_body_text(athena_ctx_t *ctx, athena_roles_invalid_t *inv,
    const char *name, int required)
{
    const athena_json_t  *v;

    v = athena_json_get(ctx->body, name);

    if (v == NULL || (v->type == ATHENA_JSON_NULL && !required)) {
        if (required) {
            athena_roles_invalid_add(inv, "body", name, "missing",
                                     "Field required", NULL, NULL);
        }

        return NULL;
    }

    if (v->type != ATHENA_JSON_STRING || v->len > 255
        || strlen(v->string) != v->len)
    {
        athena_roles_invalid_add(inv, "body", name, "string_type",
                                 "Input should be a valid string", v, NULL);
        return NULL;
    }

    return v->string;
}


/*
 * A datetime field: *set says whether it was given (null included),
 * *ms the time or ATHENA_TIME_NULL. An ISO 8601 time, or a date (its
 * midnight, UTC).
 */

void
athena_roles_body_time(athena_ctx_t *ctx, athena_roles_invalid_t *inv,
    const char *name, int *set, int64_t *ms)
{
    const athena_json_t  *v;

    *ms = ATHENA_TIME_NULL;

    v = athena_json_get(ctx->body, name);
    *set = v != NULL;

    if (v == NULL || v->type == ATHENA_JSON_NULL) {
        return;
    }

    if (v->type != ATHENA_JSON_STRING) {
        athena_roles_invalid_add(inv, "body", name, "datetime_type",
                                 "Input should be a valid datetime", v, NULL);
        *set = 0;
        return;
    }

    if (!athena_time_date(v->string, ms)) {
        athena_roles_invalid_add(inv, "body", name,
                                 "datetime_from_date_parsing",
                                 "Input should be a valid datetime or date",
                                 v, NULL);
        *set = 0;
        *ms = ATHENA_TIME_NULL;
    }
}


/* a boolean field: -1 when absent */

int
athena_roles_body_bool(athena_ctx_t *ctx, athena_roles_invalid_t *inv,
    const char *name)
{
    const athena_json_t  *v;

    v = athena_json_get(ctx->body, name);

    if (v == NULL) {
        return -1;
    }

    if (v->type != ATHENA_JSON_BOOL) {
        athena_roles_invalid_add(inv, "body", name, "bool_type",
                                 "Input should be a valid boolean", v, NULL);
        return -1;
    }

    return v->boolean;
}
