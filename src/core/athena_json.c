#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>

#include <yajl/yajl_parse.h>

#include "athena_json.h"
#include "athena_text.h"
#include "athena_time.h"


#define ATHENA_JSON_STACK  64

typedef struct {
    athena_arena_t   *arena;
    athena_json_t    *root;
    athena_json_t    *stack[ATHENA_JSON_STACK];
    unsigned          depth;
    unsigned          max_depth;
    char             *key;        /* pending object member name */
    int               too_deep;
    int               bad_utf8;
    int               nomem;
} athena_json_builder_t;


athena_json_t *
athena_json_new(athena_arena_t *a, athena_json_type_e type)
{
    athena_json_t  *v;

    v = athena_calloc(a, sizeof(athena_json_t));
    if (v != NULL) {
        v->type = type;
    }

    return v;
}


static int
athena_json_append(athena_arena_t *a, athena_json_t *parent, char *key,
    athena_json_t *v)
{
    size_t           cap;
    char           **keys;
    athena_json_t  **items;

    if (parent->n == parent->cap) {
        cap = parent->cap ? parent->cap * 2 : 8;

        items = athena_alloc(a, cap * sizeof(athena_json_t *));
        keys = athena_alloc(a, cap * sizeof(char *));
        if (items == NULL || keys == NULL) {
            return -1;
        }

        if (parent->n) {
            memcpy(items, parent->items, parent->n * sizeof(athena_json_t *));
            memcpy(keys, parent->keys, parent->n * sizeof(char *));
        }

        parent->items = items;
        parent->keys = keys;
        parent->cap = cap;
    }

    parent->keys[parent->n] = key;
    parent->items[parent->n++] = v;

    return 0;
}


int
athena_json_set(athena_arena_t *a, athena_json_t *obj, const char *key,
    athena_json_t *v)
{
    size_t  i;

    for (i = 0; i < obj->n; i++) {
        if (strcmp(obj->keys[i], key) == 0) {
            obj->items[i] = v;
            return 0;
        }
    }

    return athena_json_append(a, obj, athena_strdup(a, key), v);
}


athena_json_t *
athena_json_string(athena_arena_t *a, const char *s, size_t len)
{
    athena_json_t  *v;

    v = athena_json_new(a, ATHENA_JSON_STRING);
    if (v == NULL) {
        return NULL;
    }

    v->string = athena_strndup(a, s, len);
    v->len = len;

    return v->string ? v : NULL;
}


/* attaches a finished value to the open container, or makes it the root */

static int
athena_json_add(athena_json_builder_t *b, athena_json_t *v)
{
    athena_json_t  *parent;

    if (v == NULL) {
        b->nomem = 1;
        return 0;
    }

    if (b->depth == 0) {
        b->root = v;
        return 1;
    }

    parent = b->stack[b->depth - 1];

    if (athena_json_append(b->arena, parent,
                           parent->type == ATHENA_JSON_OBJECT ? b->key : NULL,
                           v)
        != 0)
    {
        b->nomem = 1;
        return 0;
    }

    b->key = NULL;

    return 1;
}


static int
athena_json_open(athena_json_builder_t *b, athena_json_type_e type)
{
    athena_json_t  *v;

    if (b->depth >= b->max_depth || b->depth >= ATHENA_JSON_STACK) {
        b->too_deep = 1;
        return 0;
    }

    v = athena_json_new(b->arena, type);

    if (!athena_json_add(b, v)) {
        return 0;
    }

    b->stack[b->depth++] = v;

    return 1;
}


static int
athena_json_on_null(void *ctx)
{
    athena_json_builder_t  *b = ctx;

    return athena_json_add(b, athena_json_new(b->arena, ATHENA_JSON_NULL));
}


/* a value's node, as yajl's callbacks and the simple reader make it */

static athena_json_t *
athena_json_bool(athena_arena_t *a, int boolean)
{
    athena_json_t  *v;

    v = athena_json_new(a, ATHENA_JSON_BOOL);
    if (v != NULL) {
        v->boolean = boolean;
    }

    return v;
}


static int
athena_json_on_bool(void *ctx, int boolean)
{
    athena_json_builder_t  *b = ctx;

    return athena_json_add(b, athena_json_bool(b->arena, boolean));
}


/*
 * A whole number of up to 15 digits (timestamps, counts, limits) is
 * exact as a double and read here; strtod() takes the rest, at several
 * times the cost.
 */

static double
athena_json_number(const char *s, size_t len)
{
    size_t    i, neg;
    uint64_t  u;

    neg = len > 0 && s[0] == '-';

    if (len - neg == 0 || len - neg > 15) {
        return strtod(s, NULL);
    }

    u = 0;

    for (i = neg; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return strtod(s, NULL);
        }

        u = u * 10 + (uint64_t) (s[i] - '0');
    }

    return neg ? -(double) u : (double) u;
}


/* a number's node: its text, and the double it reads as */

static athena_json_t *
athena_json_numeral(athena_arena_t *a, const char *s, size_t len)
{
    athena_json_t  *v;

    /* a string's node holds its text: it only changes type */
    v = athena_json_string(a, s, len);
    if (v == NULL) {
        return NULL;
    }

    v->type = ATHENA_JSON_NUMBER;
    v->number = athena_json_number(v->string, len);

    return v;
}


static int
athena_json_on_number(void *ctx, const char *s, size_t len)
{
    athena_json_builder_t  *b = ctx;

    return athena_json_add(b, athena_json_numeral(b->arena, s, len));
}


/*
 * yajl's own check lets overlong forms ("\xc0\xba" for ':'), UTF-16
 * surrogates and code points past U+10FFFF through; libunistring's does
 * not.
 */

static int
athena_json_utf8(athena_json_builder_t *b, const unsigned char *s,
    size_t len)
{
    if (!athena_utf8_valid((const char *) s, len)) {
        b->bad_utf8 = 1;
        return 0;
    }

    return 1;
}


static int
athena_json_on_string(void *ctx, const unsigned char *s, size_t len)
{
    athena_json_builder_t  *b = ctx;

    if (!athena_json_utf8(b, s, len)) {
        return 0;
    }

    return athena_json_add(b, athena_json_string(b->arena, (const char *) s,
                                                 len));
}


static int
athena_json_on_key(void *ctx, const unsigned char *s, size_t len)
{
    athena_json_builder_t  *b = ctx;

    if (!athena_json_utf8(b, s, len)) {
        return 0;
    }

    b->key = athena_strndup(b->arena, (const char *) s, len);
    if (b->key == NULL) {
        b->nomem = 1;
        return 0;
    }

    return 1;
}


static int
athena_json_on_start_map(void *ctx)
{
    return athena_json_open(ctx, ATHENA_JSON_OBJECT);
}


static int
athena_json_on_start_array(void *ctx)
{
    return athena_json_open(ctx, ATHENA_JSON_ARRAY);
}


static int
athena_json_on_end(void *ctx)
{
    athena_json_builder_t  *b = ctx;

    b->depth--;

    return 1;
}


static const yajl_callbacks  athena_json_callbacks = {
    athena_json_on_null,
    athena_json_on_bool,
    NULL,
    NULL,
    athena_json_on_number,
    athena_json_on_string,
    athena_json_on_start_map,
    athena_json_on_key,
    athena_json_on_end,
    athena_json_on_start_array,
    athena_json_on_end
};


static int
athena_json_hex4(const char *p, const char *end, unsigned *v)
{
    int       i;
    unsigned  c;

    if (end - p < 4) {
        return 0;
    }

    *v = 0;

    for (i = 0; i < 4; i++) {
        c = (unsigned char) p[i];
        c = (c >= '0' && c <= '9') ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : 16;

        if (c == 16) {
            return 0;
        }

        *v = *v << 4 | c;
    }

    return 1;
}


/*
 * JavaScript keeps a lone UTF-16 surrogate ("\ud800") in a string and
 * writes it out as U+FFFD; yajl would make it "?". So that a name or a
 * password hashes and stores as better-auth's would, such escapes become
 * "\ufffd" before parsing. Returns the text itself when it has none.
 */

static const char *
athena_json_mend_surrogates(athena_arena_t *a, const char *text, size_t len)
{
    int          in_string;
    char        *out;
    unsigned     hi, lo;
    const char  *p, *end;

    end = text + len;

    /* most texts have no escape at all: a backslash is looked for first */
    for (p = text; ; p++) {
        p = memchr(p, '\\', (size_t) (end - p));

        if (p == NULL || p + 1 == end) {
            return text;
        }

        if (p[1] == 'u') {
            break;
        }
    }

    out = athena_strndup(a, text, len);
    if (out == NULL) {
        return NULL;
    }

    in_string = 0;

    for (p = text; p < end; p++) {

        if (*p == '"') {
            in_string = !in_string;
            continue;
        }

        if (!in_string || *p != '\\' || p + 1 >= end) {
            continue;
        }

        p++;

        if (*p != 'u' || !athena_json_hex4(p + 1, end, &hi)) {
            continue;
        }

        if (hi >= 0xd800 && hi <= 0xdbff && end - p >= 11
            && p[5] == '\\' && p[6] == 'u'
            && athena_json_hex4(p + 7, end, &lo)
            && lo >= 0xdc00 && lo <= 0xdfff)
        {
            p += 10;            /* a proper pair, kept */
            continue;
        }

        if (hi >= 0xd800 && hi <= 0xdfff) {
            memcpy(out + (p + 1 - text), "fffd", 4);
        }

        p += 4;
    }

    return out;
}


/*
 * Whether text is printable ASCII with no quote or backslash: a JSON
 * string's content as it is, with nothing to escape or to check. Eight
 * bytes at a time: a byte below 0x20, at or above 0x80, or equal to '"'
 * or a backslash sets the high bit of its lane in one of the masks.
 */

#define ATHENA_JSON_ONES  0x0101010101010101ULL
#define ATHENA_JSON_HIGH  0x8080808080808080ULL
#define ATHENA_JSON_ZERO(w)                                                   \
    (((w) - ATHENA_JSON_ONES) & ~(w) & ATHENA_JSON_HIGH)

int
athena_json_plain(const char *text, size_t len)
{
    size_t                i;
    uint64_t              w, q, b;
    const unsigned char  *s;

    s = (const unsigned char *) text;

    for (i = 0; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);

        q = w ^ (ATHENA_JSON_ONES * '"');
        b = w ^ (ATHENA_JSON_ONES * '\\');

        if ((w & ATHENA_JSON_HIGH)
            | ((w - ATHENA_JSON_ONES * 0x20) & ~w & ATHENA_JSON_HIGH)
            | ATHENA_JSON_ZERO(q) | ATHENA_JSON_ZERO(b))
        {
            return 0;
        }
    }

    for ( /* void */ ; i < len; i++) {
        if (s[i] < 0x20 || s[i] >= 0x80 || s[i] == '"' || s[i] == '\\') {
            return 0;
        }
    }

    return 1;
}


static const char *
athena_json_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
    }

    return p;
}


/*
 * The text of a string whose opening quote is at *pp, without it: NULL
 * (and *other set) for an escape, a control character or bytes that are
 * no UTF-8. *pp moves past the closing quote.
 */

static const char *
athena_json_simple_text(const char **pp, const char *end, size_t *len,
    int *other)
{
    int             high;
    const char     *p, *s;
    unsigned char   c;

    s = *pp + 1;
    p = memchr(s, '"', (size_t) (end - s));

    if (p == NULL) {
        *other = 1;
        return NULL;
    }

    if (!athena_json_plain(s, (size_t) (p - s))) {
        high = 0;

        for (p = s; *p != '"'; p++) {
            c = (unsigned char) *p;

            if (c == '\\' || c < 0x20) {
                *other = 1;
                return NULL;
            }

            high |= c & 0x80;
        }

        if (high && !athena_utf8_valid(s, (size_t) (p - s))) {
            *other = 1;
            return NULL;
        }
    }

    *pp = p + 1;
    *len = (size_t) (p - s);

    return s;
}


/* a whole number (fractions and exponents are yajl's) */

static athena_json_t *
athena_json_simple_number(athena_arena_t *a, const char **pp,
    const char *end, int *other)
{
    const char  *p, *s;

    s = p = *pp;

    if (*p == '-') {
        p++;
    }

    if (p == end || *p < '0' || *p > '9'
        || (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9'))
    {
        *other = 1;
        return NULL;
    }

    while (p < end && *p >= '0' && *p <= '9') {
        p++;
    }

    if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) {
        *other = 1;
        return NULL;
    }

    *pp = p;

    return athena_json_numeral(a, s, (size_t) (p - s));
}


static athena_json_t *
athena_json_simple_word(athena_arena_t *a, const char **pp, const char *end,
    int *other)
{
    size_t       n;
    const char  *p;

    p = *pp;
    n = (size_t) (end - p);

    if (n >= 4 && memcmp(p, "null", 4) == 0) {
        *pp = p + 4;
        return athena_json_new(a, ATHENA_JSON_NULL);
    }

    if (n >= 4 && memcmp(p, "true", 4) == 0) {
        *pp = p + 4;
        return athena_json_bool(a, 1);
    }

    if (n >= 5 && memcmp(p, "false", 5) == 0) {
        *pp = p + 5;
        return athena_json_bool(a, 0);
    }

    *other = 1;

    return NULL;
}


static athena_json_t *athena_json_simple_value(athena_arena_t *a,
    const char **pp, const char *end, unsigned depth, unsigned max_depth,
    int *other);


/* an array or an object at *pp, inside depth others */

static athena_json_t *
athena_json_simple_container(athena_arena_t *a, const char **pp,
    const char *end, unsigned depth, unsigned max_depth, int *other)
{
    char            close, *key;
    size_t          len;
    const char     *p, *name;
    athena_json_t  *c, *v;

    /* too deep: yajl's callbacks say so, with the right error */
    if (depth >= max_depth || depth >= ATHENA_JSON_STACK) {
        *other = 1;
        return NULL;
    }

    close = **pp == '{' ? '}' : ']';

    c = athena_json_new(a, close == '}' ? ATHENA_JSON_OBJECT
                                        : ATHENA_JSON_ARRAY);
    if (c == NULL) {
        return NULL;
    }

    p = athena_json_space(*pp + 1, end);

    while (p < end && *p != close) {
        key = NULL;

        if (close == '}') {
            name = *p == '"' ? athena_json_simple_text(&p, end, &len, other)
                             : NULL;
            if (name == NULL) {
                *other = 1;
                return NULL;
            }

            p = athena_json_space(p, end);

            if (p == end || *p != ':') {
                *other = 1;
                return NULL;
            }

            key = athena_strndup(a, name, len);
            if (key == NULL) {
                return NULL;
            }

            p = athena_json_space(p + 1, end);
        }

        v = athena_json_simple_value(a, &p, end, depth + 1, max_depth,
                                     other);

        if (v == NULL || athena_json_append(a, c, key, v) != 0) {
            return NULL;
        }

        p = athena_json_space(p, end);

        if (p < end && *p == ',') {
            p = athena_json_space(p + 1, end);

            if (p < end && *p == close) {
                *other = 1;
                return NULL;
            }

        } else if (p < end && *p != close) {
            *other = 1;
            return NULL;
        }
    }

    if (p == end) {
        *other = 1;
        return NULL;
    }

    *pp = p + 1;

    return c;
}


static athena_json_t *
athena_json_simple_value(athena_arena_t *a, const char **pp, const char *end,
    unsigned depth, unsigned max_depth, int *other)
{
    size_t       len;
    const char  *s;

    if (*pp == end) {
        *other = 1;
        return NULL;
    }

    switch (**pp) {

    case '"':
        s = athena_json_simple_text(pp, end, &len, other);
        return s != NULL ? athena_json_string(a, s, len) : NULL;

    case '[':
    case '{':
        return athena_json_simple_container(a, pp, end, depth, max_depth,
                                            other);

    case 'n':
    case 't':
    case 'f':
        return athena_json_simple_word(a, pp, end, other);

    default:
        return athena_json_simple_number(a, pp, end, other);
    }
}


/*
 * An array or an object without escapes, fractions or exponents (a
 * session's cache entry, which every event-loop answer reads, and most
 * request bodies): read here, where yajl's lexer and callbacks cost three
 * times as much. The tree is the one yajl's callbacks would build.
 * ATHENA_JSON_SYNTAX stands for anything else (an escape, a fraction, a
 * scalar alone, too deep a nesting, bad JSON), which yajl then reads or
 * refuses with the right error.
 */

static athena_json_rc_e
athena_json_simple(athena_arena_t *a, const char *text, size_t len,
    unsigned max_depth, athena_json_t **out)
{
    int             other;
    const char     *p, *end;
    athena_json_t  *root;

    end = text + len;
    p = athena_json_space(text, end);

    if (p == end || (*p != '[' && *p != '{')) {
        return ATHENA_JSON_SYNTAX;
    }

    other = 0;
    root = athena_json_simple_container(a, &p, end, 0, max_depth, &other);

    if (other || (root != NULL && athena_json_space(p, end) != end)) {
        return ATHENA_JSON_SYNTAX;
    }

    if (root == NULL) {
        return ATHENA_JSON_NOMEM;
    }

    *out = root;

    return ATHENA_JSON_OK;
}


/*
 * Whether text ends inside a string. yajl takes an unterminated string
 * after a whole value ('{"a":1}"x') for a token still to come and calls
 * the text complete; JSON.parse refuses it.
 */

static int
athena_json_open_string(const char *p, const char *end)
{
    int  in_string;

    in_string = 0;

    for ( /* void */ ; p < end; p++) {
        if (*p == '"') {
            in_string = !in_string;

        } else if (*p == '\\' && in_string) {
            p++;
        }
    }

    return in_string;
}


athena_json_rc_e
athena_json_parse(athena_arena_t *a, const char *text, size_t len,
    unsigned max_depth, athena_json_t **out)
{
    char                   *msg;
    yajl_handle             h;
    yajl_status             st;
    athena_json_rc_e        rc;
    athena_json_builder_t   b;

    memset(&b, 0, sizeof(b));
    b.arena = a;
    b.max_depth = max_depth;

    /* JSON.parse, as better-call calls it, skips a UTF-8 byte order mark */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        len -= 3;
    }

    rc = athena_json_simple(a, text, len, max_depth, out);
    if (rc != ATHENA_JSON_SYNTAX) {
        return rc;
    }

    text = athena_json_mend_surrogates(a, text, len);
    if (text == NULL) {
        return ATHENA_JSON_NOMEM;
    }

    h = yajl_alloc(&athena_json_callbacks, NULL, &b);
    if (h == NULL) {
        return ATHENA_JSON_NOMEM;
    }

    st = yajl_parse(h, (const unsigned char *) text, len);
    if (st == yajl_status_ok) {
        st = yajl_complete_parse(h);
    }

    rc = ATHENA_JSON_OK;

    if (b.nomem) {
        rc = ATHENA_JSON_NOMEM;

    } else if (b.too_deep) {
        rc = ATHENA_JSON_DEPTH;

    } else if (b.bad_utf8) {
        rc = ATHENA_JSON_UTF8;

    } else if (st != yajl_status_ok || b.root == NULL
               || athena_json_open_string(text, text + len))
    {
        rc = ATHENA_JSON_SYNTAX;

        /* yajl reports bad UTF-8 in a string as a lexical error */
        msg = (char *) yajl_get_error(h, 0, NULL, 0);
        if (msg != NULL) {
            if (strstr(msg, "UTF8") != NULL) {
                rc = ATHENA_JSON_UTF8;
            }
            yajl_free_error(h, (unsigned char *) msg);
        }
    }

    yajl_free(h);

    *out = rc == ATHENA_JSON_OK ? b.root : NULL;

    return rc;
}


athena_json_t *
athena_json_get(const athena_json_t *obj, const char *key)
{
    size_t  i;

    if (obj == NULL || obj->type != ATHENA_JSON_OBJECT) {
        return NULL;
    }

    /* JSON.parse keeps the last of repeated names; so do we */
    for (i = obj->n; i > 0; i--) {
        if (strcmp(obj->keys[i - 1], key) == 0) {
            return obj->items[i - 1];
        }
    }

    return NULL;
}


/* the names zod uses in "expected string, received X" */

/* whether v is an array of strings only */

int
athena_json_strings(const athena_json_t *v)
{
    size_t  i;

    if (v == NULL || v->type != ATHENA_JSON_ARRAY) {
        return 0;
    }

    for (i = 0; i < v->n; i++) {
        if (v->items[i]->type != ATHENA_JSON_STRING) {
            return 0;
        }
    }

    return 1;
}


const char *
athena_json_type_name(const athena_json_t *v)
{
    if (v == NULL) {
        return "undefined";
    }

    switch (v->type) {
    case ATHENA_JSON_NULL:
        return "null";
    case ATHENA_JSON_BOOL:
        return "boolean";
    case ATHENA_JSON_NUMBER:
        return "number";
    case ATHENA_JSON_STRING:
        return "string";
    case ATHENA_JSON_ARRAY:
        return "array";
    default:
        return "object";
    }
}
