/*
 * libpq with deadlines (athena_db.c), for the store's files that own a
 * connection of their own (the listening one, athena_listen_store.c).
 */

#ifndef ATHENA_PG_H
#define ATHENA_PG_H

#include <stdint.h>

#include <libpq-fe.h>


typedef enum {
    ATHENA_PG_READY = 0,      /* the server answered, maybe with an error */
    ATHENA_PG_BROKEN,         /* the connection failed */
    ATHENA_PG_LATE            /* no answer by the deadline */
} athena_pg_wait_e;


athena_pg_wait_e athena_pg_open(const char *conninfo, const char *name,
    int64_t deadline, PGconn **pg);
athena_pg_wait_e athena_pg_run(PGconn *pg, const char *sql, int n,
    const char *const *params, int64_t deadline, PGresult **res);


#endif /* ATHENA_PG_H */
