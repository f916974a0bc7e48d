/*
 * Times are int64 milliseconds since the epoch everywhere in the module,
 * written as JavaScript's Date.toISOString() writes them; deadlines alone
 * use athena_clock_ms(), milliseconds of a monotonic clock.
 */

#ifndef ATHENA_TIME_H
#define ATHENA_TIME_H

#include <stdint.h>


#define ATHENA_ISO_LEN  24      /* 2026-01-02T03:04:05.678Z */

/* 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z */
#define ATHENA_TIME_MIN  (-62135596800000LL)
#define ATHENA_TIME_MAX  253402300799999LL


int64_t athena_now_ms(void);
int64_t athena_clock_ms(void);
void athena_time_iso(int64_t ms, char *buf);
int athena_time_revive(const char *s, int64_t *ms);
int athena_time_pg(const char *s, int64_t *ms);
int athena_time_storable(int64_t ms);
int athena_time_storable_after(int64_t now, double delta);
int athena_time_date(const char *s, int64_t *ms);


#endif /* ATHENA_TIME_H */
