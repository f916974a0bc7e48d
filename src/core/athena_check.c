#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "athena_check.h"
#include "athena_gen.h"


void
athena_check_init(athena_check_t *chk, athena_arena_t *a,
    const athena_json_t *obj, const char *where)
{
    chk->arena = a;
    chk->obj = obj;
    chk->where = where;
    chk->message = NULL;
}


void
athena_check_issue(athena_check_t *chk, const char *field, const char *fmt,
    ...)
{
    char     *text;
    va_list   ap;

    va_start(ap, fmt);
    text = athena_vsprintf(chk->arena, fmt, ap);
    va_end(ap);

    if (text == NULL) {
        return;
    }

    chk->message = athena_sprintf(chk->arena, "%s%s[%s%s%s] %s",
                                  chk->message ? chk->message : "",
                                  chk->message ? "; " : "",
                                  chk->where, field ? "." : "",
                                  field ? field : "", text);
}


/* a nested object's issues join its parent's, in order */

void
athena_check_merge(athena_check_t *chk, const athena_check_t *nested)
{
    if (nested->message == NULL) {
        return;
    }

    chk->message = chk->message
                   ? athena_sprintf(chk->arena, "%s; %s", chk->message,
                                    nested->message)
                   : nested->message;
}


static void
athena_check_type(athena_check_t *chk, const char *field,
    const char *expected, const athena_json_t *v)
{
    athena_check_issue(chk, field,
                       "Invalid input: expected %s, received %s",
                       expected, athena_json_type_name(v));
}


/* the whole body must be an object before any field is looked at */

int
athena_check_object(athena_check_t *chk)
{
    if (chk->obj != NULL && chk->obj->type == ATHENA_JSON_OBJECT) {
        return 1;
    }

    athena_check_type(chk, NULL, "object", chk->obj);

    return 0;
}


static const athena_json_t *
athena_check_typed(athena_check_t *chk, const char *field, int required,
    athena_json_type_e type, const char *name)
{
    const athena_json_t  *v;

    v = athena_json_get(chk->obj, field);

    if (v == NULL && !required) {
        return NULL;
    }

    if (v == NULL || v->type != type) {
        athena_check_type(chk, field, name, v);
        return NULL;
    }

    return v;
}


const athena_json_t *
athena_check_string(athena_check_t *chk, const char *field, int required)
{
    return athena_check_typed(chk, field, required, ATHENA_JSON_STRING,
                              "string");
}


/* zod's z.string().min(1) */

const athena_json_t *
athena_check_text(athena_check_t *chk, const char *field, int required)
{
    const athena_json_t  *v;

    v = athena_check_string(chk, field, required);

    if (v != NULL && v->len == 0) {
        athena_check_issue(chk, field, "Too small: expected string to have"
                                       " >=1 characters");
        return NULL;
    }

    return v;
}


/* JSON.parse reads 1e999 as Infinity, which zod's number() refuses */

const athena_json_t *
athena_check_number(athena_check_t *chk, const char *field, int required)
{
    const athena_json_t  *v;

    v = athena_check_typed(chk, field, required, ATHENA_JSON_NUMBER,
                           "number");

    if (v != NULL && !isfinite(v->number)) {
        athena_check_issue(chk, field, "Invalid input: expected number,"
                           " received %sInfinity", v->number < 0 ? "-" : "");
        return NULL;
    }

    return v;
}


int
athena_check_bool(athena_check_t *chk, const char *field, int dflt)
{
    const athena_json_t  *v;

    v = athena_json_get(chk->obj, field);

    if (v == NULL) {
        return dflt;
    }

    if (v->type != ATHENA_JSON_BOOL) {
        athena_check_type(chk, field, "boolean", v);
        return dflt;
    }

    return v->boolean;
}


/* zod's nullish string: a string, null, or absent (NULL) */

const athena_json_t *
athena_check_nullish(athena_check_t *chk, const char *field)
{
    const athena_json_t  *v;

    v = athena_json_get(chk->obj, field);

    if (v != NULL && v->type == ATHENA_JSON_NULL) {
        return v;
    }

    return athena_check_string(chk, field, 0);
}


/*
 * A record (z.record) as the JSON text to store, in the check's arena;
 * NULL when absent, after an issue, or when memory ran out.
 */

const char *
athena_check_record_text(athena_check_t *chk, const char *field)
{
    size_t                len;
    athena_gen_t         *g;
    const athena_json_t  *v;

    v = athena_json_get(chk->obj, field);

    if (v == NULL) {
        return NULL;
    }

    if (v->type != ATHENA_JSON_OBJECT) {
        athena_check_type(chk, field, "record", v);
        return NULL;
    }

    g = athena_gen_new();
    if (g == NULL) {
        return NULL;
    }

    athena_gen_value(g, v);

    return athena_gen_finish(chk->arena, g, &len);
}


/*
 * Both generations of Athena's clients: pairs lists {camelCase,
 * snake_case, ..., NULL}; a snake_case key stands for its camelCase one
 * when that is absent (camelCase wins when both are given). -1 when
 * memory ran out.
 */

int
athena_check_aliases(athena_arena_t *a, athena_json_t *obj,
    const char *const *pairs)
{
    athena_json_t  *v;

    if (obj == NULL || obj->type != ATHENA_JSON_OBJECT) {
        return 0;
    }

    for ( /* void */ ; pairs[0] != NULL; pairs += 2) {
        if (athena_json_get(obj, pairs[0]) != NULL) {
            continue;
        }

        v = athena_json_get(obj, pairs[1]);

        if (v != NULL && athena_json_set(a, obj, pairs[0], v) != 0) {
            return -1;
        }
    }

    return 0;
}


/*
 * A string that goes into a mail's header (a subject, a name, an
 * address): one line, no control character, at most max characters. With
 * nullable (never required), null passes and is returned; absent, NULL.
 */

const athena_json_t *
athena_check_line(athena_check_t *chk, const char *field, int required,
    int nullable, size_t max)
{
    size_t                i;
    const athena_json_t  *v;

    v = nullable ? athena_check_nullish(chk, field)
                 : athena_check_string(chk, field, required);

    if (v == NULL || v->type == ATHENA_JSON_NULL) {
        return v;
    }

    if (v->len > max) {
        athena_check_issue(chk, field, "Too big: expected string to have"
                           " <=%zu characters", max);
        return NULL;
    }

    for (i = 0; i < v->len; i++) {
        if ((unsigned char) v->string[i] < 0x20 || v->string[i] == 0x7f) {
            athena_check_issue(chk, field, "Invalid string: one line"
                               " without control characters");
            return NULL;
        }
    }

    return v;
}
