/*
 * better-auth's CSRF defences: the Origin (or Referer) of a cookie-carrying
 * non-GET request must be trusted, callback URLs in the body must be
 * trusted or safe relative paths, and sign-in/up refuse cross-site
 * navigations.
 */

#define _GNU_SOURCE               /* strcasestr, FNM_CASEFOLD */

#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <fnmatch.h>

#include "athena_api.h"


/*
 * scheme://host[:port], lowercased, default port dropped, path ignored:
 * what new URL(value).origin gives. NULL when it is not an http(s) URL.
 */

char *
athena_origin_of(athena_arena_t *a, const char *url)
{
    int          https;
    char        *out, *p;
    const char  *host, *end, *at, *colon;

    if (strncasecmp(url, "http://", 7) == 0) {
        https = 0;
        host = url + 7;

    } else if (strncasecmp(url, "https://", 8) == 0) {
        https = 1;
        host = url + 8;

    } else {
        return NULL;
    }

    end = host + strcspn(host, "/?#");

    /* user:password@ is not part of an origin */
    at = memchr(host, '@', (size_t) (end - host));
    if (at != NULL) {
        host = at + 1;
    }

    if (end == host) {
        return NULL;
    }

    colon = memchr(host, ':', (size_t) (end - host));

    if (colon != NULL
        && strncmp(colon, https ? ":443" : ":80", (size_t) (end - colon)) == 0
        && (size_t) (end - colon) == (https ? 4u : 3u))
    {
        end = colon;
    }

    out = athena_sprintf(a, "%s://%.*s", https ? "https" : "http",
                         (int) (end - host), host);
    if (out == NULL) {
        return NULL;
    }

    for (p = out; *p; p++) {
        *p = (char) tolower((unsigned char) *p);
    }

    return out;
}


static int
athena_origin_match(athena_ctx_t *ctx, const char *pattern,
    const char *origin)
{
    char        *want;
    const char  *host;

    if (strchr(pattern, '*') || strchr(pattern, '?')) {
        if (strstr(pattern, "://") != NULL) {
            return fnmatch(pattern, origin, FNM_CASEFOLD) == 0;
        }

        host = strstr(origin, "://");
        return host && fnmatch(pattern, host + 3, FNM_CASEFOLD) == 0;
    }

    want = athena_origin_of(ctx->a, pattern);

    return want != NULL && strcmp(want, origin) == 0;
}


static int
athena_origin_trusted(athena_ctx_t *ctx, const char *value)
{
    size_t       i;
    char        *origin;
    const char  *base;

    origin = athena_origin_of(ctx->a, value);
    if (origin == NULL) {
        return 0;
    }

    base = ctx->conf->base_origin ? ctx->conf->base_origin
                                  : ctx->req->self_origin;

    if (base && athena_origin_match(ctx, base, origin)) {
        return 1;
    }

    for (i = 0; i < ctx->conf->ntrusted; i++) {
        if (athena_origin_match(ctx, ctx->conf->trusted_origins[i], origin)) {
            return 1;
        }
    }

    return 0;
}


/*
 * A relative callback is fine when it cannot leave the site: no "//" or
 * "\\", no control characters (C1 ones included, as UTF-8), and no
 * encoded slash in its path part.
 */

static int
athena_relative_safe(athena_ctx_t *ctx, const char *v)
{
    char                 *path;
    const unsigned char  *p;

    if (v[0] != '/' || v[1] == '/' || strchr(v, '\\') != NULL) {
        return 0;
    }

    for (p = (const unsigned char *) v; *p; p++) {
        if (*p < 0x20 || *p == 0x7f
            || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
        {
            return 0;
        }
    }

    path = athena_strndup(ctx->a, v, strcspn(v, "?#"));

    return path != NULL && strcasestr(path, "%2f") == NULL
           && strcasestr(path, "%5c") == NULL;
}


/* a header that is absent or blank reads as absent, as in better-auth */

static const char *
athena_header_value(const char *h)
{
    const char  *p;

    if (h == NULL) {
        return NULL;
    }

    for (p = h; *p == ' ' || *p == '\t'; p++) { /* void */ }

    return *p ? h : NULL;
}


/* returns 1 when the request may go on; otherwise the reply is written */

int
athena_origin_validate(athena_ctx_t *ctx)
{
    const char  *origin, *site;

    origin = athena_header_value(ctx->req->origin);
    if (origin == NULL) {
        origin = ctx->req->referer;
    }

    /* a sandboxed same-origin page sends "null": its origin is ours */
    site = athena_header_value(ctx->req->sec_fetch_site);

    if (origin && strcmp(origin, "null") == 0 && site
        && strcmp(site, "same-origin") == 0 && ctx->req->self_origin)
    {
        origin = ctx->req->self_origin;
    }

    if (origin == NULL || origin[0] == '\0' || strcmp(origin, "null") == 0) {
        athena_reply_error(ctx, 403, "MISSING_OR_NULL_ORIGIN",
                           "Missing or null Origin");
        return 0;
    }

    if (!athena_origin_trusted(ctx, origin)) {
        athena_reply_error(ctx, 403, "INVALID_ORIGIN", "Invalid origin");
        return 0;
    }

    return 1;
}


typedef struct {
    const char  *field;
    const char  *code;
    const char  *label;
} athena_callback_field_t;


static const athena_callback_field_t  athena_callback_fields[] = {
    { "callbackURL", "INVALID_CALLBACK_URL", "callbackURL" },
    { "redirectTo", "INVALID_REDIRECT_URL", "redirectURL" },
    { "errorCallbackURL", "INVALID_ERROR_CALLBACK_URL", "errorCallbackURL" },
    { "newUserCallbackURL", "INVALID_NEW_USER_CALLBACK_URL",
      "newUserCallbackURL" },
    { NULL, NULL, NULL }
};


/* JavaScript's truthiness, which decides whether a field is checked */

int
athena_json_truthy(const athena_json_t *v)
{
    if (v == NULL) {
        return 0;
    }

    switch (v->type) {
    case ATHENA_JSON_NULL:
        return 0;
    case ATHENA_JSON_BOOL:
        return v->boolean;
    case ATHENA_JSON_NUMBER:
        return v->number != 0;
    case ATHENA_JSON_STRING:
        return v->len != 0;
    default:
        return 1;
    }
}


/* body.callbackURL || query.callbackURL, as better-auth reads it */

static const athena_json_t *
athena_callback_value(athena_ctx_t *ctx, const char *field)
{
    char                  *q;
    size_t                 len;
    const athena_json_t   *v;

    v = athena_json_get(ctx->body, field);

    if (athena_json_truthy(v) || strcmp(field, "callbackURL") != 0) {
        return v;
    }

    q = athena_query_arg(ctx, field, &len);

    return q ? athena_json_string(ctx->a, q, len) : v;
}


static int
athena_callbacks_validate(athena_ctx_t *ctx)
{
    const athena_json_t             *v;
    const athena_callback_field_t   *f;

    for (f = athena_callback_fields; f->field; f++) {
        v = athena_callback_value(ctx, f->field);

        /* a falsy value is left to the endpoint's own validation */
        if (!athena_json_truthy(v)) {
            continue;
        }

        if (v->type != ATHENA_JSON_STRING) {
            athena_reply_message(ctx, 400,
                athena_sprintf(ctx->a, "Invalid %s: expected a string",
                               f->label));
            return 0;
        }

        if (athena_relative_safe(ctx, v->string)
            || athena_origin_trusted(ctx, v->string))
        {
            continue;
        }

        athena_reply_error(ctx, 403, f->code,
                           athena_sprintf(ctx->a, "Invalid %s", f->label));
        return 0;
    }

    return 1;
}


/* the router-wide check of every non-GET request */

int
athena_origin_check(athena_ctx_t *ctx)
{
    if (ctx->req->cookie != NULL && !athena_origin_validate(ctx)) {
        return 0;
    }

    return athena_callbacks_validate(ctx);
}


/*
 * sign-in and sign-up, after validation: a browser's cross-site
 * navigation is refused, and any other browser request (Sec-Fetch-* or
 * Origin present) must come from a trusted origin even without a cookie.
 */

int
athena_origin_check_sign_in(athena_ctx_t *ctx)
{
    const char  *site, *mode, *dest;

    if (ctx->req->cookie != NULL) {
        return athena_origin_validate(ctx);
    }

    site = athena_header_value(ctx->req->sec_fetch_site);
    mode = athena_header_value(ctx->req->sec_fetch_mode);
    dest = athena_header_value(ctx->req->sec_fetch_dest);

    if (site && mode && strcmp(site, "cross-site") == 0
        && strcmp(mode, "navigate") == 0)
    {
        athena_reply_error(ctx, 403, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
                           "Cross-site navigation login blocked. "
                           "This request appears to be a CSRF attack.");
        return 0;
    }

    if (site || mode || dest || athena_header_value(ctx->req->origin)
        || athena_header_value(ctx->req->referer))
    {
        return athena_origin_validate(ctx);
    }

    return 1;
}
