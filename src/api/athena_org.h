/*
 * Shared by the organization plugin's route files
 * (src/api/athena_api_org*.c): its session styles, its error codes, the
 * caller's membership and roles, the active organization, and its rows as
 * JSON.
 */

#ifndef ATHENA_ORG_H
#define ATHENA_ORG_H

#include "athena_api.h"
#include "../core/athena_access.h"
#include "../store/athena_org_store.h"


/* what a route answers when there is no session: better-auth varies */
typedef enum {
    ATHENA_ORG_NO_SESSION_401 = 0,    /* {"message":"Unauthorized",...} */
    ATHENA_ORG_NO_SESSION_EMPTY,      /* 401, no body */
    ATHENA_ORG_NO_SESSION_USER,       /* 401 {"message":"User not found"} */
    ATHENA_ORG_NO_SESSION_NOT_AUTH    /* 401 {"message":"Not authenticated"} */
} athena_org_no_session_e;


/* how an organization's metadata is written out */
typedef enum {
    ATHENA_ORG_META_RAW = 0,          /* the stored JSON text, or null */
    ATHENA_ORG_META_PARSED,           /* as JSON; no key when there is none */
    ATHENA_ORG_META_REVIVED           /* the same, ISO dates rewritten */
} athena_org_meta_e;


athena_store_rc_e athena_org_session(athena_ctx_t *ctx,
    athena_org_no_session_e style, int *ok);
athena_store_rc_e athena_org_query_session(athena_ctx_t *ctx,
    const char *const *names, int *ok);
void athena_org_fail(athena_ctx_t *ctx, int status, const char *code);
const char *athena_org_body_id(athena_ctx_t *ctx, const char *field);
athena_store_rc_e athena_org_caller(athena_ctx_t *ctx, const char *org_id,
    athena_member_t *m, int *found);
athena_store_rc_e athena_org_member_of(athena_ctx_t *ctx,
    const char *org_id, athena_org_t *locked, int status, const char *code,
    athena_member_t *me, int *ok);
int athena_org_may(const char *roles, const char *resource,
    const char *action);
int athena_org_is_creator(athena_ctx_t *ctx, const char *roles);
athena_store_rc_e athena_org_activate(athena_ctx_t *ctx, const char *org_id,
    int cookie);
athena_store_rc_e athena_org_last_creator(athena_ctx_t *ctx,
    const char *org_id, int *last);
athena_store_rc_e athena_org_member_remove(athena_ctx_t *ctx,
    const athena_member_t *m);
int athena_org_gone(athena_ctx_t *ctx, const char *org_id,
    const char *const *tokens, size_t n, const char *const *users,
    size_t nusers);
athena_store_rc_e athena_org_member_changed(athena_ctx_t *ctx,
    const char *org_id, const char *user_id);
const char *athena_org_roles_read(athena_ctx_t *ctx, athena_check_t *chk,
    const char *field);
const char *athena_org_roles_normalize(athena_ctx_t *ctx,
    const char *roles);
const char *athena_org_roles_unknown(athena_ctx_t *ctx, const char *roles);
const char *athena_org_query(athena_ctx_t *ctx, const char *name);

void athena_gen_org_fields(athena_gen_t *g, athena_arena_t *a,
    const athena_org_t *o, athena_org_meta_e meta);
athena_json_t *athena_org_metadata(athena_arena_t *a, const athena_org_t *o);
void athena_gen_org_parsed(athena_gen_t *g, const athena_org_t *o,
    athena_org_meta_e meta, const athena_json_t *parsed);
void athena_gen_member(athena_gen_t *g, const athena_member_t *m,
    int with_user);
void athena_gen_invitation_fields(athena_gen_t *g,
    const athena_invitation_t *i);
void athena_reply_org(athena_ctx_t *ctx, const athena_org_t *o,
    athena_org_meta_e meta);
void athena_reply_member(athena_ctx_t *ctx, const athena_member_t *m,
    int with_user, const char *wrap);
void athena_reply_invitation(athena_ctx_t *ctx, const athena_invitation_t *i);


#endif /* ATHENA_ORG_H */
