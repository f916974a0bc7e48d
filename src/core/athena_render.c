#include <string.h>

#include "athena_buf.h"
#include "athena_render.h"


static void
athena_render_escaped(athena_buf_t *o, const char *s, size_t n)
{
    size_t       i, from;
    const char  *rep;

    from = 0;

    for (i = 0; i < n; i++) {
        switch (s[i]) {
        case '&':  rep = "&amp;"; break;
        case '<':  rep = "&lt;"; break;
        case '>':  rep = "&gt;"; break;
        case '"':  rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:   continue;
        }

        athena_buf_add(o, s + from, i - from);
        athena_buf_add(o, rep, strlen(rep));
        from = i + 1;
    }

    athena_buf_add(o, s + from, n - from);
}


static int
athena_render_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}


/*
 * A placeholder at p ("{{", spaces, a name, spaces, "}}"): its length,
 * the name's start and length; 0 when p starts none.
 */

static size_t
athena_render_placeholder(const char *p, const char **name, size_t *nlen)
{
    const char  *s;

    if (p[0] != '{' || p[1] != '{') {
        return 0;
    }

    s = p + 2;

    while (*s == ' ') {
        s++;
    }

    *name = s;

    while (athena_render_name_char(*s)) {
        s++;
    }

    *nlen = (size_t) (s - *name);

    while (*s == ' ') {
        s++;
    }

    if (*nlen == 0 || s[0] != '}' || s[1] != '}') {
        return 0;
    }

    return (size_t) (s + 2 - p);
}


/* the value's text, or NULL when it is none a mail can show */

static const char *
athena_render_value(const athena_json_t *vars, const char *name, size_t nlen,
    size_t *len)
{
    size_t                i;
    const athena_json_t  *v;

    if (vars == NULL || vars->type != ATHENA_JSON_OBJECT) {
        return NULL;
    }

    for (i = 0; i < vars->n; i++) {
        if (strlen(vars->keys[i]) == nlen
            && memcmp(vars->keys[i], name, nlen) == 0)
        {
            break;
        }
    }

    if (i == vars->n) {
        return NULL;
    }

    v = vars->items[i];

    switch (v->type) {
    case ATHENA_JSON_STRING:
    case ATHENA_JSON_NUMBER:
        *len = v->type == ATHENA_JSON_STRING ? v->len : strlen(v->string);
        return v->string;
    case ATHENA_JSON_BOOL:
        *len = v->boolean ? 4 : 5;
        return v->boolean ? "true" : "false";
    case ATHENA_JSON_NULL:
        *len = 0;
        return "";
    default:
        return NULL;
    }
}


/* tpl with its placeholders filled from vars (an object, or NULL) */

char *
athena_render(athena_arena_t *a, const char *tpl, const athena_json_t *vars,
    int html)
{
    size_t         n, nlen, vlen;
    const char    *p, *from, *name, *value;
    athena_buf_t   o;

    athena_buf_init(&o, a);

    from = tpl;

    for (p = tpl; *p; p++) {
        n = athena_render_placeholder(p, &name, &nlen);
        if (n == 0) {
            continue;
        }

        value = athena_render_value(vars, name, nlen, &vlen);
        if (value == NULL) {
            continue;
        }

        athena_buf_add(&o, from, (size_t) (p - from));

        if (html) {
            athena_render_escaped(&o, value, vlen);

        } else {
            athena_buf_add(&o, value, vlen);
        }

        p += n - 1;
        from = p + 1;
    }

    athena_buf_add(&o, from, (size_t) (p - from));

    return o.failed ? NULL : o.data;
}
