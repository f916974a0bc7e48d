/*
 * SQL fragments the store's files share: how timestamps travel (epoch
 * milliseconds both ways) and the user columns in athena_user_t's order.
 */

#ifndef ATHENA_COLUMNS_H
#define ATHENA_COLUMNS_H


/*
 * A time read: the column as Postgres writes it, which
 * athena_rows_time() turns into milliseconds (cut, as JavaScript's Date
 * reads microseconds). Writing the text costs Postgres a fifth of what
 * ATHENA_MS's numeric arithmetic costs on a list (bench/); ATHENA_MS
 * stays for times that SQL itself computes with, and for the API key
 * rows that the cache keeps as Postgres wrote them.
 */
#define ATHENA_TIME(col) col
#define ATHENA_MS(col)   "floor(extract(epoch FROM " col ") * 1000)::int8"
#define ATHENA_TS(n)     "to_timestamp($" #n "::float8 / 1000)"
#define ATHENA_TS_N      "to_timestamp($%d::float8 / 1000)"  /* a format */

#define ATHENA_USER_COLS(u)                                                  \
    u ".id, " u ".name, " u ".email, " u ".\"emailVerified\", "              \
    u ".image, " ATHENA_TIME(u ".\"createdAt\"") ", "                        \
    ATHENA_TIME(u ".\"updatedAt\"") ", " u ".role, " u ".banned, "           \
    u ".\"banReason\", " ATHENA_TIME(u ".\"banExpires\"")
#define ATHENA_USER_NCOLS  11


#endif /* ATHENA_COLUMNS_H */
