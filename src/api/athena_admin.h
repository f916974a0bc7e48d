/*
 * Shared by the admin plugin's route files (src/api/athena_api_admin*.c).
 */

#ifndef ATHENA_ADMIN_H
#define ATHENA_ADMIN_H

#include "athena_api.h"
#include "../core/athena_access.h"


/* a route's permission and better-auth's refusal of it */
typedef struct {
    const char  *resource;
    const char  *action;
    const char  *code;
    const char  *message;
} athena_admin_perm_t;


extern const athena_admin_perm_t  athena_may_get;
extern const athena_admin_perm_t  athena_may_set_role;
extern const athena_admin_perm_t  athena_may_ban;
extern const athena_admin_perm_t  athena_may_delete;
extern const athena_admin_perm_t  athena_may_set_password;
extern const athena_admin_perm_t  athena_may_list;
extern const athena_admin_perm_t  athena_may_create;
extern const athena_admin_perm_t  athena_may_update;
extern const athena_admin_perm_t  athena_may_set_email;


athena_store_rc_e athena_admin_session(athena_ctx_t *ctx, int *ok);
athena_store_rc_e athena_admin_end_sessions(athena_ctx_t *ctx, const char *id);
int athena_admin_allows(athena_ctx_t *ctx, const athena_permission_t *perms,
    size_t n);
athena_store_rc_e athena_admin_require(athena_ctx_t *ctx,
    const athena_admin_perm_t *may, int *ok);
athena_store_rc_e athena_admin_target(athena_ctx_t *ctx,
    const athena_admin_perm_t *may, const char *id, athena_user_t *user,
    int *found);
athena_store_rc_e athena_admin_lookup(athena_ctx_t *ctx, const char *id,
    athena_user_t *user, int *found);
athena_store_rc_e athena_admin_body_require(athena_ctx_t *ctx,
    athena_check_t *chk, const athena_admin_perm_t *may, const char **id,
    int *ok);
athena_store_rc_e athena_admin_body_target(athena_ctx_t *ctx,
    athena_check_t *chk, const athena_admin_perm_t *may, const char **id,
    athena_user_t *user, int *found);
int athena_admin_body(athena_ctx_t *ctx, athena_check_t *chk);
int athena_admin_user_body(athena_ctx_t *ctx, athena_check_t *chk);
void athena_admin_need_user_id(athena_ctx_t *ctx, athena_check_t *chk);
athena_store_rc_e athena_admin_changed(athena_ctx_t *ctx,
    const athena_user_t *user);
const char *athena_coerce_string(athena_ctx_t *ctx, const char *field);
const char *athena_role_value(athena_ctx_t *ctx, athena_check_t *chk,
    const athena_json_t *obj);
void athena_reply_user(athena_ctx_t *ctx, const athena_user_t *user,
    int wrap);

athena_store_rc_e athena_admin_user_insert(athena_ctx_t *ctx,
    athena_user_t *user, const athena_json_t *pw);

struct athena_user_patch_s;
void athena_patch_read(athena_ctx_t *ctx, athena_check_t *chk,
    const athena_json_t *data, const char *where,
    struct athena_user_patch_s *p);
athena_store_rc_e athena_patch_allowed(athena_ctx_t *ctx, const char *id,
    const athena_json_t *data, struct athena_user_patch_s *p, int *ok);
athena_store_rc_e athena_patch_done(athena_ctx_t *ctx, const char *id,
    const struct athena_user_patch_s *p);


#endif /* ATHENA_ADMIN_H */
