/*
 * Building answers: JSON bodies in better-auth's key order, its error
 * shape {"message","code"} (the REST surface's envelope on its own
 * routes), and response headers.
 */

#include <string.h>

#include "athena_api.h"
#include "rest/athena_rest.h"
#include "roles/athena_roles.h"
#include "../core/athena_status.h"
#include "../core/athena_check.h"


/* a generator for the answer; without memory the answer is already 500 */

athena_gen_t *
athena_reply_json(athena_ctx_t *ctx)
{
    athena_gen_t  *g;

    g = athena_gen_new();
    if (g == NULL) {
        ctx->resp->status = 500;
        ctx->resp->body = NULL;
        ctx->resp->len = 0;
    }

    return g;
}


void
athena_reply_gen(athena_ctx_t *ctx, int status, athena_gen_t *g)
{
    ctx->resp->status = status;
    ctx->resp->body = athena_gen_finish(ctx->a, g, &ctx->resp->len);

    if (ctx->resp->body == NULL) {
        ctx->resp->status = 500;
        ctx->resp->len = 0;
    }
}


/* a JSON text made before (get-session's, by the gate's lookup) */

void
athena_reply_text(athena_ctx_t *ctx, int status, const char *json)
{
    ctx->resp->status = status;
    ctx->resp->body = (char *) json;
    ctx->resp->len = strlen(json);
}


/*
 * An error in the style of a surface other than better-auth's: 1 when it
 * has been written (message NULL: the status's own words)
 */

static int
athena_reply_surface_error(athena_ctx_t *ctx, int status, const char *message)
{
    switch (ctx->req->surface) {

    case ATHENA_SURFACE_REST:
        athena_rest_error(ctx, status, message);
        return 1;

    case ATHENA_SURFACE_ROLES:
        athena_roles_detail(ctx, status,
                            message ? message : athena_status_message(status));
        return 1;

    default:
        return 0;
    }
}


void
athena_reply_error(athena_ctx_t *ctx, int status, const char *code,
    const char *message)
{
    athena_gen_t  *g;

    ctx->error_code = code;

    if (athena_reply_surface_error(ctx, status, message)) {
        return;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "message");
    athena_gen_cstr(g, message);

    if (code) {
        athena_gen_key(g, "code");
        athena_gen_cstr(g, code);
    }

    athena_gen_map_close(g);

    athena_reply_gen(ctx, status, g);
}


/* a few better-auth errors carry a message and no code */

/* returns 1 when validation failed and the 400 has been written */

int
athena_reply_invalid(athena_ctx_t *ctx, athena_check_t *chk)
{
    if (chk->message == NULL) {
        return 0;
    }

    athena_reply_error(ctx, 400, "VALIDATION_ERROR", chk->message);

    return 1;
}


/* something that exists already: better-auth says 400, the REST API 409 */

void
athena_reply_conflict(athena_ctx_t *ctx, const char *code,
    const char *message)
{
    athena_reply_error(ctx, ctx->req->surface == ATHENA_SURFACE_REST
                            ? 409 : 400, code, message);
}


void
athena_reply_message(athena_ctx_t *ctx, int status, const char *message)
{
    athena_reply_error(ctx, status, NULL, message);
}


void
athena_reply_empty(athena_ctx_t *ctx, int status)
{
    if (status >= 400 && athena_reply_surface_error(ctx, status, NULL)) {
        return;
    }

    ctx->resp->status = status;
    ctx->resp->body = NULL;
    ctx->resp->len = 0;
}


void
athena_reply_header(athena_ctx_t *ctx, const char *name, const char *value)
{
    athena_resp_t  *resp = ctx->resp;

    if (resp->nheaders == ATHENA_MAX_HEADERS || value == NULL) {
        return;
    }

    resp->headers[resp->nheaders].name = name;
    resp->headers[resp->nheaders].value = value;
    resp->nheaders++;
}


/*
 * A header a browser script may read: set, and named in
 * Access-Control-Expose-Headers, which lists all such headers of the
 * answer as better-auth joins them (", ").
 */

void
athena_reply_expose(athena_ctx_t *ctx, const char *name, const char *value)
{
    char           *list;
    size_t          i;
    athena_resp_t  *resp = ctx->resp;

    athena_reply_header(ctx, name, value);

    for (i = 0; i < resp->nheaders; i++) {
        if (strcmp(resp->headers[i].name, "Access-Control-Expose-Headers")
            == 0)
        {
            list = athena_sprintf(ctx->a, "%s, %s", resp->headers[i].value,
                                  name);
            if (list != NULL) {
                resp->headers[i].value = list;
            }

            return;
        }
    }

    athena_reply_header(ctx, "Access-Control-Expose-Headers", name);
}


/*
 * better-auth writes schema fields in order, with "id" last. Sessions
 * carry the organization plugin's activeOrganizationId; teams are not
 * enabled, so activeTeamId stays in the table but not in the answer.
 */

void
athena_gen_user(athena_gen_t *g, const athena_user_t *u)
{
    athena_gen_map_open(g);
    athena_gen_user_fields(g, u);
    athena_gen_map_close(g);
}


/* the members of a user object, for a map the caller opened */

void
athena_gen_user_fields(athena_gen_t *g, const athena_user_t *u)
{
    athena_gen_key(g, "name");
    athena_gen_cstr(g, u->name);
    athena_gen_key(g, "email");
    athena_gen_cstr(g, u->email);
    athena_gen_key(g, "emailVerified");
    athena_gen_bool(g, u->email_verified);
    athena_gen_key(g, "image");
    athena_gen_str_or_null(g, u->image);
    athena_gen_key(g, "createdAt");
    athena_gen_time_or_null(g, u->created_at);
    athena_gen_key(g, "updatedAt");
    athena_gen_time_or_null(g, u->updated_at);
    athena_gen_key(g, "role");
    athena_gen_str_or_null(g, u->role);
    athena_gen_key(g, "banned");

    if (u->banned < 0) {
        athena_gen_null(g);
    } else {
        athena_gen_bool(g, u->banned);
    }

    athena_gen_key(g, "banReason");
    athena_gen_str_or_null(g, u->ban_reason);
    athena_gen_key(g, "banExpires");
    athena_gen_time_or_null(g, u->ban_expires);
    athena_gen_key(g, "id");
    athena_gen_cstr(g, u->id);
}


void
athena_gen_session(athena_gen_t *g, const athena_session_t *s)
{
    athena_gen_map_open(g);

    athena_gen_key(g, "expiresAt");
    athena_gen_time_or_null(g, s->expires_at);
    athena_gen_key(g, "token");
    athena_gen_cstr(g, s->token);
    athena_gen_key(g, "createdAt");
    athena_gen_time_or_null(g, s->created_at);
    athena_gen_key(g, "updatedAt");
    athena_gen_time_or_null(g, s->updated_at);
    athena_gen_key(g, "ipAddress");
    athena_gen_str_or_null(g, s->ip_address);
    athena_gen_key(g, "userAgent");
    athena_gen_str_or_null(g, s->user_agent);
    athena_gen_key(g, "userId");
    athena_gen_cstr(g, s->user_id);

    /* the api-key plugin's session has no row, and so neither of these */
    if (!s->from_key) {
        athena_gen_key(g, "impersonatedBy");
        athena_gen_str_or_null(g, s->impersonated_by);
        athena_gen_key(g, "activeOrganizationId");
        athena_gen_str_or_null(g, s->active_organization_id);
    }

    athena_gen_key(g, "id");
    athena_gen_cstr(g, s->id);

    athena_gen_map_close(g);
}


/* {"key": value}: the answer of most endpoints that only succeed */

void
athena_reply_flag(athena_ctx_t *ctx, const char *key, int value)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, key);
    athena_gen_bool(g, value);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
}


void
athena_reply_string(athena_ctx_t *ctx, const char *key, const char *value)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, key);
    athena_gen_cstr(g, value);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
}


/* {"session": ..., "user": ...}, as get-session and impersonation answer */

void
athena_gen_session_user(athena_gen_t *g, const athena_session_t *s,
    const athena_user_t *u)
{
    athena_gen_map_open(g);
    athena_gen_key(g, "session");
    athena_gen_session(g, s);
    athena_gen_key(g, "user");
    athena_gen_user(g, u);
    athena_gen_map_close(g);
}


/* JSON text from Postgres (a jsonb column) as a value, or null if none */

void
athena_gen_json_text(athena_arena_t *a, athena_gen_t *g, const char *text)
{
    athena_json_t  *v;

    if (text != NULL
        && athena_json_parse(a, text, strlen(text), 512, &v) == ATHENA_JSON_OK)
    {
        athena_gen_value(g, v);
        return;
    }

    athena_gen_null(g);
}
