/*
 * The REST admin surface (seed 003): its answers' envelope and the
 * admin check its routes share (src/api/rest/).
 */

#ifndef ATHENA_REST_H
#define ATHENA_REST_H

#include "../athena_api.h"
#include "../athena_admin.h"


/* a list's "meta" */
typedef struct {
    int64_t   page;
    int64_t   limit;
    int64_t   total;
} athena_rest_meta_t;


#define ATHENA_REST_TEXT_MAX  256


void athena_rest_error(athena_ctx_t *ctx, int status, const char *message);
athena_store_rc_e athena_rest_require(athena_ctx_t *ctx,
    const athena_admin_perm_t *may, int *ok);
athena_gen_t *athena_rest_begin(athena_ctx_t *ctx);
void athena_rest_end(athena_ctx_t *ctx, int status, athena_gen_t *g,
    const athena_rest_meta_t *meta);
void athena_rest_user_reply(athena_ctx_t *ctx, int status,
    const athena_user_t *user);
void athena_rest_deleted(athena_ctx_t *ctx, const char *id);

const char *athena_rest_id(athena_ctx_t *ctx);
int athena_rest_body(athena_ctx_t *ctx, athena_check_t *chk,
    const char *const *fields);
const char *athena_rest_text(athena_ctx_t *ctx, athena_check_t *chk,
    const char *name);
int athena_rest_paging(athena_ctx_t *ctx, athena_check_t *chk,
    athena_rest_meta_t *meta);

void athena_rest_gen_org(athena_ctx_t *ctx, athena_gen_t *g,
    const athena_org_t *o, int64_t count, const athena_member_t *members,
    size_t n);
athena_store_rc_e athena_rest_org_reply(athena_ctx_t *ctx, int status,
    const athena_org_t *o);
athena_store_rc_e athena_rest_org_find(athena_ctx_t *ctx, int lock,
    athena_org_t *org, int *found);

char *athena_rest_audit_user(athena_ctx_t *ctx, const char *type,
    const athena_user_t *before, const athena_user_t *after);
char *athena_rest_audit_org(athena_ctx_t *ctx, const char *type,
    const athena_org_t *before, const athena_org_t *after,
    const char *owner);


#endif /* ATHENA_REST_H */
