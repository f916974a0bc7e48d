/*
 * Athena's admin extras: the record of mails that could not be sent.
 * GET /admin/email-failure/list and /get, POST /admin/email-failure/create,
 * /update (resolve, with a note) and /delete. Request keys in both styles;
 * answers in the seed's camelCase (the list also under the snake_case name
 * Athena's embedded server sends).
 */

#include <string.h>

#include "athena_list.h"
#include "athena_mail.h"
#include "athena_record.h"
#include "../../store/athena_email_failure_store.h"


#define ATHENA_FAILURE_ERROR_MAX  4096
#define ATHENA_FAILURE_NOTE_MAX   4096
#define ATHENA_FAILURE_USER_MAX   255


static const athena_admin_perm_t  athena_may_manage_failures = {
    "user", "update", "YOU_ARE_NOT_ALLOWED_TO_MANAGE_EMAILS",
    "You are not allowed to manage emails"
};

static const athena_admin_perm_t  athena_may_list_failures = {
    "user", "list", "YOU_ARE_NOT_ALLOWED_TO_LIST_EMAILS",
    "You are not allowed to list emails"
};


static const char *const  athena_failure_aliases[] = {
    "recipientEmail", "recipient_email",
    "errorMessage", "error_message",
    "userId", "user_id",
    "resolutionNote", "resolution_note",
    NULL
};


static void
athena_gen_failure(athena_ctx_t *ctx, athena_gen_t *g, const void *item)
{
    const athena_email_failure_t  *f;

    f = item;

    athena_gen_map_open(g);
    athena_gen_key(g, "id");
    athena_gen_cstr(g, f->id);
    athena_gen_key(g, "userId");
    athena_gen_str_or_null(g, f->user_id);
    athena_gen_key(g, "recipientEmail");
    athena_gen_cstr(g, f->recipient_email);
    athena_gen_key(g, "flow");
    athena_gen_cstr(g, f->flow);
    athena_gen_key(g, "provider");
    athena_gen_str_or_null(g, f->provider);
    athena_gen_key(g, "errorMessage");
    athena_gen_cstr(g, f->error_message);
    athena_gen_key(g, "metadata");
    athena_gen_json_text(ctx->a, g, f->metadata);
    athena_gen_key(g, "resolved");
    athena_gen_bool(g, f->resolved);
    athena_gen_key(g, "resolutionNote");
    athena_gen_str_or_null(g, f->resolution_note);
    athena_gen_key(g, "createdAt");
    athena_gen_time(g, f->created_at);
    athena_gen_key(g, "updatedAt");
    athena_gen_time(g, f->updated_at);
    athena_gen_map_close(g);
}


static void
athena_reply_failure(athena_ctx_t *ctx, const athena_email_failure_t *f)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "emailSendFailure");
    athena_gen_failure(ctx, g, f);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
}


/* errorMessage: why it failed, any text that is not empty */

static const char *
athena_failure_error(athena_check_t *chk)
{
    const athena_json_t  *v;

    v = athena_check_text(chk, "errorMessage", 1);

    if (v != NULL && v->len > ATHENA_FAILURE_ERROR_MAX) {
        athena_check_issue(chk, "errorMessage", "Too big: expected string"
                           " to have <=%d characters",
                           ATHENA_FAILURE_ERROR_MAX);
        return NULL;
    }

    return v ? v->string : NULL;
}


static void
athena_failure_not_found(athena_ctx_t *ctx)
{
    athena_reply_error(ctx, 404, "EMAIL_FAILURE_NOT_FOUND",
                       "Email failure not found");
}


/*
 * POST /admin/email-failure/create {recipientEmail, flow, errorMessage,
 * userId?, provider?, metadata?} -> {success: true, id}; unresolved
 */

athena_store_rc_e
athena_api_admin_email_failure_create(athena_ctx_t *ctx)
{
    int                      ok, given;
    athena_check_t           chk;
    athena_store_rc_e        rc;
    athena_email_failure_t   f;

    memset(&f, 0, sizeof(athena_email_failure_t));

    ok = athena_mail_body(ctx, &chk, athena_failure_aliases);
    if (ok < 0) {
        return ATHENA_STORE_ERROR;
    }

    if (ok) {
        f.recipient_email = athena_mail_address(&chk, "recipientEmail", 1);
        f.flow = athena_mail_required(&chk, "flow", 1, ATHENA_MAIL_FLOW_MAX);
        f.error_message = athena_failure_error(&chk);
        f.user_id = athena_mail_line(&chk, "userId", ATHENA_FAILURE_USER_MAX,
                                     &given);
        f.provider = athena_mail_line(&chk, "provider",
                                      ATHENA_MAIL_PROVIDER_MAX, &given);
        f.metadata = athena_record_metadata(ctx, &chk);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    if (f.metadata == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_record_new(ctx, &athena_may_manage_failures, &f.id, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    f.created_at = ctx->now;

    rc = athena_email_failure_insert(ctx->db, ctx->a, &f);
    if (rc == ATHENA_STORE_OK) {
        athena_reply_created(ctx, f.id);
    }

    return rc;
}


/* GET /admin/email-failure/get?id= -> {emailSendFailure} */

athena_store_rc_e
athena_api_admin_email_failure_get(athena_ctx_t *ctx)
{
    int                      ok;
    const char              *id;
    athena_store_rc_e        rc;
    athena_email_failure_t   f;

    rc = athena_record_query_id(ctx, &id);
    if (rc != ATHENA_STORE_OK || id == NULL) {
        return rc;
    }

    rc = athena_admin_require(ctx, &athena_may_list_failures, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_email_failure_get(ctx->db, ctx->a, id, &f);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_failure_not_found(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_reply_failure(ctx, &f);
    }

    return rc;
}


/*
 * GET /admin/email-failure/list?limit&offset&recipientEmail&provider&flow
 *     &resolved&createdAfter&createdBefore
 * -> {total, limit, offset, emailSendFailures, email_send_failures}
 */

athena_store_rc_e
athena_api_admin_email_failure_list(athena_ctx_t *ctx)
{
    int                             ok;
    size_t                          n;
    int64_t                         total;
    const char                     *resolved;
    athena_check_t                  chk;
    athena_store_rc_e               rc;
    athena_email_failure_t         *list;
    athena_email_failure_query_t    q;

    static const char *const  booleans[] = { "true", "false", NULL };
    static const char *const  names[] = {
        "emailSendFailures", "email_send_failures", NULL
    };
    static const char *const  single[] = {
        "limit", "offset", "recipientEmail", "provider", "flow", "resolved",
        "createdAfter", "createdBefore", NULL
    };

    memset(&q, 0, sizeof(athena_email_failure_query_t));
    athena_check_init(&chk, ctx->a, NULL, "query");

    if (athena_query_single(ctx, &chk, single) != 0) {
        return ATHENA_STORE_ERROR;
    }

    athena_list_page(ctx, &chk, &q.limit, &q.offset);
    q.recipient_email = athena_list_text(ctx, "recipientEmail");
    q.provider = athena_list_text(ctx, "provider");
    q.flow = athena_list_text(ctx, "flow");
    q.after = athena_list_time(ctx, &chk, "createdAfter");
    q.before = athena_list_time(ctx, &chk, "createdBefore");

    resolved = athena_query_enum(ctx, &chk, "resolved", booleans, NULL);
    q.resolved = resolved == NULL ? -1 : strcmp(resolved, "true") == 0;

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, &athena_may_list_failures, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_email_failure_list(ctx->db, ctx->a, &q, &list, &n, &total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_reply_page(ctx, total, q.limit, q.offset, names, list, n,
                      sizeof(athena_email_failure_t), athena_gen_failure);

    return ATHENA_STORE_OK;
}


/*
 * POST /admin/email-failure/update {id, resolved?, resolutionNote?,
 * metadata?} -> {emailSendFailure}: a null note clears it; metadata is
 * replaced whole, not merged
 */

athena_store_rc_e
athena_api_admin_email_failure_update(athena_ctx_t *ctx)
{
    int                      ok, given;
    unsigned                 set;
    athena_check_t           chk;
    athena_store_rc_e        rc;
    const athena_json_t     *id;
    athena_email_failure_t   f, v;

    memset(&v, 0, sizeof(athena_email_failure_t));
    id = NULL;
    set = 0;

    ok = athena_mail_body(ctx, &chk, athena_failure_aliases);
    if (ok < 0) {
        return ATHENA_STORE_ERROR;
    }

    if (ok) {
        id = athena_check_text(&chk, "id", 1);

        if (athena_json_get(ctx->body, "resolved") != NULL) {
            set |= ATHENA_FAILURE_RESOLVED;
            v.resolved = athena_check_bool(&chk, "resolved", 0);
        }

        v.resolution_note = athena_mail_text(&chk, "resolutionNote", &given);
        set |= given ? ATHENA_FAILURE_NOTE : 0;

        if (v.resolution_note != NULL
            && strlen(v.resolution_note) > ATHENA_FAILURE_NOTE_MAX)
        {
            athena_check_issue(&chk, "resolutionNote", "Too big: expected"
                               " string to have <=%d characters",
                               ATHENA_FAILURE_NOTE_MAX);
        }

        if (athena_json_get(ctx->body, "metadata") != NULL) {
            set |= ATHENA_FAILURE_METADATA;
            v.metadata = athena_check_record_text(&chk, "metadata");
        }
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, &athena_may_manage_failures, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    f.id = id->string;
    ctx->audit_target = f.id;

    rc = athena_email_failure_update(ctx->db, ctx->a, set, &v, ctx->now, &f);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_failure_not_found(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_reply_failure(ctx, &f);
    }

    return rc;
}


/* POST /admin/email-failure/delete {id} -> {success: true} */

athena_store_rc_e
athena_api_admin_email_failure_delete(athena_ctx_t *ctx)
{
    return athena_record_delete(ctx, &athena_may_manage_failures,
                                athena_email_failure_delete,
                                athena_failure_not_found);
}
