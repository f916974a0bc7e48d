#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include <unistr.h>
#include <uninorm.h>
#include <unicase.h>

#include "athena_text.h"


int
athena_utf8_valid(const char *s, size_t len)
{
    return u8_check((const uint8_t *) s, len) == NULL;
}


/*
 * The bytes as text the way the WHATWG decoder reads them (URLSearchParams,
 * TextDecoder): each maximal part of an ill-formed sequence becomes one
 * U+FFFD, so "%ff" in a query reaches an endpoint as better-auth sees it.
 */

char *
athena_utf8_scrub(athena_arena_t *a, const char *s, size_t len,
    size_t *outlen)
{
    char                 *out, *p;
    size_t                i, j, k, need;
    unsigned char         b, lo, hi;
    const unsigned char  *u;

    /* one bad byte may grow into three */
    out = athena_alloc(a, len * 3 + 1);
    if (out == NULL) {
        return NULL;
    }

    u = (const unsigned char *) s;
    p = out;
    i = 0;

    while (i < len) {
        b = u[i];
        lo = 0x80;
        hi = 0xbf;

        if (b < 0x80) {
            *p++ = (char) b;
            i++;
            continue;
        }

        if (b >= 0xc2 && b <= 0xdf) {
            need = 1;
        } else if (b >= 0xe0 && b <= 0xef) {
            need = 2;
            lo = (b == 0xe0) ? 0xa0 : 0x80;
            hi = (b == 0xed) ? 0x9f : 0xbf;
        } else if (b >= 0xf0 && b <= 0xf4) {
            need = 3;
            lo = (b == 0xf0) ? 0x90 : 0x80;
            hi = (b == 0xf4) ? 0x8f : 0xbf;
        } else {
            need = 0;
        }

        /* the continuation bytes; the first one has the narrower range */
        for (j = i + 1, k = 0; need && k < need; j++, k++) {
            if (j >= len || u[j] < lo || u[j] > hi) {
                break;
            }
            lo = 0x80;
            hi = 0xbf;
        }

        if (need == 0 || k < need) {
            /* U+FFFD; the byte that broke the sequence is read again */
            *p++ = (char) 0xef;
            *p++ = (char) 0xbf;
            *p++ = (char) 0xbd;
            i = need ? j : i + 1;
            continue;
        }

        while (i < j) {
            *p++ = (char) u[i++];
        }
    }

    *p = '\0';

    if (outlen) {
        *outlen = (size_t) (p - out);
    }

    return out;
}


/*
 * A header as Node's HTTP parser hands it to better-auth: every byte a
 * Latin-1 character, so a client's non-ASCII User-Agent is kept, never
 * refused, and stored as better-auth would store it.
 */

char *
athena_latin1_utf8(athena_arena_t *a, const char *s, size_t len)
{
    char                 *out, *p;
    size_t                i;
    const unsigned char  *u;

    out = athena_alloc(a, len * 2 + 1);
    if (out == NULL) {
        return NULL;
    }

    u = (const unsigned char *) s;
    p = out;

    for (i = 0; i < len; i++) {
        if (u[i] < 0x80) {
            *p++ = (char) u[i];

        } else {
            *p++ = (char) (0xc0 | u[i] >> 6);
            *p++ = (char) (0x80 | (u[i] & 0x3f));
        }
    }

    *p = '\0';

    return out;
}


/* String.prototype.length: code points above U+FFFF count twice */

size_t
athena_utf16_len(const char *s, size_t len)
{
    size_t          n;
    const uint8_t  *p, *end;

    n = 0;
    p = (const uint8_t *) s;
    end = p + len;

    while (p < end) {
        if (*p >= 0xf0) {
            n += 2;
            p += 4;

        } else {
            n++;
            p += *p >= 0xe0 ? 3 : (*p >= 0xc0 ? 2 : 1);
        }
    }

    return n;
}


/* copies libunistring's malloc'd result into the arena */

static char *
athena_unistring_copy(athena_arena_t *a, uint8_t *r, size_t n,
    size_t *outlen)
{
    char  *p;

    if (r == NULL) {
        return NULL;
    }

    p = athena_strndup(a, (const char *) r, n);
    free(r);

    if (outlen) {
        *outlen = n;
    }

    return p;
}


char *
athena_nfkc(athena_arena_t *a, const char *s, size_t len, size_t *outlen)
{
    size_t    n;
    uint8_t  *r;

    r = u8_normalize(UNINORM_NFKC, (const uint8_t *) s, len, NULL, &n);

    return athena_unistring_copy(a, r, n, outlen);
}


/* better-auth stores emails lowercased (String.prototype.toLowerCase) */

char *
athena_email_normalize(athena_arena_t *a, const char *s, size_t len)
{
    size_t    n;
    uint8_t  *r;

    r = u8_tolower((const uint8_t *) s, len, NULL, UNINORM_NFC, NULL, &n);

    return athena_unistring_copy(a, r, n, NULL);
}


static int
athena_email_local_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '\'' || c == '+' || c == '-'
           || c == '.';
}


/*
 * zod 4's default email rule: a local part of [A-Za-z0-9_'+-.] that does
 * not start with a dot, has no two dots in a row and does not end with one;
 * then one or more domain labels that start with an alphanumeric, and a
 * final label of two or more letters.
 */

int
athena_email_valid(const char *s)
{
    size_t       n;
    const char  *at, *p, *label;

    at = strchr(s, '@');
    if (at == NULL || at == s || strchr(at + 1, '@') != NULL) {
        return 0;
    }

    if (s[0] == '.' || at[-1] == '.') {
        return 0;
    }

    for (p = s; p < at; p++) {
        if (!athena_email_local_char((unsigned char) *p)
            || (p[0] == '.' && p[1] == '.'))
        {
            return 0;
        }
    }

    label = at + 1;
    n = 0;

    for (p = label; ; p++) {
        if (*p == '.' || *p == '\0') {
            if (p == label || !isalnum((unsigned char) *label)) {
                return 0;
            }

            n++;

            if (*p == '\0') {
                break;
            }

            label = p + 1;
            continue;
        }

        if (!isalnum((unsigned char) *p) && *p != '-') {
            return 0;
        }
    }

    if (n < 2 || p - label < 2) {
        return 0;
    }

    for (p = label; *p; p++) {
        if (!isalpha((unsigned char) *p)) {
            return 0;
        }
    }

    return 1;
}


/* encodeURIComponent: keeps A-Z a-z 0-9 - _ . ! ~ * ' ( ) */

char *
athena_uri_encode(athena_arena_t *a, const char *s, size_t len)
{
    char                *out, *p;
    size_t               i;
    unsigned char        c;
    static const char    hex[] = "0123456789ABCDEF";

    out = athena_alloc(a, len * 3 + 1);
    if (out == NULL) {
        return NULL;
    }

    p = out;

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        /* strchr() would find a NUL byte: the string's own terminator */
        if (isalnum(c) || (c != '\0' && strchr("-_.!~*'()", c) != NULL)) {
            *p++ = (char) c;
            continue;
        }

        *p++ = '%';
        *p++ = hex[c >> 4];
        *p++ = hex[c & 0xf];
    }

    *p = '\0';

    return out;
}


static int
athena_hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c = (char) tolower((unsigned char) c);

    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}


/* decodeURIComponent, but a bad escape is kept as it is, not an error */

char *
athena_uri_decode(athena_arena_t *a, const char *s, size_t len,
    size_t *outlen)
{
    int      hi, lo;
    char    *out, *p;
    size_t   i;

    out = athena_alloc(a, len + 1);
    if (out == NULL) {
        return NULL;
    }

    p = out;

    for (i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len) {
            hi = athena_hexval(s[i + 1]);
            lo = athena_hexval(s[i + 2]);

            if (hi >= 0 && lo >= 0) {
                *p++ = (char) (hi << 4 | lo);
                i += 2;
                continue;
            }
        }

        *p++ = s[i];
    }

    *p = '\0';

    if (outlen) {
        *outlen = (size_t) (p - out);
    }

    return out;
}


/* s without the ASCII white space around it, as a copy in a */

char *
athena_trim(athena_arena_t *a, const char *s, size_t len, size_t *outlen)
{
    while (len && strchr(" \t\r\n\v\f", *s) != NULL && *s != '\0') {
        s++;
        len--;
    }

    while (len && strchr(" \t\r\n\v\f", s[len - 1]) != NULL
           && s[len - 1] != '\0')
    {
        len--;
    }

    *outlen = len;

    return athena_strndup(a, s, len);
}
