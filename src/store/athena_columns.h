/*
 * SQL fragments the store's files share: how timestamps travel (epoch
 * milliseconds both ways) and the user columns in athena_user_t's order.
 */

#ifndef ATHENA_COLUMNS_H
#define ATHENA_COLUMNS_H


/* cut to the millisecond, as JavaScript's Date reads microseconds */
#define ATHENA_MS(col)   "floor(extract(epoch FROM " col ") * 1000)::int8"
#define ATHENA_TS(n)     "to_timestamp($" #n "::float8 / 1000)"
#define ATHENA_TS_N      "to_timestamp($%d::float8 / 1000)"  /* a format */

#define ATHENA_USER_COLS(u)                                                  \
    u ".id, " u ".name, " u ".email, " u ".\"emailVerified\", "              \
    u ".image, " ATHENA_MS(u ".\"createdAt\"") ", "                          \
    ATHENA_MS(u ".\"updatedAt\"") ", " u ".role, " u ".banned, "             \
    u ".\"banReason\", " ATHENA_MS(u ".\"banExpires\"")
#define ATHENA_USER_NCOLS  11


#endif /* ATHENA_COLUMNS_H */
