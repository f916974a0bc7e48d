#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "athena_smtp.h"


typedef struct {
    const char   *msg;
    size_t        len;
    size_t        pos;
} athena_smtp_body_t;


static size_t
athena_smtp_read(char *buf, size_t size, size_t nitems, void *data)
{
    size_t               n;
    athena_smtp_body_t  *b = data;

    n = size * nitems;
    if (n > b->len - b->pos) {
        n = b->len - b->pos;
    }

    memcpy(buf, b->msg + b->pos, n);
    b->pos += n;

    return n;
}


/* once per process, before any thread sends: libcurl's own rule */

int
athena_smtp_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}


/*
 * 0 when the relay took the mail; else -1 and why in err. A 4xx or 5xx
 * of the relay, a refused connection and a timeout are all failures: the
 * outbox tries again later.
 */

int
athena_smtp_send(const athena_smtp_conf_t *conf, const char *from,
    const char *to, const char *msg, size_t len, char *err, size_t errlen)
{
    CURL                *curl;
    CURLcode             rc;
    char                 addr[512], detail[CURL_ERROR_SIZE];
    struct curl_slist   *rcpt;
    athena_smtp_body_t   body;

    curl = curl_easy_init();
    if (curl == NULL) {
        snprintf(err, errlen, "libcurl: out of memory");
        return -1;
    }

    snprintf(addr, sizeof(addr), "<%s>", to);
    rcpt = curl_slist_append(NULL, addr);
    if (rcpt == NULL) {
        curl_easy_cleanup(curl);
        snprintf(err, errlen, "libcurl: out of memory");
        return -1;
    }

    snprintf(addr, sizeof(addr), "<%s>", from);

    body.msg = msg;
    body.len = len;
    body.pos = 0;
    detail[0] = '\0';

    curl_easy_setopt(curl, CURLOPT_URL, conf->url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, addr);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, athena_smtp_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &body);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, conf->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, conf->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");

    if (conf->starttls) {
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
    }

    if (conf->username != NULL) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, conf->username);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, conf->password);
    }

    rc = curl_easy_perform(curl);

    if (rc != CURLE_OK) {
        snprintf(err, errlen, "smtp: %s%s%s", curl_easy_strerror(rc),
                 detail[0] ? ": " : "", detail);
    }

    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);

    return rc == CURLE_OK ? 0 : -1;
}
