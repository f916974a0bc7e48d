/*
 * The REST admin surface's organizations (seed 003): GET /organizations
 * and GET /organizations/:id, over the organization plugin's rows. An
 * organization is written as the plugin writes it, with "plan" (kept in
 * its metadata, as metadata.plan) and its member count.
 */

#include <string.h>

#include "athena_rest.h"
#include "../athena_org.h"
#include "../athena/athena_list.h"
#include "../../store/athena_org_store.h"


#define ATHENA_REST_MEMBERS_MAX  1000


/* an organization; members (n of them) when not NULL */

void
athena_rest_gen_org(athena_ctx_t *ctx, athena_gen_t *g, const athena_org_t *o,
    int64_t count, const athena_member_t *members, size_t n)
{
    size_t                i;
    athena_json_t        *meta;
    const athena_json_t  *plan;

    /* parsed once, for the metadata and its plan */
    meta = athena_org_metadata(ctx->a, o);
    plan = (meta && meta->type == ATHENA_JSON_OBJECT)
           ? athena_json_get(meta, "plan") : NULL;

    athena_gen_map_open(g);

    athena_gen_org_parsed(g, o, ATHENA_ORG_META_PARSED, meta);

    athena_gen_key(g, "plan");
    athena_gen_str_or_null(g, (plan && plan->type == ATHENA_JSON_STRING)
                              ? plan->string : NULL);
    athena_gen_key(g, "memberCount");
    athena_gen_int(g, count);

    if (members != NULL) {
        athena_gen_key(g, "members");
        athena_gen_array_open(g);

        for (i = 0; i < n; i++) {
            athena_gen_member(g, &members[i], 1);
        }

        athena_gen_array_close(g);
    }

    athena_gen_map_close(g);
}


/* GET /organizations?page&limit&search */

athena_store_rc_e
athena_rest_orgs_list(athena_ctx_t *ctx)
{
    int                  ok;
    size_t               n, i;
    int64_t             *counts;
    athena_gen_t        *g;
    const char          *search;
    athena_org_t        *orgs;
    athena_check_t       chk;
    athena_store_rc_e    rc;
    athena_rest_meta_t   meta;

    rc = athena_rest_require(ctx, &athena_may_list, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    athena_check_init(&chk, ctx->a, NULL, "query");

    search = athena_rest_text(ctx, &chk, "search");

    if (!athena_rest_paging(ctx, &chk, &meta)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_page(ctx->db, ctx->a, search, meta.limit,
                         (meta.page - 1) * meta.limit, &orgs, &counts, &n,
                         &meta.total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_rest_begin(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_array_open(g);

    for (i = 0; i < n; i++) {
        athena_rest_gen_org(ctx, g, &orgs[i], counts[i], NULL, 0);
    }

    athena_gen_array_close(g);

    athena_rest_end(ctx, 200, g, &meta);

    return ATHENA_STORE_OK;
}


/*
 * {"success": true, "data": organization} with its members (the first
 * ATHENA_REST_MEMBERS_MAX, oldest first; memberCount says how many)
 */

athena_store_rc_e
athena_rest_org_reply(athena_ctx_t *ctx, int status, const athena_org_t *o)
{
    size_t                  n;
    int64_t                 total;
    athena_gen_t           *g;
    athena_member_t        *members;
    athena_store_rc_e       rc;
    athena_member_query_t   q;

    memset(&q, 0, sizeof(athena_member_query_t));
    q.org_id = o->id;
    q.limit = ATHENA_REST_MEMBERS_MAX;

    rc = athena_member_list(ctx->db, ctx->a, &q, &members, &n, &total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_rest_begin(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_rest_gen_org(ctx, g, o, total, members, n);
    athena_rest_end(ctx, status, g, NULL);

    return ATHENA_STORE_OK;
}


/* the organization the path names; *found, or a 404 made */

athena_store_rc_e
athena_rest_org_find(athena_ctx_t *ctx, int lock, athena_org_t *org,
    int *found)
{
    const char         *id;
    athena_store_rc_e   rc;

    *found = 0;

    id = athena_rest_id(ctx);
    if (id == NULL) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_get(ctx->db, ctx->a, id, NULL, lock, org);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_rest_error(ctx, 404, "Organization not found");
        return ATHENA_STORE_OK;
    }

    *found = (rc == ATHENA_STORE_OK);

    return rc;
}


athena_store_rc_e
athena_rest_org_get(athena_ctx_t *ctx)
{
    int                 ok;
    athena_org_t        org;
    athena_store_rc_e   rc;

    rc = athena_rest_require(ctx, &athena_may_get, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_rest_org_find(ctx, 0, &org, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    return athena_rest_org_reply(ctx, 200, &org);
}
