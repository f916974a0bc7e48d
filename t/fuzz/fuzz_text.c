/*
 * Text as JavaScript sees it (src/core/athena_text.c). For any bytes: the
 * UTF-16 length agrees with a count made another way, an email the rule
 * accepts is ASCII with one '@', percent-decoding what was encoded gives
 * the input back. For valid UTF-8, as the module only passes: NFKC and the
 * lower-casing of emails give valid UTF-8, and NFKC of NFKC changes
 * nothing.
 */

#include "fuzz.h"
#include "../../src/core/athena_text.h"


/* String.prototype.length counted per byte: lead bytes, twice for 4 */

static size_t
fuzz_text_utf16(const char *s, size_t len)
{
    size_t          i, n;
    unsigned char   c;

    n = 0;

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];
        n += (c & 0xc0) != 0x80;
        n += c >= 0xf0;
    }

    return n;
}


static void
fuzz_text_unicode(athena_arena_t *a, const char *s, size_t len)
{
    char    *nfkc, *again, *lower;
    size_t   n, n2;

    fuzz_check(athena_utf16_len(s, len) == fuzz_text_utf16(s, len));

    nfkc = athena_nfkc(a, s, len, &n);
    fuzz_check(nfkc != NULL && athena_utf8_valid(nfkc, n));

    again = athena_nfkc(a, nfkc, n, &n2);
    fuzz_check(again != NULL && n == n2 && memcmp(nfkc, again, n) == 0);

    lower = athena_email_normalize(a, s, len);
    fuzz_check(lower != NULL && athena_utf8_valid(lower, strlen(lower)));
}


static void
fuzz_text_email(const uint8_t *data, size_t size)
{
    char        *s;
    const char  *p;

    s = fuzz_cstr(data, size);

    if (athena_email_valid(s)) {
        fuzz_check(strchr(s, '@') == strrchr(s, '@'));

        for (p = s; *p; p++) {
            fuzz_check((unsigned char) *p < 0x80);
        }
    }

    free(s);
}


static void
fuzz_text_uri(athena_arena_t *a, const char *s, size_t len)
{
    char         *enc, *dec;
    size_t        n, elen;
    const char   *p;

    enc = athena_uri_encode(a, s, len);
    fuzz_check(enc != NULL);

    elen = strlen(enc);
    fuzz_check(elen >= len && elen <= 3 * len);

    for (p = enc; *p; p++) {
        fuzz_check(strchr("-_.!~*'()%", *p) != NULL
                   || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z')
                   || (*p >= 'A' && *p <= 'Z'));
    }

    dec = athena_uri_decode(a, enc, elen, &n);
    fuzz_check(dec != NULL && n == len && memcmp(dec, s, len) == 0);

    dec = athena_uri_decode(a, s, len, &n);
    fuzz_check(dec != NULL && n <= len && dec[n] == '\0');
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char            *s;
    athena_arena_t  *a;

    a = fuzz_arena();
    s = fuzz_copy(data, size);

    /* the count is defined for any bytes; only where it is read from */
    (void) athena_utf16_len(s, size);

    if (athena_utf8_valid(s, size)) {
        fuzz_text_unicode(a, s, size);
    }

    fuzz_text_email(data, size);
    fuzz_text_uri(a, s, size);

    free(s);
    athena_arena_destroy(a);

    return 0;
}
