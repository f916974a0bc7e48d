/*
 * The organization plugin's invitation routes: invite-member,
 * accept-invitation, reject-invitation, cancel-invitation,
 * get-invitation, list-invitations, list-user-invitations.
 *
 * Invitation e-mails are not sent: better-auth leaves sending to the
 * deployment's sendInvitationEmail, and the module has no mail transport
 * yet; the invitee finds the invitation with list-user-invitations.
 */

#include <string.h>
#include <strings.h>

#include "athena_org.h"
#include "athena/athena_mail.h"
#include "../core/athena_crypto.h"
#include "../core/athena_text.h"
#include "../store/athena_invitation_store.h"


/* better-auth reads at most this many rows where no limit is given */
#define ATHENA_INVITATION_LIST_MAX  100


/* {invitationId}, the body of accept, reject and cancel */

static const char *
athena_invitation_body_id(athena_ctx_t *ctx, athena_check_t *chk)
{
    const athena_json_t  *id;

    athena_check_init(chk, ctx->a, ctx->body, "body");

    if (!athena_check_object(chk)) {
        return NULL;
    }

    id = athena_check_string(chk, "invitationId", 1);

    return id ? id->string : NULL;
}


/* whether the invitation is addressed to the caller (case aside) */

static int
athena_invitation_is_mine(athena_ctx_t *ctx, const athena_invitation_t *inv)
{
    char  *mine, *theirs;

    mine = athena_email_normalize(ctx->a, ctx->user.email,
                                  strlen(ctx->user.email));
    theirs = athena_email_normalize(ctx->a, inv->email, strlen(inv->email));

    return mine != NULL && theirs != NULL && strcmp(mine, theirs) == 0;
}


/*
 * The invitation id names, pending and addressed to the caller; *ok is 0
 * after an answer: 400 INVITATION_NOT_FOUND in the words not_found (also
 * for an expired one, when unexpired), 403 for someone else's.
 */

static athena_store_rc_e
athena_invitation_mine(athena_ctx_t *ctx, const char *id, int unexpired,
    const char *not_found, athena_invitation_info_t *info, int *ok)
{
    athena_store_rc_e  rc;

    *ok = 0;

    rc = athena_invitation_get(ctx->db, ctx->a, id, info);

    if (rc == ATHENA_STORE_OK
        && ((unexpired && info->inv.expires_at < ctx->now)
            || strcmp(info->inv.status, "pending") != 0))
    {
        rc = ATHENA_STORE_NOT_FOUND;
    }

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_reply_error(ctx, 400, "INVITATION_NOT_FOUND", not_found);
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (!athena_invitation_is_mine(ctx, &info->inv)) {
        athena_org_fail(ctx, 403,
                        "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION");
        return ATHENA_STORE_OK;
    }

    *ok = 1;

    return ATHENA_STORE_OK;
}


/*
 * POST /organization/invite-member {email, role, organizationId?,
 * resend?}: the new pending invitation. The organization's row is locked
 * first, so that concurrent invitations count the limit one at a time.
 */

athena_store_rc_e
athena_api_org_invite_member(athena_ctx_t *ctx)
{
    int                   ok, creator, resend;
    char                 *email;
    int64_t               pending;
    const char           *org_id, *roles, *unknown;
    athena_org_t          org;
    athena_check_t        chk;
    athena_member_t       me, other;
    athena_store_rc_e     rc;
    athena_invitation_t   inv;
    const athena_json_t  *vemail, *team;
    char                  id[ATHENA_ID_LEN + 1];

    vemail = NULL;
    roles = NULL;
    resend = 0;
    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (athena_check_object(&chk)) {
        vemail = athena_check_string(&chk, "email", 1);
        roles = athena_org_roles_read(ctx, &chk, "role");
        (void) athena_check_string(&chk, "organizationId", 0);
        resend = athena_check_bool(&chk, "resend", 0);

        /* teams are off: a teamId is checked for its type and ignored */
        team = athena_json_get(ctx->body, "teamId");
        if (team != NULL && team->type != ATHENA_JSON_STRING
            && !athena_json_strings(team))
        {
            athena_check_issue(&chk, "teamId", "Invalid input");
        }
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    org_id = athena_org_body_id(ctx, "organizationId");
    if (org_id == NULL) {
        athena_org_fail(ctx, 400, "ORGANIZATION_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    email = athena_email_normalize(ctx->a, vemail->string, vemail->len);
    if (email == NULL || !athena_email_valid(email)) {
        athena_org_fail(ctx, 400, "INVALID_EMAIL");
        return ATHENA_STORE_OK;
    }

    rc = athena_org_member_of(ctx, org_id, &org, 400, "MEMBER_NOT_FOUND", &me,
                              &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (!athena_org_may(me.role, "invitation", "create")) {
        athena_org_fail(ctx, 403, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_"
                                  "THIS_ORGANIZATION");
        return ATHENA_STORE_OK;
    }

    if (*roles == '\0') {
        athena_org_fail(ctx, 400, "ROLE_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    unknown = athena_org_roles_unknown(ctx, roles);
    if (unknown != NULL) {
        /* a message alone: better-auth builds it from the code's name */
        athena_reply_message(ctx, 400, athena_sprintf(ctx->a,
                                           "ROLE_NOT_FOUND: %s", unknown));
        return ATHENA_STORE_OK;
    }

    creator = athena_org_is_creator(ctx, me.role);

    if (!creator && athena_org_is_creator(ctx, roles)) {
        athena_org_fail(ctx, 403, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_"
                                  "THIS_ROLE");
        return ATHENA_STORE_OK;
    }

    rc = athena_member_find(ctx->db, ctx->a, ATHENA_MEMBER_BY_EMAIL, org_id,
                            email, &other);

    if (rc == ATHENA_STORE_OK) {
        athena_org_fail(ctx, 400,
                        "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_NOT_FOUND) {
        return rc;
    }

    rc = athena_invitation_pending(ctx->db, ctx->a, org_id, email, ctx->now,
                                   &inv);

    if (rc == ATHENA_STORE_OK) {
        if (!resend) {
            athena_org_fail(ctx, 400,
                            "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION");
            return ATHENA_STORE_OK;
        }

        /* a resend extends the invitation it finds; its role stays */
        if (!creator && athena_org_is_creator(ctx, inv.role)) {
            athena_org_fail(ctx, 403, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_"
                                      "WITH_THIS_ROLE");
            return ATHENA_STORE_OK;
        }

        rc = athena_invitation_extend(ctx->db, ctx->a, inv.id,
                                      ctx->now + ctx->conf->invitation_ttl,
                                      &inv);
        if (rc == ATHENA_STORE_OK) {
            rc = athena_mail_invitation(ctx, org.name, inv.id, inv.email,
                                        inv.role);
        }

        if (rc == ATHENA_STORE_OK) {
            athena_reply_invitation(ctx, &inv);
        }

        return rc;
    }

    if (rc != ATHENA_STORE_NOT_FOUND) {
        return rc;
    }

    rc = athena_invitation_count_pending(ctx->db, ctx->a, org_id, ctx->now,
                                         &pending);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (pending >= ctx->conf->invitation_limit) {
        athena_org_fail(ctx, 403, "INVITATION_LIMIT_REACHED");
        return ATHENA_STORE_OK;
    }

    if (athena_random_id(id) != 0) {
        return ATHENA_STORE_ERROR;
    }

    memset(&inv, 0, sizeof(athena_invitation_t));
    inv.id = id;
    inv.organization_id = (char *) org_id;
    inv.email = email;
    inv.role = (char *) roles;
    inv.status = "pending";
    inv.expires_at = ctx->now + ctx->conf->invitation_ttl;
    inv.created_at = ctx->now;
    inv.inviter_id = ctx->user.id;

    rc = athena_invitation_insert(ctx->db, ctx->a, &inv);

    /* the mail is queued in the invitation's own transaction */
    if (rc == ATHENA_STORE_OK) {
        rc = athena_mail_invitation(ctx, org.name, inv.id, inv.email,
                                    inv.role);
    }

    if (rc == ATHENA_STORE_OK) {
        athena_reply_invitation(ctx, &inv);
    }

    return rc;
}


/* {invitation, member}, member null when there is none */

static void
athena_reply_invitation_member(athena_ctx_t *ctx,
    const athena_invitation_t *inv, const athena_member_t *m)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "invitation");
    athena_gen_map_open(g);
    athena_gen_invitation_fields(g, inv);
    athena_gen_map_close(g);
    athena_gen_key(g, "member");

    if (m != NULL) {
        athena_gen_member(g, m, 0);

    } else {
        athena_gen_null(g);
    }

    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
}


/*
 * POST /organization/accept-invitation {invitationId}: {invitation,
 * member}, and the organization becomes the session's active one. One
 * transaction: the organization's row is locked (the membership limit is
 * counted by one request at a time) and the invitation moves from
 * pending to accepted only if it still is pending, so of two concurrent
 * accepts the second finds nothing.
 */

athena_store_rc_e
athena_api_org_accept_invitation(athena_ctx_t *ctx)
{
    int                        ok;
    int64_t                    members;
    const char                *id;
    athena_org_t               org;
    athena_check_t             chk;
    athena_member_t            m, other;
    athena_store_rc_e          rc;
    athena_invitation_t        inv;
    athena_invitation_info_t   info;
    char                       member_id[ATHENA_ID_LEN + 1];

    id = athena_invitation_body_id(ctx, &chk);

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_invitation_mine(ctx, id, 1, "Invitation not found", &info,
                                &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_org_get(ctx->db, ctx->a, info.inv.organization_id, NULL, 1,
                        &org);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_org_fail(ctx, 400, "ORGANIZATION_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_member_count(ctx->db, ctx->a, org.id, NULL, &members);
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (members >= ctx->conf->membership_limit) {
        athena_org_fail(ctx, 403, "ORGANIZATION_MEMBERSHIP_LIMIT_REACHED");
        return ATHENA_STORE_OK;
    }

    rc = athena_invitation_set_status(ctx->db, ctx->a, id, "pending",
                                      "accepted", &inv);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_org_fail(ctx, 400, "INVITATION_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    /* unlike better-auth, one user is never two members of one org */
    rc = athena_member_find(ctx->db, ctx->a, ATHENA_MEMBER_BY_USER, org.id,
                            ctx->user.id, &other);

    if (rc == ATHENA_STORE_OK) {
        athena_org_fail(ctx, 400,
                        "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_NOT_FOUND) {
        return rc;
    }

    if (athena_random_id(member_id) != 0) {
        return ATHENA_STORE_ERROR;
    }

    memset(&m, 0, sizeof(athena_member_t));
    m.id = member_id;
    m.organization_id = org.id;
    m.user_id = ctx->user.id;
    m.role = inv.role ? (char *) athena_org_roles_normalize(ctx, inv.role)
                      : "member";
    if (m.role == NULL) {
        return ATHENA_STORE_ERROR;
    }
    m.created_at = ctx->now;

    rc = athena_member_insert(ctx->db, ctx->a, &m);

    if (rc == ATHENA_STORE_OK) {
        rc = athena_org_member_changed(ctx, org.id, ctx->user.id);
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_org_activate(ctx, org.id, 0);
    }

    if (rc == ATHENA_STORE_OK) {
        athena_reply_invitation_member(ctx, &inv, &m);
    }

    return rc;
}


/*
 * POST /organization/reject-invitation {invitationId}: {invitation,
 * member: null}. Expiry is not checked, as in better-auth.
 */

athena_store_rc_e
athena_api_org_reject_invitation(athena_ctx_t *ctx)
{
    int                        ok;
    const char                *id;
    athena_check_t             chk;
    athena_store_rc_e          rc;
    athena_invitation_t        inv;
    athena_invitation_info_t   info;

    id = athena_invitation_body_id(ctx, &chk);

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    /* better-auth's own words here, not the table's; expiry is no matter */
    rc = athena_invitation_mine(ctx, id, 0, "Invitation not found!", &info,
                                &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (info.org_name == NULL) {
        athena_org_fail(ctx, 400, "ORGANIZATION_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    rc = athena_invitation_set_status(ctx->db, ctx->a, id, "pending",
                                      "rejected", &inv);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_reply_error(ctx, 400, "INVITATION_NOT_FOUND",
                           "Invitation not found!");
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_reply_invitation_member(ctx, &inv, NULL);
    }

    return rc;
}


/*
 * POST /organization/cancel-invitation {invitationId}: the invitation,
 * now canceled, whatever its status was (as better-auth); needs
 * invitation:cancel.
 */

athena_store_rc_e
athena_api_org_cancel_invitation(athena_ctx_t *ctx)
{
    int                        ok;
    const char                *id;
    athena_check_t             chk;
    athena_member_t            me;
    athena_store_rc_e          rc;
    athena_invitation_t        inv;
    athena_invitation_info_t   info;

    id = athena_invitation_body_id(ctx, &chk);

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_invitation_get(ctx->db, ctx->a, id, &info);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_org_fail(ctx, 400, "INVITATION_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    rc = athena_org_member_of(ctx, info.inv.organization_id, NULL, 400,
                              "MEMBER_NOT_FOUND", &me, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (!athena_org_may(me.role, "invitation", "cancel")) {
        athena_org_fail(ctx, 403,
                        "YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION");
        return ATHENA_STORE_OK;
    }

    rc = athena_invitation_set_status(ctx->db, ctx->a, id, NULL, "canceled",
                                      &inv);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_org_fail(ctx, 400, "INVITATION_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_reply_invitation(ctx, &inv);
    }

    return rc;
}


/*
 * GET /organization/get-invitation?id: the caller's own pending
 * invitation with the organization's name and slug and the inviter's
 * email; the inviter must still be a member.
 */

athena_store_rc_e
athena_api_org_get_invitation(athena_ctx_t *ctx)
{
    int                        ok;
    athena_gen_t              *g;
    const char                *id;
    athena_check_t             chk;
    athena_store_rc_e          rc;
    athena_invitation_info_t   info;

    athena_check_init(&chk, ctx->a, NULL, "query");

    if (athena_query_single(ctx, &chk,
                            (const char *const []) { "id", NULL }) != 0)
    {
        return ATHENA_STORE_ERROR;
    }

    id = athena_query_arg(ctx, "id", NULL);
    if (id == NULL) {
        athena_check_issue(&chk, "id", "Invalid input: expected string,"
                                       " received undefined");
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_NOT_AUTH, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_invitation_mine(ctx, id, 1, "Invitation not found", &info,
                                &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (info.org_name == NULL) {
        athena_org_fail(ctx, 400, "ORGANIZATION_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    if (!info.inviter_is_member) {
        athena_org_fail(ctx, 400,
                        "INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION");
        return ATHENA_STORE_OK;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_map_open(g);
    athena_gen_invitation_fields(g, &info.inv);
    athena_gen_key(g, "organizationName");
    athena_gen_cstr(g, info.org_name);
    athena_gen_key(g, "organizationSlug");
    athena_gen_cstr(g, info.org_slug);
    athena_gen_key(g, "inviterEmail");
    athena_gen_str_or_null(g, info.inviter_email);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}


/*
 * GET /organization/list-invitations?organizationId: every invitation of
 * the organization, any status, those granting the creator role only to
 * a creator; needs invitation:create. Its errors carry no code.
 */

athena_store_rc_e
athena_api_org_list_invitations(athena_ctx_t *ctx)
{
    int                        ok, found, creator;
    size_t                     i, n;
    athena_gen_t              *g;
    const char                *org_id;
    athena_member_t            me;
    athena_store_rc_e          rc;
    athena_invitation_info_t  *list;

    rc = athena_org_query_session(ctx, (const char *const []) {
                                      "organizationId", NULL },
                                  &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    org_id = athena_org_query(ctx, "organizationId");
    if (org_id == NULL) {
        org_id = ctx->session.active_organization_id;
    }

    if (org_id == NULL) {
        athena_reply_message(ctx, 400, "Organization ID is required");
        return ATHENA_STORE_OK;
    }

    rc = athena_org_caller(ctx, org_id, &me, &found);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (!found) {
        athena_reply_message(ctx, 403,
                             "You are not a member of this organization");
        return ATHENA_STORE_OK;
    }

    if (!athena_org_may(me.role, "invitation", "create")) {
        athena_org_fail(ctx, 403, "YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS");
        return ATHENA_STORE_OK;
    }

    rc = athena_invitation_list(ctx->db, ctx->a, org_id, NULL,
                                ATHENA_INVITATION_LIST_MAX, &list, &n);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    creator = athena_org_is_creator(ctx, me.role);

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_array_open(g);

    for (i = 0; i < n; i++) {
        if (!creator && athena_org_is_creator(ctx, list[i].inv.role)) {
            continue;
        }

        athena_gen_map_open(g);
        athena_gen_invitation_fields(g, &list[i].inv);
        athena_gen_map_close(g);
    }

    athena_gen_array_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}


/*
 * GET /organization/list-user-invitations: the pending invitations to the
 * session's (verified) email, expired ones too, each with the
 * organization's name. No session is a 400 here, as in better-auth.
 */

athena_store_rc_e
athena_api_org_list_user_invitations(athena_ctx_t *ctx)
{
    char                      *email;
    size_t                     i, n;
    athena_gen_t              *g;
    athena_store_rc_e          rc;
    athena_invitation_info_t  *list;

    rc = athena_session_load(ctx, 1);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (athena_org_query(ctx, "email") != NULL) {
        athena_reply_message(ctx, 400, "User email cannot be passed for"
                                       " client side API calls.");
        return ATHENA_STORE_OK;
    }

    if (!ctx->has_session) {
        athena_reply_message(ctx, 400, "Missing session headers, or email"
                                       " query parameter.");
        return ATHENA_STORE_OK;
    }

    if (!ctx->user.email_verified) {
        athena_org_fail(ctx, 403, "EMAIL_VERIFICATION_REQUIRED_FOR_"
                                  "INVITATION");
        return ATHENA_STORE_OK;
    }

    email = athena_email_normalize(ctx->a, ctx->user.email,
                                   strlen(ctx->user.email));
    if (email == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_invitation_list(ctx->db, ctx->a, NULL, email,
                                ATHENA_INVITATION_LIST_MAX, &list, &n);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_array_open(g);

    for (i = 0; i < n; i++) {
        if (strcmp(list[i].inv.status, "pending") != 0) {
            continue;
        }

        athena_gen_map_open(g);
        athena_gen_invitation_fields(g, &list[i].inv);
        athena_gen_key(g, "organizationName");
        athena_gen_str_or_null(g, list[i].org_name);
        athena_gen_map_close(g);
    }

    athena_gen_array_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}
