/*
 * Reads a cache notification's items (athena_notice.h).
 */

#include <string.h>

#include "athena_apikey.h"
#include "athena_notice.h"


/*
 * A digest in the lower-case hex that encode(..., 'hex') writes: the
 * Redis key is made of this text, so no other spelling of it will do.
 */

static int
athena_notice_hex(const char *s, size_t len, unsigned char *out)
{
    char  hex[2 * ATHENA_SHA256_LEN + 1];

    if (len != 2 * ATHENA_SHA256_LEN
        || athena_unhex(s, ATHENA_SHA256_LEN, out) != 0)
    {
        return -1;
    }

    athena_hex(out, ATHENA_SHA256_LEN, hex);

    return memcmp(hex, s, len) == 0 ? 0 : -1;
}


/* an id the trigger wrote: not empty, no control byte */

static int
athena_notice_id(const char *s, size_t len)
{
    size_t  i;

    if (len == 0) {
        return -1;
    }

    for (i = 0; i < len; i++) {
        if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f) {
            return -1;
        }
    }

    return 0;
}


static void
athena_notice_read(const char *line, size_t len, athena_notice_item_t *it)
{
    char        hash[ATHENA_APIKEY_HASH_LEN + 1];
    const char  *v;
    size_t       n;

    memset(it, 0, sizeof(athena_notice_item_t));
    it->type = ATHENA_NOTICE_FLUSH;

    if (len < 3 || line[1] != ':') {
        return;
    }

    v = line + 2;
    n = len - 2;

    switch (line[0]) {

    case 's':
    case 'x':
        if (athena_notice_hex(v, n, it->digest) != 0) {
            return;
        }

        it->type = line[0] == 's' ? ATHENA_NOTICE_SESSION
                                  : ATHENA_NOTICE_ENDED;
        break;

    case 'k':
        /* a key the plugin stores unhashed is not cached by its text */
        if (n != ATHENA_APIKEY_HASH_LEN) {
            return;
        }

        memcpy(hash, v, n);
        hash[n] = '\0';

        if (athena_apikey_hash_raw(hash, it->digest) != 0) {
            return;
        }

        it->type = ATHENA_NOTICE_KEY;
        break;

    case 'm':
        /* "org:user", which the cache's key names as it is */
        if (athena_notice_id(v, n) != 0 || memchr(v, ':', n) == NULL) {
            return;
        }

        it->type = ATHENA_NOTICE_MEMBER;
        break;

    case 'r':
        if (athena_notice_id(v, n) != 0) {
            return;
        }

        it->type = ATHENA_NOTICE_ROLES;
        break;

    default:
        return;
    }

    it->value = v;
    it->len = n;
}


/*
 * The next item at *p (which moves past it): 1, or 0 at the end. Empty
 * lines are skipped.
 */

int
athena_notice_next(const char **p, const char *end,
    athena_notice_item_t *item)
{
    const char  *line, *nl;

    for ( ;; ) {
        if (*p >= end) {
            return 0;
        }

        line = *p;
        nl = memchr(line, '\n', (size_t) (end - line));

        *p = nl ? nl + 1 : end;

        if ((nl ? nl : end) > line) {
            athena_notice_read(line, (size_t) ((nl ? nl : end) - line), item);
            return 1;
        }
    }
}
