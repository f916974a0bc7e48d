/*
 * API reads answered on the event loop. A route marked
 * ATHENA_ROUTE_SESSION (get-session, both plugins' has-permission) needs
 * only the request's session, its user and the role in its active
 * organization: what the gate's shared memory holds for the token. Such
 * a request has its identity looked up as a gated one does (shared
 * memory, then Redis from the event loop, then one thread task), in the
 * rewrite phase, where a lookup can make it wait; it is never refused
 * there. The content handler then runs the route on the event loop with
 * that session, and asks a thread task only when the route needs a
 * store after all (a refresh due, an expired session, another
 * organization's role). Evictions reach the shared memory before the
 * answer that made them, so what a revocation ended is never served. A
 * lookup that found no session with the token is the answer too; one
 * that found no store answering has waited its deadline: the route
 * answers 503 at once rather than have a task wait as long again. A
 * route marked ATHENA_ROUTE_PRELOAD (list-users, the organization list)
 * needs Postgres anyway: its lookup is made the same way, and its task
 * takes the session found instead of reading it from Redis again.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"


/*
 * The rewrite phase of an ungated location: NGX_DONE while a lookup
 * runs (its completion runs the phases again), NGX_DECLINED otherwise.
 */

ngx_int_t
ngx_http_athena_auth_answer_lookup(ngx_http_request_t *r)
{
    size_t                             param[2];
    unsigned                           allow;
    ngx_int_t                          rc;
    ngx_table_elt_t                   *h;
    const athena_route_t              *route;
    ngx_http_athena_auth_gate_ctx_t   *ctx;
    ngx_http_athena_auth_loc_conf_t   *alcf;
    ngx_http_athena_auth_main_conf_t  *amcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);
    amcf = ngx_http_get_module_main_conf(r, ngx_http_athena_auth_module);

    if (!ngx_http_athena_auth_answers(alcf) || amcf->cache_zone == NULL) {
        return NGX_DECLINED;
    }

    if (ngx_http_athena_auth_route(r, &route, param, &allow) != NGX_OK
        || !(route->flags & (ATHENA_ROUTE_SESSION | ATHENA_ROUTE_PRELOAD)))
    {
        return NGX_DECLINED;
    }

    /* an x-api-key makes the request its owner's: a task reads the key */
    h = ngx_http_athena_auth_header_in(r, "X-Api-Key");
    if (h != NULL && h->value.len) {
        return NGX_DECLINED;
    }

    rc = ngx_http_athena_auth_gate_ctx(r, &ctx);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return rc == NGX_AGAIN ? NGX_DONE : NGX_DECLINED;
}


/*
 * The content handler's part: NGX_OK when req was answered here (*rc is
 * the send's), NGX_DECLINED when a thread task must answer it.
 */

ngx_int_t
ngx_http_athena_auth_answer(ngx_http_request_t *r, athena_req_t *req,
    ngx_int_t *rc)
{
    athena_resp_t                     resp;
    const athena_identity_t          *id;
    ngx_http_athena_auth_gate_ctx_t  *ctx;

    if (!(req->route->flags & (ATHENA_ROUTE_SESSION | ATHENA_ROUTE_PRELOAD)))
    {
        return NGX_DECLINED;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_athena_auth_module);
    if (ctx == NULL) {
        return NGX_DECLINED;
    }

    id = &ctx->id;

    /*
     * A task answers, with the session the lookup found (the request's
     * pool keeps it until the task is done); anything else, and the task
     * reads the session as always.
     */
    if (!(req->route->flags & ATHENA_ROUTE_SESSION)) {
        if (id->state == ATHENA_GATE_LIVE
            && id->str[ATHENA_ID_SESSION] != NULL
            && id->str[ATHENA_ID_KEY_ID] == NULL)
        {
            req->session_text = id->str[ATHENA_ID_SESSION];
        }

        return NGX_DECLINED;
    }

    /* the lookup waited out the stores already: a task would wait again */
    if (id->state == ATHENA_GATE_UNAVAILABLE) {
        req->stores_down = 1;

    /* the lookup read that no session has the token: none to read again */
    } else if (id->state == ATHENA_GATE_NONE && id->absent) {
        req->session_absent = 1;

    } else if (id->state != ATHENA_GATE_LIVE
               || id->str[ATHENA_ID_SESSION] == NULL
               || id->str[ATHENA_ID_KEY_ID] != NULL)
    {
        return NGX_DECLINED;
    }

    req->session_text = id->str[ATHENA_ID_SESSION];
    req->session_json = id->str[ATHENA_ID_SESSION_JSON];
    req->org_role = id->str[ATHENA_ID_ORG_ROLE];

    if (!athena_api_answer(req, &resp)) {
        req->session_text = NULL;
        req->session_json = NULL;
        req->org_role = NULL;
        req->stores_down = 0;
        req->session_absent = 0;
        return NGX_DECLINED;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "athena_auth: answered on the event loop: %d",
                   resp.status);

    *rc = ngx_http_athena_auth_send(r, &resp);

    return NGX_OK;
}
