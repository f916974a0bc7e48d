/*
 * What the libFuzzer harnesses share: copies of the input sized exactly
 * (so that AddressSanitizer reports a read one byte past it), a check that
 * aborts with the broken invariant (so that libFuzzer keeps the input) and
 * an arena that cannot fail quietly.
 */

#ifndef ATHENA_FUZZ_H
#define ATHENA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/core/athena_arena.h"


#define fuzz_check(cond)                                                      \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fuzz_fail(__FILE__, __LINE__, #cond);                             \
        }                                                                     \
    } while (0)


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static inline void
fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
    abort();
}


/* the input's bytes alone: for the functions that take a length */

static inline char *
fuzz_copy(const uint8_t *data, size_t size)
{
    char  *p;

    p = malloc(size ? size : 1);
    fuzz_check(p != NULL);

    if (size) {
        memcpy(p, data, size);
    }

    return p;
}


/* the input and a NUL after it: for the functions that take a C string */

static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
    char  *p;

    p = malloc(size + 1);
    fuzz_check(p != NULL);

    if (size) {
        memcpy(p, data, size);
    }

    p[size] = '\0';

    return p;
}


static inline athena_arena_t *
fuzz_arena(void)
{
    athena_arena_t  *a;

    a = athena_arena_create(0);
    fuzz_check(a != NULL);

    return a;
}


#endif /* ATHENA_FUZZ_H */
