#include <string.h>

#include "athena_buf.h"


void
athena_buf_init(athena_buf_t *b, athena_arena_t *a)
{
    memset(b, 0, sizeof(athena_buf_t));
    b->arena = a;

    athena_buf_add(b, "", 0);
}


void
athena_buf_add(athena_buf_t *b, const char *s, size_t n)
{
    char    *p;
    size_t   cap;

    if (b->failed) {
        return;
    }

    if (b->len + n + 1 > b->cap) {
        cap = (b->len + n + 1) * 2;

        /* the arena frees nothing: the old copy goes with the arena */
        p = athena_alloc(b->arena, cap);
        if (p == NULL) {
            b->failed = 1;
            return;
        }

        if (b->len) {
            memcpy(p, b->data, b->len);
        }

        b->data = p;
        b->cap = cap;
    }

    if (n) {
        memcpy(b->data + b->len, s, n);
    }

    b->len += n;
    b->data[b->len] = '\0';
}


void
athena_buf_str(athena_buf_t *b, const char *s)
{
    athena_buf_add(b, s, strlen(s));
}


/*
 * v in decimal, written by hand backwards so that it ends just before end
 * (ATHENA_DECIMAL_LEN bytes are room enough): its first character.
 * vsnprintf costs more than what it writes.
 */

char *
athena_decimal(char *end, int64_t v)
{
    char      *p;
    uint64_t   u;

    p = end;
    u = v < 0 ? 0 - (uint64_t) v : (uint64_t) v;

    do {
        *--p = (char) ('0' + u % 10);
        u /= 10;
    } while (u);

    if (v < 0) {
        *--p = '-';
    }

    return p;
}


void
athena_buf_int(athena_buf_t *b, int64_t v)
{
    char   text[ATHENA_DECIMAL_LEN], *p;

    p = athena_decimal(text + sizeof(text), v);

    athena_buf_add(b, p, (size_t) (text + sizeof(text) - p));
}
