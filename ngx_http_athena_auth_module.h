/*
 * Shared declarations of ngx_http_athena_auth_module: configuration and
 * the nginx glue in src/http/.
 */

#ifndef NGX_HTTP_ATHENA_AUTH_MODULE_H
#define NGX_HTTP_ATHENA_AUTH_MODULE_H

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "src/api/athena_api.h"


#define NGX_HTTP_ATHENA_AUTH_HASH_LEN  32     /* SHA-256 of a token */


/* a rate limit for the paths under the base path that match */
typedef struct {
    ngx_str_t             path;
    ngx_uint_t            prefix;             /* "path*": starts with */
    ngx_msec_t            window;             /* 0: not limited */
    ngx_uint_t            max;
} ngx_http_athena_auth_rate_rule_t;


typedef struct {
    ngx_str_t             postgres;
    ngx_str_t             schema;
    time_t                pg_connect_timeout;
    ngx_msec_t            pg_timeout;
    ngx_msec_t            pg_deadline;

    ngx_str_t             redis;
    ngx_addr_t           *redis_addr;         /* for the event loop's */
    ngx_str_t             redis_password;
    ngx_uint_t            redis_db;
    ngx_msec_t            redis_timeout;
    ngx_msec_t            redis_retry;
    ngx_str_t             cache_prefix;
    ngx_msec_t            cache_ttl;

    ngx_shm_zone_t       *cache_zone;         /* the gate's */
    ngx_flag_t            cache_notify;       /* listen for changes */
    ngx_shm_zone_t       *listen_zone;        /* who listens on this node */

    ngx_http_athena_auth_rate_rule_t  rate_default;
    ngx_array_t          *rate_rules;         /* the user's, in order */
    ngx_shm_zone_t       *rate_zone;          /* counts when Redis fails */
    size_t                rate_zone_size;

    /* the REST admin API's per-admin limits */
    athena_window_limit_t admin_limits[ATHENA_WINDOW_MAX];
    ngx_uint_t            admin_nlimits;      /* 0: off */

    ngx_msec_t            gate_ttl_max;       /* of gated locations */
    ngx_array_t          *admin_user_ids;     /* of ngx_str_t */
    ngx_array_t          *admin_roles;        /* of ngx_str_t */
    time_t                impersonation_ttl;

    /* the organization plugin's options */
    ngx_flag_t            org_create;
    ngx_int_t             org_limit;          /* -1: none */
    ngx_uint_t            membership_limit;
    ngx_uint_t            invitation_limit;
    time_t                invitation_ttl;
    ngx_flag_t            org_deletion;
    ngx_str_t             creator_role;

    ngx_str_t             secret;
    ngx_str_t             thread_pool_name;
    ngx_thread_pool_t    *thread_pool;

    ngx_str_t             cookie_prefix;
    ngx_flag_t            secure_cookies;
    time_t                expires_in;
    time_t                update_age;
    time_t                fresh_age;
    ngx_str_t             base_url;
    ngx_array_t          *trusted_origins;    /* of ngx_str_t */

    ngx_uint_t            min_password;
    ngx_uint_t            max_password;
    size_t                max_body;
    ngx_uint_t            max_depth;
    ngx_flag_t            disable_sign_up;

    /* delivery of mail (see the mail file) */
    ngx_str_t             smtp_url;
    ngx_str_t             smtp_credentials;   /* "user:password" */
    ngx_flag_t            smtp_starttls;
    ngx_msec_t            smtp_timeout;
    ngx_str_t             mail_from;
    ngx_str_t             mail_from_name;
    ngx_uint_t            mail_retries;
    ngx_msec_t            mail_retry_delay;
    ngx_msec_t            mail_poll;
    ngx_str_t             public_url;

    /* better-auth's jwt plugin (see the jwt file); 0 msec: the default */
    ngx_flag_t            jwt;
    ngx_str_t             jwt_issuer;
    ngx_str_t             jwt_audience;
    ngx_msec_t            jwt_expires;
    ngx_msec_t            jwt_rotation;
    ngx_msec_t            jwt_grace;

    athena_conf_t        *conf;               /* what thread tasks read */
} ngx_http_athena_auth_main_conf_t;


typedef struct {
    ngx_flag_t            api;
    ngx_uint_t            surface;            /* athena_surface_e */
    ngx_str_t             base;

    ngx_int_t             require;            /* the gate: 1 on, 0 off */
    ngx_msec_t            gate_ttl;           /* of a shared-memory entry */
    ngx_array_t          *roles;              /* of char *, any of them */
    ngx_array_t          *permissions;        /* of athena_permission_t */
    ngx_array_t          *org_permissions;    /* of athena_permission_t */
    ngx_flag_t            api_key;            /* x-api-key admits */
    ngx_flag_t            jwt;                /* a bearer JWT admits */
    ngx_array_t          *admin_roles;        /* of char *, any of them */
    ngx_http_complex_value_t  *admin_tenant;  /* NULL: the active org */
    ngx_array_t          *key_permissions;    /* of athena_permission_t */
    ngx_str_t             login_redirect;
    ngx_str_t             redirect_param;
    ngx_str_t             identity_prefix;    /* empty: off */
    ngx_flag_t            rate_limit;
} ngx_http_athena_auth_loc_conf_t;


/* a shared-memory zone of hash-keyed nodes: an rbtree and an LRU queue */
typedef struct {
    ngx_rbtree_t          rbtree;
    ngx_rbtree_node_t     sentinel;
    ngx_queue_t           lru;                /* the most recent first */
    ngx_msec_t            flushed;            /* the gate's: see its file */
} ngx_http_athena_auth_tree_sh_t;


typedef struct {
    ngx_http_athena_auth_tree_sh_t  *sh;
    ngx_slab_pool_t                 *shpool;
} ngx_http_athena_auth_tree_t;


/* a node of a tree keyed by a token's hash */
typedef struct {
    ngx_rbtree_node_t     node;
    u_char                hash[NGX_HTTP_ATHENA_AUTH_HASH_LEN];
} ngx_http_athena_auth_hnode_t;


typedef struct {
    ngx_http_request_t   *request;
    ngx_queue_t           queue;              /* in a lookup's waiters */
    u_char                hash[NGX_HTTP_ATHENA_AUTH_HASH_LEN];
    athena_identity_t     id;
    unsigned              waiting:1;
    unsigned              jwks:1;             /* waits for the JWT keys */
    unsigned              decide_again:1;     /* and they came */
    unsigned              busy:1;             /* no lookup could start */
    unsigned              starting:1;         /* inside the lookup call */
} ngx_http_athena_auth_gate_ctx_t;


extern ngx_module_t  ngx_http_athena_auth_module;


/* the session's expiry, beside the identity's strings (ATHENA_ID_*) */
#define NGX_HTTP_ATHENA_AUTH_VAR_EXPIRES  (-1)


ngx_int_t ngx_http_athena_auth_api_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_athena_auth_rate_limit(ngx_http_request_t *r,
    ngx_str_t *path, ngx_http_handler_pt serve);
char *ngx_http_athena_auth_rate_limit_rule(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
ngx_int_t ngx_http_athena_auth_rate_zone(ngx_conf_t *cf,
    ngx_http_athena_auth_main_conf_t *amcf);
char *ngx_http_athena_auth_admin_limit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_athena_auth_admin_zone(ngx_conf_t *cf,
    ngx_http_athena_auth_main_conf_t *amcf);
char *ngx_http_athena_auth_jwt(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_athena_auth_jwt_conf(ngx_conf_t *cf,
    ngx_http_athena_auth_main_conf_t *amcf, athena_conf_t *c);
const char *ngx_http_athena_auth_cstr(ngx_conf_t *cf, ngx_str_t *s);
ngx_int_t ngx_http_athena_auth_post_task(ngx_http_request_t *r,
    athena_req_t *req);
ngx_int_t ngx_http_athena_auth_send(ngx_http_request_t *r,
    athena_resp_t *resp);
ngx_int_t ngx_http_athena_auth_send_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *code, const char *message);
ngx_int_t ngx_http_athena_auth_body_failed(ngx_http_request_t *r,
    ngx_int_t rc);
void ngx_http_athena_auth_log_outcome(ngx_log_t *log, const char *warn,
    const char *error);
const char *ngx_http_athena_auth_header(athena_arena_t *a,
    ngx_table_elt_t *h);
const char *ngx_http_athena_auth_cookies(ngx_http_request_t *r,
    athena_arena_t *a);
ngx_table_elt_t *ngx_http_athena_auth_header_in(ngx_http_request_t *r,
    const char *name);

ngx_int_t ngx_http_athena_auth_identity_value(ngx_pool_t *pool,
    const athena_identity_t *id, ngx_int_t index, ngx_str_t *out);
ngx_int_t ngx_http_athena_auth_identity_headers(ngx_http_request_t *r,
    ngx_str_t *prefix, const athena_identity_t *id);
char *ngx_http_athena_auth_identity_prefix(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);

char *ngx_http_athena_auth_file_text(ngx_conf_t *cf, ngx_str_t *path,
    ngx_str_t *out);

char *ngx_http_athena_auth_smtp(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_athena_auth_smtp_credentials(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_athena_auth_mail_from(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_athena_auth_mail_conf(ngx_conf_t *cf,
    ngx_http_athena_auth_main_conf_t *amcf, athena_conf_t *c);
ngx_int_t ngx_http_athena_auth_mail_init_process(ngx_cycle_t *cycle);

ngx_int_t ngx_http_athena_auth_route(ngx_http_request_t *r,
    const athena_route_t **route, size_t *param, unsigned *allow);
/* a location whose session reads may be answered on the event loop */
#define ngx_http_athena_auth_answers(alcf)                                  \
    ((alcf)->api == 1 && (alcf)->surface == ATHENA_SURFACE_AUTH)

ngx_int_t ngx_http_athena_auth_answer_lookup(ngx_http_request_t *r);
ngx_int_t ngx_http_athena_auth_answer(ngx_http_request_t *r,
    athena_req_t *req, ngx_int_t *rc);
ngx_int_t ngx_http_athena_auth_gate_ctx(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t **ctxp);
ngx_int_t ngx_http_athena_auth_gate_rewrite_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_athena_auth_gate_handler(ngx_http_request_t *r);
char *ngx_http_athena_auth_require(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
void ngx_http_athena_auth_task_hold(void);
void ngx_http_athena_auth_task_release(void);
ngx_int_t ngx_http_athena_auth_identity_copy(ngx_pool_t *pool,
    athena_identity_t *dst, const athena_identity_t *src);
ngx_int_t ngx_http_athena_auth_gate_jwt(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t *ctx, athena_arena_t *a);
void ngx_http_athena_auth_jwks_read(athena_gate_lookup_t *lk);
const char *ngx_http_athena_auth_self_origin(ngx_http_request_t *r,
    athena_arena_t *a);
ngx_int_t ngx_http_athena_auth_lookup(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t *ctx, const char *token,
    const char *key);
ngx_int_t ngx_http_athena_auth_add_variables(ngx_conf_t *cf);

/* hiredis's reply; only the Redis and lookup files look inside */
struct redisReply;

typedef void (*ngx_http_athena_auth_redis_pt)(void *data,
    struct redisReply *reply);

ngx_int_t ngx_http_athena_auth_redis_command(
    ngx_http_athena_auth_main_conf_t *amcf, int argc, const char **argv,
    const size_t *lens, ngx_http_athena_auth_redis_pt handler, void *data);
void ngx_http_athena_auth_redis_exit(void);

char *ngx_http_athena_auth_cache_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_msec_t ngx_http_athena_auth_clock(void);
int64_t ngx_http_athena_auth_now(void);
ngx_int_t ngx_http_athena_auth_cache_get(ngx_shm_zone_t *zone,
    const u_char *hash, ngx_msec_t ttl, ngx_pool_t *pool,
    athena_identity_t *id);
ngx_int_t ngx_http_athena_auth_cache_put(ngx_shm_zone_t *zone,
    const u_char *hash, const athena_identity_t *id, ngx_msec_t since,
    ngx_msec_t ttl);
void ngx_http_athena_auth_cache_evict(ngx_shm_zone_t *zone,
    const u_char *hash);
void ngx_http_athena_auth_cache_flush(ngx_shm_zone_t *zone);

/* what Postgres announces (migration 019) leaves this node's caches */
void ngx_http_athena_auth_invalidate(ngx_http_athena_auth_main_conf_t *amcf,
    const char *payload, size_t len);
void ngx_http_athena_auth_invalidate_all(
    ngx_http_athena_auth_main_conf_t *amcf);
void ngx_http_athena_auth_invalidate_exit(void);
void ngx_http_athena_auth_memory_check(void);
void ngx_http_athena_auth_memory_exit(void);
ngx_int_t ngx_http_athena_auth_listen_zone(ngx_conf_t *cf,
    ngx_http_athena_auth_main_conf_t *amcf);
ngx_int_t ngx_http_athena_auth_listen_init_process(ngx_cycle_t *cycle);
void ngx_http_athena_auth_listen_exit(void);
void ngx_http_athena_auth_hash_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);
void ngx_http_athena_auth_hash_link(ngx_rbtree_t *tree,
    ngx_http_athena_auth_hnode_t *hn, const u_char *hash);
ngx_http_athena_auth_hnode_t *ngx_http_athena_auth_hash_find(
    ngx_rbtree_t *tree, const u_char *hash);
ngx_int_t ngx_http_athena_auth_tree_init(ngx_shm_zone_t *zone, void *data);
void ngx_http_athena_auth_tree_remove(ngx_http_athena_auth_tree_t *tree,
    ngx_http_athena_auth_hnode_t *hn, ngx_queue_t *q);


#endif /* NGX_HTTP_ATHENA_AUTH_MODULE_H */
