#include <string.h>

#include <sodium.h>

#include "athena_b64url.h"
#include "athena_crypto.h"
#include "athena_json.h"
#include "athena_jwk.h"


#define ATHENA_SEAL_NONCE  crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define ATHENA_SEAL_TAG    crypto_aead_xchacha20poly1305_ietf_ABYTES

/* the largest private JWK read: an Ed25519 one is 120 bytes */
#define ATHENA_JWK_MAX     4096


/* once per process, before any thread uses libsodium */

int
athena_jwk_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}


int
athena_jwk_generate(athena_ed25519_t *k)
{
    return crypto_sign_ed25519_keypair(k->pk, k->sk) == 0 ? 0 : -1;
}


/* {"crv":"Ed25519","x":"..","kty":"OKP"}: jose's export, member order too */

char *
athena_jwk_public(athena_arena_t *a, const unsigned char *pk)
{
    char  x[ATHENA_B64URL_LEN(ATHENA_ED25519_PK) + 1];

    athena_b64url_encode(pk, ATHENA_ED25519_PK, x);

    return athena_sprintf(a, "{\"crv\":\"Ed25519\",\"x\":\"%s\","
                             "\"kty\":\"OKP\"}", x);
}


char *
athena_jwk_private(athena_arena_t *a, const athena_ed25519_t *k)
{
    char  d[ATHENA_B64URL_LEN(32) + 1];
    char  x[ATHENA_B64URL_LEN(ATHENA_ED25519_PK) + 1];

    /* the seed is the first half of libsodium's secret key */
    athena_b64url_encode(k->sk, 32, d);
    athena_b64url_encode(k->pk, ATHENA_ED25519_PK, x);

    return athena_sprintf(a, "{\"crv\":\"Ed25519\",\"d\":\"%s\",\"x\":\"%s\","
                             "\"kty\":\"OKP\"}", d, x);
}


/* a member of a JWK that is base64url of exactly n bytes */

static int
athena_jwk_bytes(const athena_json_t *jwk, const char *name,
    unsigned char *out, size_t n)
{
    size_t               len;
    unsigned char        buf[64];
    const athena_json_t  *v;

    v = athena_json_get(jwk, name);

    if (v == NULL || v->type != ATHENA_JSON_STRING
        || v->len != ATHENA_B64URL_LEN(n) || n > sizeof(buf)
        || athena_b64url_decode(v->string, v->len, buf, &len) != 0
        || len != n)
    {
        return -1;
    }

    memcpy(out, buf, n);
    sodium_memzero(buf, sizeof(buf));

    return 0;
}


static athena_json_t *
athena_jwk_parse(athena_arena_t *a, const char *json)
{
    size_t               len;
    athena_json_t       *jwk;
    const athena_json_t  *kty, *crv;

    len = json ? strlen(json) : 0;

    if (len == 0 || len > ATHENA_JWK_MAX
        || athena_json_parse(a, json, len, 4, &jwk) != ATHENA_JSON_OK
        || jwk->type != ATHENA_JSON_OBJECT)
    {
        return NULL;
    }

    kty = athena_json_get(jwk, "kty");
    crv = athena_json_get(jwk, "crv");

    if (kty == NULL || kty->type != ATHENA_JSON_STRING
        || strcmp(kty->string, "OKP") != 0
        || crv == NULL || crv->type != ATHENA_JSON_STRING
        || strcmp(crv->string, "Ed25519") != 0)
    {
        return NULL;
    }

    return jwk;
}


int
athena_jwk_read_public(athena_arena_t *a, const char *json, unsigned char *pk)
{
    athena_json_t  *jwk;

    jwk = athena_jwk_parse(a, json);

    return jwk ? athena_jwk_bytes(jwk, "x", pk, ATHENA_ED25519_PK) : -1;
}


/* the pair from its seed ("d"), which must give the stored "x" */

int
athena_jwk_read_private(athena_arena_t *a, const char *json,
    athena_ed25519_t *k)
{
    int             rc;
    athena_json_t  *jwk;
    unsigned char   seed[32], x[ATHENA_ED25519_PK];

    jwk = athena_jwk_parse(a, json);

    if (jwk == NULL
        || athena_jwk_bytes(jwk, "d", seed, sizeof(seed)) != 0
        || athena_jwk_bytes(jwk, "x", x, sizeof(x)) != 0)
    {
        return -1;
    }

    rc = crypto_sign_ed25519_seed_keypair(k->pk, k->sk, seed);
    sodium_memzero(seed, sizeof(seed));

    if (rc != 0 || sodium_memcmp(k->pk, x, sizeof(x)) != 0) {
        sodium_memzero(k->sk, sizeof(k->sk));
        return -1;
    }

    return 0;
}


/*
 * "\"<hex of nonce, ciphertext, tag>\"": the plugin's symmetricEncrypt()
 * output as JSON.stringify() stores it.
 */

char *
athena_jwk_seal(athena_arena_t *a, const char *secret, size_t slen,
    const char *plain)
{
    char                *out;
    size_t               n, blen;
    unsigned char        key[ATHENA_SHA256_LEN], *blob;
    unsigned long long   clen;

    n = strlen(plain);
    blen = ATHENA_SEAL_NONCE + n + ATHENA_SEAL_TAG;

    blob = athena_alloc(a, blen);
    out = athena_alloc(a, 2 * blen + 3);
    if (blob == NULL || out == NULL) {
        return NULL;
    }

    athena_sha256(secret, slen, key);
    randombytes_buf(blob, ATHENA_SEAL_NONCE);

    crypto_aead_xchacha20poly1305_ietf_encrypt(blob + ATHENA_SEAL_NONCE,
        &clen, (const unsigned char *) plain, n, NULL, 0, NULL, blob, key);
    sodium_memzero(key, sizeof(key));

    out[0] = '"';
    athena_hex(blob, ATHENA_SEAL_NONCE + (size_t) clen, out + 1);
    n = strlen(out);
    out[n] = '"';
    out[n + 1] = '\0';

    return out;
}


/*
 * The private JWK's JSON from a "privateKey" column: sealed as above, or
 * in clear when the plugin was told not to encrypt. NULL when it does not
 * open with this secret, or is sealed under a versioned secret ("$ba$"),
 * which this module does not configure.
 */

char *
athena_jwk_open(athena_arena_t *a, const char *secret, size_t slen,
    const char *stored)
{
    char                *plain;
    size_t               n, blen;
    unsigned char        key[ATHENA_SHA256_LEN], *blob;
    unsigned long long   plen;

    n = strlen(stored);

    if (n > 0 && stored[0] == '{') {
        return (char *) stored;
    }

    if (n < 2 || stored[0] != '"' || stored[n - 1] != '"' || n % 2 != 0
        || n > 2 * ATHENA_JWK_MAX)
    {
        return NULL;
    }

    blen = (n - 2) / 2;
    if (blen <= ATHENA_SEAL_NONCE + ATHENA_SEAL_TAG) {
        return NULL;
    }

    blob = athena_alloc(a, blen);
    plain = athena_alloc(a, blen);
    if (blob == NULL || plain == NULL
        || athena_unhex(stored + 1, blen, blob) != 0)
    {
        return NULL;
    }

    athena_sha256(secret, slen, key);

    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *) plain,
            &plen, NULL, blob + ATHENA_SEAL_NONCE, blen - ATHENA_SEAL_NONCE,
            NULL, 0, blob, key) != 0)
    {
        sodium_memzero(key, sizeof(key));
        return NULL;
    }

    sodium_memzero(key, sizeof(key));
    plain[plen] = '\0';

    return plain;
}
