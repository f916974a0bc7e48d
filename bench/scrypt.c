/*
 * scrypt alone, as sign-in runs it (better-auth's parameters: N=16384,
 * r=16, p=1, 64 bytes), on one thread: prints the CPU milliseconds of
 * one hash, the mean of argv[1] (default 20) hashes after one unmeasured.
 * bench/run.pl builds it beside the module's sources.
 */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "athena_scrypt.h"


static double
cpu_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);

    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}


int
main(int argc, char **argv)
{
    int            i, n;
    double         t0;
    unsigned char  out[64];

    n = argc > 1 ? atoi(argv[1]) : 20;
    if (n < 1) {
        n = 1;
    }

    for (i = 0; i <= n; i++) {
        if (i == 1) {
            t0 = cpu_ms();
        }

        if (athena_scrypt_kdf((const unsigned char *) "bench-password-1", 16,
                              (const unsigned char *) "0123456789abcdef", 16,
                              16384, 16, 1, out, sizeof(out))
            != 0)
        {
            return 1;
        }
    }

    printf("%.1f\n", (cpu_ms() - t0) / n);

    return 0;
}
