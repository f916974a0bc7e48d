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


#endif /* ATHENA_MODEL_H */
