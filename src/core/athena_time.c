#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

#include "athena_time.h"


int64_t
athena_now_ms(void)
{
    struct timeval  tv;

    gettimeofday(&tv, NULL);

    return (int64_t) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}


/* buf holds ATHENA_ISO_LEN + 1 bytes */

void
athena_time_iso(int64_t ms, char *buf)
{
    char       tmp[64];
    time_t     sec;
    int64_t    rem;
    struct tm  tm;

    rem = ms % 1000;
    if (rem < 0) {
        rem += 1000;
    }

    sec = (time_t) ((ms - rem) / 1000);
    gmtime_r(&sec, &tm);

    /* the compiler cannot know the fields are small: format, then cut */
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int) rem);

    memcpy(buf, tmp, ATHENA_ISO_LEN);
    buf[ATHENA_ISO_LEN] = '\0';
}
