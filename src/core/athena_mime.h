/*
 * A mail as RFC 5322 text: headers (a non-ASCII subject or name in RFC
 * 2047 words), then the text and HTML parts as multipart/alternative,
 * each in base64 lines of 76. The caller has checked that no header
 * field holds a line break.
 */

#ifndef ATHENA_MIME_H
#define ATHENA_MIME_H

#include <stdint.h>

#include "athena_arena.h"


typedef struct {
    const char   *from_address;
    const char   *from_name;          /* or NULL */
    const char   *to;
    const char   *subject;
    const char   *text;               /* or NULL */
    const char   *html;               /* or NULL */
    const char   *message_id;         /* without <>; its domain is from's */
    int64_t       date;               /* epoch ms */
} athena_mime_t;


char *athena_mime_build(athena_arena_t *a, const athena_mime_t *m,
    size_t *len);


#endif /* ATHENA_MIME_H */
