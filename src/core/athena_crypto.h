/*
 * Credentials made exactly as better-auth makes them: 32-character ids
 * and tokens, HMAC-SHA256 signed cookie values, scrypt password hashes in
 * "saltHex:keyHex" form, and SHA-256 cache keys.
 */

#ifndef ATHENA_CRYPTO_H
#define ATHENA_CRYPTO_H

#include <stddef.h>


#define ATHENA_ID_LEN        32
#define ATHENA_SHA256_HEX    64
#define ATHENA_SHA1_HEX      40
#define ATHENA_SIG_LEN       44     /* base64 of 32 bytes, padded */
#define ATHENA_HASH_LEN      (32 + 1 + 128)


int athena_random_id(char *out);
void athena_hex(const unsigned char *in, size_t len, char *out);
int athena_unhex(const char *in, size_t len, unsigned char *out);
#define ATHENA_SHA256_LEN    32
void athena_sha256(const char *data, size_t len, unsigned char *out);
int athena_sha256_prefixed(const char *prefix, const char *data,
    size_t len, unsigned char *out);
void athena_sha256_hex(const char *data, size_t len, char *out);
void athena_sha1_hex(const char *data, size_t len, char *out);
int athena_sign(const char *secret, size_t slen, const char *msg,
    size_t mlen, char *out);
int athena_verify_signature(const char *secret, size_t slen,
    const char *msg, size_t mlen, const char *sig, size_t siglen);
int athena_equal(const void *a, size_t alen, const void *b, size_t blen);
int athena_password_hash(const char *password, size_t len, char *out);
int athena_password_verify(const char *password, size_t len,
    const char *stored);


#endif /* ATHENA_CRYPTO_H */
