#include <math.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "athena_b64url.h"
#include "athena_jwt.h"


/* JSON in a token is shallow; this bounds what a forged one may cost */
#define ATHENA_JWT_DEPTH  16


/*
 * The token of an Authorization value "Bearer <a>.<b>.<c>" (len bytes)
 * when it has a JWT's three parts (a session token has at most two), or
 * NULL; *n is its length.
 */

const char *
athena_jwt_bearer(const char *auth, size_t len, size_t *n)
{
    size_t  i, dots;

    if (len <= 7 || strncasecmp(auth, "Bearer ", 7) != 0) {
        return NULL;
    }

    dots = 0;
    for (i = 7; i < len; i++) {
        dots += (auth[i] == '.');
    }

    *n = len - 7;

    return dots == 2 ? auth + 7 : NULL;
}


/* header.payload.signature; payload is JSON text */

char *
athena_jwt_sign(athena_arena_t *a, const char *kid, const athena_ed25519_t *k,
    const char *payload, size_t len)
{
    char           *header, *out, *p;
    size_t          hlen, n;
    unsigned char   sig[ATHENA_ED25519_SIG];

    header = athena_sprintf(a, "{\"alg\":\"EdDSA\",\"kid\":\"%s\"}", kid);
    if (header == NULL) {
        return NULL;
    }

    hlen = strlen(header);
    n = ATHENA_B64URL_LEN(hlen) + 1 + ATHENA_B64URL_LEN(len) + 1
        + ATHENA_B64URL_LEN(ATHENA_ED25519_SIG) + 1;

    out = athena_alloc(a, n);
    if (out == NULL) {
        return NULL;
    }

    p = out + athena_b64url_encode((const unsigned char *) header, hlen, out);
    *p++ = '.';
    p += athena_b64url_encode((const unsigned char *) payload, len, p);

    crypto_sign_ed25519_detached(sig, NULL, (const unsigned char *) out,
                                 (unsigned long long) (p - out), k->sk);

    *p++ = '.';
    athena_b64url_encode(sig, ATHENA_ED25519_SIG, p);

    return out;
}


/* a base64url part that is a JSON object */

static athena_json_t *
athena_jwt_object(athena_arena_t *a, const char *part, size_t n)
{
    size_t          len;
    unsigned char  *raw;
    athena_json_t  *v;

    raw = athena_alloc(a, ATHENA_B64URL_BYTES(n) + 1);

    if (raw == NULL || athena_b64url_decode(part, n, raw, &len) != 0
        || athena_json_parse(a, (const char *) raw, len, ATHENA_JWT_DEPTH, &v)
           != ATHENA_JSON_OK
        || v->type != ATHENA_JSON_OBJECT)
    {
        return NULL;
    }

    return v;
}


static const char *
athena_jwt_string(const athena_json_t *obj, const char *name)
{
    const athena_json_t  *v;

    v = athena_json_get(obj, name);

    return v && v->type == ATHENA_JSON_STRING ? v->string : NULL;
}


/*
 * The parts of a token, not yet trusted: the signature is checked by
 * athena_jwt_verify() with the key that kid names. Only EdDSA is taken:
 * "none" and every other alg are refused here, so a key is never used
 * with an algorithm it was not made for.
 */

athena_jwt_rc_e
athena_jwt_parse(athena_arena_t *a, const char *token, size_t len,
    athena_jwt_t *jwt)
{
    size_t               h, p, s, n;
    const char          *alg, *dot1, *dot2;
    athena_json_t       *header;
    const athena_json_t  *exp;

    memset(jwt, 0, sizeof(athena_jwt_t));

    if (len == 0 || len > ATHENA_JWT_MAX) {
        return ATHENA_JWT_MALFORMED;
    }

    dot1 = memchr(token, '.', len);
    dot2 = dot1 ? memchr(dot1 + 1, '.', len - (dot1 + 1 - token)) : NULL;

    if (dot2 == NULL || memchr(dot2 + 1, '.', len - (dot2 + 1 - token))) {
        return ATHENA_JWT_MALFORMED;
    }

    h = (size_t) (dot1 - token);
    p = (size_t) (dot2 - dot1 - 1);
    s = len - (size_t) (dot2 + 1 - token);

    header = athena_jwt_object(a, token, h);
    if (header == NULL) {
        return ATHENA_JWT_MALFORMED;
    }

    alg = athena_jwt_string(header, "alg");
    jwt->kid = athena_jwt_string(header, "kid");

    if (alg == NULL || strcmp(alg, "EdDSA") != 0) {
        return ATHENA_JWT_ALG;
    }

    /* an extension the token says must be understood is not */
    if (jwt->kid == NULL || athena_json_get(header, "crit") != NULL) {
        return ATHENA_JWT_MALFORMED;
    }

    if (s != ATHENA_B64URL_LEN(ATHENA_ED25519_SIG)
        || athena_b64url_decode(dot2 + 1, s, jwt->sig, &n) != 0
        || n != ATHENA_ED25519_SIG)
    {
        return ATHENA_JWT_MALFORMED;
    }

    jwt->claims = athena_jwt_object(a, dot1 + 1, p);
    if (jwt->claims == NULL) {
        return ATHENA_JWT_MALFORMED;
    }

    exp = athena_json_get(jwt->claims, "exp");
    if (exp != NULL) {
        /* seconds past year 9999 are no date, nor an int64 of ms */
        if (exp->type != ATHENA_JSON_NUMBER || !isfinite(exp->number)
            || exp->number < 1 || exp->number > 253402300799.0)
        {
            return ATHENA_JWT_MALFORMED;
        }

        jwt->exp = (int64_t) floor(exp->number);
    }

    jwt->sub = athena_jwt_string(jwt->claims, "sub");
    jwt->input = token;
    jwt->input_len = (size_t) (dot2 - token);

    return ATHENA_JWT_OK;
}


athena_jwt_rc_e
athena_jwt_verify(const athena_jwt_t *jwt, const unsigned char *pk)
{
    if (crypto_sign_ed25519_verify_detached(jwt->sig,
            (const unsigned char *) jwt->input,
            (unsigned long long) jwt->input_len, pk) != 0)
    {
        return ATHENA_JWT_SIGNATURE;
    }

    return ATHENA_JWT_OK;
}


static int
athena_jwt_audience(const athena_json_t *aud, const char *want)
{
    size_t  i;

    if (aud == NULL) {
        return 0;
    }

    if (aud->type == ATHENA_JSON_STRING) {
        return strcmp(aud->string, want) == 0;
    }

    if (aud->type != ATHENA_JSON_ARRAY) {
        return 0;
    }

    for (i = 0; i < aud->n; i++) {
        if (aud->items[i]->type == ATHENA_JSON_STRING
            && strcmp(aud->items[i]->string, want) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * As the plugin's verifyJWT(): exp in the future (now in seconds, no
 * leeway), iss and aud as configured, and a sub; nbf, when present, not
 * in the future (jose checks it too). A token with no exp is refused:
 * the plugin never makes one, and one would never expire.
 */

athena_jwt_rc_e
athena_jwt_claims(const athena_jwt_t *jwt, int64_t now, const char *issuer,
    const char *audience)
{
    const char           *iss;
    const athena_json_t  *nbf;

    if (jwt->exp == 0 || jwt->exp <= now) {
        return ATHENA_JWT_EXPIRED;
    }

    nbf = athena_json_get(jwt->claims, "nbf");
    if (nbf != NULL
        && (nbf->type != ATHENA_JSON_NUMBER || !isfinite(nbf->number)
            || nbf->number > (double) now))
    {
        return ATHENA_JWT_EARLY;
    }

    iss = athena_jwt_string(jwt->claims, "iss");
    if (iss == NULL || strcmp(iss, issuer) != 0) {
        return ATHENA_JWT_ISSUER;
    }

    if (!athena_jwt_audience(athena_json_get(jwt->claims, "aud"), audience)) {
        return ATHENA_JWT_AUDIENCE;
    }

    if (jwt->sub == NULL || jwt->sub[0] == '\0') {
        return ATHENA_JWT_SUBJECT;
    }

    return ATHENA_JWT_OK;
}


const char *
athena_jwt_reason(athena_jwt_rc_e rc)
{
    static const char  *reasons[] = {
        "valid", "malformed", "algorithm not accepted", "bad signature",
        "expired", "not yet valid", "wrong issuer", "wrong audience",
        "no subject"
    };

    return (size_t) rc < sizeof(reasons) / sizeof(reasons[0])
           ? reasons[rc] : "invalid";
}
