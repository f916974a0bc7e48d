/*
 * The per-thread connections of a thread-pool task: one libpq connection
 * and one blocking hiredis connection, each opened lazily with bounded
 * waits and re-opened after a failure. Each call waits for Postgres no
 * longer than its deadline, and a connection that missed one is replaced.
 * Only src/store includes libpq and hiredis.
 */

#ifndef ATHENA_DB_H
#define ATHENA_DB_H

#include <stddef.h>
#include <stdint.h>

#include "../core/athena_arena.h"


typedef struct {
    const char   *pg_conninfo;
    const char   *pg_schema;
    int           pg_connect_timeout;     /* seconds */
    int           pg_statement_timeout;   /* milliseconds */
    int           pg_deadline;            /* milliseconds, per statement */

    int           redis_enabled;
    const char   *redis_host;
    int           redis_port;
    const char   *redis_path;             /* unix socket, or NULL */
    int           redis_db;
    const char   *redis_password;
    int           redis_timeout;          /* milliseconds */
    int           redis_retry;            /* milliseconds after a failure */
    const char   *cache_prefix;
    int64_t       cache_ttl;              /* milliseconds */
} athena_store_conf_t;


/*
 * The kinds of the Redis cache's entries, each key the prefix, a kind and
 * what it names: what the store writes and the nodes' invalidation
 * deletes (src/http/ngx_http_athena_auth_invalidate.c).
 */
#define ATHENA_CACHE_SESSION  "sess:"     /* a session, by its token's hash */
#define ATHENA_CACHE_MEMBER   "member:"   /* org:user, the member's role */
#define ATHENA_CACHE_ROLES    "aroles:"   /* a user's admin roles */
#define ATHENA_CACHE_APIKEY   "ak:"       /* an API key's row, by its hash */


typedef enum {
    ATHENA_STORE_OK = 0,
    ATHENA_STORE_NOT_FOUND,
    ATHENA_STORE_CONFLICT,        /* unique violation */
    ATHENA_STORE_UNAVAILABLE,     /* cannot reach Postgres */
    ATHENA_STORE_INVALID,         /* Postgres refused a value (class 22) */
    ATHENA_STORE_ERROR,
    ATHENA_STORE_AGAIN            /* needs the store, which the event loop
                                     may not wait for: ask a thread task */
} athena_store_rc_e;


typedef struct athena_db_s  athena_db_t;

typedef struct athena_rows_s  athena_rows_t;


athena_db_t *athena_db_acquire(const athena_store_conf_t *conf);
void athena_db_release(athena_db_t *db);
void athena_db_shutdown(void);
const athena_store_conf_t *athena_db_conf(athena_db_t *db);
const char *athena_db_warning(athena_db_t *db);
void athena_db_warn(athena_db_t *db, const char *msg);
const char *athena_db_error(athena_db_t *db);
const char *athena_db_memo(athena_db_t *db, const char *key);
void athena_db_memo_put(athena_db_t *db, const char *key, const char *val);

athena_store_rc_e athena_pg_exec(athena_db_t *db, athena_arena_t *a,
    const char *sql, int n, const char *const *params, athena_rows_t **rows);
athena_store_rc_e athena_pg_exec_named(athena_db_t *db, athena_arena_t *a,
    const char *name, const char *sql, int n, const char *const *params,
    athena_rows_t **rows);
athena_store_rc_e athena_pg_one(athena_db_t *db, athena_arena_t *a,
    const char *sql, int n, const char *const *params, athena_rows_t **rows);
athena_store_rc_e athena_pg_count(athena_db_t *db, athena_arena_t *a,
    const char *sql, int n, const char *const *params, int64_t *count);
athena_store_rc_e athena_pg_begin(athena_db_t *db);
athena_store_rc_e athena_pg_commit(athena_db_t *db);
void athena_pg_rollback(athena_db_t *db);
int athena_db_may_retry(athena_db_t *db);

size_t athena_rows_count(const athena_rows_t *rows);
int athena_rows_columns(const athena_rows_t *rows);
const char **athena_rows_column(athena_arena_t *a, const athena_rows_t *rows,
    int col);
char *athena_int_text(athena_arena_t *a, int64_t v);
const char *athena_rows_get(const athena_rows_t *rows, size_t row, int col);
int64_t athena_rows_int(const athena_rows_t *rows, size_t row, int col,
    int64_t null);
int64_t athena_rows_time(const athena_rows_t *rows, size_t row, int col,
    int64_t null);
int athena_rows_bool(const athena_rows_t *rows, size_t row, int col,
    int null);

/* a command of a batch */
#define ATHENA_REDIS_ARGS  6

typedef struct {
    int          argc;
    const char  *argv[ATHENA_REDIS_ARGS];
} athena_redis_cmd_t;

typedef enum {
    ATHENA_REDIS_NIL = 0,
    ATHENA_REDIS_INT,
    ATHENA_REDIS_STR
} athena_redis_type_e;

typedef struct {
    athena_redis_type_e   type;
    int64_t               integer;
    char                 *str;            /* in the arena */
} athena_redis_val_t;

/* Redis: failures are warnings, never errors; NULL means "not cached" */
char *athena_redis_get(athena_db_t *db, athena_arena_t *a, const char *key);
void athena_redis_set(athena_db_t *db, const char *key, const char *val,
    size_t len, int64_t ttl_ms, int only_if_absent);
void athena_redis_del(athena_db_t *db, const char *const *keys, size_t n);
int athena_redis_batch(athena_db_t *db, athena_arena_t *a,
    const athena_redis_cmd_t *cmds, size_t ncmds, athena_redis_val_t *out,
    size_t nout);
int athena_redis_eval(athena_db_t *db, athena_arena_t *a, const char *script,
    const char *key, int argc, const char *const *argv, char **text,
    int64_t *out, size_t nout);


#endif /* ATHENA_DB_H */
