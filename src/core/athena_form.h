/*
 * application/x-www-form-urlencoded bodies, read as better-auth's form
 * support reads them: a flat object of strings that the endpoints then
 * check as they check a JSON body.
 */

#ifndef ATHENA_FORM_H
#define ATHENA_FORM_H

#include <stddef.h>

#include "athena_arena.h"
#include "athena_json.h"


athena_json_t *athena_form_parse(athena_arena_t *a, const char *s,
    size_t len);


#endif /* ATHENA_FORM_H */
