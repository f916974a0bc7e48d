/*
 * API keys in the API layer: a presented key checked in the plugin's
 * order (with its usage counted), the key as its owner's session, new
 * keys, and the plugin's KeyJSON. The routes are athena_api_apikey.c's
 * (the plugin's) and athena/athena_api_admin_api_key.c's (Athena's).
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
void athena_gen_apikey(athena_ctx_t *ctx, yajl_gen g,
    const athena_apikey_t *k, const char *plain, int user_id);
void athena_gen_apikey_error(yajl_gen g, const athena_apikey_refusal_t *no);
void athena_apikey_evict(athena_ctx_t *ctx, const athena_apikey_t *k);


#endif /* ATHENA_APIKEY_API_H */
