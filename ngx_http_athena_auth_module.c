/*
 * ngx_http_athena_auth_module: a better-auth compatible auth API served
 * from nginx workers. This file holds the directives, the configuration
 * structures and their merge; the request path lives in src/http/.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_athena_auth_module.h"
#include "src/core/athena_access.h"


static void *ngx_http_athena_auth_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_athena_auth_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_athena_auth_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_athena_auth_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static char *ngx_http_athena_auth_admin_rest(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_athena_auth_api(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_athena_auth_redis(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_athena_auth_secret(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_athena_auth_thread_pool(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_athena_auth_password_length(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_athena_auth_base_url(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_athena_auth_admin_roles_api(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_athena_auth_trusted_origins(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_athena_auth_schema(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_athena_auth_login_redirect(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_athena_auth_org_limit(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_athena_auth_creator_role(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_athena_auth_admin_user_ids(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_http_athena_auth_is_url(ngx_str_t *s);
static ngx_int_t ngx_http_athena_auth_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_athena_auth_postconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_athena_auth_init_process(ngx_cycle_t *cycle);
static void ngx_http_athena_auth_exit_process(ngx_cycle_t *cycle);


static char *ngx_http_athena_auth_check_depth(ngx_conf_t *cf, void *post,
    void *data);

static ngx_conf_post_t  ngx_http_athena_auth_depth_post = {
    ngx_http_athena_auth_check_depth
};

static char *ngx_http_athena_auth_check_deadline(ngx_conf_t *cf, void *post,
    void *data);

static ngx_conf_post_t  ngx_http_athena_auth_deadline_post = {
    ngx_http_athena_auth_check_deadline
};


#define NGX_HTTP_ATHENA_MAIN  (NGX_HTTP_MAIN_CONF|NGX_HTTP_MAIN_CONF_OFFSET)

static ngx_command_t  ngx_http_athena_auth_commands[] = {

    { ngx_string("athena_auth_postgres"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, postgres),
      NULL },

    { ngx_string("athena_auth_postgres_schema"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_athena_auth_schema,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, schema),
      NULL },

    { ngx_string("athena_auth_postgres_connect_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, pg_connect_timeout),
      NULL },

    { ngx_string("athena_auth_postgres_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, pg_timeout),
      NULL },

    { ngx_string("athena_auth_postgres_deadline"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, pg_deadline),
      &ngx_http_athena_auth_deadline_post },

    { ngx_string("athena_auth_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE123,
      ngx_http_athena_auth_redis,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_redis_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, redis_timeout),
      NULL },

    { ngx_string("athena_auth_redis_retry"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, redis_retry),
      NULL },

    { ngx_string("athena_auth_cache_prefix"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, cache_prefix),
      NULL },

    { ngx_string("athena_auth_session_cache_ttl"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, cache_ttl),
      NULL },

    { ngx_string("athena_auth_smtp"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_athena_auth_smtp,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_smtp_credentials"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_athena_auth_smtp_credentials,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_smtp_starttls"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, smtp_starttls),
      NULL },

    { ngx_string("athena_auth_smtp_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, smtp_timeout),
      NULL },

    { ngx_string("athena_auth_mail_from"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_athena_auth_mail_from,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_mail_retries"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, mail_retries),
      NULL },

    { ngx_string("athena_auth_mail_retry_delay"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, mail_retry_delay),
      NULL },

    { ngx_string("athena_auth_public_url"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, public_url),
      NULL },

    { ngx_string("athena_auth_mail_poll"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, mail_poll),
      NULL },

    { ngx_string("athena_auth_secret"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_athena_auth_secret,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_thread_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_athena_auth_thread_pool,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_cookie_prefix"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, cookie_prefix),
      NULL },

    { ngx_string("athena_auth_secure_cookies"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, secure_cookies),
      NULL },

    { ngx_string("athena_auth_session_expires_in"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, expires_in),
      NULL },

    { ngx_string("athena_auth_session_update_age"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, update_age),
      NULL },

    { ngx_string("athena_auth_session_fresh_age"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, fresh_age),
      NULL },

    { ngx_string("athena_auth_base_url"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_athena_auth_base_url,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_trusted_origins"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_athena_auth_trusted_origins,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_password_length"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_http_athena_auth_password_length,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_max_body_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, max_body),
      NULL },

    { ngx_string("athena_auth_max_json_depth"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, max_depth),
      &ngx_http_athena_auth_depth_post },

    { ngx_string("athena_auth_disable_sign_up"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, disable_sign_up),
      NULL },

    { ngx_string("athena_auth_cache_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_athena_auth_cache_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_cache_notify"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, cache_notify),
      NULL },

    { ngx_string("athena_auth_cache_ttl"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_loc_conf_t, gate_ttl),
      NULL },

    { ngx_string("athena_auth_admin_user_ids"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_athena_auth_admin_user_ids,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_admin_roles"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_conf_set_str_array_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, admin_roles),
      NULL },

    { ngx_string("athena_auth_impersonation_duration"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, impersonation_ttl),
      NULL },

    { ngx_string("athena_auth_organization_create"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, org_create),
      NULL },

    { ngx_string("athena_auth_organization_limit"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_athena_auth_org_limit,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_organization_membership_limit"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, membership_limit),
      NULL },

    { ngx_string("athena_auth_organization_invitation_limit"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, invitation_limit),
      NULL },

    { ngx_string("athena_auth_organization_invitation_expires"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, invitation_ttl),
      NULL },

    { ngx_string("athena_auth_organization_deletion"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, org_deletion),
      NULL },

    { ngx_string("athena_auth_organization_creator_role"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_athena_auth_creator_role,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_require"),
      NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_athena_auth_require,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_login_redirect"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_athena_auth_login_redirect,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_rate_limit"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_loc_conf_t, rate_limit),
      NULL },

    { ngx_string("athena_auth_rate_limit_window"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, rate_default.window),
      NULL },

    { ngx_string("athena_auth_rate_limit_max"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, rate_default.max),
      NULL },

    { ngx_string("athena_auth_rate_limit_rule"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE23,
      ngx_http_athena_auth_rate_limit_rule,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_rate_limit_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_athena_auth_main_conf_t, rate_zone_size),
      NULL },

    { ngx_string("athena_auth_identity_headers"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_athena_auth_identity_prefix,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS|NGX_CONF_TAKE1,
      ngx_http_athena_auth_api,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_jwt"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_athena_auth_jwt,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_admin_rest_limit"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_athena_auth_admin_limit,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_admin_roles_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS|NGX_CONF_TAKE1,
      ngx_http_athena_auth_admin_roles_api,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("athena_auth_admin_rest"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS|NGX_CONF_TAKE1,
      ngx_http_athena_auth_admin_rest,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_athena_auth_module_ctx = {
    ngx_http_athena_auth_preconfiguration, /* preconfiguration */
    ngx_http_athena_auth_postconfiguration, /* postconfiguration */

    ngx_http_athena_auth_create_main_conf, /* create main configuration */
    ngx_http_athena_auth_init_main_conf,   /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_athena_auth_create_loc_conf,  /* create location configuration */
    ngx_http_athena_auth_merge_loc_conf    /* merge location configuration */
};


ngx_module_t  ngx_http_athena_auth_module = {
    NGX_MODULE_V1,
    &ngx_http_athena_auth_module_ctx,      /* module context */
    ngx_http_athena_auth_commands,         /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_athena_auth_init_process,     /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_athena_auth_exit_process,     /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_http_athena_auth_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_athena_auth_add_variables(cf);
}


static ngx_int_t
ngx_http_athena_auth_postconfiguration(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    /* pushed after the rewrite module's, so run before it */
    h = ngx_array_push(&cmcf->phases[NGX_HTTP_REWRITE_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_athena_auth_gate_rewrite_handler;

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_athena_auth_gate_handler;

    return NGX_OK;
}


/*
 * The thread pool module's exit handler, which runs before this one, has
 * stopped the pool threads; their connections can be closed now.
 */

/*
 * The thread pool (a core module, so its exit ran before this one) told
 * its threads to exit, but did not wait for them to finish: a thread may
 * still be tearing itself down when nginx unloads this module and the
 * libraries it brought (libpq, hiredis), and under AddressSanitizer that
 * crashed one exit in three. So the worker waits, briefly and bounded,
 * until it is the only thread left.
 */

static void
ngx_http_athena_auth_threads_gone(void)
{
#if (NGX_LINUX)
    ngx_uint_t      n, tries;
    DIR            *dir;
    struct dirent  *de;

    for (tries = 0; tries < 100; tries++) {
        dir = opendir("/proc/self/task");
        if (dir == NULL) {
            return;
        }

        n = 0;

        while ((de = readdir(dir)) != NULL) {
            n += de->d_name[0] != '.';
        }

        closedir(dir);

        if (n <= 1) {
            return;
        }

        ngx_msleep(10);
    }
#endif
}


static ngx_int_t
ngx_http_athena_auth_init_process(ngx_cycle_t *cycle)
{
    if (ngx_http_athena_auth_mail_init_process(cycle) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_athena_auth_listen_init_process(cycle);
}


static void
ngx_http_athena_auth_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_athena_auth_listen_exit();
    ngx_http_athena_auth_redis_exit();
    ngx_http_athena_auth_invalidate_exit();
    athena_db_shutdown();
    ngx_http_athena_auth_threads_gone();
    ngx_http_athena_auth_memory_exit();
}


static void *
ngx_http_athena_auth_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_athena_auth_main_conf_t  *amcf;

    amcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_athena_auth_main_conf_t));
    if (amcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     amcf->postgres = { 0, NULL };
     *     amcf->redis = { 0, NULL };
     *     amcf->redis_addr = NULL;
     *     amcf->redis_password = { 0, NULL };
     *     amcf->secret = { 0, NULL };
     *     amcf->thread_pool = NULL;
     *     amcf->base_url = { 0, NULL };
     *     amcf->trusted_origins = NULL;
     *     amcf->cache_zone = NULL;
     *     amcf->admin_user_ids = NULL;
     *     amcf->conf = NULL;
     */

    amcf->pg_connect_timeout = NGX_CONF_UNSET;
    amcf->pg_timeout = NGX_CONF_UNSET_MSEC;
    amcf->pg_deadline = NGX_CONF_UNSET_MSEC;
    amcf->smtp_starttls = NGX_CONF_UNSET;
    amcf->smtp_timeout = NGX_CONF_UNSET_MSEC;
    amcf->mail_retries = NGX_CONF_UNSET_UINT;
    amcf->mail_retry_delay = NGX_CONF_UNSET_MSEC;
    amcf->mail_poll = NGX_CONF_UNSET_MSEC;
    amcf->redis_db = NGX_CONF_UNSET_UINT;
    amcf->redis_timeout = NGX_CONF_UNSET_MSEC;
    amcf->redis_retry = NGX_CONF_UNSET_MSEC;
    amcf->cache_ttl = NGX_CONF_UNSET_MSEC;
    amcf->secure_cookies = NGX_CONF_UNSET;
    amcf->cache_notify = NGX_CONF_UNSET;
    amcf->expires_in = NGX_CONF_UNSET;
    amcf->update_age = NGX_CONF_UNSET;
    amcf->fresh_age = NGX_CONF_UNSET;
    amcf->min_password = NGX_CONF_UNSET_UINT;
    amcf->max_password = NGX_CONF_UNSET_UINT;
    amcf->max_body = NGX_CONF_UNSET_SIZE;
    amcf->max_depth = NGX_CONF_UNSET_UINT;
    amcf->disable_sign_up = NGX_CONF_UNSET;
    amcf->admin_roles = NGX_CONF_UNSET_PTR;
    amcf->rate_default.window = NGX_CONF_UNSET_MSEC;
    amcf->rate_default.max = NGX_CONF_UNSET_UINT;
    amcf->rate_zone_size = NGX_CONF_UNSET_SIZE;
    amcf->admin_nlimits = NGX_CONF_UNSET_UINT;
    amcf->impersonation_ttl = NGX_CONF_UNSET;
    amcf->org_create = NGX_CONF_UNSET;
    amcf->org_limit = NGX_CONF_UNSET;
    amcf->membership_limit = NGX_CONF_UNSET_UINT;
    amcf->invitation_limit = NGX_CONF_UNSET_UINT;
    amcf->invitation_ttl = NGX_CONF_UNSET;
    amcf->org_deletion = NGX_CONF_UNSET;
    amcf->jwt = NGX_CONF_UNSET;

    return amcf;
}


/* thread tasks read plain C strings, never nginx structures */

const char *
ngx_http_athena_auth_cstr(ngx_conf_t *cf, ngx_str_t *s)
{
    u_char  *p;

    if (s->data == NULL) {
        return NULL;
    }

    p = ngx_pnalloc(cf->pool, s->len + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, s->data, s->len);
    p[s->len] = '\0';

    return (const char *) p;
}


static ngx_int_t
ngx_http_athena_auth_redis_conf(ngx_conf_t *cf,
    ngx_http_athena_auth_main_conf_t *amcf, athena_store_conf_t *sc)
{
    u_char     *colon;
    ngx_int_t   port;
    ngx_str_t   host;

    if (amcf->redis.len == 0) {
        return NGX_OK;
    }

    sc->redis_enabled = 1;
    sc->redis_db = (int) amcf->redis_db;
    sc->redis_password = ngx_http_athena_auth_cstr(cf, &amcf->redis_password);
    sc->redis_timeout = (int) amcf->redis_timeout;
    sc->redis_retry = (int) amcf->redis_retry;

    if (amcf->redis.len > 5
        && ngx_strncmp(amcf->redis.data, "unix:", 5) == 0)
    {
        host.data = amcf->redis.data + 5;
        host.len = amcf->redis.len - 5;
        sc->redis_path = ngx_http_athena_auth_cstr(cf, &host);
        return sc->redis_path ? NGX_OK : NGX_ERROR;
    }

    colon = ngx_strlchr(amcf->redis.data, amcf->redis.data + amcf->redis.len,
                        ':');
    port = 6379;
    host = amcf->redis;

    if (colon != NULL) {
        host.len = colon - amcf->redis.data;
        port = ngx_atoi(colon + 1, amcf->redis.data + amcf->redis.len
                                   - colon - 1);
    }

    if (host.len == 0 || port < 1 || port > 65535) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid address \"%V\" in athena_auth_redis",
                           &amcf->redis);
        return NGX_ERROR;
    }

    sc->redis_host = ngx_http_athena_auth_cstr(cf, &host);
    sc->redis_port = (int) port;

    return sc->redis_host ? NGX_OK : NGX_ERROR;
}


/* the gate's event-loop connection resolves its address once, here */

static ngx_int_t
ngx_http_athena_auth_redis_addr(ngx_conf_t *cf,
    ngx_http_athena_auth_main_conf_t *amcf)
{
    ngx_url_t  u;

    if (amcf->redis.len == 0) {
        return NGX_OK;
    }

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url = amcf->redis;
    u.default_port = 6379;

    if (ngx_parse_url(cf->pool, &u) != NGX_OK || u.naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "%s in athena_auth_redis \"%V\"",
                           u.err ? u.err : "no address", &amcf->redis);
        return NGX_ERROR;
    }

    amcf->redis_addr = &u.addrs[0];

    return NGX_OK;
}


static const char **
ngx_http_athena_auth_cstrs(ngx_conf_t *cf, ngx_array_t *a, size_t *n)
{
    ngx_str_t    *s;
    ngx_uint_t    i;
    const char  **out;

    *n = 0;

    if (a == NULL) {
        return NULL;
    }

    out = ngx_pcalloc(cf->pool, a->nelts * sizeof(char *));
    if (out == NULL) {
        return NULL;
    }

    s = a->elts;

    for (i = 0; i < a->nelts; i++) {
        out[i] = ngx_http_athena_auth_cstr(cf, &s[i]);
        if (out[i] == NULL) {
            return NULL;
        }
    }

    *n = a->nelts;

    return out;
}


static ngx_int_t
ngx_http_athena_auth_build(ngx_conf_t *cf,
    ngx_http_athena_auth_main_conf_t *amcf)
{
    athena_conf_t  *c;

    c = ngx_pcalloc(cf->pool, sizeof(athena_conf_t));
    if (c == NULL) {
        return NGX_ERROR;
    }

    c->store.pg_conninfo = ngx_http_athena_auth_cstr(cf, &amcf->postgres);
    c->store.pg_schema = ngx_http_athena_auth_cstr(cf, &amcf->schema);
    c->store.pg_connect_timeout = (int) amcf->pg_connect_timeout;
    c->store.pg_statement_timeout = (int) amcf->pg_timeout;
    c->store.pg_deadline = (int) amcf->pg_deadline;
    c->store.cache_prefix = ngx_http_athena_auth_cstr(cf, &amcf->cache_prefix);
    c->store.cache_ttl = (int64_t) amcf->cache_ttl;

    if (ngx_http_athena_auth_redis_conf(cf, amcf, &c->store) != NGX_OK
        || ngx_http_athena_auth_redis_addr(cf, amcf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    c->secret = ngx_http_athena_auth_cstr(cf, &amcf->secret);
    c->secret_len = amcf->secret.len;
    c->cookie_prefix = ngx_http_athena_auth_cstr(cf, &amcf->cookie_prefix);
    c->secure_cookies = (int) amcf->secure_cookies;
    c->expires_in = (int64_t) amcf->expires_in * 1000;
    c->update_age = (int64_t) amcf->update_age * 1000;
    c->fresh_age = (int64_t) amcf->fresh_age * 1000;
    c->base_origin = ngx_http_athena_auth_cstr(cf, &amcf->base_url);
    c->min_password = (unsigned) amcf->min_password;
    c->max_password = (unsigned) amcf->max_password;
    c->max_depth = (unsigned) amcf->max_depth;
    c->disable_sign_up = (int) amcf->disable_sign_up;

    c->trusted_origins = ngx_http_athena_auth_cstrs(cf, amcf->trusted_origins,
                                                    &c->ntrusted);
    c->admin_user_ids = ngx_http_athena_auth_cstrs(cf, amcf->admin_user_ids,
                                                   &c->nadmin_user_ids);
    c->admin_roles = ngx_http_athena_auth_cstrs(cf, amcf->admin_roles,
                                                &c->nadmin_roles);
    c->impersonation_ttl = (int64_t) amcf->impersonation_ttl * 1000;

    c->org_create = (int) amcf->org_create;
    c->org_limit = (int64_t) amcf->org_limit;
    c->membership_limit = (int64_t) amcf->membership_limit;
    c->invitation_limit = (int64_t) amcf->invitation_limit;
    c->invitation_ttl = (int64_t) amcf->invitation_ttl * 1000;
    c->org_deletion = (int) amcf->org_deletion;
    c->creator_role = ngx_http_athena_auth_cstr(cf, &amcf->creator_role);

    if (ngx_http_athena_auth_mail_conf(cf, amcf, c) != NGX_OK
        || ngx_http_athena_auth_jwt_conf(cf, amcf, c) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if ((amcf->trusted_origins && c->trusted_origins == NULL)
        || (amcf->admin_user_ids && c->admin_user_ids == NULL)
        || c->admin_roles == NULL)
    {
        return NGX_ERROR;
    }

    amcf->conf = c;

    return NGX_OK;
}


static char *
ngx_http_athena_auth_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_str_t  *role;
    ngx_str_t   name = ngx_string("athena_auth");

    ngx_conf_init_value(amcf->pg_connect_timeout, 2);
    ngx_conf_init_msec_value(amcf->pg_timeout, 5000);

    /*
     * The client's bound is the server's plus a second: a statement that
     * the server would end itself is left to it (its 57014 and the 503),
     * and the client steps in only when the server does not answer. With
     * no statement_timeout (0) the client's bound is that of the defaults.
     */
    ngx_conf_init_msec_value(amcf->pg_deadline,
                             (amcf->pg_timeout ? amcf->pg_timeout : 5000)
                             + 1000);

    ngx_conf_init_uint_value(amcf->redis_db, 0);
    ngx_conf_init_msec_value(amcf->redis_timeout, 250);
    ngx_conf_init_msec_value(amcf->redis_retry, 1000);
    ngx_conf_init_msec_value(amcf->cache_ttl, 60000);
    ngx_conf_init_value(amcf->secure_cookies, 0);
    ngx_conf_init_value(amcf->cache_notify, 1);
    ngx_conf_init_value(amcf->expires_in, 604800);
    ngx_conf_init_value(amcf->update_age, 86400);
    ngx_conf_init_value(amcf->fresh_age, 86400);
    ngx_conf_init_uint_value(amcf->min_password, 8);
    ngx_conf_init_uint_value(amcf->max_password, 128);
    ngx_conf_init_size_value(amcf->max_body, 32 * 1024);
    ngx_conf_init_uint_value(amcf->max_depth, 8);
    ngx_conf_init_value(amcf->disable_sign_up, 0);
    ngx_conf_init_value(amcf->impersonation_ttl, 3600);

    ngx_conf_init_value(amcf->smtp_starttls, 1);
    ngx_conf_init_msec_value(amcf->smtp_timeout, 10000);
    ngx_conf_init_uint_value(amcf->mail_retries, 5);
    ngx_conf_init_msec_value(amcf->mail_retry_delay, 30000);
    ngx_conf_init_msec_value(amcf->mail_poll, 1000);

    /* better-auth's rateLimit: 100 requests per 10 s */
    ngx_conf_init_msec_value(amcf->rate_default.window, 10000);
    ngx_conf_init_uint_value(amcf->rate_default.max, 100);
    ngx_conf_init_size_value(amcf->rate_zone_size, 1024 * 1024);

    /* seed 003: 500 requests a minute and 5,000 an hour for each admin */
    if (amcf->admin_nlimits == NGX_CONF_UNSET_UINT) {
        amcf->admin_limits[0].max = 500;
        amcf->admin_limits[0].window = 60000;
        amcf->admin_limits[1].max = 5000;
        amcf->admin_limits[1].window = 3600000;
        amcf->admin_nlimits = 2;
    }

    /* the organization plugin's defaults */
    ngx_conf_init_value(amcf->org_create, 1);
    ngx_conf_init_value(amcf->org_limit, -1);
    ngx_conf_init_uint_value(amcf->membership_limit, 100);
    ngx_conf_init_uint_value(amcf->invitation_limit, 100);
    ngx_conf_init_value(amcf->invitation_ttl, 48 * 3600);
    ngx_conf_init_value(amcf->org_deletion, 1);

    if (amcf->creator_role.data == NULL) {
        ngx_str_set(&amcf->creator_role, "owner");
    }

    /* better-auth's adminRoles: ["admin"] */
    if (amcf->admin_roles == NGX_CONF_UNSET_PTR) {
        amcf->admin_roles = ngx_array_create(cf->pool, 1, sizeof(ngx_str_t));
        if (amcf->admin_roles == NULL) {
            return NGX_CONF_ERROR;
        }

        role = ngx_array_push(amcf->admin_roles);
        if (role == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_str_set(role, "admin");
    }

    if (amcf->schema.data == NULL) {
        ngx_str_set(&amcf->schema, "public");
    }

    if (amcf->cookie_prefix.data == NULL) {
        ngx_str_set(&amcf->cookie_prefix, "better-auth");
    }

    if (amcf->cache_prefix.data == NULL) {
        ngx_str_set(&amcf->cache_prefix, "athena:");
    }

    if (amcf->postgres.len == 0) {
        return NGX_CONF_OK;
    }

    /* the API's tasks need a pool; a missing one is named by nginx */
    if (amcf->thread_pool == NULL) {
        amcf->thread_pool_name = name;
        amcf->thread_pool = ngx_thread_pool_add(cf, &name);
        if (amcf->thread_pool == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    if (ngx_http_athena_auth_build(cf, amcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (amcf->rate_zone_size < 8 * ngx_pagesize) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "athena_auth_rate_limit_zone is too small");
        return NGX_CONF_ERROR;
    }

    if (ngx_http_athena_auth_rate_zone(cf, amcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_athena_auth_admin_zone(cf, amcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (amcf->cache_notify
        && ngx_http_athena_auth_listen_zone(cf, amcf) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static void *
ngx_http_athena_auth_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_athena_auth_loc_conf_t  *alcf;

    alcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_athena_auth_loc_conf_t));
    if (alcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     alcf->base = { 0, NULL };
     *     alcf->roles = NULL;
     *     alcf->permissions = NULL;
     *     alcf->org_permissions = NULL;
     *     alcf->api_key = 0;
     *     alcf->jwt = 0;
     *     alcf->admin_roles = NULL;
     *     alcf->admin_tenant = NULL;
     *     alcf->key_permissions = NULL;
     *     alcf->login_redirect = { 0, NULL };
     *     alcf->redirect_param = { 0, NULL };
     *     alcf->identity_prefix = { 0, NULL };
     */

    alcf->api = NGX_CONF_UNSET;
    alcf->surface = NGX_CONF_UNSET_UINT;
    alcf->rate_limit = NGX_CONF_UNSET;
    alcf->require = NGX_CONF_UNSET;
    alcf->gate_ttl = NGX_CONF_UNSET_MSEC;

    return alcf;
}


static char *
ngx_http_athena_auth_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_athena_auth_loc_conf_t  *prev = parent;
    ngx_http_athena_auth_loc_conf_t  *conf = child;

    ngx_http_core_loc_conf_t          *clcf;
    ngx_http_athena_auth_main_conf_t  *amcf;

    ngx_conf_merge_value(conf->api, prev->api, 0);
    ngx_conf_merge_uint_value(conf->surface, prev->surface,
                              ATHENA_SURFACE_AUTH);
    ngx_conf_merge_value(conf->rate_limit, prev->rate_limit, 1);
    ngx_conf_merge_str_value(conf->base, prev->base, "/api/auth");
    ngx_conf_merge_str_value(conf->login_redirect, prev->login_redirect, "");
    ngx_conf_merge_str_value(conf->redirect_param, prev->redirect_param,
                             "callbackURL");
    ngx_conf_merge_str_value(conf->identity_prefix, prev->identity_prefix,
                             "");
    ngx_conf_merge_msec_value(conf->gate_ttl, prev->gate_ttl, 5000);

    /* a location's rules come whole from the one that says "require" */
    if (conf->require == NGX_CONF_UNSET) {
        conf->require = prev->require;
        conf->roles = prev->roles;
        conf->permissions = prev->permissions;
        conf->org_permissions = prev->org_permissions;
        conf->api_key = prev->api_key;
        conf->jwt = prev->jwt;
        conf->admin_roles = prev->admin_roles;
        conf->admin_tenant = prev->admin_tenant;
        conf->key_permissions = prev->key_permissions;
    }

    amcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_athena_auth_module);

    if (conf->require == 1) {
        if (amcf->conf == NULL || amcf->secret.len == 0
            || amcf->cache_zone == NULL)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"athena_auth_require\" needs"
                               " \"athena_auth_postgres\","
                               " \"athena_auth_secret\" and"
                               " \"athena_auth_cache_zone\" at http level");
            return NGX_CONF_ERROR;
        }

        /* a lookup caches for the longest-lived of the gated locations */
        if (conf->gate_ttl > amcf->gate_ttl_max) {
            amcf->gate_ttl_max = conf->gate_ttl;
        }
    }

    /* the gate's lookups also answer an API location's session reads */
    if (ngx_http_athena_auth_answers(conf) && amcf->cache_zone != NULL
        && conf->gate_ttl > amcf->gate_ttl_max)
    {
        amcf->gate_ttl_max = conf->gate_ttl;
    }

    if (conf->api != 1) {
        return NGX_CONF_OK;
    }

    if (amcf->conf == NULL || amcf->secret.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"athena_auth_api\" needs \"athena_auth_postgres\""
                           " and \"athena_auth_secret\" at http level");
        return NGX_CONF_ERROR;
    }

    /*
     * A JSON body must arrive in memory; the module refuses larger ones
     * with 413 itself, so the buffer only has to hold its own limit.
     */
    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->client_body_buffer_size < amcf->max_body) {
        clcf->client_body_buffer_size = amcf->max_body;
    }

    return NGX_CONF_OK;
}


/* athena_auth_admin_rest [base path]: seed 003's surface, /api/admin */

static char *
ngx_http_athena_auth_admin_rest(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_loc_conf_t  *alcf = conf;

    if (alcf->api != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    alcf->surface = ATHENA_SURFACE_REST;
    ngx_str_set(&alcf->base, "/api/admin");

    return ngx_http_athena_auth_api(cf, cmd, conf);
}


/*
 * athena_auth_admin_roles_api [base path]: seed 004's surface,
 * /api/v1/admin/admin-roles (athena_auth_admin_roles is better-auth's
 * adminRoles)
 */

static char *
ngx_http_athena_auth_admin_roles_api(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_loc_conf_t  *alcf = conf;

    if (alcf->api != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    alcf->surface = ATHENA_SURFACE_ROLES;
    ngx_str_set(&alcf->base, "/api/v1/admin/admin-roles");

    return ngx_http_athena_auth_api(cf, cmd, conf);
}


static char *
ngx_http_athena_auth_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_athena_auth_loc_conf_t  *alcf = conf;

    ngx_str_t                 *value;
    ngx_http_core_loc_conf_t  *clcf;

    if (alcf->api != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;
    alcf->api = 1;

    if (alcf->surface == NGX_CONF_UNSET_UINT) {
        alcf->surface = ATHENA_SURFACE_AUTH;
    }

    if (cf->args->nelts == 2) {
        alcf->base = value[1];

        /* "/api/auth", never "api/auth" or "/api/auth/" */
        while (alcf->base.len > 1
               && alcf->base.data[alcf->base.len - 1] == '/')
        {
            alcf->base.len--;
        }

        if (alcf->base.len == 0 || alcf->base.data[0] != '/') {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid base path \"%V\"", &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_athena_auth_api_handler;

    return NGX_CONF_OK;
}


/* athena_auth_login_redirect <url> [<parameter name>] */

static char *
ngx_http_athena_auth_login_redirect(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_loc_conf_t  *alcf = conf;

    ngx_str_t  *value;

    if (alcf->login_redirect.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (!ngx_http_athena_auth_is_url(&value[1])
        && (value[1].len == 0 || value[1].data[0] != '/'))
    {
        return "must be an http:// or https:// URL or a path";
    }

    alcf->login_redirect = value[1];

    if (cf->args->nelts == 3) {
        if (value[2].len == 0) {
            return "has an empty parameter name";
        }

        alcf->redirect_param = value[2];
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_athena_auth_admin_user_ids(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_str_t   *value, *id;
    ngx_uint_t   i;

    value = cf->args->elts;

    if (amcf->admin_user_ids == NULL) {
        amcf->admin_user_ids = ngx_array_create(cf->pool, 4,
                                                sizeof(ngx_str_t));
        if (amcf->admin_user_ids == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    for (i = 1; i < cf->args->nelts; i++) {
        id = ngx_array_push(amcf->admin_user_ids);
        if (id == NULL) {
            return NGX_CONF_ERROR;
        }

        *id = value[i];
    }

    return NGX_CONF_OK;
}


/* athena_auth_organization_limit number | off (better-auth: no limit) */

static char *
ngx_http_athena_auth_org_limit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_str_t  *value;

    if (amcf->org_limit != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        amcf->org_limit = -1;
        return NGX_CONF_OK;
    }

    amcf->org_limit = ngx_atoi(value[1].data, value[1].len);
    if (amcf->org_limit == NGX_ERROR) {
        return "takes a number or \"off\"";
    }

    return NGX_CONF_OK;
}


/* the role an organization's creator gets: one of the plugin's roles */

static char *
ngx_http_athena_auth_creator_role(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_str_t  *value;

    if (amcf->creator_role.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (athena_access_role(&athena_org_access, (char *) value[1].data,
                           value[1].len))
    {
        amcf->creator_role = value[1];
        return NGX_CONF_OK;
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "unknown organization role \"%V\"", &value[1]);

    return NGX_CONF_ERROR;
}


/* athena_auth_redis host:port|unix:/path [db=N] [password=secret] */

static char *
ngx_http_athena_auth_redis(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_int_t    n;
    ngx_str_t   *value;
    ngx_uint_t   i;

    if (amcf->redis.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        ngx_str_set(&amcf->redis, "");
        return NGX_CONF_OK;
    }

    amcf->redis = value[1];

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "db=", 3) == 0) {
            n = ngx_atoi(value[i].data + 3, value[i].len - 3);
            if (n == NGX_ERROR) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid database \"%V\"", &value[i]);
                return NGX_CONF_ERROR;
            }

            amcf->redis_db = (ngx_uint_t) n;
            continue;
        }

        if (ngx_strncmp(value[i].data, "password=", 9) == 0) {
            amcf->redis_password.data = value[i].data + 9;
            amcf->redis_password.len = value[i].len - 9;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", &value[i]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* athena_auth_secret <value> | file=<path> */

/*
 * The text of the file at path (relative to the prefix), at most 4 KiB,
 * without the newline an editor leaves at its end: secrets and
 * credentials stay out of the configuration.
 */

char *
ngx_http_athena_auth_file_text(ngx_conf_t *cf, ngx_str_t *path,
    ngx_str_t *out)
{
    ssize_t     n;
    ngx_file_t  file;

    if (ngx_conf_full_name(cf->cycle, path, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = *path;
    file.log = cf->log;

    file.fd = ngx_open_file(path->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", path);
        return NGX_CONF_ERROR;
    }

    out->data = ngx_pnalloc(cf->pool, 4096);
    if (out->data == NULL) {
        ngx_close_file(file.fd);
        return NGX_CONF_ERROR;
    }

    n = ngx_read_file(&file, out->data, 4096, 0);
    ngx_close_file(file.fd);

    if (n == NGX_ERROR) {
        return NGX_CONF_ERROR;
    }

    /* a trailing newline is the editor's, not the secret's */
    while (n > 0 && (out->data[n - 1] == '\n' || out->data[n - 1] == '\r'))
    {
        n--;
    }

    out->len = (size_t) n;

    return NGX_CONF_OK;
}


static char *
ngx_http_athena_auth_secret(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    char       *rv;
    ngx_str_t  *value, path;

    if (amcf->secret.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strncmp(value[1].data, "file=", 5) != 0) {
        amcf->secret = value[1];
        goto check;
    }

    path.data = value[1].data + 5;
    path.len = value[1].len - 5;

    rv = ngx_http_athena_auth_file_text(cf, &path, &amcf->secret);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

check:

    if (amcf->secret.len == 0) {
        return "is empty";
    }

    if (amcf->secret.len < 32) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "athena_auth_secret is shorter than 32 bytes");
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_athena_auth_thread_pool(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_str_t  *value;

    if (amcf->thread_pool != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    amcf->thread_pool_name = value[1];
    amcf->thread_pool = ngx_thread_pool_add(cf, &value[1]);

    return amcf->thread_pool ? NGX_CONF_OK : NGX_CONF_ERROR;
}


static char *
ngx_http_athena_auth_password_length(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_int_t   min, max;
    ngx_str_t  *value;

    value = cf->args->elts;

    min = ngx_atoi(value[1].data, value[1].len);
    max = ngx_atoi(value[2].data, value[2].len);

    if (min == NGX_ERROR || max == NGX_ERROR || min < 1 || max < min) {
        return "needs two numbers, min >= 1 and max >= min";
    }

    amcf->min_password = (ngx_uint_t) min;
    amcf->max_password = (ngx_uint_t) max;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_athena_auth_is_url(ngx_str_t *s)
{
    return (s->len > 7 && ngx_strncasecmp(s->data, (u_char *) "http://", 7)
                          == 0)
           || (s->len > 8 && ngx_strncasecmp(s->data, (u_char *) "https://", 8)
                             == 0);
}


static char *
ngx_http_athena_auth_base_url(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_str_t  *value;

    value = cf->args->elts;

    if (!ngx_http_athena_auth_is_url(&value[1])) {
        return "must be an http:// or https:// URL";
    }

    amcf->base_url = value[1];

    return NGX_CONF_OK;
}


static char *
ngx_http_athena_auth_trusted_origins(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_str_t   *value, *o;
    ngx_uint_t   i;

    value = cf->args->elts;

    if (amcf->trusted_origins == NULL) {
        amcf->trusted_origins = ngx_array_create(cf->pool, 4,
                                                 sizeof(ngx_str_t));
        if (amcf->trusted_origins == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    for (i = 1; i < cf->args->nelts; i++) {

        /* a host glob such as "*.example.com" needs no scheme */
        if (!ngx_http_athena_auth_is_url(&value[i])
            && ngx_strlchr(value[i].data, value[i].data + value[i].len, '*')
               == NULL)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid origin \"%V\"", &value[i]);
            return NGX_CONF_ERROR;
        }

        o = ngx_array_push(amcf->trusted_origins);
        if (o == NULL) {
            return NGX_CONF_ERROR;
        }

        *o = value[i];
    }

    return NGX_CONF_OK;
}


/* a Postgres identifier: letters, digits and underscores */

static char *
ngx_http_athena_auth_schema(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    u_char      *p;
    ngx_str_t   *value;

    value = cf->args->elts;

    if (value[1].len == 0 || value[1].len > 63
        || (value[1].data[0] >= '0' && value[1].data[0] <= '9'))
    {
        return "is not a valid schema name";
    }

    for (p = value[1].data; p < value[1].data + value[1].len; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '_'))
        {
            return "is not a valid schema name";
        }
    }

    return ngx_conf_set_str_slot(cf, cmd, conf);
}


/* nginx's own bounds check does not name the directive; this one does */

static char *
ngx_http_athena_auth_check_depth(ngx_conf_t *cf, void *post, void *data)
{
    ngx_uint_t  *np = data;

    if (*np < 1 || *np > 64) {
        return "must be between 1 and 64";
    }

    return NGX_CONF_OK;
}


/* 0 would fail every statement; the store counts milliseconds in an int */

static char *
ngx_http_athena_auth_check_deadline(ngx_conf_t *cf, void *post, void *data)
{
    ngx_msec_t  *msp = data;

    if (*msp < 1 || *msp > 86400000) {
        return "must be between 1ms and 24h";
    }

    return NGX_CONF_OK;
}
