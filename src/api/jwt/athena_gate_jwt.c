/*
 * The gate's JWTs: a bearer token that is a JWT of the jwt plugin admits
 * its subject with no store lookup, once its signature verifies with a
 * key of table "jwks" and its claims hold. The worker keeps the public
 * keys; a task reads them again when a token names a kid it does not
 * know (athena_gate_jwks()).
 */

#include <string.h>

#include "../athena_api.h"
#include "../../core/athena_jwt.h"
#include "../../core/athena_time.h"


static const char *
athena_claim_string(const athena_json_t *claims, const char *name)
{
    const athena_json_t  *v;

    v = athena_json_get(claims, name);

    return v && v->type == ATHENA_JSON_STRING && v->len == strlen(v->string)
           ? v->string : NULL;
}


/*
 * The identity a verified token carries: the user's fields as they were
 * when it was signed (the plugin's payload is the session's user), and
 * no session. A ban in the payload still refuses.
 */

static void
athena_gate_jwt_identity(athena_identity_t *id, const athena_jwt_t *jwt)
{
    int64_t               ban;
    const char           *s;
    const athena_json_t  *banned;

    id->state = ATHENA_GATE_LIVE;
    id->session_expires = jwt->exp * 1000;

    banned = athena_json_get(jwt->claims, "banned");
    id->banned = banned && banned->type == ATHENA_JSON_BOOL && banned->boolean;

    s = athena_claim_string(jwt->claims, "banExpires");
    id->ban_expires = s && athena_time_date(s, &ban) ? ban : ATHENA_TIME_NULL;

    id->str[ATHENA_ID_USER_ID] = jwt->sub;
    id->str[ATHENA_ID_EMAIL] = athena_claim_string(jwt->claims, "email");
    id->str[ATHENA_ID_NAME] = athena_claim_string(jwt->claims, "name");
    id->str[ATHENA_ID_ROLE] = athena_claim_string(jwt->claims, "role");
}


/*
 * Decides a JWT against the keys the worker holds: 1 with id filled
 * (LIVE, or NONE for a token refused), 0 when its kid is none of them.
 */

int
athena_gate_jwt(athena_identity_t *id, athena_arena_t *a,
    const athena_conf_t *conf, const char *self_origin, const char *token,
    const athena_jwt_key_t *keys, size_t n, int64_t now)
{
    size_t            i;
    athena_jwt_t      jwt;
    athena_jwt_rc_e   rc;

    memset(id, 0, sizeof(athena_identity_t));
    id->state = ATHENA_GATE_NONE;

    if (athena_jwt_parse(a, token, strlen(token), &jwt) != ATHENA_JWT_OK) {
        return 1;
    }

    for (i = 0; i < n; i++) {
        if (strcmp(keys[i].kid, jwt.kid) == 0) {
            break;
        }
    }

    if (i == n) {
        return 0;
    }

    rc = athena_jwt_accept(conf, a, self_origin, &jwt, keys[i].pk, now);

    if (rc == ATHENA_JWT_OK && strlen(jwt.sub) < 256) {
        athena_gate_jwt_identity(id, &jwt);
    }

    return 1;
}


/*
 * In a task: the keys a verifier may trust, those the JWKS publishes,
 * EdDSA ones only (the only kind the plugin's default makes and this
 * module verifies).
 */

athena_store_rc_e
athena_gate_jwks(athena_db_t *db, athena_gate_lookup_t *lk)
{
    size_t              i, n;
    athena_store_rc_e   rc;
    athena_jwt_key_t   *k;
    athena_jwks_key_t  *rows;

    rc = athena_jwks_published(db, lk->arena, lk->conf->jwt_grace, &rows, &n);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    k = athena_alloc(lk->arena, (n + 1) * sizeof(athena_jwt_key_t));
    if (k == NULL) {
        return ATHENA_STORE_ERROR;
    }

    lk->nkeys = 0;

    for (i = 0; i < n; i++) {
        if ((rows[i].alg == NULL || strcmp(rows[i].alg, "EdDSA") == 0)
            && athena_jwk_read_public(lk->arena, rows[i].public_key,
                                      k[lk->nkeys].pk) == 0)
        {
            k[lk->nkeys++].kid = rows[i].id;
        }
    }

    lk->keys = k;
    lk->keys_read = 1;

    return ATHENA_STORE_OK;
}
