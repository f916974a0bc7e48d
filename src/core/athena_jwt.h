/*
 * Compact JWS (JWT) as better-auth's jwt plugin makes them: header
 * {"alg":"EdDSA","kid":...}, Ed25519 signature, base64url without padding.
 * Verification takes the key by the header's kid and then checks the
 * claims the plugin's verifyJWT() checks, and nbf.
 */

#ifndef ATHENA_JWT_H
#define ATHENA_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "athena_arena.h"
#include "athena_json.h"
#include "athena_jwk.h"


#define ATHENA_JWT_MAX  8192    /* longer tokens are refused unread */


typedef enum {
    ATHENA_JWT_OK = 0,
    ATHENA_JWT_MALFORMED,       /* not three base64url parts of JSON */
    ATHENA_JWT_ALG,             /* not EdDSA (none, a swapped alg) */
    ATHENA_JWT_SIGNATURE,
    ATHENA_JWT_EXPIRED,
    ATHENA_JWT_EARLY,           /* nbf in the future */
    ATHENA_JWT_ISSUER,
    ATHENA_JWT_AUDIENCE,
    ATHENA_JWT_SUBJECT          /* no sub */
} athena_jwt_rc_e;


typedef struct {
    const char      *kid;
    athena_json_t   *claims;
    const char      *sub;
    int64_t          exp;           /* seconds; 0: none */

    /* what the signature covers, and the signature */
    const char      *input;
    size_t           input_len;
    unsigned char    sig[ATHENA_ED25519_SIG];
} athena_jwt_t;


const char *athena_jwt_bearer(const char *auth, size_t len, size_t *n);
char *athena_jwt_sign(athena_arena_t *a, const char *kid,
    const athena_ed25519_t *k, const char *payload, size_t len);
athena_jwt_rc_e athena_jwt_parse(athena_arena_t *a, const char *token,
    size_t len, athena_jwt_t *jwt);
athena_jwt_rc_e athena_jwt_verify(const athena_jwt_t *jwt,
    const unsigned char *pk);
athena_jwt_rc_e athena_jwt_claims(const athena_jwt_t *jwt, int64_t now,
    const char *issuer, const char *audience);
const char *athena_jwt_reason(athena_jwt_rc_e rc);


#endif /* ATHENA_JWT_H */
