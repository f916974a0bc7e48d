/*
 * What Postgres announces (migration 019, through the listening
 * connection of ngx_http_athena_auth_listen.c) leaves this node's caches:
 * the gate's shared memory at once, and the Redis entries by the worker's
 * event-loop connection. Every node deletes the same Redis entries: that
 * is idempotent, and no node depends on another being up.
 *
 * A lookup may have read Redis just before the deletion and fill the
 * shared memory after it, so each digest is evicted once more when
 * Redis has answered: the tombstone then refuses that lookup a place.
 *
 * "Anything may have changed" (a bulk statement, a TRUNCATE, or notices
 * lost while the listening connection was down) flushes the shared memory
 * and purges the cache's Redis entries (SCAN, then UNLINK): sessions,
 * memberships, admin roles and API keys, never the rate-limit counters.
 * A purge that fails (Redis down) is tried again after a delay.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <hiredis/hiredis.h>

#include "../../ngx_http_athena_auth_module.h"
#include "../core/athena_notice.h"
#include "../store/athena_auth_store.h"


#define NGX_HTTP_ATHENA_AUTH_PURGE_RETRY      1000
#define NGX_HTTP_ATHENA_AUTH_PURGE_RETRY_MAX  30000


typedef struct {
    ngx_queue_t                        queue;       /* in the live ones */
    ngx_uint_t                         pending;     /* Redis replies due */
    ngx_uint_t                         failed;
    ngx_uint_t                         n;
    u_char                            *digests;     /* n hashes */
} ngx_http_athena_auth_batch_t;


typedef struct {
    ngx_http_athena_auth_main_conf_t  *amcf;
    ngx_queue_t                        batches;
    ngx_uint_t                         pending;     /* purge replies due */
    ngx_msec_t                         delay;
    ngx_event_t                        retry;
    ngx_connection_t                   dummy;
    unsigned                           purging:1;
    unsigned                           scanning:1;
    unsigned                           failed:1;
    unsigned                           again:1;
} ngx_http_athena_auth_invalidation_t;


static ngx_http_athena_auth_invalidation_t  ngx_http_athena_auth_inv;


/* the kinds of Redis entry a change can make stale (src/store) */
static ngx_str_t  ngx_http_athena_auth_cached[] = {
    ngx_string(ATHENA_CACHE_SESSION),
    ngx_string(ATHENA_CACHE_MEMBER),
    ngx_string(ATHENA_CACHE_ROLES),
    ngx_string(ATHENA_CACHE_APIKEY),
    ngx_null_string
};


static void ngx_http_athena_auth_purge_start(void);
static void ngx_http_athena_auth_purge_later(void);
static void ngx_http_athena_auth_purge_scan(const char *cursor, size_t len);


static ngx_uint_t
ngx_http_athena_auth_redis_caches(ngx_http_athena_auth_main_conf_t *amcf)
{
    return amcf->redis_addr != NULL && amcf->conf->store.cache_ttl > 0;
}


static void
ngx_http_athena_auth_inv_init(ngx_http_athena_auth_main_conf_t *amcf)
{
    ngx_http_athena_auth_invalidation_t  *inv;

    inv = &ngx_http_athena_auth_inv;

    if (inv->amcf == NULL) {
        inv->amcf = amcf;
        ngx_queue_init(&inv->batches);
    }
}


/*
 * One command on the key the cache's prefix, kind and value make: DEL, or
 * for an ended session the "revoked" marker the API writes.
 */

static ngx_int_t
ngx_http_athena_auth_inv_command(ngx_http_athena_auth_main_conf_t *amcf,
    ngx_uint_t ended, const char *kind, const char *value, size_t len,
    ngx_http_athena_auth_redis_pt handler, void *data)
{
    u_char      *key, *p, ttl[NGX_INT64_LEN];
    size_t       lens[5];
    ngx_int_t    rc;
    const char  *argv[5];

    key = ngx_alloc(amcf->cache_prefix.len + ngx_strlen(kind) + len,
                    ngx_cycle->log);
    if (key == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(key, amcf->cache_prefix.data, amcf->cache_prefix.len);
    p = ngx_cpymem(p, kind, ngx_strlen(kind));
    p = ngx_cpymem(p, value, len);

    argv[0] = ended ? "SET" : "DEL";
    lens[0] = 3;
    argv[1] = (const char *) key;
    lens[1] = p - key;

    argv[2] = ATHENA_CACHE_REVOKED;
    lens[2] = sizeof(ATHENA_CACHE_REVOKED) - 1;
    argv[3] = "PX";
    lens[3] = 2;
    argv[4] = (const char *) ttl;
    lens[4] = ngx_sprintf(ttl, "%M", amcf->cache_ttl) - ttl;

    rc = ngx_http_athena_auth_redis_command(amcf, ended ? 5 : 2, argv, lens,
                                            handler, data);
    ngx_free(key);

    return rc;
}


static void
ngx_http_athena_auth_batch_done(ngx_http_athena_auth_batch_t *b)
{
    ngx_uint_t                         i;
    ngx_http_athena_auth_main_conf_t  *amcf;

    amcf = ngx_http_athena_auth_inv.amcf;

    if (amcf->cache_zone != NULL) {
        for (i = 0; i < b->n; i++) {
            ngx_http_athena_auth_cache_evict(amcf->cache_zone,
                               b->digests + i * NGX_HTTP_ATHENA_AUTH_HASH_LEN);
        }
    }

    if (b->failed) {
        /* Redis may still hold what was to go: all of it goes, later */
        ngx_http_athena_auth_purge_later();
    }

    ngx_queue_remove(&b->queue);
    ngx_free(b);
}


static void
ngx_http_athena_auth_batch_reply(void *data, redisReply *reply)
{
    ngx_http_athena_auth_batch_t  *b = data;

    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        b->failed = 1;
    }

    if (--b->pending == 0) {
        ngx_http_athena_auth_batch_done(b);
    }
}


/* the kind of Redis entry an item names */

static const char *
ngx_http_athena_auth_inv_kind(athena_notice_e type)
{
    switch (type) {

    case ATHENA_NOTICE_SESSION:
    case ATHENA_NOTICE_ENDED:
        return ATHENA_CACHE_SESSION;

    case ATHENA_NOTICE_KEY:
        return ATHENA_CACHE_APIKEY;

    case ATHENA_NOTICE_MEMBER:
        return ATHENA_CACHE_MEMBER;

    default: /* ATHENA_NOTICE_ROLES */
        return ATHENA_CACHE_ROLES;
    }
}


void
ngx_http_athena_auth_invalidate(ngx_http_athena_auth_main_conf_t *amcf,
    const char *payload, size_t len)
{
    u_char                        *d;
    ngx_uint_t                     n, redis;
    const char                    *p, *end, *kind;
    athena_notice_item_t           it;
    ngx_http_athena_auth_batch_t  *b;

    ngx_http_athena_auth_inv_init(amcf);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                   "athena_auth notice: \"%*s\"", len, payload);

    end = payload + len;
    n = 0;

    for (p = payload; athena_notice_next(&p, end, &it); /* void */) {
        if (it.type == ATHENA_NOTICE_FLUSH) {
            ngx_http_athena_auth_invalidate_all(amcf);
            return;
        }

        if (it.type <= ATHENA_NOTICE_KEY) {
            n++;
        }
    }

    b = ngx_alloc(sizeof(ngx_http_athena_auth_batch_t)
                  + n * NGX_HTTP_ATHENA_AUTH_HASH_LEN, ngx_cycle->log);
    if (b == NULL) {
        ngx_http_athena_auth_invalidate_all(amcf);
        return;
    }

    ngx_memzero(b, sizeof(ngx_http_athena_auth_batch_t));
    b->digests = (u_char *) (b + 1);
    ngx_queue_insert_tail(&ngx_http_athena_auth_inv.batches, &b->queue);

    redis = ngx_http_athena_auth_redis_caches(amcf);

    /* the batch is not done before every command is queued */
    b->pending = 1;

    for (p = payload; athena_notice_next(&p, end, &it); /* void */) {

        if (it.type <= ATHENA_NOTICE_KEY) {
            d = b->digests + b->n++ * NGX_HTTP_ATHENA_AUTH_HASH_LEN;
            ngx_memcpy(d, it.digest, NGX_HTTP_ATHENA_AUTH_HASH_LEN);

            if (amcf->cache_zone != NULL) {
                ngx_http_athena_auth_cache_evict(amcf->cache_zone, d);
            }
        }

        if (!redis) {
            continue;
        }

        kind = ngx_http_athena_auth_inv_kind(it.type);

        if (ngx_http_athena_auth_inv_command(amcf,
                                          it.type == ATHENA_NOTICE_ENDED,
                                          kind, it.value, it.len,
                                          ngx_http_athena_auth_batch_reply, b)
            == NGX_OK)
        {
            b->pending++;

        } else {
            b->failed = 1;
        }
    }

    if (--b->pending == 0) {
        ngx_http_athena_auth_batch_done(b);
    }
}


/* --- the purge: everything cached goes ------------------------------- */


static void
ngx_http_athena_auth_purge_retry(ngx_event_t *ev)
{
    if (!ngx_exiting && !ngx_quit) {
        ngx_http_athena_auth_purge_start();
    }
}


/*
 * A purge after a delay that grows while Redis fails: until it is back,
 * nothing reads the entries the purge is for (the whole process rests
 * from Redis), and the zone is flushed when the purge is done.
 */

static void
ngx_http_athena_auth_purge_later(void)
{
    ngx_event_t                          *ev;
    ngx_http_athena_auth_invalidation_t  *inv;

    inv = &ngx_http_athena_auth_inv;
    ev = &inv->retry;

    if (inv->purging) {
        inv->again = 1;
        return;
    }

    if (ev->timer_set || ngx_exiting || ngx_quit) {
        return;
    }

    inv->delay = inv->delay ? ngx_min(2 * inv->delay,
                                      NGX_HTTP_ATHENA_AUTH_PURGE_RETRY_MAX)
                            : NGX_HTTP_ATHENA_AUTH_PURGE_RETRY;

    ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                  "athena_auth: the Redis cache could not be purged,"
                  " trying again in %M ms", inv->delay);

    inv->dummy.fd = (ngx_socket_t) -1;
    ev->handler = ngx_http_athena_auth_purge_retry;
    ev->data = &inv->dummy;
    ev->log = ngx_cycle->log;
    ev->cancelable = 1;

    ngx_add_timer(ev, inv->delay);
}


static void
ngx_http_athena_auth_purge_end(void)
{
    ngx_http_athena_auth_invalidation_t  *inv;

    inv = &ngx_http_athena_auth_inv;

    if (inv->pending || inv->scanning) {
        return;
    }

    inv->purging = 0;

    if (inv->failed) {
        inv->failed = 0;
        inv->again = 0;
        ngx_http_athena_auth_purge_later();
        return;
    }

    inv->delay = 0;

    /* lookups that read Redis before its entries went are not kept */
    if (inv->amcf->cache_zone != NULL) {
        ngx_http_athena_auth_cache_flush(inv->amcf->cache_zone);
    }

    if (inv->again) {
        inv->again = 0;
        ngx_http_athena_auth_purge_start();
    }
}


static void
ngx_http_athena_auth_purge_unlinked(void *data, redisReply *reply)
{
    ngx_http_athena_auth_invalidation_t  *inv;

    inv = &ngx_http_athena_auth_inv;

    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        inv->failed = 1;
    }

    inv->pending--;
    ngx_http_athena_auth_purge_end();
}


static ngx_uint_t
ngx_http_athena_auth_purge_wanted(ngx_str_t *prefix, redisReply *key)
{
    size_t      len;
    ngx_str_t  *kind;

    if (key->type != REDIS_REPLY_STRING || key->len < prefix->len
        || ngx_memcmp(key->str, prefix->data, prefix->len) != 0)
    {
        return 0;
    }

    len = key->len - prefix->len;

    for (kind = ngx_http_athena_auth_cached; kind->len; kind++) {
        if (len > kind->len
            && ngx_memcmp(key->str + prefix->len, kind->data, kind->len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/* one page of SCAN's: its cache entries are unlinked, the next asked */

static void
ngx_http_athena_auth_purge_scanned(void *data, redisReply *reply)
{
    size_t                               *lens;
    ngx_uint_t                            i, n;
    const char                          **argv;
    redisReply                           *keys, *cursor;
    ngx_http_athena_auth_invalidation_t  *inv;

    inv = &ngx_http_athena_auth_inv;
    inv->scanning = 0;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 2
        || reply->element[0]->type != REDIS_REPLY_STRING
        || reply->element[1]->type != REDIS_REPLY_ARRAY)
    {
        inv->failed = 1;
        ngx_http_athena_auth_purge_end();
        return;
    }

    cursor = reply->element[0];
    keys = reply->element[1];

    argv = ngx_alloc((keys->elements + 1) * (sizeof(char *) + sizeof(size_t)),
                     ngx_cycle->log);
    if (argv == NULL) {
        inv->failed = 1;
        ngx_http_athena_auth_purge_end();
        return;
    }

    lens = (size_t *) (argv + keys->elements + 1);

    argv[0] = "UNLINK";
    lens[0] = 6;
    n = 1;

    for (i = 0; i < keys->elements; i++) {
        if (ngx_http_athena_auth_purge_wanted(&inv->amcf->cache_prefix,
                                              keys->element[i]))
        {
            argv[n] = keys->element[i]->str;
            lens[n] = keys->element[i]->len;
            n++;
        }
    }

    if (n > 1) {
        if (ngx_http_athena_auth_redis_command(inv->amcf, (int) n, argv, lens,
                                          ngx_http_athena_auth_purge_unlinked,
                                          NULL)
            == NGX_OK)
        {
            inv->pending++;

        } else {
            inv->failed = 1;
        }
    }

    ngx_free(argv);

    if (!inv->failed && !(cursor->len == 1 && cursor->str[0] == '0')) {
        ngx_http_athena_auth_purge_scan(cursor->str, cursor->len);
        return;
    }

    ngx_http_athena_auth_purge_end();
}


static void
ngx_http_athena_auth_purge_scan(const char *cursor, size_t len)
{
    u_char                               *pattern, *p;
    size_t                                lens[6];
    ngx_uint_t                            i;
    const char                           *argv[6];
    ngx_str_t                            *prefix;
    ngx_http_athena_auth_invalidation_t  *inv;

    inv = &ngx_http_athena_auth_inv;
    prefix = &inv->amcf->cache_prefix;

    /* the prefix as a glob: its own *, ?, [, ] and \ are escaped */
    pattern = ngx_alloc(2 * prefix->len + 1, ngx_cycle->log);
    if (pattern == NULL) {
        inv->failed = 1;
        ngx_http_athena_auth_purge_end();
        return;
    }

    p = pattern;

    for (i = 0; i < prefix->len; i++) {
        if (ngx_strchr("*?[]\\", prefix->data[i]) != NULL) {
            *p++ = '\\';
        }

        *p++ = prefix->data[i];
    }

    *p++ = '*';

    argv[0] = "SCAN";
    argv[1] = cursor;
    argv[2] = "MATCH";
    argv[3] = (const char *) pattern;
    argv[4] = "COUNT";
    argv[5] = "1000";

    lens[0] = 4;
    lens[1] = len;
    lens[2] = 5;
    lens[3] = p - pattern;
    lens[4] = 5;
    lens[5] = 4;

    if (ngx_http_athena_auth_redis_command(inv->amcf, 6, argv, lens,
                                           ngx_http_athena_auth_purge_scanned,
                                           NULL)
        == NGX_OK)
    {
        inv->scanning = 1;

    } else {
        inv->failed = 1;
    }

    ngx_free(pattern);

    ngx_http_athena_auth_purge_end();
}


void
ngx_http_athena_auth_invalidate_all(ngx_http_athena_auth_main_conf_t *amcf)
{
    ngx_http_athena_auth_inv_init(amcf);

    if (amcf->cache_zone != NULL) {
        ngx_http_athena_auth_cache_flush(amcf->cache_zone);
    }

    if (ngx_http_athena_auth_redis_caches(amcf)) {
        ngx_http_athena_auth_purge_start();
    }
}


static void
ngx_http_athena_auth_purge_start(void)
{
    ngx_http_athena_auth_invalidation_t  *inv;

    inv = &ngx_http_athena_auth_inv;

    if (inv->purging) {
        inv->again = 1;
        return;
    }

    if (inv->retry.timer_set) {
        ngx_del_timer(&inv->retry);
    }

    ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                  "athena_auth: purging the Redis cache");

    inv->purging = 1;
    ngx_http_athena_auth_purge_scan("0", 1);
}


/* at exit the Redis connection forgot its commands: their batches go */

void
ngx_http_athena_auth_invalidate_exit(void)
{
    ngx_queue_t                          *q;
    ngx_http_athena_auth_invalidation_t  *inv;

    inv = &ngx_http_athena_auth_inv;

    if (inv->amcf == NULL) {
        return;
    }

    while (!ngx_queue_empty(&inv->batches)) {
        q = ngx_queue_head(&inv->batches);
        ngx_queue_remove(q);
        ngx_free(ngx_queue_data(q, ngx_http_athena_auth_batch_t, queue));
    }
}
