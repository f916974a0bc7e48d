#include <string.h>

#include "athena_buf.h"
#include "athena_resp.h"


/* "*" or "$", a count, and "\r\n" */
#define ATHENA_RESP_HEAD  (1 + ATHENA_DECIMAL_LEN + 2)


static char *
athena_resp_head(char *p, char type, size_t n)
{
    char   digits[ATHENA_DECIMAL_LEN], *d;

    d = athena_decimal(digits + sizeof(digits), (int64_t) n);

    *p++ = type;

    memcpy(p, d, (size_t) (digits + sizeof(digits) - d));
    p += digits + sizeof(digits) - d;

    *p++ = '\r';
    *p++ = '\n';

    return p;
}


/* room enough for the command athena_resp_put() writes */

size_t
athena_resp_size(int argc, const size_t *lens)
{
    int     i;
    size_t  size;

    size = ATHENA_RESP_HEAD;

    for (i = 0; i < argc; i++) {
        size += ATHENA_RESP_HEAD + lens[i] + 2;
    }

    return size;
}


/* one command, its arguments lens[i] bytes each: the bytes written */

size_t
athena_resp_put(char *out, int argc, const char *const *argv,
    const size_t *lens)
{
    int    i;
    char  *p;

    p = athena_resp_head(out, '*', (size_t) argc);

    for (i = 0; i < argc; i++) {
        p = athena_resp_head(p, '$', lens[i]);

        if (lens[i]) {
            memcpy(p, argv[i], lens[i]);
        }

        p += lens[i];
        *p++ = '\r';
        *p++ = '\n';
    }

    return (size_t) (p - out);
}
