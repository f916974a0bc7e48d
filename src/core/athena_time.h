/*
 * Times are int64 milliseconds since the epoch everywhere in the module,
 * written as JavaScript's Date.toISOString() writes them.
 */

#ifndef ATHENA_TIME_H
#define ATHENA_TIME_H

#include <stdint.h>


#define ATHENA_ISO_LEN  24      /* 2026-01-02T03:04:05.678Z */


int64_t athena_now_ms(void);
void athena_time_iso(int64_t ms, char *buf);
int athena_time_revive(const char *s, int64_t *ms);
int athena_time_iso_date(const char *s);


#endif /* ATHENA_TIME_H */
