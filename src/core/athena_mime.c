#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "athena_buf.h"
#include "athena_mime.h"


static int
athena_mime_ascii(const char *s)
{
    for ( /* void */ ; *s; s++) {
        if ((unsigned char) *s >= 0x80) {
            return 0;
        }
    }

    return 1;
}


/* base64 of s, in lines of at most 76 with CRLF */

static void
athena_mime_base64(athena_buf_t *o, const char *s, size_t n)
{
    int            k;
    size_t         i, chunk;
    unsigned char  line[80];

    for (i = 0; i < n; i += chunk) {
        chunk = n - i > 57 ? 57 : n - i;     /* 57 bytes: 76 characters */

        k = EVP_EncodeBlock(line, (const unsigned char *) s + i, (int) chunk);

        athena_buf_add(o, (const char *) line, (size_t) k);
        athena_buf_add(o, "\r\n", 2);
    }
}


/*
 * A header word: as it is in ASCII, else "=?UTF-8?B?...?=" words of at
 * most 39 bytes each (whole UTF-8 characters), folded with CRLF SP, so
 * that even the first line, after "Subject: ", stays within 76.
 */

static void
athena_mime_word(athena_buf_t *o, const char *s)
{
    int            k;
    size_t         n, i, chunk;
    unsigned char  enc[80];

    if (athena_mime_ascii(s)) {
        athena_buf_str(o, s);
        return;
    }

    n = strlen(s);

    for (i = 0; i < n; i += chunk) {
        chunk = n - i > 39 ? 39 : n - i;

        /* never split a character: back off to its first byte */
        while (i + chunk < n && chunk > 1
               && ((unsigned char) s[i + chunk] & 0xc0) == 0x80)
        {
            chunk--;
        }

        k = EVP_EncodeBlock(enc, (const unsigned char *) s + i, (int) chunk);

        if (i) {
            athena_buf_add(o, "\r\n ", 3);
        }

        athena_buf_str(o, "=?UTF-8?B?");
        athena_buf_add(o, (const char *) enc, (size_t) k);
        athena_buf_str(o, "?=");
    }
}


/* a display name as a quoted string, or encoded words */

static void
athena_mime_name(athena_buf_t *o, const char *name)
{
    const char  *p;

    if (!athena_mime_ascii(name)) {
        athena_mime_word(o, name);
        return;
    }

    athena_buf_add(o, "\"", 1);

    for (p = name; *p; p++) {
        if (*p == '"' || *p == '\\') {
            athena_buf_add(o, "\\", 1);
        }

        athena_buf_add(o, p, 1);
    }

    athena_buf_add(o, "\"", 1);
}


static void
athena_mime_part(athena_buf_t *o, const char *boundary,
    const char *type, const char *body)
{
    athena_buf_str(o, "--");
    athena_buf_str(o, boundary);
    athena_buf_str(o, "\r\nContent-Type: ");
    athena_buf_str(o, type);
    athena_buf_str(o, "; charset=UTF-8\r\n"
                       "Content-Transfer-Encoding: base64\r\n\r\n");
    athena_mime_base64(o, body, strlen(body));
}


char *
athena_mime_build(athena_arena_t *a, const athena_mime_t *m, size_t *len)
{
    char               date[64], boundary[48];
    time_t             t;
    struct tm          tm;
    unsigned char      rnd[12];
    athena_buf_t  o;
    size_t             i;

    athena_buf_init(&o, a);

    t = (time_t) (m->date / 1000);
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);

    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        return NULL;
    }

    memcpy(boundary, "=_athena_", 9);
    for (i = 0; i < sizeof(rnd); i++) {
        snprintf(boundary + 9 + 2 * i, 3, "%02x", rnd[i]);
    }

    athena_buf_str(&o, "From: ");
    if (m->from_name && m->from_name[0]) {
        athena_mime_name(&o, m->from_name);
        athena_buf_str(&o, " ");
    }
    athena_buf_str(&o, "<");
    athena_buf_str(&o, m->from_address);
    athena_buf_str(&o, ">\r\nTo: <");
    athena_buf_str(&o, m->to);
    athena_buf_str(&o, ">\r\nSubject: ");
    athena_mime_word(&o, m->subject);
    athena_buf_str(&o, "\r\nDate: ");
    athena_buf_str(&o, date);
    athena_buf_str(&o, "\r\nMessage-ID: <");
    athena_buf_str(&o, m->message_id);
    athena_buf_str(&o, ">\r\nMIME-Version: 1.0\r\n");

    athena_buf_str(&o, "Content-Type: multipart/alternative;\r\n"
                       " boundary=\"");
    athena_buf_str(&o, boundary);
    athena_buf_str(&o, "\"\r\n\r\n");

    /* a mail always has a text part: an HTML-only template gets an empty one */
    athena_mime_part(&o, boundary, "text/plain", m->text ? m->text : "");

    if (m->html) {
        athena_mime_part(&o, boundary, "text/html", m->html);
    }

    athena_buf_str(&o, "--");
    athena_buf_str(&o, boundary);
    athena_buf_str(&o, "--\r\n");

    if (o.failed) {
        return NULL;
    }

    *len = o.len;

    return o.data;
}
