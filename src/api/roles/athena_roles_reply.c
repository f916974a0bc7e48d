/*
 * The admin-roles surface's answers, as FastAPI writes them: an error is
 * {"detail": "..."}; a request that fails validation is 422 with
 * {"detail": [{"type", "loc", "msg", "input"}, ...]}, every failure
 * listed, as pydantic 2 names and words them.
 */

#include "athena_roles.h"


void
athena_roles_detail(athena_ctx_t *ctx, int status, const char *detail)
{
    athena_gen_t  *g;

    if (ctx->error_code == NULL) {
        ctx->error_code = athena_sprintf(ctx->a, "HTTP %d", status);
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "detail");
    athena_gen_cstr(g, detail);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, status, g);

    if (status == 401) {
        athena_reply_header(ctx, "WWW-Authenticate", "Bearer");
    }
}


void
athena_roles_invalid_add(athena_roles_invalid_t *inv, const char *where,
    const char *field, const char *type, const char *msg,
    const athena_json_t *input, const char *text)
{
    if (inv->n == ATHENA_ROLES_INVALID_MAX) {
        return;
    }

    inv->item[inv->n].where = where;
    inv->item[inv->n].field = field;
    inv->item[inv->n].type = type;
    inv->item[inv->n].msg = msg;
    inv->item[inv->n].input = input;
    inv->item[inv->n].text = text;
    inv->n++;
}


/* returns 1 when there were failures and the 422 has been written */

int
athena_roles_invalid_reply(athena_ctx_t *ctx, athena_roles_invalid_t *inv)
{
    size_t         i;
    athena_gen_t  *g;

    if (inv->n == 0) {
        return 0;
    }

    ctx->error_code = "VALIDATION_ERROR";

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return 1;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "detail");
    athena_gen_array_open(g);

    for (i = 0; i < inv->n; i++) {
        athena_gen_map_open(g);
        athena_gen_key(g, "type");
        athena_gen_cstr(g, inv->item[i].type);
        athena_gen_key(g, "loc");
        athena_gen_array_open(g);
        athena_gen_cstr(g, inv->item[i].where);

        if (inv->item[i].field) {
            athena_gen_cstr(g, inv->item[i].field);
        }

        athena_gen_array_close(g);
        athena_gen_key(g, "msg");
        athena_gen_cstr(g, inv->item[i].msg);
        athena_gen_key(g, "input");

        if (inv->item[i].input) {
            athena_gen_value(g, inv->item[i].input);

        } else {
            athena_gen_str_or_null(g, inv->item[i].text);
        }

        athena_gen_map_close(g);
    }

    athena_gen_array_close(g);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 422, g);

    return 1;
}


/* an assignment, in the seed's snake_case */

void
athena_roles_gen(athena_gen_t *g, const athena_admin_role_t *r)
{
    athena_gen_map_open(g);
    athena_gen_key(g, "id");
    athena_gen_cstr(g, r->id);
    athena_gen_key(g, "user_id");
    athena_gen_cstr(g, r->user_id);
    athena_gen_key(g, "role");
    athena_gen_cstr(g, r->role);
    athena_gen_key(g, "partner_id");
    athena_gen_str_or_null(g, r->partner_id);
    athena_gen_key(g, "tenant_id");
    athena_gen_str_or_null(g, r->tenant_id);
    athena_gen_key(g, "is_active");
    athena_gen_bool(g, r->is_active);
    athena_gen_key(g, "expires_at");
    athena_gen_time_or_null(g, r->expires_at);
    athena_gen_key(g, "granted_by");
    athena_gen_str_or_null(g, r->granted_by);
    athena_gen_key(g, "created_at");
    athena_gen_time(g, r->created_at);
    athena_gen_key(g, "updated_at");
    athena_gen_time(g, r->updated_at);
    athena_gen_map_close(g);
}


void
athena_roles_reply(athena_ctx_t *ctx, int status, const athena_admin_role_t *r)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_roles_gen(g, r);
    athena_reply_gen(ctx, status, g);
}
