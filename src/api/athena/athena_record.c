#include <string.h>

#include "athena_list.h"
#include "athena_record.h"
#include "../../core/athena_crypto.h"


/*
 * GET ...?id=: the id, or *id NULL when the 400 has been answered (no id,
 * an empty one, or two).
 */

athena_store_rc_e
athena_record_query_id(athena_ctx_t *ctx, const char **id)
{
    athena_check_t  chk;

    static const char *const  single[] = { "id", NULL };

    *id = NULL;
    athena_check_init(&chk, ctx->a, NULL, "query");

    if (athena_query_single(ctx, &chk, single) != 0) {
        return ATHENA_STORE_ERROR;
    }

    *id = athena_list_text(ctx, "id");

    if (*id == NULL) {
        athena_check_issue(&chk, "id", "Invalid input: expected string,"
                           " received undefined");
    }

    if (athena_reply_invalid(ctx, &chk)) {
        *id = NULL;
    }

    return ATHENA_STORE_OK;
}


/*
 * A create that passed its checks: the admin and its permission, then the
 * new record's id, which the audit row names. *ok when all hold.
 */

athena_store_rc_e
athena_record_new(athena_ctx_t *ctx, const athena_admin_perm_t *may,
    const char **id, int *ok)
{
    char               buf[ATHENA_ID_LEN + 1];
    athena_store_rc_e  rc;

    rc = athena_admin_require(ctx, may, ok);
    if (rc != ATHENA_STORE_OK || !*ok) {
        return rc;
    }

    /* the audit row is written after the route's frame is gone */
    if (athena_random_id(buf) != 0
        || (*id = athena_strdup(ctx->a, buf)) == NULL)
    {
        *ok = 0;
        return ATHENA_STORE_ERROR;
    }

    ctx->audit_target = *id;

    return ATHENA_STORE_OK;
}


/* metadata: an object's JSON text, "{}" when absent; NULL after an issue */

const char *
athena_record_metadata(athena_ctx_t *ctx, athena_check_t *chk)
{
    const athena_json_t  *v;

    v = athena_json_get(ctx->body, "metadata");
    if (v == NULL) {
        return "{}";
    }

    return athena_check_record_text(chk, "metadata");
}


/* the head of a list's answer: {total, limit, offset, ... */

void
athena_gen_page(athena_gen_t *g, int64_t total, int64_t limit, int64_t offset)
{
    athena_gen_map_open(g);
    athena_gen_key(g, "total");
    athena_gen_int(g, total);
    athena_gen_key(g, "limit");
    athena_gen_int(g, limit);
    athena_gen_key(g, "offset");
    athena_gen_int(g, offset);
}


/*
 * A list's answer: {total, limit, offset} and the items under each of
 * names (a NULL-terminated list: the seed's name, and the snake_case one
 * where newer clients read it), each item written by gen.
 */

void
athena_reply_page(athena_ctx_t *ctx, int64_t total, int64_t limit,
    int64_t offset, const char *const *names, const void *items, size_t n,
    size_t size, athena_gen_item_pt gen)
{
    size_t         i;
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_page(g, total, limit, offset);

    for ( /* void */ ; *names != NULL; names++) {
        athena_gen_key(g, *names);
        athena_gen_array_open(g);

        for (i = 0; i < n; i++) {
            gen(ctx, g, (const char *) items + i * size);
        }

        athena_gen_array_close(g);
    }

    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
}


/* {"success": true, "id": id}: the seed's answer, and the new id */

void
athena_reply_created(athena_ctx_t *ctx, const char *id)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "success");
    athena_gen_bool(g, 1);
    athena_gen_key(g, "id");
    athena_gen_cstr(g, id);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
}


/* POST .../delete {id} -> {success: true}, or missing()'s 404 */

athena_store_rc_e
athena_record_delete(athena_ctx_t *ctx, const athena_admin_perm_t *may,
    athena_record_delete_pt del, athena_record_missing_pt missing)
{
    int                    ok;
    athena_check_t         chk;
    athena_store_rc_e      rc;
    const athena_json_t   *id;

    id = NULL;

    if (athena_admin_body(ctx, &chk)) {
        id = athena_check_text(&chk, "id", 1);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, may, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    ctx->audit_target = id->string;

    rc = del(ctx->db, ctx->a, id->string);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        missing(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_reply_flag(ctx, "success", 1);
    }

    return rc;
}
