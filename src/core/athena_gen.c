/*
 * The JSON writer. It took the place of yajl_gen, whose per-call buffer
 * appends, character-by-character escaping and UTF-8 checks of every
 * member name were a third of a list-users answer's instructions.
 */

#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "athena_buf.h"
#include "athena_gen.h"
#include "athena_time.h"


/* yajl_gen's limit, far past any answer's */
#define ATHENA_GEN_DEPTH  128

typedef enum {
    ATHENA_GEN_TOP = 0,
    ATHENA_GEN_ARRAY_FIRST,
    ATHENA_GEN_ARRAY_NEXT,
    ATHENA_GEN_MAP_FIRST,        /* a name is due, nothing before it */
    ATHENA_GEN_MAP_NAME,         /* a name is due, after a member */
    ATHENA_GEN_MAP_VALUE         /* a value is due, after its name */
} athena_gen_state_e;

struct athena_gen_s {
    char           *buf;
    size_t          len;
    size_t          cap;
    unsigned        depth;
    int             failed;
    unsigned char   state[ATHENA_GEN_DEPTH + 1];
};


athena_gen_t *
athena_gen_new(void)
{
    athena_gen_t  *g;

    g = malloc(sizeof(athena_gen_t));
    if (g == NULL) {
        return NULL;
    }

    g->cap = 2048;
    g->buf = malloc(g->cap);
    g->len = 0;
    g->depth = 0;
    g->failed = (g->buf == NULL);
    g->state[0] = ATHENA_GEN_TOP;

    return g;
}


void
athena_gen_free(athena_gen_t *g)
{
    if (g != NULL) {
        free(g->buf);
        free(g);
    }
}


/* copies the text written into the arena and frees the writer */

char *
athena_gen_finish(athena_arena_t *a, athena_gen_t *g, size_t *len)
{
    char  *p;

    p = NULL;

    if (g != NULL && !g->failed) {
        p = athena_strndup(a, g->buf, g->len);
        *len = g->len;
    }

    athena_gen_free(g);

    return p;
}


/* room for n more bytes: where they go, or NULL once memory ran out */

static char *
athena_gen_room(athena_gen_t *g, size_t n)
{
    char    *p;
    size_t   cap;

    if (g->failed) {
        return NULL;
    }

    if (g->cap - g->len < n) {
        cap = g->cap * 2 > g->len + n ? g->cap * 2 : g->len + n;

        p = realloc(g->buf, cap);
        if (p == NULL) {
            g->failed = 1;
            return NULL;
        }

        g->buf = p;
        g->cap = cap;
    }

    return g->buf + g->len;
}


/*
 * Room for a value of up to n bytes, after the separator its place wants:
 * a comma after an element or a member, a colon after a member's name.
 */

static char *
athena_gen_place(athena_gen_t *g, size_t n)
{
    char           *p;
    unsigned char  *state;

    p = athena_gen_room(g, n + 1);
    if (p == NULL) {
        return NULL;
    }

    state = &g->state[g->depth];

    switch (*state) {

    case ATHENA_GEN_ARRAY_FIRST:
        *state = ATHENA_GEN_ARRAY_NEXT;
        break;

    case ATHENA_GEN_ARRAY_NEXT:
        *p++ = ',';
        g->len++;
        break;

    case ATHENA_GEN_MAP_FIRST:
        *state = ATHENA_GEN_MAP_VALUE;
        break;

    case ATHENA_GEN_MAP_NAME:
        *p++ = ',';
        g->len++;
        *state = ATHENA_GEN_MAP_VALUE;
        break;

    case ATHENA_GEN_MAP_VALUE:
        *p++ = ':';
        g->len++;
        *state = ATHENA_GEN_MAP_NAME;
        break;

    default:
        break;
    }

    return p;
}


static void
athena_gen_raw(athena_gen_t *g, const char *s, size_t len)
{
    char  *p;

    p = athena_gen_place(g, len);
    if (p != NULL) {
        memcpy(p, s, len);
        g->len += len;
    }
}


static void
athena_gen_open(athena_gen_t *g, char c, athena_gen_state_e state)
{
    if (g->depth == ATHENA_GEN_DEPTH) {
        g->failed = 1;
        return;
    }

    athena_gen_raw(g, &c, 1);

    g->state[++g->depth] = (unsigned char) state;
}


static void
athena_gen_close(athena_gen_t *g, char c)
{
    char  *p;

    if (g->depth == 0) {
        g->failed = 1;
        return;
    }

    g->depth--;

    p = athena_gen_room(g, 1);
    if (p != NULL) {
        *p = c;
        g->len++;
    }
}


void
athena_gen_map_open(athena_gen_t *g)
{
    athena_gen_open(g, '{', ATHENA_GEN_MAP_FIRST);
}


void
athena_gen_map_close(athena_gen_t *g)
{
    athena_gen_close(g, '}');
}


void
athena_gen_array_open(athena_gen_t *g)
{
    athena_gen_open(g, '[', ATHENA_GEN_ARRAY_FIRST);
}


void
athena_gen_array_close(athena_gen_t *g)
{
    athena_gen_close(g, ']');
}


/* s escaped into p, which has 6 bytes for each of s's: the end */

static char *
athena_gen_escape(char *p, const unsigned char *s, size_t len)
{
    int                 n;
    size_t              i;
    ucs4_t              uc;
    unsigned char       c;
    static const char   hex[] = "0123456789abcdef";

    for (i = 0; i < len; /* void */ ) {
        c = s[i];

        if (c >= 0x80) {
            n = u8_mbtoucr(&uc, s + i, len - i);

            if (n < 0) {
                /* U+FFFD, as a JavaScript string decoded from it holds */
                *p++ = (char) 0xef;
                *p++ = (char) 0xbf;
                *p++ = (char) 0xbd;
                i++;
                continue;
            }

            memcpy(p, s + i, (size_t) n);
            p += n;
            i += (size_t) n;
            continue;
        }

        i++;

        if (c >= 0x20 && c != '"' && c != '\\') {
            *p++ = (char) c;
            continue;
        }

        *p++ = '\\';

        switch (c) {
        case '"':
        case '\\':
            *p++ = (char) c;
            break;
        case '\b':
            *p++ = 'b';
            break;
        case '\f':
            *p++ = 'f';
            break;
        case '\n':
            *p++ = 'n';
            break;
        case '\r':
            *p++ = 'r';
            break;
        case '\t':
            *p++ = 't';
            break;
        default:
            *p++ = 'u';
            *p++ = '0';
            *p++ = '0';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 0xf];
            break;
        }
    }

    return p;
}


void
athena_gen_text(athena_gen_t *g, const char *s, size_t len)
{
    char  *p, *end;

    if (athena_json_plain(s, len)) {
        p = athena_gen_place(g, len + 2);
        if (p == NULL) {
            return;
        }

        *p++ = '"';
        memcpy(p, s, len);
        p[len] = '"';
        g->len += len + 2;
        return;
    }

    p = athena_gen_place(g, 6 * len + 2);
    if (p == NULL) {
        return;
    }

    *p++ = '"';
    end = athena_gen_escape(p, (const unsigned char *) s, len);
    *end++ = '"';

    g->len = (size_t) (end - g->buf);
}


void
athena_gen_cstr(athena_gen_t *g, const char *s)
{
    athena_gen_text(g, s, strlen(s));
}


/* a member's name is a string where a name is due (the state says so) */

void
athena_gen_key(athena_gen_t *g, const char *key)
{
    athena_gen_cstr(g, key);
}


void
athena_gen_null(athena_gen_t *g)
{
    athena_gen_raw(g, "null", 4);
}


void
athena_gen_str_or_null(athena_gen_t *g, const char *s)
{
    if (s == NULL) {
        athena_gen_null(g);
        return;
    }

    athena_gen_cstr(g, s);
}


void
athena_gen_bool(athena_gen_t *g, int b)
{
    if (b) {
        athena_gen_raw(g, "true", 4);

    } else {
        athena_gen_raw(g, "false", 5);
    }
}


void
athena_gen_int(athena_gen_t *g, int64_t n)
{
    char   text[ATHENA_DECIMAL_LEN], *p;

    p = athena_decimal(text + sizeof(text), n);

    athena_gen_raw(g, p, (size_t) (text + sizeof(text) - p));
}


void
athena_gen_time(athena_gen_t *g, int64_t ms)
{
    char  buf[ATHENA_ISO_LEN + 1];

    athena_time_iso(ms, buf);
    athena_gen_text(g, buf, ATHENA_ISO_LEN);
}


void
athena_gen_time_or_null(athena_gen_t *g, int64_t ms)
{
    if (ms == ATHENA_TIME_NULL) {
        athena_gen_null(g);
        return;
    }

    athena_gen_time(g, ms);
}


/* a parsed value written back; a number keeps the text it was read from */

void
athena_gen_value(athena_gen_t *g, const athena_json_t *v)
{
    size_t  i;

    switch (v->type) {
    case ATHENA_JSON_NULL:
        athena_gen_null(g);
        break;
    case ATHENA_JSON_BOOL:
        athena_gen_bool(g, v->boolean);
        break;
    case ATHENA_JSON_NUMBER:
        athena_gen_raw(g, v->string, v->len);
        break;
    case ATHENA_JSON_STRING:
        athena_gen_text(g, v->string, v->len);
        break;
    case ATHENA_JSON_ARRAY:
        athena_gen_array_open(g);
        for (i = 0; i < v->n; i++) {
            athena_gen_value(g, v->items[i]);
        }
        athena_gen_array_close(g);
        break;
    case ATHENA_JSON_OBJECT:
        athena_gen_map_open(g);
        for (i = 0; i < v->n; i++) {
            athena_gen_key(g, v->keys[i]);
            athena_gen_value(g, v->items[i]);
        }
        athena_gen_map_close(g);
        break;
    }
}
