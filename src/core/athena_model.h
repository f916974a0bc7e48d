/*
 * The rows of better-auth's core tables as the module carries them
 * between store and api. Times are epoch milliseconds; ATHENA_TIME_NULL
 * stands for SQL NULL.
 */

#ifndef ATHENA_MODEL_H
#define ATHENA_MODEL_H

#include <stdint.h>


typedef struct {
    char      *id;
    char      *name;
    char      *email;
    int        email_verified;
    char      *image;
    int64_t    created_at;
    int64_t    updated_at;
    char      *role;
    int        banned;            /* -1: NULL */
    char      *ban_reason;
    int64_t    ban_expires;
} athena_user_t;


typedef struct {
    char      *id;
    int64_t    expires_at;
    char      *token;
    int64_t    created_at;
    int64_t    updated_at;
    char      *ip_address;
    char      *user_agent;
    char      *user_id;
    char      *impersonated_by;
    char      *active_organization_id;
    char      *active_team_id;
    int        from_key;          /* an API key's: no row behind it */

    /* a cached copy's: when it was read from Postgres, or TIME_NULL */
    int64_t    cached_at;
} athena_session_t;


/* the organization plugin's rows */

typedef struct {
    char      *id;
    char      *name;
    char      *slug;
    char      *logo;
    int64_t    created_at;
    char      *metadata;          /* JSON text, as stored */
} athena_org_t;


typedef struct {
    char      *id;
    char      *organization_id;
    char      *user_id;
    char      *role;              /* comma-joined */
    int64_t    created_at;

    /* the member's user, when read with it */
    char      *user_name;
    char      *user_email;
    char      *user_image;
} athena_member_t;


typedef struct {
    char      *id;
    char      *organization_id;
    char      *email;
    char      *role;
    char      *team_id;
    char      *status;
    int64_t    expires_at;
    int64_t    created_at;
    char      *inviter_id;
} athena_invitation_t;


/*
 * The api-key plugin's row (table apikey). Integers and times that are
 * SQL NULL read as ATHENA_TIME_NULL, booleans as -1.
 */

typedef struct {
    char      *id;
    char      *config_id;
    char      *name;
    char      *start;
    char      *reference_id;
    char      *prefix;
    char      *key;               /* base64url(SHA-256(key)) */
    int64_t    refill_interval;   /* milliseconds */
    int64_t    refill_amount;
    int64_t    last_refill_at;
    int        enabled;
    int        rate_limit_enabled;
    int64_t    rate_limit_time_window;    /* milliseconds */
    int64_t    rate_limit_max;
    int64_t    request_count;
    int64_t    remaining;
    int64_t    last_request;
    int64_t    expires_at;
    int64_t    created_at;
    int64_t    updated_at;
    char      *permissions;       /* JSON text, as stored */
    char      *metadata;
} athena_apikey_t;


#endif /* ATHENA_MODEL_H */
