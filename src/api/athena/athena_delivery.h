/*
 * Delivery of mail from the outbox (athena_mail_delivery.c), for the
 * worker's timer to run in a pool thread.
 */

#ifndef ATHENA_DELIVERY_H
#define ATHENA_DELIVERY_H

#include "../athena_api.h"


typedef struct {
    unsigned      sent;
    unsigned      failed;             /* tries that failed this round */
    unsigned      given_up;           /* of which the last ones */
    int           more;
    const char   *last_error;
    const char   *log_error;
} athena_delivery_t;


void athena_delivery_run(const athena_conf_t *conf, athena_arena_t *a,
    athena_delivery_t *d);


#endif /* ATHENA_DELIVERY_H */
