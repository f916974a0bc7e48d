/*
 * Access control as better-auth's plugins define it: statements name every
 * action of every resource, a role grants some of them, and a request for
 * permissions passes when one of the caller's roles grants every action
 * of every resource asked for.
 */

#ifndef ATHENA_ACCESS_H
#define ATHENA_ACCESS_H

#include <stddef.h>


typedef struct {
    const char          *resource;
    const char *const   *actions;         /* NULL-terminated */
} athena_statement_t;


typedef struct {
    const char                *name;
    const athena_statement_t  *grants;    /* ends with a NULL resource */
} athena_role_t;


typedef struct {
    const athena_statement_t  *statements;
    const athena_role_t       *roles;     /* ends with a NULL name */
    const char                *default_role;
    int                        trim;      /* trim the names of a role list */
} athena_access_t;


typedef struct athena_permission_s {
    const char          *resource;
    const char *const   *actions;
    size_t               nactions;
} athena_permission_t;


extern const athena_access_t  athena_admin_access;
extern const athena_access_t  athena_org_access;


/* called for each name of a role list; non-zero stops the walk */
typedef int (*athena_role_pt)(const char *name, size_t len, void *data);

int athena_roles_each(const char *roles, int trim, athena_role_pt fn,
    void *data);
const athena_role_t *athena_access_role(const athena_access_t *ac,
    const char *name, size_t len);
int athena_access_known(const athena_access_t *ac, const char *resource,
    const char *action);
int athena_access_allows(const athena_access_t *ac, const char *roles,
    const athena_permission_t *perms, size_t n);
int athena_roles_include(const char *roles, const char *role, int trim);


#endif /* ATHENA_ACCESS_H */
