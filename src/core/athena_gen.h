/*
 * The JSON writer, with helpers for the shapes the API answers with. It
 * writes as JSON.stringify does: no whitespace; a quote, a backslash and
 * \b \f \n \r \t escaped, other control characters as \u00xx, everything
 * else as it is (bytes that are no UTF-8 become U+FFFD, as a JavaScript
 * string read from them would hold). Separators follow from the calls: a
 * string where a member's name is due is the name.
 */

#ifndef ATHENA_GEN_H
#define ATHENA_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "athena_arena.h"
#include "athena_json.h"


typedef struct athena_gen_s  athena_gen_t;


athena_gen_t *athena_gen_new(void);
void athena_gen_free(athena_gen_t *g);
char *athena_gen_finish(athena_arena_t *a, athena_gen_t *g, size_t *len);

void athena_gen_map_open(athena_gen_t *g);
void athena_gen_map_close(athena_gen_t *g);
void athena_gen_array_open(athena_gen_t *g);
void athena_gen_array_close(athena_gen_t *g);

void athena_gen_key(athena_gen_t *g, const char *key);
void athena_gen_text(athena_gen_t *g, const char *s, size_t len);
void athena_gen_cstr(athena_gen_t *g, const char *s);
void athena_gen_str_or_null(athena_gen_t *g, const char *s);
void athena_gen_bool(athena_gen_t *g, int b);
void athena_gen_int(athena_gen_t *g, int64_t n);
void athena_gen_time(athena_gen_t *g, int64_t ms);
void athena_gen_time_or_null(athena_gen_t *g, int64_t ms);
void athena_gen_null(athena_gen_t *g);
void athena_gen_value(athena_gen_t *g, const athena_json_t *v);


#endif /* ATHENA_GEN_H */
