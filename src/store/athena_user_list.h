/*
 * /admin/list-users in SQL: search, filter, sort and paging over
 * whitelisted user columns, every value a parameter.
 */

#ifndef ATHENA_USER_LIST_H
#define ATHENA_USER_LIST_H

#include "athena_db.h"
#include "../core/athena_model.h"


typedef struct {
    const char   *search_field;      /* a user field, or NULL: no search */
    const char   *search_op;         /* contains, starts_with, ends_with */
    const char   *search_value;
    const char   *filter_field;      /* NULL: no filter */
    const char   *filter_op;         /* eq, ne, lt, ..., in, not_in, ... */
    const char   *filter_value;
    const char   *sort_field;        /* NULL: the table's order */
    int           sort_desc;
    int64_t       limit;
    int64_t       offset;
} athena_user_query_t;


/* the REST admin surface's GET /users */
typedef struct {
    const char   *search;            /* in the email or name; or NULL */
    const char   *role;              /* or NULL */
    int           banned;            /* 1, 0, or -1: either */
    const char   *sort_field;        /* a user field; NULL: createdAt */
    int           sort_desc;
    int64_t       limit;
    int64_t       offset;
} athena_user_find_t;


/* ATHENA_STORE_NOT_FOUND: a field or operator that does not exist */
athena_store_rc_e athena_user_list(athena_db_t *db, athena_arena_t *a,
    const athena_user_query_t *q, athena_user_t **users, size_t *n,
    int64_t *total);
athena_store_rc_e athena_user_find(athena_db_t *db, athena_arena_t *a,
    const athena_user_find_t *q, athena_user_t **users, size_t *n,
    int64_t *total);


#endif /* ATHENA_USER_LIST_H */
