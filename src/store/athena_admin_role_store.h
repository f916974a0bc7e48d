/*
 * Seed 004's admin roles (table admin_roles), and the soft deletion of a
 * user that the admin-roles API's cleanup makes (admin_user_deletions).
 */

#ifndef ATHENA_ADMIN_ROLE_STORE_H
#define ATHENA_ADMIN_ROLE_STORE_H

#include "athena_db.h"


typedef struct {
    const char   *id;
    const char   *user_id;
    const char   *role;
    const char   *partner_id;
    const char   *tenant_id;
    const char   *granted_by;
    int           is_active;
    int64_t       expires_at;         /* or ATHENA_TIME_NULL */
    int64_t       created_at;
    int64_t       updated_at;
} athena_admin_role_t;


typedef struct {
    const char   *role;               /* NULL: any */
    const char   *user_id;
    int           is_active;          /* -1: any */
    int64_t       page;               /* from 1 */
    int64_t       per_page;
} athena_admin_role_filter_t;


athena_store_rc_e athena_admin_role_create(athena_db_t *db,
    athena_arena_t *a, athena_admin_role_t *r);
athena_store_rc_e athena_admin_role_get(athena_db_t *db, athena_arena_t *a,
    const char *id, int lock, athena_admin_role_t *r);
athena_store_rc_e athena_admin_role_list(athena_db_t *db, athena_arena_t *a,
    const athena_admin_role_filter_t *f, athena_admin_role_t **list,
    size_t *n, int64_t *total);
athena_store_rc_e athena_admin_role_of_user(athena_db_t *db,
    athena_arena_t *a, const char *user_id, athena_admin_role_t **list,
    size_t *n);
athena_store_rc_e athena_admin_role_update(athena_db_t *db,
    athena_arena_t *a, const char *id, int is_active, int set_expires,
    int64_t expires_at, int64_t now, athena_admin_role_t *r);
athena_store_rc_e athena_admin_role_delete(athena_db_t *db,
    athena_arena_t *a, const char *id);
athena_store_rc_e athena_admin_role_orphaned(athena_db_t *db,
    athena_arena_t *a, const char *user_id, int *orphaned);
athena_store_rc_e athena_admin_user_mark_deleted(athena_db_t *db,
    athena_arena_t *a, const char *user_id, const char *by, int64_t now);
char *athena_admin_roles_cache_key(athena_arena_t *a, const char *prefix,
    const char *user_id);
char *athena_admin_roles_cache_parse(char *text);
athena_store_rc_e athena_admin_roles_live(athena_db_t *db, athena_arena_t *a,
    const char *user_id, char **roles);
char *athena_admin_roles_with_session(athena_db_t *db, athena_arena_t *a,
    const char *key, int uid_at, char **roles);


#endif /* ATHENA_ADMIN_ROLE_STORE_H */
