/*
 * Thread-pool tasks: an API request runs in a pool thread over that
 * thread's own blocking Postgres and Redis connections, so the event loop
 * never waits on the network, the disk or scrypt. The task sees only the
 * athena_req_t copied out of the request and fills an athena_resp_t.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"


typedef struct {
    athena_req_t        *req;
    athena_resp_t        resp;
    ngx_http_request_t  *request;
} ngx_http_athena_auth_task_ctx_t;


/*
 * This worker's tasks in a pool thread. A worker that is shutting down
 * exits once no timer is left, closing whatever connection still waits;
 * a task has no timer of its own, so while any runs, this one stays
 * armed: the worker answers every request it took before it exits.
 */

#define NGX_HTTP_ATHENA_AUTH_HOLD_MS  1000

static ngx_uint_t        ngx_http_athena_auth_tasks;
static ngx_event_t       ngx_http_athena_auth_hold_ev;

/* what the timer's debug lines read as its connection: none (fd -1) */
static ngx_connection_t  ngx_http_athena_auth_hold_conn;


static void
ngx_http_athena_auth_hold_handler(ngx_event_t *ev)
{
    if (ngx_http_athena_auth_tasks) {
        ngx_add_timer(ev, NGX_HTTP_ATHENA_AUTH_HOLD_MS);
    }
}


void
ngx_http_athena_auth_task_hold(void)
{
    ngx_event_t  *ev;

    ev = &ngx_http_athena_auth_hold_ev;

    if (ngx_http_athena_auth_tasks++ == 0 && !ev->timer_set) {
        ngx_http_athena_auth_hold_conn.fd = (ngx_socket_t) -1;

        ev->handler = ngx_http_athena_auth_hold_handler;
        ev->log = ngx_cycle->log;
        ev->data = &ngx_http_athena_auth_hold_conn;
        ngx_add_timer(ev, NGX_HTTP_ATHENA_AUTH_HOLD_MS);
    }
}


void
ngx_http_athena_auth_task_release(void)
{
    if (ngx_http_athena_auth_tasks) {
        ngx_http_athena_auth_tasks--;
    }
}


/* runs in a pool thread: no nginx structure may be touched here */

static void
ngx_http_athena_auth_task_handler(void *data, ngx_log_t *log)
{
    ngx_http_athena_auth_task_ctx_t  *ctx = data;

    athena_api_run(ctx->req, &ctx->resp);
}


/*
 * What the task revoked or changed leaves this node's gate cache before
 * the client hears of it; other nodes follow within the cache's TTL.
 */

static void
ngx_http_athena_auth_evict(ngx_http_request_t *r, athena_resp_t *resp)
{
    size_t                             i;
    const u_char                      *hash;
    ngx_http_athena_auth_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_athena_auth_module);

    if (amcf->cache_zone == NULL) {
        return;
    }

    for (i = 0; i < resp->nevict; i++) {
        hash = resp->evict + i * NGX_HTTP_ATHENA_AUTH_HASH_LEN;
        ngx_http_athena_auth_cache_evict(amcf->cache_zone, hash);
    }
}


/* runs on the event loop once the thread is done */

static void
ngx_http_athena_auth_task_done(ngx_event_t *ev)
{
    ngx_int_t                         rc;
    ngx_connection_t                 *c;
    ngx_http_request_t               *r;
    ngx_thread_task_t                *task;
    ngx_http_athena_auth_task_ctx_t  *ctx;

    task = (ngx_thread_task_t *) ((u_char *) ev
                                  - offsetof(ngx_thread_task_t, event));
    ctx = task->ctx;
    r = ctx->request;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    r->main->blocked--;
    ngx_http_athena_auth_task_release();
    ngx_http_athena_auth_memory_check();

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "athena_auth task done: %d, %uz body bytes",
                   ctx->resp.status, ctx->resp.len);

    ngx_http_athena_auth_log_outcome(c->log, ctx->resp.log_warn,
                                     ctx->resp.log_error);

    ngx_http_athena_auth_evict(r, &ctx->resp);

    if (c->error) {
        /* the client went away while the task ran */
        ngx_http_finalize_request(r, NGX_ERROR);
        ngx_http_run_posted_requests(c);
        return;
    }

    rc = ngx_http_athena_auth_send(r, &ctx->resp);

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


ngx_int_t
ngx_http_athena_auth_post_task(ngx_http_request_t *r, athena_req_t *req)
{
    ngx_thread_task_t                 *task;
    ngx_http_athena_auth_task_ctx_t   *ctx;
    ngx_http_athena_auth_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_athena_auth_module);

    task = ngx_thread_task_alloc(r->pool,
                                 sizeof(ngx_http_athena_auth_task_ctx_t));
    if (task == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx = task->ctx;
    ctx->req = req;
    ctx->request = r;

    task->handler = ngx_http_athena_auth_task_handler;
    task->event.handler = ngx_http_athena_auth_task_done;
    task->event.data = r;

    if (ngx_thread_task_post(amcf->thread_pool, task) != NGX_OK) {
        /* the pool's queue is full: shed load rather than wait */
        return ngx_http_athena_auth_send_error(r,
                                               NGX_HTTP_SERVICE_UNAVAILABLE,
                                               "SERVICE_UNAVAILABLE",
                                               "The auth service is busy");
    }

    r->main->blocked++;
    ngx_http_athena_auth_task_hold();

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "athena_auth task posted: \"%V\", %uz body bytes",
                   &r->uri, req->body_len);

    return NGX_OK;
}
