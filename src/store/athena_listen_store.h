/*
 * The connection that listens for the cache notifications of migration
 * 019: opened with blocking, bounded waits in a pool thread (a host name
 * is resolved there, never on the event loop), then read by the event
 * loop without ever waiting (src/http/ngx_http_athena_auth_listen.c).
 */

#ifndef ATHENA_LISTEN_STORE_H
#define ATHENA_LISTEN_STORE_H

#include <stddef.h>

#include "athena_db.h"


/* the channel the triggers notify */
#define ATHENA_LISTEN_CHANNEL  "athena_auth_cache"


typedef struct athena_listen_s  athena_listen_t;

typedef void (*athena_listen_pt)(void *data, const char *payload,
    size_t len);


athena_listen_t *athena_listen_open(const athena_store_conf_t *conf,
    char *error, size_t size);
int athena_listen_fd(const athena_listen_t *l);
int athena_listen_read(athena_listen_t *l, athena_listen_pt handler,
    void *data);
int athena_listen_ping(athena_listen_t *l);
int athena_listen_pinged(const athena_listen_t *l);
const char *athena_listen_error(const athena_listen_t *l);
void athena_listen_close(athena_listen_t *l);


#endif /* ATHENA_LISTEN_STORE_H */
