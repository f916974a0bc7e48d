/*
 * Delivery from the outbox, run in a pool thread: claim what is due, hand
 * each mail to the relay, then drop it from the outbox, put it off (the
 * delay doubling with each try, at most an hour), or after the last try
 * record it in email_send_failures.
 */

#include <stdio.h>
#include <string.h>

#include "athena_delivery.h"
#include "../../core/athena_crypto.h"
#include "../../core/athena_mime.h"
#include "../../core/athena_time.h"
#include "../../store/athena_outbox_store.h"


#define ATHENA_DELIVERY_BATCH   10
#define ATHENA_RETRY_MAX_MS     3600000


static int64_t
athena_delivery_backoff(const athena_conf_t *conf, int64_t attempts)
{
    int64_t  ms;

    ms = conf->mail_retry_ms;

    while (--attempts > 0 && ms < ATHENA_RETRY_MAX_MS) {
        ms *= 2;
    }

    return ms < ATHENA_RETRY_MAX_MS ? ms : ATHENA_RETRY_MAX_MS;
}


/* one claimed mail: 1 sent, 0 not (put off or given up), -1 store error */

static int
athena_delivery_one(const athena_conf_t *conf, athena_db_t *db,
    athena_arena_t *a, const athena_outbox_entry_t *e, athena_delivery_t *d)
{
    char               id[ATHENA_ID_LEN + 1], err[512];
    char              *msg;
    size_t             len;
    const char        *domain;
    athena_mime_t      m;
    athena_store_rc_e  rc;

    if (athena_random_id(id) != 0) {
        return -1;
    }

    domain = strchr(e->from_address, '@');

    memset(&m, 0, sizeof(athena_mime_t));
    m.from_address = e->from_address;
    m.from_name = e->from_name;
    m.to = e->recipient_email;
    m.subject = e->subject;
    m.text = e->text_body;
    m.html = e->html_body;
    m.message_id = athena_sprintf(a, "%s%s", id, domain ? domain : "@athena");
    m.date = athena_now_ms();

    msg = m.message_id ? athena_mime_build(a, &m, &len) : NULL;

    if (msg == NULL) {
        snprintf(err, sizeof(err), "the mail could not be built");

    } else if (athena_smtp_send(&conf->smtp, e->from_address,
                                e->recipient_email, msg, len, err,
                                sizeof(err))
               == 0)
    {
        d->sent++;
        return athena_outbox_sent(db, a, e) == ATHENA_STORE_OK ? 1 : -1;
    }

    d->failed++;
    d->last_error = athena_strdup(a, err);

    if (e->attempts >= conf->mail_retries) {
        d->given_up++;
        rc = athena_outbox_give_up(db, a, e, athena_strdup(a, id), err,
                                   athena_now_ms());

    } else {
        rc = athena_outbox_retry(db, a, e, athena_now_ms()
                                 + athena_delivery_backoff(conf, e->attempts),
                                 err);
    }

    return rc == ATHENA_STORE_OK ? 0 : -1;
}


/*
 * One round: at most a batch of due mails. d says what happened; d->more
 * when the batch was full (another round may follow at once).
 */

void
athena_delivery_run(const athena_conf_t *conf, athena_arena_t *a,
    athena_delivery_t *d)
{
    size_t                   i, n;
    athena_db_t             *db;
    athena_store_rc_e        rc;
    athena_outbox_entry_t   *list;
    const char              *msg;

    memset(d, 0, sizeof(athena_delivery_t));

    db = athena_db_acquire(&conf->store);
    if (db == NULL) {
        d->log_error = "out of memory";
        return;
    }

    /* a claim outlives the longest round this worker may take */
    rc = athena_outbox_claim(db, a, athena_now_ms(),
                             (conf->smtp.timeout_ms + 1000)
                             * ATHENA_DELIVERY_BATCH,
                             ATHENA_DELIVERY_BATCH, &list, &n);

    if (rc != ATHENA_STORE_OK) {
        msg = athena_db_error(db);
        d->log_error = athena_sprintf(a, "mail outbox: %s",
                                      msg ? msg : "cannot be read");
        athena_db_release(db);
        return;
    }

    for (i = 0; i < n; i++) {
        if (athena_delivery_one(conf, db, a, &list[i], d) < 0) {
            msg = athena_db_error(db);
            d->log_error = athena_sprintf(a, "mail outbox: %s",
                                          msg ? msg : "cannot be written");
            break;
        }
    }

    d->more = n == ATHENA_DELIVERY_BATCH;

    athena_db_release(db);
}
