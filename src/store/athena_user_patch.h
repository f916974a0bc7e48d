/*
 * /admin/update-user in SQL: the user fields an update may set, each
 * with a flag saying it was given.
 */

#ifndef ATHENA_USER_PATCH_H
#define ATHENA_USER_PATCH_H

#include "athena_db.h"
#include "../core/athena_model.h"


typedef struct athena_user_patch_s {
    const char   *name;
    const char   *email;
    const char   *image;              /* NULL: SQL NULL */
    const char   *role;
    const char   *ban_reason;         /* NULL: SQL NULL */
    const char   *ban_expires;        /* ISO 8601, or NULL: SQL NULL */
    int           email_verified;
    int           banned;

    unsigned      set_name:1;
    unsigned      set_email:1;
    unsigned      set_image:1;
    unsigned      set_role:1;
    unsigned      set_ban_reason:1;
    unsigned      set_ban_expires:1;
    unsigned      set_email_verified:1;
    unsigned      set_banned:1;
} athena_user_patch_t;


athena_store_rc_e athena_user_patch(athena_db_t *db, athena_arena_t *a,
    const char *id, const athena_user_patch_t *p, int64_t now,
    athena_user_t *user);
athena_store_rc_e athena_email_taken(athena_db_t *db, athena_arena_t *a,
    const char *email, const char *except_id, int *taken);


#endif /* ATHENA_USER_PATCH_H */
