/*
 * The default roles of better-auth 1.7.25's admin and organization
 * plugins, and the check both plugins run: AND over the resources and
 * actions asked for, OR over the roles of a comma-joined role list.
 */

#include <string.h>

#include "athena_access.h"


#define ATHENA_END  { NULL, NULL }


/* admin plugin: the "user" and "session" statements */

static const char *const  athena_user_actions[] = {
    "create", "list", "set-role", "ban", "impersonate", "impersonate-admins",
    "delete", "set-password", "set-email", "set-phone", "get", "update",
    NULL
};

static const char *const  athena_user_admin_actions[] = {
    "create", "list", "set-role", "ban", "impersonate", "delete",
    "set-password", "set-email", "set-phone", "get", "update", NULL
};

static const char *const  athena_session_actions[] = {
    "list", "revoke", "delete", NULL
};

static const athena_statement_t  athena_admin_statements[] = {
    { "user", athena_user_actions },
    { "session", athena_session_actions },
    ATHENA_END
};

static const athena_statement_t  athena_admin_role_admin[] = {
    { "user", athena_user_admin_actions },
    { "session", athena_session_actions },
    ATHENA_END
};

static const athena_statement_t  athena_no_grants[] = {
    ATHENA_END
};

static const athena_role_t  athena_admin_roles[] = {
    { "admin", athena_admin_role_admin },
    { "user", athena_no_grants },
    { NULL, NULL }
};

const athena_access_t  athena_admin_access = {
    athena_admin_statements, athena_admin_roles, "user", 0
};


/* organization plugin */

static const char *const  athena_org_actions[] = {
    "update", "delete", NULL
};

static const char *const  athena_org_update_action[] = {
    "update", NULL
};

static const char *const  athena_member_actions[] = {
    "create", "update", "delete", NULL
};

static const char *const  athena_invitation_actions[] = {
    "create", "cancel", NULL
};

static const char *const  athena_ac_actions[] = {
    "create", "read", "update", "delete", NULL
};

static const char *const  athena_ac_read_action[] = {
    "read", NULL
};

static const athena_statement_t  athena_org_statements[] = {
    { "organization", athena_org_actions },
    { "member", athena_member_actions },
    { "invitation", athena_invitation_actions },
    { "team", athena_member_actions },
    { "ac", athena_ac_actions },
    ATHENA_END
};

static const athena_statement_t  athena_org_role_admin[] = {
    { "organization", athena_org_update_action },
    { "member", athena_member_actions },
    { "invitation", athena_invitation_actions },
    { "team", athena_member_actions },
    { "ac", athena_ac_actions },
    ATHENA_END
};

static const athena_statement_t  athena_org_role_member[] = {
    { "ac", athena_ac_read_action },
    ATHENA_END
};

static const athena_role_t  athena_org_roles[] = {
    { "owner", athena_org_statements },
    { "admin", athena_org_role_admin },
    { "member", athena_org_role_member },
    { NULL, NULL }
};

const athena_access_t  athena_org_access = {
    athena_org_statements, athena_org_roles, NULL, 1
};


static int
athena_list_has(const char *const *list, const char *s)
{
    for ( /* void */ ; *list; list++) {
        if (strcmp(*list, s) == 0) {
            return 1;
        }
    }

    return 0;
}


static const athena_statement_t *
athena_statement_find(const athena_statement_t *st, const char *resource)
{
    for ( /* void */ ; st->resource; st++) {
        if (strcmp(st->resource, resource) == 0) {
            return st;
        }
    }

    return NULL;
}


int
athena_access_known(const athena_access_t *ac, const char *resource,
    const char *action)
{
    const athena_statement_t  *st;

    st = athena_statement_find(ac->statements, resource);

    return st != NULL && athena_list_has(st->actions, action);
}


/* an empty request, or a resource with no actions, never passes */

static int
athena_role_allows(const athena_role_t *role,
    const athena_permission_t *perms, size_t n)
{
    size_t                     i, k;
    const athena_statement_t  *st;

    if (n == 0) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        st = athena_statement_find(role->grants, perms[i].resource);

        if (st == NULL || perms[i].nactions == 0) {
            return 0;
        }

        for (k = 0; k < perms[i].nactions; k++) {
            if (!athena_list_has(st->actions, perms[i].actions[k])) {
                return 0;
            }
        }
    }

    return 1;
}


const athena_role_t *
athena_access_role(const athena_access_t *ac, const char *name, size_t len)
{
    const athena_role_t  *role;

    for (role = ac->roles; role->name; role++) {
        if (strlen(role->name) == len && memcmp(role->name, name, len) == 0) {
            return role;
        }
    }

    return NULL;
}


/*
 * Walks "a,b , c" calling back for each name (empty ones too) until a
 * call returns non-zero; trim drops the white space around a name as the
 * organization plugin's String.trim() does (the admin plugin keeps it,
 * so " admin" is no role there).
 */

#define ATHENA_JS_SPACE  " \t\r\n\v\f"

int
athena_roles_each(const char *roles, int trim, athena_role_pt fn,
    void *data)
{
    size_t       len;
    const char  *p, *end;

    for (p = roles; ; p = end + 1) {
        end = p + strcspn(p, ",");
        len = (size_t) (end - p);

        if (trim) {
            while (len && strchr(ATHENA_JS_SPACE, *p)) {
                p++;
                len--;
            }

            while (len && strchr(ATHENA_JS_SPACE, p[len - 1])) {
                len--;
            }
        }

        if (fn(p, len, data)) {
            return 1;
        }

        if (*end == '\0') {
            return 0;
        }
    }
}


typedef struct {
    const athena_access_t      *ac;
    const athena_permission_t  *perms;
    size_t                      n;
} athena_allows_t;


static int
athena_role_passes(const char *name, size_t len, void *data)
{
    athena_allows_t      *q = data;
    const athena_role_t  *role;

    role = athena_access_role(q->ac, name, len);

    return role != NULL && athena_role_allows(role, q->perms, q->n);
}


int
athena_access_allows(const athena_access_t *ac, const char *roles,
    const athena_permission_t *perms, size_t n)
{
    athena_allows_t  q;

    if (roles == NULL || *roles == '\0') {
        roles = ac->default_role;
    }

    if (roles == NULL) {
        return 0;
    }

    q.ac = ac;
    q.perms = perms;
    q.n = n;

    return athena_roles_each(roles, ac->trim, athena_role_passes, &q);
}


static int
athena_role_is(const char *name, size_t len, void *data)
{
    const char  *want = data;

    return strlen(want) == len && memcmp(want, name, len) == 0;
}


int
athena_roles_include(const char *roles, const char *role, int trim)
{
    return roles != NULL
           && athena_roles_each(roles, trim, athena_role_is, (void *) role);
}
