#include <stdlib.h>
#include <string.h>

#include "athena_admin_role.h"


typedef struct {
    const char  *role;
    size_t       role_len;
    const char  *scope;         /* NULL: none */
    size_t       scope_len;
    const char  *end;           /* of the item, "@ms" included */
    const char  *shown_end;     /* of "ROLE[:scope]" */
    int64_t      expires;       /* 0: never */
} athena_admin_role_item_t;


/* the item at p (up to ',' or the end); NULL past the last */

static const char *
athena_admin_role_item(const char *p, athena_admin_role_item_t *it)
{
    const char  *end, *colon, *at;

    if (p == NULL || *p == '\0') {
        return NULL;
    }

    end = strchr(p, ',');
    if (end == NULL) {
        end = p + strlen(p);
    }

    at = memchr(p, '@', (size_t) (end - p));
    colon = memchr(p, ':', (size_t) ((at ? at : end) - p));

    it->role = p;
    it->role_len = (size_t) ((colon ? colon : at ? at : end) - p);
    it->scope = colon ? colon + 1 : NULL;
    it->scope_len = colon ? (size_t) ((at ? at : end) - colon - 1) : 0;
    it->end = end;
    it->shown_end = at ? at : end;
    it->expires = at ? strtoll(at + 1, NULL, 10) : 0;

    return *end == ',' ? end + 1 : end;
}


/*
 * Whether the list holds role now; for a TENANT_ADMIN or PARTNER_ADMIN
 * with scope given, in that scope (a TENANT_ADMIN with no scope given
 * holds nothing: a tenant's admin is one for a tenant).
 */

int
athena_admin_role_holds(const char *list, const char *role,
    const char *scope, size_t scope_len, int64_t now)
{
    size_t                     n;
    const char                *p;
    athena_admin_role_item_t   it;

    n = strlen(role);

    for (p = list; (p = athena_admin_role_item(p, &it)) != NULL; /* void */) {
        if (it.role_len != n || memcmp(it.role, role, n) != 0
            || (it.expires != 0 && it.expires <= now))
        {
            continue;
        }

        if (strcmp(role, "TENANT_ADMIN") == 0 && scope == NULL) {
            continue;
        }

        if (scope == NULL || strcmp(role, "SUPER_ADMIN") == 0
            || (it.scope_len == scope_len
                && memcmp(it.scope, scope, scope_len) == 0))
        {
            return 1;
        }
    }

    return 0;
}


/* "ROLE[:scope],..." of those live now, into out (strlen(list) + 1) */

size_t
athena_admin_role_shown(const char *list, int64_t now, char *out)
{
    size_t                     n, len;
    const char                *p;
    athena_admin_role_item_t   it;

    n = 0;

    for (p = list; (p = athena_admin_role_item(p, &it)) != NULL; /* void */) {
        if (it.expires != 0 && it.expires <= now) {
            continue;
        }

        len = (size_t) (it.shown_end - it.role);

        if (n) {
            out[n++] = ',';
        }

        memcpy(out + n, it.role, len);
        n += len;
    }

    out[n] = '\0';

    return n;
}
