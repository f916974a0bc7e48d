/*
 * What Athena's admin record routes share (emails, send failures,
 * templates): the id of a get, the answer of a create, a delete by id.
 */

#ifndef ATHENA_RECORD_H
#define ATHENA_RECORD_H

#include "../athena_admin.h"


typedef athena_store_rc_e (*athena_record_delete_pt)(athena_db_t *db,
    athena_arena_t *a, const char *id);
typedef void (*athena_record_missing_pt)(athena_ctx_t *ctx);


athena_store_rc_e athena_record_query_id(athena_ctx_t *ctx,
    const char **id);
athena_store_rc_e athena_record_new(athena_ctx_t *ctx,
    const athena_admin_perm_t *may, const char **id, int *ok);
const char *athena_record_metadata(athena_ctx_t *ctx, athena_check_t *chk);
void athena_gen_page(athena_gen_t *g, int64_t total, int64_t limit,
    int64_t offset);

typedef void (*athena_gen_item_pt)(athena_ctx_t *ctx, athena_gen_t *g,
    const void *item);

void athena_reply_page(athena_ctx_t *ctx, int64_t total, int64_t limit,
    int64_t offset, const char *const *names, const void *items, size_t n,
    size_t size, athena_gen_item_pt gen);
void athena_reply_created(athena_ctx_t *ctx, const char *id);
athena_store_rc_e athena_record_delete(athena_ctx_t *ctx,
    const athena_admin_perm_t *may, athena_record_delete_pt del,
    athena_record_missing_pt missing);


#endif /* ATHENA_RECORD_H */
