/*
 * The payload of a cache notification (migration 019): lines, each one
 * item naming what changed, keyed as the caches are keyed. Reading never
 * fails: a line it cannot read safely is a flush, so that a payload of a
 * newer schema drops too much, never too little.
 */

#ifndef ATHENA_NOTICE_H
#define ATHENA_NOTICE_H

#include <stddef.h>

#include "athena_crypto.h"


typedef enum {
    ATHENA_NOTICE_FLUSH = 0,      /* "*": drop everything */
    ATHENA_NOTICE_SESSION,        /* "s:<hex>": a session changed */
    ATHENA_NOTICE_ENDED,          /* "x:<hex>": a session ended */
    ATHENA_NOTICE_KEY,            /* "k:<hash>": an API key changed */
    ATHENA_NOTICE_MEMBER,         /* "m:<org>:<user>" */
    ATHENA_NOTICE_ROLES           /* "r:<user>": admin roles changed */
} athena_notice_e;


typedef struct {
    athena_notice_e   type;
    const char       *value;      /* after "t:", not terminated */
    size_t            len;
    unsigned char     digest[ATHENA_SHA256_LEN];   /* of s, x and k */
} athena_notice_item_t;


int athena_notice_next(const char **p, const char *end,
    athena_notice_item_t *item);


#endif /* ATHENA_NOTICE_H */
