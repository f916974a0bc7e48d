/*
 * better-auth's rate limiter in front of the API, before routing: per
 * client address and path, "max" requests, and the allowance comes back
 * whole only after "window" without an allowed request (better-auth's
 * memory and database storage: denials are not counted and do not move
 * the last request). Refused: 429, X-Retry-After in seconds.
 *
 * The counters live in Redis, so that every worker and node shares them:
 * a bucket is a count whose expiry is its last allowed request plus the
 * window, on Redis's clock. A request INCRs its bucket on the event loop's
 * Redis connection, batched with the gate's commands. One allowed then
 * moves the expiry with a PEXPIRE that nobody waits for; one refused
 * asks the PTTL for its X-Retry-After and moves nothing. (A Lua script
 * that kept the count and the last request in a hash cost Redis 20-35 us
 * a request; INCR and PEXPIRE cost it about 2.) A bucket left without an
 * expiry, its PEXPIRE never sent, gets one at its first refusal. When
 * Redis cannot answer, this node counts in shared memory instead (never
 * "unlimited" silently): the same rule, per node.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <hiredis/hiredis.h>

#include "../../ngx_http_athena_auth_module.h"
#include "../core/athena_crypto.h"


/* a key's path part is cut here: longer paths share their bucket */
#define NGX_HTTP_ATHENA_AUTH_RATE_PATH_MAX  256


typedef struct {
    ngx_http_athena_auth_hnode_t      hn;
    ngx_queue_t                       queue;     /* LRU: recent first */
    int64_t                           last;      /* last allowed, epoch ms */
    int64_t                           until;     /* last + window */
    ngx_uint_t                        count;
} ngx_http_athena_auth_rate_node_t;


/* a request waiting for Redis's word; owned here, not by its pool */
typedef struct {
    ngx_http_request_t               *request;   /* NULL: it went away */
    ngx_pool_cleanup_t               *cln;
    const ngx_http_athena_auth_rate_rule_t  *rule;
    ngx_str_t                         key;       /* in the request's pool */
    ngx_http_handler_pt               serve;     /* when it may go on */
} ngx_http_athena_auth_rate_wait_t;


/* better-auth's special rules, after any of the user's own */
static ngx_http_athena_auth_rate_rule_t  ngx_http_athena_auth_rate_builtin[] = {
    { ngx_string("/sign-in"), 1, 10000, 3 },
    { ngx_string("/sign-up"), 1, 10000, 3 },
    { ngx_string("/change-password"), 1, 10000, 3 },
    { ngx_string("/change-email"), 1, 10000, 3 },
    { ngx_string("/forget-password"), 1, 60000, 3 },
    { ngx_string("/request-password-reset"), 0, 60000, 3 },
    { ngx_string("/send-verification-email"), 0, 60000, 3 },
    { ngx_string("/email-otp/send-verification-otp"), 0, 60000, 3 },
    { ngx_string("/email-otp/request-password-reset"), 0, 60000, 3 },
    { ngx_null_string, 0, 0, 0 }
};


static ngx_uint_t
ngx_http_athena_auth_rate_match(const ngx_http_athena_auth_rate_rule_t *rule,
    ngx_str_t *path)
{
    if (rule->prefix) {
        return path->len >= rule->path.len
               && ngx_strncmp(path->data, rule->path.data, rule->path.len)
                  == 0;
    }

    return path->len == rule->path.len
           && ngx_strncmp(path->data, rule->path.data, path->len) == 0;
}


/* the user's rules in order, then better-auth's, then the default */

static const ngx_http_athena_auth_rate_rule_t *
ngx_http_athena_auth_rate_rule(ngx_http_athena_auth_main_conf_t *amcf,
    ngx_str_t *path)
{
    ngx_uint_t                         i;
    ngx_http_athena_auth_rate_rule_t  *rule;

    if (amcf->rate_rules != NULL) {
        rule = amcf->rate_rules->elts;

        for (i = 0; i < amcf->rate_rules->nelts; i++) {
            if (ngx_http_athena_auth_rate_match(&rule[i], path)) {
                return &rule[i];
            }
        }
    }

    for (rule = ngx_http_athena_auth_rate_builtin; rule->path.len; rule++) {
        if (ngx_http_athena_auth_rate_match(rule, path)) {
            return rule;
        }
    }

    return &amcf->rate_default;
}


/*
 * The client as better-auth keys it: an IPv4 address as it is, an
 * IPv4-mapped IPv6 one as IPv4, other IPv6 addresses by their /64 written
 * out in full ("2001:0db8:0000:0000:0000:0000:0000:0000"), so that one
 * host cannot pick a new bucket for each request.
 */

static u_char *
ngx_http_athena_auth_rate_client(ngx_connection_t *c, u_char *p)
{
#if (NGX_HAVE_INET6)
    ngx_uint_t            i;
    struct sockaddr_in6  *sin6;

    if (c->sockaddr->sa_family == AF_INET6) {
        sin6 = (struct sockaddr_in6 *) c->sockaddr;

        if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
            return ngx_sprintf(p, "%ud.%ud.%ud.%ud",
                               sin6->sin6_addr.s6_addr[12],
                               sin6->sin6_addr.s6_addr[13],
                               sin6->sin6_addr.s6_addr[14],
                               sin6->sin6_addr.s6_addr[15]);
        }

        for (i = 0; i < 8; i++) {
            p = ngx_sprintf(p, i ? ":%02xd%02xd" : "%02xd%02xd",
                            i < 4 ? sin6->sin6_addr.s6_addr[2 * i] : 0,
                            i < 4 ? sin6->sin6_addr.s6_addr[2 * i + 1] : 0);
        }

        return p;
    }
#endif

    return ngx_cpymem(p, c->addr_text.data,
                      ngx_min(c->addr_text.len, NGX_SOCKADDR_STRLEN));
}


/* "<prefix>rl:<client>|<path>" */

static ngx_int_t
ngx_http_athena_auth_rate_key(ngx_http_request_t *r,
    ngx_http_athena_auth_main_conf_t *amcf, ngx_str_t *path, ngx_str_t *key)
{
    u_char  *p;
    size_t   len;

    len = ngx_min(path->len, NGX_HTTP_ATHENA_AUTH_RATE_PATH_MAX);

    key->data = ngx_pnalloc(r->pool, amcf->cache_prefix.len + sizeof("rl:|")
                                     + NGX_SOCKADDR_STRLEN + len);
    if (key->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(key->data, "%Vrl:", &amcf->cache_prefix);
    p = ngx_http_athena_auth_rate_client(r->connection, p);
    *p++ = '|';
    p = ngx_cpymem(p, path->data, len);

    key->len = p - key->data;

    return NGX_OK;
}


/* this node's count, when Redis cannot be asked: the same rule */

static int64_t
ngx_http_athena_auth_rate_local(ngx_http_athena_auth_main_conf_t *amcf,
    const ngx_http_athena_auth_rate_rule_t *rule, ngx_str_t *key)
{
    u_char                              hash[NGX_HTTP_ATHENA_AUTH_HASH_LEN];
    int64_t                             now, wait;
    ngx_uint_t                          n;
    ngx_queue_t                        *q;
    ngx_http_athena_auth_rate_node_t   *node, *old;
    ngx_http_athena_auth_tree_t        *zone;

    /* the shared tree is keyed by hashes; Redis never needs this one */
    athena_sha256((const char *) key->data, key->len, hash);

    zone = amcf->rate_zone->data;
    now = ngx_http_athena_auth_now();
    wait = 0;

    ngx_shmtx_lock(&zone->shpool->mutex);

    /* a few stale buckets go at every check, as limit_req's do */
    for (n = 0; n < 2 && !ngx_queue_empty(&zone->sh->lru); n++) {
        q = ngx_queue_last(&zone->sh->lru);
        old = ngx_queue_data(q, ngx_http_athena_auth_rate_node_t, queue);

        if (old->until > now) {
            break;
        }

        ngx_http_athena_auth_tree_remove(zone, &old->hn, q);
    }

    node = (ngx_http_athena_auth_rate_node_t *)
               ngx_http_athena_auth_hash_find(&zone->sh->rbtree, hash);

    if (node == NULL) {
        for ( ;; ) {
            node = ngx_slab_alloc_locked(zone->shpool,
                                    sizeof(ngx_http_athena_auth_rate_node_t));
            if (node != NULL || ngx_queue_empty(&zone->sh->lru)) {
                break;
            }

            /* full: the least recently used bucket makes room */
            q = ngx_queue_last(&zone->sh->lru);
            old = ngx_queue_data(q, ngx_http_athena_auth_rate_node_t, queue);
            ngx_http_athena_auth_tree_remove(zone, &old->hn, q);
        }

        if (node == NULL) {
            ngx_shmtx_unlock(&zone->shpool->mutex);
            return 0;
        }

        node->count = 0;
        ngx_http_athena_auth_hash_link(&zone->sh->rbtree, &node->hn, hash);

    } else {
        ngx_queue_remove(&node->queue);
    }

    if (node->count && now - node->last < (int64_t) rule->window
        && node->count >= rule->max)
    {
        wait = node->last + rule->window - now;

    } else {
        if (node->count == 0 || now - node->last >= (int64_t) rule->window) {
            node->count = 0;
        }

        node->count++;
        node->last = now;
        node->until = now + rule->window;
    }

    ngx_queue_insert_head(&zone->sh->lru, &node->queue);

    ngx_shmtx_unlock(&zone->shpool->mutex);

    return wait;
}


static ngx_int_t
ngx_http_athena_auth_rate_refuse(ngx_http_request_t *r, int64_t wait)
{
    ngx_int_t       rc;
    athena_resp_t   resp;
    static char     body[] = "{\"message\":\"Too many requests."
                             " Please try again later.\"}";

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return ngx_http_athena_auth_body_failed(r, rc);
    }

    ngx_memzero(&resp, sizeof(athena_resp_t));

    resp.status = NGX_HTTP_TOO_MANY_REQUESTS;
    resp.body = body;
    resp.len = sizeof(body) - 1;
    resp.headers[0].name = "X-Retry-After";
    resp.headers[0].value = (char *) ngx_pnalloc(r->pool, NGX_INT64_LEN + 1);
    resp.nheaders = 1;

    if (resp.headers[0].value == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* whole seconds, rounded up, as better-auth's Math.ceil */
    *ngx_sprintf((u_char *) resp.headers[0].value, "%L",
                 (wait + 999) / 1000) = '\0';

    return ngx_http_athena_auth_send(r, &resp);
}


static void
ngx_http_athena_auth_rate_cleanup(void *data)
{
    ngx_http_athena_auth_rate_wait_t  *w = data;

    w->request = NULL;
}


/* the answer to a PEXPIRE that nobody waits for */

static void
ngx_http_athena_auth_rate_ignore(void *data, struct redisReply *reply)
{
}


/* cmd (INCR, PTTL; PEXPIRE with ms not negative) on a bucket */

static ngx_int_t
ngx_http_athena_auth_rate_send(ngx_http_athena_auth_main_conf_t *amcf,
    const char *cmd, ngx_str_t *key, int64_t ms,
    ngx_http_athena_auth_redis_pt handler, void *data)
{
    int          argc;
    u_char       text[NGX_INT64_LEN];
    size_t       lens[3];
    const char  *argv[3];

    argv[0] = cmd;
    lens[0] = ngx_strlen(cmd);
    argv[1] = (const char *) key->data;
    lens[1] = key->len;
    argc = 2;

    if (ms >= 0) {
        argv[2] = (const char *) text;
        lens[2] = ngx_sprintf(text, "%L", ms) - text;
        argc = 3;
    }

    return ngx_http_athena_auth_redis_command(amcf, argc, argv, lens,
                                              handler, data);
}


/* the word is given: the request goes on, or is refused for wait ms */

static void
ngx_http_athena_auth_rate_done(ngx_http_athena_auth_rate_wait_t *w,
    int64_t wait)
{
    ngx_int_t             rc;
    ngx_connection_t     *c;
    ngx_http_request_t   *r;
    ngx_http_handler_pt   serve;

    r = w->request;
    w->cln->handler = NULL;

    serve = w->serve;
    ngx_free(w);

    c = r->connection;

    rc = (wait > 0) ? ngx_http_athena_auth_rate_refuse(r, wait) : serve(r);

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/*
 * Redis's answer for w: its integer into *n, or 0 when the request was
 * dealt with here (it went away, or Redis could not answer: this node
 * counts it)
 */

static ngx_uint_t
ngx_http_athena_auth_rate_answer(ngx_http_athena_auth_rate_wait_t *w,
    struct redisReply *reply, int64_t *n)
{
    ngx_http_athena_auth_main_conf_t  *amcf;

    if (w->request == NULL) {
        ngx_free(w);
        return 0;
    }

    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        amcf = ngx_http_get_module_main_conf(w->request,
                                             ngx_http_athena_auth_module);
        ngx_http_athena_auth_rate_done(w,
            ngx_http_athena_auth_rate_local(amcf, w->rule, &w->key));
        return 0;
    }

    *n = reply->integer;

    return 1;
}


/*
 * The bucket's window starts now (an allowed request, or a bucket found
 * without an expiry), by a PEXPIRE that nobody waits for
 */

static void
ngx_http_athena_auth_rate_restart(ngx_http_athena_auth_rate_wait_t *w)
{
    ngx_http_athena_auth_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(w->request,
                                         ngx_http_athena_auth_module);

    (void) ngx_http_athena_auth_rate_send(amcf, "PEXPIRE", &w->key,
                                          (int64_t) w->rule->window,
                                          ngx_http_athena_auth_rate_ignore,
                                          NULL);
}


/* a refused request's PTTL: the ms until its bucket expires */

static void
ngx_http_athena_auth_rate_refused(void *data, struct redisReply *reply)
{
    ngx_http_athena_auth_rate_wait_t *w = data;

    int64_t   wait;

    if (!ngx_http_athena_auth_rate_answer(w, reply, &wait)) {
        return;
    }

    if (wait == -1) {
        /* no expiry: it would refuse for ever; it ends a window from now */
        ngx_http_athena_auth_rate_restart(w);
        wait = (int64_t) w->rule->window;

    } else if (wait <= 0) {
        /* it expired since the INCR: the allowance is back in a moment */
        wait = 1;
    }

    ngx_http_athena_auth_rate_done(w, wait);
}


/* the bucket's count after this request's INCR */

static void
ngx_http_athena_auth_rate_counted(void *data, struct redisReply *reply)
{
    ngx_http_athena_auth_rate_wait_t *w = data;

    int64_t                            count;
    ngx_http_athena_auth_main_conf_t  *amcf;

    if (!ngx_http_athena_auth_rate_answer(w, reply, &count)) {
        return;
    }

    if (count <= (int64_t) w->rule->max) {
        /* allowed: the last request is now */
        ngx_http_athena_auth_rate_restart(w);
        ngx_http_athena_auth_rate_done(w, 0);
        return;
    }

    amcf = ngx_http_get_module_main_conf(w->request,
                                         ngx_http_athena_auth_module);

    /* refused: the count past max changes nothing, the expiry stays */
    if (ngx_http_athena_auth_rate_send(amcf, "PTTL", &w->key, -1,
                                       ngx_http_athena_auth_rate_refused, w)
        != NGX_OK)
    {
        ngx_http_athena_auth_rate_done(w, (int64_t) w->rule->window);
    }
}


/*
 * Before a request under a base path is served: NGX_DECLINED when it may
 * go on now, NGX_DONE when Redis was asked (its answer refuses it or
 * calls serve), or the status of a refusal made here.
 */

ngx_int_t
ngx_http_athena_auth_rate_limit(ngx_http_request_t *r, ngx_str_t *path,
    ngx_http_handler_pt serve)
{
    int64_t                                  wait;
    ngx_int_t                                rc;
    ngx_str_t                                key, norm;
    ngx_pool_cleanup_t                      *cln;
    ngx_http_athena_auth_loc_conf_t         *alcf;
    ngx_http_athena_auth_main_conf_t        *amcf;
    ngx_http_athena_auth_rate_wait_t        *w;
    const ngx_http_athena_auth_rate_rule_t  *rule;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);
    amcf = ngx_http_get_module_main_conf(r, ngx_http_athena_auth_module);

    if (!alcf->rate_limit || amcf->rate_zone == NULL) {
        return NGX_DECLINED;
    }

    /* "/sign-in/email/" is "/sign-in/email", "" is "/" */
    norm = *path;

    while (norm.len > 1 && norm.data[norm.len - 1] == '/') {
        norm.len--;
    }

    if (norm.len == 0) {
        ngx_str_set(&norm, "/");
    }

    rule = ngx_http_athena_auth_rate_rule(amcf, &norm);

    if (rule->window == 0) {
        return NGX_DECLINED;
    }

    if (ngx_http_athena_auth_rate_key(r, amcf, &norm, &key) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    w = ngx_alloc(sizeof(ngx_http_athena_auth_rate_wait_t), r->connection->log);
    cln = ngx_pool_cleanup_add(r->pool, 0);

    if (w == NULL || cln == NULL) {
        if (w) {
            ngx_free(w);
        }

        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    w->request = r;
    w->rule = rule;
    w->cln = cln;
    w->key = key;
    w->serve = serve;

    rc = ngx_http_athena_auth_rate_send(amcf, "INCR", &key, -1,
                                        ngx_http_athena_auth_rate_counted, w);

    if (rc != NGX_OK) {
        /* no Redis (or resting after a failure): this node counts */
        wait = ngx_http_athena_auth_rate_local(amcf, rule, &key);
        ngx_free(w);

        return wait > 0 ? ngx_http_athena_auth_rate_refuse(r, wait)
                        : NGX_DECLINED;
    }

    cln->handler = ngx_http_athena_auth_rate_cleanup;
    cln->data = w;

    r->main->count++;

    return NGX_DONE;
}


/* athena_auth_rate_limit_rule <path>[*] <window> <max> | <path>[*] off */

char *
ngx_http_athena_auth_rate_limit_rule(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_int_t                          max;
    ngx_str_t                         *value;
    ngx_msec_t                         window;
    ngx_http_athena_auth_rate_rule_t  *rule;

    value = cf->args->elts;

    if (value[1].len == 0 || value[1].data[0] != '/') {
        return "takes a path under the base path, such as \"/sign-in/*\"";
    }

    window = 0;
    max = 0;

    if (cf->args->nelts == 3) {
        if (ngx_strcmp(value[2].data, "off") != 0) {
            return "takes \"<path> <window> <max>\" or \"<path> off\"";
        }

    } else {
        window = ngx_parse_time(&value[2], 0);
        max = ngx_atoi(value[3].data, value[3].len);

        if (window == (ngx_msec_t) NGX_ERROR || window == 0
            || max == NGX_ERROR || max == 0)
        {
            return "takes a window of time and a maximum above zero";
        }
    }

    if (amcf->rate_rules == NULL) {
        amcf->rate_rules = ngx_array_create(cf->pool, 4,
                                     sizeof(ngx_http_athena_auth_rate_rule_t));
        if (amcf->rate_rules == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    rule = ngx_array_push(amcf->rate_rules);
    if (rule == NULL) {
        return NGX_CONF_ERROR;
    }

    rule->path = value[1];
    rule->prefix = value[1].data[value[1].len - 1] == '*';
    rule->window = window;
    rule->max = max;

    if (rule->prefix) {
        rule->path.len--;
    }

    return NGX_CONF_OK;
}


/* the shared memory of this node's counts, made with the API's config */

ngx_int_t
ngx_http_athena_auth_rate_zone(ngx_conf_t *cf,
    ngx_http_athena_auth_main_conf_t *amcf)
{
    ngx_str_t                     name = ngx_string("athena_auth_rate");
    ngx_http_athena_auth_tree_t  *zone;

    zone = ngx_pcalloc(cf->pool, sizeof(ngx_http_athena_auth_tree_t));
    if (zone == NULL) {
        return NGX_ERROR;
    }

    amcf->rate_zone = ngx_shared_memory_add(cf, &name, amcf->rate_zone_size,
                                            &ngx_http_athena_auth_module);
    if (amcf->rate_zone == NULL) {
        return NGX_ERROR;
    }

    amcf->rate_zone->init = ngx_http_athena_auth_tree_init;
    amcf->rate_zone->data = zone;

    return NGX_OK;
}
