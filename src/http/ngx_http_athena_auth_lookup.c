/*
 * A gate's cache miss: what a token's session says, while the requests
 * that carry the token wait in their phase. Redis is asked first, from
 * the event loop (see the Redis file); when it cannot answer (no entry, a
 * membership it does not hold, a failure), one thread task asks Redis and
 * then Postgres. Requests of this worker that miss on a token whose lookup
 * is under way join it instead of starting another.
 *
 * A lookup owns its memory (not a request's pool): the request that
 * started it may be gone before it completes.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <hiredis/hiredis.h>

#include "../../ngx_http_athena_auth_module.h"


/* a lookup whose answer was overtaken by an eviction runs once more */
#define NGX_HTTP_ATHENA_AUTH_LOOKUP_TRIES  2


typedef struct {
    ngx_http_athena_auth_hnode_t       hn;
    ngx_queue_t                        waiters;
    ngx_msec_t                         since;
    ngx_uint_t                         tries;
    ngx_uint_t                         shared;    /* others may join it */
    ngx_thread_task_t                 *task;
    ngx_http_athena_auth_main_conf_t  *amcf;
    athena_gate_lookup_t               lk;
} ngx_http_athena_auth_lookup_t;


/* this worker's lookups under way */
static ngx_rbtree_t       ngx_http_athena_auth_lookups;
static ngx_rbtree_node_t  ngx_http_athena_auth_lookups_sentinel;


static void ngx_http_athena_auth_lookup_finish(
    ngx_http_athena_auth_lookup_t *lu);
static void ngx_http_athena_auth_lookup_member(void *data,
    redisReply *reply);


/* runs in a pool thread: no nginx structure may be touched here */

static void
ngx_http_athena_auth_lookup_handler(void *data, ngx_log_t *log)
{
    ngx_http_athena_auth_lookup_t  *lu = data;

    athena_gate_lookup(&lu->lk);
}


static void
ngx_http_athena_auth_lookup_done(ngx_event_t *ev)
{
    ngx_thread_task_t  *task;

    ngx_http_athena_auth_task_release();

    task = (ngx_thread_task_t *) ((u_char *) ev
                                  - offsetof(ngx_thread_task_t, event));

    ngx_http_athena_auth_lookup_finish(task->ctx);
}


/* Redis could not answer: the thread task asks Redis, then Postgres */

static void
ngx_http_athena_auth_lookup_ask_task(ngx_http_athena_auth_lookup_t *lu)
{
    if (ngx_thread_task_post(lu->amcf->thread_pool, lu->task) != NGX_OK) {
        /* the pool's queue is full: fail closed */
        lu->lk.id.state = ATHENA_GATE_UNAVAILABLE;
        ngx_http_athena_auth_lookup_finish(lu);
        return;
    }

    ngx_http_athena_auth_task_hold();
}


/* the reply as a C string in the lookup's arena, or NULL */

static char *
ngx_http_athena_auth_lookup_text(ngx_http_athena_auth_lookup_t *lu,
    redisReply *reply)
{
    if (reply == NULL || reply->type != REDIS_REPLY_STRING) {
        return NULL;
    }

    return athena_strndup(lu->lk.arena, reply->str, reply->len);
}


static ngx_int_t
ngx_http_athena_auth_lookup_get(ngx_http_athena_auth_lookup_t *lu,
    const char *key, ngx_http_athena_auth_redis_pt handler)
{
    size_t       lens[2];
    const char  *argv[2];

    argv[0] = "GET";
    argv[1] = key;
    lens[0] = 3;
    lens[1] = ngx_strlen(key);

    return ngx_http_athena_auth_redis_command(lu->amcf, 2, argv, lens,
                                              handler, lu);
}


static void ngx_http_athena_auth_lookup_entry(
    ngx_http_athena_auth_lookup_t *lu, redisReply *reply,
    athena_gate_step_e (*read)(athena_gate_lookup_t *lk, char *text));


static void
ngx_http_athena_auth_lookup_roles(void *data, redisReply *reply)
{
    ngx_http_athena_auth_lookup_entry(data, reply, athena_gate_roles_cached);
}


/* the next entry of an answer from Redis: a membership, admin roles */

static void
ngx_http_athena_auth_lookup_next(ngx_http_athena_auth_lookup_t *lu,
    athena_gate_step_e step)
{
    switch (step) {

    case ATHENA_GATE_DONE:
        ngx_http_athena_auth_lookup_finish(lu);
        return;

    case ATHENA_GATE_MEMBER:
        if (ngx_http_athena_auth_lookup_get(lu, lu->lk.member_key,
                                            ngx_http_athena_auth_lookup_member)
            == NGX_OK)
        {
            return;
        }

        break;

    case ATHENA_GATE_ROLES:
        if (ngx_http_athena_auth_lookup_get(lu, lu->lk.roles_key,
                                            ngx_http_athena_auth_lookup_roles)
            == NGX_OK)
        {
            return;
        }

        break;

    default:
        break;
    }

    ngx_http_athena_auth_lookup_ask_task(lu);
}


/* an entry read: what it says decides the next step; none: the task */

static void
ngx_http_athena_auth_lookup_entry(ngx_http_athena_auth_lookup_t *lu,
    redisReply *reply,
    athena_gate_step_e (*read)(athena_gate_lookup_t *lk, char *text))
{
    char  *text;

    text = ngx_http_athena_auth_lookup_text(lu, reply);

    if (text == NULL) {
        ngx_http_athena_auth_lookup_ask_task(lu);
        return;
    }

    ngx_http_athena_auth_lookup_next(lu, read(&lu->lk, text));
}


static void
ngx_http_athena_auth_lookup_member(void *data, redisReply *reply)
{
    ngx_http_athena_auth_lookup_entry(data, reply, athena_gate_member_cached);
}


static void
ngx_http_athena_auth_lookup_session(void *data, redisReply *reply)
{
    ngx_http_athena_auth_lookup_entry(data, reply,
                                      athena_gate_session_cached);
}


/* one attempt: Redis from here if it can be asked, else the thread task */

static void
ngx_http_athena_auth_lookup_begin(ngx_http_athena_auth_lookup_t *lu)
{
    const char  *key;

    ngx_memzero(&lu->lk.id, sizeof(athena_identity_t));
    lu->lk.log_warn = NULL;
    lu->lk.log_error = NULL;

    /* taken before anything is read */
    lu->since = ngx_http_athena_auth_clock();

    /* a key is checked and counted by the task, for each request */
    key = (lu->lk.key || lu->lk.jwks) ? NULL
                                      : athena_gate_session_key(&lu->lk);

    if (key != NULL
        && ngx_http_athena_auth_lookup_get(lu, key,
                                           ngx_http_athena_auth_lookup_session)
           == NGX_OK)
    {
        return;
    }

    ngx_http_athena_auth_lookup_ask_task(lu);
}


/*
 * A session's lookup is shared by the requests that carry its token; a
 * key's is the request's own, since each request is one use of the key,
 * checked against its location's key permissions.
 */

static ngx_http_athena_auth_lookup_t *
ngx_http_athena_auth_lookup_create(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t *ctx, const char *token, const char *key)
{
    ngx_thread_task_t                 *task;
    ngx_http_athena_auth_lookup_t     *lu;
    ngx_http_athena_auth_loc_conf_t   *alcf;
    ngx_http_athena_auth_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_athena_auth_module);
    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);

    task = ngx_calloc(sizeof(ngx_thread_task_t)
                      + sizeof(ngx_http_athena_auth_lookup_t),
                      r->connection->log);
    if (task == NULL) {
        return NULL;
    }

    lu = (ngx_http_athena_auth_lookup_t *) (task + 1);

    task->ctx = lu;
    task->handler = ngx_http_athena_auth_lookup_handler;
    task->event.handler = ngx_http_athena_auth_lookup_done;
    task->event.data = lu;

    lu->task = task;
    lu->amcf = amcf;
    lu->lk.conf = amcf->conf;
    lu->lk.answers = ngx_http_athena_auth_answers(alcf);
    lu->lk.arena = athena_arena_create(4096);

    if (lu->lk.arena != NULL) {
        if (ctx->jwks) {
            lu->lk.jwks = 1;
            lu->lk.token = "";

        } else if (key != NULL) {
            lu->lk.key = athena_strdup(lu->lk.arena, key);
            lu->lk.token = lu->lk.key;

        } else {
            lu->lk.token = athena_strdup(lu->lk.arena, token);
        }
    }

    if (lu->lk.token == NULL) {
        athena_arena_destroy(lu->lk.arena);
        ngx_free(task);
        return NULL;
    }

    if (key != NULL && alcf->key_permissions != NULL) {
        /* the location's configuration outlives any lookup */
        lu->lk.want = alcf->key_permissions->elts;
        lu->lk.nwant = alcf->key_permissions->nelts;
    }

    ngx_queue_init(&lu->waiters);

    ngx_memcpy(lu->hn.hash, ctx->hash, NGX_HTTP_ATHENA_AUTH_HASH_LEN);

    if (key == NULL) {
        lu->shared = 1;
        ngx_http_athena_auth_hash_link(&ngx_http_athena_auth_lookups, &lu->hn,
                                       ctx->hash);
    }

    return lu;
}


/* makes r wait for the identity behind ctx->hash: NGX_AGAIN or NGX_ERROR */

ngx_int_t
ngx_http_athena_auth_lookup(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t *ctx, const char *token, const char *key)
{
    ngx_uint_t                      start;
    ngx_http_athena_auth_lookup_t  *lu;

    if (ngx_http_athena_auth_lookups.root == NULL) {
        ngx_rbtree_init(&ngx_http_athena_auth_lookups,
                        &ngx_http_athena_auth_lookups_sentinel,
                        ngx_http_athena_auth_hash_insert);
    }

    lu = key ? NULL
             : (ngx_http_athena_auth_lookup_t *)
                   ngx_http_athena_auth_hash_find(
                       &ngx_http_athena_auth_lookups, ctx->hash);
    start = 0;

    if (lu == NULL) {
        lu = ngx_http_athena_auth_lookup_create(r, ctx, token, key);
        if (lu == NULL) {
            return NGX_ERROR;
        }

        start = 1;
    }

    ngx_queue_insert_tail(&lu->waiters, &ctx->queue);
    ctx->waiting = 1;

    /* last: a lookup may finish (and wake its waiters) at once */
    if (start) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "athena_auth gate: lookup started");

        ngx_http_athena_auth_lookup_begin(lu);
    }

    return ctx->waiting ? NGX_AGAIN : NGX_OK;
}


ngx_int_t
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


/* NGX_AGAIN: the answer may be stale and is being asked for again */

static ngx_int_t
ngx_http_athena_auth_lookup_store(ngx_http_athena_auth_lookup_t *lu)
{
    ngx_int_t                          rc;
    ngx_http_athena_auth_main_conf_t  *amcf;

    amcf = lu->amcf;

    if (lu->lk.id.state != ATHENA_GATE_LIVE || lu->lk.id.counted) {
        return NGX_OK;
    }

    rc = ngx_http_athena_auth_cache_put(amcf->cache_zone, lu->hn.hash,
                                        &lu->lk.id, lu->since,
                                        amcf->gate_ttl_max);

    if (rc == NGX_OK || ++lu->tries >= NGX_HTTP_ATHENA_AUTH_LOOKUP_TRIES) {
        return NGX_OK;
    }

    ngx_http_athena_auth_lookup_begin(lu);

    return NGX_AGAIN;
}


/* hands the answer to every waiting request and resumes each */

static void
ngx_http_athena_auth_lookup_wake(ngx_http_athena_auth_lookup_t *lu)
{
    ngx_queue_t                      *q;
    ngx_connection_t                 *c;
    ngx_http_request_t               *r;
    ngx_http_athena_auth_gate_ctx_t  *ctx;

    while (!ngx_queue_empty(&lu->waiters)) {
        q = ngx_queue_head(&lu->waiters);
        ngx_queue_remove(q);

        ctx = ngx_queue_data(q, ngx_http_athena_auth_gate_ctx_t, queue);
        ctx->waiting = 0;

        r = ctx->request;
        c = r->connection;

        if (lu->lk.jwks) {
            /* the keys are read: each token is decided again with them */
            ctx->decide_again = lu->lk.keys_read;
            ctx->id.state = lu->lk.keys_read ? ATHENA_GATE_NONE
                                             : lu->lk.id.state;

        /* the answer outlives this lookup in the request's own pool */
        } else if (ngx_http_athena_auth_identity_copy(r->pool, &ctx->id,
                                                      &lu->lk.id)
                   != NGX_OK)
        {
            ctx->id.state = ATHENA_GATE_ERROR;
        }

        /* a request still inside its first phase call resumes by itself */
        if (ctx->starting) {
            continue;
        }

        ngx_http_set_log_request(c->log, r);

        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                       "athena_auth gate: lookup done, state %d",
                       (int) ctx->id.state);

        ngx_http_core_run_phases(r);
        ngx_http_run_posted_requests(c);
    }
}


static void
ngx_http_athena_auth_lookup_finish(ngx_http_athena_auth_lookup_t *lu)
{
    ngx_http_athena_auth_log_outcome(ngx_cycle->log, lu->lk.log_warn,
                                     lu->lk.log_error);

    if (ngx_http_athena_auth_lookup_store(lu) == NGX_AGAIN) {
        return;
    }

    if (lu->shared) {
        ngx_rbtree_delete(&ngx_http_athena_auth_lookups, &lu->hn.node);
    }

    if (lu->lk.jwks) {
        ngx_http_athena_auth_jwks_read(&lu->lk);
    }

    ngx_http_athena_auth_lookup_wake(lu);

    athena_arena_destroy(lu->lk.arena);
    ngx_free(lu->task);
}
