/*
 * The WHERE of a list whose filters are each optional: only the filters
 * given are written, each value a parameter ($1, $2, ... in order), so a
 * query is planned as the simple query it is and its text says which
 * filters it has (the name of its prepared statement can say the same).
 */

#ifndef ATHENA_WHERE_H
#define ATHENA_WHERE_H

#include <stddef.h>
#include <stdint.h>

#include "athena_db.h"


#define ATHENA_WHERE_MAX  16


typedef struct {
    char          sql[1024];
    size_t        len;
    int           n;                  /* parameters so far */
    unsigned      mask;               /* which filters are given */
    int           overflow;
    const char   *params[ATHENA_WHERE_MAX + 4];

    /* a total kept by triggers: a subquery over its two parameters */
    const char   *kept;               /* "... $%d ... $%d" */
    const char   *kept_a;
    const char   *kept_b;
} athena_where_t;


void athena_where_init(athena_where_t *w);
void athena_where_add(athena_where_t *w, unsigned bit, const char *cond,
    const char *value);
int athena_where_param(athena_where_t *w, const char *value);
void athena_where_kept(athena_where_t *w, const char *sql, const char *a,
    const char *b);
athena_store_rc_e athena_where_page(athena_db_t *db, athena_arena_t *a,
    const char *name, const char *cols, const char *table, athena_where_t *w,
    int64_t limit, int64_t offset, athena_rows_t **rows, int64_t *total);
char *athena_where_like(athena_arena_t *a, const char *op,
    const char *value);


#endif /* ATHENA_WHERE_H */
