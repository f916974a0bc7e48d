/*
 * Mail: the relay's directives, and each worker's delivery from the
 * outbox. A timer on the event loop, every athena_auth_mail_poll, posts
 * one delivery round to the thread pool unless one is under way; the
 * round (athena_delivery_run) claims what is due, so workers and nodes
 * share the outbox without sending one mail twice. Nothing is sent, and
 * no timer runs, without athena_auth_smtp.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"
#include "../api/athena/athena_delivery.h"


typedef struct {
    ngx_thread_task_t                 *task;
    athena_arena_t                    *arena;
    athena_delivery_t                  d;
    ngx_http_athena_auth_main_conf_t  *amcf;
} ngx_http_athena_auth_round_t;


static ngx_event_t                        ngx_http_athena_auth_mail_ev;
static ngx_connection_t                   ngx_http_athena_auth_mail_conn;
static ngx_uint_t                         ngx_http_athena_auth_mail_busy;
static ngx_http_athena_auth_main_conf_t  *ngx_http_athena_auth_mail_amcf;


/* athena_auth_smtp smtp://host:port | smtps://host:port */

char *
ngx_http_athena_auth_smtp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_str_t  *value;

    if (amcf->smtp_url.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strncasecmp(value[1].data, (u_char *) "smtp://", 7) != 0
        && ngx_strncasecmp(value[1].data, (u_char *) "smtps://", 8) != 0)
    {
        return "must start with \"smtp://\" or \"smtps://\"";
    }

    amcf->smtp_url = value[1];

    return NGX_CONF_OK;
}


/* athena_auth_smtp_credentials file=path, the file holding user:password */

char *
ngx_http_athena_auth_smtp_credentials(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    char       *rv;
    ngx_str_t  *value, path;

    if (amcf->smtp_credentials.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    /* a password never sits in the configuration itself */
    if (ngx_strncmp(value[1].data, "file=", 5) != 0) {
        return "takes file=path, a file holding \"user:password\"";
    }

    path.data = value[1].data + 5;
    path.len = value[1].len - 5;

    rv = ngx_http_athena_auth_file_text(cf, &path, &amcf->smtp_credentials);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (ngx_strlchr(amcf->smtp_credentials.data,
                    amcf->smtp_credentials.data + amcf->smtp_credentials.len,
                    ':')
        == NULL)
    {
        return "needs a file holding \"user:password\"";
    }

    return NGX_CONF_OK;
}


/* athena_auth_mail_from address ["display name"] */

char *
ngx_http_athena_auth_mail_from(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_str_t   *value;
    ngx_uint_t   i, j;

    if (amcf->mail_from.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        for (j = 0; j < value[i].len; j++) {
            if (value[i].data[j] < 0x20 || value[i].data[j] == 0x7f) {
                return "holds a control character";
            }
        }
    }

    if (ngx_strlchr(value[1].data, value[1].data + value[1].len, '@') == NULL
        || ngx_strlchr(value[1].data, value[1].data + value[1].len, '<')
        || ngx_strlchr(value[1].data, value[1].data + value[1].len, '>'))
    {
        return "needs a plain address, user@domain";
    }

    amcf->mail_from = value[1];

    if (cf->args->nelts == 3) {
        amcf->mail_from_name = value[2];
    }

    return NGX_CONF_OK;
}


static const char *
ngx_http_athena_auth_mail_cstr(ngx_conf_t *cf, ngx_str_t *s, size_t len)
{
    u_char  *p;

    p = ngx_pnalloc(cf->pool, len + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, s->data, len);
    p[len] = '\0';

    return (const char *) p;
}


/* what the pool threads read of it */

ngx_int_t
ngx_http_athena_auth_mail_conf(ngx_conf_t *cf,
    ngx_http_athena_auth_main_conf_t *amcf, athena_conf_t *c)
{
    u_char     *colon;
    ngx_str_t   pass;

    c->mail_retries = (int) amcf->mail_retries;
    c->mail_retry_ms = (int64_t) amcf->mail_retry_delay;
    c->smtp.timeout_ms = (long) amcf->smtp_timeout;

    /* links in mail: "https://app.example.com", without its last "/" */
    if (amcf->public_url.len) {
        while (amcf->public_url.len > 1
               && amcf->public_url.data[amcf->public_url.len - 1] == '/')
        {
            amcf->public_url.len--;
        }

        c->public_url = ngx_http_athena_auth_mail_cstr(cf, &amcf->public_url,
                                                       amcf->public_url.len);
        if (c->public_url == NULL) {
            return NGX_ERROR;
        }
    }

    if (amcf->smtp_url.data == NULL) {
        return NGX_OK;
    }

    /* smtps:// speaks TLS from the start; smtp:// is upgraded, or refused */
    c->smtp.starttls = amcf->smtp_starttls
                       && ngx_strncasecmp(amcf->smtp_url.data,
                                          (u_char *) "smtp://", 7) == 0;

    if (amcf->mail_from.data == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"athena_auth_smtp\" needs"
                           " \"athena_auth_mail_from\"");
        return NGX_ERROR;
    }

    c->smtp.url = ngx_http_athena_auth_mail_cstr(cf, &amcf->smtp_url,
                                                 amcf->smtp_url.len);
    c->mail_from = ngx_http_athena_auth_mail_cstr(cf, &amcf->mail_from,
                                                  amcf->mail_from.len);
    c->mail_from_name = amcf->mail_from_name.data
                        ? ngx_http_athena_auth_mail_cstr(cf,
                              &amcf->mail_from_name, amcf->mail_from_name.len)
                        : NULL;

    if (c->smtp.url == NULL || c->mail_from == NULL) {
        return NGX_ERROR;
    }

    if (amcf->smtp_credentials.data != NULL) {
        colon = ngx_strlchr(amcf->smtp_credentials.data,
                            amcf->smtp_credentials.data
                            + amcf->smtp_credentials.len, ':');

        c->smtp.username = ngx_http_athena_auth_mail_cstr(cf,
                               &amcf->smtp_credentials,
                               colon - amcf->smtp_credentials.data);

        pass.data = colon + 1;
        pass.len = amcf->smtp_credentials.data + amcf->smtp_credentials.len
                   - pass.data;

        c->smtp.password = ngx_http_athena_auth_mail_cstr(cf, &pass,
                                                          pass.len);

        if (c->smtp.username == NULL || c->smtp.password == NULL) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* runs in a pool thread: no nginx structure may be touched here */

static void
ngx_http_athena_auth_round_handler(void *data, ngx_log_t *log)
{
    ngx_http_athena_auth_round_t  *round = data;

    athena_delivery_run(round->amcf->conf, round->arena, &round->d);
}


static void
ngx_http_athena_auth_round_done(ngx_event_t *ev)
{
    ngx_msec_t                     next;
    ngx_thread_task_t             *task;
    ngx_http_athena_auth_round_t  *round;

    task = (ngx_thread_task_t *) ((u_char *) ev
                                  - offsetof(ngx_thread_task_t, event));
    round = task->ctx;

    ngx_http_athena_auth_task_release();
    ngx_http_athena_auth_mail_busy = 0;

    if (round->d.failed) {
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "athena_auth: mail: %ui sent, %ui failed (%ui for"
                      " good), last: %s", (ngx_uint_t) round->d.sent,
                      (ngx_uint_t) round->d.failed,
                      (ngx_uint_t) round->d.given_up,
                      round->d.last_error ? round->d.last_error : "");

    } else if (round->d.sent) {
        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                      "athena_auth: mail: %ui sent",
                      (ngx_uint_t) round->d.sent);
    }

    if (round->d.log_error) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0, "athena_auth: %s",
                      round->d.log_error);
    }

    /* a full batch: the next round at once, not at the next poll */
    next = round->d.more ? 1 : 0;

    athena_arena_destroy(round->arena);
    ngx_free(task);

    if (next && !ngx_exiting && !ngx_quit
        && ngx_http_athena_auth_mail_ev.timer_set)
    {
        ngx_del_timer(&ngx_http_athena_auth_mail_ev);
        ngx_add_timer(&ngx_http_athena_auth_mail_ev, next);
    }
}


static void
ngx_http_athena_auth_mail_tick(ngx_event_t *ev)
{
    ngx_thread_task_t                 *task;
    ngx_http_athena_auth_round_t      *round;
    ngx_http_athena_auth_main_conf_t  *amcf;

    amcf = ngx_http_athena_auth_mail_amcf;

    if (ngx_exiting || ngx_quit) {
        return;
    }

    ngx_add_timer(ev, amcf->mail_poll);

    if (ngx_http_athena_auth_mail_busy) {
        return;
    }

    task = ngx_calloc(sizeof(ngx_thread_task_t)
                      + sizeof(ngx_http_athena_auth_round_t), ev->log);
    if (task == NULL) {
        return;
    }

    round = (ngx_http_athena_auth_round_t *) (task + 1);
    round->task = task;
    round->amcf = amcf;
    round->arena = athena_arena_create(16384);

    if (round->arena == NULL) {
        ngx_free(task);
        return;
    }

    task->ctx = round;
    task->handler = ngx_http_athena_auth_round_handler;
    task->event.handler = ngx_http_athena_auth_round_done;
    task->event.data = round;

    if (ngx_thread_task_post(amcf->thread_pool, task) != NGX_OK) {
        /* the pool is full of requests: they go first */
        athena_arena_destroy(round->arena);
        ngx_free(task);
        return;
    }

    ngx_http_athena_auth_mail_busy = 1;
    ngx_http_athena_auth_task_hold();
}


ngx_int_t
ngx_http_athena_auth_mail_init_process(ngx_cycle_t *cycle)
{
    ngx_event_t                       *ev;
    ngx_http_athena_auth_main_conf_t  *amcf;

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    amcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_athena_auth_module);

    if (amcf == NULL || amcf->conf == NULL || amcf->conf->smtp.url == NULL
        || amcf->thread_pool == NULL)
    {
        return NGX_OK;
    }

    if (athena_smtp_global_init() != 0) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "athena_auth: libcurl could not be initialized");
        return NGX_ERROR;
    }

    ngx_http_athena_auth_mail_amcf = amcf;
    ngx_http_athena_auth_mail_conn.fd = (ngx_socket_t) -1;

    ev = &ngx_http_athena_auth_mail_ev;
    ev->handler = ngx_http_athena_auth_mail_tick;
    ev->log = cycle->log;
    ev->data = &ngx_http_athena_auth_mail_conn;

    /* the poll never holds a stopping worker back; a round under way does */
    ev->cancelable = 1;

    ngx_add_timer(ev, amcf->mail_poll);

    return NGX_OK;
}
