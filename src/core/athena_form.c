/*
 * Form bodies: "a=1&b=x+y" becomes {"a":"1","b":"x y"}. A name given
 * twice keeps its last value, as a JSON object would; a value's '+' is a
 * space and %XX escapes are decoded (a bad escape stays as it is).
 */

#include <string.h>

#include "athena_form.h"
#include "athena_text.h"


/* a form as a JSON object of strings; NULL also for bad UTF-8 inside */

athena_json_t *
athena_form_parse(athena_arena_t *a, const char *s, size_t len)
{
    char           *key, *val;
    size_t          klen, vlen;
    const char     *p, *end, *amp, *eq;
    athena_json_t  *obj, *v;

    obj = athena_json_new(a, ATHENA_JSON_OBJECT);
    if (obj == NULL) {
        return NULL;
    }

    end = s + len;

    for (p = s; p < end; p = amp + 1) {
        amp = memchr(p, '&', (size_t) (end - p));
        if (amp == NULL) {
            amp = end;
        }

        /* "name" alone is "name=" */
        eq = memchr(p, '=', (size_t) (amp - p));
        if (eq == NULL) {
            eq = amp;
        }

        if (eq == p) {
            continue;
        }

        key = athena_strndup(a, p, (size_t) (eq - p));
        val = eq == amp ? athena_strdup(a, "")
                        : athena_strndup(a, eq + 1, (size_t) (amp - eq - 1));
        if (key == NULL || val == NULL) {
            return NULL;
        }

        /* '+' is a space in a form */
        for (klen = 0; key[klen]; klen++) {
            key[klen] = key[klen] == '+' ? ' ' : key[klen];
        }
        for (vlen = 0; val[vlen]; vlen++) {
            val[vlen] = val[vlen] == '+' ? ' ' : val[vlen];
        }

        key = athena_uri_decode(a, key, klen, &klen);
        val = athena_uri_decode(a, val, vlen, &vlen);

        if (key == NULL || val == NULL || !athena_utf8_valid(key, klen)
            || !athena_utf8_valid(val, vlen))
        {
            return NULL;
        }

        v = athena_json_string(a, val, vlen);

        if (v == NULL || athena_json_set(a, obj, key, v) != 0) {
            return NULL;
        }
    }

    return obj;
}
