#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "athena_apikey.h"
#include "athena_b64url.h"
#include "athena_crypto.h"


/* the plugin's alphabet: letters only, lower case first */
static const char  athena_key_letters[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/*
 * len letters, then '\0'. Bytes >= 208 (4 * 52) are rejected so that every
 * letter is equally likely, as the plugin's generator does.
 */

int
athena_apikey_generate(char *out, size_t len)
{
    size_t         i, n;
    unsigned char  buf[128];

    n = 0;

    while (n < len) {
        if (RAND_bytes(buf, sizeof(buf)) != 1) {
            return -1;
        }

        for (i = 0; i < sizeof(buf) && n < len; i++) {
            if (buf[i] < 208) {
                out[n++] = athena_key_letters[buf[i] % 52];
            }
        }
    }

    out[len] = '\0';

    return 0;
}


/* out: ATHENA_APIKEY_HASH_LEN characters and '\0' */

void
athena_apikey_hash(const char *key, size_t len, char *out)
{
    unsigned char  md[ATHENA_SHA256_LEN];

    athena_sha256(key, len, md);
    athena_b64url_encode(md, ATHENA_SHA256_LEN, out);
}


/*
 * A stored hash back to the SHA-256 it encodes: the caches are keyed by
 * the digest, so a key known only by its row can still be evicted.
 * -1 when the text is not such a hash (a plaintext key of a plugin that
 * disables hashing, say).
 */

int
athena_apikey_hash_raw(const char *hash, unsigned char *raw)
{
    size_t  n;

    if (strlen(hash) != ATHENA_APIKEY_HASH_LEN
        || athena_b64url_decode(hash, ATHENA_APIKEY_HASH_LEN, raw, &n) != 0)
    {
        return -1;
    }

    return n == ATHENA_SHA256_LEN ? 0 : -1;
}


static int
athena_actions_include(const athena_json_t *list, const char *action)
{
    size_t  i;

    for (i = 0; i < list->n; i++) {
        if (list->items[i]->type == ATHENA_JSON_STRING
            && strcmp(list->items[i]->string, action) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * As the plugin's verify: every resource asked for must be on the key and
 * every action asked for in its list. Nothing asked ({}) grants nothing,
 * nor does an empty action list, nor a key without permissions.
 */

int
athena_apikey_permits(const athena_json_t *granted,
    const athena_permission_t *want, size_t n)
{
    size_t                i, k;
    const athena_json_t  *list;

    if (granted == NULL || granted->type != ATHENA_JSON_OBJECT || n == 0) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (want[i].nactions == 0) {
            return 0;
        }

        list = athena_json_get(granted, want[i].resource);
        if (list == NULL || list->type != ATHENA_JSON_ARRAY) {
            return 0;
        }

        for (k = 0; k < want[i].nactions; k++) {
            if (!athena_actions_include(list, want[i].actions[k])) {
                return 0;
            }
        }
    }

    return 1;
}


/*
 * The permissions as "\nresource:action\n...\n", for the gate, which
 * checks them on the event loop for every request of a cached key with
 * no JSON to parse. A name with ':' or a line break grants nothing there.
 */

char *
athena_apikey_flatten(athena_arena_t *a, const athena_json_t *granted)
{
    char                 *flat, *p;
    size_t                i, k, len;
    const athena_json_t  *list, *act;

    if (granted == NULL || granted->type != ATHENA_JSON_OBJECT) {
        return NULL;
    }

    len = 2;

    for (i = 0; i < granted->n; i++) {
        list = granted->items[i];

        for (k = 0; list->type == ATHENA_JSON_ARRAY && k < list->n; k++) {
            len += strlen(granted->keys[i]) + list->items[k]->len + 2;
        }
    }

    flat = athena_alloc(a, len + 1);
    if (flat == NULL) {
        return NULL;
    }

    p = flat;
    *p++ = '\n';

    for (i = 0; i < granted->n; i++) {
        list = granted->items[i];

        if (strpbrk(granted->keys[i], ":\n") != NULL) {
            continue;
        }

        for (k = 0; list->type == ATHENA_JSON_ARRAY && k < list->n; k++) {
            act = list->items[k];

            if (act->type != ATHENA_JSON_STRING
                || memchr(act->string, '\n', act->len) != NULL
                || memchr(act->string, '\0', act->len) != NULL)
            {
                continue;
            }

            p += sprintf(p, "%s:%s\n", granted->keys[i], act->string);
        }
    }

    *p = '\0';

    return flat;
}


/* athena_apikey_permits() over a flattened list */

int
athena_apikey_flat_permits(const char *flat, const athena_permission_t *want,
    size_t n)
{
    char    line[512];
    size_t  i, k;
    int     len;

    if (flat == NULL || n == 0) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (want[i].nactions == 0) {
            return 0;
        }

        for (k = 0; k < want[i].nactions; k++) {
            len = snprintf(line, sizeof(line), "\n%s:%s\n", want[i].resource,
                           want[i].actions[k]);

            if (len < 0 || (size_t) len >= sizeof(line)
                || strstr(flat, line) == NULL)
            {
                return 0;
            }
        }
    }

    return 1;
}
