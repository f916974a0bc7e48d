/*
 * The admin audit log (admin_audit_logs): one row per admin mutation or
 * permission check, written in the transaction of the change it records.
 */

#ifndef ATHENA_AUDIT_STORE_H
#define ATHENA_AUDIT_STORE_H

#include "athena_db.h"


typedef struct {
    const char   *actor_user_id;
    const char   *actor_token;        /* hashed before it is stored */
    const char   *action;
    const char   *target_type;
    const char   *target_id;
    int           success;
    const char   *error;
    const char   *ip;
    const char   *user_agent;
    int64_t       at;                 /* epoch ms */
} athena_audit_t;


athena_store_rc_e athena_audit_insert(athena_db_t *db, athena_arena_t *a,
    const athena_audit_t *row);


#endif /* ATHENA_AUDIT_STORE_H */
