#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "athena_crypto.h"
#include "athena_scrypt.h"


/* better-auth's password parameters (reference §3) */
#define ATHENA_SCRYPT_N       16384
#define ATHENA_SCRYPT_R       16
#define ATHENA_SCRYPT_P       1
#define ATHENA_SCRYPT_KEYLEN  64


static const char  athena_alnum[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";


/* out: 2 * len lower-case hex digits and '\0' */

void
athena_hex(const unsigned char *in, size_t len, char *out)
{
    size_t             i;
    static const char  hex[] = "0123456789abcdef";

    for (i = 0; i < len; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 0xf];
    }

    out[2 * len] = '\0';
}


static int
athena_hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }

    return -1;
}


/* 2 * len hex digits to len bytes; -1 on any other character */

int
athena_unhex(const char *in, size_t len, unsigned char *out)
{
    int     hi, lo;
    size_t  i;

    for (i = 0; i < len; i++) {
        hi = athena_hex_digit((unsigned char) in[2 * i]);
        lo = hi < 0 ? -1 : athena_hex_digit((unsigned char) in[2 * i + 1]);

        if (lo < 0) {
            return -1;
        }

        out[i] = (unsigned char) (hi << 4 | lo);
    }

    return 0;
}


/*
 * 32 characters of [A-Za-z0-9]; bytes >= 248 are rejected so that every
 * character is equally likely, as better-auth's generator does.
 */

int
athena_random_id(char *out)
{
    size_t         i, n;
    unsigned char  buf[64];

    n = 0;

    while (n < ATHENA_ID_LEN) {
        if (RAND_bytes(buf, sizeof(buf)) != 1) {
            return -1;
        }

        for (i = 0; i < sizeof(buf) && n < ATHENA_ID_LEN; i++) {
            if (buf[i] < 248) {
                out[n++] = athena_alnum[buf[i] % 62];
            }
        }
    }

    out[ATHENA_ID_LEN] = '\0';

    return 0;
}


/*
 * SHA-256 and HMAC-SHA256 through contexts kept per thread. OpenSSL 3's
 * one-shot SHA256() and HMAC() fetch the algorithm by name (and HMAC()
 * sets the key up again) on every call, under the library's locks: 0.9 us
 * a token's hash and 3.3-3.7 us a signature on one thread, more than the
 * work itself, and every request the gate or the API reads pays them. A
 * thread's contexts are made on its first call, keep the HMAC key (and a
 * copy, to see another) and are freed when the thread ends.
 */

#define ATHENA_HMAC_KEY_MAX  256

typedef struct {
    EVP_MD_CTX     *md;
    EVP_MAC_CTX    *mac;
    size_t          klen;
    unsigned char   key[ATHENA_HMAC_KEY_MAX];
} athena_crypto_thread_t;


static EVP_MD          *athena_sha256_md;
static EVP_MAC         *athena_hmac_mac;
static pthread_key_t    athena_crypto_key;
static pthread_once_t   athena_crypto_once = PTHREAD_ONCE_INIT;
static int              athena_crypto_ready;


static void
athena_crypto_thread_free(void *data)
{
    athena_crypto_thread_t  *t = data;

    EVP_MD_CTX_free(t->md);
    EVP_MAC_CTX_free(t->mac);
    OPENSSL_cleanse(t->key, sizeof(t->key));
    free(t);
}


static void
athena_crypto_init(void)
{
    athena_sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    athena_hmac_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);

    athena_crypto_ready = athena_sha256_md != NULL && athena_hmac_mac != NULL
                          && pthread_key_create(&athena_crypto_key,
                                                athena_crypto_thread_free)
                             == 0;
}


/* this thread's contexts: NULL if they cannot be had */

static athena_crypto_thread_t *
athena_crypto_thread(void)
{
    athena_crypto_thread_t  *t;

    (void) pthread_once(&athena_crypto_once, athena_crypto_init);

    if (!athena_crypto_ready) {
        return NULL;
    }

    t = pthread_getspecific(athena_crypto_key);
    if (t != NULL) {
        return t;
    }

    t = calloc(1, sizeof(athena_crypto_thread_t));
    if (t == NULL) {
        return NULL;
    }

    t->md = EVP_MD_CTX_new();
    t->mac = EVP_MAC_CTX_new(athena_hmac_mac);
    t->klen = (size_t) -1;

    if (t->md == NULL || t->mac == NULL
        || pthread_setspecific(athena_crypto_key, t) != 0)
    {
        athena_crypto_thread_free(t);
        return NULL;
    }

    return t;
}


/* SHA-256 of head (hlen bytes, maybe none) and then data */

static int
athena_sha256_parts(const char *head, size_t hlen, const char *data,
    size_t len, unsigned char *out)
{
    int                      ok;
    EVP_MD_CTX              *md, *own;
    athena_crypto_thread_t  *t;

    t = athena_crypto_thread();
    own = t ? NULL : EVP_MD_CTX_new();
    md = t ? t->md : own;

    ok = md != NULL
         && EVP_DigestInit_ex2(md, t ? athena_sha256_md : EVP_sha256(), NULL)
            == 1
         && (hlen == 0 || EVP_DigestUpdate(md, head, hlen) == 1)
         && EVP_DigestUpdate(md, data, len) == 1
         && EVP_DigestFinal_ex(md, out, NULL) == 1;

    EVP_MD_CTX_free(own);

    return ok ? 0 : -1;
}


void
athena_sha256(const char *data, size_t len, unsigned char *out)
{
    if (athena_sha256_parts(NULL, 0, data, len, out) != 0) {
        SHA256((const unsigned char *) data, len, out);
    }
}


/* SHA-256 of a prefix and then data, without joining them */

int
athena_sha256_prefixed(const char *prefix, const char *data, size_t len,
    unsigned char *out)
{
    return athena_sha256_parts(prefix, strlen(prefix), data, len, out);
}


void
athena_sha256_hex(const char *data, size_t len, char *out)
{
    unsigned char  md[SHA256_DIGEST_LENGTH];

    athena_sha256(data, len, md);
    athena_hex(md, sizeof(md), out);
}


/* Redis names a script by the SHA-1 of its text (EVALSHA): not a secret */

void
athena_sha1_hex(const char *data, size_t len, char *out)
{
    unsigned char  md[SHA_DIGEST_LENGTH];

    SHA1((const unsigned char *) data, len, md);
    athena_hex(md, sizeof(md), out);
}


/* this thread's HMAC context, keyed with secret: NULL if it cannot be had */

static EVP_MAC_CTX *
athena_hmac_keyed(const char *secret, size_t slen)
{
    OSSL_PARAM               params[2];
    athena_crypto_thread_t  *t;

    if (slen > ATHENA_HMAC_KEY_MAX) {
        return NULL;
    }

    t = athena_crypto_thread();
    if (t == NULL) {
        return NULL;
    }

    /* the same key: the context starts again from it */
    if (t->klen == slen && memcmp(t->key, secret, slen) == 0) {
        return EVP_MAC_init(t->mac, NULL, 0, NULL) == 1 ? t->mac : NULL;
    }

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *) "SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();

    if (EVP_MAC_init(t->mac, (const unsigned char *) secret, slen, params)
        != 1)
    {
        t->klen = (size_t) -1;
        return NULL;
    }

    memcpy(t->key, secret, slen);
    t->klen = slen;

    return t->mac;
}


/* out receives the 44-character padded base64 signature and a NUL */

int
athena_sign(const char *secret, size_t slen, const char *msg, size_t mlen,
    char *out)
{
    size_t          len;
    unsigned int    mdlen;
    EVP_MAC_CTX    *ctx;
    unsigned char   md[EVP_MAX_MD_SIZE];

    ctx = athena_hmac_keyed(secret, slen);

    if (ctx != NULL) {
        if (EVP_MAC_update(ctx, (const unsigned char *) msg, mlen) != 1
            || EVP_MAC_final(ctx, md, &len, sizeof(md)) != 1)
        {
            return -1;
        }

        mdlen = (unsigned int) len;

    } else if (HMAC(EVP_sha256(), secret, (int) slen,
                    (const unsigned char *) msg, mlen, md, &mdlen)
               == NULL)
    {
        return -1;
    }

    EVP_EncodeBlock((unsigned char *) out, md, (int) mdlen);

    return 0;
}


/*
 * better-auth decodes signatures accepting both base64 alphabets, so a
 * signature is compared as bytes after normalising '-' and '_'.
 */

int
athena_verify_signature(const char *secret, size_t slen, const char *msg,
    size_t mlen, const char *sig, size_t siglen)
{
    size_t   i;
    char     norm[ATHENA_SIG_LEN + 1];
    char     want[ATHENA_SIG_LEN + 1];

    if (siglen < ATHENA_SIG_LEN - 1 || siglen > ATHENA_SIG_LEN) {
        return 0;
    }

    for (i = 0; i < siglen; i++) {
        norm[i] = sig[i] == '-' ? '+' : (sig[i] == '_' ? '/' : sig[i]);
    }

    /* the url-safe form may drop the padding */
    for ( /* void */ ; i < ATHENA_SIG_LEN; i++) {
        norm[i] = '=';
    }

    if (athena_sign(secret, slen, msg, mlen, want) != 0) {
        return 0;
    }

    return CRYPTO_memcmp(norm, want, ATHENA_SIG_LEN) == 0;
}


int
athena_equal(const void *a, size_t alen, const void *b, size_t blen)
{
    if (alen != blen) {
        return 0;
    }

    return CRYPTO_memcmp(a, b, alen) == 0;
}


static int
athena_scrypt(const char *password, size_t len, const char *salt_hex,
    unsigned char *key)
{
    /* the salt is the hex text itself, not the bytes it encodes */
    return athena_scrypt_kdf((const unsigned char *) password, len,
                             (const unsigned char *) salt_hex, 32,
                             ATHENA_SCRYPT_N, ATHENA_SCRYPT_R, ATHENA_SCRYPT_P,
                             key, ATHENA_SCRYPT_KEYLEN);
}


/* the password must already be NFKC-normalised; out holds ATHENA_HASH_LEN+1 */

int
athena_password_hash(const char *password, size_t len, char *out)
{
    unsigned char  salt[16];
    unsigned char  key[ATHENA_SCRYPT_KEYLEN];

    if (RAND_bytes(salt, sizeof(salt)) != 1) {
        return -1;
    }

    athena_hex(salt, sizeof(salt), out);

    if (athena_scrypt(password, len, out, key) != 0) {
        return -1;
    }

    out[32] = ':';
    athena_hex(key, sizeof(key), out + 33);

    return 0;
}


int
athena_password_verify(const char *password, size_t len, const char *stored)
{
    char           salt[33];
    char           hex[ATHENA_SCRYPT_KEYLEN * 2 + 1];
    unsigned char  key[ATHENA_SCRYPT_KEYLEN];

    if (strlen(stored) != ATHENA_HASH_LEN || stored[32] != ':') {
        return 0;
    }

    memcpy(salt, stored, 32);
    salt[32] = '\0';

    if (athena_scrypt(password, len, salt, key) != 0) {
        return 0;
    }

    athena_hex(key, sizeof(key), hex);

    return CRYPTO_memcmp(hex, stored + 33, sizeof(hex) - 1) == 0;
}
