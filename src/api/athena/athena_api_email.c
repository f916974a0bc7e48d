/*
 * Athena's admin extras: the record of sent emails. GET /admin/email/list
 * and /get, POST /admin/email/create, /update and /delete. A record says
 * what was sent; creating one sends nothing. Request keys are taken in
 * camelCase (seed 000) and in snake_case (the current SDK); answers are
 * the seed's, in camelCase.
 */

#include <string.h>

#include "athena_list.h"
#include "athena_mail.h"
#include "athena_record.h"
#include "../../core/athena_text.h"
#include "../../store/athena_email_store.h"


static const athena_admin_perm_t  athena_may_manage_emails = {
    "user", "update", "YOU_ARE_NOT_ALLOWED_TO_MANAGE_EMAILS",
    "You are not allowed to manage emails"
};

static const athena_admin_perm_t  athena_may_list_emails = {
    "user", "list", "YOU_ARE_NOT_ALLOWED_TO_LIST_EMAILS",
    "You are not allowed to list emails"
};


static const char *const  athena_email_aliases[] = {
    "recipientEmail", "recipient_email",
    "fromAddress", "from_address",
    "fromName", "from_name",
    "textBody", "text_body",
    "htmlBody", "html_body",
    NULL
};


static void
athena_gen_email(athena_ctx_t *ctx, athena_gen_t *g, const void *item)
{
    const athena_email_t  *e;

    e = item;

    athena_gen_map_open(g);
    athena_gen_key(g, "id");
    athena_gen_cstr(g, e->id);
    athena_gen_key(g, "recipientEmail");
    athena_gen_cstr(g, e->recipient_email);
    athena_gen_key(g, "subject");
    athena_gen_cstr(g, e->subject);
    athena_gen_key(g, "fromAddress");
    athena_gen_cstr(g, e->from_address);
    athena_gen_key(g, "fromName");
    athena_gen_str_or_null(g, e->from_name);
    athena_gen_key(g, "textBody");
    athena_gen_str_or_null(g, e->text_body);
    athena_gen_key(g, "htmlBody");
    athena_gen_str_or_null(g, e->html_body);
    athena_gen_key(g, "provider");
    athena_gen_cstr(g, e->provider);
    athena_gen_key(g, "flow");
    athena_gen_str_or_null(g, e->flow);
    athena_gen_key(g, "metadata");
    athena_gen_json_text(ctx->a, g, e->metadata);
    athena_gen_key(g, "createdAt");
    athena_gen_time(g, e->created_at);
    athena_gen_key(g, "updatedAt");
    athena_gen_time(g, e->updated_at);
    athena_gen_map_close(g);
}


/* {"email": record} */

static void
athena_reply_email(athena_ctx_t *ctx, const athena_email_t *e)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "email");
    athena_gen_email(ctx, g, e);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
}


static void
athena_email_not_found(athena_ctx_t *ctx)
{
    athena_reply_error(ctx, 404, "EMAIL_NOT_FOUND", "Email not found");
}


/*
 * POST /admin/email/create {recipientEmail, subject, fromAddress,
 * provider, fromName?, textBody?, htmlBody?, flow?, metadata?}
 * -> {success: true, id}
 */

athena_store_rc_e
athena_api_admin_email_create(athena_ctx_t *ctx)
{
    int                 ok, given;
    athena_check_t      chk;
    athena_email_t      e;
    athena_store_rc_e   rc;

    memset(&e, 0, sizeof(athena_email_t));

    ok = athena_mail_body(ctx, &chk, athena_email_aliases);
    if (ok < 0) {
        return ATHENA_STORE_ERROR;
    }

    if (ok) {
        e.recipient_email = athena_mail_address(&chk, "recipientEmail", 1);
        e.subject = athena_mail_required(&chk, "subject", 1,
                                          ATHENA_MAIL_SUBJECT_MAX);
        e.from_address = athena_mail_address(&chk, "fromAddress", 1);
        e.from_name = athena_mail_line(&chk, "fromName",
                                        ATHENA_MAIL_NAME_MAX, &given);
        e.text_body = athena_mail_text(&chk, "textBody", &given);
        e.html_body = athena_mail_text(&chk, "htmlBody", &given);
        e.provider = athena_mail_required(&chk, "provider", 1,
                                           ATHENA_MAIL_PROVIDER_MAX);
        e.flow = athena_mail_line(&chk, "flow", ATHENA_MAIL_FLOW_MAX,
                                   &given);
        e.metadata = athena_record_metadata(ctx, &chk);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    if (e.metadata == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_record_new(ctx, &athena_may_manage_emails, &e.id, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    e.created_at = ctx->now;

    rc = athena_email_insert(ctx->db, ctx->a, &e);
    if (rc == ATHENA_STORE_OK) {
        athena_reply_created(ctx, e.id);
    }

    return rc;
}


/* GET /admin/email/get?id= -> {email} */

athena_store_rc_e
athena_api_admin_email_get(athena_ctx_t *ctx)
{
    int                 ok;
    const char         *id;
    athena_email_t      e;
    athena_store_rc_e   rc;

    rc = athena_record_query_id(ctx, &id);
    if (rc != ATHENA_STORE_OK || id == NULL) {
        return rc;
    }

    rc = athena_admin_require(ctx, &athena_may_list_emails, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_email_get(ctx->db, ctx->a, id, &e);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_email_not_found(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_reply_email(ctx, &e);
    }

    return rc;
}


/*
 * GET /admin/email/list?limit&offset&recipientEmail&provider&flow
 *     &subjectContains&createdAfter&createdBefore
 * -> {total, limit, offset, emails}, newest first
 */

athena_store_rc_e
athena_api_admin_email_list(athena_ctx_t *ctx)
{
    int                    ok;
    size_t                 n;
    int64_t                total;
    athena_check_t         chk;
    athena_email_t        *list;
    athena_store_rc_e      rc;
    athena_email_query_t   q;

    static const char *const  names[] = { "emails", NULL };
    static const char *const  single[] = {
        "limit", "offset", "recipientEmail", "provider", "flow",
        "subjectContains", "createdAfter", "createdBefore", NULL
    };

    memset(&q, 0, sizeof(athena_email_query_t));
    athena_check_init(&chk, ctx->a, NULL, "query");

    if (athena_query_single(ctx, &chk, single) != 0) {
        return ATHENA_STORE_ERROR;
    }

    athena_list_page(ctx, &chk, &q.limit, &q.offset);
    q.recipient_email = athena_list_text(ctx, "recipientEmail");
    q.provider = athena_list_text(ctx, "provider");
    q.flow = athena_list_text(ctx, "flow");
    q.subject_contains = athena_list_text(ctx, "subjectContains");
    q.after = athena_list_time(ctx, &chk, "createdAfter");
    q.before = athena_list_time(ctx, &chk, "createdBefore");

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, &athena_may_list_emails, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_email_list(ctx->db, ctx->a, &q, &list, &n, &total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_reply_page(ctx, total, q.limit, q.offset, names, list, n,
                      sizeof(athena_email_t), athena_gen_email);

    return ATHENA_STORE_OK;
}


/*
 * POST /admin/email/update {id, recipientEmail?, subject?, fromAddress?,
 * provider?, metadata?, fromName?, textBody?, htmlBody?, flow?}
 * -> {email}: omitted keeps, null clears (the last four), a value replaces
 */

athena_store_rc_e
athena_api_admin_email_update(athena_ctx_t *ctx)
{
    int                    ok, given;
    size_t                 i;
    unsigned               set;
    athena_check_t         chk;
    athena_email_t         e, v;
    athena_store_rc_e      rc;
    const athena_json_t   *id;

    static const struct {
        const char  *field;
        unsigned     flag;
    } required[] = {
        { "recipientEmail", ATHENA_EMAIL_RECIPIENT },
        { "subject", ATHENA_EMAIL_SUBJECT },
        { "fromAddress", ATHENA_EMAIL_FROM },
        { "provider", ATHENA_EMAIL_PROVIDER },
        { "metadata", ATHENA_EMAIL_METADATA },
    };

    memset(&v, 0, sizeof(athena_email_t));
    id = NULL;
    set = 0;

    ok = athena_mail_body(ctx, &chk, athena_email_aliases);
    if (ok < 0) {
        return ATHENA_STORE_ERROR;
    }

    if (ok) {
        id = athena_check_text(&chk, "id", 1);

        /* null on a field that cannot be empty is refused, not stored */
        for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
            if (athena_json_get(ctx->body, required[i].field) != NULL) {
                set |= required[i].flag;
            }
        }

        v.recipient_email = athena_mail_address(&chk, "recipientEmail", 0);
        v.subject = athena_mail_required(&chk, "subject", 0,
                                          ATHENA_MAIL_SUBJECT_MAX);
        v.from_address = athena_mail_address(&chk, "fromAddress", 0);
        v.provider = athena_mail_required(&chk, "provider", 0,
                                           ATHENA_MAIL_PROVIDER_MAX);
        v.metadata = athena_check_record_text(&chk, "metadata");

        v.from_name = athena_mail_line(&chk, "fromName",
                                        ATHENA_MAIL_NAME_MAX, &given);
        set |= given ? ATHENA_EMAIL_FROM_NAME : 0;
        v.text_body = athena_mail_text(&chk, "textBody", &given);
        set |= given ? ATHENA_EMAIL_TEXT : 0;
        v.html_body = athena_mail_text(&chk, "htmlBody", &given);
        set |= given ? ATHENA_EMAIL_HTML : 0;
        v.flow = athena_mail_line(&chk, "flow", ATHENA_MAIL_FLOW_MAX,
                                   &given);
        set |= given ? ATHENA_EMAIL_FLOW : 0;
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, &athena_may_manage_emails, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    e.id = id->string;
    ctx->audit_target = e.id;

    rc = athena_email_update(ctx->db, ctx->a, set, &v, ctx->now, &e);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_email_not_found(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_reply_email(ctx, &e);
    }

    return rc;
}


/* POST /admin/email/delete {id} -> {success: true} */

athena_store_rc_e
athena_api_admin_email_delete(athena_ctx_t *ctx)
{
    return athena_record_delete(ctx, &athena_may_manage_emails,
                                athena_email_delete, athena_email_not_found);
}
