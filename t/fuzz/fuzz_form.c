/*
 * The form parser (athena_form_parse) over a body of exactly the input's
 * size. What it accepts must be an object of strings, valid UTF-8 in
 * names and values, with no more members than the body has fields; what
 * it refuses must hold a field that does not decode to UTF-8.
 */

#include "fuzz.h"
#include "../../src/core/athena_form.h"
#include "../../src/core/athena_text.h"


static void
fuzz_form_accepted(const athena_json_t *obj, const char *body, size_t len)
{
    size_t                i, fields;
    const char           *key;
    const athena_json_t  *v;

    fuzz_check(obj->type == ATHENA_JSON_OBJECT);

    fields = 1;
    for (i = 0; i < len; i++) {
        fields += body[i] == '&';
    }

    fuzz_check(obj->n <= fields);

    for (i = 0; i < obj->n; i++) {
        key = obj->keys[i];
        v = obj->items[i];

        fuzz_check(key != NULL && athena_utf8_valid(key, strlen(key)));
        fuzz_check(v->type == ATHENA_JSON_STRING && v->string[v->len] == '\0');
        fuzz_check(athena_utf8_valid(v->string, v->len));
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char            *body, *decoded;
    size_t           n;
    athena_arena_t  *a;
    athena_json_t   *obj;

    a = fuzz_arena();
    body = fuzz_copy(data, size);

    obj = athena_form_parse(a, body, size);

    if (obj != NULL) {
        fuzz_form_accepted(obj, body, size);

    } else {
        /* decoding the whole body decodes each field: some is not UTF-8 */
        decoded = athena_uri_decode(a, body, size, &n);
        fuzz_check(decoded != NULL && !athena_utf8_valid(decoded, n));
    }

    free(body);
    athena_arena_destroy(a);

    return 0;
}
