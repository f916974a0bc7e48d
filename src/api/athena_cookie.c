/*
 * better-auth's cookies: names derived from a prefix, values signed as
 * "value.base64(HMAC-SHA256(secret, value))" and percent-encoded, and
 * attributes in the order better-auth writes them.
 */

#include <string.h>
#include <ctype.h>

#include "athena_api.h"
#include "../core/athena_crypto.h"
#include "../core/athena_text.h"


char *
athena_cookie_name(athena_ctx_t *ctx, const char *suffix)
{
    return athena_sprintf(ctx->a, "%s%s.%s",
                          ctx->conf->secure_cookies ? "__Secure-" : "",
                          ctx->conf->cookie_prefix, suffix);
}


/*
 * The raw value of better-auth's cookie named by suffix ("dont_remember");
 * the first cookie of that name wins, as in better-auth's parser. The
 * name is only made when the request sent cookies.
 */

char *
athena_cookie_get(athena_ctx_t *ctx, const char *suffix)
{
    char        *name;
    size_t       n, nlen, vlen;
    const char  *p, *end, *eq, *v;

    if (ctx->req->cookie == NULL) {
        return NULL;
    }

    name = athena_cookie_name(ctx, suffix);
    if (name == NULL) {
        return NULL;
    }

    nlen = strlen(name);
    p = ctx->req->cookie;

    while (*p) {
        while (*p == ' ' || *p == ';') {
            p++;
        }

        end = strchr(p, ';');
        if (end == NULL) {
            end = p + strlen(p);
        }

        eq = memchr(p, '=', (size_t) (end - p));

        /* "name =value" names "name", as better-call trims it */
        n = eq ? (size_t) (eq - p) : 0;
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) {
            n--;
        }

        if (eq != NULL && n == nlen && memcmp(p, name, nlen) == 0) {
            v = eq + 1;
            while (*v == ' ' && v < end) {
                v++;
            }

            vlen = (size_t) (end - v);
            while (vlen && v[vlen - 1] == ' ') {
                vlen--;
            }

            if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                v++;
                vlen -= 2;
            }

            return athena_uri_decode(ctx->a, v, vlen, NULL);
        }

        p = end;
    }

    return NULL;
}


char *
athena_signed_value(athena_ctx_t *ctx, const char *value)
{
    char  sig[ATHENA_SIG_LEN + 1];

    if (athena_sign(ctx->conf->secret, ctx->conf->secret_len, value,
                    strlen(value), sig)
        != 0)
    {
        return NULL;
    }

    return athena_sprintf(ctx->a, "%s.%s", value, sig);
}


/*
 * A signed value is "value.sig" split at the last dot; the signature is
 * 44 characters ending in '='. Anything else reads as unsigned: NULL.
 * The value is cut in place.
 */

char *
athena_unsign(athena_ctx_t *ctx, char *raw)
{
    char        *dot;
    size_t       siglen;

    dot = strrchr(raw, '.');
    if (dot == NULL) {
        return NULL;
    }

    siglen = strlen(dot + 1);

    if (siglen != ATHENA_SIG_LEN || dot[siglen] != '=') {
        return NULL;
    }

    if (!athena_verify_signature(ctx->conf->secret, ctx->conf->secret_len,
                                 raw, (size_t) (dot - raw), dot + 1, siglen))
    {
        return NULL;
    }

    *dot = '\0';

    return raw;
}


char *
athena_cookie_get_signed(athena_ctx_t *ctx, const char *suffix)
{
    char  *raw;

    raw = athena_cookie_get(ctx, suffix);

    return raw ? athena_unsign(ctx, raw) : NULL;
}


static void
athena_cookie_write(athena_ctx_t *ctx, const char *name, const char *value,
    int64_t max_age)
{
    char  *age, *line;

    age = max_age >= 0
          ? athena_sprintf(ctx->a, "; Max-Age=%lld", (long long) max_age)
          : "";

    line = athena_sprintf(ctx->a, "%s=%s%s; Path=/; HttpOnly%s; SameSite=Lax",
                          name, value, age ? age : "",
                          ctx->conf->secure_cookies ? "; Secure" : "");

    athena_reply_header(ctx, "Set-Cookie", line);
}


/* max_age < 0 leaves Max-Age out: a browser-session cookie */

void
athena_cookie_set_signed(athena_ctx_t *ctx, const char *suffix,
    const char *value, int64_t max_age)
{
    char  *signed_value, *encoded;

    signed_value = athena_signed_value(ctx, value);
    if (signed_value == NULL) {
        return;
    }

    encoded = athena_uri_encode(ctx->a, signed_value, strlen(signed_value));
    if (encoded == NULL) {
        return;
    }

    athena_cookie_write(ctx, athena_cookie_name(ctx, suffix), encoded,
                        max_age);

    if (strcmp(suffix, "session_token") == 0) {
        ctx->issued = signed_value;
    }
}


void
athena_cookie_set_session(athena_ctx_t *ctx, const char *token, int remember)
{
    athena_cookie_set_signed(ctx, "session_token", token,
                             remember ? ctx->conf->expires_in / 1000 : -1);

    if (!remember) {
        athena_cookie_set_signed(ctx, "dont_remember", "true", -1);
    }
}


void
athena_cookie_expire(athena_ctx_t *ctx, const char *suffix)
{
    athena_cookie_write(ctx, athena_cookie_name(ctx, suffix), "", 0);
}


void
athena_cookie_expire_session(athena_ctx_t *ctx)
{
    athena_cookie_expire(ctx, "session_token");
    athena_cookie_expire(ctx, "session_data");
    athena_cookie_expire(ctx, "dont_remember");
}
