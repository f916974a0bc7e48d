/*
 * The route table and the pipeline every request goes through, in
 * better-auth's order: body parsing (415, bad JSON), the origin check,
 * then the endpoint (which validates, authenticates and acts), then the
 * bearer plugin's set-auth-token.
 */

#include <string.h>
#include <strings.h>

#include "athena_api.h"
#include "athena_apikey.h"
#include "roles/athena_roles.h"
#include "../core/athena_form.h"
#include "../core/athena_text.h"
#include "../core/athena_time.h"


#define ATHENA_NO_AUDIT  NULL, NULL


static const athena_route_t  athena_routes[] = {
    { ATHENA_GET,  "/ok", athena_api_ok, ATHENA_ROUTE_INLINE,
      ATHENA_NO_AUDIT },
    { ATHENA_POST, "/sign-up/email", athena_api_sign_up, ATHENA_ROUTE_FORM,
      ATHENA_NO_AUDIT },
    { ATHENA_POST, "/sign-in/email", athena_api_sign_in, ATHENA_ROUTE_FORM,
      ATHENA_NO_AUDIT },
    { ATHENA_POST, "/sign-out", athena_api_sign_out, 0, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/get-session", athena_api_get_session,
      ATHENA_ROUTE_SESSION, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/get-session", athena_api_get_session_post, 0,
      ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/list-sessions", athena_api_list_sessions, 0,
      ATHENA_NO_AUDIT },
    { ATHENA_POST, "/revoke-session", athena_api_revoke_session, 0,
      ATHENA_NO_AUDIT },
    { ATHENA_POST, "/revoke-sessions", athena_api_revoke_sessions, 0,
      ATHENA_NO_AUDIT },
    { ATHENA_POST, "/revoke-other-sessions",
      athena_api_revoke_other_sessions, 0, ATHENA_NO_AUDIT },

    /* the admin plugin's; reads (has-permission too) are not audited */
    { ATHENA_POST, "/admin/has-permission", athena_api_admin_has_permission,
      ATHENA_ROUTE_SESSION, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/admin/get-user", athena_api_admin_get_user,
      ATHENA_ROUTE_PRELOAD, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/admin/list-users", athena_api_admin_list_users,
      ATHENA_ROUTE_PRELOAD, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/admin/create-user", athena_api_admin_create_user, 0,
      "admin.create_user", "user" },
    { ATHENA_POST, "/admin/update-user", athena_api_admin_update_user, 0,
      "admin.update_user", "user" },
    { ATHENA_POST, "/admin/set-role", athena_api_admin_set_role, 0,
      "admin.set_role", "user" },
    { ATHENA_POST, "/admin/ban-user", athena_api_admin_ban_user, 0,
      "admin.ban_user", "user" },
    { ATHENA_POST, "/admin/unban-user", athena_api_admin_unban_user, 0,
      "admin.unban_user", "user" },
    { ATHENA_POST, "/admin/list-user-sessions",
      athena_api_admin_list_user_sessions, 0, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/admin/revoke-user-session",
      athena_api_admin_revoke_user_session, 0,
      "admin.revoke_user_session", "session" },
    { ATHENA_POST, "/admin/revoke-user-sessions",
      athena_api_admin_revoke_user_sessions, 0,
      "admin.revoke_user_sessions", "user" },
    { ATHENA_POST, "/admin/remove-user", athena_api_admin_remove_user, 0,
      "admin.remove_user", "user" },
    { ATHENA_POST, "/admin/set-user-password",
      athena_api_admin_set_user_password, 0,
      "admin.set_user_password", "user" },
    { ATHENA_POST, "/admin/impersonate-user",
      athena_api_admin_impersonate_user, 0,
      "admin.impersonate_user", "user" },
    { ATHENA_POST, "/admin/stop-impersonating",
      athena_api_admin_stop_impersonating, 0,
      "admin.stop_impersonating", "user" },

    /* Athena's admin extras */
    { ATHENA_GET,  "/admin/audit-log/list", athena_api_admin_audit_log_list,
      0, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/admin/athena-client/create",
      athena_api_admin_athena_client_create, 0,
      "admin.athena_client.create", "athena_client" },
    { ATHENA_GET,  "/admin/athena-client/list",
      athena_api_admin_athena_client_list, 0, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/admin/api-key/create", athena_api_admin_api_key_create,
      0, "admin.api_key.create", "api_key" },
    { ATHENA_GET,  "/admin/email/list", athena_api_admin_email_list, 0,
      ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/admin/email/get", athena_api_admin_email_get, 0,
      ATHENA_NO_AUDIT },
    { ATHENA_POST, "/admin/email/create", athena_api_admin_email_create, 0,
      "admin.email.create", "email" },
    { ATHENA_POST, "/admin/email/update", athena_api_admin_email_update, 0,
      "admin.email.update", "email" },
    { ATHENA_POST, "/admin/email/delete", athena_api_admin_email_delete, 0,
      "admin.email.delete", "email" },
    { ATHENA_GET,  "/admin/email-failure/list",
      athena_api_admin_email_failure_list, 0, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/admin/email-failure/get",
      athena_api_admin_email_failure_get, 0, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/admin/email-failure/create",
      athena_api_admin_email_failure_create, 0,
      "admin.email_failure.create", "email_send_failure" },
    { ATHENA_POST, "/admin/email-failure/update",
      athena_api_admin_email_failure_update, 0,
      "admin.email_failure.update", "email_send_failure" },
    { ATHENA_GET,  "/admin/email-template/list",
      athena_api_admin_email_template_list, 0, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/admin/email-template/get",
      athena_api_admin_email_template_get, 0, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/admin/email-template/create",
      athena_api_admin_email_template_create, 0,
      "admin.email_template.create", "email_template" },
    { ATHENA_POST, "/admin/email-template/update",
      athena_api_admin_email_template_update, 0,
      "admin.email_template.update", "email_template" },
    { ATHENA_POST, "/admin/email-template/delete",
      athena_api_admin_email_template_delete, 0,
      "admin.email_template.delete", "email_template" },
    { ATHENA_POST, "/admin/email-template/send",
      athena_api_admin_email_template_send, 0,
      "admin.email_template.send", "email_template" },
    { ATHENA_GET,  "/admin/email-event-type/list",
      athena_api_admin_email_event_type_list, 0, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/admin/email-failure/delete",
      athena_api_admin_email_failure_delete, 0,
      "admin.email_failure.delete", "email_send_failure" },

    /* the api-key plugin's; verify reads its key from the body */
    { ATHENA_POST, "/api-key/create", athena_api_key_create, 0,
      ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/api-key/get", athena_api_key_get, 0, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/api-key/list", athena_api_key_list, 0, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/api-key/update", athena_api_key_update, 0,
      ATHENA_NO_AUDIT },
    { ATHENA_POST, "/api-key/delete", athena_api_key_delete, 0,
      ATHENA_NO_AUDIT },
    { ATHENA_POST, "/api-key/verify", athena_api_key_verify,
      ATHENA_ROUTE_KEYLESS, ATHENA_NO_AUDIT },

    /* the jwt plugin's */
    { ATHENA_GET,  "/token", athena_api_jwt_token, ATHENA_ROUTE_JWT,
      ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/jwks", athena_api_jwt_jwks, ATHENA_ROUTE_JWT,
      ATHENA_NO_AUDIT },

    /* the organization plugin's; those that may write run in a transaction */
    { ATHENA_POST, "/organization/create", athena_api_org_create,
      ATHENA_ROUTE_TX, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/organization/update", athena_api_org_update,
      ATHENA_ROUTE_TX, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/organization/delete", athena_api_org_delete,
      ATHENA_ROUTE_TX, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/organization/set-active", athena_api_org_set_active,
      ATHENA_ROUTE_TX, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/organization/list", athena_api_org_list,
      ATHENA_ROUTE_PRELOAD, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/organization/get-organization", athena_api_org_get,
      ATHENA_ROUTE_TX, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/organization/get-full-organization",
      athena_api_org_get_full, ATHENA_ROUTE_TX, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/organization/check-slug", athena_api_org_check_slug, 0,
      ATHENA_NO_AUDIT },
    { ATHENA_POST, "/organization/leave", athena_api_org_leave,
      ATHENA_ROUTE_TX, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/organization/has-permission",
      athena_api_org_has_permission, ATHENA_ROUTE_SESSION, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/organization/remove-member",
      athena_api_org_remove_member, ATHENA_ROUTE_TX, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/organization/update-member-role",
      athena_api_org_update_member_role, ATHENA_ROUTE_TX, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/organization/get-active-member",
      athena_api_org_get_active_member, 0, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/organization/get-active-member-role",
      athena_api_org_get_active_member_role, 0, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/organization/list-members",
      athena_api_org_list_members, 0, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/organization/invite-member",
      athena_api_org_invite_member, ATHENA_ROUTE_TX, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/organization/accept-invitation",
      athena_api_org_accept_invitation, ATHENA_ROUTE_TX, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/organization/reject-invitation",
      athena_api_org_reject_invitation, ATHENA_ROUTE_TX, ATHENA_NO_AUDIT },
    { ATHENA_POST, "/organization/cancel-invitation",
      athena_api_org_cancel_invitation, ATHENA_ROUTE_TX, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/organization/get-invitation",
      athena_api_org_get_invitation, 0, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/organization/list-invitations",
      athena_api_org_list_invitations, 0, ATHENA_NO_AUDIT },
    { ATHENA_GET,  "/organization/list-user-invitations",
      athena_api_org_list_user_invitations, 0, ATHENA_NO_AUDIT },

    { 0, NULL, NULL, 0, ATHENA_NO_AUDIT }
};


/* a wrong method is "not found" too, as in better-auth's router */

const athena_route_t *
athena_route_find(athena_method_e method, const char *path, size_t len)
{
    const athena_route_t  *rt;

    for (rt = athena_routes; rt->path; rt++) {
        if (rt->method == method && strlen(rt->path) == len
            && memcmp(rt->path, path, len) == 0)
        {
            return rt;
        }
    }

    return NULL;
}


/* "application/json; charset=utf-8" is "application/json" */

static int
athena_media_is(const char *type, const char *want)
{
    size_t  n;

    n = strcspn(type, ";");
    while (n && type[n - 1] == ' ') {
        n--;
    }

    return n == strlen(want) && strncasecmp(type, want, n) == 0;
}


static void
athena_unsupported_media(athena_ctx_t *ctx, const char *allowed)
{
    const char  *type;

    type = ctx->req->content_type;

    athena_reply_error(ctx, 415, "UNSUPPORTED_MEDIA_TYPE",
        athena_sprintf(ctx->a, "Content-Type \"%s\" is not allowed. "
                       "Allowed types: %s", type, allowed));
}


/*
 * A body that is no JSON: better-auth's 400; on the admin-roles surface
 * FastAPI's 422 "json_invalid", which it answers before any check.
 */

static void
athena_body_refused(athena_ctx_t *ctx, const char *message)
{
    athena_roles_invalid_t  inv;

    if (ctx->req->surface != ATHENA_SURFACE_ROLES) {
        athena_reply_error(ctx, 400, "BAD_REQUEST", message);
        return;
    }

    memset(&inv, 0, sizeof(athena_roles_invalid_t));
    athena_roles_invalid_add(&inv, "body", NULL, "json_invalid",
                             "JSON decode error", NULL, message);
    athena_roles_invalid_reply(ctx, &inv);
}


/* returns 1 when the body (possibly absent) is ready for the endpoint */

static int
athena_body_parse(athena_ctx_t *ctx)
{
    int                form;
    const char        *allowed;
    athena_req_t      *req;
    athena_json_rc_e   rc;

    req = ctx->req;
    ctx->body = NULL;

    if (req->body_len == 0) {
        return 1;
    }

    form = ctx->req->route->flags & ATHENA_ROUTE_FORM;
    allowed = form ? "application/x-www-form-urlencoded, application/json"
                   : "application/json";

    /* as better-auth's Node adapter: without a type there is no body */
    if (req->content_type == NULL) {
        return 1;
    }

    if (!athena_utf8_valid(req->body, req->body_len)) {
        athena_body_refused(ctx, "Request body is not valid UTF-8");
        return 0;
    }

    if (form && athena_media_is(req->content_type,
                                "application/x-www-form-urlencoded"))
    {
        ctx->body = athena_form_parse(ctx->a, req->body, req->body_len);
        if (ctx->body == NULL) {
            athena_reply_error(ctx, 400, "BAD_REQUEST",
                               "Request body is not valid UTF-8");
            return 0;
        }
        return 1;
    }

    if (!athena_media_is(req->content_type, "application/json")) {
        athena_unsupported_media(ctx, allowed);
        return 0;
    }

    rc = athena_json_parse(ctx->a, req->body, req->body_len,
                           ctx->conf->max_depth, &ctx->body);

    switch (rc) {
    case ATHENA_JSON_OK:
        return 1;

    case ATHENA_JSON_DEPTH:
        athena_body_refused(ctx,
            athena_sprintf(ctx->a, "JSON in request body is nested deeper "
                           "than %u levels", ctx->conf->max_depth));
        return 0;

    case ATHENA_JSON_NOMEM:
        athena_reply_empty(ctx, 500);
        return 0;

    default:
        athena_body_refused(ctx, "Invalid JSON in request body");
        return 0;
    }
}


/* the bearer plugin's after hook: hand out the new session's token */

static void
athena_bearer_after(athena_ctx_t *ctx)
{
    if (ctx->issued == NULL) {
        return;
    }

    athena_reply_expose(ctx, "set-auth-token", ctx->issued);
}


static void
athena_reply_unavailable(athena_ctx_t *ctx)
{
    athena_reply_error(ctx, 503, "SERVICE_UNAVAILABLE",
                       "The auth database is unavailable");
}


static void
athena_store_failed(athena_ctx_t *ctx, athena_store_rc_e rc)
{
    size_t                nevict;
    const char           *err;
    const unsigned char  *evict;

    err = athena_db_error(ctx->db);

    /* what was already revoked stays revoked in every cache */
    evict = ctx->resp->evict;
    nevict = ctx->resp->nevict;

    memset(ctx->resp, 0, sizeof(athena_resp_t));

    ctx->resp->evict = evict;
    ctx->resp->nevict = nevict;

    if (rc == ATHENA_STORE_UNAVAILABLE) {
        ctx->resp->log_error = err ? athena_strdup(ctx->a, err)
                                   : "postgres unavailable";
        athena_reply_unavailable(ctx);
        return;
    }

    /* a value Postgres refused came from the client: never a 500 */
    if (rc == ATHENA_STORE_INVALID) {
        ctx->resp->log_warn = err ? athena_strdup(ctx->a, err)
                                  : "postgres refused a value";
        athena_reply_error(ctx, 400, "BAD_REQUEST",
                           "A value in the request is out of range");
        return;
    }

    /* better-auth answers an unexpected failure with an empty 500 */
    ctx->resp->log_error = err ? athena_strdup(ctx->a, err)
                               : "unexpected store failure";
    athena_reply_empty(ctx, 500);
}


/*
 * The body, the origin check, then (as the api-key plugin's before hook)
 * an x-api-key that makes the request its owner's, then the endpoint.
 */

static athena_store_rc_e
athena_api_steps(athena_ctx_t *ctx)
{
    int                 refused;
    athena_store_rc_e   rc;

    if (!athena_body_parse(ctx)) {
        return ATHENA_STORE_OK;
    }

    if (ctx->req->route->method != ATHENA_GET && !athena_origin_check(ctx)) {
        return ATHENA_STORE_OK;
    }

    if (!(ctx->req->route->flags & ATHENA_ROUTE_KEYLESS)) {
        rc = athena_apikey_session(ctx, &refused);
        if (rc != ATHENA_STORE_OK || refused) {
            return rc;
        }
    }

    return ctx->req->route->handler(ctx);
}


/* an audited route's every outcome, refusals too, leaves its row */

static athena_store_rc_e
athena_api_handle(athena_ctx_t *ctx)
{
    if (ctx->req->route->audit_action != NULL) {
        return athena_audited(ctx, athena_api_steps);
    }

    return athena_api_steps(ctx);
}


static void
athena_ctx_init(athena_ctx_t *ctx, athena_req_t *req, athena_resp_t *resp)
{
    memset(ctx, 0, sizeof(athena_ctx_t));
    memset(resp, 0, sizeof(athena_resp_t));

    ctx->a = req->arena;
    ctx->conf = req->conf;
    ctx->req = req;
    ctx->resp = resp;
    ctx->now = athena_now_ms();
}


/*
 * A route marked ATHENA_ROUTE_SESSION, run on the event loop with the
 * request's session taken from req->session_text instead of the stores:
 * 1 and the answer in resp, or 0 when the route needs a store after all
 * (a refresh that is due, a membership not in hand, an x-api-key): then
 * nothing was changed, and a thread task answers as always. With
 * req->stores_down the session's lookup waited out the stores already:
 * the route answers what a task would after waiting as long (503, after
 * what it checks before the session, as its body).
 */

int
athena_api_answer(athena_req_t *req, athena_resp_t *resp)
{
    athena_ctx_t        ctx;
    athena_store_rc_e   rc;

    if (req->api_key != NULL && req->api_key[0] != '\0') {
        return 0;
    }

    athena_ctx_init(&ctx, req, resp);

    rc = athena_api_steps(&ctx);

    /* the session's lookup found no store answering (req->stores_down) */
    if (rc == ATHENA_STORE_UNAVAILABLE) {
        memset(resp, 0, sizeof(athena_resp_t));
        athena_reply_unavailable(&ctx);
        return 1;
    }

    if (rc != ATHENA_STORE_OK || ctx.in_tx || ctx.nstale || ctx.nstale_keys
        || ctx.stale_owner != NULL)
    {
        return 0;
    }

    athena_bearer_after(&ctx);

    return 1;
}


void
athena_api_run(athena_req_t *req, athena_resp_t *resp)
{
    const char         *warn;
    athena_ctx_t        ctx;
    athena_store_rc_e   rc;

    athena_ctx_init(&ctx, req, resp);

    if (req->route->flags & ATHENA_ROUTE_INLINE) {
        (void) req->route->handler(&ctx);
        return;
    }

    ctx.db = athena_db_acquire(&req->conf->store);
    if (ctx.db == NULL) {
        athena_reply_empty(&ctx, 500);
        return;
    }

    rc = athena_tx_end(&ctx, athena_api_handle(&ctx));

    if (rc == ATHENA_STORE_UNAVAILABLE && athena_db_may_retry(ctx.db)) {
        /* the connection died before this task changed anything */
        athena_db_release(ctx.db);
        memset(resp, 0, sizeof(athena_resp_t));
        ctx.issued = NULL;
        ctx.error_code = NULL;
        ctx.nstale = 0;
        ctx.nstale_keys = 0;
        ctx.stale_owner = NULL;
        ctx.keep = 0;
        ctx.has_session = 0;
        ctx.key_session = 0;
        ctx.session_read = 0;
        ctx.admin_roles = NULL;
        ctx.actor_id = NULL;
        ctx.actor_token = NULL;
        ctx.db = athena_db_acquire(&req->conf->store);
        rc = athena_tx_end(&ctx, athena_api_handle(&ctx));
    }

    if (rc != ATHENA_STORE_OK) {
        athena_store_failed(&ctx, rc);

    } else {
        athena_tx_drop_caches(&ctx);
        athena_bearer_after(&ctx);
    }

    warn = athena_db_warning(ctx.db);
    if (warn != NULL) {
        resp->log_warn = athena_strdup(ctx.a, warn);
    }

    athena_db_release(ctx.db);
}
