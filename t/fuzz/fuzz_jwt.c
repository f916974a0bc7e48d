/*
 * JWTs and base64url (src/core/athena_jwt.c, athena_b64url.c), for any
 * bytes: base64url decodes what it encodes, and what it decodes encodes
 * back to the very input (one text per value); a token parses or is
 * refused without reading past it, and one that parses names a kid and
 * is refused by a key that did not sign it; the input as a payload, when
 * it is a JSON object, signs into a token that parses and verifies with
 * the signing key alone.
 */

#include "fuzz.h"
#include "../../src/core/athena_b64url.h"
#include "../../src/core/athena_jwt.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                    *s, *enc, *tok;
    size_t                   n;
    athena_jwt_t             jwt;
    unsigned char           *raw;
    athena_arena_t          *a;
    static int               ready;
    static athena_ed25519_t  signer, other;

    if (!ready) {
        fuzz_check(athena_jwk_init() == 0);
        fuzz_check(athena_jwk_generate(&signer) == 0);
        fuzz_check(athena_jwk_generate(&other) == 0);
        ready = 1;
    }

    if (size > 4 * ATHENA_JWT_MAX) {
        return 0;
    }

    a = fuzz_arena();
    s = fuzz_copy(data, size);

    enc = athena_alloc(a, ATHENA_B64URL_LEN(size) + 1);
    /* room for the input itself, and for what it decodes to (less) */
    raw = athena_alloc(a, size + 1);
    fuzz_check(enc != NULL && raw != NULL);

    n = athena_b64url_encode(data, size, enc);
    fuzz_check(n == ATHENA_B64URL_LEN(size));
    fuzz_check(athena_b64url_decode(enc, n, raw, &n) == 0 && n == size
               && memcmp(raw, data, size) == 0);

    if (athena_b64url_decode(s, size, raw, &n) == 0) {
        fuzz_check(n == ATHENA_B64URL_BYTES(size));
        athena_b64url_encode(raw, n, enc);
        fuzz_check(strlen(enc) == size && memcmp(enc, data, size) == 0);
    }

    if (athena_jwt_parse(a, s, size, &jwt) == ATHENA_JWT_OK) {
        fuzz_check(jwt.kid != NULL && jwt.claims != NULL);
        fuzz_check(jwt.input == s && jwt.input_len < size);
        fuzz_check(athena_jwt_verify(&jwt, other.pk) == ATHENA_JWT_SIGNATURE);
        (void) athena_jwt_claims(&jwt, 1700000000, "i", "a");
    }

    tok = athena_jwt_sign(a, "k", &signer, s, size);
    fuzz_check(tok != NULL);

    if (size > 0 && data[0] == '{'
        && athena_jwt_parse(a, tok, strlen(tok), &jwt) == ATHENA_JWT_OK)
    {
        fuzz_check(strcmp(jwt.kid, "k") == 0);
        fuzz_check(athena_jwt_verify(&jwt, signer.pk) == ATHENA_JWT_OK);
    }

    free(s);
    athena_arena_destroy(a);

    return 0;
}
