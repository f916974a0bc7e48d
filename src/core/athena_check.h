/*
 * Input checks that speak zod's language: each failed field adds an issue
 * "[body.field] Invalid input: expected string, received number", and the
 * issues of a request are joined with "; " into one message, as
 * better-auth's VALIDATION_ERROR does.
 */

#ifndef ATHENA_CHECK_H
#define ATHENA_CHECK_H

#include "athena_arena.h"
#include "athena_json.h"


typedef struct {
    athena_arena_t       *arena;
    const athena_json_t  *obj;
    const char           *where;     /* "body" or "query" */
    char                 *message;   /* NULL while every check passed */
} athena_check_t;


void athena_check_init(athena_check_t *chk, athena_arena_t *a,
    const athena_json_t *obj, const char *where);
void athena_check_issue(athena_check_t *chk, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void athena_check_merge(athena_check_t *chk, const athena_check_t *nested);
int athena_check_object(athena_check_t *chk);
const athena_json_t *athena_check_string(athena_check_t *chk,
    const char *field, int required);
const athena_json_t *athena_check_text(athena_check_t *chk,
    const char *field, int required);
const athena_json_t *athena_check_number(athena_check_t *chk,
    const char *field, int required);
int athena_check_bool(athena_check_t *chk, const char *field, int dflt);
const athena_json_t *athena_check_nullish(athena_check_t *chk,
    const char *field);
const char *athena_check_record_text(athena_check_t *chk, const char *field);
int athena_check_aliases(athena_arena_t *a, athena_json_t *obj,
    const char *const *pairs);
const athena_json_t *athena_check_line(athena_check_t *chk,
    const char *field, int required, int nullable, size_t max);


#endif /* ATHENA_CHECK_H */
