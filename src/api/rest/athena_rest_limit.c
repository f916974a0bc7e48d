/*
 * Seed 003's rate limits: 500 requests a minute and 5,000 an hour for
 * each admin (athena_auth_admin_rest_limit), counted for every request
 * of a signed-in admin on the REST surface, before the route acts. Each
 * such answer says where the caller stands (RateLimit-Limit, -Remaining,
 * -Reset in seconds, of the limit closest to running out); a refusal is
 * 429 RATE_LIMITED with Retry-After.
 */

#include "athena_rest.h"
#include "../../store/athena_limit_store.h"


static char *
athena_rest_seconds(athena_ctx_t *ctx, int64_t ms, int64_t least)
{
    int64_t  s;

    s = (ms + 999) / 1000;

    return athena_int_text(ctx->a, s < least ? least : s);
}


/*
 * athena_admin_require(), then the caller's limits. A session cached in
 * Redis is read with its user's count in one round trip once the thread
 * knows whose it is (so a caller who is no admin may be counted too, and
 * is refused all the same); else an admin's count is a round trip of its
 * own.
 */

athena_store_rc_e
athena_rest_require(athena_ctx_t *ctx, const athena_admin_perm_t *may,
    int *ok)
{
    athena_store_rc_e      rc;
    athena_limit_ask_t       ask;
    athena_window_result_t   r;

    ask.conf = &ctx->conf->rest_limit;
    ask.counted = 0;
    ask.who = NULL;

    if (!ctx->session_read && ask.conf->nlimits > 0) {
        ctx->limit_ask = &ask;
    }

    rc = athena_admin_require(ctx, may, ok);

    ctx->limit_ask = NULL;

    if (rc != ATHENA_STORE_OK || !*ok || ask.conf->nlimits == 0) {
        return rc;
    }

    if (ask.counted) {
        r = ask.result;

    } else {
        athena_limit_check(ctx->db, ctx->a, ask.conf, ctx->user.id, &r);
    }

    athena_reply_header(ctx, "RateLimit-Limit",
                        athena_int_text(ctx->a, r.limit));
    athena_reply_header(ctx, "RateLimit-Remaining",
                        athena_int_text(ctx->a, r.remaining));
    athena_reply_header(ctx, "RateLimit-Reset",
                        athena_rest_seconds(ctx, r.reset, 0));

    if (!r.allowed) {
        *ok = 0;
        athena_reply_header(ctx, "Retry-After",
                            athena_rest_seconds(ctx, r.retry, 1));
        athena_rest_error(ctx, 429, "Too many requests: at most "
                          "the admin API's limits (see RateLimit-Limit)");
    }

    return ATHENA_STORE_OK;
}
