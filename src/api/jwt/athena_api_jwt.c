/*
 * better-auth's jwt plugin: GET /token, GET /jwks, and the set-auth-jwt
 * header of get-session. Tokens are EdDSA (Ed25519), signed with the keys
 * of table "jwks" that a better-auth app with the plugin shares; the
 * payload is the session's user, as the plugin's default definePayload.
 */

#include <string.h>

#include "../athena_api.h"
#include "../../core/athena_jwt.h"
#include "../../core/athena_time.h"


/* the issuer and audience a token must name: as the plugin signs */

void
athena_jwt_expect(const athena_conf_t *conf, athena_arena_t *a,
    const char *self_origin, const char **iss, const char **aud)
{
    const char  *base, *origin;

    base = conf->base_origin ? conf->base_origin : self_origin;
    origin = base ? athena_origin_of(a, base) : NULL;

    *iss = conf->jwt_issuer ? conf->jwt_issuer : origin;
    *aud = conf->jwt_audience ? conf->jwt_audience : origin;
}


/*
 * A parsed token, checked as the plugin's verifyJWT() checks it with the
 * public key its kid names: the signature, then the claims, against the
 * issuer and audience the plugin signs with (now in milliseconds)
 */

athena_jwt_rc_e
athena_jwt_accept(const athena_conf_t *conf, athena_arena_t *a,
    const char *self_origin, const athena_jwt_t *jwt,
    const unsigned char *pk, int64_t now)
{
    const char       *iss, *aud;
    athena_jwt_rc_e   rc;

    rc = athena_jwt_verify(jwt, pk);
    if (rc != ATHENA_JWT_OK) {
        return rc;
    }

    athena_jwt_expect(conf, a, self_origin, &iss, &aud);
    if (iss == NULL || aud == NULL) {
        return ATHENA_JWT_ISSUER;
    }

    return athena_jwt_claims(jwt, now / 1000, iss, aud);
}


/* the session's JWT, or NULL with the reply made (a 500) */

static char *
athena_jwt_issue(athena_ctx_t *ctx)
{
    char                        *payload;
    size_t                       len;
    int64_t                      iat;
    athena_gen_t                *g;
    const char                  *iss, *aud, *reason;
    athena_store_rc_e            rc;
    const athena_jwks_signer_t  *signer;

    reason = NULL;

    rc = athena_jwks_signer(ctx->db, ctx->a, &ctx->conf->jwks, &signer,
                            &reason);
    if (rc != ATHENA_STORE_OK) {
        ctx->resp->log_error = reason;
        athena_reply_empty(ctx, rc == ATHENA_STORE_UNAVAILABLE ? 503 : 500);
        return NULL;
    }

    athena_jwt_expect(ctx->conf, ctx->a, ctx->req->self_origin, &iss, &aud);

    g = athena_gen_new();
    if (g == NULL || iss == NULL || aud == NULL) {
        if (g) {
            athena_gen_free(g);
        }

        athena_reply_empty(ctx, 500);
        return NULL;
    }

    iat = athena_now_ms() / 1000;

    athena_gen_map_open(g);
    athena_gen_key(g, "iat");
    athena_gen_int(g, iat);
    athena_gen_user_fields(g, &ctx->user);
    athena_gen_key(g, "sub");
    athena_gen_cstr(g, ctx->user.id);
    athena_gen_key(g, "exp");
    athena_gen_int(g, iat + ctx->conf->jwt_expires / 1000);
    athena_gen_key(g, "iss");
    athena_gen_cstr(g, iss);
    athena_gen_key(g, "aud");
    athena_gen_cstr(g, aud);
    athena_gen_map_close(g);

    payload = athena_gen_finish(ctx->a, g, &len);
    if (payload == NULL) {
        athena_reply_empty(ctx, 500);
        return NULL;
    }

    return athena_jwt_sign(ctx->a, signer->id, &signer->key, payload, len);
}


athena_store_rc_e
athena_api_jwt_token(athena_ctx_t *ctx)
{
    int                 ok;
    char               *token;
    athena_store_rc_e   rc;

    rc = athena_session_require(ctx, 1, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    token = athena_jwt_issue(ctx);
    if (token != NULL) {
        athena_reply_string(ctx, "token", token);
    }

    return ATHENA_STORE_OK;
}


/*
 * {"keys": [...]}: each key's alg and crv (the plugin's configured ones
 * where the row has none), then its public JWK's members, then its kid.
 */

static void
athena_jwt_gen_key(athena_ctx_t *ctx, athena_gen_t *g,
    const athena_jwks_key_t *k)
{
    size_t          i;
    athena_json_t  *jwk;

    if (athena_json_parse(ctx->a, k->public_key, strlen(k->public_key), 4,
                          &jwk) != ATHENA_JSON_OK
        || jwk->type != ATHENA_JSON_OBJECT)
    {
        /* a row no verifier could use is not published */
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "alg");
    athena_gen_cstr(g, k->alg ? k->alg : "EdDSA");

    if (k->crv != NULL || k->alg == NULL) {
        athena_gen_key(g, "crv");
        athena_gen_cstr(g, k->crv ? k->crv : "Ed25519");
    }

    for (i = 0; i < jwk->n; i++) {
        if (strcmp(jwk->keys[i], "alg") != 0 && strcmp(jwk->keys[i], "crv") != 0
            && strcmp(jwk->keys[i], "kid") != 0)
        {
            athena_gen_key(g, jwk->keys[i]);
            athena_gen_value(g, jwk->items[i]);
        }
    }

    athena_gen_key(g, "kid");
    athena_gen_cstr(g, k->id);
    athena_gen_map_close(g);
}


athena_store_rc_e
athena_api_jwt_jwks(athena_ctx_t *ctx)
{
    size_t              i, n;
    athena_gen_t       *g;
    const char         *reason;
    athena_store_rc_e   rc;
    athena_jwks_key_t  *keys;

    rc = athena_jwks_published(ctx->db, ctx->a, ctx->conf->jwt_grace, &keys,
                               &n);

    if (rc == ATHENA_STORE_OK && n == 0) {
        reason = NULL;
        rc = athena_jwks_ensure(ctx->db, ctx->a, &ctx->conf->jwks, &reason);

        if (rc == ATHENA_STORE_OK) {
            rc = athena_jwks_published(ctx->db, ctx->a, ctx->conf->jwt_grace,
                                       &keys, &n);
        } else if (reason) {
            ctx->resp->log_error = reason;
        }
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "keys");
    athena_gen_array_open(g);

    for (i = 0; i < n; i++) {
        athena_jwt_gen_key(ctx, g, &keys[i]);
    }

    athena_gen_array_close(g);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}


/*
 * The plugin's after hook on get-session: a fresh JWT on every answer
 * that has a session, in set-auth-jwt.
 */

void
athena_jwt_after(athena_ctx_t *ctx)
{
    char  *token;

    if (!ctx->conf->jwt || !ctx->has_session || ctx->key_session
        || ctx->resp->status != 200)
    {
        return;
    }

    token = athena_jwt_issue(ctx);
    if (token != NULL) {
        athena_reply_expose(ctx, "set-auth-jwt", token);
    }
}
