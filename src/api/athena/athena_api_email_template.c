/*
 * Athena's admin extras: email templates. GET /admin/email-template/list
 * and /get, POST /admin/email-template/create, /update and /delete (the
 * SDK's emailTemplate.* legacy names call the same routes), and GET
 * /admin/email-event-type/list, the catalog a template's event type must
 * come from. Both generations of clients: request keys in camelCase (seed
 * 000) or snake_case (the current SDK); answers carry the seed's camelCase
 * fields and wrappers and, beside each, its snake_case spelling.
 */

#include <string.h>
#include <strings.h>

#include "athena_list.h"
#include "athena_mail.h"
#include "athena_record.h"
#include "../../core/athena_text.h"
#include "../../store/athena_email_template_store.h"


#define ATHENA_TPL_KEY_MAX        128
#define ATHENA_TPL_LOCALE_MAX     35
#define ATHENA_TPL_VARIABLES_MAX  64
#define ATHENA_TPL_VARIABLE_MAX   128
#define ATHENA_TPL_EVENT_MAX      128
#define ATHENA_TPL_URL_MAX        2048
#define ATHENA_TPL_FILENAME_MAX   255


static const athena_admin_perm_t  athena_may_manage_templates = {
    "user", "update", "YOU_ARE_NOT_ALLOWED_TO_MANAGE_EMAILS",
    "You are not allowed to manage emails"
};

static const athena_admin_perm_t  athena_may_list_templates = {
    "user", "list", "YOU_ARE_NOT_ALLOWED_TO_LIST_EMAILS",
    "You are not allowed to list emails"
};


static const char *const  athena_tpl_aliases[] = {
    "templateKey", "template_key",
    "subjectTemplate", "subject_template",
    "textTemplate", "text_template",
    "htmlTemplate", "html_template",
    "isActive", "is_active",
    "eventType", "event_type",
    "attachmentFailureMode", "attachment_failure_mode",
    "variableBindings", "variable_bindings",
    NULL
};


static int
athena_tpl_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}


/* templateKey: 1-128 of [A-Za-z0-9._-] */

static const char *
athena_tpl_key(athena_check_t *chk, int required)
{
    size_t                i;
    const athena_json_t  *v;

    v = athena_check_text(chk, "templateKey", required);
    if (v == NULL) {
        return NULL;
    }

    for (i = 0; i < v->len && athena_tpl_key_char(v->string[i]); i++) {
        /* void */
    }

    if (i < v->len || v->len > ATHENA_TPL_KEY_MAX) {
        athena_check_issue(chk, "templateKey", "Invalid string: 1 to %d of"
                           " letters, digits, \".\", \"_\" and \"-\"",
                           ATHENA_TPL_KEY_MAX);
        return NULL;
    }

    return v->string;
}


static int
athena_tpl_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}


/* locale: a language tag, "en" or "pt-BR": 2-3 letters, then -subtags */

static const char *
athena_tpl_locale(athena_check_t *chk)
{
    size_t                i, run, first;
    const char           *s;
    const athena_json_t  *v;

    v = athena_check_string(chk, "locale", 0);
    if (v == NULL) {
        return NULL;
    }

    s = v->string;
    run = 0;
    first = 1;

    for (i = 0; i <= v->len; i++) {
        if (i == v->len || s[i] == '-') {
            /* the language 2-3 letters, each later subtag 1-8 */
            if ((first && (run < 2 || run > 3)) || run == 0) {
                break;
            }

            run = 0;
            first = 0;
            continue;
        }

        if (!(athena_tpl_alpha(s[i]) || (!first && s[i] >= '0'
                                         && s[i] <= '9'))
            || ++run > 8)
        {
            break;
        }
    }

    if (i <= v->len || v->len > ATHENA_TPL_LOCALE_MAX) {
        athena_check_issue(chk, "locale", "Invalid string: a language tag"
                           " such as \"en\" or \"pt-BR\"");
        return NULL;
    }

    return s;
}


/*
 * variables: at most 64 names, each trimmed, not blank, at most 128
 * characters, no two alike; as the JSON text of the trimmed list.
 */

static const char *
athena_tpl_variables(athena_ctx_t *ctx, athena_check_t *chk)
{
    char                 *name, **names;
    size_t                i, k, len, n;
    athena_gen_t         *g;
    const athena_json_t  *v, *item;

    v = athena_json_get(chk->obj, "variables");
    if (v == NULL) {
        return "[]";
    }

    if (v->type != ATHENA_JSON_ARRAY) {
        athena_check_issue(chk, "variables", "Invalid input: expected"
                           " array, received %s", athena_json_type_name(v));
        return NULL;
    }

    if (v->n > ATHENA_TPL_VARIABLES_MAX) {
        athena_check_issue(chk, "variables", "Too big: expected array to"
                           " have <=%d items", ATHENA_TPL_VARIABLES_MAX);
        return NULL;
    }

    names = athena_alloc(ctx->a, (v->n + 1) * sizeof(char *));
    g = athena_gen_new();

    if (names == NULL || g == NULL) {
        return NULL;
    }

    athena_gen_array_open(g);
    n = 0;

    for (i = 0; i < v->n; i++) {
        item = v->items[i];

        if (item->type != ATHENA_JSON_STRING) {
            athena_check_issue(chk, "variables", "Invalid input: a name must"
                               " be a string");
            return NULL;
        }

        name = athena_trim(ctx->a, item->string, item->len, &len);
        if (name == NULL) {
            return NULL;
        }

        if (len == 0 || len > ATHENA_TPL_VARIABLE_MAX) {
            athena_check_issue(chk, "variables", "Invalid input: a name must"
                               " have 1 to %d characters",
                               ATHENA_TPL_VARIABLE_MAX);
            return NULL;
        }

        for (k = 0; k < n; k++) {
            if (strcmp(names[k], name) == 0) {
                athena_check_issue(chk, "variables", "Invalid input: \"%s\""
                                   " is there twice", name);
                return NULL;
            }
        }

        names[n++] = name;
        athena_gen_cstr(g, name);
    }

    athena_gen_array_close(g);

    return athena_gen_finish(ctx->a, g, &len);
}


/* eventType: [a-z0-9]+([._-][a-z0-9]+)*, at most 128; null clears it */

static const char *
athena_tpl_event(athena_check_t *chk, int *given)
{
    size_t                i;
    const char           *s;
    const athena_json_t  *v;

    *given = athena_json_get(chk->obj, "eventType") != NULL;

    v = athena_check_nullish(chk, "eventType");
    if (v == NULL || v->type == ATHENA_JSON_NULL) {
        return NULL;
    }

    s = v->string;

    for (i = 0; i < v->len; i++) {
        if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')) {
            continue;
        }

        if (strchr("._-", s[i]) == NULL || i == 0 || i + 1 == v->len
            || strchr("._-", s[i - 1]) != NULL)
        {
            break;
        }
    }

    if (v->len == 0 || i < v->len || v->len > ATHENA_TPL_EVENT_MAX) {
        athena_check_issue(chk, "eventType", "Invalid string: lower-case"
                           " words joined by \".\", \"_\" or \"-\"");
        return NULL;
    }

    return s;
}


/* a URL an attachment may be fetched from: http(s), no private host */

static int
athena_tpl_public_url(const char *url, size_t len)
{
    size_t       i, hlen;
    const char  *host;

    static const char *const  private[] = {
        "localhost", "127.", "10.", "192.168.", "169.254.", "0.", "[",
        NULL
    };

    if (len > ATHENA_TPL_URL_MAX) {
        return 0;
    }

    if (strncmp(url, "https://", 8) == 0) {
        host = url + 8;

    } else if (strncmp(url, "http://", 7) == 0) {
        host = url + 7;

    } else {
        return 0;
    }

    hlen = strcspn(host, "/?#");

    if (hlen == 0 || memchr(host, '@', hlen) != NULL) {
        return 0;
    }

    for (i = 0; private[i]; i++) {
        if (strncasecmp(host, private[i], strlen(private[i])) == 0) {
            return 0;
        }
    }

    /* 172.16.0.0/12 */
    if (strncmp(host, "172.", 4) == 0 && host[4] >= '1' && host[4] <= '3'
        && host[5] >= '0' && host[5] <= '9' && host[6] == '.')
    {
        i = (size_t) (host[4] - '0') * 10 + (size_t) (host[5] - '0');
        if (i >= 16 && i <= 31) {
            return 0;
        }
    }

    for (i = 0; i < len; i++) {
        if ((unsigned char) url[i] <= 0x20 || url[i] == 0x7f) {
            return 0;
        }
    }

    return 1;
}


/*
 * attachments: each a URL, or {file_url, filename?}; as the JSON text of
 * [{file_url, filename}]. A URL to a private host is refused: the server
 * would fetch it.
 */

static const char *
athena_tpl_attachments(athena_ctx_t *ctx, athena_check_t *chk)
{
    size_t                i, len;
    athena_gen_t         *g;
    const athena_json_t  *v, *item, *url, *name;

    v = athena_json_get(chk->obj, "attachments");
    if (v == NULL) {
        return "[]";
    }

    if (v->type != ATHENA_JSON_ARRAY) {
        athena_check_issue(chk, "attachments", "Invalid input: expected"
                           " array, received %s", athena_json_type_name(v));
        return NULL;
    }

    g = athena_gen_new();
    if (g == NULL) {
        return NULL;
    }

    athena_gen_array_open(g);

    for (i = 0; i < v->n; i++) {
        item = v->items[i];
        url = item->type == ATHENA_JSON_OBJECT
              ? athena_json_get(item, "file_url") : item;
        name = item->type == ATHENA_JSON_OBJECT
               ? athena_json_get(item, "filename") : NULL;

        if (url == NULL || url->type != ATHENA_JSON_STRING
            || !athena_tpl_public_url(url->string, url->len)
            || (name != NULL && name->type != ATHENA_JSON_NULL
                && (name->type != ATHENA_JSON_STRING
                    || name->len > ATHENA_TPL_FILENAME_MAX
                    || strpbrk(name->string, "\r\n") != NULL)))
        {
            athena_check_issue(chk, "attachments", "Invalid input: each an"
                               " http(s) URL to a public host, or {file_url,"
                               " filename?}");
            athena_gen_free(g);
            return NULL;
        }

        athena_gen_map_open(g);
        athena_gen_key(g, "file_url");
        athena_gen_cstr(g, url->string);
        athena_gen_key(g, "filename");
        athena_gen_str_or_null(g, name && name->type == ATHENA_JSON_STRING
                                  ? name->string : NULL);
        athena_gen_map_close(g);
    }

    athena_gen_array_close(g);

    return athena_gen_finish(ctx->a, g, &len);
}


/* variableBindings: an array, kept as it is */

static const char *
athena_tpl_bindings(athena_ctx_t *ctx, athena_check_t *chk)
{
    size_t                len;
    athena_gen_t         *g;
    const athena_json_t  *v;

    v = athena_json_get(chk->obj, "variableBindings");
    if (v == NULL) {
        return "[]";
    }

    if (v->type != ATHENA_JSON_ARRAY) {
        athena_check_issue(chk, "variableBindings", "Invalid input: expected"
                           " array, received %s", athena_json_type_name(v));
        return NULL;
    }

    g = athena_gen_new();
    if (g == NULL) {
        return NULL;
    }

    athena_gen_value(g, v);

    return athena_gen_finish(ctx->a, g, &len);
}


static const char *
athena_tpl_failure_mode(athena_check_t *chk)
{
    const athena_json_t  *v;

    v = athena_check_string(chk, "attachmentFailureMode", 0);
    if (v == NULL) {
        return NULL;
    }

    if (strcmp(v->string, "fail") != 0 && strcmp(v->string, "skip") != 0) {
        athena_check_issue(chk, "attachmentFailureMode", "Invalid option:"
                           " expected one of \"fail\"|\"skip\"");
        return NULL;
    }

    return v->string;
}


/* the record: camelCase fields, each multi-word one also in snake_case */

static void
athena_gen_tpl(athena_ctx_t *ctx, athena_gen_t *g, const void *item)
{
    int                              snake;
    const athena_email_template_t   *t;

    t = item;

    athena_gen_map_open(g);
    athena_gen_key(g, "id");
    athena_gen_cstr(g, t->id);
    athena_gen_key(g, "locale");
    athena_gen_cstr(g, t->locale);
    athena_gen_key(g, "variables");
    athena_gen_json_text(ctx->a, g, t->variables);
    athena_gen_key(g, "metadata");
    athena_gen_json_text(ctx->a, g, t->metadata);
    athena_gen_key(g, "attachments");
    athena_gen_json_text(ctx->a, g, t->attachments);

    for (snake = 0; snake < 2; snake++) {
        athena_gen_key(g, snake ? "template_key" : "templateKey");
        athena_gen_cstr(g, t->template_key);
        athena_gen_key(g, snake ? "subject_template" : "subjectTemplate");
        athena_gen_cstr(g, t->subject_template);
        athena_gen_key(g, snake ? "text_template" : "textTemplate");
        athena_gen_str_or_null(g, t->text_template);
        athena_gen_key(g, snake ? "html_template" : "htmlTemplate");
        athena_gen_str_or_null(g, t->html_template);
        athena_gen_key(g, snake ? "is_active" : "isActive");
        athena_gen_bool(g, t->is_active);
        athena_gen_key(g, snake ? "event_type" : "eventType");
        athena_gen_str_or_null(g, t->event_type);
        athena_gen_key(g, snake ? "variable_bindings" : "variableBindings");
        athena_gen_json_text(ctx->a, g, t->variable_bindings);
        athena_gen_key(g, snake ? "attachment_failure_mode"
                                : "attachmentFailureMode");
        athena_gen_cstr(g, t->attachment_failure_mode);
        athena_gen_key(g, snake ? "created_at" : "createdAt");
        athena_gen_time(g, t->created_at);
        athena_gen_key(g, snake ? "updated_at" : "updatedAt");
        athena_gen_time(g, t->updated_at);
    }

    athena_gen_map_close(g);
}


static void
athena_reply_tpl(athena_ctx_t *ctx, const athena_email_template_t *t,
    int wrapped)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    if (wrapped) {
        athena_gen_map_open(g);
        athena_gen_key(g, "emailTemplate");
        athena_gen_tpl(ctx, g, t);
        athena_gen_key(g, "email_template");
        athena_gen_tpl(ctx, g, t);
        athena_gen_map_close(g);

    } else {
        athena_gen_tpl(ctx, g, t);
    }

    athena_reply_gen(ctx, 200, g);
}


static void
athena_tpl_not_found(athena_ctx_t *ctx)
{
    athena_reply_error(ctx, 404, "EMAIL_TEMPLATE_NOT_FOUND",
                       "Email template not found");
}


static void
athena_tpl_conflict(athena_ctx_t *ctx)
{
    athena_reply_error(ctx, 409, "EMAIL_TEMPLATE_ALREADY_EXISTS",
                       "Email template already exists");
}


/* an event type must be the catalog's: 1, or 0 with the 400 answered */

static athena_store_rc_e
athena_tpl_event_known(athena_ctx_t *ctx, const char *event, int *ok)
{
    athena_store_rc_e  rc;

    *ok = 1;

    if (event == NULL) {
        return ATHENA_STORE_OK;
    }

    rc = athena_email_event_exists(ctx->db, ctx->a, event, ok);

    if (rc == ATHENA_STORE_OK && !*ok) {
        athena_reply_error(ctx, 400, "UNKNOWN_EMAIL_EVENT_TYPE",
                           athena_sprintf(ctx->a, "Unknown email event type"
                                          " \"%s\"", event));
    }

    return rc;
}


/*
 * POST /admin/email-template/create {templateKey, subjectTemplate,
 * locale?, textTemplate?, htmlTemplate?, variables?, isActive?, metadata?,
 * eventType?, attachments?, attachmentFailureMode?, variableBindings?}
 * -> the record; a taken (templateKey, locale): 409. Without an event
 * type, the template key names it when the catalog has it.
 */

athena_store_rc_e
athena_api_admin_email_template_create(athena_ctx_t *ctx)
{
    int                       ok, given;
    athena_check_t            chk;
    athena_store_rc_e         rc;
    athena_email_template_t   t;

    memset(&t, 0, sizeof(athena_email_template_t));
    given = 0;

    ok = athena_mail_body(ctx, &chk, athena_tpl_aliases);
    if (ok < 0) {
        return ATHENA_STORE_ERROR;
    }

    if (ok) {
        t.template_key = athena_tpl_key(&chk, 1);
        t.locale = athena_tpl_locale(&chk);
        t.subject_template = athena_mail_required(&chk, "subjectTemplate", 1,
                                                  ATHENA_MAIL_SUBJECT_MAX);
        t.text_template = athena_mail_text(&chk, "textTemplate", &given);
        t.html_template = athena_mail_text(&chk, "htmlTemplate", &given);
        t.variables = athena_tpl_variables(ctx, &chk);
        t.is_active = athena_check_bool(&chk, "isActive", 1);
        t.metadata = athena_record_metadata(ctx, &chk);
        t.event_type = athena_tpl_event(&chk, &given);
        t.attachments = athena_tpl_attachments(ctx, &chk);
        t.attachment_failure_mode = athena_tpl_failure_mode(&chk);
        t.variable_bindings = athena_tpl_bindings(ctx, &chk);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    if (t.variables == NULL || t.metadata == NULL || t.attachments == NULL
        || t.variable_bindings == NULL)
    {
        return ATHENA_STORE_ERROR;
    }

    t.locale = t.locale ? t.locale : "en";
    t.attachment_failure_mode = t.attachment_failure_mode
                                ? t.attachment_failure_mode : "fail";

    rc = athena_record_new(ctx, &athena_may_manage_templates, &t.id, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (!given) {
        rc = athena_email_event_exists(ctx->db, ctx->a, t.template_key, &ok);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }

        t.event_type = ok ? t.template_key : NULL;
    }

    rc = athena_tpl_event_known(ctx, t.event_type, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    t.created_at = ctx->now;

    rc = athena_email_template_insert(ctx->db, ctx->a, &t);

    if (rc == ATHENA_STORE_CONFLICT) {
        athena_tpl_conflict(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_reply_tpl(ctx, &t, 0);
    }

    return rc;
}


/* GET /admin/email-template/get?id= -> {emailTemplate, email_template} */

athena_store_rc_e
athena_api_admin_email_template_get(athena_ctx_t *ctx)
{
    int                       ok;
    const char               *id;
    athena_store_rc_e         rc;
    athena_email_template_t   t;

    rc = athena_record_query_id(ctx, &id);
    if (rc != ATHENA_STORE_OK || id == NULL) {
        return rc;
    }

    rc = athena_admin_require(ctx, &athena_may_list_templates, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_email_template_get(ctx->db, ctx->a, id, &t);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_tpl_not_found(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_reply_tpl(ctx, &t, 1);
    }

    return rc;
}


/*
 * GET /admin/email-template/list?limit&offset&templateKey&locale&isActive
 *     &eventType (or template_key, is_active, event_type)
 * -> {total, limit, offset, emailTemplates, email_templates}
 */

athena_store_rc_e
athena_api_admin_email_template_list(athena_ctx_t *ctx)
{
    int                              ok;
    size_t                           n;
    int64_t                          total;
    const char                      *active;
    athena_check_t                   chk;
    athena_store_rc_e                rc;
    athena_email_template_t         *list;
    athena_email_template_query_t    q;

    static const char *const  booleans[] = { "true", "false", NULL };
    static const char *const  names[] = {
        "emailTemplates", "email_templates", NULL
    };
    static const char *const  single[] = {
        "limit", "offset", "templateKey", "template_key", "locale",
        "isActive", "is_active", "eventType", "event_type", NULL
    };

    memset(&q, 0, sizeof(athena_email_template_query_t));
    athena_check_init(&chk, ctx->a, NULL, "query");

    if (athena_query_single(ctx, &chk, single) != 0) {
        return ATHENA_STORE_ERROR;
    }

    athena_list_page(ctx, &chk, &q.limit, &q.offset);
    q.template_key = athena_list_text(ctx, "templateKey");
    q.template_key = q.template_key ? q.template_key
                                    : athena_list_text(ctx, "template_key");
    q.locale = athena_list_text(ctx, "locale");
    q.event_type = athena_list_text(ctx, "eventType");
    q.event_type = q.event_type ? q.event_type
                                : athena_list_text(ctx, "event_type");

    active = athena_query_enum(ctx, &chk, "isActive", booleans, NULL);
    active = active ? active
                    : athena_query_enum(ctx, &chk, "is_active", booleans,
                                        NULL);
    q.is_active = active == NULL ? -1 : strcmp(active, "true") == 0;

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, &athena_may_list_templates, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_email_template_list(ctx->db, ctx->a, &q, &list, &n, &total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_reply_page(ctx, total, q.limit, q.offset, names, list, n,
                      sizeof(athena_email_template_t), athena_gen_tpl);

    return ATHENA_STORE_OK;
}


/*
 * POST /admin/email-template/update {id, ...} -> the record: omitted
 * keeps, null clears textTemplate, htmlTemplate and eventType (and is a
 * 400 on the others), a value replaces; a (templateKey, locale) that
 * another template has: 409
 */

athena_store_rc_e
athena_api_admin_email_template_update(athena_ctx_t *ctx)
{
    int                       ok, given;
    size_t                    i;
    unsigned                  set;
    athena_check_t            chk;
    athena_store_rc_e         rc;
    const athena_json_t      *id;
    athena_email_template_t   t, v;

    static const struct {
        const char  *field;
        unsigned     flag;
    } fields[] = {
        { "templateKey", ATHENA_TPL_KEY },
        { "locale", ATHENA_TPL_LOCALE },
        { "subjectTemplate", ATHENA_TPL_SUBJECT },
        { "variables", ATHENA_TPL_VARIABLES },
        { "isActive", ATHENA_TPL_ACTIVE },
        { "metadata", ATHENA_TPL_METADATA },
        { "attachments", ATHENA_TPL_ATTACHMENTS },
        { "attachmentFailureMode", ATHENA_TPL_FAILURE_MODE },
        { "variableBindings", ATHENA_TPL_BINDINGS },
    };

    memset(&v, 0, sizeof(athena_email_template_t));
    id = NULL;
    set = 0;

    ok = athena_mail_body(ctx, &chk, athena_tpl_aliases);
    if (ok < 0) {
        return ATHENA_STORE_ERROR;
    }

    if (ok) {
        id = athena_check_text(&chk, "id", 1);

        for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
            if (athena_json_get(ctx->body, fields[i].field) != NULL) {
                set |= fields[i].flag;
            }
        }

        v.template_key = athena_tpl_key(&chk, 0);
        v.locale = athena_tpl_locale(&chk);
        v.subject_template = athena_mail_required(&chk, "subjectTemplate", 0,
                                                  ATHENA_MAIL_SUBJECT_MAX);
        v.variables = athena_tpl_variables(ctx, &chk);
        v.is_active = athena_check_bool(&chk, "isActive", 1);
        v.metadata = athena_record_metadata(ctx, &chk);
        v.attachments = athena_tpl_attachments(ctx, &chk);
        v.attachment_failure_mode = athena_tpl_failure_mode(&chk);
        v.variable_bindings = athena_tpl_bindings(ctx, &chk);

        v.text_template = athena_mail_text(&chk, "textTemplate", &given);
        set |= given ? ATHENA_TPL_TEXT : 0;
        v.html_template = athena_mail_text(&chk, "htmlTemplate", &given);
        set |= given ? ATHENA_TPL_HTML : 0;
        v.event_type = athena_tpl_event(&chk, &given);
        set |= given ? ATHENA_TPL_EVENT : 0;
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, &athena_may_manage_templates, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    t.id = id->string;
    ctx->audit_target = t.id;

    rc = athena_tpl_event_known(ctx, v.event_type, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_email_template_update(ctx->db, ctx->a, set, &v, ctx->now,
                                      &t);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_tpl_not_found(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_CONFLICT) {
        athena_tpl_conflict(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_reply_tpl(ctx, &t, 0);
    }

    return rc;
}


/* POST /admin/email-template/delete {id} -> {success: true} */

athena_store_rc_e
athena_api_admin_email_template_delete(athena_ctx_t *ctx)
{
    return athena_record_delete(ctx, &athena_may_manage_templates,
                                athena_email_template_delete,
                                athena_tpl_not_found);
}


/*
 * GET /admin/email-event-type/list -> {event_types: [{event_type, label,
 * description}], eventTypes: [{eventType, label, description}]}
 */

athena_store_rc_e
athena_api_admin_email_event_type_list(athena_ctx_t *ctx)
{
    int                     ok, camel;
    size_t                  i, n;
    athena_gen_t           *g;
    athena_store_rc_e       rc;
    athena_email_event_t   *list;

    rc = athena_admin_require(ctx, &athena_may_list_templates, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_email_event_list(ctx->db, ctx->a, &list, &n);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_map_open(g);

    for (camel = 0; camel < 2; camel++) {
        athena_gen_key(g, camel ? "eventTypes" : "event_types");
        athena_gen_array_open(g);

        for (i = 0; i < n; i++) {
            athena_gen_map_open(g);
            athena_gen_key(g, camel ? "eventType" : "event_type");
            athena_gen_cstr(g, list[i].event_type);
            athena_gen_key(g, "label");
            athena_gen_str_or_null(g, list[i].label);
            athena_gen_key(g, "description");
            athena_gen_str_or_null(g, list[i].description);
            athena_gen_map_close(g);
        }

        athena_gen_array_close(g);
    }

    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}
