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
void athena_gen_page(yajl_gen g, int64_t total, int64_t limit,
    int64_t offset);
void athena_reply_created(athena_ctx_t *ctx, const char *id);
athena_store_rc_e athena_record_delete(athena_ctx_t *ctx,
    const athena_admin_perm_t *may, athena_record_delete_pt del,
    athena_record_missing_pt missing);


#endif /* ATHENA_RECORD_H */
