/*
 * The listening connection (athena_listen_store.h). Once open it is
 * non-blocking: a read takes what the socket holds, a ping only queues an
 * empty statement, and its answer is taken by a later read.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "athena_listen_store.h"
#include "athena_pg.h"
#include "../core/athena_time.h"


struct athena_listen_s {
    PGconn    *pg;
    unsigned   pinged:1;          /* a ping's answer is due */
};


static void
athena_listen_fail(PGconn *pg, const char *what, char *error, size_t size)
{
    const char  *msg;
    size_t       len;

    msg = pg ? PQerrorMessage(pg) : "no memory";

    /* libpq's message, to its first line */
    len = strcspn(msg, "\n");

    snprintf(error, size, "%s: %.*s", what, (int) len, msg);
}


/* the server's notices (its FATAL on the way out) would go to stderr */

static void
athena_listen_quiet(void *arg, const char *message)
{
    (void) arg;
    (void) message;
}


/* runs in a pool thread: all of it ends by the connect timeout */

athena_listen_t *
athena_listen_open(const athena_store_conf_t *conf, char *error, size_t size)
{
    int                ok;
    PGconn            *pg;
    int64_t            deadline;
    PGresult          *res;
    athena_listen_t   *l;
    athena_pg_wait_e   w;

    deadline = athena_clock_ms() + (int64_t) conf->pg_connect_timeout * 1000;

    w = athena_pg_open(conf->pg_conninfo, "athena-auth-listen", deadline,
                       &pg);

    if (w != ATHENA_PG_READY) {
        if (w == ATHENA_PG_LATE) {
            snprintf(error, size, "listen connect: no answer within %d s",
                     conf->pg_connect_timeout);
        } else {
            athena_listen_fail(pg, "listen connect", error, size);
        }

        if (pg != NULL) {
            PQfinish(pg);
        }

        return NULL;
    }

    PQsetNoticeProcessor(pg, athena_listen_quiet, NULL);

    w = athena_pg_run(pg, "LISTEN " ATHENA_LISTEN_CHANNEL, 0, NULL, deadline,
                      &res);

    ok = w == ATHENA_PG_READY && PQresultStatus(res) == PGRES_COMMAND_OK;

    if (!ok) {
        athena_listen_fail(pg, "listen", error, size);
    }

    PQclear(res);

    l = ok ? calloc(1, sizeof(athena_listen_t)) : NULL;
    if (l == NULL) {
        if (ok) {
            snprintf(error, size, "listen: no memory");
        }

        PQfinish(pg);
        return NULL;
    }

    l->pg = pg;

    return l;
}


int
athena_listen_fd(const athena_listen_t *l)
{
    return PQsocket(l->pg);
}


/*
 * Hands each notification the socket holds to handler, and takes a
 * ping's answer when it is whole. Never waits. -1: the connection broke
 * (the server ended it, or went away).
 */

int
athena_listen_read(athena_listen_t *l, athena_listen_pt handler, void *data)
{
    PGnotify  *n;
    PGresult  *res;

    if (!PQconsumeInput(l->pg)) {
        return -1;
    }

    while (l->pinged && !PQisBusy(l->pg)) {
        res = PQgetResult(l->pg);
        if (res == NULL) {
            l->pinged = 0;
            break;
        }

        PQclear(res);
    }

    while ((n = PQnotifies(l->pg)) != NULL) {
        handler(data, n->extra, strlen(n->extra));
        PQfreemem(n);
    }

    if (PQstatus(l->pg) == CONNECTION_BAD || PQflush(l->pg) == -1) {
        return -1;
    }

    return 0;
}


/*
 * An empty statement, so that a server that stopped answering (frozen,
 * partitioned) is noticed: the caller allows its answer a bound.
 */

int
athena_listen_ping(athena_listen_t *l)
{
    if (l->pinged) {
        return 0;
    }

    if (!PQsendQuery(l->pg, "") || PQflush(l->pg) == -1) {
        return -1;
    }

    l->pinged = 1;

    return 0;
}


int
athena_listen_pinged(const athena_listen_t *l)
{
    return l->pinged;
}


const char *
athena_listen_error(const athena_listen_t *l)
{
    return PQerrorMessage(l->pg);
}


void
athena_listen_close(athena_listen_t *l)
{
    PQfinish(l->pg);
    free(l);
}
