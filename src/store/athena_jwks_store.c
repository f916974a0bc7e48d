#include <string.h>

#include "athena_columns.h"
#include "athena_jwks_store.h"
#include "../core/athena_crypto.h"
#include "../core/athena_json.h"
#include "../core/athena_time.h"


/*
 * Each pool thread keeps the key it signs with and reads the table again
 * at most this often (or when the key expires): a key made by another
 * node, or by a better-auth app, is taken up within this time, and until
 * then both keys are published and verify.
 */
#define ATHENA_JWKS_RECHECK  60000


/* a key the JWKS publishes: unexpired, or expired less than $n ms ago */
#define ATHENA_JWKS_PUBLISHED(n)                                              \
    "(\"expiresAt\" IS NULL OR \"expiresAt\" + $" #n "::int8"                  \
    " * interval '1 millisecond' > now())"


static __thread athena_jwks_signer_t  athena_jwks_cached;
static __thread int64_t               athena_jwks_checked;
/* the configuration the key was read for: a reload makes a new one */
static __thread const athena_jwks_conf_t  *athena_jwks_for;


static athena_store_rc_e
athena_jwks_read(athena_arena_t *a, const athena_jwks_conf_t *jc,
    const athena_rows_t *rows, athena_jwks_signer_t *s, const char **reason)
{
    const char  *id, *plain;

    id = athena_rows_get(rows, 0, 0);
    plain = athena_jwk_open(a, jc->secret, jc->secret_len,
                            athena_rows_get(rows, 0, 1));

    if (id == NULL || strlen(id) >= sizeof(s->id) || plain == NULL
        || athena_jwk_read_private(a, plain, &s->key) != 0)
    {
        *reason = "the newest signing key in table \"jwks\" does not open"
                  " with athena_auth_secret (made under another secret?)";
        return ATHENA_STORE_ERROR;
    }

    strcpy(s->id, id);
    s->expires_at = athena_rows_time(rows, 0, 2, ATHENA_TIME_NULL);

    return ATHENA_STORE_OK;
}


/* as the plugin: a new Ed25519 pair, its private half sealed */

static athena_store_rc_e
athena_jwks_create(athena_db_t *db, athena_arena_t *a,
    const athena_jwks_conf_t *jc, athena_rows_t **rows)
{
    char               id[ATHENA_ID_LEN + 1];
    const char        *p[4];
    athena_ed25519_t   k;

    if (athena_random_id(id) != 0 || athena_jwk_generate(&k) != 0) {
        return ATHENA_STORE_ERROR;
    }

    p[0] = id;
    p[1] = athena_jwk_public(a, k.pk);
    p[2] = athena_jwk_seal(a, jc->secret, jc->secret_len,
                           athena_jwk_private(a, &k));
    p[3] = jc->rotation > 0 ? athena_int_text(a, jc->rotation) : NULL;

    memset(&k, 0, sizeof(k));

    if (p[1] == NULL || p[2] == NULL) {
        return ATHENA_STORE_ERROR;
    }

    return athena_pg_one(db, a,
               "INSERT INTO jwks (id, \"publicKey\", \"privateKey\","
               " \"createdAt\", \"expiresAt\", alg, crv)"
               " VALUES ($1, $2, $3, now(),"
               " now() + $4::int8 * interval '1 millisecond',"
               " 'EdDSA', 'Ed25519')"
               " RETURNING id, \"privateKey\", "
               ATHENA_TIME("\"expiresAt\""),
               4, p, rows);
}


/*
 * The key to sign with: the newest unexpired EdDSA key (a row with no alg
 * counts as one, as the plugin counts it as its configured alg), else a
 * new one. Keys of other algorithms, which a better-auth app configured
 * otherwise may have made, are published but never signed with here.
 */

athena_store_rc_e
athena_jwks_signer(athena_db_t *db, athena_arena_t *a,
    const athena_jwks_conf_t *jc, const athena_jwks_signer_t **signer,
    const char **reason)
{
    int64_t             now;
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    now = athena_now_ms();

    if (athena_jwks_checked != 0
        && now - athena_jwks_checked < ATHENA_JWKS_RECHECK
        && (athena_jwks_cached.expires_at == ATHENA_TIME_NULL
            || athena_jwks_cached.expires_at > now)
        && athena_jwks_for == jc)
    {
        *signer = &athena_jwks_cached;
        return ATHENA_STORE_OK;
    }

    athena_jwks_checked = 0;

    rc = athena_pg_one(db, a,
             "SELECT id, \"privateKey\", " ATHENA_TIME("\"expiresAt\"")
             " FROM jwks WHERE (\"expiresAt\" IS NULL OR \"expiresAt\" > now())"
             " AND coalesce(alg, 'EdDSA') = 'EdDSA'"
             " ORDER BY \"createdAt\" DESC LIMIT 1",
             0, NULL, &rows);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        rc = athena_jwks_create(db, a, jc, &rows);
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_jwks_read(a, jc, rows, &athena_jwks_cached, reason);
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_jwks_checked = now;
    athena_jwks_for = jc;
    *signer = &athena_jwks_cached;

    return ATHENA_STORE_OK;
}


/*
 * The keys a JWKS publishes, oldest first: those that never expire, and
 * those expired less than grace (ms) ago.
 */

athena_store_rc_e
athena_jwks_published(athena_db_t *db, athena_arena_t *a, int64_t grace,
    athena_jwks_key_t **keys, size_t *n)
{
    size_t              i;
    const char         *p;
    athena_rows_t      *rows;
    athena_jwks_key_t  *k;
    athena_store_rc_e   rc;

    p = athena_int_text(a, grace);

    rc = athena_pg_exec(db, a,
             "SELECT id, \"publicKey\", alg, crv FROM jwks"
             " WHERE " ATHENA_JWKS_PUBLISHED(1)
             " ORDER BY \"createdAt\", id",
             1, &p, &rows);

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    k = athena_alloc(a, (*n + 1) * sizeof(athena_jwks_key_t));
    if (k == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        k[i].id = athena_rows_get(rows, i, 0);
        k[i].public_key = athena_rows_get(rows, i, 1);
        k[i].alg = athena_rows_get(rows, i, 2);
        k[i].crv = athena_rows_get(rows, i, 3);
    }

    *keys = k;

    return ATHENA_STORE_OK;
}


/* the public JWK of a published EdDSA key, by its kid */

athena_store_rc_e
athena_jwks_public(athena_db_t *db, athena_arena_t *a, const char *kid,
    int64_t grace, const char **public_key)
{
    const char         *p[2];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = kid;
    p[1] = athena_int_text(a, grace);

    rc = athena_pg_one(db, a,
             "SELECT \"publicKey\" FROM jwks WHERE id = $1"
             " AND coalesce(alg, 'EdDSA') = 'EdDSA'"
             " AND " ATHENA_JWKS_PUBLISHED(2),
             2, p, &rows);

    if (rc == ATHENA_STORE_OK) {
        *public_key = athena_rows_get(rows, 0, 0);
    }

    return rc;
}


/* the plugin's GET /jwks makes a key when the table has none at all */

athena_store_rc_e
athena_jwks_ensure(athena_db_t *db, athena_arena_t *a,
    const athena_jwks_conf_t *jc, const char **reason)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_one(db, a, "SELECT 1 FROM jwks LIMIT 1", 0, NULL, &rows);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        rc = athena_jwks_create(db, a, jc, &rows);
        if (rc != ATHENA_STORE_OK) {
            *reason = "could not make a signing key in table \"jwks\"";
        }
    }

    return rc;
}
