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
athena_audit_reply(athena_ctx_t *ctx, const athena_audit_query_t *q,
    const athena_audit_t *rows, size_t n, int64_t total)
{
    size_t     i;
    yajl_gen   g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_page(g, total, q->limit, q->offset);
    athena_gen_key(g, "auditLogs");
    yajl_gen_array_open(g);

    for (i = 0; i < n; i++) {
        yajl_gen_map_open(g);
        athena_gen_key(g, "id");
        athena_gen_cstr(g, rows[i].id);
        athena_gen_key(g, "actorUserId");
        athena_gen_str_or_null(g, rows[i].actor_user_id);
        athena_gen_key(g, "action");
        athena_gen_cstr(g, rows[i].action);
        athena_gen_key(g, "targetType");
        athena_gen_str_or_null(g, rows[i].target_type);
        athena_gen_key(g, "targetId");
        athena_gen_str_or_null(g, rows[i].target_id);
        athena_gen_key(g, "success");
        athena_gen_bool(g, rows[i].success);
        athena_gen_key(g, "errorMessage");
        athena_gen_str_or_null(g, rows[i].error);
        athena_gen_key(g, "metadata");
        athena_gen_json_text(ctx->a, g, rows[i].metadata);

        athena_gen_key(g, "createdAt");
        athena_gen_time(g, rows[i].at);
        yajl_gen_map_close(g);
    }

    yajl_gen_array_close(g);
    yajl_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
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
    static const char *const  single[] = {
        "limit", "offset", "actorUserId", "action", "targetType",
        "targetId", "success", "createdAfter", "createdBefore", NULL
    };

    memset(&q, 0, sizeof(athena_audit_query_t));
    athena_check_init(&chk, ctx->a, NULL, "query");

    if (athena_query_single(ctx, &chk, single) != 0) {
        return ATHENA_STORE_ERROR;
    }

    q.limit = athena_list_number(ctx, &chk, "limit", 1, ATHENA_LIST_LIMIT);
    q.offset = athena_list_number(ctx, &chk, "offset", 0, 0);
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

    if (q.limit > ATHENA_LIST_LIMIT_MAX) {
        q.limit = ATHENA_LIST_LIMIT_MAX;
    }

    rc = athena_admin_require(ctx, &athena_may_list_audit, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_audit_list(ctx->db, ctx->a, &q, &rows, &n, &total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_audit_reply(ctx, &q, rows, n, total);

    return ATHENA_STORE_OK;
}
