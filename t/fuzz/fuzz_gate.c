/*
 * Which session token a request carries (athena_gate_token: the bearer
 * plugin's Authorization header, else the signed session cookie). The
 * input is the Authorization header, a newline, then the Cookie header;
 * an empty first line sends no Authorization, no newline no Cookie. Both
 * are tried with plain and with __Secure- cookie names. A bare bearer
 * token (no dot) must come back as it was sent; any other token returned
 * must stand in the (percent-decoded) input before a dot and signature.
 */

#define _GNU_SOURCE               /* memmem */

#include <strings.h>

#include "fuzz.h"
#include "../../src/api/athena_api.h"
#include "../../src/core/athena_text.h"


#define FUZZ_GATE_SECRET  "fuzz-secret-0123456789abcdefghijklmnopqrstuv"


/* "Bearer x" with no dot in x: the token must be x, without blanks */

static int
fuzz_gate_bare(const char *authorization, const char *token)
{
    size_t       len;
    const char  *h;

    if (authorization == NULL
        || strncasecmp(authorization, "bearer ", 7) != 0
        || strchr(authorization, '.') != NULL)
    {
        return 0;
    }

    h = authorization + 7 + strspn(authorization + 7, " \t");

    len = strlen(h);
    while (len && (h[len - 1] == ' ' || h[len - 1] == '\t')) {
        len--;
    }

    if (len == 0) {
        return 0;
    }

    fuzz_check(token != NULL && strlen(token) == len
               && memcmp(token, h, len) == 0);

    return 1;
}


static void
fuzz_gate_try(athena_conf_t *conf, const char *authorization,
    const char *cookie, const uint8_t *data, size_t size)
{
    char            *decoded, *signed_part;
    size_t           n;
    const char      *token;
    athena_arena_t  *a;

    a = fuzz_arena();

    token = athena_gate_token(conf, a, authorization, cookie);

    /* a signed token is in the input, decoded, and its signature follows */
    if (!fuzz_gate_bare(authorization, token) && token != NULL) {
        decoded = athena_uri_decode(a, (const char *) data, size, &n);
        signed_part = athena_sprintf(a, "%s.", token);

        fuzz_check(decoded != NULL && signed_part != NULL);
        fuzz_check(memmem(decoded, n, signed_part, strlen(signed_part))
                   != NULL);
    }

    athena_arena_destroy(a);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char           *authorization, *cookie;
    size_t          nl;
    athena_conf_t   conf;
    const uint8_t  *eol;

    eol = memchr(data, '\n', size);
    nl = eol ? (size_t) (eol - data) : size;

    authorization = nl ? fuzz_cstr(data, nl) : NULL;
    cookie = eol ? fuzz_cstr(eol + 1, size - nl - 1) : NULL;

    memset(&conf, 0, sizeof(athena_conf_t));
    conf.secret = FUZZ_GATE_SECRET;
    conf.secret_len = sizeof(FUZZ_GATE_SECRET) - 1;
    conf.cookie_prefix = "better-auth";

    fuzz_gate_try(&conf, authorization, cookie, data, size);

    conf.secure_cookies = 1;
    fuzz_gate_try(&conf, authorization, cookie, data, size);

    free(authorization);
    free(cookie);

    return 0;
}
