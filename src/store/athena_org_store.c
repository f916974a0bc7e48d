#include <string.h>

#include "athena_org_store.h"


/* a cached "not a member" answer, distinct from any role name */
#define ATHENA_CACHE_NO_MEMBER  "-"


/*
 * Ids are not secrets, so the key names them. Whatever changes a member
 * row must delete this entry as well.
 */

char *
athena_member_cache_key(athena_arena_t *a, const char *prefix,
    const char *org_id, const char *user_id)
{
    return athena_sprintf(a, "%smember:%s:%s", prefix, org_id, user_id);
}


/* a cached membership: the role list, or NULL for "not a member" */

char *
athena_member_cache_parse(char *text)
{
    return strcmp(text, ATHENA_CACHE_NO_MEMBER) == 0 ? NULL : text;
}


/* *role is the member's role list, or NULL for "not a member" */

athena_store_rc_e
athena_member_role(athena_db_t *db, athena_arena_t *a, const char *org_id,
    const char *user_id, char **role)
{
    char               *key, *cached;
    const char         *p[2];
    int64_t             ttl;
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    ttl = athena_db_conf(db)->cache_ttl;
    key = NULL;
    cached = NULL;

    if (ttl > 0) {
        key = athena_member_cache_key(a, athena_db_conf(db)->cache_prefix,
                                      org_id, user_id);
        cached = key ? athena_redis_get(db, a, key) : NULL;
    }

    if (cached != NULL) {
        *role = athena_member_cache_parse(cached);
        return ATHENA_STORE_OK;
    }

    p[0] = org_id;
    p[1] = user_id;

    rc = athena_pg_one(db, a,
             "SELECT role FROM member"
             " WHERE \"organizationId\" = $1 AND \"userId\" = $2",
             2, p, &rows);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        *role = NULL;

    } else if (rc == ATHENA_STORE_OK) {
        *role = (char *) athena_rows_get(rows, 0, 0);

    } else {
        return rc;
    }

    if (key != NULL) {
        cached = *role ? *role : ATHENA_CACHE_NO_MEMBER;
        athena_redis_set(db, key, cached, strlen(cached), ttl, 1);
    }

    return ATHENA_STORE_OK;
}

