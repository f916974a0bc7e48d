/*
 * Redis from the event loop, for the gate's misses: one connection per
 * worker, owned by nginx (ngx_event_connect_peer, nginx timers, c->send
 * and c->recv), with hiredis only as the codec. Commands queued while the
 * loop handles one batch of events go out in one write, and their replies
 * come back in order, so a burst of misses costs a few system calls
 * rather than a thread hop each.
 *
 * Whatever goes wrong (no connection, an error, no reply within the
 * timeout) every waiting command is answered with NULL, the connection is
 * closed and Redis is left alone for athena_auth_redis_retry by the whole
 * process (src/store/athena_redis_health.c); the callers then ask a thread
 * task, which goes straight to Postgres.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_event_connect.h>
#include <ngx_http.h>

#include <hiredis/hiredis.h>

#include "../../ngx_http_athena_auth_module.h"
#include "../core/athena_resp.h"
#include "../store/athena_redis_health.h"


typedef struct {
    ngx_queue_t                       queue;
    ngx_http_athena_auth_redis_pt     handler;
    void                             *data;
} ngx_http_athena_auth_redis_op_t;


typedef struct {
    ngx_peer_connection_t             pc;
    redisReader                      *reader;
    u_char                           *out;
    size_t                            out_len;
    size_t                            out_size;
    ngx_queue_t                       ops;           /* awaiting a reply */
    ngx_log_t                         log;
    ngx_msec_t                        timeout;
    ngx_msec_t                        retry;
    unsigned                          connected:1;
    unsigned                          failed:1;      /* in this batch */
} ngx_http_athena_auth_redis_t;


static ngx_http_athena_auth_redis_t  ngx_http_athena_auth_redis;


static void ngx_http_athena_auth_redis_read(ngx_event_t *rev);
static void ngx_http_athena_auth_redis_write(ngx_event_t *wev);


static void
ngx_http_athena_auth_redis_close(ngx_http_athena_auth_redis_t *rd)
{
    if (rd->pc.connection != NULL) {
        ngx_close_connection(rd->pc.connection);
        rd->pc.connection = NULL;
    }

    if (rd->reader != NULL) {
        redisReaderFree(rd->reader);
        rd->reader = NULL;
    }

    rd->out_len = 0;
    rd->connected = 0;
}


/*
 * Every waiting command hears NULL. If one was waiting (a timeout, a
 * refused connection, a bad reply) Redis rests for the retry time, in the
 * pool threads too; an idle connection that Redis closed (a restart) or
 * that the worker closes on its way out is only replaced by the next
 * command.
 */

static void
ngx_http_athena_auth_redis_fail(ngx_http_athena_auth_redis_t *rd,
    const char *why, ngx_uint_t rest)
{
    ngx_queue_t                      *q;
    ngx_http_athena_auth_redis_op_t  *op;

    ngx_http_athena_auth_redis_close(rd);

    if (rest) {
        athena_redis_failed((int) rd->retry);
    }

    ngx_http_athena_auth_log_outcome(ngx_cycle->log, why, NULL);

    while (!ngx_queue_empty(&rd->ops)) {
        q = ngx_queue_head(&rd->ops);
        ngx_queue_remove(q);

        op = ngx_queue_data(q, ngx_http_athena_auth_redis_op_t, queue);
        op->handler(op->data, NULL);
        ngx_free(op);
    }
}


static ngx_int_t
ngx_http_athena_auth_redis_append(ngx_http_athena_auth_redis_t *rd,
    int argc, const char **argv, const size_t *lens)
{
    size_t   n, size;
    u_char  *p;

    n = athena_resp_size(argc, lens);

    if (rd->out_len + n > rd->out_size) {
        size = ngx_max(2 * rd->out_size, rd->out_len + n);
        size = ngx_max(size, 4096);

        p = ngx_alloc(size, ngx_cycle->log);
        if (p == NULL) {
            return NGX_ERROR;
        }

        if (rd->out_len) {
            ngx_memcpy(p, rd->out, rd->out_len);
        }

        if (rd->out) {
            ngx_free(rd->out);
        }

        rd->out = p;
        rd->out_size = size;
    }

    rd->out_len += athena_resp_put((char *) rd->out + rd->out_len, argc, argv,
                                   lens);

    return NGX_OK;
}


static ngx_int_t
ngx_http_athena_auth_redis_queue(ngx_http_athena_auth_redis_t *rd,
    int argc, const char **argv, const size_t *lens,
    ngx_http_athena_auth_redis_pt handler, void *data)
{
    ngx_connection_t                 *c;
    ngx_http_athena_auth_redis_op_t  *op;

    op = ngx_alloc(sizeof(ngx_http_athena_auth_redis_op_t), ngx_cycle->log);
    if (op == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_athena_auth_redis_append(rd, argc, argv, lens) != NGX_OK) {
        ngx_free(op);
        return NGX_ERROR;
    }

    op->handler = handler;
    op->data = data;
    ngx_queue_insert_tail(&rd->ops, &op->queue);

    c = rd->pc.connection;

    /* one write at the end of this batch of events carries them all */
    if (rd->connected && !c->write->posted) {
        ngx_post_event(c->write, &ngx_posted_events);
    }

    if (!c->read->timer_set) {
        ngx_add_timer(c->read, rd->timeout);
    }

    c->idle = 0;

    return NGX_OK;
}


/* AUTH and SELECT answer before any command; an error there is fatal */

static void
ngx_http_athena_auth_redis_setup_reply(void *data, struct redisReply *reply)
{
    ngx_http_athena_auth_redis_t  *rd = data;

    if (reply != NULL && reply->type == REDIS_REPLY_ERROR) {
        rd->failed = 1;
    }
}


static ngx_int_t
ngx_http_athena_auth_redis_setup(ngx_http_athena_auth_redis_t *rd,
    const athena_store_conf_t *sc)
{
    char         db[NGX_INT_T_LEN + 1];
    size_t       lens[2];
    const char  *argv[2];

    if (sc->redis_password != NULL) {
        argv[0] = "AUTH";
        argv[1] = sc->redis_password;
        lens[0] = 4;
        lens[1] = ngx_strlen(sc->redis_password);

        if (ngx_http_athena_auth_redis_queue(rd, 2, argv, lens,
                                    ngx_http_athena_auth_redis_setup_reply, rd)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (sc->redis_db != 0) {
        argv[0] = "SELECT";
        argv[1] = db;
        lens[0] = 6;
        lens[1] = ngx_sprintf((u_char *) db, "%d", sc->redis_db)
                  - (u_char *) db;

        if (ngx_http_athena_auth_redis_queue(rd, 2, argv, lens,
                                    ngx_http_athena_auth_redis_setup_reply, rd)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_athena_auth_redis_connect(ngx_http_athena_auth_redis_t *rd,
    ngx_http_athena_auth_main_conf_t *amcf)
{
    ngx_int_t          rc;
    ngx_connection_t  *c;

    ngx_memzero(&rd->pc, sizeof(ngx_peer_connection_t));

    rd->pc.sockaddr = amcf->redis_addr->sockaddr;
    rd->pc.socklen = amcf->redis_addr->socklen;
    rd->pc.name = &amcf->redis_addr->name;
    rd->pc.get = ngx_event_get_peer;

    /*
     * nginx would log every failed connect as an error, once a retry
     * period per worker while Redis is down; the module's own warning,
     * rate-limited, says it instead.
     */
    rd->log = *ngx_cycle->log;
    rd->log.log_level = NGX_LOG_CRIT;
    rd->pc.log = &rd->log;
    rd->pc.log_error = NGX_ERROR_INFO;

    rc = ngx_event_connect_peer(&rd->pc);

    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        rd->pc.connection = NULL;
        return NGX_ERROR;
    }

    rd->reader = redisReaderCreate();
    if (rd->reader == NULL) {
        ngx_http_athena_auth_redis_close(rd);
        return NGX_ERROR;
    }

    c = rd->pc.connection;
    c->data = rd;
    c->read->handler = ngx_http_athena_auth_redis_read;
    c->write->handler = ngx_http_athena_auth_redis_write;

    /*
     * Commands go out in small writes while earlier ones await replies:
     * Nagle's algorithm would hold a write until the last one is ACKed,
     * which a delayed ACK may put off by 40 ms (hiredis's own blocking
     * connections set TCP_NODELAY too).
     */
    if (rd->pc.sockaddr->sa_family != AF_UNIX
        && ngx_tcp_nodelay(c) != NGX_OK)
    {
        ngx_http_athena_auth_redis_close(rd);
        return NGX_ERROR;
    }

    rd->connected = (rc == NGX_OK);

    return ngx_http_athena_auth_redis_setup(rd, &amcf->conf->store);
}


/*
 * Queues a command whose handler gets the reply (or NULL). NGX_DECLINED:
 * Redis is not configured or resting after a failure; ask elsewhere.
 */

ngx_int_t
ngx_http_athena_auth_redis_command(ngx_http_athena_auth_main_conf_t *amcf,
    int argc, const char **argv, const size_t *lens,
    ngx_http_athena_auth_redis_pt handler, void *data)
{
    ngx_http_athena_auth_redis_t  *rd;

    rd = &ngx_http_athena_auth_redis;

    if (amcf->redis_addr == NULL
        || !athena_redis_may_ask(amcf->conf->store.redis_retry))
    {
        return NGX_DECLINED;
    }

    if (rd->ops.next == NULL) {
        ngx_queue_init(&rd->ops);
    }

    rd->timeout = amcf->conf->store.redis_timeout;
    rd->retry = amcf->conf->store.redis_retry;

    if (rd->pc.connection == NULL
        && ngx_http_athena_auth_redis_connect(rd, amcf) != NGX_OK)
    {
        ngx_http_athena_auth_redis_fail(rd, "redis: cannot connect", 1);
        return NGX_DECLINED;
    }

    if (ngx_http_athena_auth_redis_queue(rd, argc, argv, lens, handler, data)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_athena_auth_redis_test_connect(ngx_connection_t *c)
{
    int        err;
    socklen_t  len;

    err = 0;
    len = sizeof(int);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, (void *) &err, &len) == -1) {
        err = ngx_socket_errno;
    }

    return err ? NGX_ERROR : NGX_OK;
}


static void
ngx_http_athena_auth_redis_write(ngx_event_t *wev)
{
    ssize_t                        n;
    ngx_connection_t              *c;
    ngx_http_athena_auth_redis_t  *rd;

    c = wev->data;
    rd = c->data;

    if (!rd->connected) {
        if (ngx_http_athena_auth_redis_test_connect(c) != NGX_OK) {
            ngx_http_athena_auth_redis_fail(rd, "redis: cannot connect", 1);
            return;
        }

        rd->connected = 1;
    }

    while (rd->out_len) {
        n = c->send(c, rd->out, rd->out_len);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR || n == 0) {
            ngx_http_athena_auth_redis_fail(rd, "redis: write failed", 1);
            return;
        }

        ngx_memmove(rd->out, rd->out + n, rd->out_len - n);
        rd->out_len -= n;
    }

    if (ngx_handle_write_event(wev, 0) != NGX_OK) {
        ngx_http_athena_auth_redis_fail(rd, "redis: write failed", 1);
    }
}


/* replies come in the order of the commands: each is its op's */

static ngx_int_t
ngx_http_athena_auth_redis_replies(ngx_http_athena_auth_redis_t *rd)
{
    void                             *reply;
    ngx_queue_t                      *q;
    ngx_http_athena_auth_redis_op_t  *op;

    for ( ;; ) {
        if (redisReaderGetReply(rd->reader, &reply) != REDIS_OK) {
            return NGX_ERROR;
        }

        if (reply == NULL) {
            return NGX_OK;
        }

        if (ngx_queue_empty(&rd->ops)) {
            freeReplyObject(reply);
            return NGX_ERROR;
        }

        q = ngx_queue_head(&rd->ops);
        ngx_queue_remove(q);

        op = ngx_queue_data(q, ngx_http_athena_auth_redis_op_t, queue);
        op->handler(op->data, reply);

        freeReplyObject(reply);
        ngx_free(op);
    }
}


static void
ngx_http_athena_auth_redis_read(ngx_event_t *rev)
{
    u_char                         buf[16384];
    ssize_t                        n;
    ngx_connection_t              *c;
    ngx_http_athena_auth_redis_t  *rd;

    c = rev->data;
    rd = c->data;

    if (rev->timedout) {
        ngx_http_athena_auth_redis_fail(rd, "redis: timed out", 1);
        return;
    }

    /* a worker shutting down closes its idle connections */
    if (c->close) {
        ngx_http_athena_auth_redis_fail(rd, NULL, 0);
        return;
    }

    rd->failed = 0;

    for ( ;; ) {
        n = c->recv(c, buf, sizeof(buf));

        if (n == NGX_AGAIN) {
            break;
        }

        if ((n == 0 || n == NGX_ERROR) && ngx_queue_empty(&rd->ops)) {
            /*
             * not yet a failure: the next command connects again, and
             * warns if that fails (the warnings are rate-limited, and
             * this one would take the place of one that says more)
             */
            ngx_log_error(NGX_LOG_INFO, c->log, 0,
                          "athena_auth: redis closed an idle connection");
            ngx_http_athena_auth_redis_fail(rd, NULL, 0);
            return;
        }

        if (n == 0 || n == NGX_ERROR) {
            ngx_http_athena_auth_redis_fail(rd, "redis: connection lost", 1);
            return;
        }

        if (redisReaderFeed(rd->reader, (const char *) buf, n) != REDIS_OK
            || ngx_http_athena_auth_redis_replies(rd) != NGX_OK
            || rd->failed)
        {
            ngx_http_athena_auth_redis_fail(rd, "redis: bad reply", 1);
            return;
        }

        athena_redis_answered();
    }

    if (ngx_queue_empty(&rd->ops)) {
        if (rev->timer_set) {
            ngx_del_timer(rev);
        }

        c->idle = 1;

    } else {
        /*
         * the oldest command left has a fresh bound; ngx_add_timer() alone
         * keeps a timer that moves by less than NGX_TIMER_LAZY_DELAY (300
         * ms, above the default timeout), so a connection whose commands
         * never all got answered at once timed out while Redis answered
         */
        if (rev->timer_set) {
            ngx_del_timer(rev);
        }

        ngx_add_timer(rev, rd->timeout);
    }

    if (ngx_handle_read_event(rev, 0) != NGX_OK) {
        ngx_http_athena_auth_redis_fail(rd, "redis: read failed", 1);
    }
}


/*
 * At exit nothing waits any more (a command's timer keeps the worker until
 * it is answered), and the thread pool a handler could turn to is gone:
 * whatever is left is only freed.
 */

void
ngx_http_athena_auth_redis_exit(void)
{
    ngx_queue_t                   *q;
    ngx_http_athena_auth_redis_t  *rd;

    rd = &ngx_http_athena_auth_redis;

    while (rd->ops.next != NULL && !ngx_queue_empty(&rd->ops)) {
        q = ngx_queue_head(&rd->ops);
        ngx_queue_remove(q);
        ngx_free(ngx_queue_data(q, ngx_http_athena_auth_redis_op_t, queue));
    }

    ngx_http_athena_auth_redis_close(rd);

    if (rd->out) {
        ngx_free(rd->out);
        rd->out = NULL;
    }
}
