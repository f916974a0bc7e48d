/*
 * The arena of src/core/athena_arena.h for the fuzzers: every allocation
 * is a malloc of its own, of exactly the size asked for, all freed when
 * the arena is. The module's arena carves allocations out of large
 * chunks, where AddressSanitizer cannot see one overrun the next; here it
 * sees a read or write one byte past any of them.
 */

#define _GNU_SOURCE               /* vasprintf */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/core/athena_arena.h"


struct athena_arena_s {
    void    **blocks;
    size_t    n;
    size_t    cap;
};


athena_arena_t *
athena_arena_create(size_t chunk)
{
    return calloc(1, sizeof(athena_arena_t));
}


void
athena_arena_destroy(athena_arena_t *a)
{
    size_t  i;

    if (a == NULL) {
        return;
    }

    for (i = 0; i < a->n; i++) {
        free(a->blocks[i]);
    }

    free(a->blocks);
    free(a);
}


/* the arena frees p with the others; NULL (and p freed) if it cannot */

static void *
fuzz_arena_keep(athena_arena_t *a, void *p)
{
    void    **grown;
    size_t    cap;

    if (p == NULL) {
        return NULL;
    }

    if (a->n == a->cap) {
        cap = a->cap ? a->cap * 2 : 64;

        grown = realloc(a->blocks, cap * sizeof(void *));
        if (grown == NULL) {
            free(p);
            return NULL;
        }

        a->blocks = grown;
        a->cap = cap;
    }

    a->blocks[a->n++] = p;

    return p;
}


/* malloc(0) too is a block of its own: a read of it shows */

void *
athena_alloc(athena_arena_t *a, size_t n)
{
    return fuzz_arena_keep(a, malloc(n));
}


void *
athena_calloc(athena_arena_t *a, size_t n)
{
    return fuzz_arena_keep(a, calloc(1, n));
}


/*
 * n bytes whatever they hold (strndup(3) would stop at a NUL); a NULL s
 * goes to memcpy as in the module's arena, so that UBSan sees it here too
 */

char *
athena_strndup(athena_arena_t *a, const char *s, size_t n)
{
    char  *p;

    p = fuzz_arena_keep(a, malloc(n + 1));
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }

    return p;
}


char *
athena_strdup(athena_arena_t *a, const char *s)
{
    return s ? fuzz_arena_keep(a, strdup(s)) : NULL;
}


/* vasprintf's text is exactly as long as it needs to be: kept as it is */

char *
athena_vsprintf(athena_arena_t *a, const char *fmt, va_list ap)
{
    char  *text;

    if (vasprintf(&text, fmt, ap) < 0) {
        return NULL;
    }

    return fuzz_arena_keep(a, text);
}


char *
athena_sprintf(athena_arena_t *a, const char *fmt, ...)
{
    int       n;
    char     *text;
    va_list   ap;

    va_start(ap, fmt);
    n = vasprintf(&text, fmt, ap);
    va_end(ap);

    return n < 0 ? NULL : fuzz_arena_keep(a, text);
}
