#include <string.h>

#include "athena_user_list.h"
#include "athena_auth_store.h"
#include "athena_columns.h"
#include "athena_where.h"


typedef enum {
    ATHENA_COL_TEXT = 0,
    ATHENA_COL_BOOL,
    ATHENA_COL_TIME
} athena_col_type_e;


/* the user fields a query may name, as better-auth names them */

typedef struct {
    const char         *field;
    const char         *sql;
    athena_col_type_e   type;
} athena_user_col_t;

static const athena_user_col_t  athena_user_cols[] = {
    { "id", "u.id", ATHENA_COL_TEXT },
    { "name", "u.name", ATHENA_COL_TEXT },
    { "email", "u.email", ATHENA_COL_TEXT },
    { "emailVerified", "u.\"emailVerified\"", ATHENA_COL_BOOL },
    { "image", "u.image", ATHENA_COL_TEXT },
    { "createdAt", "u.\"createdAt\"", ATHENA_COL_TIME },
    { "updatedAt", "u.\"updatedAt\"", ATHENA_COL_TIME },
    { "role", "u.role", ATHENA_COL_TEXT },
    { "banned", "u.banned", ATHENA_COL_BOOL },
    { "banReason", "u.\"banReason\"", ATHENA_COL_TEXT },
    { "banExpires", "u.\"banExpires\"", ATHENA_COL_TIME },
    { NULL, NULL, 0 }
};

static const char *const  athena_col_casts[] = {
    "text", "bool", "timestamptz"
};


static const athena_user_col_t *
athena_user_col(const char *field)
{
    const athena_user_col_t  *c;

    for (c = athena_user_cols; c->field; c++) {
        if (strcmp(c->field, field) == 0) {
            return c;
        }
    }

    return NULL;
}


static int
athena_is_like(const char *op)
{
    return strcmp(op, "contains") == 0 || strcmp(op, "starts_with") == 0
           || strcmp(op, "ends_with") == 0;
}


typedef struct {
    athena_arena_t   *a;
    char             *where;
    const char       *params[6];      /* up to four conditions, paging */
    int               n;
} athena_conds_t;


static void
athena_conds_init(athena_conds_t *w, athena_arena_t *a)
{
    memset(w, 0, sizeof(athena_conds_t));
    w->a = a;
    w->where = "";
}


#define ATHENA_NO_OPERATOR  -1
#define ATHENA_NO_MEMORY    -2


static int
athena_cond_add(athena_conds_t *w, const char *cond, const char *param)
{
    if (cond == NULL || param == NULL) {
        return ATHENA_NO_MEMORY;
    }

    w->params[w->n++] = param;
    w->where = athena_sprintf(w->a, "%s%s%s", w->where,
                              *w->where ? " AND " : " WHERE ", cond);

    return w->where ? 0 : ATHENA_NO_MEMORY;
}


/* one condition: 0, or ATHENA_NO_OPERATOR, or ATHENA_NO_MEMORY */

static int
athena_filter(athena_conds_t *w, const athena_user_col_t *c, const char *op,
    const char *value)
{
    int          k;
    const char  *cast, *cmp;

    static const char *const  ops[][2] = {
        { "eq", "=" }, { "ne", "<>" }, { "lt", "<" }, { "lte", "<=" },
        { "gt", ">" }, { "gte", ">=" }, { NULL, NULL }
    };

    k = w->n + 1;
    cast = athena_col_casts[c->type];

    if (athena_is_like(op)) {
        return athena_cond_add(w, athena_sprintf(w->a,
                                   "%s::text LIKE $%d ESCAPE '\\'", c->sql, k),
                               athena_where_like(w->a, op, value));
    }

    if (strcmp(op, "in") == 0 || strcmp(op, "not_in") == 0) {
        return athena_cond_add(w, athena_sprintf(w->a,
                                   "%s %s (string_to_array($%d, ',')::%s[])",
                                   c->sql, op[0] == 'i' ? "= ANY" : "<> ALL",
                                   k, cast),
                               value);
    }

    for (k = 0; ops[k][0]; k++) {
        if (strcmp(op, ops[k][0]) == 0) {
            cmp = athena_sprintf(w->a, "%s %s $%d::%s", c->sql, ops[k][1],
                                 w->n + 1, cast);
            return athena_cond_add(w, cmp, value);
        }
    }

    return ATHENA_NO_OPERATOR;
}


static athena_store_rc_e
athena_user_cond(athena_conds_t *w, const char *field, const char *op,
    const char *value)
{
    int                       rc;
    const athena_user_col_t  *c;

    c = athena_user_col(field);
    if (c == NULL) {
        return ATHENA_STORE_NOT_FOUND;
    }

    rc = athena_filter(w, c, op, value);

    return rc == 0 ? ATHENA_STORE_OK
                   : rc == ATHENA_NO_OPERATOR ? ATHENA_STORE_NOT_FOUND
                                              : ATHENA_STORE_ERROR;
}


static athena_store_rc_e
athena_user_conds(const athena_user_query_t *q, athena_conds_t *w)
{
    athena_store_rc_e  rc;

    if (q->search_value != NULL) {
        if (!athena_is_like(q->search_op)) {
            return ATHENA_STORE_NOT_FOUND;
        }

        rc = athena_user_cond(w, q->search_field, q->search_op,
                              q->search_value);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }
    }

    if (q->filter_value != NULL) {
        return athena_user_cond(w, q->filter_field, q->filter_op,
                                q->filter_value);
    }

    return ATHENA_STORE_OK;
}


/* the total: kept by triggers when nothing narrows the list */

static athena_store_rc_e
athena_user_total(athena_db_t *db, athena_arena_t *a, athena_conds_t *w,
    int64_t *total)
{
    const char  *sql;

    sql = w->n == 0 ? "SELECT n FROM athena_user_count"
                    : athena_sprintf(a, "SELECT count(*) FROM \"user\" u%s",
                                     w->where);
    if (sql == NULL) {
        return ATHENA_STORE_ERROR;
    }

    return athena_pg_count(db, a, sql, w->n, w->params, total);
}


/*
 * The rows under w's conditions, sorted by a user field (ties by id, in
 * the same direction when same_ties, else ascending), and their total.
 * With a name the statement is kept prepared (planned once), and an
 * unconditioned total comes in the page's last column from the count
 * the triggers keep, so a page is one statement.
 */

static athena_store_rc_e
athena_user_page(athena_db_t *db, athena_conds_t *w, const char *name,
    const char *sort_field, int desc, int same_ties, int64_t limit,
    int64_t offset, athena_user_t **users, size_t *n, int64_t *total)
{
    int                       kept;
    char                     *sql, *order;
    size_t                    i;
    athena_arena_t           *a;
    athena_rows_t            *rows;
    athena_store_rc_e         rc;
    const athena_user_col_t  *sort;

    a = w->a;
    order = "";
    kept = (name != NULL && w->n == 0);

    if (sort_field != NULL) {
        sort = athena_user_col(sort_field);
        if (sort == NULL) {
            return ATHENA_STORE_NOT_FOUND;
        }

        order = athena_sprintf(a, " ORDER BY %s %s, u.id%s", sort->sql,
                               desc ? "DESC" : "ASC",
                               (same_ties && desc) ? " DESC" : "");
    }

    w->params[w->n] = athena_int_text(a, limit);
    w->params[w->n + 1] = athena_int_text(a, offset);

    sql = athena_sprintf(a, "SELECT " ATHENA_USER_COLS("u") "%s"
                         " FROM \"user\" u%s%s LIMIT $%d OFFSET $%d",
                         kept ? ", (SELECT n FROM athena_user_count)" : "",
                         w->where, order, w->n + 1, w->n + 2);
    if (sql == NULL || order == NULL || w->params[w->n] == NULL
        || w->params[w->n + 1] == NULL)
    {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_pg_exec_named(db, a, name, sql, w->n + 2, w->params, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *users = athena_calloc(a, (*n + 1) * sizeof(athena_user_t));
    if (*users == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        athena_user_read(rows, i, 0, &(*users)[i]);
    }

    if (kept && *n > 0) {
        *total = athena_rows_int(rows, 0, ATHENA_USER_NCOLS, 0);
        return ATHENA_STORE_OK;
    }

    return athena_user_total(db, a, w, total);
}


athena_store_rc_e
athena_user_list(athena_db_t *db, athena_arena_t *a,
    const athena_user_query_t *q, athena_user_t **users, size_t *n,
    int64_t *total)
{
    athena_conds_t     w;
    athena_store_rc_e  rc;

    athena_conds_init(&w, a);

    rc = athena_user_conds(q, &w);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    /*
     * the console's first page (no search, filter or sort) kept prepared,
     * its total in the page: one statement, planned once per connection
     */
    return athena_user_page(db, &w,
                            w.n == 0 && q->sort_field == NULL
                            ? "athena_user_list" : NULL,
                            q->sort_field, q->sort_desc, 0,
                            q->limit, q->offset, users, n, total);
}


/*
 * The REST surface's user list: the search is found in the email or the
 * name whatever its case, as plain text; the role and ban narrow it.
 */

athena_store_rc_e
athena_user_find(athena_db_t *db, athena_arena_t *a,
    const athena_user_find_t *q, athena_user_t **users, size_t *n,
    int64_t *total)
{
    int             rc;
    char           *name;
    athena_conds_t  w;

    athena_conds_init(&w, a);
    rc = 0;

    if (q->search != NULL) {
        rc = athena_cond_add(&w, athena_sprintf(a,
                                 "(u.email ILIKE $%d ESCAPE '\\'"
                                 " OR u.name ILIKE $%d ESCAPE '\\')",
                                 w.n + 1, w.n + 1),
                             athena_where_like(a, "contains", q->search));
    }

    if (rc == 0 && q->role != NULL) {
        rc = athena_cond_add(&w, athena_sprintf(a, "u.role = $%d", w.n + 1),
                             q->role);
    }

    if (rc == 0 && q->banned >= 0) {
        rc = athena_cond_add(&w, athena_sprintf(a,
                                 "coalesce(u.banned, false) = $%d::bool",
                                 w.n + 1),
                             q->banned ? "true" : "false");
    }

    if (rc != 0) {
        return ATHENA_STORE_ERROR;
    }

    /* one statement for each set of filters and order, planned once */
    name = athena_sprintf(a, "athena_user_find_%d%d%d_%s_%d",
                          q->search != NULL, q->role != NULL, q->banned,
                          q->sort_field ? q->sort_field : "createdAt",
                          q->sort_desc);
    if (name == NULL) {
        return ATHENA_STORE_ERROR;
    }

    return athena_user_page(db, &w, name, q->sort_field ? q->sort_field
                                                         : "createdAt",
                            q->sort_desc, 1, q->limit, q->offset, users, n,
                            total);
}
