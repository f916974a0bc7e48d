#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "athena_arena.h"


typedef struct athena_chunk_s  athena_chunk_t;

struct athena_chunk_s {
    athena_chunk_t  *next;
    size_t           size;
    size_t           used;
    /* data follows, aligned as max_align_t */
};

struct athena_arena_s {
    athena_chunk_t  *head;
    size_t           chunk;
};


#define ATHENA_ALIGN        16
#define athena_align(n)     (((n) + ATHENA_ALIGN - 1) & ~(ATHENA_ALIGN - 1))
#define ATHENA_CHUNK_HDR    athena_align(sizeof(athena_chunk_t))


static athena_chunk_t *
athena_chunk_new(size_t size)
{
    athena_chunk_t  *c;

    c = malloc(ATHENA_CHUNK_HDR + size);
    if (c == NULL) {
        return NULL;
    }

    c->next = NULL;
    c->size = size;
    c->used = 0;

    return c;
}


athena_arena_t *
athena_arena_create(size_t chunk)
{
    athena_arena_t  *a;

    a = malloc(sizeof(athena_arena_t));
    if (a == NULL) {
        return NULL;
    }

    a->chunk = chunk ? chunk : 4096;
    a->head = athena_chunk_new(a->chunk);

    if (a->head == NULL) {
        free(a);
        return NULL;
    }

    return a;
}


void
athena_arena_destroy(athena_arena_t *a)
{
    athena_chunk_t  *c, *next;

    if (a == NULL) {
        return;
    }

    for (c = a->head; c; c = next) {
        next = c->next;
        free(c);
    }

    free(a);
}


void *
athena_alloc(athena_arena_t *a, size_t n)
{
    size_t           size;
    athena_chunk_t  *c;

    n = athena_align(n ? n : 1);
    c = a->head;

    if (c->size - c->used < n) {
        /* big requests get a chunk of their own behind the current one */
        size = n > a->chunk / 4 ? n : a->chunk;

        c = athena_chunk_new(size);
        if (c == NULL) {
            return NULL;
        }

        if (size == n) {
            c->next = a->head->next;
            a->head->next = c;

        } else {
            c->next = a->head;
            a->head = c;
        }
    }

    c->used += n;

    return (char *) c + ATHENA_CHUNK_HDR + c->used - n;
}


void *
athena_calloc(athena_arena_t *a, size_t n)
{
    void  *p;

    p = athena_alloc(a, n);
    if (p != NULL) {
        memset(p, 0, n);
    }

    return p;
}


char *
athena_strndup(athena_arena_t *a, const char *s, size_t n)
{
    char  *p;

    p = athena_alloc(a, n + 1);
    if (p == NULL) {
        return NULL;
    }

    /* memcpy() may not be given NULL, even for nothing */
    if (n) {
        memcpy(p, s, n);
    }

    p[n] = '\0';

    return p;
}


char *
athena_strdup(athena_arena_t *a, const char *s)
{
    return s ? athena_strndup(a, s, strlen(s)) : NULL;
}


/*
 * Formatted into the room left in the current chunk when it fits (the
 * common case, one pass), else measured there and formatted again into
 * room of its own.
 */

char *
athena_vsprintf(athena_arena_t *a, const char *fmt, va_list ap)
{
    int              n;
    char            *p;
    size_t           room;
    va_list          copy;
    athena_chunk_t  *c;

    c = a->head;
    room = c->size - c->used;
    p = (char *) c + ATHENA_CHUNK_HDR + c->used;

    va_copy(copy, ap);
    n = vsnprintf(room ? p : NULL, room, fmt, copy);
    va_end(copy);

    if (n < 0) {
        return NULL;
    }

    if (athena_align((size_t) n + 1) <= room) {
        c->used += athena_align((size_t) n + 1);
        return p;
    }

    p = athena_alloc(a, (size_t) n + 1);
    if (p == NULL) {
        return NULL;
    }

    vsnprintf(p, (size_t) n + 1, fmt, ap);

    return p;
}


char *
athena_sprintf(athena_arena_t *a, const char *fmt, ...)
{
    char     *p;
    va_list   ap;

    va_start(ap, fmt);
    p = athena_vsprintf(a, fmt, ap);
    va_end(ap);

    return p;
}
