/*
 * FNV-1a over a C string, 64 bits: the key of a slot in a table that a
 * clash can only make share or forget (a thread's memo, the node's rate
 * counts), never where an attacker's choice of keys would cost more than
 * that. Never 0, which marks a slot unused.
 */

#ifndef ATHENA_HASH_H
#define ATHENA_HASH_H

#include <stdint.h>


static inline uint64_t
athena_hash(const char *key)
{
    uint64_t  h;

    for (h = 14695981039346656037ull; *key; key++) {
        h = (h ^ (unsigned char) *key) * 1099511628211ull;
    }

    return h ? h : 1;
}


#endif /* ATHENA_HASH_H */
