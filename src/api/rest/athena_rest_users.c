/*
 * The REST admin surface's users (seed 003): GET /users and
 * GET /users/:id, over the rows the admin plugin's routes serve.
 */

#include <string.h>

#include "athena_rest.h"
#include "../../store/athena_auth_store.h"
#include "../../store/athena_user_list.h"


/* ?search&role&banned&sort&order into q, then the page; 0 after a 400 */

static int
athena_rest_users_query(athena_ctx_t *ctx, athena_user_find_t *q,
    athena_rest_meta_t *meta)
{
    const char      *banned, *order;
    athena_check_t   chk;

    static const char *const  bools[] = { "true", "false", NULL };
    static const char *const  orders[] = { "asc", "desc", NULL };
    static const char *const  sorts[] = {
        "createdAt", "updatedAt", "name", "email", "role", NULL
    };

    athena_check_init(&chk, ctx->a, NULL, "query");

    q->search = athena_rest_text(ctx, &chk, "search");
    q->role = athena_rest_text(ctx, &chk, "role");

    banned = athena_query_enum(ctx, &chk, "banned", bools, NULL);
    q->banned = banned ? (banned[0] == 't') : -1;

    q->sort_field = athena_query_enum(ctx, &chk, "sort", sorts, "createdAt");
    order = athena_query_enum(ctx, &chk, "order", orders, "desc");
    q->sort_desc = (order == NULL || order[0] == 'd');

    if (!athena_rest_paging(ctx, &chk, meta)) {
        return 0;
    }

    q->limit = meta->limit;
    q->offset = (meta->page - 1) * meta->limit;

    return 1;
}


athena_store_rc_e
athena_rest_users_list(athena_ctx_t *ctx)
{
    int                  ok;
    size_t               n, i;
    athena_gen_t        *g;
    athena_user_t       *users;
    athena_store_rc_e    rc;
    athena_user_find_t   q;
    athena_rest_meta_t   meta;

    rc = athena_rest_require(ctx, &athena_may_list, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    memset(&q, 0, sizeof(athena_user_find_t));

    if (!athena_rest_users_query(ctx, &q, &meta)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_user_find(ctx->db, ctx->a, &q, &users, &n, &meta.total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_rest_begin(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_array_open(g);

    for (i = 0; i < n; i++) {
        athena_gen_user(g, &users[i]);
    }

    athena_gen_array_close(g);

    athena_rest_end(ctx, 200, g, &meta);

    return ATHENA_STORE_OK;
}


athena_store_rc_e
athena_rest_user_get(athena_ctx_t *ctx)
{
    int                 ok;
    const char         *id;
    athena_user_t       user;
    athena_store_rc_e   rc;

    rc = athena_rest_require(ctx, &athena_may_get, &ok);
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

    athena_rest_user_reply(ctx, 200, &user);

    return ATHENA_STORE_OK;
}


/* {"success": true, "data": user} */

void
athena_rest_user_reply(athena_ctx_t *ctx, int status,
    const athena_user_t *user)
{
    athena_gen_t  *g;

    g = athena_rest_begin(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_user(g, user);
    athena_rest_end(ctx, status, g, NULL);
}
