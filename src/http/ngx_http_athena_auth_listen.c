/*
 * Each node listens for the cache notifications of migration 019 on one
 * Postgres connection, held by its first worker: the gate's shared memory
 * is the node's, so one listener evicts for all workers, and Postgres
 * carries one connection per node, not per worker.
 *
 * The connection is opened in a pool thread (libpq resolves a host name
 * and authenticates with blocking calls, bounded by
 * athena_auth_postgres_connect_timeout), then read on the event loop: the
 * socket is a level-triggered read event, and libpq only takes what
 * arrived. An empty statement every NGX_HTTP_ATHENA_AUTH_PING ms must be
 * answered before the next: a server that stopped answering is noticed as
 * a closed one is.
 *
 * Notices sent while no connection listened are lost, so a connect drops
 * everything cached before it, once LISTEN holds, unless another listener
 * of this node held it until then: a reload's. The listening worker
 * records itself in a small shared zone; when it is told to stop, it
 * keeps listening until the next generation's first worker has taken
 * over (at most NGX_HTTP_ATHENA_AUTH_HANDOVER ms), then reads what came
 * before that with one more ping's round trip, and only then closes. A
 * reload thus keeps the caches, as it keeps the zones. A listener that
 * died (a crash) is not alive to hand over, and one that cannot finish
 * its round trip drops everything itself.
 *
 * Reconnects back off from NGX_HTTP_ATHENA_AUTH_BACKOFF up to
 * NGX_HTTP_ATHENA_AUTH_BACKOFF_MAX. Postgres down changes nothing else:
 * the gate answers what it has cached within its TTL and refuses what it
 * cannot look up.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"
#include "../store/athena_listen_store.h"


#define NGX_HTTP_ATHENA_AUTH_PING         5000
#define NGX_HTTP_ATHENA_AUTH_BACKOFF      100
#define NGX_HTTP_ATHENA_AUTH_BACKOFF_MAX  5000
#define NGX_HTTP_ATHENA_AUTH_HANDOVER     1000
#define NGX_HTTP_ATHENA_AUTH_HANDOVER_TICK  20


/* in the shared zone: the worker that holds LISTEN for this node now */
typedef struct {
    ngx_pid_t                          pid;
} ngx_http_athena_auth_listen_sh_t;


typedef struct {
    ngx_http_athena_auth_main_conf_t  *amcf;
    athena_listen_t                   *l;
    char                               error[256];
} ngx_http_athena_auth_open_t;


typedef struct {
    ngx_http_athena_auth_main_conf_t  *amcf;
    athena_listen_t                   *l;
    ngx_connection_t                  *c;         /* l's socket, for events */
    ngx_thread_task_t                 *task;      /* an open under way */
    ngx_event_t                        timer;     /* a reconnect, or a ping */
    ngx_event_t                        handover;  /* holds a stopping worker */
    ngx_connection_t                   dummy;
    ngx_msec_t                         backoff;
    ngx_msec_t                         stopping;  /* since, by the clock */
    unsigned                           handing:1; /* waits for a successor */
    unsigned                           draining:1;
} ngx_http_athena_auth_listener_t;


static ngx_http_athena_auth_listener_t  ngx_http_athena_auth_listener;


static ngx_http_athena_auth_listen_sh_t *
ngx_http_athena_auth_listen_sh(ngx_http_athena_auth_listener_t *ls)
{
    return ls->amcf->listen_zone ? ls->amcf->listen_zone->data : NULL;
}


/*
 * Whether another live process of this node holds LISTEN; this one is
 * recorded as the holder either way.
 */

static ngx_uint_t
ngx_http_athena_auth_listen_take(ngx_http_athena_auth_listener_t *ls)
{
    ngx_pid_t                          was;
    ngx_slab_pool_t                   *shpool;
    ngx_http_athena_auth_listen_sh_t  *sh;

    sh = ngx_http_athena_auth_listen_sh(ls);
    if (sh == NULL) {
        return 0;
    }

    shpool = (ngx_slab_pool_t *) ls->amcf->listen_zone->shm.addr;

    ngx_shmtx_lock(&shpool->mutex);
    was = sh->pid;
    sh->pid = ngx_pid;
    ngx_shmtx_unlock(&shpool->mutex);

    return was != 0 && was != ngx_pid && kill(was, 0) == 0;
}


static ngx_uint_t
ngx_http_athena_auth_listen_held(ngx_http_athena_auth_listener_t *ls)
{
    ngx_http_athena_auth_listen_sh_t  *sh;

    sh = ngx_http_athena_auth_listen_sh(ls);

    /* a plain read: a stale answer only delays the next tick */
    return sh == NULL || sh->pid == ngx_pid;
}


static void
ngx_http_athena_auth_listen_later(ngx_http_athena_auth_listener_t *ls,
    ngx_msec_t delay)
{
    if (ngx_exiting || ngx_quit) {
        return;
    }

    if (ls->timer.timer_set) {
        ngx_del_timer(&ls->timer);
    }

    ngx_add_timer(&ls->timer, delay);
}


static void
ngx_http_athena_auth_listen_close(ngx_http_athena_auth_listener_t *ls)
{
    ngx_slab_pool_t                   *shpool;
    ngx_connection_t                  *c;
    ngx_http_athena_auth_listen_sh_t  *sh;

    c = ls->c;

    if (c != NULL) {
        /*
         * libpq owns the socket and closes it, maybe already has (on the
         * server's end): the event goes as with a socket being closed,
         * never by a call that could reach another file of that number
         */
        if (c->read->active) {
            ngx_del_event(c->read, NGX_READ_EVENT, NGX_CLOSE_EVENT);
        }

        if (c->read->posted) {
            ngx_delete_posted_event(c->read);
        }

        ngx_free_connection(c);
        c->fd = (ngx_socket_t) -1;
        ls->c = NULL;
    }

    if (ls->l != NULL) {
        athena_listen_close(ls->l);
        ls->l = NULL;

        sh = ngx_http_athena_auth_listen_sh(ls);

        if (sh != NULL) {
            shpool = (ngx_slab_pool_t *) ls->amcf->listen_zone->shm.addr;

            ngx_shmtx_lock(&shpool->mutex);
            if (sh->pid == ngx_pid) {
                sh->pid = 0;
            }
            ngx_shmtx_unlock(&shpool->mutex);
        }
    }

    if (ls->handover.timer_set) {
        ngx_del_timer(&ls->handover);
    }
}


/* the connection is gone: a new one after the backoff */

static void
ngx_http_athena_auth_listen_lost(ngx_http_athena_auth_listener_t *ls,
    const char *why)
{
    size_t  len;

    if (why == NULL) {
        /* libpq's message, to its first line */
        why = ls->l ? athena_listen_error(ls->l) : "";
        len = strcspn(why, "\n");

    } else {
        len = ngx_strlen(why);
    }

    ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                  "athena_auth: the cache notifications' connection was"
                  " lost (%*s), reconnecting in %M ms",
                  len, why, ls->backoff);

    if (ls->handing) {
        /* no successor can know what this one missed */
        ngx_http_athena_auth_invalidate_all(ls->amcf);
    }

    ngx_http_athena_auth_listen_close(ls);
    ngx_http_athena_auth_listen_later(ls, ls->backoff);
}


static void
ngx_http_athena_auth_listen_notice(void *data, const char *payload,
    size_t len)
{
    ngx_http_athena_auth_invalidate(data, payload, len);
}


static void ngx_http_athena_auth_listen_stop(
    ngx_http_athena_auth_listener_t *ls);


static void
ngx_http_athena_auth_listen_read(ngx_event_t *rev)
{
    ngx_connection_t                 *c;
    ngx_http_athena_auth_listener_t  *ls;

    c = rev->data;
    ls = &ngx_http_athena_auth_listener;

    if (c->close) {
        /* the worker is on its way out */
        c->close = 0;
        ngx_http_athena_auth_listen_stop(ls);
        return;
    }

    if (athena_listen_read(ls->l, ngx_http_athena_auth_listen_notice,
                           ls->amcf)
        != 0)
    {
        ngx_http_athena_auth_listen_lost(ls, NULL);
        return;
    }

    if (ls->draining && !athena_listen_pinged(ls->l)) {
        /* all that came before the successor listened is read */
        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                      "athena_auth: cache notifications handed over");
        ngx_http_athena_auth_listen_close(ls);
    }
}


/*
 * A stopping worker's listener: until a successor holds LISTEN, then one
 * ping's round trip; past NGX_HTTP_ATHENA_AUTH_HANDOVER it lets go, and
 * if it was still reading it drops everything first.
 */

static void
ngx_http_athena_auth_listen_handover(ngx_event_t *ev)
{
    ngx_http_athena_auth_listener_t  *ls;

    ls = &ngx_http_athena_auth_listener;

    if (ls->l == NULL) {
        return;
    }

    if (ngx_http_athena_auth_clock() - ls->stopping
        >= NGX_HTTP_ATHENA_AUTH_HANDOVER)
    {
        if (ls->draining) {
            ngx_http_athena_auth_invalidate_all(ls->amcf);
        }

        ngx_http_athena_auth_listen_close(ls);
        return;
    }

    /* a ping sent before the successor listened proves nothing: later */
    if (!ls->draining && !ngx_http_athena_auth_listen_held(ls)
        && !athena_listen_pinged(ls->l))
    {
        ls->draining = 1;

        if (athena_listen_ping(ls->l) != 0) {
            ngx_http_athena_auth_listen_lost(ls, NULL);
            return;
        }
    }

    ngx_add_timer(ev, NGX_HTTP_ATHENA_AUTH_HANDOVER_TICK);
}


static void
ngx_http_athena_auth_listen_stop(ngx_http_athena_auth_listener_t *ls)
{
    ngx_event_t  *ev;

    if (ls->handing || ls->l == NULL || ls->amcf->listen_zone == NULL) {
        ngx_http_athena_auth_listen_close(ls);
        return;
    }

    ls->handing = 1;
    ls->stopping = ngx_http_athena_auth_clock();

    /* not cancelable: it keeps the worker until it is done */
    ev = &ls->handover;
    ev->handler = ngx_http_athena_auth_listen_handover;
    ev->data = &ls->dummy;
    ev->log = ngx_cycle->log;

    ngx_add_timer(ev, NGX_HTTP_ATHENA_AUTH_HANDOVER_TICK);
}


static void
ngx_http_athena_auth_open_handler(void *data, ngx_log_t *log)
{
    ngx_http_athena_auth_open_t  *op = data;

    op->l = athena_listen_open(&op->amcf->conf->store, op->error,
                               sizeof(op->error));
}


static void
ngx_http_athena_auth_open_done(ngx_event_t *ev)
{
    ngx_connection_t                 *c;
    ngx_thread_task_t                *task;
    ngx_http_athena_auth_open_t      *op;
    ngx_http_athena_auth_listener_t  *ls;

    op = ev->data;
    ls = &ngx_http_athena_auth_listener;
    task = ls->task;
    ls->task = NULL;

    ngx_http_athena_auth_task_release();

    if (op->l == NULL) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "athena_auth: cannot listen for cache notifications"
                      " (%s), trying again in %M ms", op->error, ls->backoff);
        ngx_free(task);

        ngx_http_athena_auth_listen_later(ls, ls->backoff);
        ls->backoff = ngx_min(2 * ls->backoff,
                              NGX_HTTP_ATHENA_AUTH_BACKOFF_MAX);
        return;
    }

    ls->l = op->l;
    ngx_free(task);

    if (ngx_exiting || ngx_quit) {
        ngx_http_athena_auth_listen_close(ls);
        return;
    }

    c = ngx_get_connection(athena_listen_fd(ls->l), ngx_cycle->log);
    if (c == NULL) {
        ngx_http_athena_auth_listen_lost(ls, "no free connection");
        return;
    }

    ls->c = c;

    c->read->handler = ngx_http_athena_auth_listen_read;
    c->read->log = ngx_cycle->log;
    c->write->log = ngx_cycle->log;
    c->log = ngx_cycle->log;

    /* told when the worker stops, as an idle connection is */
    c->idle = 1;

    if (ngx_add_event(c->read, NGX_READ_EVENT, NGX_LEVEL_EVENT) != NGX_OK) {
        ngx_http_athena_auth_listen_lost(ls, "cannot watch the socket");
        return;
    }

    ls->backoff = NGX_HTTP_ATHENA_AUTH_BACKOFF;

    if (ngx_http_athena_auth_listen_take(ls)) {
        ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                      "athena_auth: listening for cache notifications,"
                      " taken over from the previous worker");

    } else {
        /* what changed while no one listened is not known: all of it */
        ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                      "athena_auth: listening for cache notifications;"
                      " what was cached before is dropped");

        ngx_http_athena_auth_invalidate_all(ls->amcf);
    }

    /* notices may have come with LISTEN's answer */
    ngx_http_athena_auth_listen_read(c->read);

    if (ls->l != NULL) {
        ngx_http_athena_auth_listen_later(ls, NGX_HTTP_ATHENA_AUTH_PING);
    }
}


static void
ngx_http_athena_auth_listen_open(ngx_http_athena_auth_listener_t *ls)
{
    ngx_thread_task_t            *task;
    ngx_http_athena_auth_open_t  *op;

    task = ngx_calloc(sizeof(ngx_thread_task_t)
                      + sizeof(ngx_http_athena_auth_open_t), ngx_cycle->log);
    if (task == NULL) {
        ngx_http_athena_auth_listen_later(ls, ls->backoff);
        return;
    }

    op = (ngx_http_athena_auth_open_t *) (task + 1);
    op->amcf = ls->amcf;

    task->ctx = op;
    task->handler = ngx_http_athena_auth_open_handler;
    task->event.handler = ngx_http_athena_auth_open_done;
    task->event.data = op;

    if (ngx_thread_task_post(ls->amcf->thread_pool, task) != NGX_OK) {
        /* the pool's queue is full of requests: later */
        ngx_free(task);
        ngx_http_athena_auth_listen_later(ls, ls->backoff);
        return;
    }

    ls->task = task;
    ngx_http_athena_auth_task_hold();
}


/* no connection: open one; one: the last ping must have been answered */

static void
ngx_http_athena_auth_listen_tick(ngx_event_t *ev)
{
    ngx_http_athena_auth_listener_t  *ls;

    ls = &ngx_http_athena_auth_listener;

    if (ngx_exiting || ngx_quit || ls->task != NULL) {
        return;
    }

    if (ls->l == NULL) {
        ngx_http_athena_auth_listen_open(ls);
        return;
    }

    if (athena_listen_pinged(ls->l)) {
        ngx_http_athena_auth_listen_lost(ls, "no answer to a ping");
        return;
    }

    if (athena_listen_ping(ls->l) != 0) {
        ngx_http_athena_auth_listen_lost(ls, NULL);
        return;
    }

    ngx_http_athena_auth_listen_later(ls, NGX_HTTP_ATHENA_AUTH_PING);
}


static ngx_int_t
ngx_http_athena_auth_listen_zone_init(ngx_shm_zone_t *zone, void *data)
{
    ngx_slab_pool_t                   *shpool;
    ngx_http_athena_auth_listen_sh_t  *sh;

    if (data) {
        /* a reload: the holder stays known to its successor */
        zone->data = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) zone->shm.addr;

    if (zone->shm.exists) {
        zone->data = shpool->data;
        return NGX_OK;
    }

    sh = ngx_slab_alloc(shpool, sizeof(ngx_http_athena_auth_listen_sh_t));
    if (sh == NULL) {
        return NGX_ERROR;
    }

    sh->pid = 0;
    shpool->data = sh;
    zone->data = sh;

    return NGX_OK;
}


ngx_int_t
ngx_http_athena_auth_listen_zone(ngx_conf_t *cf,
    ngx_http_athena_auth_main_conf_t *amcf)
{
    ngx_str_t  name = ngx_string("athena_auth_listen");

    amcf->listen_zone = ngx_shared_memory_add(cf, &name, 8 * ngx_pagesize,
                                              &ngx_http_athena_auth_module);
    if (amcf->listen_zone == NULL) {
        return NGX_ERROR;
    }

    amcf->listen_zone->init = ngx_http_athena_auth_listen_zone_init;

    return NGX_OK;
}


ngx_int_t
ngx_http_athena_auth_listen_init_process(ngx_cycle_t *cycle)
{
    ngx_http_athena_auth_listener_t   *ls;
    ngx_http_athena_auth_main_conf_t  *amcf;

    if (!(ngx_process == NGX_PROCESS_SINGLE
          || (ngx_process == NGX_PROCESS_WORKER && ngx_worker == 0)))
    {
        return NGX_OK;
    }

    amcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_athena_auth_module);

    if (amcf == NULL || amcf->conf == NULL || !amcf->cache_notify
        || amcf->postgres.len == 0 || amcf->thread_pool == NULL)
    {
        return NGX_OK;
    }

    ls = &ngx_http_athena_auth_listener;

    ls->amcf = amcf;
    ls->backoff = NGX_HTTP_ATHENA_AUTH_BACKOFF;
    ls->dummy.fd = (ngx_socket_t) -1;

    ls->timer.handler = ngx_http_athena_auth_listen_tick;
    ls->timer.data = &ls->dummy;
    ls->timer.log = cycle->log;
    ls->timer.cancelable = 1;

    ngx_add_timer(&ls->timer, 1);

    return NGX_OK;
}


void
ngx_http_athena_auth_listen_exit(void)
{
    ngx_http_athena_auth_listen_close(&ngx_http_athena_auth_listener);
}
