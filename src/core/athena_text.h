/*
 * Text as JavaScript sees it: UTF-8 checks, lengths in UTF-16 code units,
 * Unicode normalisation and case folding, zod's email rule, and the
 * percent-encoding of encodeURIComponent.
 */

#ifndef ATHENA_TEXT_H
#define ATHENA_TEXT_H

#include <stddef.h>

#include "athena_arena.h"


int athena_utf8_valid(const char *s, size_t len);
char *athena_utf8_scrub(athena_arena_t *a, const char *s, size_t len,
    size_t *outlen);
char *athena_latin1_utf8(athena_arena_t *a, const char *s, size_t len);
size_t athena_utf16_len(const char *s, size_t len);
char *athena_nfkc(athena_arena_t *a, const char *s, size_t len,
    size_t *outlen);
char *athena_email_normalize(athena_arena_t *a, const char *s, size_t len);
int athena_email_valid(const char *s);
char *athena_trim(athena_arena_t *a, const char *s, size_t len,
    size_t *outlen);
char *athena_uri_encode(athena_arena_t *a, const char *s, size_t len);
char *athena_uri_decode(athena_arena_t *a, const char *s, size_t len,
    size_t *outlen);


#endif /* ATHENA_TEXT_H */
