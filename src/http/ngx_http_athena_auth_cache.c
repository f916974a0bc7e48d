/*
 * The gate's shared-memory cache: what a session token's lookup said,
 * keyed by the token's SHA-256, shared by every worker (a slab pool, an
 * rbtree and an LRU queue, as limit_req keeps its states).
 *
 * An eviction leaves a tombstone stamped with the time it was made. A
 * lookup that was already under way then may have read the old state, so
 * it is refused a place in the cache and runs again. A flush (a
 * notification of "anything may have changed") stamps the whole zone so:
 * nothing stored before it is served, nothing looked up before it stored.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <time.h>

#include "../../ngx_http_athena_auth_module.h"


/* a lookup slower than this is never cached: no tombstone is older */
#define NGX_HTTP_ATHENA_AUTH_TOMBSTONE_MS  60000

#define NGX_HTTP_ATHENA_AUTH_ENTRY_MAX     16384
#define NGX_HTTP_ATHENA_AUTH_NULL          ((uint32_t) -1)


typedef struct {
    ngx_http_athena_auth_hnode_t  hn;
    ngx_queue_t         queue;         /* LRU: the most recent first */
    unsigned            tombstone:1;
    unsigned            banned:1;
    ngx_msec_t          stamp;         /* stored or evicted, by
                                          ngx_http_athena_auth_clock() */
    int64_t             added;         /* epoch ms */
    int64_t             valid_until;
    int64_t             session_expires;
    int64_t             ban_expires;
    uint32_t            len[ATHENA_IDENTITY_NSTR];
    u_char              data[1];
} ngx_http_athena_auth_entry_t;


/*
 * The real monotonic time, not nginx's cached one: a tombstone must be
 * stamped no earlier than the write it stands for, and a lookup no later
 * than its read.
 */

ngx_msec_t
ngx_http_athena_auth_clock(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (ngx_msec_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


int64_t
ngx_http_athena_auth_now(void)
{
    ngx_time_t  *tp;

    tp = ngx_timeofday();

    return (int64_t) tp->sec * 1000 + tp->msec;
}


static ngx_rbtree_key_t
ngx_http_athena_auth_key(const u_char *hash)
{
    ngx_rbtree_key_t  key;

    ngx_memcpy(&key, hash, sizeof(ngx_rbtree_key_t));

    return key;
}


/*
 * Trees keyed by a token hash: the node key is the hash's first bytes,
 * and nodes with equal keys are ordered by the whole hash, so that a
 * search needs no second pass.
 */

void
ngx_http_athena_auth_hash_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel)
{
    ngx_rbtree_node_t             **p;
    ngx_http_athena_auth_hnode_t   *hn, *ht;

    for ( ;; ) {

        if (node->key != temp->key) {
            p = (node->key < temp->key) ? &temp->left : &temp->right;

        } else {
            hn = (ngx_http_athena_auth_hnode_t *) node;
            ht = (ngx_http_athena_auth_hnode_t *) temp;

            p = (ngx_memcmp(hn->hash, ht->hash, NGX_HTTP_ATHENA_AUTH_HASH_LEN)
                 < 0) ? &temp->left : &temp->right;
        }

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}


void
ngx_http_athena_auth_hash_link(ngx_rbtree_t *tree,
    ngx_http_athena_auth_hnode_t *hn, const u_char *hash)
{
    ngx_memcpy(hn->hash, hash, NGX_HTTP_ATHENA_AUTH_HASH_LEN);
    hn->node.key = ngx_http_athena_auth_key(hash);

    ngx_rbtree_insert(tree, &hn->node);
}


ngx_http_athena_auth_hnode_t *
ngx_http_athena_auth_hash_find(ngx_rbtree_t *tree, const u_char *hash)
{
    ngx_int_t                      rc;
    ngx_rbtree_key_t               key;
    ngx_rbtree_node_t             *node, *sentinel;
    ngx_http_athena_auth_hnode_t  *hn;

    key = ngx_http_athena_auth_key(hash);
    node = tree->root;
    sentinel = tree->sentinel;

    while (node != sentinel) {

        if (key != node->key) {
            node = (key < node->key) ? node->left : node->right;
            continue;
        }

        hn = (ngx_http_athena_auth_hnode_t *) node;
        rc = ngx_memcmp(hash, hn->hash, NGX_HTTP_ATHENA_AUTH_HASH_LEN);

        if (rc == 0) {
            return hn;
        }

        node = (rc < 0) ? node->left : node->right;
    }

    return NULL;
}


static ngx_http_athena_auth_entry_t *
ngx_http_athena_auth_cache_find(ngx_http_athena_auth_tree_t *cache,
    const u_char *hash)
{
    return (ngx_http_athena_auth_entry_t *)
               ngx_http_athena_auth_hash_find(&cache->sh->rbtree, hash);
}


/* a node out of its tree and LRU, freed; the zone is locked */

void
ngx_http_athena_auth_tree_remove(ngx_http_athena_auth_tree_t *tree,
    ngx_http_athena_auth_hnode_t *hn, ngx_queue_t *q)
{
    ngx_queue_remove(q);
    ngx_rbtree_delete(&tree->sh->rbtree, &hn->node);
    ngx_slab_free_locked(tree->shpool, hn);
}


static void
ngx_http_athena_auth_cache_remove(ngx_http_athena_auth_tree_t *cache,
    ngx_http_athena_auth_entry_t *e)
{
    ngx_http_athena_auth_tree_remove(cache, &e->hn, &e->queue);
}


/* drops up to n entries past their time from the LRU's old end */

static void
ngx_http_athena_auth_cache_expire(ngx_http_athena_auth_tree_t *cache,
    ngx_uint_t n, int64_t now)
{
    ngx_queue_t                   *q;
    ngx_http_athena_auth_entry_t  *e;

    while (n-- && !ngx_queue_empty(&cache->sh->lru)) {
        q = ngx_queue_last(&cache->sh->lru);
        e = ngx_queue_data(q, ngx_http_athena_auth_entry_t, queue);

        if (e->valid_until > now) {
            return;
        }

        ngx_http_athena_auth_cache_remove(cache, e);
    }
}


/* when the zone is full, the least recently used entries make room */

static ngx_http_athena_auth_entry_t *
ngx_http_athena_auth_cache_alloc(ngx_http_athena_auth_tree_t *cache,
    size_t size)
{
    ngx_queue_t                   *q;
    ngx_http_athena_auth_entry_t  *e;

    for ( ;; ) {
        e = ngx_slab_alloc_locked(cache->shpool, size);
        if (e != NULL || ngx_queue_empty(&cache->sh->lru)) {
            return e;
        }

        q = ngx_queue_last(&cache->sh->lru);
        e = ngx_queue_data(q, ngx_http_athena_auth_entry_t, queue);
        ngx_http_athena_auth_cache_remove(cache, e);
    }
}


static void
ngx_http_athena_auth_cache_link(ngx_http_athena_auth_tree_t *cache,
    ngx_http_athena_auth_entry_t *e, const u_char *hash)
{
    ngx_http_athena_auth_hash_link(&cache->sh->rbtree, &e->hn, hash);
    ngx_queue_insert_head(&cache->sh->lru, &e->queue);
}


/*
 * A live entry for hash younger than ttl (the location's), copied into
 * the request's pool: NGX_OK, or NGX_DECLINED when there is none (or only
 * a tombstone).
 */

ngx_int_t
ngx_http_athena_auth_cache_get(ngx_shm_zone_t *zone, const u_char *hash,
    ngx_msec_t ttl, ngx_pool_t *pool, athena_identity_t *id)
{
    u_char                        *p, *src;
    size_t                         size;
    int64_t                        now;
    ngx_uint_t                     i;
    ngx_http_athena_auth_tree_t  *cache;
    ngx_http_athena_auth_entry_t  *e;

    cache = zone->data;
    now = ngx_http_athena_auth_now();

    ngx_shmtx_lock(&cache->shpool->mutex);

    e = ngx_http_athena_auth_cache_find(cache, hash);

    if (e == NULL || e->tombstone || e->valid_until <= now
        || now - e->added >= (int64_t) ttl
        || (ngx_msec_int_t) (cache->sh->flushed - e->stamp) >= 0)
    {
        if (e != NULL && !e->tombstone && e->valid_until <= now) {
            ngx_http_athena_auth_cache_remove(cache, e);
        }

        ngx_shmtx_unlock(&cache->shpool->mutex);
        return NGX_DECLINED;
    }

    ngx_queue_remove(&e->queue);
    ngx_queue_insert_head(&cache->sh->lru, &e->queue);

    size = 0;
    for (i = 0; i < ATHENA_IDENTITY_NSTR; i++) {
        if (e->len[i] != NGX_HTTP_ATHENA_AUTH_NULL) {
            size += e->len[i] + 1;
        }
    }

    p = ngx_pnalloc(pool, size);
    if (p == NULL) {
        ngx_shmtx_unlock(&cache->shpool->mutex);
        return NGX_ERROR;
    }

    ngx_memzero(id, sizeof(athena_identity_t));

    id->state = ATHENA_GATE_LIVE;
    id->session_expires = e->session_expires;
    id->banned = e->banned;
    id->ban_expires = e->ban_expires;

    src = e->data;

    for (i = 0; i < ATHENA_IDENTITY_NSTR; i++) {
        if (e->len[i] == NGX_HTTP_ATHENA_AUTH_NULL) {
            continue;
        }

        id->str[i] = (const char *) p;
        p = ngx_cpymem(p, src, e->len[i]);
        *p++ = '\0';
        src += e->len[i];
    }

    ngx_shmtx_unlock(&cache->shpool->mutex);

    return NGX_OK;
}


/*
 * Stores what a lookup begun at "since" found. NGX_DECLINED: an eviction
 * came after the lookup began, so its answer may be stale.
 */

ngx_int_t
ngx_http_athena_auth_cache_put(ngx_shm_zone_t *zone, const u_char *hash,
    const athena_identity_t *id, ngx_msec_t since, ngx_msec_t ttl)
{
    u_char                        *p;
    size_t                         len[ATHENA_IDENTITY_NSTR], size;
    int64_t                        now, until;
    ngx_uint_t                     i;
    ngx_http_athena_auth_tree_t  *cache;
    ngx_http_athena_auth_entry_t  *e;

    cache = zone->data;
    now = ngx_http_athena_auth_now();

    size = offsetof(ngx_http_athena_auth_entry_t, data);

    for (i = 0; i < ATHENA_IDENTITY_NSTR; i++) {
        len[i] = id->str[i] ? ngx_strlen(id->str[i]) : 0;
        size += len[i];
    }

    /* an entry never outlives the session it describes */
    until = now + (int64_t) ttl;
    if (until > id->session_expires) {
        until = id->session_expires;
    }

    ngx_shmtx_lock(&cache->shpool->mutex);

    e = ngx_http_athena_auth_cache_find(cache, hash);

    if ((e != NULL && e->tombstone
         && (ngx_msec_int_t) (e->stamp - since) >= 0)
        || (ngx_msec_int_t) (cache->sh->flushed - since) >= 0)
    {
        ngx_shmtx_unlock(&cache->shpool->mutex);
        return NGX_DECLINED;
    }

    if (e != NULL) {
        ngx_http_athena_auth_cache_remove(cache, e);
    }

    if (ttl == 0 || until <= now || size > NGX_HTTP_ATHENA_AUTH_ENTRY_MAX
        || ngx_http_athena_auth_clock() - since
           >= NGX_HTTP_ATHENA_AUTH_TOMBSTONE_MS)
    {
        ngx_shmtx_unlock(&cache->shpool->mutex);
        return NGX_OK;
    }

    ngx_http_athena_auth_cache_expire(cache, 2, now);

    e = ngx_http_athena_auth_cache_alloc(cache, size);
    if (e == NULL) {
        ngx_shmtx_unlock(&cache->shpool->mutex);
        return NGX_OK;
    }

    e->tombstone = 0;
    e->banned = id->banned ? 1 : 0;
    e->stamp = ngx_http_athena_auth_clock();
    e->added = now;
    e->valid_until = until;
    e->session_expires = id->session_expires;
    e->ban_expires = id->ban_expires;

    p = e->data;

    for (i = 0; i < ATHENA_IDENTITY_NSTR; i++) {
        e->len[i] = id->str[i] ? (uint32_t) len[i] : NGX_HTTP_ATHENA_AUTH_NULL;

        /* an absent string has no bytes, and memcpy() may not see NULL */
        if (len[i]) {
            p = ngx_cpymem(p, id->str[i], len[i]);
        }
    }

    ngx_http_athena_auth_cache_link(cache, e, hash);

    ngx_shmtx_unlock(&cache->shpool->mutex);

    return NGX_OK;
}


/* replaces whatever the cache holds for hash by a fresh tombstone */

void
ngx_http_athena_auth_cache_evict(ngx_shm_zone_t *zone, const u_char *hash)
{
    size_t                         size;
    int64_t                        now;
    ngx_http_athena_auth_tree_t  *cache;
    ngx_http_athena_auth_entry_t  *e;

    cache = zone->data;
    now = ngx_http_athena_auth_now();

    ngx_shmtx_lock(&cache->shpool->mutex);

    e = ngx_http_athena_auth_cache_find(cache, hash);
    if (e != NULL) {
        ngx_http_athena_auth_cache_remove(cache, e);
    }

    ngx_http_athena_auth_cache_expire(cache, 2, now);

    size = offsetof(ngx_http_athena_auth_entry_t, data);

    e = ngx_http_athena_auth_cache_alloc(cache, size);
    if (e != NULL) {
        ngx_memzero(e, size);
        e->tombstone = 1;
        e->stamp = ngx_http_athena_auth_clock();
        e->valid_until = now + NGX_HTTP_ATHENA_AUTH_TOMBSTONE_MS;

        ngx_http_athena_auth_cache_link(cache, e, hash);
    }

    ngx_shmtx_unlock(&cache->shpool->mutex);
}


/* everything the zone holds is stale from now on (see the top) */

void
ngx_http_athena_auth_cache_flush(ngx_shm_zone_t *zone)
{
    ngx_http_athena_auth_tree_t  *cache;

    cache = zone->data;

    ngx_shmtx_lock(&cache->shpool->mutex);
    cache->sh->flushed = ngx_http_athena_auth_clock();
    ngx_shmtx_unlock(&cache->shpool->mutex);
}


/*
 * A zone of hash-keyed nodes in an rbtree and an LRU queue (the gate's
 * cache, the rate limiter's counts); a reload keeps what it holds.
 */

ngx_int_t
ngx_http_athena_auth_tree_init(ngx_shm_zone_t *zone, void *data)
{
    ngx_http_athena_auth_tree_t  *otree = data;

    size_t                        len;
    ngx_http_athena_auth_tree_t  *tree;

    tree = zone->data;

    if (otree) {
        tree->sh = otree->sh;
        tree->shpool = otree->shpool;
        return NGX_OK;
    }

    tree->shpool = (ngx_slab_pool_t *) zone->shm.addr;

    if (zone->shm.exists) {
        tree->sh = tree->shpool->data;
        return NGX_OK;
    }

    tree->sh = ngx_slab_alloc(tree->shpool,
                              sizeof(ngx_http_athena_auth_tree_sh_t));
    if (tree->sh == NULL) {
        return NGX_ERROR;
    }

    tree->shpool->data = tree->sh;

    ngx_rbtree_init(&tree->sh->rbtree, &tree->sh->sentinel,
                    ngx_http_athena_auth_hash_insert);
    ngx_queue_init(&tree->sh->lru);
    tree->sh->flushed = 0;

    len = sizeof(" in zone \"\"") + zone->shm.name.len;

    tree->shpool->log_ctx = ngx_slab_alloc(tree->shpool, len);
    if (tree->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(tree->shpool->log_ctx, " in zone \"%V\"%Z", &zone->shm.name);

    /* a full zone is normal: the oldest nodes make room, quietly */
    tree->shpool->log_nomem = 0;

    return NGX_OK;
}


/* athena_auth_cache_zone name:size */

char *
ngx_http_athena_auth_cache_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    u_char                        *colon;
    ssize_t                        size;
    ngx_str_t                     *value, name, s;
    ngx_http_athena_auth_tree_t  *cache;

    if (amcf->cache_zone != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    colon = ngx_strlchr(value[1].data, value[1].data + value[1].len, ':');
    if (colon == NULL || colon == value[1].data) {
        return "must be \"name:size\"";
    }

    name.data = value[1].data;
    name.len = colon - value[1].data;

    s.data = colon + 1;
    s.len = value[1].data + value[1].len - s.data;

    size = ngx_parse_size(&s);

    if (size == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone size \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is too small", &value[1]);
        return NGX_CONF_ERROR;
    }

    cache = ngx_pcalloc(cf->pool, sizeof(ngx_http_athena_auth_tree_t));
    if (cache == NULL) {
        return NGX_CONF_ERROR;
    }

    amcf->cache_zone = ngx_shared_memory_add(cf, &name, size,
                                             &ngx_http_athena_auth_module);
    if (amcf->cache_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (amcf->cache_zone->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is already used", &name);
        return NGX_CONF_ERROR;
    }

    amcf->cache_zone->init = ngx_http_athena_auth_tree_init;
    amcf->cache_zone->data = cache;

    return NGX_CONF_OK;
}
