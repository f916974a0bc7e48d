/*
 * An organization's invitation sends mail: the active template of
 * organization.member.invite in the best locale (the request's
 * Accept-Language, its language, then "en"), with the organization, the
 * inviter and a link that accepts it, built from athena_auth_public_url
 * (or the base URL) and the invitation's id. Without a relay or a public
 * URL nothing is queued; the invitation stands either way.
 */

#include <string.h>

#include "athena_mail.h"


#define ATHENA_INVITE_EVENT        "organization.member.invite"
#define ATHENA_INVITE_ACCEPT_PATH  "/accept-invitation/"
#define ATHENA_LOCALE_MAX          35


/* "pt-BR,pt;q=0.9" -> { "pt-BR", "pt", "en", NULL } */

static void
athena_invite_locales(athena_ctx_t *ctx, const char **locales)
{
    size_t       n, i, lang;
    const char  *h;

    n = 0;
    h = ctx->req->accept_language;

    if (h != NULL) {
        while (*h == ' ') {
            h++;
        }

        i = strcspn(h, ",; ");

        for (lang = 0; lang < i && h[lang] != '-'; lang++) {
            /* void */
        }

        if (i > 0 && i <= ATHENA_LOCALE_MAX
            && strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789-") >= i)
        {
            locales[n++] = athena_strndup(ctx->a, h, i);

            if (lang < i) {
                locales[n++] = athena_strndup(ctx->a, h, lang);
            }
        }
    }

    locales[n++] = "en";
    locales[n] = NULL;
}


static int
athena_invite_var(athena_ctx_t *ctx, athena_json_t *vars, const char *name,
    const char *value)
{
    athena_json_t  *v;

    v = value ? athena_json_string(ctx->a, value, strlen(value))
              : athena_json_new(ctx->a, ATHENA_JSON_NULL);

    return v ? athena_json_set(ctx->a, vars, name, v) : -1;
}


athena_store_rc_e
athena_mail_invitation(athena_ctx_t *ctx, const char *org_name,
    const char *inv_id, const char *email, const char *role)
{
    int             queued;
    const char     *base, *url, *locales[4], *meta;
    athena_json_t  *vars;

    if (ctx->conf->smtp.url == NULL) {
        return ATHENA_STORE_OK;
    }

    base = ctx->conf->public_url ? ctx->conf->public_url
                                 : ctx->conf->base_origin;
    if (base == NULL) {
        ctx->resp->log_warn = "mail: an invitation needs"
                              " athena_auth_public_url for its link";
        return ATHENA_STORE_OK;
    }

    url = athena_sprintf(ctx->a, "%s" ATHENA_INVITE_ACCEPT_PATH "%s", base,
                         inv_id);
    meta = athena_sprintf(ctx->a, "{\"invitation_id\":\"%s\"}", inv_id);
    vars = athena_json_new(ctx->a, ATHENA_JSON_OBJECT);

    if (url == NULL || meta == NULL || vars == NULL
        || athena_invite_var(ctx, vars, "organization_name", org_name) != 0
        || athena_invite_var(ctx, vars, "accept_url", url) != 0
        || athena_invite_var(ctx, vars, "inviter_name", ctx->user.name) != 0
        || athena_invite_var(ctx, vars, "inviter_email", ctx->user.email) != 0
        || athena_invite_var(ctx, vars, "role", role) != 0
        || athena_invite_var(ctx, vars, "invitee_email", email) != 0)
    {
        return ATHENA_STORE_ERROR;
    }

    athena_invite_locales(ctx, locales);

    return athena_mail_event(ctx, ATHENA_INVITE_EVENT, locales, vars, email,
                             NULL, meta, &queued);
}
