/*
 * The admin audit log (admin_audit_logs): one row per admin mutation or
 * permission check, written in the transaction of the change it records,
 * and read back newest first by filters.
 */

#ifndef ATHENA_AUDIT_STORE_H
#define ATHENA_AUDIT_STORE_H

#include "athena_db.h"


typedef struct {
    const char   *id;                 /* of a row read */
    const char   *actor_user_id;
    const char   *actor_token;        /* hashed before it is stored */
    const char   *action;
    const char   *target_type;
    const char   *target_id;
    int           success;
    const char   *error;
    const char   *ip;
    const char   *user_agent;
    const char   *metadata;           /* of a row read: JSON text */
    const char   *details;            /* the action's own: a JSON object */
    int64_t       at;                 /* epoch ms */
} athena_audit_t;


/* the list's filters; NULL, -1 and ATHENA_TIME_NULL stand for none */
typedef struct {
    const char   *actor_user_id;
    const char   *action;
    const char   *target_type;
    const char   *target_id;
    int           success;
    int64_t       after;              /* created at or after, epoch ms */
    int64_t       before;             /* created at or before */
    int64_t       limit;
    int64_t       offset;
} athena_audit_query_t;


athena_store_rc_e athena_audit_insert(athena_db_t *db, athena_arena_t *a,
    const athena_audit_t *row);
athena_store_rc_e athena_audit_list(athena_db_t *db, athena_arena_t *a,
    const athena_audit_query_t *q, athena_audit_t **rows, size_t *n,
    int64_t *total);


#endif /* ATHENA_AUDIT_STORE_H */
