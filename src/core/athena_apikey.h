/*
 * API keys as better-auth's api-key plugin makes them: 64 letters after an
 * optional prefix, stored as base64url(SHA-256(key)) without padding, and
 * permissions {resource: [actions]} checked with AND throughout.
 */

#ifndef ATHENA_APIKEY_H
#define ATHENA_APIKEY_H

#include <stddef.h>

#include "athena_access.h"
#include "athena_json.h"


#define ATHENA_APIKEY_LEN       64      /* the random part */
#define ATHENA_APIKEY_HASH_LEN  43      /* base64url of 32 bytes, no '=' */
#define ATHENA_APIKEY_START     6       /* "start": the first characters */


int athena_apikey_generate(char *out, size_t len);
void athena_apikey_hash(const char *key, size_t len, char *out);
int athena_apikey_hash_raw(const char *hash, unsigned char *raw);
int athena_apikey_permits(const athena_json_t *granted,
    const athena_permission_t *want, size_t n);
char *athena_apikey_flatten(athena_arena_t *a, const athena_json_t *granted);
int athena_apikey_flat_permits(const char *flat,
    const athena_permission_t *want, size_t n);


#endif /* ATHENA_APIKEY_H */
