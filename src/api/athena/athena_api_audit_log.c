/*
 * Athena's admin extras: the audit log's list (GET /admin/audit-log/list),
 * the rows every audited admin route writes, newest first, by filters.
 * A read: it writes no row of its own.
 */

#include <stdlib.h>
#include <string.h>

#include "athena_list.h"
#include "athena_record.h"
#include "../../store/athena_audit_store.h"


static const athena_admin_perm_t  athena_may_list_audit = {
    "user", "list", "YOU_ARE_NOT_ALLOWED_TO_LIST_AUDIT_LOGS",
    "You are not allowed to list audit logs"
};


static void
athena_gen_audit(athena_ctx_t *ctx, athena_gen_t *g, const void *item)
{
    const athena_audit_t  *r;

    r = item;

    athena_gen_map_open(g);
    athena_gen_key(g, "id");
    athena_gen_cstr(g, r->id);
    athena_gen_key(g, "actorUserId");
    athena_gen_str_or_null(g, r->actor_user_id);
    athena_gen_key(g, "action");
    athena_gen_cstr(g, r->action);
    athena_gen_key(g, "targetType");
    athena_gen_str_or_null(g, r->target_type);
    athena_gen_key(g, "targetId");
    athena_gen_str_or_null(g, r->target_id);
    athena_gen_key(g, "success");
    athena_gen_bool(g, r->success);
    athena_gen_key(g, "errorMessage");
    athena_gen_str_or_null(g, r->error);
    athena_gen_key(g, "metadata");
    athena_gen_json_text(ctx->a, g, r->metadata);
    athena_gen_key(g, "createdAt");
    athena_gen_time(g, r->at);
    athena_gen_map_close(g);
}


/*
 * GET /admin/audit-log/list?limit&offset&actorUserId&action&targetType
 *     &targetId&success&createdAfter&createdBefore
 * -> {total, limit, offset, auditLogs}; the query is checked first, then
 * the admin session and user:list, as the admin plugin's lists are.
 */

athena_store_rc_e
athena_api_admin_audit_log_list(athena_ctx_t *ctx)
{
    int                    ok;
    size_t                 n;
    int64_t                total;
    const char            *success;
    athena_check_t         chk;
    athena_audit_t        *rows;
    athena_store_rc_e      rc;
    athena_audit_query_t   q;

    static const char *const  booleans[] = { "true", "false", NULL };
    static const char *const  names[] = { "auditLogs", NULL };
    static const char *const  single[] = {
        "limit", "offset", "actorUserId", "action", "targetType",
        "targetId", "success", "createdAfter", "createdBefore", NULL
    };

    memset(&q, 0, sizeof(athena_audit_query_t));
    athena_check_init(&chk, ctx->a, NULL, "query");

    if (athena_query_single(ctx, &chk, single) != 0) {
        return ATHENA_STORE_ERROR;
    }

    athena_list_page(ctx, &chk, &q.limit, &q.offset);
    q.actor_user_id = athena_list_text(ctx, "actorUserId");
    q.action = athena_list_text(ctx, "action");
    q.target_type = athena_list_text(ctx, "targetType");
    q.target_id = athena_list_text(ctx, "targetId");
    q.after = athena_list_time(ctx, &chk, "createdAfter");
    q.before = athena_list_time(ctx, &chk, "createdBefore");

    success = athena_query_enum(ctx, &chk, "success", booleans, NULL);
    q.success = success == NULL ? -1 : strcmp(success, "true") == 0;

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, &athena_may_list_audit, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_audit_list(ctx->db, ctx->a, &q, &rows, &n, &total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_reply_page(ctx, total, q.limit, q.offset, names, rows, n,
                      sizeof(athena_audit_t), athena_gen_audit);

    return ATHENA_STORE_OK;
}
