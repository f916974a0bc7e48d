/*
 * The query parameters of Athena's admin lists (the audit log, emails,
 * send failures): paging numbers, ISO 8601 times and text filters, each
 * refused with a 400 that names it.
 */

#include <stdlib.h>
#include <string.h>

#include "athena_list.h"
#include "../../core/athena_time.h"


/* a whole number of at least min, dflt when absent; -1 after an issue */

int64_t
athena_list_number(athena_ctx_t *ctx, athena_check_t *chk,
    const char *name, int64_t min, int64_t dflt)
{
    char     *v, *end;
    size_t    len;
    long long n;

    v = athena_query_arg(ctx, name, &len);
    if (v == NULL) {
        return dflt;
    }

    n = len ? strtoll(v, &end, 10) : -1;

    if (len == 0 || *end != '\0' || n < min || n > 1000000000000LL) {
        athena_check_issue(chk, name, "Invalid input: expected a whole"
                           " number of at least %lld", (long long) min);
        return -1;
    }

    return n;
}


/* an ISO 8601 time (or day), ATHENA_TIME_NULL when absent */

int64_t
athena_list_time(athena_ctx_t *ctx, athena_check_t *chk, const char *name)
{
    char     *v;
    size_t    len;
    int64_t   ms;

    v = athena_query_arg(ctx, name, &len);
    if (v == NULL || len == 0) {
        return ATHENA_TIME_NULL;
    }

    if (!athena_time_date(v, &ms)) {
        athena_check_issue(chk, name, "Invalid input: expected an ISO 8601"
                           " date");
        return ATHENA_TIME_NULL;
    }

    return ms;
}


/* a text filter; "" filters nothing, as an absent one */

const char *
athena_list_text(athena_ctx_t *ctx, const char *name)
{
    char    *v;
    size_t   len;

    v = athena_query_arg(ctx, name, &len);

    return (v != NULL && len) ? v : NULL;
}


/* limit (50 by default, at most 1000) and offset (0 by default) */

void
athena_list_page(athena_ctx_t *ctx, athena_check_t *chk, int64_t *limit,
    int64_t *offset)
{
    *limit = athena_list_number(ctx, chk, "limit", 1, ATHENA_LIST_LIMIT);
    *offset = athena_list_number(ctx, chk, "offset", 0, 0);

    if (*limit > ATHENA_LIST_LIMIT_MAX) {
        *limit = ATHENA_LIST_LIMIT_MAX;
    }
}
