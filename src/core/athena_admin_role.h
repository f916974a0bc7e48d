/*
 * A user's admin roles (seed 004) as the gate holds them: a list
 * "ROLE[:scope][@ms],..." of live assignments, each with its scope (a
 * TENANT_ADMIN's tenant, a PARTNER_ADMIN's partner) and its expiry in
 * milliseconds; an assignment past its expiry counts for nothing.
 */

#ifndef ATHENA_ADMIN_ROLE_H
#define ATHENA_ADMIN_ROLE_H

#include <stddef.h>
#include <stdint.h>


int athena_admin_role_holds(const char *list, const char *role,
    const char *scope, size_t scope_len, int64_t now);
size_t athena_admin_role_shown(const char *list, int64_t now, char *out);


#endif /* ATHENA_ADMIN_ROLE_H */
