/*
 * Query parameters as better-auth's routes read them: decoded (bytes that
 * are no UTF-8 as U+FFFD), the first value or all of a repeated one, zod's
 * enum and its refusal of a parameter given twice.
 */

#include <string.h>

#include "athena_api.h"
#include "../core/athena_text.h"


/*
 * The next value of a query parameter from *from on, decoded ('+' is a
 * space), or NULL when there is none; *from moves past it. "a" alone
 * reads as "a=".
 */

static char *
athena_query_next(athena_ctx_t *ctx, const char *name, const char **from,
    size_t *len)
{
    char        *v, *p;
    size_t       n, vlen;
    const char  *arg, *end;

    n = strlen(name);

    for (arg = *from; arg && *arg; arg = end + (*end == '&')) {
        end = arg + strcspn(arg, "&");

        if (strncmp(arg, name, n) != 0 || (arg[n] != '=' && arg + n != end))
        {
            continue;
        }

        *from = end + (*end == '&');

        vlen = arg + n == end ? 0 : (size_t) (end - arg - n - 1);
        v = athena_strndup(ctx->a, arg + n + (vlen ? 1 : 0), vlen);
        if (v == NULL) {
            return NULL;
        }

        for (p = v; *p; p++) {
            *p = *p == '+' ? ' ' : *p;
        }

        v = athena_uri_decode(ctx->a, v, vlen, &vlen);

        /* better-auth reads bytes that are no UTF-8 as U+FFFD */
        if (v != NULL && !athena_utf8_valid(v, vlen)) {
            v = athena_utf8_scrub(ctx->a, v, vlen, &vlen);
        }

        if (len) {
            *len = vlen;
        }

        return v;
    }

    return NULL;
}


/* the first value of a query parameter, or NULL when it is absent */

char *
athena_query_arg(athena_ctx_t *ctx, const char *name, size_t *len)
{
    const char  *from;

    from = ctx->req->args;

    return athena_query_next(ctx, name, &from, len);
}


/* every value of a repeated query parameter (?a=1&a=2), NULL-terminated */

const char **
athena_query_all(athena_ctx_t *ctx, const char *name, size_t *n)
{
    char         *v;
    size_t        len, cap;
    const char   *from, **all, **grown;

    *n = 0;
    cap = 4;
    from = ctx->req->args;

    all = athena_alloc(ctx->a, (cap + 1) * sizeof(char *));
    if (all == NULL) {
        return NULL;
    }

    while ((v = athena_query_next(ctx, name, &from, &len)) != NULL) {
        if (*n == cap) {
            grown = athena_alloc(ctx->a, (2 * cap + 1) * sizeof(char *));
            if (grown == NULL) {
                return NULL;
            }

            memcpy(grown, all, cap * sizeof(char *));
            all = grown;
            cap *= 2;
        }

        all[(*n)++] = v;
    }

    all[*n] = NULL;

    return all;
}


/*
 * A query parameter that must be one of names (zod's enum), or absent:
 * the default then. NULL after an issue was noted.
 */

const char *
athena_query_enum(athena_ctx_t *ctx, athena_check_t *chk, const char *name,
    const char *const *names, const char *dflt)
{
    char        *v, *list;
    size_t       len, i;

    v = athena_query_arg(ctx, name, &len);
    if (v == NULL) {
        return dflt;
    }

    list = "";

    for (i = 0; names[i]; i++) {
        if (strcmp(v, names[i]) == 0) {
            return names[i];
        }

        list = athena_sprintf(ctx->a, "%s%s\"%s\"", list, i ? "|" : "",
                              names[i]);
        if (list == NULL) {
            return NULL;
        }
    }

    athena_check_issue(chk, name, "Invalid option: expected one of %s", list);

    return NULL;
}


/* zod's answer to a string parameter given twice: it arrives as an array */

int
athena_query_single(athena_ctx_t *ctx, athena_check_t *chk,
    const char *const *names)
{
    size_t  n;

    for ( /* void */ ; *names; names++) {
        if (athena_query_all(ctx, *names, &n) == NULL) {
            return -1;
        }

        if (n > 1) {
            athena_check_issue(chk, *names, "Invalid input: expected string,"
                                            " received array");
        }
    }

    return 0;
}
