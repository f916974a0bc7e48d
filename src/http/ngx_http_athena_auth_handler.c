/*
 * The API content handler: matches the route under the base path, reads
 * the body within the module's limit, copies what the endpoint needs out
 * of the request and hands it to a thread-pool task.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"
#include "../core/athena_status.h"
#include "../core/athena_text.h"


static void ngx_http_athena_auth_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_athena_auth_api_serve(ngx_http_request_t *r);


static const char *
ngx_http_athena_auth_copy(athena_arena_t *a, ngx_str_t *s)
{
    return athena_strndup(a, (const char *) s->data, s->len);
}


const char *
ngx_http_athena_auth_header(athena_arena_t *a, ngx_table_elt_t *h)
{
    return h ? ngx_http_athena_auth_copy(a, &h->value) : NULL;
}


/*
 * A header that is stored (the user agent) as better-auth's Node server
 * reads it: each byte a Latin-1 character. A client's Latin-1 bytes are
 * kept, never refused, and never reach Postgres as invalid UTF-8.
 */

static const char *
ngx_http_athena_auth_latin1(athena_arena_t *a, ngx_table_elt_t *h)
{
    if (h == NULL) {
        return NULL;
    }

    return athena_latin1_utf8(a, (const char *) h->value.data, h->value.len);
}


/* headers without a slot in headers_in are found by a walk of the list */

ngx_table_elt_t *
ngx_http_athena_auth_header_in(ngx_http_request_t *r, const char *name)
{
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
        {
            return &h[i];
        }
    }
}


static const char *
ngx_http_athena_auth_find_header(ngx_http_request_t *r, athena_arena_t *a,
    const char *name)
{
    ngx_table_elt_t  *h;

    h = ngx_http_athena_auth_header_in(r, name);

    return ngx_http_athena_auth_header(a, h);
}


/* several Cookie headers read as one, joined as a browser would */

const char *
ngx_http_athena_auth_cookies(ngx_http_request_t *r, athena_arena_t *a)
{
    u_char            *p;
    size_t             len;
    ngx_uint_t         i, n;
    ngx_table_elt_t  **h;

    n = r->headers_in.cookies.nelts;
    if (n == 0) {
        return NULL;
    }

    h = r->headers_in.cookies.elts;
    len = 0;

    for (i = 0; i < n; i++) {
        len += h[i]->value.len + 2;
    }

    p = athena_alloc(a, len + 1);
    if (p == NULL) {
        return NULL;
    }

    len = 0;

    for (i = 0; i < n; i++) {
        if (i) {
            p[len++] = ';';
            p[len++] = ' ';
        }

        ngx_memcpy(p + len, h[i]->value.data, h[i]->value.len);
        len += h[i]->value.len;
    }

    p[len] = '\0';

    return (const char *) p;
}


static void
ngx_http_athena_auth_arena_cleanup(void *data)
{
    athena_arena_destroy(data);
}


/* copies everything an endpoint may read out of the request */

static athena_req_t *
ngx_http_athena_auth_request(ngx_http_request_t *r,
    const athena_route_t *route, size_t *param)
{
    athena_req_t                      *req;
    athena_arena_t                    *a;
    ngx_pool_cleanup_t                *cln;
    ngx_http_headers_in_t             *hi;
    ngx_http_athena_auth_loc_conf_t   *alcf;
    ngx_http_athena_auth_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_athena_auth_module);
    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);

    a = athena_arena_create(8192);
    if (a == NULL) {
        return NULL;
    }

    /* the arena outlives the task: freed with the request's pool */
    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        athena_arena_destroy(a);
        return NULL;
    }

    cln->handler = ngx_http_athena_auth_arena_cleanup;
    cln->data = a;

    req = athena_calloc(a, sizeof(athena_req_t));
    if (req == NULL) {
        return NULL;
    }

    hi = &r->headers_in;

    req->arena = a;
    req->conf = amcf->conf;
    req->route = route;
    req->surface = alcf->surface;

    if (param[1]) {
        req->param = athena_strndup(a, (const char *) r->uri.data + param[0],
                                    param[1]);
    }

    req->args = ngx_http_athena_auth_copy(a, &r->args);
    req->content_type = ngx_http_athena_auth_header(a, hi->content_type);
    req->cookie = ngx_http_athena_auth_cookies(r, a);
    req->authorization = ngx_http_athena_auth_header(a, hi->authorization);
    req->api_key = ngx_http_athena_auth_find_header(r, a, "X-Api-Key");
    req->accept_language = ngx_http_athena_auth_find_header(r, a,
                                                            "Accept-Language");
    req->user_agent = ngx_http_athena_auth_latin1(a, hi->user_agent);
    req->referer = ngx_http_athena_auth_header(a, hi->referer);
    req->origin = ngx_http_athena_auth_find_header(r, a, "Origin");
    req->sec_fetch_site = ngx_http_athena_auth_find_header(r, a,
                                                           "Sec-Fetch-Site");
    req->sec_fetch_mode = ngx_http_athena_auth_find_header(r, a,
                                                           "Sec-Fetch-Mode");
    req->sec_fetch_dest = ngx_http_athena_auth_find_header(r, a,
                                                           "Sec-Fetch-Dest");

    /* the client address after the realip module, if it is in use */
    req->ip = ngx_http_athena_auth_copy(a, &r->connection->addr_text);

    req->self_origin = ngx_http_athena_auth_self_origin(r, a);

    return req;
}


/* the origin the client used, port included, for the origin check */

const char *
ngx_http_athena_auth_self_origin(ngx_http_request_t *r, athena_arena_t *a)
{
    u_char     *origin, *p;
    ngx_str_t  *host, scheme;

    host = r->headers_in.host ? &r->headers_in.host->value
                              : &r->headers_in.server;

    if (host->len == 0) {
        return NULL;
    }

    ngx_str_set(&scheme, "http://");
#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        ngx_str_set(&scheme, "https://");
    }
#endif

    /* every request makes it: no printf */
    origin = athena_alloc(a, scheme.len + host->len + 1);
    if (origin == NULL) {
        return NULL;
    }

    p = ngx_cpymem(origin, scheme.data, scheme.len);
    p = ngx_cpymem(p, host->data, host->len);
    *p = '\0';

    return (const char *) origin;
}


/*
 * The location's surface's route for the request. A REST path's ":id"
 * is param[1] bytes of r->uri from param[0] (nginx has decoded and
 * normalized the URI: "%2F" is a "/", so an id never holds one); a REST
 * path that has routes for other methods only sets *allow.
 */

ngx_int_t
ngx_http_athena_auth_route(ngx_http_request_t *r,
    const athena_route_t **route, size_t *param, unsigned *allow)
{
    ngx_int_t                          method;
    ngx_str_t                          path;
    ngx_http_athena_auth_loc_conf_t   *alcf;
    ngx_http_athena_auth_main_conf_t  *amcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);

    *route = NULL;
    *allow = 0;
    param[0] = 0;
    param[1] = 0;

    /* the admin-roles surface has a route at its base path itself */
    if (alcf->surface == ATHENA_SURFACE_ROLES
        && r->uri.len >= alcf->base.len
        && ngx_strncmp(r->uri.data, alcf->base.data, alcf->base.len) == 0
        && (r->uri.len == alcf->base.len
            || r->uri.data[alcf->base.len] == '/'))
    {
        /* it passes the test below */

    } else if (r->uri.len <= alcf->base.len + 1
               || ngx_strncmp(r->uri.data, alcf->base.data, alcf->base.len)
                  != 0
               || r->uri.data[alcf->base.len] != '/')
    {
        return NGX_HTTP_NOT_FOUND;
    }

    path.data = r->uri.data + alcf->base.len;
    path.len = r->uri.len - alcf->base.len;

    switch (r->method) {
    case NGX_HTTP_GET:
        method = ATHENA_GET;
        break;
    case NGX_HTTP_POST:
        method = ATHENA_POST;
        break;
    case NGX_HTTP_PATCH:
        method = ATHENA_PATCH;
        break;
    case NGX_HTTP_DELETE:
        method = ATHENA_DELETE;
        break;
    default:
        method = 0;
    }

    if (alcf->surface == ATHENA_SURFACE_REST) {
        *route = athena_rest_route_find((athena_method_e) method,
                                        (const char *) path.data, path.len,
                                        param, allow);
        param[0] += alcf->base.len;

    } else if (alcf->surface == ATHENA_SURFACE_ROLES) {
        *route = athena_roles_route_find((athena_method_e) method,
                                         (const char *) path.data, path.len,
                                         param, allow);
        param[0] += alcf->base.len;

    } else if (method != 0) {
        *route = athena_route_find((athena_method_e) method,
                                   (const char *) path.data, path.len);

        /* a plugin that is off has no routes */
        if (*route && ((*route)->flags & ATHENA_ROUTE_JWT)) {
            amcf = ngx_http_get_module_main_conf(r,
                                                 ngx_http_athena_auth_module);
            if (!amcf->conf->jwt) {
                *route = NULL;
            }
        }
    }

    if (*route) {
        return NGX_OK;
    }

    return *allow ? NGX_HTTP_NOT_ALLOWED : NGX_HTTP_NOT_FOUND;
}


/* the Allow header of a 405: the methods the path has */

static ngx_int_t
ngx_http_athena_auth_allow(ngx_http_request_t *r, unsigned allow)
{
    u_char           *p, *start;
    ngx_uint_t        i;
    ngx_table_elt_t  *h;

    static const char *const  names[] = {
        NULL, "GET", "POST", "PATCH", "DELETE"
    };

    start = ngx_pnalloc(r->pool, sizeof("GET, POST, PATCH, DELETE"));
    if (start == NULL) {
        return NGX_ERROR;
    }

    p = start;

    for (i = 1; i < sizeof(names) / sizeof(names[0]); i++) {
        if (allow & ATHENA_METHOD_BIT(i)) {
            p = ngx_sprintf(p, "%s%s", p == start ? "" : ", ", names[i]);
        }
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Allow");
    h->value.data = start;
    h->value.len = p - start;

    return NGX_OK;
}


/*
 * No route: better-auth's bare 404; on the REST surface the envelope, a
 * 405 with Allow where the path has other methods.
 */

static ngx_int_t
ngx_http_athena_auth_not_found(ngx_http_request_t *r, ngx_int_t status,
    unsigned allow)
{
    ngx_int_t                         rc;
    athena_resp_t                     resp;
    ngx_http_athena_auth_loc_conf_t  *alcf;

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return ngx_http_athena_auth_body_failed(r, rc);
    }

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);

    if (alcf->surface != ATHENA_SURFACE_AUTH) {
        if (status == NGX_HTTP_NOT_ALLOWED
            && ngx_http_athena_auth_allow(r, allow) != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        /* FastAPI's words for these */
        if (alcf->surface == ATHENA_SURFACE_ROLES) {
            return ngx_http_athena_auth_send_error(r, status, "",
                       status == NGX_HTTP_NOT_ALLOWED ? "Method Not Allowed"
                                                      : "Not Found");
        }

        return ngx_http_athena_auth_send_error(r, status, "",
                                        athena_status_message((int) status));
    }

    ngx_memzero(&resp, sizeof(athena_resp_t));
    resp.status = NGX_HTTP_NOT_FOUND;

    return ngx_http_athena_auth_send(r, &resp);
}


/*
 * The content handler: better-auth's rate limiter sees every request under
 * the base path first, routed or not; then the request is served.
 */

ngx_int_t
ngx_http_athena_auth_api_handler(ngx_http_request_t *r)
{
    ngx_int_t                         rc;
    ngx_str_t                         path;
    ngx_http_athena_auth_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);

    /* the REST surface is not better-auth's, nor under its limiter */
    if (alcf->surface == ATHENA_SURFACE_AUTH
        && r->uri.len >= alcf->base.len
        && ngx_strncmp(r->uri.data, alcf->base.data, alcf->base.len) == 0)
    {
        path.data = r->uri.data + alcf->base.len;
        path.len = r->uri.len - alcf->base.len;

        rc = ngx_http_athena_auth_rate_limit(r, &path,
                                             ngx_http_athena_auth_api_serve);

        if (rc != NGX_DECLINED) {
            return rc;
        }
    }

    return ngx_http_athena_auth_api_serve(r);
}


static ngx_int_t
ngx_http_athena_auth_api_serve(ngx_http_request_t *r)
{
    size_t                             param[2];
    unsigned                           allow;
    ngx_int_t                          rc;
    athena_req_t                      *req;
    athena_resp_t                      resp;
    const athena_route_t              *route;
    ngx_http_athena_auth_main_conf_t  *amcf;

    rc = ngx_http_athena_auth_route(r, &route, param, &allow);
    if (rc != NGX_OK) {
        return ngx_http_athena_auth_not_found(r, rc, allow);
    }

    amcf = ngx_http_get_module_main_conf(r, ngx_http_athena_auth_module);

    if (route->flags & ATHENA_ROUTE_INLINE) {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return ngx_http_athena_auth_body_failed(r, rc);
        }

        req = ngx_http_athena_auth_request(r, route, param);
        if (req == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        athena_api_run(req, &resp);

        return ngx_http_athena_auth_send(r, &resp);
    }

    if (r->headers_in.content_length_n > (off_t) amcf->max_body) {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return ngx_http_athena_auth_body_failed(r, rc);
        }

        return ngx_http_athena_auth_body_failed(r,
                                            NGX_HTTP_REQUEST_ENTITY_TOO_LARGE);
    }

    r->request_body_in_single_buf = 1;

    rc = ngx_http_read_client_request_body(r,
                                           ngx_http_athena_auth_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return ngx_http_athena_auth_body_failed(r, rc);
    }

    return NGX_DONE;
}


/* the body in one piece, or NGX_DECLINED when it is over the limit */

static ngx_int_t
ngx_http_athena_auth_body(ngx_http_request_t *r, athena_req_t *req,
    size_t max)
{
    u_char       *p;
    size_t        len;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    if (r->request_body->temp_file) {
        return NGX_DECLINED;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;
        if (b->in_file) {
            return NGX_DECLINED;
        }
        len += b->last - b->pos;
    }

    if (len > max) {
        return NGX_DECLINED;
    }

    p = athena_alloc(req->arena, len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    req->body = (const char *) p;
    req->body_len = len;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        /* an empty buffer (the end of a chunked body) may have no memory */
        if (cl->buf->last != cl->buf->pos) {
            p = ngx_cpymem(p, cl->buf->pos, cl->buf->last - cl->buf->pos);
        }
    }

    *p = '\0';

    return NGX_OK;
}


static void
ngx_http_athena_auth_body_handler(ngx_http_request_t *r)
{
    size_t                             param[2];
    unsigned                           allow;
    ngx_int_t                          rc;
    athena_req_t                      *req;
    const athena_route_t              *route;
    ngx_http_athena_auth_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_athena_auth_module);

    /* matched before the body was read; the gate owns the module's ctx */
    (void) ngx_http_athena_auth_route(r, &route, param, &allow);

    req = ngx_http_athena_auth_request(r, route, param);
    if (req == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rc = ngx_http_athena_auth_body(r, req, amcf->max_body);

    if (rc == NGX_DECLINED) {
        rc = ngx_http_athena_auth_body_failed(r,
                                            NGX_HTTP_REQUEST_ENTITY_TOO_LARGE);
        ngx_http_finalize_request(r, rc);
        return;
    }

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    if (ngx_http_athena_auth_answer(r, req, &rc) == NGX_OK) {
        ngx_http_finalize_request(r, rc);
        return;
    }

    rc = ngx_http_athena_auth_post_task(r, req);

    if (rc != NGX_OK) {
        ngx_http_finalize_request(r, rc);
    }
}
