/*
 * scrypt (RFC 7914) over work memory the process keeps between hashes.
 * OpenSSL's EVP_PBE_scrypt allocates its 128 * r * N bytes for each hash
 * (32 MiB with better-auth's N=16384, r=16), which glibc maps afresh and
 * the kernel faults in page by page: a fifth of each sign-in's CPU. Here
 * a hash takes a block from a small pool and gives it back; the worker's
 * event loop unmaps the blocks no hash has used for a while
 * (athena_scrypt_release), so that memory is held only while hashes run,
 * at most one block per hash running at once.
 */

#ifndef ATHENA_SCRYPT_H
#define ATHENA_SCRYPT_H

#include <stddef.h>
#include <stdint.h>


int athena_scrypt_kdf(const unsigned char *password, size_t plen,
    const unsigned char *salt, size_t slen, uint64_t n, uint32_t r,
    uint32_t p, unsigned char *out, size_t olen);
unsigned long athena_scrypt_uses(void);
size_t athena_scrypt_release(int64_t idle_ms);


#endif /* ATHENA_SCRYPT_H */
