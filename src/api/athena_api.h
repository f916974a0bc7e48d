/*
 * The API layer: a request copied out of nginx goes in, a status, headers
 * and a JSON body come out. Nothing here includes nginx headers; a
 * handler runs in a thread-pool task (or, for routes marked inline, on the
 * event loop, where it must do no I/O).
 */

#ifndef ATHENA_API_H
#define ATHENA_API_H

#include <stddef.h>
#include <stdint.h>

#include "../core/athena_arena.h"
#include "../core/athena_check.h"
#include "../core/athena_gen.h"
#include "../core/athena_json.h"
#include "../core/athena_jwt.h"
#include "../core/athena_model.h"
#include "../store/athena_db.h"
#include "../store/athena_jwks_store.h"
#include "../store/athena_limit_store.h"
#include "../store/athena_smtp.h"


#define ATHENA_MAX_HEADERS  16


typedef struct {
    athena_store_conf_t   store;

    const char           *secret;
    size_t                secret_len;
    const char           *cookie_prefix;
    int                   secure_cookies;

    int64_t               expires_in;         /* milliseconds */
    int64_t               update_age;
    int64_t               fresh_age;

    const char           *base_origin;        /* NULL: the request's own */
    const char          **trusted_origins;
    size_t                ntrusted;

    const char          **admin_user_ids;
    size_t                nadmin_user_ids;
    const char          **admin_roles;        /* better-auth's adminRoles */
    size_t                nadmin_roles;
    int64_t               impersonation_ttl;  /* milliseconds */

    /* the organization plugin's options */
    int                   org_create;         /* allowUserToCreate... */
    int64_t               org_limit;          /* -1: no limit */
    int64_t               membership_limit;
    int64_t               invitation_limit;
    int64_t               invitation_ttl;     /* milliseconds */
    int                   org_deletion;       /* !disable...Deletion */
    const char           *creator_role;

    unsigned              min_password;
    unsigned              max_password;
    unsigned              max_depth;
    int                   disable_sign_up;

    /* mail: a relay when smtp.url is not NULL */
    athena_smtp_conf_t    smtp;
    const char           *mail_from;
    const char           *mail_from_name;
    const char           *public_url;         /* links in mail; or NULL */
    int                   mail_retries;
    int64_t               mail_retry_ms;

    /* the REST admin API's per-admin limits (seed 003) */
    athena_limit_conf_t   rest_limit;

    /* better-auth's jwt plugin, when jwt is set */
    int                   jwt;
    const char           *jwt_issuer;         /* NULL: the base origin */
    const char           *jwt_audience;       /* NULL: the base origin */
    int64_t               jwt_expires;        /* milliseconds */
    int64_t               jwt_grace;          /* JWKS keeps expired keys */
    athena_jwks_conf_t    jwks;               /* secret and rotation */
} athena_conf_t;


typedef enum {
    ATHENA_GET = 1,
    ATHENA_POST,
    ATHENA_PATCH,
    ATHENA_DELETE
} athena_method_e;

#define ATHENA_METHOD_BIT(m)  (1u << (m))


/*
 * A surface: a route table and the style of its answers over the one
 * pipeline. The better-auth surface answers {message, code}; the REST
 * admin surface (seed 003) {success, data, meta} and
 * {success: false, error: {code, message}}; the admin-roles surface
 * (seed 004) as a FastAPI service, {detail}.
 */

typedef enum {
    ATHENA_SURFACE_AUTH = 0,
    ATHENA_SURFACE_REST,
    ATHENA_SURFACE_ROLES
} athena_surface_e;


typedef struct athena_ctx_s  athena_ctx_t;

typedef athena_store_rc_e (*athena_handler_pt)(athena_ctx_t *ctx);


#define ATHENA_ROUTE_INLINE   0x01    /* no I/O: runs on the event loop */
#define ATHENA_ROUTE_FORM     0x02    /* also takes form-urlencoded */
#define ATHENA_ROUTE_TX       0x04    /* changes in one transaction */
#define ATHENA_ROUTE_KEYLESS  0x08    /* x-api-key is no session here */
#define ATHENA_ROUTE_JWT      0x10    /* only with the jwt plugin on */
#define ATHENA_ROUTE_SESSION  0x20    /* may be answered from the session
                                         the gate's shared memory holds */
#define ATHENA_ROUTE_PRELOAD  0x40    /* a task answers, with that session
                                         when the lookup found it fresh */

typedef struct {
    athena_method_e       method;
    const char           *path;
    athena_handler_pt     handler;
    unsigned              flags;
    const char           *audit_action;   /* NULL: not audited */
    const char           *audit_target;   /* the target's type */
} athena_route_t;


typedef struct {
    athena_arena_t       *arena;
    const athena_conf_t  *conf;
    const athena_route_t *route;
    athena_surface_e      surface;
    const char           *param;          /* a path's ":id", or NULL */

    const char           *args;           /* raw query string */
    const char           *content_type;
    const char           *body;
    size_t                body_len;

    const char           *cookie;
    const char           *authorization;
    const char           *api_key;        /* x-api-key */
    const char           *origin;
    const char           *referer;
    const char           *sec_fetch_site;
    const char           *sec_fetch_mode;
    const char           *sec_fetch_dest;
    const char           *self_origin;    /* scheme://host of the request */
    const char           *ip;
    const char           *user_agent;
    const char           *accept_language;

    /*
     * On the event loop: the session's cache entry as the gate's shared
     * memory holds it, and the user's role in its active organization
     * (NULL: none known), for athena_api_answer()
     */
    const char           *session_text;
    const char           *session_json;   /* get-session's answer to it */
    const char           *org_role;
    int                   stores_down;    /* the lookup found none up */
    int                   session_absent; /* it found no such session */
} athena_req_t;


typedef struct {
    const char           *name;
    const char           *value;
} athena_header_t;


typedef struct {
    int                   status;
    char                 *body;           /* NULL: empty body */
    size_t                len;
    athena_header_t       headers[ATHENA_MAX_HEADERS];
    size_t                nheaders;
    const char           *log_warn;       /* rate-limited by the caller */
    const char           *log_error;

    /* SHA-256 of the tokens whose sessions this request ended or changed */
    const unsigned char  *evict;          /* nevict * ATHENA_SHA256_LEN */
    size_t                nevict;
} athena_resp_t;


struct athena_ctx_s {
    athena_arena_t       *a;
    const athena_conf_t  *conf;
    athena_req_t         *req;
    athena_resp_t        *resp;
    athena_db_t          *db;
    athena_json_t        *body;

    int64_t               now;
    int                   session_read;   /* athena_session_load() ran */
    int                   has_session;
    int                   key_session;    /* the owner's, by x-api-key */
    athena_session_t      session;
    athena_user_t         user;
    int                   dont_remember;
    const char           *issued;         /* token.sig of a new cookie */

    const char           *error_code;     /* of the answer, for the audit */
    const char           *actor_id;       /* the admin acting, for both */
    const char           *actor_token;
    const char           *audit_target;   /* the id (or text) acted on */
    const char           *audit_details;  /* JSON object, or NULL */

    /* sessions to drop from the caches once the transaction commits */
    const char          **stale;
    size_t                nstale;
    int                   stale_ended;    /* revoked, not merely changed */

    /* a user whose API keys the gate must read afresh (a role, a ban) */
    const char           *stale_owner;

    /* other Redis entries to delete then (memberships) */
    const char          **stale_keys;
    size_t                nstale_keys;

    /* a count the REST API's limits want with the session's read */
    athena_limit_ask_t   *limit_ask;

    /* the user's admin roles entry, wanted with the session's read */
    int                   roles_wanted;
    char                 *admin_roles;        /* NULL: not read */

    int                   in_tx;          /* athena_tx_begin() was called */
    int                   keep;           /* commit even a refusal */
};


/*
 * What the gate learns about a token. The strings are NULL when absent;
 * a state other than LIVE carries no identity.
 */

typedef enum {
    ATHENA_GATE_NONE = 0,         /* no such session, or expired */
    ATHENA_GATE_LIVE,
    ATHENA_GATE_UNAVAILABLE,      /* neither Redis nor Postgres answered */
    ATHENA_GATE_ERROR,
    ATHENA_GATE_REFUSED           /* an API key, with the plugin's reason */
} athena_gate_state_e;


#define ATHENA_IDENTITY_NSTR  15

typedef struct {
    athena_gate_state_e   state;
    int64_t               session_expires;  /* or the key's expiry */
    int64_t               ban_expires;
    int                   banned;

    /* an API key whose every use is counted is never cached */
    int                   counted;

    /* ATHENA_GATE_NONE: no session has the token (not an expired one) */
    int                   absent;

    /* ATHENA_GATE_REFUSED: the plugin's status, code and message */
    int                   refusal_status;
    const char           *refusal_code;
    const char           *refusal_message;

    /* in this order, so that the cache can store them as one list */
    const char           *str[ATHENA_IDENTITY_NSTR];
} athena_identity_t;

#define ATHENA_ID_USER_ID          0
#define ATHENA_ID_EMAIL            1
#define ATHENA_ID_NAME             2
#define ATHENA_ID_ROLE             3
#define ATHENA_ID_SESSION_ID       4
#define ATHENA_ID_ORG_ID           5
#define ATHENA_ID_ORG_ROLE         6
#define ATHENA_ID_IMPERSONATED_BY  7
#define ATHENA_ID_KEY_ID           8    /* an API key's, when it is one */
#define ATHENA_ID_KEY_NAME         9
#define ATHENA_ID_KEY_CLIENT       10   /* metadata.athenaClientName */
#define ATHENA_ID_KEY_PERMISSIONS  11   /* athena_apikey_flatten() */
#define ATHENA_ID_ADMIN_ROLES      12   /* "ROLE[:scope][@ms],...", seed 004 */
#define ATHENA_ID_SESSION          13   /* for an API location's reads:
                                           the session's cache entry, */
#define ATHENA_ID_SESSION_JSON     14   /* and get-session's answer */


struct athena_permission_s;

/* a public key the gate verifies JWTs with */
typedef struct {
    const char           *kid;
    unsigned char         pk[ATHENA_ED25519_PK];
} athena_jwt_key_t;

typedef struct {
    const athena_conf_t  *conf;
    athena_arena_t       *arena;
    const char           *token;

    /* a reading of the JWT keys, not of a token: what it found */
    int                   jwks;
    int                   keys_read;
    athena_jwt_key_t     *keys;
    size_t                nkeys;

    /* an API key's lookup: the key, and the location's key_permission */
    const char                        *key;
    const struct athena_permission_s  *want;
    size_t                             nwant;

    athena_identity_t     id;
    int                   answers;        /* for an API location's reads */
    const char           *member_key;
    const char           *roles_key;
    const char           *log_warn;
    const char           *log_error;
} athena_gate_lookup_t;


typedef enum {
    ATHENA_GATE_DONE = 0,
    ATHENA_GATE_MEMBER,
    ATHENA_GATE_ROLES,
    ATHENA_GATE_ASK
} athena_gate_step_e;


const char *athena_gate_token(const athena_conf_t *conf, athena_arena_t *a,
    const char *authorization, const char *cookie);
void athena_gate_lookup(athena_gate_lookup_t *lk);
const char *athena_gate_session_key(athena_gate_lookup_t *lk);
athena_gate_step_e athena_gate_session_cached(athena_gate_lookup_t *lk,
    char *text);
athena_gate_step_e athena_gate_member_cached(athena_gate_lookup_t *lk,
    char *text);
athena_gate_step_e athena_gate_roles_cached(athena_gate_lookup_t *lk,
    char *text);
void athena_jwt_expect(const athena_conf_t *conf, athena_arena_t *a,
    const char *self_origin, const char **iss, const char **aud);
int athena_gate_jwt(athena_identity_t *id, athena_arena_t *a,
    const athena_conf_t *conf, const char *self_origin, const char *token,
    const athena_jwt_key_t *keys, size_t n, int64_t now);
athena_jwt_rc_e athena_jwt_accept(const athena_conf_t *conf,
    athena_arena_t *a, const char *self_origin, const athena_jwt_t *jwt,
    const unsigned char *pk, int64_t now);
athena_store_rc_e athena_gate_jwks(athena_db_t *db, athena_gate_lookup_t *lk);


const athena_route_t *athena_route_find(athena_method_e method,
    const char *path, size_t len);
const athena_route_t *athena_route_match(const athena_route_t *table,
    athena_method_e method, const char *path, size_t len, size_t *param,
    unsigned *allow);
int athena_route_param_ok(const char *id);
const athena_route_t *athena_rest_route_find(athena_method_e method,
    const char *path, size_t len, size_t *param, unsigned *allow);
const athena_route_t *athena_roles_route_find(athena_method_e method,
    const char *path, size_t len, size_t *param, unsigned *allow);
void athena_api_run(athena_req_t *req, athena_resp_t *resp);
int athena_api_answer(athena_req_t *req, athena_resp_t *resp);


/* answers */

athena_gen_t *athena_reply_json(athena_ctx_t *ctx);
void athena_reply_gen(athena_ctx_t *ctx, int status, athena_gen_t *g);
void athena_reply_text(athena_ctx_t *ctx, int status, const char *json);
void athena_reply_error(athena_ctx_t *ctx, int status, const char *code,
    const char *message);
void athena_reply_message(athena_ctx_t *ctx, int status,
    const char *message);
void athena_reply_conflict(athena_ctx_t *ctx, const char *code,
    const char *message);
int athena_reply_invalid(athena_ctx_t *ctx, athena_check_t *chk);
void athena_reply_empty(athena_ctx_t *ctx, int status);
void athena_reply_flag(athena_ctx_t *ctx, const char *key, int value);
void athena_reply_string(athena_ctx_t *ctx, const char *key,
    const char *value);
void athena_reply_header(athena_ctx_t *ctx, const char *name,
    const char *value);
void athena_reply_expose(athena_ctx_t *ctx, const char *name,
    const char *value);
void athena_gen_user(athena_gen_t *g, const athena_user_t *u);
void athena_gen_user_fields(athena_gen_t *g, const athena_user_t *u);
void athena_gen_json_text(athena_arena_t *a, athena_gen_t *g, const char *text);
void athena_gen_session(athena_gen_t *g, const athena_session_t *s);
void athena_gen_session_user(athena_gen_t *g, const athena_session_t *s,
    const athena_user_t *u);


/* cookies and sessions */

char *athena_cookie_get(athena_ctx_t *ctx, const char *suffix);
char *athena_cookie_get_signed(athena_ctx_t *ctx, const char *suffix);
char *athena_unsign(athena_ctx_t *ctx, char *raw);
char *athena_cookie_name(athena_ctx_t *ctx, const char *suffix);
void athena_cookie_set_session(athena_ctx_t *ctx, const char *token,
    int remember);
void athena_cookie_set_signed(athena_ctx_t *ctx, const char *name,
    const char *value, int64_t max_age);
void athena_cookie_expire(athena_ctx_t *ctx, const char *suffix);
void athena_cookie_expire_session(athena_ctx_t *ctx);
char *athena_signed_value(athena_ctx_t *ctx, const char *value);

extern const char  athena_banned_message[];

athena_store_rc_e athena_session_load(athena_ctx_t *ctx, int refresh);
athena_store_rc_e athena_session_require(athena_ctx_t *ctx, int refresh,
    int *ok);
athena_store_rc_e athena_session_open(athena_ctx_t *ctx, athena_user_t *user,
    int64_t expires_at, const char *impersonated_by, int *refused);
athena_store_rc_e athena_session_start(athena_ctx_t *ctx,
    athena_user_t *user, int remember, int *refused);
athena_store_rc_e athena_session_revoke(athena_ctx_t *ctx,
    const char *token);
void athena_session_forget(athena_ctx_t *ctx, const char *const *tokens,
    size_t n);
void athena_session_refresh(athena_ctx_t *ctx, const char *const *tokens,
    size_t n);
unsigned char *athena_evict_more(athena_ctx_t *ctx, size_t n);
athena_store_rc_e athena_audited(athena_ctx_t *ctx, athena_handler_pt steps);
athena_store_rc_e athena_tx_begin(athena_ctx_t *ctx);
athena_store_rc_e athena_tx_end(athena_ctx_t *ctx, athena_store_rc_e rc);
void athena_tx_drop_caches(athena_ctx_t *ctx);
int athena_stale_add(athena_ctx_t *ctx, const char *const *tokens, size_t n);
int athena_stale_key(athena_ctx_t *ctx, const char *key);
const char *athena_session_token(athena_ctx_t *ctx);


char *athena_query_arg(athena_ctx_t *ctx, const char *name, size_t *len);
const char **athena_query_all(athena_ctx_t *ctx, const char *name,
    size_t *n);
int athena_query_single(athena_ctx_t *ctx, athena_check_t *chk,
    const char *const *names);
const char *athena_query_enum(athena_ctx_t *ctx, athena_check_t *chk,
    const char *name, const char *const *names, const char *dflt);
int athena_password_length_ok(athena_ctx_t *ctx, const athena_json_t *pw,
    int check_min);
int athena_password_make(athena_ctx_t *ctx, const athena_json_t *password,
    char *hash);
int athena_json_truthy(const athena_json_t *v);

struct athena_permission_s;
struct athena_permission_s *athena_permissions_read(athena_ctx_t *ctx,
    const athena_json_t *obj, size_t *n, int *bad);
int athena_permissions_body(athena_ctx_t *ctx, athena_check_t *chk,
    struct athena_permission_s **perms, size_t *n);
void athena_reply_has_permission(athena_ctx_t *ctx, int success);
char *athena_origin_of(athena_arena_t *a, const char *url);
int athena_origin_check(athena_ctx_t *ctx);
int athena_origin_check_sign_in(athena_ctx_t *ctx);


/* endpoints */

athena_store_rc_e athena_api_ok(athena_ctx_t *ctx);
athena_store_rc_e athena_api_sign_up(athena_ctx_t *ctx);
athena_store_rc_e athena_api_sign_in(athena_ctx_t *ctx);
athena_store_rc_e athena_api_sign_out(athena_ctx_t *ctx);
athena_store_rc_e athena_api_get_session(athena_ctx_t *ctx);
athena_store_rc_e athena_api_get_session_post(athena_ctx_t *ctx);
athena_store_rc_e athena_api_list_sessions(athena_ctx_t *ctx);
athena_store_rc_e athena_api_revoke_session(athena_ctx_t *ctx);
athena_store_rc_e athena_api_revoke_sessions(athena_ctx_t *ctx);
athena_store_rc_e athena_api_revoke_other_sessions(athena_ctx_t *ctx);

athena_store_rc_e athena_api_admin_has_permission(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_get_user(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_set_role(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_ban_user(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_unban_user(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_remove_user(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_list_users(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_create_user(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_update_user(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_impersonate_user(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_stop_impersonating(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_set_user_password(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_list_user_sessions(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_revoke_user_session(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_revoke_user_sessions(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_audit_log_list(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_athena_client_create(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_athena_client_list(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_api_key_create(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_list(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_get(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_create(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_update(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_delete(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_failure_list(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_failure_get(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_failure_create(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_failure_update(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_failure_delete(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_template_list(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_template_get(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_template_create(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_template_update(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_template_delete(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_event_type_list(athena_ctx_t *ctx);
athena_store_rc_e athena_api_admin_email_template_send(athena_ctx_t *ctx);

athena_store_rc_e athena_api_key_create(athena_ctx_t *ctx);
athena_store_rc_e athena_api_key_get(athena_ctx_t *ctx);
athena_store_rc_e athena_api_key_list(athena_ctx_t *ctx);
athena_store_rc_e athena_api_key_update(athena_ctx_t *ctx);
athena_store_rc_e athena_api_key_delete(athena_ctx_t *ctx);
athena_store_rc_e athena_api_key_verify(athena_ctx_t *ctx);

athena_store_rc_e athena_api_jwt_token(athena_ctx_t *ctx);
athena_store_rc_e athena_api_jwt_jwks(athena_ctx_t *ctx);
void athena_jwt_after(athena_ctx_t *ctx);

athena_store_rc_e athena_rest_users_list(athena_ctx_t *ctx);
athena_store_rc_e athena_rest_user_get(athena_ctx_t *ctx);
athena_store_rc_e athena_rest_user_create(athena_ctx_t *ctx);
athena_store_rc_e athena_rest_user_update(athena_ctx_t *ctx);
athena_store_rc_e athena_rest_user_delete(athena_ctx_t *ctx);
athena_store_rc_e athena_rest_orgs_list(athena_ctx_t *ctx);
athena_store_rc_e athena_rest_org_get(athena_ctx_t *ctx);
athena_store_rc_e athena_rest_org_create(athena_ctx_t *ctx);
athena_store_rc_e athena_rest_org_update(athena_ctx_t *ctx);
athena_store_rc_e athena_rest_org_delete(athena_ctx_t *ctx);

athena_store_rc_e athena_roles_list(athena_ctx_t *ctx);
athena_store_rc_e athena_roles_get(athena_ctx_t *ctx);
athena_store_rc_e athena_roles_of_user(athena_ctx_t *ctx);
athena_store_rc_e athena_roles_create(athena_ctx_t *ctx);
athena_store_rc_e athena_roles_update(athena_ctx_t *ctx);
athena_store_rc_e athena_roles_delete(athena_ctx_t *ctx);

athena_store_rc_e athena_api_org_create(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_update(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_delete(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_set_active(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_list(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_get(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_get_full(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_check_slug(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_leave(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_has_permission(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_remove_member(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_update_member_role(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_get_active_member(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_get_active_member_role(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_list_members(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_invite_member(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_accept_invitation(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_reject_invitation(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_cancel_invitation(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_get_invitation(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_list_invitations(athena_ctx_t *ctx);
athena_store_rc_e athena_api_org_list_user_invitations(athena_ctx_t *ctx);


#endif /* ATHENA_API_H */
