/*
 * SQL for the organization plugin's invitations.
 */

#ifndef ATHENA_INVITATION_STORE_H
#define ATHENA_INVITATION_STORE_H

#include "athena_db.h"
#include "../core/athena_model.h"


/* an invitation with the names get-invitation and listings add to it */
typedef struct {
    athena_invitation_t   inv;
    char                 *org_name;
    char                 *org_slug;
    char                 *inviter_email;
    int                   inviter_is_member;
} athena_invitation_info_t;


athena_store_rc_e athena_invitation_get(athena_db_t *db, athena_arena_t *a,
    const char *id, athena_invitation_info_t *info);
athena_store_rc_e athena_invitation_insert(athena_db_t *db,
    athena_arena_t *a, const athena_invitation_t *inv);
athena_store_rc_e athena_invitation_pending(athena_db_t *db,
    athena_arena_t *a, const char *org_id, const char *email, int64_t now,
    athena_invitation_t *inv);
athena_store_rc_e athena_invitation_count_pending(athena_db_t *db,
    athena_arena_t *a, const char *org_id, int64_t now, int64_t *n);
athena_store_rc_e athena_invitation_set_status(athena_db_t *db,
    athena_arena_t *a, const char *id, const char *from, const char *to,
    athena_invitation_t *inv);
athena_store_rc_e athena_invitation_extend(athena_db_t *db,
    athena_arena_t *a, const char *id, int64_t expires_at,
    athena_invitation_t *inv);
athena_store_rc_e athena_invitation_list(athena_db_t *db, athena_arena_t *a,
    const char *org_id, const char *email, int64_t limit,
    athena_invitation_info_t **list, size_t *n);


#endif /* ATHENA_INVITATION_STORE_H */
