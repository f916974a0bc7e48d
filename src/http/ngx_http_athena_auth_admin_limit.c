/*
 * The REST admin API's per-admin limits (seed 003): the directive, and
 * the node's table of counts in shared memory that tasks use while Redis
 * is away (athena_limit_check(); src/core/athena_window.c says how threads
 * share it without nginx's locks).
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"


#define NGX_HTTP_ATHENA_AUTH_ADMIN_SLOTS  4096


/*
 * athena_auth_admin_rest_limit off | max window [max window]: the seed's
 * 500 per minute and 5,000 per hour when not given
 */

char *
ngx_http_athena_auth_admin_limit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_int_t    max;
    ngx_msec_t   window;
    ngx_str_t   *value;
    ngx_uint_t   i;

    if (amcf->admin_nlimits != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;
    amcf->admin_nlimits = 0;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "off") == 0) {
        return NGX_CONF_OK;
    }

    if (cf->args->nelts % 2 == 0) {
        return "takes \"off\" or pairs of a maximum and a window";
    }

    if (cf->args->nelts > 1 + 2 * ATHENA_WINDOW_MAX) {
        return "takes at most two limits";
    }

    for (i = 1; i < cf->args->nelts; i += 2) {
        max = ngx_atoi(value[i].data, value[i].len);
        window = ngx_parse_time(&value[i + 1], 0);

        /* the counts' arithmetic is max times window, in 64 bits */
        if (max <= 0 || window == (ngx_msec_t) NGX_ERROR || window == 0
            || (uint64_t) max * window > ATHENA_WINDOW_LOAD_MAX)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid limit \"%V %V\": a maximum of at"
                               " least 1, a window of at least 1 ms, and"
                               " not both huge",
                               &value[i], &value[i + 1]);
            return NGX_CONF_ERROR;
        }

        /* a window's counts are kept under its length */
        if (i > 1 && amcf->admin_limits[0].window == (int64_t) window) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid limit \"%V %V\": a second limit"
                               " over the same window", &value[i],
                               &value[i + 1]);
            return NGX_CONF_ERROR;
        }

        amcf->admin_limits[amcf->admin_nlimits].max = max;
        amcf->admin_limits[amcf->admin_nlimits].window = window;
        amcf->admin_nlimits++;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_athena_auth_admin_zone_init(ngx_shm_zone_t *zone, void *data)
{
    athena_conf_t         *c = zone->data;
    athena_conf_t         *oc = data;

    size_t                 size;
    ngx_slab_pool_t       *shpool;
    athena_window_slot_t  *slots;

    shpool = (ngx_slab_pool_t *) zone->shm.addr;

    if (oc) {
        c->rest_limit.slots = oc->rest_limit.slots;

    } else if (zone->shm.exists) {
        c->rest_limit.slots = shpool->data;

    } else {
        size = NGX_HTTP_ATHENA_AUTH_ADMIN_SLOTS
               * sizeof(athena_window_slot_t);

        slots = ngx_slab_calloc(shpool, size);
        if (slots == NULL) {
            return NGX_ERROR;
        }

        shpool->data = slots;
        c->rest_limit.slots = slots;
    }

    c->rest_limit.nslots = NGX_HTTP_ATHENA_AUTH_ADMIN_SLOTS;

    return NGX_OK;
}


/* the limits into the tasks' configuration, and the node's table */

ngx_int_t
ngx_http_athena_auth_admin_zone(ngx_conf_t *cf,
    ngx_http_athena_auth_main_conf_t *amcf)
{
    ngx_str_t        name = ngx_string("athena_auth_admin_limit");
    ngx_uint_t       i;
    athena_conf_t   *c;
    ngx_shm_zone_t  *zone;

    c = amcf->conf;

    for (i = 0; i < amcf->admin_nlimits; i++) {
        c->rest_limit.limits[i].max = amcf->admin_limits[i].max;
        c->rest_limit.limits[i].window = amcf->admin_limits[i].window;
    }

    c->rest_limit.nlimits = amcf->admin_nlimits;

    if (amcf->admin_nlimits == 0) {
        return NGX_OK;
    }

    zone = ngx_shared_memory_add(cf, &name,
                                 NGX_HTTP_ATHENA_AUTH_ADMIN_SLOTS
                                 * sizeof(athena_window_slot_t)
                                 + 16 * ngx_pagesize,
                                 &ngx_http_athena_auth_module);
    if (zone == NULL) {
        return NGX_ERROR;
    }

    zone->init = ngx_http_athena_auth_admin_zone_init;
    zone->data = c;

    return NGX_OK;
}
