/*
 * A bump allocator: everything a thread task allocates lives in one arena
 * that the completion handler frees at once, so no task code frees memory.
 */

#ifndef ATHENA_ARENA_H
#define ATHENA_ARENA_H

#include <stddef.h>
#include <stdarg.h>


typedef struct athena_arena_s  athena_arena_t;


athena_arena_t *athena_arena_create(size_t chunk);
void athena_arena_destroy(athena_arena_t *a);
void *athena_alloc(athena_arena_t *a, size_t n);
void *athena_calloc(athena_arena_t *a, size_t n);
char *athena_strndup(athena_arena_t *a, const char *s, size_t n);
char *athena_strdup(athena_arena_t *a, const char *s);
char *athena_sprintf(athena_arena_t *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *athena_vsprintf(athena_arena_t *a, const char *fmt, va_list ap);


#endif /* ATHENA_ARENA_H */
