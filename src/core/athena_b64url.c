#include <stdint.h>

#include "athena_b64url.h"


static const char  athena_b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";


static int
athena_b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }

    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }

    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }

    if (c == '-') {
        return 62;
    }

    return c == '_' ? 63 : -1;
}


/* out: ATHENA_B64URL_LEN(n) characters and '\0'; returns their count */

size_t
athena_b64url_encode(const unsigned char *in, size_t n, char *out)
{
    size_t    i, o;
    uint32_t  w;

    o = 0;

    for (i = 0; i + 3 <= n; i += 3) {
        w = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8 | in[i + 2];
        out[o++] = athena_b64url_alphabet[w >> 18 & 63];
        out[o++] = athena_b64url_alphabet[w >> 12 & 63];
        out[o++] = athena_b64url_alphabet[w >> 6 & 63];
        out[o++] = athena_b64url_alphabet[w & 63];
    }

    if (n - i == 1) {
        w = (uint32_t) in[i] << 16;
        out[o++] = athena_b64url_alphabet[w >> 18 & 63];
        out[o++] = athena_b64url_alphabet[w >> 12 & 63];

    } else if (n - i == 2) {
        w = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8;
        out[o++] = athena_b64url_alphabet[w >> 18 & 63];
        out[o++] = athena_b64url_alphabet[w >> 12 & 63];
        out[o++] = athena_b64url_alphabet[w >> 6 & 63];
    }

    out[o] = '\0';

    return o;
}


/* out: room for ATHENA_B64URL_BYTES(n) bytes; -1 on any text not canonical */

int
athena_b64url_decode(const char *in, size_t n, unsigned char *out,
    size_t *len)
{
    int       v;
    size_t    i, o, bits;
    uint32_t  acc;

    if (n % 4 == 1) {
        return -1;
    }

    acc = 0;
    bits = 0;
    o = 0;

    for (i = 0; i < n; i++) {
        v = athena_b64url_value((unsigned char) in[i]);
        if (v < 0) {
            return -1;
        }

        acc = (acc << 6 | (uint32_t) v) & 0xffffff;
        bits += 6;

        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char) (acc >> bits);
        }
    }

    /* what is left over must be zero bits (2 or 4 of them) */
    if (acc & ((1u << bits) - 1)) {
        return -1;
    }

    *len = o;

    return 0;
}
