/*
 * The date parsers: athena_time_revive (what better-auth's JSON reviver
 * makes a Date of) and athena_time_date (update-user's banExpires), over
 * a NUL-terminated copy of the input. A revived time is within
 * JavaScript's range; a banExpires date is a revived time within years
 * 1-9999; and a revived time between the years 100 and 9999 writes out as
 * a string that revives to the same time, the input itself when it was
 * already written that way with every field in range.
 */

#include "fuzz.h"
#include "../../src/core/athena_time.h"


#define FUZZ_TIME_MAX     8640000000000000LL    /* JavaScript's Date */
#define FUZZ_TIME_Y100    -59011459200000LL     /* 0100-01-01T00:00Z */
#define FUZZ_TIME_Y9999   253402300799999LL     /* 9999-12-31T23:59:59.999Z */


static int
fuzz_time_field(const char *s, int at, int len)
{
    int  v, i;

    v = 0;

    for (i = 0; i < len; i++) {
        v = v * 10 + s[at + i] - '0';
    }

    return v;
}


/* whether "YYYY-MM-DDTHH:MM:SS.mmmZ" names a real instant as it is */

static int
fuzz_time_canonical(const char *s)
{
    int         y, m, d, last;
    static int  days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    if (strlen(s) != ATHENA_ISO_LEN) {
        return 0;
    }

    y = fuzz_time_field(s, 0, 4);
    m = fuzz_time_field(s, 5, 2);
    d = fuzz_time_field(s, 8, 2);

    if (y < 100 || m < 1 || m > 12 || d < 1) {
        return 0;
    }

    last = days[m - 1]
           + (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));

    return d <= last && fuzz_time_field(s, 11, 2) < 24
           && fuzz_time_field(s, 14, 2) < 60
           && fuzz_time_field(s, 17, 2) < 60;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int       date;
    char     *s, iso[ATHENA_ISO_LEN + 1];
    int64_t   ms, again, day;

    s = fuzz_cstr(data, size);

    date = athena_time_date(s, &day);

    if (date) {
        fuzz_check(day >= ATHENA_TIME_MIN && day <= ATHENA_TIME_MAX);
    }

    if (athena_time_revive(s, &ms)) {
        fuzz_check(!date || day == ms);
        fuzz_check(ms >= -FUZZ_TIME_MAX && ms <= FUZZ_TIME_MAX);

        if (ms >= FUZZ_TIME_Y100 && ms <= FUZZ_TIME_Y9999) {
            athena_time_iso(ms, iso);

            fuzz_check(athena_time_revive(iso, &again) && again == ms);
            fuzz_check(fuzz_time_canonical(iso));
            fuzz_check(!fuzz_time_canonical(s) || strcmp(s, iso) == 0);
        }
    }

    free(s);

    return 0;
}
