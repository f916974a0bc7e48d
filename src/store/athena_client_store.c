#include <string.h>

#include "athena_client_store.h"
#include "athena_columns.h"


#define ATHENA_CLIENT_COLS                                                   \
    "id, client_name, description, is_active, pg_uri_env_var,"               \
    " metadata::text, " ATHENA_TIME("created_at") ", " ATHENA_TIME("updated_at")


static void
athena_client_read(const athena_rows_t *rows, size_t r, athena_client_t *c)
{
    c->id = athena_rows_get(rows, r, 0);
    c->name = athena_rows_get(rows, r, 1);
    c->description = athena_rows_get(rows, r, 2);
    c->is_active = athena_rows_bool(rows, r, 3, 1);
    c->pg_uri_env_var = athena_rows_get(rows, r, 4);
    c->metadata = athena_rows_get(rows, r, 5);
    c->created_at = athena_rows_time(rows, r, 6, 0);
    c->updated_at = athena_rows_time(rows, r, 7, 0);
}


/* a name taken in any case is ATHENA_STORE_CONFLICT, and aborts nothing */

athena_store_rc_e
athena_client_create(athena_db_t *db, athena_arena_t *a, athena_client_t *c)
{
    const char         *p[7];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = c->id;
    p[1] = c->name;
    p[2] = c->description;
    p[3] = c->is_active ? "true" : "false";
    p[4] = c->pg_uri_env_var;
    p[5] = c->metadata;
    p[6] = athena_int_text(a, c->created_at);

    rc = athena_pg_one(db, a,
             "INSERT INTO athena_clients (id, client_name, description,"
             " is_active, pg_uri_env_var, metadata, created_at, updated_at)"
             " VALUES ($1, $2, $3, $4::bool, $5, $6::jsonb, " ATHENA_TS(7)
             ", " ATHENA_TS(7) ")"
             " ON CONFLICT (lower(client_name)) DO NOTHING"
             " RETURNING " ATHENA_CLIENT_COLS,
             7, p, &rows);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        return ATHENA_STORE_CONFLICT;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_client_read(rows, 0, c);
    }

    return rc;
}


/* the client of that name, whatever its case */

athena_store_rc_e
athena_client_by_name(athena_db_t *db, athena_arena_t *a, const char *name,
    athena_client_t *c)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_one(db, a,
             "SELECT " ATHENA_CLIENT_COLS " FROM athena_clients"
             " WHERE lower(client_name) = lower($1)",
             1, &name, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_client_read(rows, 0, c);
    }

    return rc;
}


/* every client by name, or those whose is_active is active (0 or 1) */

athena_store_rc_e
athena_client_list(athena_db_t *db, athena_arena_t *a, int active,
    athena_client_t **list, size_t *n)
{
    size_t              i;
    const char         *p[1];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = active < 0 ? NULL : (active ? "true" : "false");

    rc = athena_pg_exec(db, a,
             "SELECT " ATHENA_CLIENT_COLS " FROM athena_clients"
             " WHERE ($1::bool IS NULL OR is_active = $1::bool)"
             " ORDER BY client_name, id",
             1, p, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *list = athena_calloc(a, (*n + 1) * sizeof(athena_client_t));
    if (*list == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        athena_client_read(rows, i, &(*list)[i]);
    }

    return ATHENA_STORE_OK;
}
