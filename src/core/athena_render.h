/*
 * Email templates filled in: "{{name}}" and "{{ name }}" take the value of
 * name, HTML-escaped in an HTML template; a placeholder without a value
 * (or one that is an object or a list) is left as it is.
 */

#ifndef ATHENA_RENDER_H
#define ATHENA_RENDER_H

#include "athena_arena.h"
#include "athena_json.h"


char *athena_render(athena_arena_t *a, const char *tpl,
    const athena_json_t *vars, int html);


#endif /* ATHENA_RENDER_H */
