/*
 * Athena's record of mails that could not be sent (email_send_failures),
 * what the admin email-failure routes list, read, record, resolve and
 * delete.
 */

#ifndef ATHENA_EMAIL_FAILURE_STORE_H
#define ATHENA_EMAIL_FAILURE_STORE_H

#include "athena_db.h"


typedef struct {
    const char   *id;
    const char   *user_id;
    const char   *recipient_email;
    const char   *flow;
    const char   *provider;
    const char   *error_message;
    const char   *metadata;           /* JSON text of an object */
    int           resolved;
    const char   *resolution_note;
    int64_t       created_at;         /* epoch ms */
    int64_t       updated_at;
} athena_email_failure_t;


/* the list's filters; NULL, -1 and ATHENA_TIME_NULL stand for none */
typedef struct {
    const char   *recipient_email;    /* whatever its case */
    const char   *provider;
    const char   *flow;
    int           resolved;
    int64_t       after;
    int64_t       before;
    int64_t       limit;
    int64_t       offset;
} athena_email_failure_query_t;


/* what an update changes */
#define ATHENA_FAILURE_RESOLVED  0x1
#define ATHENA_FAILURE_NOTE      0x2
#define ATHENA_FAILURE_METADATA  0x4


athena_store_rc_e athena_email_failure_insert(athena_db_t *db,
    athena_arena_t *a, athena_email_failure_t *f);
athena_store_rc_e athena_email_failure_get(athena_db_t *db,
    athena_arena_t *a, const char *id, athena_email_failure_t *f);
athena_store_rc_e athena_email_failure_list(athena_db_t *db,
    athena_arena_t *a, const athena_email_failure_query_t *q,
    athena_email_failure_t **list, size_t *n, int64_t *total);
athena_store_rc_e athena_email_failure_update(athena_db_t *db,
    athena_arena_t *a, unsigned set, const athena_email_failure_t *v,
    int64_t now, athena_email_failure_t *f);
athena_store_rc_e athena_email_failure_delete(athena_db_t *db,
    athena_arena_t *a, const char *id);


#endif /* ATHENA_EMAIL_FAILURE_STORE_H */
