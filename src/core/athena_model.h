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


#endif /* ATHENA_MODEL_H */
