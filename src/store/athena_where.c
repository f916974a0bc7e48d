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
 * The total of this set of filters is kept (by triggers): sql, a scalar
 * subquery that names its parameters a and b (NULL: a alone) as "$%1$d"
 * and "$%2$d".
 */

void
athena_where_kept(athena_where_t *w, const char *sql, const char *a,
    const char *b)
{
    w->kept = sql;
    w->kept_a = a;
    w->kept_b = b;
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
    int                 nfilters, lim, off, ka, kb;
    char               *sql, *stmt, *kept;
    size_t              n;
    const char         *p[2];
    athena_rows_t      *count;
    athena_store_rc_e   rc;

    nfilters = w->n;
    lim = athena_where_param(w, athena_int_text(a, limit));
    off = athena_where_param(w, athena_int_text(a, offset));

    kept = "";

    if (w->kept) {
        ka = athena_where_param(w, w->kept_a);
        kb = w->kept_b ? athena_where_param(w, w->kept_b) : 0;
        kept = athena_sprintf(a, w->kept, ka, kb);
        kept = kept ? athena_sprintf(a, ", %s", kept) : NULL;
    }

    if (w->overflow || kept == NULL) {
        return ATHENA_STORE_ERROR;
    }

    sql = athena_sprintf(a, "SELECT %s%s FROM %s%s"
                         " ORDER BY created_at DESC, id DESC"
                         " LIMIT $%d::int8 OFFSET $%d::int8",
                         cols, kept, table, w->sql, lim, off);
    stmt = athena_sprintf(a, "%s_%x%s", name, w->mask, w->kept ? "_k" : "");

    if (sql == NULL || stmt == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_pg_exec_named(db, a, stmt, sql, w->n, w->params, rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    n = athena_rows_count(*rows);

    /* the kept total came with the page, in its last column */
    if (w->kept && n > 0) {
        *total = athena_rows_int(*rows, 0, athena_rows_columns(*rows) - 1,
                                 0);
        return ATHENA_STORE_OK;
    }

    if ((int64_t) n < limit && (n > 0 || offset == 0)) {
        *total = offset + (int64_t) n;
        return ATHENA_STORE_OK;
    }

    if (w->kept) {
        p[0] = w->kept_a;
        p[1] = w->kept_b;
        sql = athena_sprintf(a, w->kept, 1, 2);

        return sql ? athena_pg_count(db, a,
                                     athena_sprintf(a, "SELECT %s", sql),
                                     w->kept_b ? 2 : 1, p, total)
                   : ATHENA_STORE_ERROR;
    }

    /* a full page asks this every time: kept prepared too */
    sql = athena_sprintf(a, "SELECT count(*) FROM %s%s", table, w->sql);
    stmt = athena_sprintf(a, "%s_n", stmt);
    if (sql == NULL || stmt == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_pg_exec_named(db, a, stmt, sql, nfilters, w->params, &count);
    if (rc == ATHENA_STORE_OK) {
        *total = athena_rows_int(count, 0, 0, 0);
    }

    return rc;
}


/*
 * A LIKE pattern that matches value literally where the operator says:
 * "%", "_" and "\" in the value are escaped.
 */

char *
athena_where_like(athena_arena_t *a, const char *op, const char *value)
{
    char        *p, *out;
    const char  *v;

    out = athena_alloc(a, 2 * strlen(value) + 3);
    if (out == NULL) {
        return NULL;
    }

    p = out;

    if (strcmp(op, "contains") == 0 || strcmp(op, "ends_with") == 0) {
        *p++ = '%';
    }

    for (v = value; *v; v++) {
        if (*v == '%' || *v == '_' || *v == '\\') {
            *p++ = '\\';
        }
        *p++ = *v;
    }

    if (strcmp(op, "contains") == 0 || strcmp(op, "starts_with") == 0) {
        *p++ = '%';
    }

    *p = '\0';

    return out;
}
