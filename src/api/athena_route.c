/*
 * Route tables whose paths may end in ":id", one segment that the route's
 * handler reads as ctx->req->param: the REST admin surface's and the
 * admin-roles surface's.
 */

#include <string.h>

#include "athena_api.h"
#include "../core/athena_text.h"


/*
 * Whether path (len bytes, "/users/abc") is the pattern's ("/users/:id");
 * *param is where the ":id" segment starts (it runs to the end).
 */

static int
athena_route_path_is(const char *pattern, const char *path, size_t len,
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
 * The route of table for method and path; NULL when there is none, with
 * *allow the methods the path has (none: 404, some: 405). The ":id"
 * segment is param[1] bytes at param[0]. A trailing "/" is ignored.
 */

const athena_route_t *
athena_route_match(const athena_route_t *table, athena_method_e method,
    const char *path, size_t len, size_t *param, unsigned *allow)
{
    size_t                 at;
    const athena_route_t  *rt;

    *allow = 0;
    param[0] = 0;
    param[1] = 0;

    if (len > 1 && path[len - 1] == '/') {
        len--;
    }

    for (rt = table; rt->path; rt++) {
        at = 0;

        if (!athena_route_path_is(rt->path, path, len, &at)) {
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


/* a path's ":id" that a handler may use: 1-255 bytes of UTF-8, no control */

int
athena_route_param_ok(const char *id)
{
    size_t  i, len;

    len = id ? strlen(id) : 0;

    for (i = 0; i < len; i++) {
        if ((unsigned char) id[i] < 0x20 || id[i] == 0x7f) {
            return 0;
        }
    }

    return len > 0 && len <= 255 && athena_utf8_valid(id, len);
}
