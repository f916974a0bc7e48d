#include <string.h>

#include "athena_columns.h"
#include "athena_email_template_store.h"
#include "athena_where.h"


#define ATHENA_TPL_COLS                                                      \
    "id, template_key, locale, subject_template, text_template,"             \
    " html_template, variables::text, is_active, metadata::text,"            \
    " event_type, attachments::text, attachment_failure_mode,"               \
    " variable_bindings::text, "                                             \
    ATHENA_TIME("created_at") ", " ATHENA_TIME("updated_at")


static void
athena_tpl_read(const athena_rows_t *rows, size_t r,
    athena_email_template_t *t)
{
    t->id = athena_rows_get(rows, r, 0);
    t->template_key = athena_rows_get(rows, r, 1);
    t->locale = athena_rows_get(rows, r, 2);
    t->subject_template = athena_rows_get(rows, r, 3);
    t->text_template = athena_rows_get(rows, r, 4);
    t->html_template = athena_rows_get(rows, r, 5);
    t->variables = athena_rows_get(rows, r, 6);
    t->is_active = athena_rows_bool(rows, r, 7, 1);
    t->metadata = athena_rows_get(rows, r, 8);
    t->event_type = athena_rows_get(rows, r, 9);
    t->attachments = athena_rows_get(rows, r, 10);
    t->attachment_failure_mode = athena_rows_get(rows, r, 11);
    t->variable_bindings = athena_rows_get(rows, r, 12);
    t->created_at = athena_rows_time(rows, r, 13, 0);
    t->updated_at = athena_rows_time(rows, r, 14, 0);
}


/* a (template_key, locale) taken is ATHENA_STORE_CONFLICT, nothing else */

athena_store_rc_e
athena_email_template_insert(athena_db_t *db, athena_arena_t *a,
    athena_email_template_t *t)
{
    const char         *p[14];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = t->id;
    p[1] = t->template_key;
    p[2] = t->locale;
    p[3] = t->subject_template;
    p[4] = t->text_template;
    p[5] = t->html_template;
    p[6] = t->variables;
    p[7] = t->is_active ? "true" : "false";
    p[8] = t->metadata;
    p[9] = t->event_type;
    p[10] = t->attachments;
    p[11] = t->attachment_failure_mode;
    p[12] = t->variable_bindings;
    p[13] = athena_int_text(a, t->created_at);

    rc = athena_pg_one(db, a,
             "INSERT INTO email_templates (id, template_key, locale,"
             " subject_template, text_template, html_template, variables,"
             " is_active, metadata, event_type, attachments,"
             " attachment_failure_mode, variable_bindings, created_at,"
             " updated_at)"
             " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::bool,"
             " $9::jsonb, $10, $11::jsonb, $12, $13::jsonb, "
             ATHENA_TS(14) ", " ATHENA_TS(14) ")"
             " ON CONFLICT (template_key, locale) DO NOTHING"
             " RETURNING " ATHENA_TPL_COLS,
             14, p, &rows);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        return ATHENA_STORE_CONFLICT;
    }

    if (rc == ATHENA_STORE_OK) {
        athena_tpl_read(rows, 0, t);
    }

    return rc;
}


athena_store_rc_e
athena_email_template_get(athena_db_t *db, athena_arena_t *a, const char *id,
    athena_email_template_t *t)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_one(db, a,
             "SELECT " ATHENA_TPL_COLS " FROM email_templates WHERE id = $1",
             1, &id, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_tpl_read(rows, 0, t);
    }

    return rc;
}


athena_store_rc_e
athena_email_template_list(athena_db_t *db, athena_arena_t *a,
    const athena_email_template_query_t *q, athena_email_template_t **list,
    size_t *n, int64_t *total)
{
    size_t              i;
    athena_where_t      w;
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    athena_where_init(&w);

    athena_where_add(&w, 0x01, "template_key = $%d", q->template_key);
    athena_where_add(&w, 0x02, "locale = $%d", q->locale);
    athena_where_add(&w, 0x04, "event_type = $%d", q->event_type);
    athena_where_add(&w, 0x08, "is_active = $%d::bool",
                     q->is_active < 0 ? NULL
                                      : (q->is_active ? "true" : "false"));

    rc = athena_where_page(db, a, "athena_email_template_list",
                           ATHENA_TPL_COLS, "email_templates", &w, q->limit,
                           q->offset, &rows, total);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *list = athena_calloc(a, (*n + 1) * sizeof(athena_email_template_t));
    if (*list == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        athena_tpl_read(rows, i, &(*list)[i]);
    }

    return ATHENA_STORE_OK;
}


/*
 * The fields flagged in set take v's values (NULL clears a nullable one);
 * updated_at becomes now. A (template_key, locale) taken by another
 * template is ATHENA_STORE_CONFLICT.
 */

athena_store_rc_e
athena_email_template_update(athena_db_t *db, athena_arena_t *a,
    unsigned set, const athena_email_template_t *v, int64_t now,
    athena_email_template_t *t)
{
    const char         *p[15];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = t->id;
    p[1] = athena_int_text(a, set);
    p[2] = v->template_key;
    p[3] = v->locale;
    p[4] = v->subject_template;
    p[5] = v->text_template;
    p[6] = v->html_template;
    p[7] = v->variables;
    p[8] = v->is_active ? "true" : "false";
    p[9] = v->metadata;
    p[10] = v->event_type;
    p[11] = v->attachments;
    p[12] = v->attachment_failure_mode;
    p[13] = v->variable_bindings;
    p[14] = athena_int_text(a, now);

#define ATHENA_TPL_SET(flag, col, val)                                       \
    " " col " = CASE WHEN $2::int4 & " #flag " <> 0 THEN " val " ELSE " col  \
    " END"

    rc = athena_pg_one(db, a,
             "UPDATE email_templates SET"
             ATHENA_TPL_SET(1, "template_key", "$3") ","
             ATHENA_TPL_SET(2, "locale", "$4") ","
             ATHENA_TPL_SET(4, "subject_template", "$5") ","
             ATHENA_TPL_SET(8, "text_template", "$6") ","
             ATHENA_TPL_SET(16, "html_template", "$7") ","
             ATHENA_TPL_SET(32, "variables", "$8::jsonb") ","
             ATHENA_TPL_SET(64, "is_active", "$9::bool") ","
             ATHENA_TPL_SET(128, "metadata", "$10::jsonb") ","
             ATHENA_TPL_SET(256, "event_type", "$11") ","
             ATHENA_TPL_SET(512, "attachments", "$12::jsonb") ","
             ATHENA_TPL_SET(1024, "attachment_failure_mode", "$13") ","
             ATHENA_TPL_SET(2048, "variable_bindings", "$14::jsonb") ","
             " updated_at = " ATHENA_TS(15)
             " WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM email_templates o"
             "  WHERE o.id <> $1"
             "  AND o.template_key = CASE WHEN $2::int4 & 1 <> 0 THEN $3"
             "   ELSE email_templates.template_key END"
             "  AND o.locale = CASE WHEN $2::int4 & 2 <> 0 THEN $4"
             "   ELSE email_templates.locale END)"
             " RETURNING " ATHENA_TPL_COLS,
             15, p, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_tpl_read(rows, 0, t);
        return ATHENA_STORE_OK;
    }

    /*
     * Nothing updated: no such template, or its new (key, locale) is
     * another's. Told apart here, not by a unique violation, which would
     * abort the transaction the audit row is written in.
     */
    if (rc == ATHENA_STORE_NOT_FOUND
        && athena_email_template_get(db, a, t->id, t) == ATHENA_STORE_OK)
    {
        return ATHENA_STORE_CONFLICT;
    }

    return rc;
}


/* the active template of an event in a locale (the oldest, if several) */

athena_store_rc_e
athena_email_template_find(athena_db_t *db, athena_arena_t *a,
    const char *event_type, const char *locale, athena_email_template_t *t)
{
    const char         *p[2];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = event_type;
    p[1] = locale;

    rc = athena_pg_one(db, a,
             "SELECT " ATHENA_TPL_COLS " FROM email_templates"
             " WHERE event_type = $1 AND locale = $2 AND is_active"
             " ORDER BY created_at, id LIMIT 1",
             2, p, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_tpl_read(rows, 0, t);
    }

    return rc;
}


athena_store_rc_e
athena_email_template_delete(athena_db_t *db, athena_arena_t *a,
    const char *id)
{
    athena_rows_t  *rows;

    return athena_pg_one(db, a, "DELETE FROM email_templates WHERE id = $1"
                         " RETURNING id", 1, &id, &rows);
}


/* whether the catalog has event_type, active */

athena_store_rc_e
athena_email_event_exists(athena_db_t *db, athena_arena_t *a,
    const char *event_type, int *exists)
{
    int64_t             n;
    athena_store_rc_e   rc;

    rc = athena_pg_count(db, a, "SELECT count(*) FROM email_event_types"
                         " WHERE event_type = $1 AND is_active",
                         1, &event_type, &n);

    *exists = rc == ATHENA_STORE_OK && n > 0;

    return rc;
}


/* the active events, by name */

athena_store_rc_e
athena_email_event_list(athena_db_t *db, athena_arena_t *a,
    athena_email_event_t **list, size_t *n)
{
    size_t              i;
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_exec(db, a, "SELECT event_type, label, description"
                        " FROM email_event_types WHERE is_active"
                        " ORDER BY event_type", 0, NULL, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *list = athena_calloc(a, (*n + 1) * sizeof(athena_email_event_t));
    if (*list == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        (*list)[i].event_type = athena_rows_get(rows, i, 0);
        (*list)[i].label = athena_rows_get(rows, i, 1);
        (*list)[i].description = athena_rows_get(rows, i, 2);
    }

    return ATHENA_STORE_OK;
}
