/*
 * What Athena's email routes (records, send failures, templates) check in
 * their input: addresses, one-line header fields (a CR or LF never gets
 * near a mail), texts that may be cleared, and both key styles.
 */

#include <string.h>

#include "athena_mail.h"
#include "../athena_admin.h"
#include "../../core/athena_text.h"


/*
 * The body as an object, its snake_case keys (aliases: {camelCase,
 * snake_case, ..., NULL}) read as camelCase. 1, 0 after an issue, -1
 * when memory ran out.
 */

int
athena_mail_body(athena_ctx_t *ctx, athena_check_t *chk,
    const char *const *aliases)
{
    if (!athena_admin_body(ctx, chk)) {
        return 0;
    }

    if (athena_check_aliases(ctx->a, ctx->body, aliases) != 0) {
        return -1;
    }

    return 1;
}


/* an address: one line, the module's email rule */

const char *
athena_mail_address(athena_check_t *chk, const char *field, int required)
{
    const athena_json_t  *v;

    v = athena_check_line(chk, field, required, 0, ATHENA_MAIL_ADDRESS_MAX);
    if (v == NULL) {
        return NULL;
    }

    if (!athena_email_valid(v->string)) {
        athena_check_issue(chk, field, "Invalid email address");
        return NULL;
    }

    return v->string;
}


/* a text field: its value, NULL for null; *given when present */

const char *
athena_mail_text(athena_check_t *chk, const char *field, int *given)
{
    const athena_json_t  *v;

    v = athena_check_nullish(chk, field);
    *given = v != NULL;

    return v && v->type == ATHENA_JSON_STRING ? v->string : NULL;
}


/* a one-line field that may be null; *given when present */

const char *
athena_mail_line(athena_check_t *chk, const char *field, size_t max,
    int *given)
{
    const athena_json_t  *v;

    *given = athena_json_get(chk->obj, field) != NULL;

    v = athena_check_line(chk, field, 0, 1, max);

    return v && v->type == ATHENA_JSON_STRING ? v->string : NULL;
}


/* a required one-line field that is not empty */

const char *
athena_mail_required(athena_check_t *chk, const char *field, int required,
    size_t max)
{
    const athena_json_t  *v;

    v = athena_check_line(chk, field, required, 0, max);

    if (v != NULL && v->len == 0) {
        athena_check_issue(chk, field, "Too small: expected string to have"
                           " >=1 characters");
        return NULL;
    }

    return v ? v->string : NULL;
}
