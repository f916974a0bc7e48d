/*
 * The gate's part in the API layer: which token a request carries (the
 * same rules as the endpoints), and, in a thread task, what that token's
 * session says. The gate only reads: an expired session is refused here
 * and left for the API to delete.
 */

#include <string.h>

#include "athena_api.h"
#include "../core/athena_time.h"
#include "../store/athena_auth_store.h"
#include "../store/athena_org_store.h"


const char *
athena_gate_token(const athena_conf_t *conf, athena_arena_t *a,
    const char *authorization, const char *cookie)
{
    athena_req_t  req;
    athena_ctx_t  ctx;

    memset(&req, 0, sizeof(athena_req_t));
    memset(&ctx, 0, sizeof(athena_ctx_t));

    req.authorization = authorization;
    req.cookie = cookie;

    ctx.a = a;
    ctx.conf = conf;
    ctx.req = &req;

    return athena_session_token(&ctx);
}


static athena_store_rc_e
athena_gate_find(athena_db_t *db, athena_gate_lookup_t *lk)
{
    int                 cached;
    char               *org_role;
    athena_user_t       u;
    athena_session_t    s;
    athena_identity_t  *id;
    athena_store_rc_e   rc;

    id = &lk->id;
    memset(id, 0, sizeof(athena_identity_t));

    rc = athena_session_find(db, lk->arena, lk->token, &s, &u, &cached);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        id->state = ATHENA_GATE_NONE;
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (s.expires_at <= athena_now_ms()) {
        id->state = ATHENA_GATE_NONE;
        return ATHENA_STORE_OK;
    }

    if (!cached) {
        athena_session_cache_put(db, lk->arena, &s, &u, 0);
    }

    org_role = NULL;

    if (s.active_organization_id != NULL) {
        rc = athena_member_role(db, lk->arena, s.active_organization_id,
                                u.id, &org_role);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }
    }

    id->state = ATHENA_GATE_LIVE;
    id->session_expires = s.expires_at;
    id->banned = u.banned == 1;
    id->ban_expires = u.ban_expires;

    id->str[ATHENA_ID_USER_ID] = u.id;
    id->str[ATHENA_ID_EMAIL] = u.email;
    id->str[ATHENA_ID_NAME] = u.name;
    id->str[ATHENA_ID_ROLE] = u.role;
    id->str[ATHENA_ID_SESSION_ID] = s.id;
    id->str[ATHENA_ID_ORG_ID] = s.active_organization_id;
    id->str[ATHENA_ID_ORG_ROLE] = org_role;
    id->str[ATHENA_ID_IMPERSONATED_BY] = s.impersonated_by;

    return ATHENA_STORE_OK;
}


/* runs in a pool thread */

void
athena_gate_lookup(athena_gate_lookup_t *lk)
{
    const char         *msg;
    athena_db_t        *db;
    athena_store_rc_e   rc;

    db = athena_db_acquire(&lk->conf->store);
    if (db == NULL) {
        lk->id.state = ATHENA_GATE_ERROR;
        lk->log_error = "out of memory";
        return;
    }

    rc = athena_gate_find(db, lk);

    if (rc == ATHENA_STORE_UNAVAILABLE && athena_db_may_retry(db)) {
        /* the connection died since the last task: one fresh try */
        athena_db_release(db);
        db = athena_db_acquire(&lk->conf->store);
        rc = db ? athena_gate_find(db, lk) : ATHENA_STORE_ERROR;
    }

    if (rc != ATHENA_STORE_OK) {
        lk->id.state = rc == ATHENA_STORE_UNAVAILABLE ? ATHENA_GATE_UNAVAILABLE
                                                     : ATHENA_GATE_ERROR;
        msg = db ? athena_db_error(db) : NULL;
        lk->log_error = athena_strdup(lk->arena,
                                      msg ? msg : "session lookup failed");
    }

    msg = db ? athena_db_warning(db) : NULL;
    if (msg != NULL) {
        lk->log_warn = athena_strdup(lk->arena, msg);
    }

    if (db) {
        athena_db_release(db);
    }
}
