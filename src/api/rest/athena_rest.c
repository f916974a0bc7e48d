/*
 * The REST admin surface's routes (seed 003), under its base path
 * (athena_auth_admin_rest). A path may end in ":id", one segment that the
 * route's handler reads as ctx->req->param.
 */

#include <string.h>

#include "athena_rest.h"


#define ATHENA_NO_AUDIT  NULL, NULL


static const athena_route_t  athena_rest_routes[] = {
    { ATHENA_GET,    "/users", athena_rest_users_list, 0, ATHENA_NO_AUDIT },
    { ATHENA_POST,   "/users", athena_rest_user_create, 0,
      "admin.rest.user.create", "user" },
    { ATHENA_GET,    "/users/:id", athena_rest_user_get, 0,
      ATHENA_NO_AUDIT },
    { ATHENA_PATCH,  "/users/:id", athena_rest_user_update, 0,
      "admin.rest.user.update", "user" },
    { ATHENA_DELETE, "/users/:id", athena_rest_user_delete, 0,
      "admin.rest.user.delete", "user" },
    { ATHENA_GET,    "/organizations", athena_rest_orgs_list, 0,
      ATHENA_NO_AUDIT },
    { ATHENA_POST,   "/organizations", athena_rest_org_create, 0,
      "admin.rest.organization.create", "organization" },
    { ATHENA_GET,    "/organizations/:id", athena_rest_org_get, 0,
      ATHENA_NO_AUDIT },
    { ATHENA_PATCH,  "/organizations/:id", athena_rest_org_update, 0,
      "admin.rest.organization.update", "organization" },
    { ATHENA_DELETE, "/organizations/:id", athena_rest_org_delete, 0,
      "admin.rest.organization.delete", "organization" },

    { 0, NULL, NULL, 0, ATHENA_NO_AUDIT }
};


const athena_route_t *
athena_rest_route_find(athena_method_e method, const char *path, size_t len,
    size_t *param, unsigned *allow)
{
    return athena_route_match(athena_rest_routes, method, path, len, param,
                              allow);
}
