/*
 * API keys in the API layer: a presented key checked in the plugin's
 * order (with its usage counted), the key as its owner's session, new
 * keys, and the plugin's KeyJSON; the plugin routes' shared input rules
 * (athena_apikey_input.c). The routes are athena_api_apikey*.c's (the
 * plugin's) and athena/athena_api_admin_api_key.c's (Athena's).
 */

#ifndef ATHENA_APIKEY_API_H
#define ATHENA_APIKEY_API_H

#include "athena_api.h"
#include "../core/athena_apikey.h"


/* why a presented key was refused; code NULL when it was not */
typedef struct {
    int            status;
    const char    *code;
    const char    *message;
    int64_t        retry_ms;        /* RATE_LIMITED: details.tryAgainIn */
} athena_apikey_refusal_t;


athena_store_rc_e athena_apikey_check(athena_ctx_t *ctx, const char *plain,
    const char *config_id, const athena_permission_t *want, size_t nwant,
    athena_apikey_t *k, athena_apikey_refusal_t *no);
athena_store_rc_e athena_apikey_session(athena_ctx_t *ctx, int *refused);
athena_store_rc_e athena_apikey_make(athena_ctx_t *ctx, athena_apikey_t *k,
    const char *prefix, char **plain);
void athena_apikey_refuse(athena_ctx_t *ctx,
    const athena_apikey_refusal_t *no);
void athena_gen_apikey(athena_ctx_t *ctx, athena_gen_t *g,
    const athena_apikey_t *k, const char *plain, int user_id);
void athena_gen_apikey_error(athena_gen_t *g,
    const athena_apikey_refusal_t *no);
void athena_apikey_evict(athena_ctx_t *ctx, const athena_apikey_t *k);
void athena_apikey_evict_owner(athena_ctx_t *ctx, const char *user_id);


/* the plugin routes' shared input rules and refusals */

void athena_apikey_server_only(athena_ctx_t *ctx);
void athena_apikey_unauthorized(athena_ctx_t *ctx);
void athena_apikey_not_found(athena_ctx_t *ctx);
int athena_apikey_has(athena_ctx_t *ctx, const char *field);
int athena_apikey_given(athena_ctx_t *ctx, const char *field);
double athena_apikey_number(athena_check_t *chk, const char *field,
    double min, int nullable);
void athena_apikey_permissions_shape(athena_ctx_t *ctx, athena_check_t *chk,
    int nullable);
const char *athena_apikey_metadata(athena_ctx_t *ctx, int *bad);
int athena_apikey_expires_ok(athena_ctx_t *ctx, double seconds);
int athena_apikey_name_ok(athena_ctx_t *ctx, const athena_json_t *name);
void athena_reply_apikey(athena_ctx_t *ctx, const athena_apikey_t *k,
    const char *plain);
athena_store_rc_e athena_apikey_own(athena_ctx_t *ctx, const char *id,
    const char *config_id, athena_apikey_t *k, int *found);


#endif /* ATHENA_APIKEY_API_H */
