/*
 * SQL for the organization plugin's tables, and the Redis entries that
 * cache a membership.
 */

#ifndef ATHENA_ORG_STORE_H
#define ATHENA_ORG_STORE_H

#include "athena_db.h"


char *athena_member_cache_key(athena_arena_t *a, const char *prefix,
    const char *org_id, const char *user_id);
char *athena_member_cache_parse(char *text);
athena_store_rc_e athena_member_role(athena_db_t *db, athena_arena_t *a,
    const char *org_id, const char *user_id, char **role);


#endif /* ATHENA_ORG_STORE_H */
