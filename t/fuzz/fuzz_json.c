/*
 * The JSON reader (athena_json_parse) at the module's default depth
 * limit. What it accepts must be a tree no deeper than the limit whose
 * strings and names are valid UTF-8; written out by the module's writer,
 * it must read back into a tree that writes the very same text. A
 * document refused for its depth is read again under a huge limit, where
 * the reader's own stack of 64 must hold it. An array or an object may be
 * read without yajl: the same text inside an array that also holds a
 * fraction, which only yajl reads, must give the very same tree.
 */

#include "fuzz.h"
#include "../../src/core/athena_gen.h"
#include "../../src/core/athena_json.h"
#include "../../src/core/athena_text.h"


#define FUZZ_JSON_DEPTH   8       /* athena_auth_max_depth's default */
#define FUZZ_JSON_DEEP    1000
#define FUZZ_JSON_STACK   64      /* ATHENA_JSON_STACK in athena_json.c */


/* how many containers nest in v, after checking every value in it */

static unsigned
fuzz_json_walk(const athena_json_t *v)
{
    size_t       i;
    unsigned     d, deepest;
    const char  *key;

    fuzz_check(v != NULL);

    if (v->type == ATHENA_JSON_STRING) {
        fuzz_check(v->string[v->len] == '\0');
        fuzz_check(athena_utf8_valid(v->string, v->len));
    }

    if (v->type == ATHENA_JSON_NUMBER) {
        fuzz_check(v->len > 0 && v->string[v->len] == '\0');
    }

    if (v->type != ATHENA_JSON_ARRAY && v->type != ATHENA_JSON_OBJECT) {
        return 0;
    }

    fuzz_check(v->n <= v->cap);

    deepest = 0;

    for (i = 0; i < v->n; i++) {
        if (v->type == ATHENA_JSON_OBJECT) {
            key = v->keys[i];
            fuzz_check(key != NULL && athena_utf8_valid(key, strlen(key)));
        }

        d = fuzz_json_walk(v->items[i]);
        deepest = d > deepest ? d : deepest;
    }

    return deepest + 1;
}


static char *
fuzz_json_write(athena_arena_t *a, const athena_json_t *v, size_t *len)
{
    char          *text;
    athena_gen_t  *g;

    g = athena_gen_new();
    fuzz_check(g != NULL);

    athena_gen_value(g, v);

    text = athena_gen_finish(a, g, len);
    fuzz_check(text != NULL);

    return text;
}


static void
fuzz_json_round_trip(athena_arena_t *a, const athena_json_t *v)
{
    char              *first, *second, *copy;
    size_t             len, len2;
    athena_json_t     *again;
    athena_json_rc_e   rc;

    first = fuzz_json_write(a, v, &len);

    copy = fuzz_copy((const uint8_t *) first, len);
    rc = athena_json_parse(a, copy, len, FUZZ_JSON_DEPTH, &again);
    fuzz_check(rc == ATHENA_JSON_OK);

    second = fuzz_json_write(a, again, &len2);
    fuzz_check(len == len2 && memcmp(first, second, len) == 0);

    free(copy);
}


/* the same values, bit for bit */

static int
fuzz_json_same(const athena_json_t *x, const athena_json_t *y)
{
    size_t  i;

    if (x->type != y->type || x->boolean != y->boolean || x->len != y->len
        || x->n != y->n
        || memcmp(&x->number, &y->number, sizeof(double)) != 0
        || (x->string == NULL) != (y->string == NULL)
        || (x->string && memcmp(x->string, y->string, x->len + 1) != 0))
    {
        return 0;
    }

    for (i = 0; i < x->n; i++) {
        if ((x->type == ATHENA_JSON_OBJECT
             && strcmp(x->keys[i], y->keys[i]) != 0)
            || !fuzz_json_same(x->items[i], y->items[i]))
        {
            return 0;
        }
    }

    return 1;
}


static void
fuzz_json_yajl_agrees(athena_arena_t *a, const uint8_t *data, size_t size,
    const athena_json_t *v)
{
    char              *wrapped;
    athena_json_t     *w;
    athena_json_rc_e   rc;

    /* an array or an object, where the module's reader may have read it */
    if (size == 0 || (data[0] != '[' && data[0] != '{')) {
        return;
    }

    /* a fraction is yajl's to read: so is the whole wrapped text */
    wrapped = malloc(size + 6);
    fuzz_check(wrapped != NULL);

    memcpy(wrapped, "[0.5,", 5);
    memcpy(wrapped + 5, data, size);
    wrapped[size + 5] = ']';

    rc = athena_json_parse(a, wrapped, size + 6, FUZZ_JSON_DEPTH + 1, &w);
    fuzz_check(rc == ATHENA_JSON_OK && w->n == 2
               && fuzz_json_same(v, w->items[1]));

    free(wrapped);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char              *text;
    athena_json_t     *v;
    athena_arena_t    *a;
    athena_json_rc_e   rc;

    a = fuzz_arena();
    text = fuzz_copy(data, size);

    rc = athena_json_parse(a, text, size, FUZZ_JSON_DEPTH, &v);
    fuzz_check(rc != ATHENA_JSON_NOMEM);
    fuzz_check((rc == ATHENA_JSON_OK) == (v != NULL));

    /* the reader blames UTF-8 only where the bytes are not UTF-8 */
    if (rc == ATHENA_JSON_UTF8) {
        fuzz_check(!athena_utf8_valid(text, size));
    }

    if (rc == ATHENA_JSON_OK) {
        fuzz_check(fuzz_json_walk(v) <= FUZZ_JSON_DEPTH);
        fuzz_json_round_trip(a, v);
        fuzz_json_yajl_agrees(a, data, size, v);
    }

    if (rc == ATHENA_JSON_DEPTH) {
        rc = athena_json_parse(a, text, size, FUZZ_JSON_DEEP, &v);
        fuzz_check(rc != ATHENA_JSON_OK
                   || fuzz_json_walk(v) <= FUZZ_JSON_STACK);
    }

    free(text);
    athena_arena_destroy(a);

    return 0;
}
