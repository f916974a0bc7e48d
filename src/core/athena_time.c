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


/* for deadlines: a clock that nobody sets back or forth */

int64_t
athena_clock_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


/*
 * A time the module may store: one that ISO 8601's four-digit years can
 * write (0001 to 9999), so that toISOString() and Postgres both take it.
 */

int
athena_time_storable(int64_t ms)
{
    return ms >= ATHENA_TIME_MIN && ms <= ATHENA_TIME_MAX;
}


/* now + delta ms, when that is storable: the double is checked first */

int
athena_time_storable_after(int64_t now, double delta)
{
    double  t;

    t = (double) now + delta;

    return t >= (double) ATHENA_TIME_MIN && t <= (double) ATHENA_TIME_MAX;
}


/* days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar */

static int64_t
athena_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t  era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}


/* y-m-d of the day that is days after 1970-01-01: the inverse of the above */

static void
athena_civil_from_days(int64_t days, int64_t *y, int64_t *m, int64_t *d)
{
    int64_t  z, era, doe, yoe, doy, mp;

    z = days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}


static void
athena_put_digits(char *p, int64_t v, int n)
{
    while (n--) {
        p[n] = (char) ('0' + v % 10);
        v /= 10;
    }
}


/*
 * buf holds ATHENA_ISO_LEN + 1 bytes. The digits are written by hand: a
 * list writes two dates a row, and gmtime_r() takes the time zone lock
 * and snprintf() reads its format every time. A year outside 0001-9999
 * (never stored: athena_time_storable()) keeps its last four digits.
 */

void
athena_time_iso(int64_t ms, char *buf)
{
    int64_t  rem, sec, days, y, m, d;

    rem = ms % 1000;
    if (rem < 0) {
        rem += 1000;
    }

    sec = (ms - rem) / 1000 % 86400;
    days = (ms - rem) / 1000 / 86400;

    if (sec < 0) {
        sec += 86400;
        days--;
    }

    athena_civil_from_days(days, &y, &m, &d);

    if (y < 0) {
        y = -y;
    }

    memcpy(buf, "0000-00-00T00:00:00.000Z", ATHENA_ISO_LEN + 1);

    athena_put_digits(buf, y, 4);
    athena_put_digits(buf + 5, m, 2);
    athena_put_digits(buf + 8, d, 2);
    athena_put_digits(buf + 11, sec / 3600, 2);
    athena_put_digits(buf + 14, sec / 60 % 60, 2);
    athena_put_digits(buf + 17, sec % 60, 2);
    athena_put_digits(buf + 20, rem, 3);
}


static int
athena_digits(const char *s, size_t n, int64_t *v)
{
    size_t  i;

    *v = 0;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
        *v = *v * 10 + (s[i] - '0');
    }

    return 1;
}


/*
 * A timestamptz as Postgres writes it under DateStyle ISO (the
 * connection's setting, athena_pg_setup()): "YYYY-MM-DD HH:MM:SS[.f{1,6}]"
 * and the zone's offset "+HH[:MM[:SS]]" ("+00" in UTC). The time becomes
 * milliseconds, the fraction cut as JavaScript cuts it (floor), and
 * "infinity" the last storable time. Returns 1 and sets *ms when s is
 * one. Reading the text is cheaper for Postgres than the numeric
 * arithmetic of floor(extract(epoch ...) * 1000) was.
 */

int
athena_time_pg(const char *s, int64_t *ms)
{
    int          n;
    char         sign;
    int64_t      y, mo, d, h, mi, sec, f, oh, om, os, t;
    size_t       frac;
    const char  *p;

    if (strcmp(s, "infinity") == 0 || strcmp(s, "-infinity") == 0) {
        *ms = s[0] == '-' ? ATHENA_TIME_MIN : ATHENA_TIME_MAX;
        return 1;
    }

    if (strlen(s) < 22 || s[4] != '-' || s[7] != '-' || s[10] != ' '
        || s[13] != ':' || s[16] != ':'
        || !athena_digits(s, 4, &y) || !athena_digits(s + 5, 2, &mo)
        || !athena_digits(s + 8, 2, &d) || !athena_digits(s + 11, 2, &h)
        || !athena_digits(s + 14, 2, &mi) || !athena_digits(s + 17, 2, &sec)
        || mo < 1 || mo > 12)
    {
        return 0;
    }

    p = s + 19;
    f = 0;

    if (*p == '.') {
        p++;

        for (frac = 0; frac < 6 && p[frac] >= '0' && p[frac] <= '9'; frac++) {
            if (frac < 3) {
                f = f * 10 + (p[frac] - '0');
            }
        }

        if (frac == 0) {
            return 0;
        }

        p += frac;

        for ( /* void */ ; frac < 3; frac++) {
            f *= 10;
        }
    }

    sign = p[0];
    om = 0;
    os = 0;

    if ((sign != '+' && sign != '-') || !athena_digits(p + 1, 2, &oh)) {
        return 0;
    }

    for (p += 3, n = 0; p[0] == ':' && n < 2; p += 3, n++) {
        if (!athena_digits(p + 1, 2, n == 0 ? &om : &os)) {
            return 0;
        }
    }

    if (*p != '\0') {
        return 0;
    }

    os += (oh * 60 + om) * 60;

    t = athena_days_from_civil(y, mo, d);
    t = ((t * 24 + h) * 60 + mi) * 60 + sec - (sign == '-' ? -os : os);

    *ms = t * 1000 + f;

    return 1;
}


/*
 * A string better-auth's JSON parser turns into a Date, and the time it
 * becomes: "YYYY-MM-DDTHH:MM:SS[.f{1,7}](Z|+HH:MM|-HH:MM)", each field
 * passed to Date.UTC as it is, so that out-of-range fields roll over
 * (month 13 is next January), years 0-99 are 1900-1999, and the fraction
 * is padded to three digits and then read whole (".1234" is 1234 ms).
 * Returns 1 and sets *ms when s is one.
 */

int
athena_time_revive(const char *s, int64_t *ms)
{
    size_t        len, frac;
    int64_t       y, mo, d, h, mi, sec, f, oh, om, t;
    const char   *p;

    len = strlen(s);

    if (len < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T'
        || s[13] != ':' || s[16] != ':'
        || !athena_digits(s, 4, &y) || !athena_digits(s + 5, 2, &mo)
        || !athena_digits(s + 8, 2, &d) || !athena_digits(s + 11, 2, &h)
        || !athena_digits(s + 14, 2, &mi) || !athena_digits(s + 17, 2, &sec))
    {
        return 0;
    }

    p = s + 19;
    f = 0;

    if (*p == '.') {
        p++;

        for (frac = 0; p[frac] >= '0' && p[frac] <= '9'; frac++) {
            /* void */
        }

        if (frac < 1 || frac > 7) {
            return 0;
        }

        (void) athena_digits(p, frac, &f);
        p += frac;

        /* padEnd(3, "0"), then the whole number */
        for ( /* void */ ; frac < 3; frac++) {
            f *= 10;
        }
    }

    oh = 0;
    om = 0;

    if (p[0] == 'Z' && p[1] == '\0') {
        /* UTC */

    } else if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && p[3] == ':'
               && athena_digits(p + 1, 2, &oh)
               && athena_digits(p + 4, 2, &om))
    {
        if (p[0] == '-') {
            oh = -oh;
            om = -om;
        }

    } else {
        return 0;
    }

    if (y <= 99) {
        y += 1900;
    }

    /* Date.UTC's month rolls over into years */
    mo -= 1;
    y += mo / 12;
    mo %= 12;

    t = athena_days_from_civil(y, mo + 1, 1) + d - 1;
    t = ((t * 24 + h) * 60 + mi - (oh * 60 + om)) * 60 + sec;
    t = t * 1000 + f;

    /* JavaScript's Date ends 8.64e15 ms either side of 1970 */
    if (t > 8640000000000000LL || t < -8640000000000000LL) {
        return 0;
    }

    *ms = t;

    return 1;
}


/*
 * A date as better-auth takes update-user's banExpires: an ISO time, or a
 * bare "YYYY-MM-DD" (midnight UTC), with a month of 01-12 and a day of
 * 01-31; a day past the month's end rolls over as JavaScript's Date rolls
 * it (February 30 is March 2). Returns 1 and sets *ms for a time the
 * module may store; anything else is one better-auth's database refuses.
 */

int
athena_time_date(const char *s, int64_t *ms)
{
    int   month, day;
    char  buf[ATHENA_ISO_LEN + 1];

    if (strlen(s) == 10) {
        memcpy(buf, s, 10);
        memcpy(buf + 10, "T00:00:00.000Z", sizeof("T00:00:00.000Z"));
        s = buf;
    }

    if (!athena_time_revive(s, ms) || !athena_time_storable(*ms)) {
        return 0;
    }

    /* revive checked that these are digits */
    month = (s[5] - '0') * 10 + s[6] - '0';
    day = (s[8] - '0') * 10 + s[9] - '0';

    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}
