/*
 * The organization plugin's own routes (seed 001): create, update,
 * delete, set-active, list, get-organization, get-full-organization,
 * check-slug, leave, has-permission. Order of checks as better-auth:
 * body, session (each route's own 401), then lookups and permissions.
 */

#include <stdlib.h>
#include <string.h>

#include "athena_org.h"
#include "../core/athena_crypto.h"
#include "../store/athena_invitation_store.h"


/* better-auth reads at most this many rows where no limit is given */
#define ATHENA_ORG_LIST_MAX  100


static void
athena_reply_null(athena_ctx_t *ctx)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g != NULL) {
        athena_gen_null(g);
        athena_reply_gen(ctx, 200, g);
    }
}


/* a request body that must be an object; its checks go into chk */

static int
athena_org_body(athena_ctx_t *ctx, athena_check_t *chk)
{
    athena_check_init(chk, ctx->a, ctx->body, "body");

    return athena_check_object(chk);
}


/*
 * POST /organization/create {name, slug, logo?, metadata?,
 * keepCurrentActiveOrganization?}: the organization, the caller as its
 * creatorRole member and (unless kept) the session's active organization,
 * in one transaction. A taken slug is found by the unique constraint.
 */

athena_store_rc_e
athena_api_org_create(athena_ctx_t *ctx)
{
    int                   ok, keep;
    int64_t               count;
    athena_gen_t         *g;
    athena_org_t          org;
    athena_check_t        chk;
    athena_member_t       member;
    athena_store_rc_e     rc;
    const athena_json_t  *name, *slug, *logo;
    char                  org_id[ATHENA_ID_LEN + 1];
    char                  member_id[ATHENA_ID_LEN + 1];

    name = NULL;
    slug = NULL;
    logo = NULL;
    keep = 0;

    memset(&org, 0, sizeof(athena_org_t));

    if (athena_org_body(ctx, &chk)) {
        name = athena_check_text(&chk, "name", 1);
        slug = athena_check_text(&chk, "slug", 1);
        logo = athena_check_nullish(&chk, "logo");
        org.metadata = (char *) athena_check_record_text(&chk, "metadata");
        keep = athena_check_bool(&chk, "keepCurrentActiveOrganization", 0);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_EMPTY, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (!ctx->conf->org_create) {
        athena_org_fail(ctx, 403,
                        "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION");
        return ATHENA_STORE_OK;
    }

    if (ctx->conf->org_limit >= 0) {
        rc = athena_org_count_of(ctx->db, ctx->a, ctx->user.id, &count);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }

        /* better-auth counts a list it reads with its default limit */
        if (count > ATHENA_ORG_LIST_MAX) {
            count = ATHENA_ORG_LIST_MAX;
        }

        if (count >= ctx->conf->org_limit) {
            athena_org_fail(ctx, 403, "YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_"
                                      "OF_ORGANIZATIONS");
            return ATHENA_STORE_OK;
        }
    }

    if (athena_random_id(org_id) != 0 || athena_random_id(member_id) != 0) {
        return ATHENA_STORE_ERROR;
    }

    org.id = org_id;
    org.name = name->string;
    org.slug = slug->string;
    org.logo = logo && logo->type == ATHENA_JSON_STRING ? logo->string : NULL;
    org.created_at = ctx->now;

    rc = athena_org_insert(ctx->db, ctx->a, &org);

    if (rc == ATHENA_STORE_CONFLICT) {
        athena_org_fail(ctx, 400, "ORGANIZATION_ALREADY_EXISTS");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    memset(&member, 0, sizeof(athena_member_t));
    member.id = member_id;
    member.organization_id = org_id;
    member.user_id = ctx->user.id;
    member.role = (char *) ctx->conf->creator_role;
    member.created_at = ctx->now;

    rc = athena_member_insert(ctx->db, ctx->a, &member);
    if (rc == ATHENA_STORE_OK) {
        rc = athena_org_member_changed(ctx, org_id, ctx->user.id);
    }

    if (rc == ATHENA_STORE_OK && !keep) {
        rc = athena_org_activate(ctx, org.id, 0);
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_map_open(g);
    athena_gen_org_fields(g, ctx->a, &org, ATHENA_ORG_META_PARSED);
    athena_gen_key(g, "members");
    athena_gen_array_open(g);
    athena_gen_member(g, &member, 0);
    athena_gen_array_close(g);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}


/*
 * POST /organization/update {data: {name?, slug?, logo?, metadata?},
 * organizationId?}: needs organization:update. A slug another
 * organization holds is refused by the unique constraint.
 */

athena_store_rc_e
athena_api_org_update(athena_ctx_t *ctx)
{
    int                   ok;
    const char           *org_id;
    athena_org_t          set, org;
    athena_check_t        chk, dchk;
    athena_member_t       me;
    athena_store_rc_e     rc;
    const athena_json_t  *data, *name, *slug, *logo;

    memset(&set, 0, sizeof(athena_org_t));
    name = NULL;
    slug = NULL;
    logo = NULL;

    if (athena_org_body(ctx, &chk)) {
        (void) athena_check_string(&chk, "organizationId", 0);
        data = athena_json_get(ctx->body, "data");

        if (data == NULL || data->type != ATHENA_JSON_OBJECT) {
            athena_check_issue(&chk, "data",
                               "Invalid input: expected object, received %s",
                               athena_json_type_name(data));

        } else {
            athena_check_init(&dchk, ctx->a, data, "body.data");
            name = athena_check_text(&dchk, "name", 0);
            slug = athena_check_text(&dchk, "slug", 0);
            logo = athena_check_nullish(&dchk, "logo");
            set.metadata = (char *) athena_check_record_text(&dchk,
                                                             "metadata");
            athena_check_merge(&chk, &dchk);
        }
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_USER, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    org_id = athena_org_body_id(ctx, "organizationId");
    if (org_id == NULL) {
        athena_org_fail(ctx, 400, "ORGANIZATION_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    rc = athena_org_member_of(ctx, org_id, NULL, 400,
                              "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION",
                              &me, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (!athena_org_may(me.role, "organization", "update")) {
        athena_org_fail(ctx, 403,
                        "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION");
        return ATHENA_STORE_OK;
    }

    set.id = (char *) org_id;
    set.name = name ? name->string : NULL;
    set.slug = slug ? slug->string : NULL;
    set.logo = logo && logo->type == ATHENA_JSON_STRING ? logo->string : NULL;

    rc = athena_org_update(ctx->db, ctx->a, &set, logo != NULL, &org);

    if (rc == ATHENA_STORE_CONFLICT) {
        athena_org_fail(ctx, 400, "ORGANIZATION_SLUG_ALREADY_TAKEN");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_reply_org(ctx, &org, ATHENA_ORG_META_REVIVED);

    return ATHENA_STORE_OK;
}


/*
 * POST /organization/delete {organizationId}: needs organization:delete.
 * Members, invitations and the organization go in one transaction; every
 * session that had it active loses it, and the caches forget them all.
 */

athena_store_rc_e
athena_api_org_delete(athena_ctx_t *ctx)
{
    int                   ok;
    size_t                n, nusers;
    const char          **tokens, **users;
    athena_org_t          org;
    athena_check_t        chk;
    athena_member_t       me;
    athena_store_rc_e     rc;
    const athena_json_t  *id;

    id = NULL;

    if (athena_org_body(ctx, &chk)) {
        id = athena_check_string(&chk, "organizationId", 1);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    /* better-auth refuses before it looks at the session */
    if (!ctx->conf->org_deletion) {
        athena_org_fail(ctx, 404, "ORGANIZATION_DELETION_DISABLED");
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_EMPTY, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (id->len == 0) {
        athena_org_fail(ctx, 400, "ORGANIZATION_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    /* no member joins or leaves while it goes */
    rc = athena_org_member_of(ctx, id->string, &org, 400,
                              "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION",
                              &me, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (!athena_org_may(me.role, "organization", "delete")) {
        athena_org_fail(ctx, 403,
                        "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION");
        return ATHENA_STORE_OK;
    }

    rc = athena_org_delete(ctx->db, ctx->a, org.id, &tokens, &n, &users,
                           &nusers);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (athena_org_gone(ctx, org.id, tokens, n, users, nusers) != 0) {
        return ATHENA_STORE_ERROR;
    }

    athena_reply_org(ctx, &org, ATHENA_ORG_META_RAW);

    return ATHENA_STORE_OK;
}


/*
 * POST /organization/set-active {organizationId?: string|null,
 * organizationSlug?}: null unsets; neither re-checks the active one. A
 * caller who is not a member loses the active organization (committed)
 * and gets 403. The session cookie is sent again, as better-auth does.
 */

athena_store_rc_e
athena_api_org_set_active(athena_ctx_t *ctx)
{
    int                   ok, found;
    const char           *id, *slug;
    athena_org_t          org;
    athena_check_t        chk;
    athena_member_t       me;
    athena_store_rc_e     rc;
    const athena_json_t  *vid, *vslug;

    vid = NULL;
    vslug = NULL;

    if (athena_org_body(ctx, &chk)) {
        vid = athena_check_nullish(&chk, "organizationId");
        vslug = athena_check_string(&chk, "organizationSlug", 0);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (vid != NULL && vid->type == ATHENA_JSON_NULL) {
        if (ctx->session.active_organization_id != NULL) {
            rc = athena_org_activate(ctx, NULL, 1);
        }

        if (rc == ATHENA_STORE_OK) {
            athena_reply_null(ctx);
        }

        return rc;
    }

    id = vid && vid->len ? vid->string : NULL;
    slug = vslug && vslug->len ? vslug->string : NULL;

    if (id == NULL && slug == NULL) {
        id = ctx->session.active_organization_id;

        if (id == NULL) {
            athena_reply_null(ctx);
            return ATHENA_STORE_OK;
        }
    }

    if (id == NULL) {
        rc = athena_org_get(ctx->db, ctx->a, NULL, slug, 0, &org);

        if (rc == ATHENA_STORE_NOT_FOUND) {
            athena_org_fail(ctx, 400, "ORGANIZATION_NOT_FOUND");
            return ATHENA_STORE_OK;
        }

        if (rc != ATHENA_STORE_OK) {
            return rc;
        }

        id = org.id;
    }

    rc = athena_org_caller(ctx, id, &me, &found);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (!found) {
        rc = athena_org_activate(ctx, NULL, 0);
        if (rc == ATHENA_STORE_OK) {
            ctx->keep = 1;
            athena_org_fail(ctx, 403,
                            "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION");
        }

        return rc;
    }

    rc = athena_org_get(ctx->db, ctx->a, id, NULL, 0, &org);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_org_fail(ctx, 400, "ORGANIZATION_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_org_activate(ctx, org.id, 1);
    }

    if (rc == ATHENA_STORE_OK) {
        athena_reply_org(ctx, &org, ATHENA_ORG_META_RAW);
    }

    return rc;
}


/* GET /organization/list: the caller's organizations, oldest first */

athena_store_rc_e
athena_api_org_list(athena_ctx_t *ctx)
{
    int                 ok;
    size_t              i, n;
    athena_gen_t       *g;
    athena_org_t       *list;
    athena_store_rc_e   rc;

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_org_list_of(ctx->db, ctx->a, ctx->user.id,
                            ATHENA_ORG_LIST_MAX, &list, &n);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_array_open(g);

    for (i = 0; i < n; i++) {
        athena_gen_map_open(g);
        athena_gen_org_fields(g, ctx->a, &list[i], ATHENA_ORG_META_RAW);
        athena_gen_map_close(g);
    }

    athena_gen_array_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}


/* the parameters that name an organization in a GET */
static const char *const  athena_org_named_params[] = {
    "organizationId", "organizationSlug", NULL
};


/*
 * The organization a GET names (organizationSlug, else organizationId,
 * else the active one) and the caller's membership of it. *org->id is
 * NULL when none is named. A caller who is not a member loses the active
 * organization and gets 403, as better-auth does.
 */

static athena_store_rc_e
athena_org_named(athena_ctx_t *ctx, athena_org_t *org, athena_member_t *me,
    int *ok)
{
    int                 found;
    const char         *id, *slug;
    athena_store_rc_e   rc;

    *ok = 0;
    org->id = NULL;

    slug = athena_org_query(ctx, "organizationSlug");
    id = athena_org_query(ctx, "organizationId");

    if (slug == NULL && id == NULL) {
        id = ctx->session.active_organization_id;
    }

    if (slug == NULL && id == NULL) {
        *ok = 1;
        return ATHENA_STORE_OK;
    }

    rc = athena_org_get(ctx->db, ctx->a, slug ? NULL : id, slug, 0, org);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        org->id = NULL;
        athena_org_fail(ctx, 400, "ORGANIZATION_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    rc = athena_org_caller(ctx, org->id, me, &found);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (!found) {
        rc = athena_org_activate(ctx, NULL, 0);
        if (rc == ATHENA_STORE_OK) {
            ctx->keep = 1;
            athena_org_fail(ctx, 403,
                            "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION");
        }

        return rc;
    }

    *ok = 1;

    return ATHENA_STORE_OK;
}


/* GET /organization/get-organization?organizationId|organizationSlug */

athena_store_rc_e
athena_api_org_get(athena_ctx_t *ctx)
{
    int                 ok;
    athena_org_t        org;
    athena_member_t     me;
    athena_store_rc_e   rc;

    rc = athena_org_query_session(ctx, athena_org_named_params, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_org_named(ctx, &org, &me, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (org.id == NULL) {
        athena_reply_null(ctx);
        return ATHENA_STORE_OK;
    }

    athena_reply_org(ctx, &org, ATHENA_ORG_META_RAW);

    return ATHENA_STORE_OK;
}


/*
 * membersLimit as better-auth reads it, parseInt: "5x" is 5; absent, 0
 * or not a number is the default of 100. A negative one is refused
 * (better-auth fails in SQL).
 */

static int64_t
athena_org_members_limit(athena_ctx_t *ctx)
{
    long long    n;
    const char  *v;

    v = athena_org_query(ctx, "membersLimit");
    if (v == NULL) {
        return ATHENA_ORG_LIST_MAX;
    }

    n = strtoll(v, NULL, 10);

    if (n < 0) {
        return -1;
    }

    return n == 0 ? ATHENA_ORG_LIST_MAX : (int64_t) n;
}


/*
 * GET /organization/get-full-organization: the organization with its
 * members (and their users) and, for a caller with invitation:create,
 * its invitations, those granting the creator role only to a creator.
 */

athena_store_rc_e
athena_api_org_get_full(athena_ctx_t *ctx)
{
    int                        ok, creator, show;
    size_t                     i, n, ninv;
    athena_gen_t              *g;
    athena_org_t               org;
    athena_member_t            me, *members;
    athena_check_t             chk;
    athena_store_rc_e          rc;
    athena_member_query_t      q;
    athena_invitation_info_t  *inv;

    memset(&q, 0, sizeof(athena_member_query_t));
    athena_check_init(&chk, ctx->a, NULL, "query");

    if (athena_query_single(ctx, &chk, athena_org_named_params) != 0) {
        return ATHENA_STORE_ERROR;
    }

    q.limit = athena_org_members_limit(ctx);
    if (q.limit < 0) {
        athena_check_issue(&chk, "membersLimit", "Too small: expected number"
                                                 " to be >=0");
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_org_named(ctx, &org, &me, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (org.id == NULL) {
        athena_reply_null(ctx);
        return ATHENA_STORE_OK;
    }

    q.org_id = org.id;

    rc = athena_member_list(ctx->db, ctx->a, &q, &members, &n, NULL);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ninv = 0;
    inv = NULL;
    show = athena_org_may(me.role, "invitation", "create");

    if (show) {
        rc = athena_invitation_list(ctx->db, ctx->a, org.id, NULL,
                                    ATHENA_ORG_LIST_MAX, &inv, &ninv);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }
    }

    creator = athena_org_is_creator(ctx, me.role);

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_map_open(g);
    athena_gen_org_fields(g, ctx->a, &org, ATHENA_ORG_META_RAW);

    athena_gen_key(g, "invitations");
    athena_gen_array_open(g);

    for (i = 0; i < ninv; i++) {
        if (!creator && athena_org_is_creator(ctx, inv[i].inv.role)) {
            continue;
        }

        athena_gen_map_open(g);
        athena_gen_invitation_fields(g, &inv[i].inv);
        athena_gen_map_close(g);
    }

    athena_gen_array_close(g);

    athena_gen_key(g, "members");
    athena_gen_array_open(g);

    for (i = 0; i < n; i++) {
        athena_gen_member(g, &members[i], 1);
    }

    athena_gen_array_close(g);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}


/* POST /organization/check-slug {slug}: {status: true} or 400 */

athena_store_rc_e
athena_api_org_check_slug(athena_ctx_t *ctx)
{
    int                   ok, taken;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    const athena_json_t  *slug;

    slug = NULL;

    if (athena_org_body(ctx, &chk)) {
        slug = athena_check_string(&chk, "slug", 1);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_org_slug_taken(ctx->db, ctx->a, slug->string, &taken);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (taken) {
        athena_org_fail(ctx, 400, "ORGANIZATION_SLUG_ALREADY_TAKEN");
        return ATHENA_STORE_OK;
    }

    athena_reply_flag(ctx, "status", 1);

    return ATHENA_STORE_OK;
}


/*
 * POST /organization/leave {organizationId}: the caller's membership
 * goes, unless the caller is its last creator. The organization's row is
 * locked first, so that two owners leaving at once cannot both pass.
 */

athena_store_rc_e
athena_api_org_leave(athena_ctx_t *ctx)
{
    int                   ok, last;
    athena_org_t          org;
    athena_check_t        chk;
    athena_member_t       me;
    athena_store_rc_e     rc;
    const athena_json_t  *id;

    id = NULL;

    if (athena_org_body(ctx, &chk)) {
        id = athena_check_string(&chk, "organizationId", 1);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_org_member_of(ctx, id->string, &org, 400, "MEMBER_NOT_FOUND",
                              &me, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (athena_org_is_creator(ctx, me.role)) {
        rc = athena_org_last_creator(ctx, id->string, &last);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }

        if (last) {
            athena_org_fail(ctx, 400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_"
                                      "THE_ONLY_OWNER");
            return ATHENA_STORE_OK;
        }
    }

    rc = athena_org_member_remove(ctx, &me);

    if (rc == ATHENA_STORE_OK) {
        athena_reply_member(ctx, &me, 1, NULL);
    }

    return rc;
}


/*
 * POST /organization/has-permission {organizationId?, permissions}: the
 * caller's roles in the organization (the active one by default), any
 * one of them granting all. The membership comes from Redis when it can.
 */

/*
 * The user's role in org_id (NULL: not a member). On the event loop only
 * the active organization's is in hand, from the gate's shared memory.
 */

static athena_store_rc_e
athena_org_role(athena_ctx_t *ctx, const char *org_id, char **role)
{
    if (ctx->db != NULL) {
        return athena_member_role(ctx->db, ctx->a, org_id, ctx->user.id,
                                  role);
    }

    if (ctx->req->org_role == NULL
        || ctx->session.active_organization_id == NULL
        || strcmp(org_id, ctx->session.active_organization_id) != 0)
    {
        return ATHENA_STORE_AGAIN;
    }

    *role = athena_strdup(ctx->a, ctx->req->org_role);

    return *role ? ATHENA_STORE_OK : ATHENA_STORE_ERROR;
}


athena_store_rc_e
athena_api_org_has_permission(athena_ctx_t *ctx)
{
    int                   ok;
    char                 *role;
    size_t                n;
    const char           *org_id;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    athena_permission_t  *perms;

    perms = NULL;
    n = 0;

    if (athena_org_body(ctx, &chk)) {
        (void) athena_check_string(&chk, "organizationId", 0);
    }

    if (athena_permissions_body(ctx, &chk, &perms, &n) != 0) {
        return ATHENA_STORE_ERROR;
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
        athena_org_fail(ctx, 400, "NO_ACTIVE_ORGANIZATION");
        return ATHENA_STORE_OK;
    }

    rc = athena_org_role(ctx, org_id, &role);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (role == NULL) {
        athena_org_fail(ctx, 401, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION");
        return ATHENA_STORE_OK;
    }

    /* the deprecated "permission" is not passed on: never granted */
    athena_reply_has_permission(ctx, perms != NULL
        && athena_access_allows(&athena_org_access, role, perms, n));

    return ATHENA_STORE_OK;
}
