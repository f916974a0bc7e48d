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


typedef struct {
    ngx_str_t             postgres;
    ngx_str_t             schema;
    time_t                pg_connect_timeout;
    ngx_msec_t            pg_timeout;

    ngx_str_t             redis;
    ngx_str_t             redis_password;
    ngx_uint_t            redis_db;
    ngx_msec_t            redis_timeout;
    ngx_msec_t            redis_retry;
    ngx_str_t             cache_prefix;
    ngx_msec_t            cache_ttl;

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

    athena_conf_t        *conf;               /* what thread tasks read */
} ngx_http_athena_auth_main_conf_t;


typedef struct {
    ngx_flag_t            api;
    ngx_str_t             base;
} ngx_http_athena_auth_loc_conf_t;


extern ngx_module_t  ngx_http_athena_auth_module;


ngx_int_t ngx_http_athena_auth_api_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_athena_auth_post_task(ngx_http_request_t *r,
    athena_req_t *req);
ngx_int_t ngx_http_athena_auth_send(ngx_http_request_t *r,
    athena_resp_t *resp);
ngx_int_t ngx_http_athena_auth_send_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *code, const char *message);
void ngx_http_athena_auth_log_outcome(ngx_http_request_t *r,
    athena_resp_t *resp);


#endif /* NGX_HTTP_ATHENA_AUTH_MODULE_H */
