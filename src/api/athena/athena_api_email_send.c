/*
 * Athena's POST /admin/email-template/send {template_id, recipient_email,
 * render_variables?, user_id?, organization_id?, metadata?} (camelCase
 * too): the template filled in for one recipient. Every variable the
 * template lists must be given; a value may not put a line break into
 * the subject. The answer is the SDK's {success, template_id,
 * template_key, event_type, flow, recipient_email, subject,
 * email_send_failure_id?, error?}.
 *
 * With a relay (athena_auth_smtp), a send records the email and queues
 * it in the outbox in the request's own transaction and answers at once;
 * the workers deliver it (athena_mail_delivery.c). Without one, the send
 * records its failure (flow admin.email_template.send, as Athena does
 * without a provider) and answers 503 with the failure's id.
 */

#include <string.h>

#include "athena_mail.h"
#include "athena_record.h"
#include "../../core/athena_crypto.h"
#include "../../core/athena_render.h"
#include "../../store/athena_email_failure_store.h"
#include "../../store/athena_email_template_store.h"


#define ATHENA_SEND_FLOW      "admin.email_template.send"
#define ATHENA_SEND_NO_RELAY  "No mail relay is configured"


static const athena_admin_perm_t  athena_may_send = {
    "user", "update", "YOU_ARE_NOT_ALLOWED_TO_MANAGE_EMAILS",
    "You are not allowed to manage emails"
};


static const char *const  athena_send_aliases[] = {
    "templateId", "template_id",
    "recipientEmail", "recipient_email",
    "renderVariables", "render_variables",
    "userId", "user_id",
    "organizationId", "organization_id",
    NULL
};


typedef struct {
    const char               *recipient;
    const athena_json_t      *vars;
    const char               *user_id;
    const char               *org_id;
    const char               *metadata;
    athena_email_template_t   t;
    const char               *subject;
    const char               *text;
    const char               *html;
    const char               *flow;
} athena_send_t;


/* the template filled in; 0 with the 400 answered, -1 out of memory */

static int
athena_send_render(athena_ctx_t *ctx, athena_send_t *s)
{
    const char      *missing;
    athena_check_t   chk;

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    missing = athena_mail_missing(ctx, s->t.variables, s->vars);
    if (missing != NULL) {
        athena_check_issue(&chk, "renderVariables", "Missing variable"
                           " \"%s\", which the template needs", missing);
        (void) athena_reply_invalid(ctx, &chk);
        return 0;
    }

    s->subject = athena_render(ctx->a, s->t.subject_template, s->vars, 0);
    s->text = s->t.text_template
              ? athena_render(ctx->a, s->t.text_template, s->vars, 0) : NULL;
    s->html = s->t.html_template
              ? athena_render(ctx->a, s->t.html_template, s->vars, 1) : NULL;

    if (s->subject == NULL || (s->t.text_template && s->text == NULL)
        || (s->t.html_template && s->html == NULL))
    {
        return -1;
    }

    /* a value must not split the Subject header it is put into */
    if (strpbrk(s->subject, "\r\n") != NULL) {
        athena_check_issue(&chk, "renderVariables", "A value would put a"
                           " line break into the subject");
        (void) athena_reply_invalid(ctx, &chk);
        return 0;
    }

    return 1;
}


/* what a record of the send keeps: the template and the caller's data */

static const char *
athena_send_metadata(athena_ctx_t *ctx, const athena_send_t *s)
{
    size_t         len;
    athena_gen_t  *g;

    g = athena_gen_new();
    if (g == NULL) {
        return NULL;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "template_id");
    athena_gen_cstr(g, s->t.id);
    athena_gen_key(g, "template_key");
    athena_gen_cstr(g, s->t.template_key);
    athena_gen_key(g, "user_id");
    athena_gen_str_or_null(g, s->user_id);
    athena_gen_key(g, "organization_id");
    athena_gen_str_or_null(g, s->org_id);
    athena_gen_key(g, "metadata");
    athena_gen_json_text(ctx->a, g, s->metadata);
    athena_gen_map_close(g);

    return athena_gen_finish(ctx->a, g, &len);
}


/* the email recorded and queued, in the request's transaction */

static athena_store_rc_e
athena_send_queue(athena_ctx_t *ctx, athena_send_t *s, const char **email_id)
{
    athena_email_t      e;
    athena_store_rc_e   rc;

    memset(&e, 0, sizeof(athena_email_t));

    e.recipient_email = s->recipient;
    e.subject = s->subject;
    e.text_body = s->text;
    e.html_body = s->html;
    e.flow = s->flow;
    e.metadata = athena_send_metadata(ctx, s);

    if (e.metadata == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_mail_queue(ctx, &e, s->user_id);

    *email_id = e.id;

    return rc;
}


/* the failure of a send, kept for an admin to see and resolve */

static athena_store_rc_e
athena_send_failed(athena_ctx_t *ctx, athena_send_t *s, const char *error,
    const char **failure_id)
{
    char                     id[ATHENA_ID_LEN + 1];
    athena_store_rc_e        rc;
    athena_email_failure_t   f;

    memset(&f, 0, sizeof(athena_email_failure_t));

    if (athena_random_id(id) != 0) {
        return ATHENA_STORE_ERROR;
    }

    f.id = athena_strdup(ctx->a, id);
    f.user_id = s->user_id;
    f.recipient_email = s->recipient;
    f.flow = ATHENA_SEND_FLOW;
    f.error_message = error;
    f.metadata = athena_send_metadata(ctx, s);
    f.created_at = ctx->now;

    if (f.id == NULL || f.metadata == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_email_failure_insert(ctx->db, ctx->a, &f);

    *failure_id = f.id;

    return rc;
}


static void
athena_send_reply(athena_ctx_t *ctx, const athena_send_t *s, int status,
    const char *email_id, const char *failure_id, const char *error)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "success");
    athena_gen_bool(g, status < 400);
    athena_gen_key(g, "template_id");
    athena_gen_cstr(g, s->t.id);
    athena_gen_key(g, "template_key");
    athena_gen_cstr(g, s->t.template_key);
    athena_gen_key(g, "event_type");
    athena_gen_str_or_null(g, s->t.event_type);
    athena_gen_key(g, "flow");
    athena_gen_cstr(g, s->flow);
    athena_gen_key(g, "recipient_email");
    athena_gen_cstr(g, s->recipient);
    athena_gen_key(g, "subject");
    athena_gen_cstr(g, s->subject);

    if (email_id != NULL) {
        athena_gen_key(g, "email_id");
        athena_gen_cstr(g, email_id);
    }

    if (failure_id != NULL) {
        athena_gen_key(g, "email_send_failure_id");
        athena_gen_cstr(g, failure_id);
        athena_gen_key(g, "error");
        athena_gen_cstr(g, error);
    }

    athena_gen_map_close(g);

    athena_reply_gen(ctx, status, g);
}


athena_store_rc_e
athena_api_admin_email_template_send(athena_ctx_t *ctx)
{
    int                    ok, given, r;
    const char            *template_id, *failure_id, *email_id;
    athena_send_t          s;
    athena_check_t         chk;
    athena_store_rc_e      rc;
    const athena_json_t   *v;

    memset(&s, 0, sizeof(athena_send_t));
    template_id = NULL;

    ok = athena_mail_body(ctx, &chk, athena_send_aliases);
    if (ok < 0) {
        return ATHENA_STORE_ERROR;
    }

    if (ok) {
        v = athena_check_text(&chk, "templateId", 1);
        template_id = v ? v->string : NULL;
        s.recipient = athena_mail_address(&chk, "recipientEmail", 1);

        s.vars = athena_json_get(ctx->body, "renderVariables");
        if (s.vars != NULL && s.vars->type != ATHENA_JSON_OBJECT) {
            athena_check_issue(&chk, "renderVariables", "Invalid input:"
                               " expected record, received %s",
                               athena_json_type_name(s.vars));
        }

        s.user_id = athena_mail_line(&chk, "userId", 255, &given);
        s.org_id = athena_mail_line(&chk, "organizationId", 255, &given);
        s.metadata = athena_record_metadata(ctx, &chk);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    if (s.metadata == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_admin_require(ctx, &athena_may_send, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    ctx->audit_target = template_id;

    rc = athena_email_template_get(ctx->db, ctx->a, template_id, &s.t);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_reply_error(ctx, 404, "EMAIL_TEMPLATE_NOT_FOUND",
                           "Email template not found");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (!s.t.is_active) {
        athena_reply_error(ctx, 400, "EMAIL_TEMPLATE_INACTIVE",
                           "Email template is inactive");
        return ATHENA_STORE_OK;
    }

    r = athena_send_render(ctx, &s);
    if (r <= 0) {
        return r < 0 ? ATHENA_STORE_ERROR : ATHENA_STORE_OK;
    }

    s.flow = s.t.event_type ? s.t.event_type : ATHENA_SEND_FLOW;

    if (ctx->conf->smtp.url != NULL) {
        rc = athena_send_queue(ctx, &s, &email_id);
        if (rc == ATHENA_STORE_OK) {
            athena_send_reply(ctx, &s, 200, email_id, NULL, NULL);
        }

        return rc;
    }

    rc = athena_send_failed(ctx, &s, ATHENA_SEND_NO_RELAY, &failure_id);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_send_reply(ctx, &s, 503, NULL, failure_id, ATHENA_SEND_NO_RELAY);

    return ATHENA_STORE_OK;
}
