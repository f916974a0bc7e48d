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
