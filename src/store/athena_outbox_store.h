/*
 * The outbox of mail to deliver (email_outbox, migration 013): entries
 * added in a send's transaction, claimed by one worker at a time, then
 * gone once sent, put off after a failure, or moved to
 * email_send_failures after the last try.
 */

#ifndef ATHENA_OUTBOX_STORE_H
#define ATHENA_OUTBOX_STORE_H

#include "athena_db.h"


/* an entry claimed for delivery, with its mail */
typedef struct {
    const char   *id;
    const char   *email_id;
    const char   *user_id;
    int64_t       attempts;           /* this one included */
    const char   *recipient_email;
    const char   *subject;
    const char   *from_address;
    const char   *from_name;
    const char   *text_body;
    const char   *html_body;
    const char   *provider;
    const char   *flow;
} athena_outbox_entry_t;


athena_store_rc_e athena_outbox_add(athena_db_t *db, athena_arena_t *a,
    const char *id, const char *email_id, const char *user_id, int64_t now);
athena_store_rc_e athena_outbox_claim(athena_db_t *db, athena_arena_t *a,
    int64_t now, int64_t claim_ms, int limit, athena_outbox_entry_t **list,
    size_t *n);
athena_store_rc_e athena_outbox_sent(athena_db_t *db, athena_arena_t *a,
    const athena_outbox_entry_t *e);
athena_store_rc_e athena_outbox_retry(athena_db_t *db, athena_arena_t *a,
    const athena_outbox_entry_t *e, int64_t next, const char *error);
athena_store_rc_e athena_outbox_give_up(athena_db_t *db, athena_arena_t *a,
    const athena_outbox_entry_t *e, const char *failure_id,
    const char *error, int64_t now);


#endif /* ATHENA_OUTBOX_STORE_H */
