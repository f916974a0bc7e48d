/*
 * The REST admin surface (seed 003): its answers' envelope and the
 * admin check its routes share (src/api/rest/).
 */

#ifndef ATHENA_REST_H
#define ATHENA_REST_H

#include "../athena_api.h"
#include "../athena_admin.h"


/* a list's "meta" */
typedef struct {
    int64_t   page;
    int64_t   limit;
    int64_t   total;
} athena_rest_meta_t;


void athena_rest_error(athena_ctx_t *ctx, int status, const char *message);
yajl_gen athena_rest_begin(athena_ctx_t *ctx);
void athena_rest_end(athena_ctx_t *ctx, int status, yajl_gen g,
    const athena_rest_meta_t *meta);


#endif /* ATHENA_REST_H */
