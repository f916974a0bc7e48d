/*
 * Athena's record of sent emails (table emails): one row per mail, what
 * the admin email routes list, read, record, change and delete.
 */

#ifndef ATHENA_EMAIL_STORE_H
#define ATHENA_EMAIL_STORE_H

#include "athena_db.h"


typedef struct {
    const char   *id;
    const char   *recipient_email;
    const char   *subject;
    const char   *from_address;
    const char   *from_name;
    const char   *text_body;
    const char   *html_body;
    const char   *provider;
    const char   *flow;
    const char   *metadata;           /* JSON text of an object */
    int64_t       created_at;         /* epoch ms */
    int64_t       updated_at;
} athena_email_t;


/* the list's filters; NULL and ATHENA_TIME_NULL stand for none */
typedef struct {
    const char   *recipient_email;    /* whatever its case */
    const char   *provider;
    const char   *flow;
    const char   *subject_contains;   /* whatever its case */
    int64_t       after;              /* created at or after, epoch ms */
    int64_t       before;             /* created at or before */
    int64_t       limit;
    int64_t       offset;
} athena_email_query_t;


/* what an update changes: each flag says its field is given */
#define ATHENA_EMAIL_RECIPIENT  0x001
#define ATHENA_EMAIL_SUBJECT    0x002
#define ATHENA_EMAIL_FROM       0x004
#define ATHENA_EMAIL_FROM_NAME  0x008
#define ATHENA_EMAIL_TEXT       0x010
#define ATHENA_EMAIL_HTML       0x020
#define ATHENA_EMAIL_PROVIDER   0x040
#define ATHENA_EMAIL_FLOW       0x080
#define ATHENA_EMAIL_METADATA   0x100


athena_store_rc_e athena_email_insert(athena_db_t *db, athena_arena_t *a,
    athena_email_t *e);
athena_store_rc_e athena_email_get(athena_db_t *db, athena_arena_t *a,
    const char *id, athena_email_t *e);
athena_store_rc_e athena_email_list(athena_db_t *db, athena_arena_t *a,
    const athena_email_query_t *q, athena_email_t **list, size_t *n,
    int64_t *total);
athena_store_rc_e athena_email_update(athena_db_t *db, athena_arena_t *a,
    unsigned set, const athena_email_t *v, int64_t now, athena_email_t *e);
athena_store_rc_e athena_email_delete(athena_db_t *db, athena_arena_t *a,
    const char *id);


#endif /* ATHENA_EMAIL_STORE_H */
