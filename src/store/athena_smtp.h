/*
 * One mail handed to an SMTP relay, with libcurl (the only SMTP client
 * here: no SMTP is written by hand). Blocking: it runs in a pool thread,
 * bounded by the configured timeout.
 */

#ifndef ATHENA_SMTP_H
#define ATHENA_SMTP_H

#include <stddef.h>


typedef struct {
    const char   *url;                /* smtp://host:port or smtps://... */
    const char   *username;           /* NULL: no AUTH */
    const char   *password;
    int           starttls;           /* smtp://: require STARTTLS */
    long          timeout_ms;
} athena_smtp_conf_t;


int athena_smtp_global_init(void);
int athena_smtp_send(const athena_smtp_conf_t *conf, const char *from,
    const char *to, const char *msg, size_t len, char *err, size_t errlen);


#endif /* ATHENA_SMTP_H */
