/*
 * JSON in: a reader over yajl that builds an ordered tree in an arena and
 * refuses documents nested deeper than a limit. The writer is
 * athena_gen.h's.
 */

#ifndef ATHENA_JSON_H
#define ATHENA_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "athena_arena.h"


typedef enum {
    ATHENA_JSON_NULL = 0,
    ATHENA_JSON_BOOL,
    ATHENA_JSON_NUMBER,
    ATHENA_JSON_STRING,
    ATHENA_JSON_ARRAY,
    ATHENA_JSON_OBJECT
} athena_json_type_e;


typedef struct athena_json_s  athena_json_t;

struct athena_json_s {
    athena_json_type_e   type;
    int                  boolean;
    double               number;
    char                *string;   /* string value, or a number's text */
    size_t               len;
    size_t               n;        /* array items or object members */
    size_t               cap;
    char               **keys;     /* object member names, in order */
    athena_json_t      **items;
};


typedef enum {
    ATHENA_JSON_OK = 0,
    ATHENA_JSON_SYNTAX,
    ATHENA_JSON_UTF8,
    ATHENA_JSON_DEPTH,
    ATHENA_JSON_NOMEM
} athena_json_rc_e;


athena_json_rc_e athena_json_parse(athena_arena_t *a, const char *text,
    size_t len, unsigned max_depth, athena_json_t **out);
athena_json_t *athena_json_get(const athena_json_t *obj, const char *key);
const char *athena_json_type_name(const athena_json_t *v);
int athena_json_strings(const athena_json_t *v);
athena_json_t *athena_json_new(athena_arena_t *a, athena_json_type_e type);
int athena_json_set(athena_arena_t *a, athena_json_t *obj, const char *key,
    athena_json_t *v);
athena_json_t *athena_json_string(athena_arena_t *a, const char *s,
    size_t len);
int athena_json_plain(const char *text, size_t len);


#define ATHENA_TIME_NULL  INT64_MIN


#endif /* ATHENA_JSON_H */
