#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/time.h>

#include <libpq-fe.h>
#include <hiredis/hiredis.h>

#include "athena_db.h"
#include "athena_pg.h"
#include "athena_redis_health.h"
#include "../core/athena_buf.h"
#include "../core/athena_crypto.h"
#include "../core/athena_hash.h"
#include "../core/athena_resp.h"
#include "../core/athena_text.h"
#include "../core/athena_time.h"


/* the statements a connection keeps prepared, by name */
#define ATHENA_PG_PREPARED_MAX  64

/* the Lua scripts a thread remembers the SHA-1 of */
#define ATHENA_REDIS_SCRIPTS_MAX  8

/* what a thread remembers of facts that never change, and how long */
#define ATHENA_DB_MEMO      256
#define ATHENA_DB_MEMO_LEN  64


typedef struct {
    uint64_t  tag;                   /* a hash of the key, 0: unused */
    char      val[ATHENA_DB_MEMO_LEN];
} athena_db_memo_t;


struct athena_db_s {
    athena_db_t                *next;        /* every thread's, for exit */
    const athena_store_conf_t  *conf;
    PGconn                     *pg;
    redisContext               *redis;
    unsigned                    stmts;        /* since acquire */
    int                         retry_ok;
    char                       *prepared[ATHENA_PG_PREPARED_MAX];
    size_t                      nprepared;

    /* the scripts this thread ran, by their text, with Redis's names */
    const char                 *scripts[ATHENA_REDIS_SCRIPTS_MAX];
    char                        shas[ATHENA_REDIS_SCRIPTS_MAX]
                                    [ATHENA_SHA1_HEX + 1];
    size_t                      nscripts;
    unsigned                    generic:1;   /* plan_cache_mode is set */
    athena_db_memo_t            memo[ATHENA_DB_MEMO];
    char                        warning[256];
    char                        error[256];
};

struct athena_rows_s {
    size_t    nrows;
    int       ncols;
    char    **vals;      /* NULL stands for SQL NULL */
};


/*
 * Each pool thread finds its connections through a thread-specific key.
 * The key has no destructor: a thread exits while nginx unloads this
 * module, so no module code may run in a dying thread. The connections
 * are closed instead by athena_db_shutdown() from the worker's exit
 * handler, once the thread pool is gone.
 */

static pthread_key_t    athena_db_key;
static pthread_once_t   athena_db_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t  athena_db_lock = PTHREAD_MUTEX_INITIALIZER;
static athena_db_t     *athena_db_all;


static void
athena_db_key_create(void)
{
    (void) pthread_key_create(&athena_db_key, NULL);
}


void
athena_db_shutdown(void)
{
    athena_db_t  *db, *next;

    pthread_mutex_lock(&athena_db_lock);

    for (db = athena_db_all; db; db = next) {
        next = db->next;

        if (db->pg) {
            PQfinish(db->pg);
        }

        if (db->redis) {
            redisFree(db->redis);
        }

        free(db);
    }

    athena_db_all = NULL;

    pthread_mutex_unlock(&athena_db_lock);
}


athena_db_t *
athena_db_acquire(const athena_store_conf_t *conf)
{
    athena_db_t  *db;

    (void) pthread_once(&athena_db_once, athena_db_key_create);

    db = pthread_getspecific(athena_db_key);

    if (db == NULL) {
        db = calloc(1, sizeof(athena_db_t));
        if (db == NULL) {
            return NULL;
        }

        if (pthread_setspecific(athena_db_key, db) != 0) {
            free(db);
            return NULL;
        }

        pthread_mutex_lock(&athena_db_lock);
        db->next = athena_db_all;
        athena_db_all = db;
        pthread_mutex_unlock(&athena_db_lock);
    }

    db->conf = conf;
    db->stmts = 0;
    db->retry_ok = 0;
    db->warning[0] = '\0';
    db->error[0] = '\0';

    return db;
}


/* a task never leaves a transaction open on the thread's connection */

void
athena_db_release(athena_db_t *db)
{
    if (db->pg && PQtransactionStatus(db->pg) != PQTRANS_IDLE) {
        athena_pg_rollback(db);
    }
}


const athena_store_conf_t *
athena_db_conf(athena_db_t *db)
{
    return db->conf;
}


const char *
athena_db_warning(athena_db_t *db)
{
    return db->warning[0] ? db->warning : NULL;
}


/* a warning of the caller's, after the connections' own if any */

void
athena_db_warn(athena_db_t *db, const char *msg)
{
    size_t  len;

    len = strlen(db->warning);

    snprintf(db->warning + len, sizeof(db->warning) - len, "%s%s",
             len ? "; " : "", msg);
}


const char *
athena_db_error(athena_db_t *db)
{
    return db->error[0] ? db->error : NULL;
}


/*
 * A thread's memory of facts that never change (which user a session
 * token belongs to): a hint for a command formed before the fact can be
 * read, never an answer by itself, so a lost or clashing entry costs a
 * round trip, not a wrong result. Keys go by athena_hash(); values
 * longer than the slot are not kept.
 */

const char *
athena_db_memo(athena_db_t *db, const char *key)
{
    uint64_t           tag;
    athena_db_memo_t  *m;

    tag = athena_hash(key);
    m = &db->memo[tag % ATHENA_DB_MEMO];

    return m->tag == tag ? m->val : NULL;
}


void
athena_db_memo_put(athena_db_t *db, const char *key, const char *val)
{
    size_t             len;
    uint64_t           tag;
    athena_db_memo_t  *m;

    len = strlen(val);
    if (len >= ATHENA_DB_MEMO_LEN) {
        return;
    }

    tag = athena_hash(key);
    m = &db->memo[tag % ATHENA_DB_MEMO];

    memcpy(m->val, val, len + 1);
    m->tag = tag;
}


int
athena_db_may_retry(athena_db_t *db)
{
    return db->retry_ok;
}


static void
athena_db_set_error(athena_db_t *db, const char *what, const char *msg)
{
    size_t  n;

    snprintf(db->error, sizeof(db->error), "%s: %s", what, msg);

    /* libpq messages end in a newline */
    n = strlen(db->error);
    while (n && (db->error[n - 1] == '\n' || db->error[n - 1] == ' ')) {
        db->error[--n] = '\0';
    }
}


static char *
athena_pg_quote_ident(const char *name)
{
    char        *out, *p;
    const char  *s;

    out = malloc(strlen(name) * 2 + 3);
    if (out == NULL) {
        return NULL;
    }

    p = out;
    *p++ = '"';

    for (s = name; *s; s++) {
        if (*s == '"') {
            *p++ = '"';
        }
        *p++ = *s;
    }

    *p++ = '"';
    *p = '\0';

    return out;
}


/*
 * Every wait on Postgres is a poll() on the connection's socket against a
 * deadline of the monotonic clock, through libpq's asynchronous calls.
 * The server's own bounds do not suffice: a frozen or partitioned server
 * enforces no statement_timeout. Nor do TCP keepalives or tcp_user_timeout
 * alone: they notice a lost peer, not a stopped or stuck server process,
 * whose kernel goes on acknowledging data and answering probes.
 */

static athena_pg_wait_e
athena_pg_wait(PGconn *pg, short events, int64_t deadline)
{
    int            n;
    int64_t        left;
    struct pollfd  pfd;

    pfd.fd = PQsocket(pg);
    pfd.events = events;

    if (pfd.fd < 0) {
        return ATHENA_PG_BROKEN;
    }

    for ( ;; ) {
        left = deadline - athena_clock_ms();
        if (left <= 0) {
            return ATHENA_PG_LATE;
        }

        n = poll(&pfd, 1, (int) left);

        if (n > 0) {
            return ATHENA_PG_READY;
        }

        if (n < 0 && errno != EINTR) {
            return ATHENA_PG_BROKEN;
        }
    }
}


static void
athena_pg_drop(athena_db_t *db)
{
    if (db->pg) {
        PQfinish(db->pg);
        db->pg = NULL;
    }

    /* a new connection has none of the old one's statements */
    while (db->nprepared) {
        free(db->prepared[--db->nprepared]);
    }

    db->generic = 0;
}


/*
 * No answer by the deadline: the connection is dropped, not cancelled.
 * PQcancel() would open another connection to the same server with a
 * blocking connect() that nothing bounds (libpq 15 has no asynchronous
 * cancel), and a frozen server would not act on it anyway. Closing the
 * socket is enough: the abandoned statement ends when the server notices
 * (client_connection_check_interval, see athena_pg_setup) or at its
 * statement_timeout, and a transaction left open is rolled back; the next
 * statement of this thread opens a new connection.
 */

static void
athena_pg_late(athena_db_t *db, const char *what, int ms)
{
    char  msg[64];

    snprintf(msg, sizeof(msg), "no answer within %d ms", ms);
    athena_db_set_error(db, what, msg);

    athena_pg_drop(db);
}


/* the connection's handshake and authentication, as libpq drives them */

static athena_pg_wait_e
athena_pg_handshake(PGconn *pg, int64_t deadline)
{
    athena_pg_wait_e           w;
    PostgresPollingStatusType  st;

    if (PQstatus(pg) == CONNECTION_BAD) {
        return ATHENA_PG_BROKEN;
    }

    /* a connection just started waits first for its connect() */
    st = PGRES_POLLING_WRITING;

    for ( ;; ) {
        switch (st) {

        case PGRES_POLLING_OK:
            return ATHENA_PG_READY;

        case PGRES_POLLING_FAILED:
            return ATHENA_PG_BROKEN;

        case PGRES_POLLING_READING:
            w = athena_pg_wait(pg, POLLIN, deadline);
            break;

        default: /* PGRES_POLLING_WRITING */
            w = athena_pg_wait(pg, POLLOUT, deadline);
        }

        if (w != ATHENA_PG_READY) {
            return w;
        }

        st = PQconnectPoll(pg);
    }
}


/*
 * A connection to conninfo under name (our name overrides the conninfo's
 * own, which comes first), handshaken by the deadline and then made
 * non-blocking, so that no send can wait past a deadline either. *pg is
 * NULL only when libpq had no memory; on a failure the caller reads its
 * error and finishes it.
 */

athena_pg_wait_e
athena_pg_open(const char *conninfo, const char *name, int64_t deadline,
    PGconn **pg)
{
    const char        *keys[3], *vals[3];
    athena_pg_wait_e   w;

    keys[0] = "dbname";
    vals[0] = conninfo;
    keys[1] = "application_name";
    vals[1] = name;
    keys[2] = NULL;
    vals[2] = NULL;

    *pg = PQconnectStartParams(keys, vals, 1);
    if (*pg == NULL) {
        return ATHENA_PG_BROKEN;
    }

    w = athena_pg_handshake(*pg, deadline);

    if (w == ATHENA_PG_READY && PQsetnonblocking(*pg, 1) != 0) {
        w = ATHENA_PG_BROKEN;
    }

    return w;
}


/* a statement leaves libpq's buffer; the server may answer meanwhile */

static athena_pg_wait_e
athena_pg_flush(PGconn *pg, int64_t deadline)
{
    int               rc;
    athena_pg_wait_e  w;

    while ((rc = PQflush(pg)) == 1) {
        w = athena_pg_wait(pg, POLLOUT | POLLIN, deadline);
        if (w != ATHENA_PG_READY) {
            return w;
        }

        if (!PQconsumeInput(pg)) {
            return ATHENA_PG_BROKEN;
        }
    }

    return rc == 0 ? ATHENA_PG_READY : ATHENA_PG_BROKEN;
}


/* reads until a whole result is there, so PQgetResult() will not block */

static athena_pg_wait_e
athena_pg_input(PGconn *pg, int64_t deadline)
{
    athena_pg_wait_e  w;

    while (PQisBusy(pg)) {
        w = athena_pg_wait(pg, POLLIN, deadline);
        if (w != ATHENA_PG_READY) {
            return w;
        }

        if (!PQconsumeInput(pg)) {
            return ATHENA_PG_BROKEN;
        }
    }

    return ATHENA_PG_READY;
}


/*
 * One statement, sent and answered by the deadline. *res is its last
 * result, NULL if none came; the caller clears it.
 */

/* the last result of what was sent, all read by the deadline */

static athena_pg_wait_e
athena_pg_results(PGconn *pg, int64_t deadline, PGresult **res)
{
    PGresult          *next;
    athena_pg_wait_e   w;

    *res = NULL;

    w = athena_pg_flush(pg, deadline);

    while (w == ATHENA_PG_READY) {
        w = athena_pg_input(pg, deadline);
        if (w != ATHENA_PG_READY) {
            break;
        }

        next = PQgetResult(pg);
        if (next == NULL) {
            break;
        }

        PQclear(*res);
        *res = next;
    }

    return w;
}


athena_pg_wait_e
athena_pg_run(PGconn *pg, const char *sql, int n, const char *const *params,
    int64_t deadline, PGresult **res)
{
    if (!PQsendQueryParams(pg, sql, n, NULL, params, NULL, NULL, 0)) {
        *res = NULL;
        return ATHENA_PG_BROKEN;
    }

    return athena_pg_results(pg, deadline, res);
}


/*
 * The statements kept prepared are the lists' pages, and each is planned
 * once per connection, for all values (plan_cache_mode
 * force_generic_plan). Left to choose, Postgres would plan them afresh on
 * every run: a LIMIT that is a parameter makes it guess that a tenth of
 * the rows are wanted, so the one plan always looks dearer than a fresh
 * one, and planning costs more than running the page (bench/: the
 * email list's plans). Every other statement keeps Postgres's choice, so
 * the setting goes back before it. It is switched outside transactions
 * only (athena_pg_begin() runs unnamed, so it switches back first): a
 * rollback never undoes it behind db->generic.
 */

static athena_pg_wait_e
athena_pg_plan_mode(athena_db_t *db, unsigned generic, int64_t deadline)
{
    int                ok;
    PGresult          *res;
    athena_pg_wait_e   w;

    if (db->generic == generic
        || PQtransactionStatus(db->pg) != PQTRANS_IDLE
        || PQserverVersion(db->pg) < 120000)
    {
        return ATHENA_PG_READY;
    }

    w = athena_pg_run(db->pg, generic
                      ? "SET plan_cache_mode = force_generic_plan"
                      : "RESET plan_cache_mode",
                      0, NULL, deadline, &res);

    ok = (w == ATHENA_PG_READY && PQresultStatus(res) == PGRES_COMMAND_OK);
    PQclear(res);

    if (ok) {
        db->generic = generic;
    }

    return w;
}


/*
 * A statement the connection keeps prepared under name (made on its first
 * use here): the server parses it once, and plans it once. Past
 * ATHENA_PG_PREPARED_MAX names a statement runs unnamed.
 */

static athena_pg_wait_e
athena_pg_run_prepared(athena_db_t *db, const char *name, const char *sql,
    int n, const char *const *params, int64_t deadline, PGresult **res)
{
    size_t             i;
    athena_pg_wait_e   w;

    for (i = 0; i < db->nprepared; i++) {
        if (strcmp(db->prepared[i], name) == 0) {
            break;
        }
    }

    if (i == db->nprepared) {
        if (i == ATHENA_PG_PREPARED_MAX) {
            return athena_pg_run(db->pg, sql, n, params, deadline, res);
        }

        if (!PQsendPrepare(db->pg, name, sql, n, NULL)) {
            *res = NULL;
            return ATHENA_PG_BROKEN;
        }

        w = athena_pg_results(db->pg, deadline, res);

        if (w != ATHENA_PG_READY || PQresultStatus(*res) != PGRES_COMMAND_OK) {
            return w;
        }

        PQclear(*res);

        db->prepared[i] = strdup(name);
        if (db->prepared[i] != NULL) {
            db->nprepared++;
        }
    }

    if (!PQsendQueryPrepared(db->pg, name, n, params, NULL, NULL, 0)) {
        *res = NULL;
        return ATHENA_PG_BROKEN;
    }

    return athena_pg_results(db->pg, deadline, res);
}


/*
 * Per-connection settings go through set_config so they are parameters.
 * From Postgres 14 on, client_connection_check_interval has the server
 * end a statement whose client has gone: one that a deadline abandoned
 * stops as soon as the server runs again, not at its statement_timeout.
 */

#define ATHENA_PG_SETUP                                                       \
    "SELECT set_config('statement_timeout', $1, false),"                      \
    " set_config('search_path', $2, false),"                                  \
    " set_config('TimeZone', 'UTC', false),"                                  \
    " set_config('DateStyle', 'ISO', false)"

#define ATHENA_PG_SETUP_14                                                    \
    ATHENA_PG_SETUP                                                           \
    ", set_config('client_connection_check_interval', '1000', false)"

static int
athena_pg_setup(athena_db_t *db, int64_t deadline)
{
    int                ok;
    char               timeout[32];
    char              *path;
    PGresult          *res;
    const char        *params[2];
    athena_pg_wait_e   w;

    snprintf(timeout, sizeof(timeout), "%d", db->conf->pg_statement_timeout);

    path = athena_pg_quote_ident(db->conf->pg_schema);
    if (path == NULL) {
        return -1;
    }

    params[0] = timeout;
    params[1] = path;

    w = athena_pg_run(db->pg, PQserverVersion(db->pg) >= 140000
                              ? ATHENA_PG_SETUP_14 : ATHENA_PG_SETUP,
                      2, params, deadline, &res);
    free(path);

    ok = w == ATHENA_PG_READY && PQresultStatus(res) == PGRES_TUPLES_OK;

    if (w == ATHENA_PG_LATE) {
        athena_pg_late(db, "postgres setup",
                       db->conf->pg_connect_timeout * 1000);

    } else if (!ok) {
        athena_db_set_error(db, "postgres setup", PQerrorMessage(db->pg));
    }

    PQclear(res);

    return ok ? 0 : -1;
}


/*
 * The handshake and the session's setup end by athena_auth_postgres_
 * connect_timeout (libpq's own connect_timeout bounds only its blocking
 * connect). A host name is resolved before that by the system's resolver:
 * hostaddr in the conninfo avoids it.
 */

static int
athena_pg_connect(athena_db_t *db)
{
    int64_t            deadline;
    athena_pg_wait_e   w;

    if (db->pg && PQstatus(db->pg) == CONNECTION_OK) {
        return 0;
    }

    athena_pg_drop(db);

    deadline = athena_clock_ms() + (int64_t) db->conf->pg_connect_timeout
                                   * 1000;

    w = athena_pg_open(db->conf->pg_conninfo, "athena-auth", deadline,
                       &db->pg);

    if (w == ATHENA_PG_LATE) {
        athena_pg_late(db, "postgres connect",
                       db->conf->pg_connect_timeout * 1000);
        return -1;
    }

    if (w != ATHENA_PG_READY) {
        athena_db_set_error(db, "postgres connect",
                            db->pg ? PQerrorMessage(db->pg) : "no memory");
        athena_pg_drop(db);
        return -1;
    }

    if (athena_pg_setup(db, deadline) != 0) {
        athena_pg_drop(db);
        return -1;
    }

    return 0;
}


static athena_rows_t *
athena_rows_copy(athena_arena_t *a, PGresult *res)
{
    int             c;
    size_t          r;
    athena_rows_t  *rows;

    rows = athena_calloc(a, sizeof(athena_rows_t));
    if (rows == NULL) {
        return NULL;
    }

    rows->nrows = (size_t) PQntuples(res);
    rows->ncols = PQnfields(res);

    if (rows->nrows == 0 || rows->ncols == 0) {
        return rows;
    }

    rows->vals = athena_alloc(a, rows->nrows * rows->ncols * sizeof(char *));
    if (rows->vals == NULL) {
        return NULL;
    }

    for (r = 0; r < rows->nrows; r++) {
        for (c = 0; c < rows->ncols; c++) {
            rows->vals[r * rows->ncols + c] =
                PQgetisnull(res, (int) r, c)
                ? NULL
                : athena_strndup(a, PQgetvalue(res, (int) r, c),
                                 PQgetlength(res, (int) r, c));
        }
    }

    return rows;
}


/* a SQLSTATE is five characters; anything else reads as none */

static void
athena_pg_sqlstate(const char *state, char *out)
{
    if (state == NULL || strlen(state) != 5) {
        out[0] = '\0';
        return;
    }

    memcpy(out, state, 6);
}


athena_store_rc_e
athena_pg_exec(athena_db_t *db, athena_arena_t *a, const char *sql, int n,
    const char *const *params, athena_rows_t **rows)
{
    return athena_pg_exec_named(db, a, NULL, sql, n, params, rows);
}


/* athena_pg_exec(), kept prepared under name when name is not NULL */

athena_store_rc_e
athena_pg_exec_named(athena_db_t *db, athena_arena_t *a, const char *name,
    const char *sql, int n, const char *const *params, athena_rows_t **rows)
{
    int                 i;
    char                sqlstate[6];
    int64_t             deadline;
    PGresult           *res;
    const char         *state, *msg;
    ExecStatusType      st;
    athena_pg_wait_e    w;
    athena_store_rc_e   rc;

    if (rows) {
        *rows = NULL;
    }

    /* the database's encoding: text a client botched never gets there */
    for (i = 0; i < n; i++) {
        if (params[i] && !athena_utf8_valid(params[i], strlen(params[i]))) {
            athena_db_set_error(db, "postgres", "a parameter is not UTF-8");
            return ATHENA_STORE_INVALID;
        }
    }

    if (athena_pg_connect(db) != 0) {
        return ATHENA_STORE_UNAVAILABLE;
    }

    db->stmts++;

    deadline = athena_clock_ms() + db->conf->pg_deadline;

    w = athena_pg_plan_mode(db, name != NULL, deadline);

    if (w == ATHENA_PG_READY) {
        w = name ? athena_pg_run_prepared(db, name, sql, n, params, deadline,
                                          &res)
                 : athena_pg_run(db->pg, sql, n, params, deadline, &res);

    } else {
        res = NULL;
    }

    /*
     * Whether a statement that went unanswered ran is unknown (a COMMIT
     * may yet take effect when the server resumes), so the task is not
     * run again, unlike after a connection lost below.
     */
    if (w == ATHENA_PG_LATE) {
        PQclear(res);
        athena_pg_late(db, "postgres", db->conf->pg_deadline);
        return ATHENA_STORE_UNAVAILABLE;
    }

    st = PQresultStatus(res);

    if (w == ATHENA_PG_READY
        && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK))
    {
        rc = ATHENA_STORE_OK;

        if (rows) {
            *rows = athena_rows_copy(a, res);
            if (*rows == NULL) {
                rc = ATHENA_STORE_ERROR;
            }
        }

        PQclear(res);
        return rc;
    }

    /*
     * Only the primary message is kept for the log: the DETAIL of a
     * unique violation quotes the value, which may be a token. Both
     * fields point into the result, so they are read before PQclear().
     */
    state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    athena_db_set_error(db, "postgres",
                        msg ? msg : PQerrorMessage(db->pg));
    athena_pg_sqlstate(state, sqlstate);
    PQclear(res);

    if (w == ATHENA_PG_BROKEN || PQstatus(db->pg) == CONNECTION_BAD) {
        /*
         * The server went away under us (restart, terminate): a failure
         * on the task's first statement changed nothing, so the caller
         * may run the task again on a new connection.
         */
        db->retry_ok = db->stmts == 1;
        athena_pg_drop(db);
        return ATHENA_STORE_UNAVAILABLE;
    }

    if (strcmp(sqlstate, "23505") == 0) {
        return ATHENA_STORE_CONFLICT;
    }

    /* 57014: statement_timeout fired; the database is too slow to use */
    if (strcmp(sqlstate, "57014") == 0) {
        return ATHENA_STORE_UNAVAILABLE;
    }

    /* class 22, data exception: a value out of its column's range */
    if (strncmp(sqlstate, "22", 2) == 0) {
        return ATHENA_STORE_INVALID;
    }

    return ATHENA_STORE_ERROR;
}


/* a query that must find a row: none is ATHENA_STORE_NOT_FOUND */

athena_store_rc_e
athena_pg_one(athena_db_t *db, athena_arena_t *a, const char *sql, int n,
    const char *const *params, athena_rows_t **rows)
{
    athena_store_rc_e  rc;

    rc = athena_pg_exec(db, a, sql, n, params, rows);

    if (rc == ATHENA_STORE_OK && athena_rows_count(*rows) == 0) {
        return ATHENA_STORE_NOT_FOUND;
    }

    return rc;
}


/* the one value of a counting query: SELECT count(*) ... */

athena_store_rc_e
athena_pg_count(athena_db_t *db, athena_arena_t *a, const char *sql, int n,
    const char *const *params, int64_t *count)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_one(db, a, sql, n, params, &rows);
    if (rc == ATHENA_STORE_OK) {
        *count = athena_rows_int(rows, 0, 0, 0);
    }

    return rc;
}


athena_store_rc_e
athena_pg_begin(athena_db_t *db)
{
    return athena_pg_exec(db, NULL, "BEGIN", 0, NULL, NULL);
}


athena_store_rc_e
athena_pg_commit(athena_db_t *db)
{
    return athena_pg_exec(db, NULL, "COMMIT", 0, NULL, NULL);
}


void
athena_pg_rollback(athena_db_t *db)
{
    PGresult          *res;
    athena_pg_wait_e   w;

    if (db->pg == NULL || PQstatus(db->pg) != CONNECTION_OK) {
        return;
    }

    w = athena_pg_run(db->pg, "ROLLBACK", 0, NULL,
                      athena_clock_ms() + db->conf->pg_deadline, &res);
    PQclear(res);

    /* the next task must not find this transaction still open */
    if (w != ATHENA_PG_READY) {
        athena_pg_drop(db);
    }
}


size_t
athena_rows_count(const athena_rows_t *rows)
{
    return rows ? rows->nrows : 0;
}


int
athena_rows_columns(const athena_rows_t *rows)
{
    return rows ? rows->ncols : 0;
}


/* one column of every row, as a list of strings */

const char **
athena_rows_column(athena_arena_t *a, const athena_rows_t *rows, int col)
{
    size_t        i, n;
    const char  **list;

    n = athena_rows_count(rows);

    list = athena_alloc(a, (n + 1) * sizeof(char *));
    if (list == NULL) {
        return NULL;
    }

    for (i = 0; i < n; i++) {
        list[i] = athena_rows_get(rows, i, col);
    }

    list[n] = NULL;

    return list;
}


/* a number as a query parameter (times travel as epoch milliseconds) */

char *
athena_int_text(athena_arena_t *a, int64_t v)
{
    athena_buf_t  b;

    athena_buf_init(&b, a);
    athena_buf_int(&b, v);

    return b.failed ? NULL : b.data;
}


const char *
athena_rows_get(const athena_rows_t *rows, size_t row, int col)
{
    if (rows == NULL || row >= rows->nrows || col >= rows->ncols) {
        return NULL;
    }

    return rows->vals[row * rows->ncols + col];
}


int64_t
athena_rows_int(const athena_rows_t *rows, size_t row, int col,
    int64_t null)
{
    const char  *v;

    v = athena_rows_get(rows, row, col);

    return v ? strtoll(v, NULL, 10) : null;
}


/*
 * A column named with ATHENA_TIME(): the time in ms, null when it is NULL
 * (or, never seen, a time Postgres wrote in a form athena_time_pg() does
 * not read, such as a year past 9999).
 */

int64_t
athena_rows_time(const athena_rows_t *rows, size_t row, int col,
    int64_t null)
{
    int64_t      ms;
    const char  *v;

    v = athena_rows_get(rows, row, col);

    return (v && athena_time_pg(v, &ms)) ? ms : null;
}


int
athena_rows_bool(const athena_rows_t *rows, size_t row, int col, int null)
{
    const char  *v;

    v = athena_rows_get(rows, row, col);

    return v ? v[0] == 't' : null;
}


/* Redis */

/* a failed command or connection rests Redis for the whole process */

static void
athena_redis_fail(athena_db_t *db, const char *what)
{
    snprintf(db->warning, sizeof(db->warning),
             "redis %s failed (%s), using postgres only for %d ms",
             what, db->redis && db->redis->errstr[0] ? db->redis->errstr
                                                     : "error reply",
             db->conf->redis_retry);

    if (db->redis) {
        redisFree(db->redis);
        db->redis = NULL;
    }

    athena_redis_failed(db->conf->redis_retry);
}


/*
 * An idle connection with something to read was closed by Redis (a
 * restart, its idle timeout): it is replaced, not counted as a failure
 * that would rest Redis for every thread.
 */

static int
athena_redis_closed(redisContext *c)
{
    struct pollfd  pfd;

    pfd.fd = c->fd;
    pfd.events = POLLIN;

    return poll(&pfd, 1, 0) != 0;
}


static redisReply *
athena_redis_run(athena_db_t *db, int argc, const char **argv,
    const size_t *lens)
{
    redisReply  *reply;

    reply = redisCommandArgv(db->redis, argc, argv, lens);

    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        if (reply) {
            freeReplyObject(reply);
        }
        athena_redis_fail(db, argv[0]);
        return NULL;
    }

    athena_redis_answered();

    return reply;
}


static int
athena_redis_hello(athena_db_t *db)
{
    char         num[16];
    const char  *argv[2];
    redisReply  *reply;

    if (db->conf->redis_password) {
        argv[0] = "AUTH";
        argv[1] = db->conf->redis_password;

        reply = athena_redis_run(db, 2, argv, NULL);
        if (reply == NULL) {
            return -1;
        }
        freeReplyObject(reply);
    }

    if (db->conf->redis_db) {
        snprintf(num, sizeof(num), "%d", db->conf->redis_db);
        argv[0] = "SELECT";
        argv[1] = num;

        reply = athena_redis_run(db, 2, argv, NULL);
        if (reply == NULL) {
            return -1;
        }
        freeReplyObject(reply);
    }

    return 0;
}


static int
athena_redis_connect(athena_db_t *db)
{
    struct timeval  tv;

    if (!db->conf->redis_enabled) {
        return -1;
    }

    /*
     * After a failure in any thread or on the event loop the cache is
     * skipped for a while, not retried: even a thread whose connection
     * looks fine would only wait for the same timeout.
     */
    if (!athena_redis_may_ask(db->conf->redis_retry)) {
        if (!db->warning[0]) {
            snprintf(db->warning, sizeof(db->warning),
                     "redis unavailable, using postgres only");
        }
        return -1;
    }

    if (db->redis && athena_redis_closed(db->redis)) {
        redisFree(db->redis);
        db->redis = NULL;
    }

    if (db->redis) {
        return 0;
    }

    tv.tv_sec = db->conf->redis_timeout / 1000;
    tv.tv_usec = (db->conf->redis_timeout % 1000) * 1000;

    db->redis = db->conf->redis_path
                ? redisConnectUnixWithTimeout(db->conf->redis_path, tv)
                : redisConnectWithTimeout(db->conf->redis_host,
                                          db->conf->redis_port, tv);

    if (db->redis == NULL || db->redis->err
        || redisSetTimeout(db->redis, tv) != REDIS_OK)
    {
        athena_redis_fail(db, "connect");
        return -1;
    }

    return athena_redis_hello(db);
}


char *
athena_redis_get(athena_db_t *db, athena_arena_t *a, const char *key)
{
    char        *val;
    const char  *argv[2];
    redisReply  *reply;

    if (athena_redis_connect(db) != 0) {
        return NULL;
    }

    argv[0] = "GET";
    argv[1] = key;

    reply = athena_redis_run(db, 2, argv, NULL);
    if (reply == NULL) {
        return NULL;
    }

    val = reply->type == REDIS_REPLY_STRING
          ? athena_strndup(a, reply->str, reply->len) : NULL;

    freeReplyObject(reply);

    return val;
}


void
athena_redis_set(athena_db_t *db, const char *key, const char *val,
    size_t len, int64_t ttl_ms, int only_if_absent)
{
    char         ttl[24];
    size_t       lens[6];
    const char  *argv[6];
    redisReply  *reply;

    if (ttl_ms <= 0 || athena_redis_connect(db) != 0) {
        return;
    }

    snprintf(ttl, sizeof(ttl), "%lld", (long long) ttl_ms);

    argv[0] = "SET";
    argv[1] = key;
    argv[2] = val;
    argv[3] = "PX";
    argv[4] = ttl;
    argv[5] = "NX";

    lens[0] = 3;
    lens[1] = strlen(key);
    lens[2] = len;
    lens[3] = 2;
    lens[4] = strlen(ttl);
    lens[5] = 2;

    reply = athena_redis_run(db, only_if_absent ? 6 : 5, argv, lens);
    if (reply) {
        freeReplyObject(reply);
    }
}


void
athena_redis_del(athena_db_t *db, const char *const *keys, size_t n)
{
    size_t        i;
    const char  **argv;
    redisReply   *reply;

    if (n == 0 || athena_redis_connect(db) != 0) {
        return;
    }

    argv = malloc((n + 1) * sizeof(char *));
    if (argv == NULL) {
        return;
    }

    argv[0] = "DEL";
    for (i = 0; i < n; i++) {
        argv[i + 1] = keys[i];
    }

    reply = athena_redis_run(db, (int) n + 1, argv, NULL);
    if (reply) {
        freeReplyObject(reply);
    }

    free(argv);
}


/*
 * A reply's values into out from *n on: an array (EXEC's) by its
 * elements, status replies ("OK", "QUEUED") left out. -1 on an error
 * reply, or one of a kind not read here.
 */

static int
athena_redis_flatten(athena_arena_t *a, const redisReply *reply,
    athena_redis_val_t *out, size_t nout, size_t *n)
{
    size_t               i;
    athena_redis_val_t  *v;

    switch (reply->type) {

    case REDIS_REPLY_STATUS:
        return 0;

    case REDIS_REPLY_ARRAY:
        for (i = 0; i < reply->elements; i++) {
            if (athena_redis_flatten(a, reply->element[i], out, nout, n)
                != 0)
            {
                return -1;
            }
        }
        return 0;

    case REDIS_REPLY_NIL:
    case REDIS_REPLY_INTEGER:
    case REDIS_REPLY_STRING:
        break;

    default:
        return -1;
    }

    if (*n == nout) {
        return -1;
    }

    v = &out[(*n)++];
    v->type = reply->type == REDIS_REPLY_NIL ? ATHENA_REDIS_NIL
              : reply->type == REDIS_REPLY_INTEGER ? ATHENA_REDIS_INT
              : ATHENA_REDIS_STR;
    v->integer = reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0;
    v->str = NULL;

    if (v->type == ATHENA_REDIS_STR) {
        v->str = athena_strndup(a, reply->str, reply->len);
        if (v->str == NULL) {
            return -1;
        }
    }

    return 0;
}


/* the commands in Redis's protocol, in one buffer for all */

static int
athena_redis_format(athena_arena_t *a, const athena_redis_cmd_t *cmds,
    size_t ncmds, char **text, size_t *len)
{
    int      j;
    char    *p;
    size_t   i, size, *lens, *l;

    size = 0;

    for (i = 0; i < ncmds; i++) {
        size += (size_t) cmds[i].argc;
    }

    lens = athena_alloc(a, size * sizeof(size_t));
    if (lens == NULL) {
        return -1;
    }

    size = 0;

    for (i = 0, l = lens; i < ncmds; l += cmds[i].argc, i++) {
        for (j = 0; j < cmds[i].argc; j++) {
            l[j] = strlen(cmds[i].argv[j]);
        }

        size += athena_resp_size(cmds[i].argc, l);
    }

    *text = athena_alloc(a, size);
    if (*text == NULL) {
        return -1;
    }

    p = *text;

    for (i = 0, l = lens; i < ncmds; l += cmds[i].argc, i++) {
        p += athena_resp_put(p, cmds[i].argc, cmds[i].argv, l);
    }

    *len = (size_t) (p - *text);

    return 0;
}


/*
 * Commands sent together, one round trip for all (a MULTI among them is
 * Redis's to keep atomic), their replies read in order into out (see
 * athena_redis_flatten()): how many values were read, or -1 when Redis
 * could not be asked or answered an error.
 */

int
athena_redis_batch(athena_db_t *db, athena_arena_t *a,
    const athena_redis_cmd_t *cmds, size_t ncmds, athena_redis_val_t *out,
    size_t nout)
{
    int          rc;
    char        *text;
    size_t       i, n, len;
    redisReply  *reply;

    if (athena_redis_connect(db) != 0) {
        return -1;
    }

    if (athena_redis_format(a, cmds, ncmds, &text, &len) != 0) {
        return -1;
    }

    if (redisAppendFormattedCommand(db->redis, text, len)
        != REDIS_OK)
    {
        athena_redis_fail(db, cmds[0].argv[0]);
        return -1;
    }

    rc = 0;
    n = 0;

    /* every reply is read, even after an error: the next caller's are next */
    for (i = 0; i < ncmds; i++) {
        if (redisGetReply(db->redis, (void **) &reply) != REDIS_OK
            || reply == NULL)
        {
            athena_redis_fail(db, cmds[i].argv[0]);
            return -1;
        }

        if (rc == 0 && athena_redis_flatten(a, reply, out, nout, &n) != 0) {
            rc = -1;
        }

        freeReplyObject(reply);
    }

    if (rc != 0) {
        athena_redis_fail(db, cmds[0].argv[0]);
        return -1;
    }

    athena_redis_answered();

    return (int) n;
}


/* the SHA-1 of a script (one of the module's static texts), remembered */

static const char *
athena_redis_sha(athena_db_t *db, const char *script)
{
    size_t  i;

    for (i = 0; i < db->nscripts; i++) {
        if (db->scripts[i] == script) {
            return db->shas[i];
        }
    }

    if (i == ATHENA_REDIS_SCRIPTS_MAX) {
        return NULL;
    }

    athena_sha1_hex(script, strlen(script), db->shas[i]);
    db->scripts[i] = script;
    db->nscripts++;

    return db->shas[i];
}


/*
 * A Lua script over one key that answers an array of integers, or with
 * text not NULL a string (or nil) and then integers: how many integers
 * were read into out, or -1 when Redis could not be asked. The string
 * goes to *text, in a. The script goes by its SHA-1 (EVALSHA); its text
 * only when Redis does not have it yet (its first use, or after a
 * restart).
 */

int
athena_redis_eval(athena_db_t *db, athena_arena_t *a, const char *script,
    const char *key, int argc, const char *const *argv, char **text,
    int64_t *out, size_t nout)
{
    int           i, n, first;
    const char   *args[16];
    redisReply   *reply, *e;

    if (text != NULL) {
        *text = NULL;
    }

    if (argc > 12 || athena_redis_connect(db) != 0) {
        return -1;
    }

    args[0] = "EVALSHA";
    args[1] = athena_redis_sha(db, script);
    args[2] = "1";
    args[3] = key;

    for (i = 0; i < argc; i++) {
        args[4 + i] = argv[i];
    }

    reply = NULL;

    if (args[1] != NULL) {
        reply = redisCommandArgv(db->redis, argc + 4, args, NULL);

        if (reply != NULL && reply->type == REDIS_REPLY_ERROR
            && strncmp(reply->str, "NOSCRIPT", 8) == 0)
        {
            freeReplyObject(reply);
            reply = NULL;

        } else if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
            if (reply) {
                freeReplyObject(reply);
            }

            athena_redis_fail(db, "EVALSHA");
            return -1;

        } else {
            athena_redis_answered();
        }
    }

    if (reply == NULL) {
        args[0] = "EVAL";
        args[1] = script;

        reply = athena_redis_run(db, argc + 4, args, NULL);
        if (reply == NULL) {
            return -1;
        }
    }

    n = 0;
    first = (text != NULL);

    if (reply->type == REDIS_REPLY_ARRAY && first && reply->elements > 0) {
        e = reply->element[0];

        if (e->type == REDIS_REPLY_STRING) {
            *text = athena_strndup(a, e->str, e->len);
        }
    }

    if (reply->type == REDIS_REPLY_ARRAY) {
        for (i = first; i < (int) reply->elements && (size_t) n < nout; i++) {
            e = reply->element[i];
            if (e->type != REDIS_REPLY_INTEGER) {
                break;
            }
            out[n++] = e->integer;
        }
    }

    freeReplyObject(reply);

    return n;
}
