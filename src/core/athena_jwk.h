/*
 * Ed25519 key pairs as better-auth's jwt plugin keeps them: public and
 * private JWKs in jose's member order, the private one sealed with
 * XChaCha20-Poly1305 under SHA-256 of the secret (libsodium), stored as
 * hex in a JSON string.
 */

#ifndef ATHENA_JWK_H
#define ATHENA_JWK_H

#include <stddef.h>

#include "athena_arena.h"


#define ATHENA_ED25519_PK   32
#define ATHENA_ED25519_SK   64      /* libsodium's: seed, then public key */
#define ATHENA_ED25519_SIG  64


typedef struct {
    unsigned char  pk[ATHENA_ED25519_PK];
    unsigned char  sk[ATHENA_ED25519_SK];
} athena_ed25519_t;


int athena_jwk_init(void);
int athena_jwk_generate(athena_ed25519_t *k);
char *athena_jwk_public(athena_arena_t *a, const unsigned char *pk);
char *athena_jwk_private(athena_arena_t *a, const athena_ed25519_t *k);
int athena_jwk_read_public(athena_arena_t *a, const char *json,
    unsigned char *pk);
int athena_jwk_read_private(athena_arena_t *a, const char *json,
    athena_ed25519_t *k);
char *athena_jwk_seal(athena_arena_t *a, const char *secret, size_t slen,
    const char *plain);
char *athena_jwk_open(athena_arena_t *a, const char *secret, size_t slen,
    const char *stored);


#endif /* ATHENA_JWK_H */
