/*
 * scrypt as RFC 7914 defines it (athena_scrypt.h): PBKDF2-HMAC-SHA256
 * (OpenSSL's) around ROMix, whose BlockMix runs the Salsa20/8 core, four
 * 32-bit words at a time where SSE2 is there (every x86-64), else one.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "athena_scrypt.h"
#include "athena_time.h"


/* work memory kept for later hashes, at most this many blocks */
#define ATHENA_SCRYPT_POOL  64


typedef struct {
    void        *mem;
    size_t       size;
    int64_t      used;          /* athena_clock_ms() when given back */
    unsigned     busy:1;
} athena_scrypt_block_t;


static pthread_mutex_t        athena_scrypt_lock = PTHREAD_MUTEX_INITIALIZER;
static athena_scrypt_block_t  athena_scrypt_pool[ATHENA_SCRYPT_POOL];
static unsigned long          athena_scrypt_count;


#if (__SSE2__)

/*
 * Salsa20/8 four words at a time (SSE2). Each 64-byte block is kept with
 * its words in the order of the matrix's diagonals, rows a, b, c, d:
 * (0 5 10 15) (4 9 14 3) (8 13 2 7) (12 1 6 11), where one column round
 * is four vector steps, and a row round the same after a rotation of the
 * rows. BlockMix only xors and moves whole blocks, so it does not care;
 * ROMix puts the words in this order once on the way in and back once on
 * the way out. It takes a third less time than word by word.
 */

#include <emmintrin.h>

static const uint8_t  athena_scrypt_word[16] = {
    0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11
};

/* where the words Integerify reads, 0 and 1, are kept */
#define ATHENA_SCRYPT_W0  0
#define ATHENA_SCRYPT_W1  13


#define ATHENA_VROTL(v, n)                                                  \
    _mm_or_si128(_mm_slli_epi32(v, n), _mm_srli_epi32(v, 32 - (n)))

#define ATHENA_VSTEP(t, p, q, n)                                            \
    t = _mm_xor_si128(t, ATHENA_VROTL(_mm_add_epi32(p, q), n))

/* one round, four quarter-rounds: columns (a, b, c, d), rows (a, d, c, b) */
#define ATHENA_VROUND(a, b, c, d)                                           \
    ATHENA_VSTEP(b, a, d, 7);                                               \
    ATHENA_VSTEP(c, b, a, 9);                                               \
    ATHENA_VSTEP(d, c, b, 13);                                              \
    ATHENA_VSTEP(a, d, c, 18)


static void
athena_salsa208(__m128i *x)
{
    int      i;
    __m128i  a, b, c, d;

    a = x[0];
    b = x[1];
    c = x[2];
    d = x[3];

    for (i = 0; i < 8; i += 2) {
        ATHENA_VROUND(a, b, c, d);

        /* rows: b, c and d rotated into the rows' places, b and d swapped */
        b = _mm_shuffle_epi32(b, 0x93);
        c = _mm_shuffle_epi32(c, 0x4e);
        d = _mm_shuffle_epi32(d, 0x39);

        ATHENA_VROUND(a, d, c, b);

        b = _mm_shuffle_epi32(b, 0x39);
        c = _mm_shuffle_epi32(c, 0x4e);
        d = _mm_shuffle_epi32(d, 0x93);
    }

    x[0] = _mm_add_epi32(x[0], a);
    x[1] = _mm_add_epi32(x[1], b);
    x[2] = _mm_add_epi32(x[2], c);
    x[3] = _mm_add_epi32(x[3], d);
}


static void
athena_blockmix(const uint32_t *in, const uint32_t *v, uint32_t *out,
    uint32_t r)
{
    uint32_t        i, k;
    __m128i         x[4];
    const __m128i  *pi, *pv;

    pi = (const __m128i *) in;
    pv = (const __m128i *) v;

    for (k = 0; k < 4; k++) {
        x[k] = _mm_loadu_si128(pi + (2 * r - 1) * 4 + k);
        if (v) {
            x[k] = _mm_xor_si128(x[k],
                                 _mm_loadu_si128(pv + (2 * r - 1) * 4 + k));
        }
    }

    for (i = 0; i < 2 * r; i++) {
        for (k = 0; k < 4; k++) {
            x[k] = _mm_xor_si128(x[k], _mm_loadu_si128(pi + i * 4 + k));
            if (v) {
                x[k] = _mm_xor_si128(x[k], _mm_loadu_si128(pv + i * 4 + k));
            }
        }

        athena_salsa208(x);

        for (k = 0; k < 4; k++) {
            _mm_storeu_si128((__m128i *) out + ((i & 1) * r + i / 2) * 4 + k,
                             x[k]);
        }
    }
}

#else

static const uint8_t  athena_scrypt_word[16] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
};

#define ATHENA_SCRYPT_W0  0
#define ATHENA_SCRYPT_W1  1

#define ATHENA_ROTL(a, b)  (((a) << (b)) | ((a) >> (32 - (b))))


/* the Salsa20/8 core: B = B + 8 rounds of B (RFC 7914, section 3) */

static void
athena_salsa208(uint32_t b[16])
{
    int       i;
    uint32_t  x[16];

    memcpy(x, b, sizeof(x));

    for (i = 0; i < 8; i += 2) {
        /* columns */
        x[4] ^= ATHENA_ROTL(x[0] + x[12], 7);
        x[8] ^= ATHENA_ROTL(x[4] + x[0], 9);
        x[12] ^= ATHENA_ROTL(x[8] + x[4], 13);
        x[0] ^= ATHENA_ROTL(x[12] + x[8], 18);
        x[9] ^= ATHENA_ROTL(x[5] + x[1], 7);
        x[13] ^= ATHENA_ROTL(x[9] + x[5], 9);
        x[1] ^= ATHENA_ROTL(x[13] + x[9], 13);
        x[5] ^= ATHENA_ROTL(x[1] + x[13], 18);
        x[14] ^= ATHENA_ROTL(x[10] + x[6], 7);
        x[2] ^= ATHENA_ROTL(x[14] + x[10], 9);
        x[6] ^= ATHENA_ROTL(x[2] + x[14], 13);
        x[10] ^= ATHENA_ROTL(x[6] + x[2], 18);
        x[3] ^= ATHENA_ROTL(x[15] + x[11], 7);
        x[7] ^= ATHENA_ROTL(x[3] + x[15], 9);
        x[11] ^= ATHENA_ROTL(x[7] + x[3], 13);
        x[15] ^= ATHENA_ROTL(x[11] + x[7], 18);

        /* rows */
        x[1] ^= ATHENA_ROTL(x[0] + x[3], 7);
        x[2] ^= ATHENA_ROTL(x[1] + x[0], 9);
        x[3] ^= ATHENA_ROTL(x[2] + x[1], 13);
        x[0] ^= ATHENA_ROTL(x[3] + x[2], 18);
        x[6] ^= ATHENA_ROTL(x[5] + x[4], 7);
        x[7] ^= ATHENA_ROTL(x[6] + x[5], 9);
        x[4] ^= ATHENA_ROTL(x[7] + x[6], 13);
        x[5] ^= ATHENA_ROTL(x[4] + x[7], 18);
        x[11] ^= ATHENA_ROTL(x[10] + x[9], 7);
        x[8] ^= ATHENA_ROTL(x[11] + x[10], 9);
        x[9] ^= ATHENA_ROTL(x[8] + x[11], 13);
        x[10] ^= ATHENA_ROTL(x[9] + x[8], 18);
        x[12] ^= ATHENA_ROTL(x[15] + x[14], 7);
        x[13] ^= ATHENA_ROTL(x[12] + x[15], 9);
        x[14] ^= ATHENA_ROTL(x[13] + x[12], 13);
        x[15] ^= ATHENA_ROTL(x[14] + x[13], 18);
    }

    for (i = 0; i < 16; i++) {
        b[i] += x[i];
    }
}


/*
 * BlockMix (section 4) of the 2r 64-byte blocks of in (xor'ed with v
 * first, when v is given) into out: the even results first, then the
 * odd ones.
 */

static void
athena_blockmix(const uint32_t *in, const uint32_t *v, uint32_t *out,
    uint32_t r)
{
    uint32_t  i, k, x[16];

    for (k = 0; k < 16; k++) {
        x[k] = in[(2 * r - 1) * 16 + k] ^ (v ? v[(2 * r - 1) * 16 + k] : 0);
    }

    for (i = 0; i < 2 * r; i++) {
        for (k = 0; k < 16; k++) {
            x[k] ^= in[i * 16 + k] ^ (v ? v[i * 16 + k] : 0);
        }

        athena_salsa208(x);

        memcpy(out + ((i & 1) * r + i / 2) * 16, x, sizeof(x));
    }
}

#endif


/* ROMix (section 5) of one 128r-byte block b, with v of 32r * n words */

static void
athena_romix(unsigned char *b, uint32_t r, uint64_t n, uint32_t *v,
    uint32_t *x, uint32_t *y)
{
    uint64_t        i, j;
    uint32_t        k, words;
    unsigned char  *w;

    words = 32 * r;

    /* each block's words in the order the Salsa20/8 core keeps them */
    for (k = 0; k < words; k++) {
        w = b + 4 * ((k & ~15u) + athena_scrypt_word[k & 15]);
        x[k] = (uint32_t) w[0] | (uint32_t) w[1] << 8
               | (uint32_t) w[2] << 16 | (uint32_t) w[3] << 24;
    }

    for (i = 0; i < n; i++) {
        memcpy(v + i * words, x, words * sizeof(uint32_t));
        athena_blockmix(v + i * words, NULL, x, r);
    }

    for (i = 0; i < n; i++) {
        /* Integerify: the last block's first 64 bits, little-endian */
        j = ((uint64_t) x[(2 * r - 1) * 16 + ATHENA_SCRYPT_W1] << 32
             | x[(2 * r - 1) * 16 + ATHENA_SCRYPT_W0]) & (n - 1);

        athena_blockmix(x, v + j * words, y, r);
        memcpy(x, y, words * sizeof(uint32_t));
    }

    for (k = 0; k < words; k++) {
        w = b + 4 * ((k & ~15u) + athena_scrypt_word[k & 15]);
        w[0] = (unsigned char) x[k];
        w[1] = (unsigned char) (x[k] >> 8);
        w[2] = (unsigned char) (x[k] >> 16);
        w[3] = (unsigned char) (x[k] >> 24);
    }
}


/* a block of at least size bytes, from the pool or mapped anew */

static athena_scrypt_block_t *
athena_scrypt_take(size_t size, athena_scrypt_block_t *own)
{
    size_t                  i;
    athena_scrypt_block_t  *blk, *free_slot;

    pthread_mutex_lock(&athena_scrypt_lock);

    free_slot = NULL;

    for (i = 0; i < ATHENA_SCRYPT_POOL; i++) {
        blk = &athena_scrypt_pool[i];

        if (blk->mem != NULL && !blk->busy && blk->size >= size) {
            blk->busy = 1;
            pthread_mutex_unlock(&athena_scrypt_lock);
            return blk;
        }

        if (blk->mem == NULL && !blk->busy && free_slot == NULL) {
            free_slot = blk;
        }
    }

    /* the slot is held while its memory is mapped, outside the lock */
    blk = free_slot ? free_slot : own;
    blk->busy = 1;

    pthread_mutex_unlock(&athena_scrypt_lock);

    blk->mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (blk->mem == MAP_FAILED) {
        pthread_mutex_lock(&athena_scrypt_lock);
        blk->mem = NULL;
        blk->busy = 0;
        pthread_mutex_unlock(&athena_scrypt_lock);
        return NULL;
    }

    blk->size = size;

    return blk;
}


static void
athena_scrypt_give(athena_scrypt_block_t *blk, athena_scrypt_block_t *own)
{
    if (blk == own) {
        /* the pool was full: this one is not kept */
        munmap(blk->mem, blk->size);
        return;
    }

    pthread_mutex_lock(&athena_scrypt_lock);
    blk->busy = 0;
    blk->used = athena_clock_ms();
    pthread_mutex_unlock(&athena_scrypt_lock);
}


/*
 * The work memory no hash has used for idle_ms is unmapped (with 0, all
 * that is not in use). Returns how many blocks are kept.
 */

size_t
athena_scrypt_release(int64_t idle_ms)
{
    size_t                  i, kept;
    int64_t                 now;
    athena_scrypt_block_t  *blk;

    now = athena_clock_ms();
    kept = 0;

    pthread_mutex_lock(&athena_scrypt_lock);

    for (i = 0; i < ATHENA_SCRYPT_POOL; i++) {
        blk = &athena_scrypt_pool[i];

        if (blk->mem == NULL) {
            continue;
        }

        if (!blk->busy && now - blk->used >= idle_ms) {
            munmap(blk->mem, blk->size);
            blk->mem = NULL;
            continue;
        }

        kept++;
    }

    pthread_mutex_unlock(&athena_scrypt_lock);

    return kept;
}


unsigned long
athena_scrypt_uses(void)
{
    return __atomic_load_n(&athena_scrypt_count, __ATOMIC_RELAXED);
}


/* n a power of two above 1, r and p at least 1 */

int
athena_scrypt_kdf(const unsigned char *password, size_t plen,
    const unsigned char *salt, size_t slen, uint64_t n, uint32_t r,
    uint32_t p, unsigned char *out, size_t olen)
{
    int                     rc;
    size_t                  blen, vlen, xlen;
    uint32_t                i, *v, *x;
    unsigned char          *b;
    athena_scrypt_block_t  *blk, own;

    if (n < 2 || (n & (n - 1)) != 0 || r == 0 || p == 0
        || r > (1 << 20) || p > (1 << 20) || n > ((uint64_t) 1 << 32)
        || (uint64_t) r * p >= (1 << 30))
    {
        return -1;
    }

    __atomic_add_fetch(&athena_scrypt_count, 1, __ATOMIC_RELAXED);

    blen = (size_t) 128 * r * p;
    vlen = (size_t) 128 * r * n;
    xlen = (size_t) 128 * r * 2;

    memset(&own, 0, sizeof(own));

    blk = athena_scrypt_take(vlen + xlen + blen, &own);
    if (blk == NULL) {
        return -1;
    }

    v = blk->mem;
    x = (uint32_t *) ((unsigned char *) blk->mem + vlen);
    b = (unsigned char *) blk->mem + vlen + xlen;

    rc = -1;

    if (PKCS5_PBKDF2_HMAC((const char *) password, (int) plen, salt,
                          (int) slen, 1, EVP_sha256(), (int) blen, b)
        == 1)
    {
        for (i = 0; i < p; i++) {
            athena_romix(b + (size_t) 128 * r * i, r, n, v, x, x + 32 * r);
        }

        if (PKCS5_PBKDF2_HMAC((const char *) password, (int) plen, b,
                              (int) blen, 1, EVP_sha256(), (int) olen, out)
            == 1)
        {
            rc = 0;
        }
    }

    /*
     * nothing of it is left behind: the first blocks of v are as cheap to
     * test a password against as one PBKDF2
     */
    OPENSSL_cleanse(blk->mem, vlen + xlen + blen);

    athena_scrypt_give(blk, &own);

    return rc;
}
