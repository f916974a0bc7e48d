/*
 * Seed 004's admin-roles routes, under their base path
 * (athena_auth_admin_roles_api, /api/v1/admin/admin-roles), and the reads:
 * the list, one assignment, a user's assignments.
 */

#include <string.h>

#include "athena_roles.h"
#include "../../store/athena_auth_store.h"


#define ATHENA_NO_AUDIT  NULL, NULL

/* no x-api-key: the seed's callers show a JWT or a session */
#define ATHENA_ROLES_ROUTE  ATHENA_ROUTE_KEYLESS


static const athena_route_t  athena_roles_routes[] = {
    { ATHENA_GET,    "/", athena_roles_list, ATHENA_ROLES_ROUTE,
      ATHENA_NO_AUDIT },
    { ATHENA_POST,   "/", athena_roles_create, ATHENA_ROLES_ROUTE,
      "admin_roles.create", "admin_role" },
    { ATHENA_GET,    "/user/:id", athena_roles_of_user, ATHENA_ROLES_ROUTE,
      ATHENA_NO_AUDIT },
    { ATHENA_GET,    "/:id", athena_roles_get, ATHENA_ROLES_ROUTE,
      ATHENA_NO_AUDIT },
    { ATHENA_PATCH,  "/:id", athena_roles_update, ATHENA_ROLES_ROUTE,
      "admin_roles.update", "admin_role" },
    { ATHENA_DELETE, "/:id", athena_roles_delete, ATHENA_ROLES_ROUTE,
      "admin_roles.delete", "admin_role" },

    { 0, NULL, NULL, 0, ATHENA_NO_AUDIT }
};


/* the base path itself is "/", as FastAPI's route with its slash */

const athena_route_t *
athena_roles_route_find(athena_method_e method, const char *path,
    size_t len, size_t *param, unsigned *allow)
{
    if (len == 0) {
        path = "/";
        len = 1;
    }

    return athena_route_match(athena_roles_routes, method, path, len, param,
                              allow);
}


/*
 * GET / ?page&per_page&role&user_id&is_active: {items, total, page,
 * per_page, pages}, newest first
 */

athena_store_rc_e
athena_roles_list(athena_ctx_t *ctx)
{
    int                          ok;
    size_t                       i, n;
    athena_gen_t                *g;
    int64_t                      total;
    athena_store_rc_e            rc;
    athena_admin_role_t         *list;
    athena_roles_invalid_t       inv;
    athena_admin_role_filter_t   f;

    rc = athena_roles_require(ctx, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    memset(&inv, 0, sizeof(athena_roles_invalid_t));

    f.page = athena_roles_query_int(ctx, &inv, "page", 1, 1, 1000000);
    f.per_page = athena_roles_query_int(ctx, &inv, "per_page", 20, 1, 100);
    f.role = athena_roles_query_text(ctx, &inv, "role");
    f.user_id = athena_roles_query_text(ctx, &inv, "user_id");
    f.is_active = athena_roles_query_bool(ctx, &inv, "is_active", -1);

    if (athena_roles_invalid_reply(ctx, &inv)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_role_list(ctx->db, ctx->a, &f, &list, &n, &total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "items");
    athena_gen_array_open(g);

    for (i = 0; i < n; i++) {
        athena_roles_gen(g, &list[i]);
    }

    athena_gen_array_close(g);
    athena_gen_key(g, "total");
    athena_gen_int(g, total);
    athena_gen_key(g, "page");
    athena_gen_int(g, f.page);
    athena_gen_key(g, "per_page");
    athena_gen_int(g, f.per_page);
    athena_gen_key(g, "pages");
    athena_gen_int(g, (total + f.per_page - 1) / f.per_page);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}


/* GET /{role_id} */

athena_store_rc_e
athena_roles_get(athena_ctx_t *ctx)
{
    const char           *id;
    athena_store_rc_e     rc;
    athena_admin_role_t   r;

    rc = athena_roles_require_id(ctx, "role_id", &id);
    if (rc != ATHENA_STORE_OK || id == NULL) {
        return rc;
    }

    rc = athena_admin_role_get(ctx->db, ctx->a, id, 0, &r);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_roles_detail(ctx, 404, "Admin role not found");
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_roles_reply(ctx, 200, &r);
    }

    return rc;
}


/* GET /user/{user_id}: a list, empty for a user with no assignment */

athena_store_rc_e
athena_roles_of_user(athena_ctx_t *ctx)
{
    size_t                i, n;
    athena_gen_t         *g;
    const char           *id;
    athena_user_t         user;
    athena_store_rc_e     rc;
    athena_admin_role_t  *list;

    rc = athena_roles_require_id(ctx, "user_id", &id);
    if (rc != ATHENA_STORE_OK || id == NULL) {
        return rc;
    }

    rc = athena_user_by_id(ctx->db, ctx->a, id, &user);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_roles_detail(ctx, 404, "User not found");
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_admin_role_of_user(ctx->db, ctx->a, id, &list, &n);
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_array_open(g);

    for (i = 0; i < n; i++) {
        athena_roles_gen(g, &list[i]);
    }

    athena_gen_array_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}
