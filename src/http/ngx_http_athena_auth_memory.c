/*
 * The work memory of the password hashes (src/core/athena_scrypt.c) is
 * kept between hashes, so that a storm of sign-ins does not fault in 32
 * MiB for each; this gives it back once no hash has run for
 * NGX_HTTP_ATHENA_AUTH_MEMORY_IDLE ms. The pool threads only take and
 * return blocks: the unmapping happens here, on the event loop, after a
 * task saw the count of hashes move.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"
#include "../core/athena_scrypt.h"


#define NGX_HTTP_ATHENA_AUTH_MEMORY_IDLE  5000


static ngx_event_t       ngx_http_athena_auth_memory_ev;
static ngx_connection_t  ngx_http_athena_auth_memory_conn;
static unsigned long     ngx_http_athena_auth_memory_seen;


static void
ngx_http_athena_auth_memory_idle(ngx_event_t *ev)
{
    /* blocks still kept (in use, or used lately) are looked at again */
    if (athena_scrypt_release(NGX_HTTP_ATHENA_AUTH_MEMORY_IDLE)
        && !ngx_exiting && !ngx_quit)
    {
        ngx_add_timer(ev, NGX_HTTP_ATHENA_AUTH_MEMORY_IDLE);
    }
}


/* after a task: if hashes ran since the last look, a release later */

void
ngx_http_athena_auth_memory_check(void)
{
    unsigned long  uses;
    ngx_event_t   *ev;

    uses = athena_scrypt_uses();

    if (uses == ngx_http_athena_auth_memory_seen) {
        return;
    }

    ngx_http_athena_auth_memory_seen = uses;

    ev = &ngx_http_athena_auth_memory_ev;

    if (ev->timer_set || ngx_exiting || ngx_quit) {
        return;
    }

    ngx_http_athena_auth_memory_conn.fd = (ngx_socket_t) -1;

    ev->handler = ngx_http_athena_auth_memory_idle;
    ev->data = &ngx_http_athena_auth_memory_conn;
    ev->log = ngx_cycle->log;

    /* the release never holds a stopping worker */
    ev->cancelable = 1;

    ngx_add_timer(ev, NGX_HTTP_ATHENA_AUTH_MEMORY_IDLE);
}


/* at exit no pool thread is left to hash */

void
ngx_http_athena_auth_memory_exit(void)
{
    athena_scrypt_release(0);
}
