/*
 * Athena's client registry (athena_clients): a client's name, whether it
 * is active, and the environment variable that holds its Postgres URI.
 */

#ifndef ATHENA_CLIENT_STORE_H
#define ATHENA_CLIENT_STORE_H

#include "athena_db.h"


typedef struct {
    const char   *id;
    const char   *name;
    const char   *description;
    int           is_active;
    const char   *pg_uri_env_var;
    const char   *metadata;           /* JSON text */
    int64_t       created_at;         /* epoch ms */
    int64_t       updated_at;
} athena_client_t;


athena_store_rc_e athena_client_create(athena_db_t *db, athena_arena_t *a,
    athena_client_t *c);
athena_store_rc_e athena_client_by_name(athena_db_t *db, athena_arena_t *a,
    const char *name, athena_client_t *c);
athena_store_rc_e athena_client_list(athena_db_t *db, athena_arena_t *a,
    int active, athena_client_t **list, size_t *n);


#endif /* ATHENA_CLIENT_STORE_H */
