#include <stdio.h>
#include <string.h>

#include "athena_where.h"


void
athena_where_init(athena_where_t *w)
{
    memset(w, 0, sizeof(athena_where_t));
}


/*
 * One filter, when value is not NULL: cond names its parameter as "$%d"
 * (once); bit (a power of two) marks it in w->mask.
 */

void
athena_where_add(athena_where_t *w, unsigned bit, const char *cond,
    const char *value)
{
    int  len;

    if (value == NULL) {
        return;
    }

    if (w->n >= ATHENA_WHERE_MAX) {
        w->overflow = 1;
        return;
    }

    w->params[w->n++] = value;
    w->mask |= bit;

    len = snprintf(w->sql + w->len, sizeof(w->sql) - w->len,
                   w->n == 1 ? " WHERE " : " AND ");
    if (len > 0) {
        w->len += (size_t) len;
    }

    len = snprintf(w->sql + w->len, sizeof(w->sql) - w->len, cond, w->n);

    if (len < 0 || w->len + (size_t) len >= sizeof(w->sql)) {
        w->overflow = 1;
        return;
    }

    w->len += (size_t) len;
}


/* one more parameter after the filters (a limit, an offset): its number */

int
athena_where_param(athena_where_t *w, const char *value)
{
    if (w->n >= ATHENA_WHERE_MAX + 4) {
        w->overflow = 1;
        return 0;
    }

    w->params[w->n++] = value;

    return w->n;
}


/*
 * A page of table's rows under w, newest first (created_at DESC, id DESC),
 * by a statement prepared as name (one name for each set of filters), and
 * how many match: a page that is not full says it itself, else Postgres
 * counts.
 */

athena_store_rc_e
athena_where_page(athena_db_t *db, athena_arena_t *a, const char *name,
    const char *cols, const char *table, athena_where_t *w, int64_t limit,
    int64_t offset, athena_rows_t **rows, int64_t *total)
{
    int                 nfilters, lim, off;
    char               *sql, *stmt;
    size_t              n;
    athena_store_rc_e   rc;

    nfilters = w->n;
    lim = athena_where_param(w, athena_int_text(a, limit));
    off = athena_where_param(w, athena_int_text(a, offset));

    if (w->overflow) {
        return ATHENA_STORE_ERROR;
    }

    sql = athena_sprintf(a, "SELECT %s FROM %s%s"
                         " ORDER BY created_at DESC, id DESC"
                         " LIMIT $%d::int8 OFFSET $%d::int8",
                         cols, table, w->sql, lim, off);
    stmt = athena_sprintf(a, "%s_%x", name, w->mask);

    if (sql == NULL || stmt == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_pg_exec_named(db, a, stmt, sql, w->n, w->params, rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    n = athena_rows_count(*rows);

    if ((int64_t) n < limit && (n > 0 || offset == 0)) {
        *total = offset + (int64_t) n;
        return ATHENA_STORE_OK;
    }

    sql = athena_sprintf(a, "SELECT count(*) FROM %s%s", table, w->sql);
    if (sql == NULL) {
        return ATHENA_STORE_ERROR;
    }

    return athena_pg_count(db, a, sql, nfilters, w->params, total);
}
