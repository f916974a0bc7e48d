/*
 * base64url without padding (RFC 4648 §5), as JWTs, JWKs and the api-key
 * plugin's stored hashes write it. Decoding is strict: no padding, no
 * other alphabet, and the unused bits of the last character zero, so that
 * one value has exactly one text (a token cannot be altered and still
 * read the same).
 */

#ifndef ATHENA_B64URL_H
#define ATHENA_B64URL_H

#include <stddef.h>


/* characters for n bytes, and bytes at most for n characters */
#define ATHENA_B64URL_LEN(n)     (((n) * 4 + 2) / 3)
#define ATHENA_B64URL_BYTES(n)   ((n) * 3 / 4)


size_t athena_b64url_encode(const unsigned char *in, size_t n, char *out);
int athena_b64url_decode(const char *in, size_t n, unsigned char *out,
    size_t *len);


#endif /* ATHENA_B64URL_H */
