/*
 * Athena's email templates (email_templates), one per (template_key,
 * locale), and the catalog of the events that send mail
 * (email_event_types).
 */

#ifndef ATHENA_EMAIL_TEMPLATE_STORE_H
#define ATHENA_EMAIL_TEMPLATE_STORE_H

#include "athena_db.h"


typedef struct {
    const char   *id;
    const char   *template_key;
    const char   *locale;
    const char   *subject_template;
    const char   *text_template;
    const char   *html_template;
    const char   *variables;          /* JSON text: an array of names */
    int           is_active;
    const char   *metadata;           /* JSON text: an object */
    const char   *event_type;
    const char   *attachments;        /* JSON text: [{file_url, filename}] */
    const char   *attachment_failure_mode;
    const char   *variable_bindings;  /* JSON text: an array */
    int64_t       created_at;         /* epoch ms */
    int64_t       updated_at;
} athena_email_template_t;


/* the list's filters; NULL and -1 stand for none */
typedef struct {
    const char   *template_key;
    const char   *locale;
    const char   *event_type;
    int           is_active;
    int64_t       limit;
    int64_t       offset;
} athena_email_template_query_t;


typedef struct {
    const char   *event_type;
    const char   *label;
    const char   *description;
} athena_email_event_t;


/* what an update changes: each flag says its field is given */
#define ATHENA_TPL_KEY          0x001
#define ATHENA_TPL_LOCALE       0x002
#define ATHENA_TPL_SUBJECT      0x004
#define ATHENA_TPL_TEXT         0x008
#define ATHENA_TPL_HTML         0x010
#define ATHENA_TPL_VARIABLES    0x020
#define ATHENA_TPL_ACTIVE       0x040
#define ATHENA_TPL_METADATA     0x080
#define ATHENA_TPL_EVENT        0x100
#define ATHENA_TPL_ATTACHMENTS  0x200
#define ATHENA_TPL_FAILURE_MODE 0x400
#define ATHENA_TPL_BINDINGS     0x800


athena_store_rc_e athena_email_template_insert(athena_db_t *db,
    athena_arena_t *a, athena_email_template_t *t);
athena_store_rc_e athena_email_template_get(athena_db_t *db,
    athena_arena_t *a, const char *id, athena_email_template_t *t);
athena_store_rc_e athena_email_template_list(athena_db_t *db,
    athena_arena_t *a, const athena_email_template_query_t *q,
    athena_email_template_t **list, size_t *n, int64_t *total);
athena_store_rc_e athena_email_template_update(athena_db_t *db,
    athena_arena_t *a, unsigned set, const athena_email_template_t *v,
    int64_t now, athena_email_template_t *t);
athena_store_rc_e athena_email_template_find(athena_db_t *db,
    athena_arena_t *a, const char *event_type, const char *locale,
    athena_email_template_t *t);
athena_store_rc_e athena_email_template_delete(athena_db_t *db,
    athena_arena_t *a, const char *id);
athena_store_rc_e athena_email_event_exists(athena_db_t *db,
    athena_arena_t *a, const char *event_type, int *exists);
athena_store_rc_e athena_email_event_list(athena_db_t *db,
    athena_arena_t *a, athena_email_event_t **list, size_t *n);


#endif /* ATHENA_EMAIL_TEMPLATE_STORE_H */
