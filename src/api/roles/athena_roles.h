/*
 * Seed 004's admin-roles surface (athena_auth_admin_roles_api): its routes,
 * answers as a FastAPI service writes them ({"detail": ...}, and 422 with
 * the list of what failed validation), and the SUPER_ADMIN its callers
 * must be (src/api/roles/).
 */

#ifndef ATHENA_ROLES_H
#define ATHENA_ROLES_H

#include "../athena_api.h"
#include "../athena_admin.h"
#include "../../store/athena_admin_role_store.h"


#define ATHENA_ROLES_INVALID_MAX  8


/* what failed validation, as pydantic lists it */
typedef struct {
    size_t                n;
    struct {
        const char           *where;     /* "body", "query", "path" */
        const char           *field;     /* NULL: the whole body */
        const char           *type;
        const char           *msg;
        const athena_json_t  *input;
        const char           *text;      /* an input that was text */
    } item[ATHENA_ROLES_INVALID_MAX];
} athena_roles_invalid_t;


void athena_roles_detail(athena_ctx_t *ctx, int status, const char *detail);
void athena_roles_invalid_add(athena_roles_invalid_t *inv, const char *where,
    const char *field, const char *type, const char *msg,
    const athena_json_t *input, const char *text);
int athena_roles_invalid_reply(athena_ctx_t *ctx, athena_roles_invalid_t *inv);
void athena_roles_gen(athena_gen_t *g, const athena_admin_role_t *r);
void athena_roles_reply(athena_ctx_t *ctx, int status,
    const athena_admin_role_t *r);

athena_store_rc_e athena_roles_require(athena_ctx_t *ctx, int *ok);

int athena_roles_query_bool(athena_ctx_t *ctx, athena_roles_invalid_t *inv,
    const char *name, int dflt);
int64_t athena_roles_query_int(athena_ctx_t *ctx, athena_roles_invalid_t *inv,
    const char *name, int64_t dflt, int64_t min, int64_t max);
const char *athena_roles_query_text(athena_ctx_t *ctx,
    athena_roles_invalid_t *inv, const char *name);
const char *athena_roles_path_id(athena_ctx_t *ctx, const char *name);
athena_store_rc_e athena_roles_require_id(athena_ctx_t *ctx,
    const char *name, const char **id);
int athena_roles_body(athena_ctx_t *ctx, athena_roles_invalid_t *inv);
const char *athena_roles_body_text(athena_ctx_t *ctx,
    athena_roles_invalid_t *inv, const char *name, int required);
void athena_roles_body_time(athena_ctx_t *ctx, athena_roles_invalid_t *inv,
    const char *name, int *set, int64_t *ms);
int athena_roles_body_bool(athena_ctx_t *ctx, athena_roles_invalid_t *inv,
    const char *name);


#endif /* ATHENA_ROLES_H */
