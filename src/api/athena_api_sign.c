/*
 * POST /sign-up/email, /sign-in/email and /sign-out, answering as
 * better-auth 1.7.25 does (checks in its order, its codes and messages).
 */

#include <string.h>

#include "athena_api.h"
#include "../core/athena_check.h"
#include "../core/athena_crypto.h"
#include "../core/athena_text.h"
#include "../store/athena_auth_store.h"


/* fields of the admin plugin a client may not set through sign-up */
static const char  *athena_sign_up_forbidden[] = {
    "role", "banReason", "banExpires", NULL
};


static void
athena_reply_session(athena_ctx_t *ctx, int sign_in, const char *callback)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);

    if (sign_in) {
        athena_gen_key(g, "redirect");
        athena_gen_bool(g, callback != NULL && callback[0] != '\0');
    }

    athena_gen_key(g, "token");
    athena_gen_cstr(g, ctx->session.token);

    /* an empty callbackURL is echoed, but redirects nowhere */
    if (callback != NULL) {
        athena_gen_key(g, "url");
        athena_gen_cstr(g, callback);

        if (callback[0] != '\0') {
            athena_reply_header(ctx, "Location", callback);
        }
    }

    athena_gen_key(g, "user");
    athena_gen_user(g, &ctx->user);

    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
}


int
athena_password_length_ok(athena_ctx_t *ctx, const athena_json_t *pw,
    int check_min)
{
    size_t  n;

    n = athena_utf16_len(pw->string, pw->len);

    if (check_min && n < ctx->conf->min_password) {
        athena_reply_error(ctx, 400, "PASSWORD_TOO_SHORT",
                           "Password too short");
        return 0;
    }

    if (n > ctx->conf->max_password) {
        athena_reply_error(ctx, 400, "PASSWORD_TOO_LONG", "Password too long");
        return 0;
    }

    return 1;
}


/* better-auth hashes the NFKC form of the password */

int
athena_password_make(athena_ctx_t *ctx, const athena_json_t *password,
    char *hash)
{
    char    *pw;
    size_t   pwlen;

    pw = athena_nfkc(ctx->a, password->string, password->len, &pwlen);

    return pw ? athena_password_hash(pw, pwlen, hash) : -1;
}


static void
athena_check_sign_up(athena_ctx_t *ctx, athena_check_t *chk,
    const athena_json_t **name, const athena_json_t **email,
    const athena_json_t **password, const athena_json_t **image,
    int *remember)
{
    *name = athena_check_string(chk, "name", 1);
    *email = athena_check_string(chk, "email", 1);

    if (*email && !athena_email_valid((*email)->string)) {
        athena_check_issue(chk, "email", "Invalid email address");
        *email = NULL;
    }

    *password = athena_check_text(chk, "password", 1);

    *image = athena_check_string(chk, "image", 0);
    (void) athena_check_string(chk, "callbackURL", 0);
    *remember = athena_check_bool(chk, "rememberMe", 1);
}


athena_store_rc_e
athena_api_sign_up(athena_ctx_t *ctx)
{
    int                   refused, remember;
    char                  hash[ATHENA_HASH_LEN + 1];
    char                  id[ATHENA_ID_LEN + 1];
    char                 *email;
    const char          **f;
    athena_user_t         user;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    const athena_json_t  *name, *em, *password, *image;

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (!athena_check_object(&chk)) {
        athena_check_issue(&chk, NULL,
                           "Invalid input: expected record, received %s",
                           athena_json_type_name(ctx->body));
        athena_reply_invalid(ctx, &chk);
        return ATHENA_STORE_OK;
    }

    athena_check_sign_up(ctx, &chk, &name, &em, &password, &image, &remember);

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    if (!athena_origin_check_sign_in(ctx)) {
        return ATHENA_STORE_OK;
    }

    if (ctx->conf->disable_sign_up) {
        athena_reply_error(ctx, 400, "EMAIL_PASSWORD_SIGN_UP_DISABLED",
                           "Email and password sign up is not enabled");
        return ATHENA_STORE_OK;
    }

    if (!athena_password_length_ok(ctx, password, 1)) {
        return ATHENA_STORE_OK;
    }

    for (f = athena_sign_up_forbidden; *f; f++) {
        if (athena_json_truthy(athena_json_get(ctx->body, *f))) {
            athena_reply_error(ctx, 400, "FIELD_NOT_ALLOWED",
                athena_sprintf(ctx->a, "%s is not allowed to be set", *f));
            return ATHENA_STORE_OK;
        }
    }

    /* Postgres text cannot hold NUL: better-auth's insert fails there */
    if (strlen(name->string) != name->len
        || (image && strlen(image->string) != image->len))
    {
        athena_reply_error(ctx, 422, "FAILED_TO_CREATE_USER",
                           "Failed to create user");
        return ATHENA_STORE_OK;
    }

    email = athena_email_normalize(ctx->a, em->string, em->len);

    if (email == NULL || athena_random_id(id) != 0
        || athena_password_make(ctx, password, hash) != 0)
    {
        return ATHENA_STORE_ERROR;
    }

    memset(&user, 0, sizeof(athena_user_t));
    user.id = id;
    user.name = name->string;
    user.email = email;
    user.image = image ? image->string : NULL;
    user.created_at = ctx->now;
    user.updated_at = ctx->now;
    user.role = "user";
    user.banned = 0;
    user.ban_expires = ATHENA_TIME_NULL;

    /* user, credential and session appear together or not at all */
    rc = athena_pg_begin(ctx->db);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    rc = athena_user_create(ctx->db, ctx->a, &user, hash);

    if (rc == ATHENA_STORE_CONFLICT) {
        athena_pg_rollback(ctx->db);
        athena_reply_error(ctx, 422, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
                           "User already exists. Use another email.");
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_session_start(ctx, &user, remember, &refused);
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_pg_commit(ctx->db);
    }

    if (rc != ATHENA_STORE_OK) {
        athena_pg_rollback(ctx->db);
        return rc;
    }

    athena_reply_session(ctx, 0, NULL);

    return ATHENA_STORE_OK;
}


athena_store_rc_e
athena_api_sign_in(athena_ctx_t *ctx)
{
    int                   refused, remember, ok;
    char                  hash[ATHENA_HASH_LEN + 1];
    char                 *pw, *email, *stored;
    size_t                pwlen;
    athena_user_t         user;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    const athena_json_t  *em, *password, *callback;

    em = NULL;
    password = NULL;
    callback = NULL;
    remember = 1;

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (athena_check_object(&chk)) {
        em = athena_check_string(&chk, "email", 1);
        password = athena_check_string(&chk, "password", 1);
        callback = athena_check_string(&chk, "callbackURL", 0);
        remember = athena_check_bool(&chk, "rememberMe", 1);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    if (!athena_origin_check_sign_in(ctx)) {
        return ATHENA_STORE_OK;
    }

    if (!athena_email_valid(em->string)) {
        athena_reply_error(ctx, 400, "INVALID_EMAIL", "Invalid email");
        return ATHENA_STORE_OK;
    }

    if (!athena_password_length_ok(ctx, password, 0)) {
        return ATHENA_STORE_OK;
    }

    email = athena_email_normalize(ctx->a, em->string, em->len);
    /* better-auth hashes the NFKC form of the password */
    pw = athena_nfkc(ctx->a, password->string, password->len, &pwlen);

    if (email == NULL || pw == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_user_by_email(ctx->db, ctx->a, email, &user, &stored);

    if (rc != ATHENA_STORE_OK && rc != ATHENA_STORE_NOT_FOUND) {
        return rc;
    }

    if (rc == ATHENA_STORE_OK && stored != NULL) {
        ok = athena_password_verify(pw, pwlen, stored);

    } else {
        /* as long as a real check, so timing tells nothing */
        (void) athena_password_hash(pw, pwlen, hash);
        ok = 0;
    }

    if (!ok) {
        athena_reply_error(ctx, 401, "INVALID_EMAIL_OR_PASSWORD",
                           "Invalid email or password");
        return ATHENA_STORE_OK;
    }

    rc = athena_session_start(ctx, &user, remember, &refused);
    if (rc != ATHENA_STORE_OK || refused) {
        return rc;
    }

    /* a remembered sign-in drops a leftover "don't remember" marker */
    if (remember && athena_cookie_get_signed(ctx, "dont_remember") != NULL) {
        athena_cookie_expire(ctx, "dont_remember");
    }

    athena_reply_session(ctx, 1, callback ? callback->string : NULL);

    return ATHENA_STORE_OK;
}


athena_store_rc_e
athena_api_sign_out(athena_ctx_t *ctx)
{
    athena_gen_t      *g;
    athena_check_t     chk;
    const char        *token;
    athena_store_rc_e  rc;

    /* the body is optional: {callbackURL?, disableRedirect?, state?} */
    if (ctx->body != NULL) {
        athena_check_init(&chk, ctx->a, ctx->body, "body");

        if (athena_check_object(&chk)) {
            (void) athena_check_string(&chk, "callbackURL", 0);
            (void) athena_check_bool(&chk, "disableRedirect", 0);
            (void) athena_check_string(&chk, "state", 0);
        }

        if (athena_reply_invalid(ctx, &chk)) {
            return ATHENA_STORE_OK;
        }
    }

    token = athena_session_token(ctx);

    if (token != NULL) {
        rc = athena_session_revoke(ctx, token);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }
    }

    athena_cookie_expire_session(ctx);

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "success");
    athena_gen_bool(g, 1);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}
