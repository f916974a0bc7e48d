/*
 * A growing string in an arena: what is added is appended, and the text
 * stays NUL-terminated. After a failed allocation every later add is a
 * no-op and failed is set.
 */

#ifndef ATHENA_BUF_H
#define ATHENA_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "athena_arena.h"


typedef struct {
    athena_arena_t  *arena;
    char            *data;
    size_t           len;
    size_t           cap;
    int              failed;
} athena_buf_t;


void athena_buf_init(athena_buf_t *b, athena_arena_t *a);
void athena_buf_add(athena_buf_t *b, const char *s, size_t n);
void athena_buf_str(athena_buf_t *b, const char *s);
void athena_buf_int(athena_buf_t *b, int64_t v);

/* INT64_MIN's 19 digits and its sign */
#define ATHENA_DECIMAL_LEN  20

char *athena_decimal(char *end, int64_t v);


#endif /* ATHENA_BUF_H */
