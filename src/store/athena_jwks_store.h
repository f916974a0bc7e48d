/*
 * The jwt plugin's keys (table "jwks"): the key that signs, made when
 * there is none usable, and the keys a JWKS publishes or a verifier
 * trusts.
 */

#ifndef ATHENA_JWKS_STORE_H
#define ATHENA_JWKS_STORE_H

#include "athena_db.h"
#include "../core/athena_jwk.h"


typedef struct {
    const char           *secret;
    size_t                secret_len;
    int64_t               rotation;       /* ms; 0: keys never expire */
} athena_jwks_conf_t;


typedef struct {
    char                  id[64];
    athena_ed25519_t      key;
    int64_t               expires_at;     /* ms, or ATHENA_TIME_NULL */
} athena_jwks_signer_t;


/* a published key: its id, public JWK text, alg and crv (or NULL) */
typedef struct {
    const char           *id;
    const char           *public_key;
    const char           *alg;
    const char           *crv;
} athena_jwks_key_t;


athena_store_rc_e athena_jwks_signer(athena_db_t *db, athena_arena_t *a,
    const athena_jwks_conf_t *jc, const athena_jwks_signer_t **signer,
    const char **reason);
athena_store_rc_e athena_jwks_published(athena_db_t *db, athena_arena_t *a,
    int64_t grace, athena_jwks_key_t **keys, size_t *n);
athena_store_rc_e athena_jwks_public(athena_db_t *db, athena_arena_t *a,
    const char *kid, int64_t grace, const char **public_key);
athena_store_rc_e athena_jwks_ensure(athena_db_t *db, athena_arena_t *a,
    const athena_jwks_conf_t *jc, const char **reason);


#endif /* ATHENA_JWKS_STORE_H */
