/*
 * What both plugins' has-permission share: the body, exactly one of
 * "permission" (deprecated) and "permissions", each a record of action
 * lists, and the answer {error: null, success}.
 */

#include "athena_api.h"
#include "../core/athena_access.h"


/*
 * {resource: [action, ...]}, or NULL (*bad set) when it is not one.
 * A problem anywhere inside fails both options of the schema's z.xor,
 * which zod reports as one issue at the body.
 */

athena_permission_t *
athena_permissions_read(athena_ctx_t *ctx, const athena_json_t *obj,
    size_t *n, int *bad)
{
    size_t                i, k;
    const char          **actions;
    const athena_json_t  *list;
    athena_permission_t  *perms;

    *bad = 0;

    if (obj->type != ATHENA_JSON_OBJECT) {
        *bad = 1;
        return NULL;
    }

    perms = athena_calloc(ctx->a, (obj->n + 1) * sizeof(athena_permission_t));
    if (perms == NULL) {
        return NULL;
    }

    for (i = 0; i < obj->n; i++) {
        list = obj->items[i];

        if (!athena_json_strings(list)) {
            *bad = 1;
            return NULL;
        }

        actions = athena_alloc(ctx->a, (list->n + 1) * sizeof(char *));
        if (actions == NULL) {
            return NULL;
        }

        for (k = 0; k < list->n; k++) {
            actions[k] = list->items[k]->string;
        }

        perms[i].resource = obj->keys[i];
        perms[i].actions = actions;
        perms[i].nactions = list->n;
    }

    *n = obj->n;

    return perms;
}


/*
 * Checks the body as the schema's z.xor does, after its object check.
 * *perms is NULL when the deprecated "permission" was the one given:
 * better-auth passes only "permissions" on. -1 when memory ran out.
 */

int
athena_permissions_body(athena_ctx_t *ctx, athena_check_t *chk,
    athena_permission_t **perms, size_t *n)
{
    int                   bad;
    const athena_json_t  *one, *many;

    *perms = NULL;
    *n = 0;

    /* the schema's refinement runs even on a body that is no object */
    if (chk->obj == NULL || chk->obj->type != ATHENA_JSON_OBJECT) {
        if (chk->obj != NULL) {
            athena_check_issue(chk, NULL, "Invalid input");
        }

        return 0;
    }

    one = athena_json_get(chk->obj, "permission");
    many = athena_json_get(chk->obj, "permissions");

    if (one != NULL && many != NULL) {
        athena_check_issue(chk, NULL,
                           "Invalid input: more than one option matched");
        return 0;
    }

    if (one == NULL && many == NULL) {
        athena_check_issue(chk, NULL, "Invalid input");
        return 0;
    }

    if (many == NULL) {
        return 0;
    }

    *perms = athena_permissions_read(ctx, many, n, &bad);

    if (bad) {
        athena_check_issue(chk, NULL, "Invalid input");
        return 0;
    }

    return *perms ? 0 : -1;
}


void
athena_reply_has_permission(athena_ctx_t *ctx, int success)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "error");
    athena_gen_null(g);
    athena_gen_key(g, "success");
    athena_gen_bool(g, success);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
}
