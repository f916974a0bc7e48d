/*
 * A gate's cache miss: one thread task asks Redis, then Postgres, what a
 * token's session says, while the requests that carry that token wait in
 * the access phase. Requests of this worker that miss on a token whose
 * lookup is already under way join it instead of starting another.
 *
 * A lookup owns its memory (not a request's pool): the request that
 * started it may be gone before it completes.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"


/* a lookup whose answer was overtaken by an eviction runs once more */
#define NGX_HTTP_ATHENA_AUTH_LOOKUP_TRIES  2


typedef struct {
    ngx_http_athena_auth_hnode_t       hn;
    ngx_queue_t                        waiters;
    ngx_msec_t                         since;
    ngx_uint_t                         tries;
    ngx_http_athena_auth_main_conf_t  *amcf;
    athena_gate_lookup_t               lk;
} ngx_http_athena_auth_lookup_t;


/* this worker's lookups under way */
static ngx_rbtree_t       ngx_http_athena_auth_lookups;
static ngx_rbtree_node_t  ngx_http_athena_auth_lookups_sentinel;


static void ngx_http_athena_auth_lookup_done(ngx_event_t *ev);


/* runs in a pool thread: no nginx structure may be touched here */

static void
ngx_http_athena_auth_lookup_handler(void *data, ngx_log_t *log)
{
    ngx_http_athena_auth_lookup_t  *lu = data;

    athena_gate_lookup(&lu->lk);
}


static ngx_int_t
ngx_http_athena_auth_lookup_post(ngx_thread_task_t *task)
{
    ngx_http_athena_auth_lookup_t  *lu = task->ctx;

    ngx_memzero(&lu->lk.id, sizeof(athena_identity_t));
    lu->lk.log_warn = NULL;
    lu->lk.log_error = NULL;

    /* taken before the task can read anything */
    lu->since = ngx_http_athena_auth_clock();

    if (ngx_thread_task_post(lu->amcf->thread_pool, task) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_rbtree_insert(&ngx_http_athena_auth_lookups, &lu->hn.node);

    return NGX_OK;
}


static void
ngx_http_athena_auth_lookup_free(ngx_thread_task_t *task)
{
    ngx_http_athena_auth_lookup_t  *lu = task->ctx;

    athena_arena_destroy(lu->lk.arena);
    ngx_free(task);
}


/*
 * Makes r wait for the identity behind ctx->hash: NGX_AGAIN, or NGX_ERROR
 * when no lookup could be started (the pool's queue is full).
 */

ngx_int_t
ngx_http_athena_auth_lookup(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t *ctx, const char *token)
{
    ngx_thread_task_t                 *task;
    ngx_http_athena_auth_lookup_t     *lu;
    ngx_http_athena_auth_main_conf_t  *amcf;

    if (ngx_http_athena_auth_lookups.root == NULL) {
        ngx_rbtree_init(&ngx_http_athena_auth_lookups,
                        &ngx_http_athena_auth_lookups_sentinel,
                        ngx_http_athena_auth_hash_insert);
    }

    lu = (ngx_http_athena_auth_lookup_t *)
             ngx_http_athena_auth_hash_find(&ngx_http_athena_auth_lookups,
                                            ctx->hash);

    if (lu == NULL) {
        amcf = ngx_http_get_module_main_conf(r, ngx_http_athena_auth_module);

        task = ngx_calloc(sizeof(ngx_thread_task_t)
                          + sizeof(ngx_http_athena_auth_lookup_t),
                          r->connection->log);
        if (task == NULL) {
            return NGX_ERROR;
        }

        lu = (ngx_http_athena_auth_lookup_t *) (task + 1);

        task->ctx = lu;
        task->handler = ngx_http_athena_auth_lookup_handler;
        task->event.handler = ngx_http_athena_auth_lookup_done;
        task->event.data = lu;

        lu->amcf = amcf;
        lu->lk.conf = amcf->conf;
        lu->lk.arena = athena_arena_create(4096);
        lu->lk.token = lu->lk.arena ? athena_strdup(lu->lk.arena, token)
                                    : NULL;

        ngx_memcpy(lu->hn.hash, ctx->hash, NGX_HTTP_ATHENA_AUTH_HASH_LEN);
        ngx_memcpy(&lu->hn.node.key, ctx->hash, sizeof(ngx_rbtree_key_t));
        ngx_queue_init(&lu->waiters);

        if (lu->lk.token == NULL
            || ngx_http_athena_auth_lookup_post(task) != NGX_OK)
        {
            ngx_http_athena_auth_lookup_free(task);
            return NGX_ERROR;
        }

        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "athena_auth gate: lookup posted");
    }

    ngx_queue_insert_tail(&lu->waiters, &ctx->queue);
    ctx->waiting = 1;

    return NGX_AGAIN;
}


static ngx_int_t
ngx_http_athena_auth_identity_copy(ngx_pool_t *pool, athena_identity_t *dst,
    const athena_identity_t *src)
{
    u_char      *p;
    size_t       len;
    ngx_uint_t   i;

    *dst = *src;

    for (i = 0; i < ATHENA_IDENTITY_NSTR; i++) {
        if (src->str[i] == NULL) {
            continue;
        }

        len = ngx_strlen(src->str[i]) + 1;

        p = ngx_pnalloc(pool, len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p, src->str[i], len);
        dst->str[i] = (const char *) p;
    }

    return NGX_OK;
}


/* an answer that may be stale is asked for again, once */

static ngx_int_t
ngx_http_athena_auth_lookup_store(ngx_thread_task_t *task)
{
    ngx_int_t                          rc;
    ngx_http_athena_auth_lookup_t     *lu = task->ctx;
    ngx_http_athena_auth_main_conf_t  *amcf;

    amcf = lu->amcf;

    if (lu->lk.id.state != ATHENA_GATE_LIVE) {
        return NGX_OK;
    }

    rc = ngx_http_athena_auth_cache_put(amcf->cache_zone, lu->hn.hash,
                                        &lu->lk.id, lu->since,
                                        amcf->gate_ttl_max);

    if (rc == NGX_OK || ++lu->tries >= NGX_HTTP_ATHENA_AUTH_LOOKUP_TRIES) {
        return NGX_OK;
    }

    if (ngx_http_athena_auth_lookup_post(task) == NGX_OK) {
        return NGX_AGAIN;
    }

    lu->lk.id.state = ATHENA_GATE_UNAVAILABLE;

    return NGX_OK;
}


static void
ngx_http_athena_auth_lookup_done(ngx_event_t *ev)
{
    ngx_queue_t                      *q;
    ngx_connection_t                 *c;
    ngx_thread_task_t                *task;
    ngx_http_request_t               *r;
    ngx_http_athena_auth_lookup_t    *lu;
    ngx_http_athena_auth_gate_ctx_t  *ctx;

    task = (ngx_thread_task_t *) ((u_char *) ev
                                  - offsetof(ngx_thread_task_t, event));
    lu = task->ctx;

    ngx_rbtree_delete(&ngx_http_athena_auth_lookups, &lu->hn.node);

    ngx_http_athena_auth_log_outcome(ngx_cycle->log, lu->lk.log_warn,
                                     lu->lk.log_error);

    if (ngx_http_athena_auth_lookup_store(task) == NGX_AGAIN) {
        return;
    }

    while (!ngx_queue_empty(&lu->waiters)) {
        q = ngx_queue_head(&lu->waiters);
        ngx_queue_remove(q);

        ctx = ngx_queue_data(q, ngx_http_athena_auth_gate_ctx_t, queue);
        ctx->waiting = 0;

        r = ctx->request;
        c = r->connection;

        /* the answer outlives this lookup in the request's own pool */
        if (ngx_http_athena_auth_identity_copy(r->pool, &ctx->id,
                                               &lu->lk.id)
            != NGX_OK)
        {
            ctx->id.state = ATHENA_GATE_ERROR;
        }

        ngx_http_set_log_request(c->log, r);

        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                       "athena_auth gate: lookup done, state %d",
                       (int) ctx->id.state);

        ngx_http_core_run_phases(r);
        ngx_http_run_posted_requests(c);
    }

    ngx_http_athena_auth_lookup_free(task);
}
