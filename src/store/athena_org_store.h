/*
 * SQL for the organization plugin's tables, and the Redis entries that
 * cache a membership.
 */

#ifndef ATHENA_ORG_STORE_H
#define ATHENA_ORG_STORE_H

#include "athena_db.h"
#include "../core/athena_model.h"


typedef enum {
    ATHENA_MEMBER_BY_ID = 0,      /* in the organization, if one is given */
    ATHENA_MEMBER_BY_USER,
    ATHENA_MEMBER_BY_EMAIL
} athena_member_by_e;


/*
 * A page of members. filter_sql is a format of the filter over its
 * column (%s) and value ($2): "%s = $2", "%s = ANY ($2::text[])", ...
 */
typedef struct {
    const char   *org_id;
    int64_t       limit;
    int64_t       offset;
    const char   *sort_column;        /* NULL: oldest first */
    int           desc;
    const char   *filter_column;      /* NULL: no filter */
    const char   *filter_sql;
    const char   *filter_value;
} athena_member_query_t;


char *athena_member_cache_key(athena_arena_t *a, const char *prefix,
    const char *org_id, const char *user_id);
char *athena_member_cache_parse(char *text);
athena_store_rc_e athena_member_role(athena_db_t *db, athena_arena_t *a,
    const char *org_id, const char *user_id, char **role);

athena_store_rc_e athena_org_get(athena_db_t *db, athena_arena_t *a,
    const char *id, const char *slug, int lock, athena_org_t *org);
athena_store_rc_e athena_org_slug_taken(athena_db_t *db, athena_arena_t *a,
    const char *slug, int *taken);
athena_store_rc_e athena_org_insert(athena_db_t *db, athena_arena_t *a,
    const athena_org_t *o);
athena_store_rc_e athena_org_update(athena_db_t *db, athena_arena_t *a,
    const athena_org_t *set, int set_logo, athena_org_t *org);
athena_store_rc_e athena_org_delete(athena_db_t *db, athena_arena_t *a,
    const char *id, const char ***tokens, size_t *n, const char ***users,
    size_t *nusers);
athena_store_rc_e athena_org_list_of(athena_db_t *db, athena_arena_t *a,
    const char *user_id, int64_t limit, athena_org_t **list, size_t *n);
athena_store_rc_e athena_org_count_of(athena_db_t *db, athena_arena_t *a,
    const char *user_id, int64_t *n);

athena_store_rc_e athena_org_page(athena_db_t *db, athena_arena_t *a,
    const char *search, int64_t limit, int64_t offset, athena_org_t **list,
    int64_t **members, size_t *n, int64_t *total);

athena_store_rc_e athena_member_count(athena_db_t *db, athena_arena_t *a,
    const char *org_id, const char *role, int64_t *n);
athena_store_rc_e athena_member_find(athena_db_t *db, athena_arena_t *a,
    athena_member_by_e by, const char *org_id, const char *key,
    athena_member_t *m);
athena_store_rc_e athena_member_insert(athena_db_t *db, athena_arena_t *a,
    const athena_member_t *m);
athena_store_rc_e athena_member_delete(athena_db_t *db, athena_arena_t *a,
    const char *id);
athena_store_rc_e athena_member_set_role(athena_db_t *db, athena_arena_t *a,
    const char *id, const char *role);
athena_store_rc_e athena_member_demote(athena_db_t *db, athena_arena_t *a,
    const char *org_id, const char *keep, const char *owner,
    const char *role, const char ***users, size_t *n);
athena_store_rc_e athena_member_sessions(athena_db_t *db, athena_arena_t *a,
    const char *org_id, const char *user_id, const char ***tokens,
    size_t *n);
athena_store_rc_e athena_member_list(athena_db_t *db, athena_arena_t *a,
    const athena_member_query_t *q, athena_member_t **list, size_t *n,
    int64_t *total);


#endif /* ATHENA_ORG_STORE_H */
