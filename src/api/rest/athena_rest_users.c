/*
 * The REST admin surface's users (seed 003): GET /users and
 * GET /users/:id, over the rows the admin plugin's routes serve.
 */

#include <string.h>

#include "athena_rest.h"
#include "../athena/athena_list.h"
#include "../../core/athena_text.h"
#include "../../store/athena_auth_store.h"
#include "../../store/athena_user_list.h"


#define ATHENA_REST_LIMIT_MAX  100
#define ATHENA_REST_PAGE_MAX   1000000
#define ATHENA_REST_TEXT_MAX   256


/* the path's id: printable UTF-8 of at most 255 bytes; NULL after a 400 */

static const char *
athena_rest_id(athena_ctx_t *ctx)
{
    size_t       len, i;
    const char  *id;

    id = ctx->req->param;
    len = id ? strlen(id) : 0;

    for (i = 0; i < len; i++) {
        if ((unsigned char) id[i] < 0x20 || id[i] == 0x7f) {
            break;
        }
    }

    if (len == 0 || len > 255 || i < len || !athena_utf8_valid(id, len)) {
        athena_rest_error(ctx, 400, "Invalid id in the path");
        return NULL;
    }

    return id;
}


/* a text filter of at most ATHENA_REST_TEXT_MAX bytes; "" is none */

static const char *
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


/* ?page&limit&search&role&banned&sort&order into q; 0 after a 400 */

static int
athena_rest_users_query(athena_ctx_t *ctx, athena_user_find_t *q,
    int64_t *page)
{
    const char      *banned, *order;
    athena_check_t   chk;

    static const char *const  bools[] = { "true", "false", NULL };
    static const char *const  orders[] = { "asc", "desc", NULL };
    static const char *const  sorts[] = {
        "createdAt", "updatedAt", "name", "email", "role", NULL
    };

    athena_check_init(&chk, ctx->a, NULL, "query");

    *page = athena_list_number(ctx, &chk, "page", 1, 1);
    q->limit = athena_list_number(ctx, &chk, "limit", 1, 20);

    if (*page > ATHENA_REST_PAGE_MAX) {
        athena_check_issue(&chk, "page", "Too big: at most %d",
                           ATHENA_REST_PAGE_MAX);
    }

    if (q->limit > ATHENA_REST_LIMIT_MAX) {
        athena_check_issue(&chk, "limit", "Too big: at most %d",
                           ATHENA_REST_LIMIT_MAX);
    }

    q->search = athena_rest_text(ctx, &chk, "search");
    q->role = athena_rest_text(ctx, &chk, "role");

    banned = athena_query_enum(ctx, &chk, "banned", bools, NULL);
    q->banned = banned ? (banned[0] == 't') : -1;

    q->sort_field = athena_query_enum(ctx, &chk, "sort", sorts, "createdAt");
    order = athena_query_enum(ctx, &chk, "order", orders, "desc");
    q->sort_desc = (order == NULL || order[0] == 'd');

    if (athena_reply_invalid(ctx, &chk)) {
        return 0;
    }

    q->offset = (*page - 1) * q->limit;

    return 1;
}


athena_store_rc_e
athena_rest_users_list(athena_ctx_t *ctx)
{
    int                  ok;
    size_t               n, i;
    yajl_gen             g;
    athena_user_t       *users;
    athena_store_rc_e    rc;
    athena_user_find_t   q;
    athena_rest_meta_t   meta;

    rc = athena_admin_require(ctx, &athena_may_list, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    memset(&q, 0, sizeof(athena_user_find_t));

    if (!athena_rest_users_query(ctx, &q, &meta.page)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_user_find(ctx->db, ctx->a, &q, &users, &n, &meta.total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    meta.limit = q.limit;

    g = athena_rest_begin(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    yajl_gen_array_open(g);

    for (i = 0; i < n; i++) {
        athena_gen_user(g, &users[i]);
    }

    yajl_gen_array_close(g);

    athena_rest_end(ctx, 200, g, &meta);

    return ATHENA_STORE_OK;
}


athena_store_rc_e
athena_rest_user_get(athena_ctx_t *ctx)
{
    int                 ok;
    yajl_gen            g;
    const char         *id;
    athena_user_t       user;
    athena_store_rc_e   rc;

    rc = athena_admin_require(ctx, &athena_may_get, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    id = athena_rest_id(ctx);
    if (id == NULL) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_lookup(ctx, id, &user, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    g = athena_rest_begin(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_user(g, &user);
    athena_rest_end(ctx, 200, g, NULL);

    return ATHENA_STORE_OK;
}
