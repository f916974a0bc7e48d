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


/*
 * Whether path (len bytes, "/users/abc") is the pattern's ("/users/:id");
 * *param is where the ":id" segment starts (it runs to the end).
 */

static int
athena_rest_path_is(const char *pattern, const char *path, size_t len,
    size_t *param)
{
    size_t       n;
    const char  *p;

    p = strstr(pattern, ":id");
    n = p ? (size_t) (p - pattern) : strlen(pattern);

    if (p == NULL) {
        return n == len && memcmp(pattern, path, len) == 0;
    }

    if (len <= n || memcmp(pattern, path, n) != 0
        || memchr(path + n, '/', len - n) != NULL)
    {
        return 0;
    }

    *param = n;

    return 1;
}


/*
 * The route for method and path; NULL when there is none, with *allow
 * the methods the path has (none: 404, some: 405). The ":id" segment is
 * param[1] bytes at param[0].
 */

const athena_route_t *
athena_rest_route_find(athena_method_e method, const char *path, size_t len,
    size_t *param, unsigned *allow)
{
    size_t                 at;
    const athena_route_t  *rt;

    *allow = 0;
    param[0] = 0;
    param[1] = 0;

    /* "/users/" is "/users" */
    if (len > 1 && path[len - 1] == '/') {
        len--;
    }

    for (rt = athena_rest_routes; rt->path; rt++) {
        at = 0;

        if (!athena_rest_path_is(rt->path, path, len, &at)) {
            continue;
        }

        *allow |= ATHENA_METHOD_BIT(rt->method);

        if (rt->method == method) {
            param[0] = at;
            param[1] = at ? len - at : 0;
            return rt;
        }
    }

    return NULL;
}
