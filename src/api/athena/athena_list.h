/*
 * The query parameters of Athena's admin lists (see athena_list.c).
 */

#ifndef ATHENA_LIST_H
#define ATHENA_LIST_H

#include "../athena_api.h"


#define ATHENA_LIST_LIMIT      50      /* a page when limit is not given */
#define ATHENA_LIST_LIMIT_MAX  1000


int64_t athena_list_number(athena_ctx_t *ctx, athena_check_t *chk,
    const char *name, int64_t min, int64_t dflt);
int64_t athena_list_time(athena_ctx_t *ctx, athena_check_t *chk,
    const char *name);
const char *athena_list_text(athena_ctx_t *ctx, const char *name);
void athena_list_page(athena_ctx_t *ctx, athena_check_t *chk,
    int64_t *limit, int64_t *offset);


#endif /* ATHENA_LIST_H */
