/*
 * What the REST admin surface reads from a request: the path's id, a
 * body whose every key is one the route knows, and text filters.
 */

#include <string.h>

#include "athena_rest.h"
#include "../athena/athena_list.h"
#include "../../core/athena_text.h"


#define ATHENA_REST_LIMIT_MAX  100
#define ATHENA_REST_PAGE_MAX   1000000


/*
 * The path's id: printable UTF-8 of at most 255 bytes; NULL after a 400.
 * It is what an audited route acted on, whatever comes of it.
 */

const char *
athena_rest_id(athena_ctx_t *ctx)
{
    const char  *id;

    id = ctx->req->param;

    if (!athena_route_param_ok(id)) {
        athena_rest_error(ctx, 400, "Invalid id in the path");
        return NULL;
    }

    ctx->audit_target = id;

    return id;
}


/*
 * The body is an object of the fields given (NULL-terminated): a key the
 * route does not know is refused, not dropped, so that a misspelt field
 * never looks applied. Returns 1 when the body is an object.
 */

int
athena_rest_body(athena_ctx_t *ctx, athena_check_t *chk,
    const char *const *fields)
{
    size_t  i, k;

    if (!athena_check_object(chk)) {
        return 0;
    }

    for (i = 0; i < ctx->body->n; i++) {
        for (k = 0; fields[k]; k++) {
            if (strcmp(ctx->body->keys[i], fields[k]) == 0) {
                break;
            }
        }

        if (fields[k] == NULL) {
            athena_check_issue(chk, ctx->body->keys[i], "Unrecognized key");
        }
    }

    return 1;
}


/* a text filter of at most ATHENA_REST_TEXT_MAX bytes; "" is none */

const char *
athena_rest_text(athena_ctx_t *ctx, athena_check_t *chk, const char *name)
{
    char    *v;
    size_t   len;

    v = athena_query_arg(ctx, name, &len);

    if (v != NULL && len > ATHENA_REST_TEXT_MAX) {
        athena_check_issue(chk, name, "Too long: at most %d characters",
                           ATHENA_REST_TEXT_MAX);
        return NULL;
    }

    return (v == NULL || len == 0) ? NULL : v;
}


/*
 * ?page (from 1) and ?limit (1 to 100, 20 by default) into meta, after
 * the route's own checks in chk: 0 when a 400 naming every bad field of
 * them all has been made.
 */

int
athena_rest_paging(athena_ctx_t *ctx, athena_check_t *chk,
    athena_rest_meta_t *meta)
{
    meta->page = athena_list_number(ctx, chk, "page", 1, 1);
    meta->limit = athena_list_number(ctx, chk, "limit", 1, 20);
    meta->total = 0;

    if (meta->page > ATHENA_REST_PAGE_MAX) {
        athena_check_issue(chk, "page", "Too big: at most %d",
                           ATHENA_REST_PAGE_MAX);
    }

    if (meta->limit > ATHENA_REST_LIMIT_MAX) {
        athena_check_issue(chk, "limit", "Too big: at most %d",
                           ATHENA_REST_LIMIT_MAX);
    }

    return !athena_reply_invalid(ctx, chk);
}
