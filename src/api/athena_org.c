/*
 * What the organization plugin's routes share.
 */

#include <string.h>

#include "athena_org.h"
#include "../core/athena_time.h"
#include "../store/athena_auth_store.h"


/* the plugin's codes and messages (ORGANIZATION_ERROR_CODES) */

typedef struct {
    const char  *code;
    const char  *message;
} athena_org_error_t;


static const athena_org_error_t  athena_org_errors[] = {
    { "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION",
      "You are not allowed to create a new organization" },
    { "YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS",
      "You have reached the maximum number of organizations" },
    { "ORGANIZATION_ALREADY_EXISTS", "Organization already exists" },
    { "ORGANIZATION_SLUG_ALREADY_TAKEN", "Organization slug already taken" },
    { "ORGANIZATION_NOT_FOUND", "Organization not found" },
    { "ORGANIZATION_DELETION_DISABLED", "Organization deletion is disabled" },
    { "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION",
      "User is not a member of the organization" },
    { "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION",
      "You are not allowed to update this organization" },
    { "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION",
      "You are not allowed to delete this organization" },
    { "NO_ACTIVE_ORGANIZATION", "No active organization" },
    { "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION",
      "User is already a member of this organization" },
    { "MEMBER_NOT_FOUND", "Member not found" },
    { "ROLE_NOT_FOUND", "Role not found" },
    { "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER",
      "You cannot leave the organization as the only owner" },
    { "YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER",
      "You cannot leave the organization without an owner" },
    { "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER",
      "You are not allowed to delete this member" },
    { "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION",
      "You are not allowed to invite users to this organization" },
    { "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION",
      "User is already invited to this organization" },
    { "INVITATION_NOT_FOUND", "Invitation not found" },
    { "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION",
      "You are not the recipient of the invitation" },
    { "EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION",
      "Email verification required to view or list invitations for the"
      " session email" },
    { "YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION",
      "You are not allowed to cancel this invitation" },
    { "YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS",
      "You are not allowed to list invitations for this organization" },
    { "INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION",
      "Inviter is no longer a member of the organization" },
    { "YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE",
      "You are not allowed to invite a user with this role" },
    { "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER",
      "You are not allowed to update this member" },
    { "ORGANIZATION_MEMBERSHIP_LIMIT_REACHED",
      "Organization membership limit reached" },
    { "INVITATION_LIMIT_REACHED", "Invitation limit reached" },
    { "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION",
      "You are not a member of this organization" },
    { "INVALID_EMAIL", "Invalid email" },
    { NULL, NULL }
};


void
athena_org_fail(athena_ctx_t *ctx, int status, const char *code)
{
    const athena_org_error_t  *e;

    for (e = athena_org_errors; e->code; e++) {
        if (strcmp(e->code, code) == 0) {
            athena_reply_error(ctx, status, code, e->message);
            return;
        }
    }

    /* a code missing from the table is a bug; say so rather than guess */
    ctx->resp->log_error = "organization error code without a message";
    athena_reply_empty(ctx, 500);
}


/*
 * The session, or the route's own answer without one. A route that
 * changes rows opens its transaction here, after the session (and its
 * refresh) is settled.
 */

athena_store_rc_e
athena_org_session(athena_ctx_t *ctx, athena_org_no_session_e style, int *ok)
{
    athena_store_rc_e  rc;

    *ok = 0;

    rc = athena_session_load(ctx, 1);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (!ctx->has_session) {
        switch (style) {
        case ATHENA_ORG_NO_SESSION_EMPTY:
            athena_reply_empty(ctx, 401);
            break;
        case ATHENA_ORG_NO_SESSION_USER:
            athena_reply_message(ctx, 401, "User not found");
            break;
        case ATHENA_ORG_NO_SESSION_NOT_AUTH:
            athena_reply_message(ctx, 401, "Not authenticated");
            break;
        default:
            athena_reply_error(ctx, 401, "UNAUTHORIZED", "Unauthorized");
        }

        return ATHENA_STORE_OK;
    }

    rc = athena_tx_begin(ctx);
    if (rc == ATHENA_STORE_OK) {
        *ok = 1;
    }

    return rc;
}


/*
 * A GET's start: each of names given at most once (zod refuses a
 * repeated one), then the session (401 UNAUTHORIZED without one).
 */

athena_store_rc_e
athena_org_query_session(athena_ctx_t *ctx, const char *const *names,
    int *ok)
{
    athena_check_t  chk;

    *ok = 0;
    athena_check_init(&chk, ctx->a, NULL, "query");

    if (athena_query_single(ctx, &chk, names) != 0) {
        return ATHENA_STORE_ERROR;
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    return athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, ok);
}


/*
 * An organization id from the body, else the session's active one, as
 * better-auth's "organizationId || session.activeOrganizationId" (so an
 * empty string falls back too). NULL when neither is there.
 */

const char *
athena_org_body_id(athena_ctx_t *ctx, const char *field)
{
    const athena_json_t  *v;

    v = ctx->body ? athena_json_get(ctx->body, field) : NULL;

    if (v != NULL && v->type == ATHENA_JSON_STRING && v->len) {
        return v->string;
    }

    return ctx->session.active_organization_id;
}


/* a query parameter as better-auth's truthiness reads it: "" is none */

const char *
athena_org_query(athena_ctx_t *ctx, const char *name)
{
    char    *v;
    size_t   len;

    v = athena_query_arg(ctx, name, &len);

    return v != NULL && len ? v : NULL;
}


/* the caller's member row in org_id (NULL: found stays 0) */

athena_store_rc_e
athena_org_caller(athena_ctx_t *ctx, const char *org_id, athena_member_t *m,
    int *found)
{
    athena_store_rc_e  rc;

    *found = 0;

    if (org_id == NULL) {
        return ATHENA_STORE_OK;
    }

    rc = athena_member_find(ctx->db, ctx->a, ATHENA_MEMBER_BY_USER, org_id,
                            ctx->user.id, m);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        return ATHENA_STORE_OK;
    }

    *found = rc == ATHENA_STORE_OK;

    return rc;
}


/*
 * The caller's membership of org_id, or the answer status and code when
 * there is none (or no such organization, or org_id is NULL). With
 * locked, the organization's row is read into it and locked first, to the
 * end of the transaction: requests that add or remove members then count
 * limits and owners one at a time. *ok is 0 after an answer.
 */

athena_store_rc_e
athena_org_member_of(athena_ctx_t *ctx, const char *org_id,
    athena_org_t *locked, int status, const char *code, athena_member_t *me,
    int *ok)
{
    athena_store_rc_e  rc;

    *ok = 0;
    rc = ATHENA_STORE_OK;

    if (locked != NULL && org_id != NULL) {
        rc = athena_org_get(ctx->db, ctx->a, org_id, NULL, 1, locked);
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_org_caller(ctx, org_id, me, ok);
    }

    if (rc == ATHENA_STORE_NOT_FOUND || (rc == ATHENA_STORE_OK && !*ok)) {
        *ok = 0;
        athena_org_fail(ctx, status, code);
        return ATHENA_STORE_OK;
    }

    return rc;
}


int
athena_org_may(const char *roles, const char *resource, const char *action)
{
    athena_permission_t  perm;

    perm.resource = resource;
    perm.actions = &action;
    perm.nactions = 1;

    return athena_access_allows(&athena_org_access, roles, &perm, 1);
}


int
athena_org_is_creator(athena_ctx_t *ctx, const char *roles)
{
    return athena_roles_include(roles, ctx->conf->creator_role, 1);
}


/*
 * The request's session gets org_id (NULL: none) as its active
 * organization; better-auth's set-active alone sends the cookie again.
 * Its cached copies go once the change commits.
 */

athena_store_rc_e
athena_org_activate(athena_ctx_t *ctx, const char *org_id, int cookie)
{
    athena_store_rc_e  rc;

    rc = athena_session_set_active(ctx->db, ctx->a, ctx->session.token,
                                   org_id, ctx->now);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->session.active_organization_id = (char *) org_id;
    ctx->session.updated_at = ctx->now;

    if (athena_stale_add(ctx, (const char **) &ctx->session.token, 1) != 0) {
        return ATHENA_STORE_ERROR;
    }

    if (cookie) {
        athena_cookie_set_session(ctx, ctx->session.token,
                                  !ctx->dont_remember);
    }

    return ATHENA_STORE_OK;
}


/* whether the creator role's holders in org_id are at most one */

athena_store_rc_e
athena_org_last_creator(athena_ctx_t *ctx, const char *org_id, int *last)
{
    int64_t             n;
    athena_store_rc_e   rc;

    n = 0;
    rc = athena_member_count(ctx->db, ctx->a, org_id,
                             ctx->conf->creator_role, &n);
    *last = n <= 1;

    return rc;
}


/*
 * The member leaves its organization (leave, remove-member): the row,
 * the caches of the membership, and the active organization of this
 * session if the member is the caller's own and it was the active one.
 */

athena_store_rc_e
athena_org_member_remove(athena_ctx_t *ctx, const athena_member_t *m)
{
    athena_store_rc_e  rc;

    rc = athena_member_delete(ctx->db, ctx->a, m->id);

    if (rc == ATHENA_STORE_OK) {
        rc = athena_org_member_changed(ctx, m->organization_id, m->user_id);
    }

    if (rc == ATHENA_STORE_OK
        && strcmp(m->user_id, ctx->user.id) == 0
        && ctx->session.active_organization_id != NULL
        && strcmp(ctx->session.active_organization_id,
                  m->organization_id) == 0)
    {
        rc = athena_org_activate(ctx, NULL, 0);
    }

    return rc;
}


/*
 * A membership was added, changed or removed: the gate's cached
 * membership (Redis) and the identities of the user's sessions that have
 * the organization active go once the change commits.
 */

athena_store_rc_e
athena_org_member_changed(athena_ctx_t *ctx, const char *org_id,
    const char *user_id)
{
    char               *key;
    size_t              n;
    const char        **tokens;
    athena_store_rc_e   rc;

    key = athena_member_cache_key(ctx->a, ctx->conf->store.cache_prefix,
                                  org_id, user_id);
    if (key == NULL || athena_stale_key(ctx, key) != 0) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_member_sessions(ctx->db, ctx->a, org_id, user_id, &tokens,
                                &n);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    return athena_stale_add(ctx, tokens, n) == 0 ? ATHENA_STORE_OK
                                                 : ATHENA_STORE_ERROR;
}


/*
 * An organization deleted: the sessions that had it active (tokens) and
 * its members' cached memberships (users) leave the caches on commit.
 * Returns 0, or -1 when memory ran out.
 */

int
athena_org_gone(athena_ctx_t *ctx, const char *org_id,
    const char *const *tokens, size_t n, const char *const *users,
    size_t nusers)
{
    char    *key;
    size_t   i;

    if (athena_stale_add(ctx, tokens, n) != 0) {
        return -1;
    }

    for (i = 0; i < nusers; i++) {
        key = athena_member_cache_key(ctx->a, ctx->conf->store.cache_prefix,
                                      org_id, users[i]);
        if (key == NULL || athena_stale_key(ctx, key) != 0) {
            return -1;
        }
    }

    return 0;
}


typedef struct {
    athena_arena_t  *arena;
    char            *out;
    int              unknown;         /* collect only the unknown names */
    const char      *sep;
} athena_roles_out_t;


static int
athena_roles_add(const char *name, size_t len, void *data)
{
    athena_roles_out_t  *r = data;

    if (len == 0
        || (r->unknown && athena_access_role(&athena_org_access, name, len)))
    {
        return 0;
    }

    r->out = athena_sprintf(r->arena, "%s%s%.*s", r->out ? r->out : "",
                            r->out && *r->out ? r->sep : "", (int) len, name);

    return r->out == NULL;
}


/* appends the trimmed, non-empty names of "a, b,,c" to out */

static char *
athena_roles_join(athena_arena_t *a, char *out, const char *list)
{
    athena_roles_out_t  r;

    r.arena = a;
    r.out = out;
    r.unknown = 0;
    r.sep = ",";

    (void) athena_roles_each(list, 1, athena_roles_add, &r);

    return r.out;
}


/*
 * A role field, a string or an array of strings, as better-auth's
 * parseRoles stores it: every piece split at commas, trimmed, empty ones
 * dropped, joined with ",". "" when nothing is left; NULL after an issue.
 */

const char *
athena_org_roles_read(athena_ctx_t *ctx, athena_check_t *chk,
    const char *field)
{
    char                 *out;
    size_t                i;
    const athena_json_t  *v;

    v = athena_json_get(chk->obj, field);

    if (v != NULL && v->type == ATHENA_JSON_STRING) {
        return athena_roles_join(ctx->a, athena_strdup(ctx->a, ""),
                                 v->string);
    }

    if (athena_json_strings(v)) {
        out = athena_strdup(ctx->a, "");

        for (i = 0; i < v->n && out != NULL; i++) {
            out = athena_roles_join(ctx->a, out, v->items[i]->string);
        }

        return out;
    }

    /* zod's message for a value (or none) that fits no member of a union */
    athena_check_issue(chk, field, "Invalid input");

    return NULL;
}


/* a stored role list as parseRoles writes it: "a , b," is "a,b" */

const char *
athena_org_roles_normalize(athena_ctx_t *ctx, const char *roles)
{
    return athena_roles_join(ctx->a, athena_strdup(ctx->a, ""), roles);
}


/* "x, y" for the names in roles (already joined) that no role has */

const char *
athena_org_roles_unknown(athena_ctx_t *ctx, const char *roles)
{
    athena_roles_out_t  r;

    r.arena = ctx->a;
    r.out = NULL;
    r.unknown = 1;
    r.sep = ", ";

    (void) athena_roles_each(roles, 1, athena_roles_add, &r);

    return r.out;
}


/*
 * A value as better-auth's update answers its metadata: parsed by its
 * JSON parser, which turns ISO date strings into Dates, so they come back
 * as toISOString() writes them.
 */

static void
athena_gen_revived(athena_gen_t *g, const athena_json_t *v)
{
    size_t   i;
    int64_t  ms;
    char     iso[ATHENA_ISO_LEN + 1];

    switch (v->type) {

    case ATHENA_JSON_STRING:
        /* years past 9999 would need toISOString's six-digit form */
        if (athena_time_revive(v->string, &ms) && ms >= -62167219200000LL
            && ms <= 253402300799999LL)
        {
            athena_time_iso(ms, iso);
            athena_gen_cstr(g, iso);
            return;
        }

        break;

    case ATHENA_JSON_ARRAY:
        athena_gen_array_open(g);
        for (i = 0; i < v->n; i++) {
            athena_gen_revived(g, v->items[i]);
        }
        athena_gen_array_close(g);
        return;

    case ATHENA_JSON_OBJECT:
        athena_gen_map_open(g);
        for (i = 0; i < v->n; i++) {
            athena_gen_key(g, v->keys[i]);
            athena_gen_revived(g, v->items[i]);
        }
        athena_gen_map_close(g);
        return;

    default:
        break;
    }

    athena_gen_value(g, v);
}


/* o's metadata as JSON, or NULL (none, or text that is no JSON) */

athena_json_t *
athena_org_metadata(athena_arena_t *a, const athena_org_t *o)
{
    athena_json_t  *parsed;

    parsed = NULL;

    /* written by better-auth or by us: JSON, but depth is theirs */
    if (o->metadata != NULL) {
        (void) athena_json_parse(a, o->metadata, strlen(o->metadata), 512,
                                 &parsed);
    }

    return parsed;
}


/* schema order, id last: name, slug, logo, createdAt, metadata, id */

void
athena_gen_org_fields(athena_gen_t *g, athena_arena_t *a, const athena_org_t *o,
    athena_org_meta_e meta)
{
    athena_gen_org_parsed(g, o, meta, meta == ATHENA_ORG_META_RAW
                                      ? NULL : athena_org_metadata(a, o));
}


/* the same, the metadata parsed by the caller (athena_org_metadata()) */

void
athena_gen_org_parsed(athena_gen_t *g, const athena_org_t *o,
    athena_org_meta_e meta, const athena_json_t *parsed)
{
    athena_gen_key(g, "name");
    athena_gen_cstr(g, o->name);
    athena_gen_key(g, "slug");
    athena_gen_cstr(g, o->slug);
    athena_gen_key(g, "logo");
    athena_gen_str_or_null(g, o->logo);
    athena_gen_key(g, "createdAt");
    athena_gen_time(g, o->created_at);

    if (meta == ATHENA_ORG_META_RAW) {
        athena_gen_key(g, "metadata");
        athena_gen_str_or_null(g, o->metadata);

    } else if (o->metadata != NULL) {
        athena_gen_key(g, "metadata");

        if (parsed != NULL && meta == ATHENA_ORG_META_REVIVED) {
            athena_gen_revived(g, parsed);

        } else if (parsed != NULL) {
            athena_gen_value(g, parsed);

        } else {
            athena_gen_cstr(g, o->metadata);
        }
    }

    athena_gen_key(g, "id");
    athena_gen_cstr(g, o->id);
}


/* organizationId, userId, role, createdAt, id, then user {id, ...} */

void
athena_gen_member(athena_gen_t *g, const athena_member_t *m, int with_user)
{
    athena_gen_map_open(g);

    athena_gen_key(g, "organizationId");
    athena_gen_cstr(g, m->organization_id);
    athena_gen_key(g, "userId");
    athena_gen_cstr(g, m->user_id);
    athena_gen_key(g, "role");
    athena_gen_cstr(g, m->role);
    athena_gen_key(g, "createdAt");
    athena_gen_time(g, m->created_at);
    athena_gen_key(g, "id");
    athena_gen_cstr(g, m->id);

    if (with_user) {
        athena_gen_key(g, "user");
        athena_gen_map_open(g);
        athena_gen_key(g, "id");
        athena_gen_cstr(g, m->user_id);
        athena_gen_key(g, "name");
        athena_gen_cstr(g, m->user_name);
        athena_gen_key(g, "email");
        athena_gen_cstr(g, m->user_email);
        athena_gen_key(g, "image");
        athena_gen_str_or_null(g, m->user_image);
        athena_gen_map_close(g);
    }

    athena_gen_map_close(g);
}


/* without teams there is no teamId key */

void
athena_gen_invitation_fields(athena_gen_t *g, const athena_invitation_t *i)
{
    athena_gen_key(g, "organizationId");
    athena_gen_cstr(g, i->organization_id);
    athena_gen_key(g, "email");
    athena_gen_cstr(g, i->email);
    athena_gen_key(g, "role");
    athena_gen_str_or_null(g, i->role);
    athena_gen_key(g, "status");
    athena_gen_cstr(g, i->status);
    athena_gen_key(g, "expiresAt");
    athena_gen_time(g, i->expires_at);
    athena_gen_key(g, "createdAt");
    athena_gen_time(g, i->created_at);
    athena_gen_key(g, "inviterId");
    athena_gen_cstr(g, i->inviter_id);
    athena_gen_key(g, "id");
    athena_gen_cstr(g, i->id);
}


void
athena_reply_org(athena_ctx_t *ctx, const athena_org_t *o,
    athena_org_meta_e meta)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_org_fields(g, ctx->a, o, meta);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
}


/* the member alone, or as {wrap: member} */

void
athena_reply_member(athena_ctx_t *ctx, const athena_member_t *m,
    int with_user, const char *wrap)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    if (wrap) {
        athena_gen_map_open(g);
        athena_gen_key(g, wrap);
    }

    athena_gen_member(g, m, with_user);

    if (wrap) {
        athena_gen_map_close(g);
    }

    athena_reply_gen(ctx, 200, g);
}


void
athena_reply_invitation(athena_ctx_t *ctx, const athena_invitation_t *i)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_invitation_fields(g, i);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
}
