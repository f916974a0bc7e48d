/*
 * Mail queued for delivery: the email recorded and its outbox entry
 * added, in the caller's transaction, so that a mail leaves exactly when
 * what sends it commits. Used by the template send route and by the
 * events that send mail (an organization's invitation).
 */

#include <string.h>

#include "athena_mail.h"
#include "../../core/athena_crypto.h"
#include "../../core/athena_render.h"
#include "../../store/athena_email_store.h"
#include "../../store/athena_outbox_store.h"


/* e (its bodies, recipient, subject, flow, metadata) from the relay's sender */

athena_store_rc_e
athena_mail_queue(athena_ctx_t *ctx, athena_email_t *e, const char *user_id)
{
    char                id[ATHENA_ID_LEN + 1];
    athena_store_rc_e   rc;

    if (athena_random_id(id) != 0) {
        return ATHENA_STORE_ERROR;
    }

    e->id = athena_strdup(ctx->a, id);
    e->from_address = ctx->conf->mail_from;
    e->from_name = ctx->conf->mail_from_name;
    e->provider = "smtp";
    e->created_at = ctx->now;

    if (e->id == NULL || athena_random_id(id) != 0) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_email_insert(ctx->db, ctx->a, e);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    return athena_outbox_add(ctx->db, ctx->a, id, e->id, user_id, ctx->now);
}


/*
 * The template of an event in the best of the locales (in order), filled
 * in with vars and queued to recipient. Nothing is queued (*queued 0)
 * without a relay, without an active template, or when the template needs
 * a variable vars lacks; the reason goes to the log.
 */

athena_store_rc_e
athena_mail_event(athena_ctx_t *ctx, const char *event,
    const char *const *locales, const athena_json_t *vars,
    const char *recipient, const char *user_id, const char *metadata,
    int *queued)
{
    size_t                    i;
    const char               *missing;
    athena_email_t            e;
    athena_store_rc_e         rc;
    athena_email_template_t   t;

    *queued = 0;

    if (ctx->conf->smtp.url == NULL) {
        return ATHENA_STORE_OK;
    }

    rc = ATHENA_STORE_NOT_FOUND;

    for (i = 0; locales[i] != NULL && rc == ATHENA_STORE_NOT_FOUND; i++) {
        rc = athena_email_template_find(ctx->db, ctx->a, event, locales[i],
                                        &t);
    }

    if (rc == ATHENA_STORE_NOT_FOUND) {
        ctx->resp->log_warn = athena_sprintf(ctx->a, "mail: no active"
                                             " template for \"%s\"", event);
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    missing = athena_mail_missing(ctx, t.variables, vars);
    if (missing != NULL) {
        ctx->resp->log_warn = athena_sprintf(ctx->a, "mail: the template"
                                             " of \"%s\" needs \"%s\"",
                                             event, missing);
        return ATHENA_STORE_OK;
    }

    memset(&e, 0, sizeof(athena_email_t));
    e.recipient_email = recipient;
    e.subject = athena_render(ctx->a, t.subject_template, vars, 0);
    e.text_body = t.text_template
                  ? athena_render(ctx->a, t.text_template, vars, 0) : NULL;
    e.html_body = t.html_template
                  ? athena_render(ctx->a, t.html_template, vars, 1) : NULL;
    e.flow = event;
    e.metadata = metadata;

    if (e.subject == NULL || strpbrk(e.subject, "\r\n") != NULL) {
        ctx->resp->log_warn = athena_sprintf(ctx->a, "mail: the subject of"
                                             " \"%s\" is not one line",
                                             event);
        return ATHENA_STORE_OK;
    }

    rc = athena_mail_queue(ctx, &e, user_id);

    *queued = rc == ATHENA_STORE_OK;

    return rc;
}


/* the first of names (a template's variables, JSON) that vars lacks */

const char *
athena_mail_missing(athena_ctx_t *ctx, const char *names,
    const athena_json_t *vars)
{
    size_t                i;
    athena_json_t        *list;
    const athena_json_t  *v;

    if (names == NULL
        || athena_json_parse(ctx->a, names, strlen(names), 2, &list)
           != ATHENA_JSON_OK
        || list->type != ATHENA_JSON_ARRAY)
    {
        return NULL;
    }

    for (i = 0; i < list->n; i++) {
        if (list->items[i]->type != ATHENA_JSON_STRING) {
            continue;
        }

        v = vars ? athena_json_get(vars, list->items[i]->string) : NULL;

        if (v == NULL || v->type == ATHENA_JSON_NULL) {
            return list->items[i]->string;
        }
    }

    return NULL;
}
