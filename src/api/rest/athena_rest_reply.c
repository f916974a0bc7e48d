/*
 * The REST admin surface's answers: {"success": true, "data": ...,
 * "meta": {...}} and {"success": false, "error": {"code", "message"}},
 * the code named by the status (seed 003's codes, athena_status.c).
 */

#include "athena_rest.h"
#include "../../core/athena_status.h"


void
athena_rest_error(athena_ctx_t *ctx, int status, const char *message)
{
    athena_gen_t  *g;

    if (ctx->error_code == NULL) {
        ctx->error_code = athena_status_code(status);
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "success");
    athena_gen_bool(g, 0);
    athena_gen_key(g, "error");
    athena_gen_map_open(g);
    athena_gen_key(g, "code");
    athena_gen_cstr(g, athena_status_code(status));
    athena_gen_key(g, "message");
    athena_gen_cstr(g, message ? message : athena_status_message(status));
    athena_gen_map_close(g);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, status, g);
}


/* an answer's start: the caller writes "data" and ends with the below */

athena_gen_t *
athena_rest_begin(athena_ctx_t *ctx)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return NULL;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "success");
    athena_gen_bool(g, 1);
    athena_gen_key(g, "data");

    return g;
}


void
athena_rest_end(athena_ctx_t *ctx, int status, athena_gen_t *g,
    const athena_rest_meta_t *meta)
{
    if (meta) {
        athena_gen_key(g, "meta");
        athena_gen_map_open(g);
        athena_gen_key(g, "page");
        athena_gen_int(g, meta->page);
        athena_gen_key(g, "limit");
        athena_gen_int(g, meta->limit);
        athena_gen_key(g, "total");
        athena_gen_int(g, meta->total);
        athena_gen_map_close(g);
    }

    athena_gen_map_close(g);

    athena_reply_gen(ctx, status, g);
}


/* {"success": true, "data": {"id": ..., "deleted": true}} */

void
athena_rest_deleted(athena_ctx_t *ctx, const char *id)
{
    athena_gen_t  *g;

    g = athena_rest_begin(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "id");
    athena_gen_cstr(g, id);
    athena_gen_key(g, "deleted");
    athena_gen_bool(g, 1);
    athena_gen_map_close(g);

    athena_rest_end(ctx, 200, g, NULL);
}
