#include <stdlib.h>
#include <string.h>

#include "athena_apikey_store.h"
#include "athena_columns.h"
#include "../core/athena_gen.h"
#include "../core/athena_json.h"
#include "../core/athena_time.h"


#define ATHENA_APIKEY_COLS                                                   \
    "id, \"configId\", name, start, \"referenceId\", prefix, key,"           \
    " \"refillInterval\", \"refillAmount\", " ATHENA_MS("\"lastRefillAt\"")  \
    ", enabled, \"rateLimitEnabled\", \"rateLimitTimeWindow\","              \
    " \"rateLimitMax\", \"requestCount\", remaining, "                       \
    ATHENA_MS("\"lastRequest\"") ", " ATHENA_MS("\"expiresAt\"") ", "        \
    ATHENA_MS("\"createdAt\"") ", " ATHENA_MS("\"updatedAt\"") ","           \
    " permissions, metadata"
#define ATHENA_APIKEY_NCOLS  22

/* a deleted key's cache entry: readers that fill with NX leave it be */
#define ATHENA_APIKEY_GONE   "-"

/* an integer parameter, NULL for SQL NULL; uses the caller's arena a */
#define ATHENA_INT_PARAM(v)                                                  \
    ((v) == ATHENA_TIME_NULL ? NULL : athena_int_text(a, v))

/* lastRequest and requestCount reach Postgres at most this often */
#define ATHENA_APIKEY_FOLD_MS  60000


static int64_t
athena_field_int(const char *v)
{
    return v ? strtoll(v, NULL, 10) : ATHENA_TIME_NULL;
}


static int
athena_field_bool(const char *v)
{
    return v == NULL ? -1 : (v[0] == 't');
}


/* f: the row's columns as Postgres's text, in ATHENA_APIKEY_COLS order */

static void
athena_apikey_fields(char **f, athena_apikey_t *k)
{
    k->id = f[0];
    k->config_id = f[1];
    k->name = f[2];
    k->start = f[3];
    k->reference_id = f[4];
    k->prefix = f[5];
    k->key = f[6];
    k->refill_interval = athena_field_int(f[7]);
    k->refill_amount = athena_field_int(f[8]);
    k->last_refill_at = athena_field_int(f[9]);
    k->enabled = athena_field_bool(f[10]);
    k->rate_limit_enabled = athena_field_bool(f[11]);
    k->rate_limit_time_window = athena_field_int(f[12]);
    k->rate_limit_max = athena_field_int(f[13]);
    k->request_count = athena_field_int(f[14]);
    k->remaining = athena_field_int(f[15]);
    k->last_request = athena_field_int(f[16]);
    k->expires_at = athena_field_int(f[17]);
    k->created_at = athena_field_int(f[18]);
    k->updated_at = athena_field_int(f[19]);
    k->permissions = f[20];
    k->metadata = f[21];
}


static void
athena_apikey_read(const athena_rows_t *rows, size_t r, athena_apikey_t *k)
{
    int    c;
    char  *f[ATHENA_APIKEY_NCOLS];

    for (c = 0; c < ATHENA_APIKEY_NCOLS; c++) {
        f[c] = (char *) athena_rows_get(rows, r, c);
    }

    athena_apikey_fields(f, k);
}


/* the cache holds the row as Postgres's text: an array of strings */

static char *
athena_apikey_encode(athena_arena_t *a, const athena_rows_t *rows,
    size_t *len)
{
    int            c;
    athena_gen_t  *g;

    g = athena_gen_new();
    if (g == NULL) {
        return NULL;
    }

    athena_gen_array_open(g);

    for (c = 0; c < ATHENA_APIKEY_NCOLS; c++) {
        athena_gen_str_or_null(g, athena_rows_get(rows, 0, c));
    }

    athena_gen_array_close(g);

    return athena_gen_finish(a, g, len);
}


static int
athena_apikey_decode(athena_arena_t *a, const char *text, athena_apikey_t *k)
{
    int             c;
    char           *f[ATHENA_APIKEY_NCOLS];
    athena_json_t  *root, *v;

    if (athena_json_parse(a, text, strlen(text), 2, &root) != ATHENA_JSON_OK
        || root->type != ATHENA_JSON_ARRAY || root->n != ATHENA_APIKEY_NCOLS)
    {
        return -1;
    }

    for (c = 0; c < ATHENA_APIKEY_NCOLS; c++) {
        v = root->items[c];
        f[c] = v->type == ATHENA_JSON_STRING ? v->string : NULL;
    }

    athena_apikey_fields(f, k);

    return k->id && k->key && k->reference_id ? 0 : -1;
}


static char *
athena_apikey_cache_key(athena_db_t *db, athena_arena_t *a, const char *hash)
{
    return athena_sprintf(a, "%s" ATHENA_CACHE_APIKEY "%s",
                          athena_db_conf(db)->cache_prefix, hash);
}


static char *
athena_apikey_counter_key(athena_db_t *db, athena_arena_t *a, const char *id)
{
    return athena_sprintf(a, "%sakrl:%s", athena_db_conf(db)->cache_prefix,
                          id);
}


athena_store_rc_e
athena_apikey_insert(athena_db_t *db, athena_arena_t *a, athena_apikey_t *k)
{
    const char         *p[20];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = k->id;
    p[1] = k->config_id;
    p[2] = k->name;
    p[3] = k->start;
    p[4] = k->reference_id;
    p[5] = k->prefix;
    p[6] = k->key;
    p[7] = ATHENA_INT_PARAM(k->refill_interval);
    p[8] = ATHENA_INT_PARAM(k->refill_amount);
    p[9] = k->enabled ? "true" : "false";
    p[10] = k->rate_limit_enabled ? "true" : "false";
    p[11] = ATHENA_INT_PARAM(k->rate_limit_time_window);
    p[12] = ATHENA_INT_PARAM(k->rate_limit_max);
    p[13] = ATHENA_INT_PARAM(k->remaining);
    p[14] = ATHENA_INT_PARAM(k->expires_at);
    p[15] = athena_int_text(a, k->created_at);
    p[16] = k->permissions;
    p[17] = k->metadata;

    rc = athena_pg_one(db, a,
             "INSERT INTO apikey (id, \"configId\", name, start,"
             " \"referenceId\", prefix, key, \"refillInterval\","
             " \"refillAmount\", \"lastRefillAt\", enabled,"
             " \"rateLimitEnabled\", \"rateLimitTimeWindow\","
             " \"rateLimitMax\","
             " \"requestCount\", remaining, \"lastRequest\", \"expiresAt\","
             " \"createdAt\", \"updatedAt\", permissions, metadata)"
             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::int4, $9::int4, NULL,"
             " $10::bool, $11::bool, $12::int4, $13::int4, 0, $14::int4, NULL,"
             " " ATHENA_TS(15) ", " ATHENA_TS(16) ", " ATHENA_TS(16) ","
             " $17, $18)"
             " RETURNING " ATHENA_APIKEY_COLS,
             18, p, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_apikey_read(rows, 0, k);
    }

    return rc;
}


athena_store_rc_e
athena_apikey_by_id(athena_db_t *db, athena_arena_t *a, const char *id,
    athena_apikey_t *k)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_one(db, a,
             "SELECT " ATHENA_APIKEY_COLS " FROM apikey WHERE id = $1",
             1, &id, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_apikey_read(rows, 0, k);
    }

    return rc;
}


/*
 * The key whose stored hash is hash: Redis first, then Postgres, whose
 * answer fills Redis unless an entry (a deletion's marker) is there.
 * The plugin's column is not unique: the oldest row wins, always the same.
 */

athena_store_rc_e
athena_apikey_by_hash(athena_db_t *db, athena_arena_t *a, const char *hash,
    athena_apikey_t *k)
{
    char               *ckey, *cached, *val;
    size_t              len;
    int64_t             ttl;
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    ttl = athena_db_conf(db)->cache_ttl;
    ckey = ttl > 0 ? athena_apikey_cache_key(db, a, hash) : NULL;
    cached = ckey ? athena_redis_get(db, a, ckey) : NULL;

    if (cached != NULL) {
        if (strcmp(cached, ATHENA_APIKEY_GONE) == 0) {
            return ATHENA_STORE_NOT_FOUND;
        }

        if (athena_apikey_decode(a, cached, k) == 0
            && strcmp(k->key, hash) == 0)
        {
            return ATHENA_STORE_OK;
        }
    }

    rc = athena_pg_one(db, a,
             "SELECT " ATHENA_APIKEY_COLS " FROM apikey WHERE key = $1"
             " ORDER BY \"createdAt\", id LIMIT 1",
             1, &hash, &rows);

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_apikey_read(rows, 0, k);

    /* an entry never outlives the key's expiry */
    if (ckey != NULL) {
        if (k->expires_at != ATHENA_TIME_NULL
            && k->expires_at - athena_now_ms() < ttl)
        {
            ttl = k->expires_at - athena_now_ms();
        }

        val = athena_apikey_encode(a, rows, &len);
        if (val != NULL) {
            athena_redis_set(db, ckey, val, len, ttl, 1);
        }
    }

    return ATHENA_STORE_OK;
}


/* the fields the list may sort by, as the plugin's camelCase names */

static const char *const  athena_apikey_sorts[] = {
    "id", "configId", "name", "start", "referenceId", "prefix",
    "refillInterval", "refillAmount", "lastRefillAt", "enabled",
    "rateLimitEnabled", "rateLimitTimeWindow", "rateLimitMax",
    "requestCount", "remaining", "lastRequest", "expiresAt", "createdAt",
    "updatedAt", "permissions", "metadata", NULL
};


int
athena_apikey_sortable(const char *field)
{
    size_t  i;

    for (i = 0; athena_apikey_sorts[i]; i++) {
        if (strcmp(athena_apikey_sorts[i], field) == 0) {
            return 1;
        }
    }

    return 0;
}


/* every key of an owner; sort_by must be athena_apikey_sortable() */

athena_store_rc_e
athena_apikey_list(athena_db_t *db, athena_arena_t *a,
    const char *reference_id, const char *sort_by, int desc,
    athena_apikey_t **list, size_t *n)
{
    size_t              i;
    char               *sql;
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    if (sort_by != NULL && !athena_apikey_sortable(sort_by)) {
        return ATHENA_STORE_ERROR;
    }

    /* the column name comes from the list above, never from the request */
    sql = athena_sprintf(a, "SELECT " ATHENA_APIKEY_COLS " FROM apikey"
                         " WHERE \"referenceId\" = $1"
                         " ORDER BY %s%s%s%s \"createdAt\", id",
                         sort_by ? "\"" : "", sort_by ? sort_by : "",
                         sort_by ? "\"" : "",
                         sort_by ? (desc ? " DESC," : " ASC,") : "");
    if (sql == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_pg_exec(db, a, sql, 1, &reference_id, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *list = athena_calloc(a, (*n + 1) * sizeof(athena_apikey_t));
    if (*list == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        athena_apikey_read(rows, i, &(*list)[i]);
    }

    return ATHENA_STORE_OK;
}


static void
athena_apikey_forget(athena_db_t *db, athena_arena_t *a,
    const athena_apikey_t *k, int gone)
{
    int64_t      ttl;
    const char  *keys[2];

    ttl = athena_db_conf(db)->cache_ttl;

    keys[0] = athena_apikey_counter_key(db, a, k->id);
    keys[1] = athena_apikey_cache_key(db, a, k->key);

    if (keys[0] == NULL || keys[1] == NULL) {
        return;
    }

    /* a reader that found a deleted row before it went must not refill it */
    if (gone && ttl > 0) {
        athena_redis_del(db, keys, 1);
        athena_redis_set(db, keys[1], ATHENA_APIKEY_GONE, 1, ttl, 0);
        return;
    }

    athena_redis_del(db, keys, 2);
}


/*
 * The fields flagged in set take v's values (a NULL or ATHENA_TIME_NULL
 * clears a nullable one); k becomes the row as updated. As the plugin,
 * updatedAt is left alone. The cached row is dropped.
 */

athena_store_rc_e
athena_apikey_update(athena_db_t *db, athena_arena_t *a, unsigned set,
    const athena_apikey_t *v, athena_apikey_t *k)
{
    const char         *p[13];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = k->id;
    p[1] = athena_int_text(a, set);
    p[2] = v->name;
    p[3] = v->enabled ? "true" : "false";
    p[4] = ATHENA_INT_PARAM(v->expires_at);
    p[5] = v->metadata;
    p[6] = ATHENA_INT_PARAM(v->remaining);
    p[7] = ATHENA_INT_PARAM(v->refill_amount);
    p[8] = ATHENA_INT_PARAM(v->refill_interval);
    p[9] = v->rate_limit_enabled ? "true" : "false";
    p[10] = ATHENA_INT_PARAM(v->rate_limit_time_window);
    p[11] = ATHENA_INT_PARAM(v->rate_limit_max);
    p[12] = v->permissions;

#define ATHENA_AK_SET(flag, col, val)                                        \
    " " col " = CASE WHEN $2::int4 & " #flag " <> 0 THEN " val " ELSE " col  \
    " END"

    rc = athena_pg_one(db, a,
             "UPDATE apikey SET"
             ATHENA_AK_SET(1, "name", "$3") ","
             ATHENA_AK_SET(2, "enabled", "$4::bool") ","
             ATHENA_AK_SET(4, "\"expiresAt\"", ATHENA_TS(5)) ","
             ATHENA_AK_SET(8, "metadata", "$6") ","
             ATHENA_AK_SET(16, "remaining", "$7::int4") ","
             ATHENA_AK_SET(32, "\"refillAmount\"", "$8::int4") ","
             ATHENA_AK_SET(32, "\"refillInterval\"", "$9::int4") ","
             ATHENA_AK_SET(64, "\"rateLimitEnabled\"", "$10::bool") ","
             ATHENA_AK_SET(128, "\"rateLimitTimeWindow\"", "$11::int4") ","
             ATHENA_AK_SET(256, "\"rateLimitMax\"", "$12::int4") ","
             ATHENA_AK_SET(512, "permissions", "$13")
             " WHERE id = $1"
             " RETURNING " ATHENA_APIKEY_COLS,
             13, p, &rows);

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_apikey_forget(db, a, k, 0);
    athena_apikey_read(rows, 0, k);

    return ATHENA_STORE_OK;
}


athena_store_rc_e
athena_apikey_delete(athena_db_t *db, athena_arena_t *a,
    const athena_apikey_t *k)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_one(db, a, "DELETE FROM apikey WHERE id = $1 RETURNING id",
                       1, (const char *const *) &k->id, &rows);

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_apikey_forget(db, a, k, 1);

    return ATHENA_STORE_OK;
}


/*
 * One use of a key with a quota (remaining not NULL), as the plugin
 * counts it: a due refill sets remaining to refillAmount - 1 (it replaces,
 * it does not add); otherwise remaining goes down by one if above zero.
 * One statement, so that racing requests never spend the same unit.
 * ATHENA_STORE_NOT_FOUND: nothing left.
 */

athena_store_rc_e
athena_apikey_consume(athena_db_t *db, athena_arena_t *a, athena_apikey_t *k,
    int64_t now)
{
    const char         *p[2];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = k->id;
    p[1] = athena_int_text(a, now);

#define ATHENA_AK_REFILL_DUE                                                 \
    "(\"refillInterval\" IS NOT NULL AND \"refillAmount\" IS NOT NULL"       \
    " AND $2::int8 - " ATHENA_MS("coalesce(\"lastRefillAt\", \"createdAt\")") \
    " > \"refillInterval\")"

    rc = athena_pg_one(db, a,
             "UPDATE apikey SET"
             " remaining = CASE WHEN " ATHENA_AK_REFILL_DUE
             " THEN \"refillAmount\" - 1 ELSE remaining - 1 END,"
             " \"lastRefillAt\" = CASE WHEN " ATHENA_AK_REFILL_DUE
             " THEN " ATHENA_TS(2) " ELSE \"lastRefillAt\" END"
             " WHERE id = $1 AND remaining IS NOT NULL"
             " AND (remaining > 0 OR " ATHENA_AK_REFILL_DUE ")"
             " RETURNING remaining, " ATHENA_MS("\"lastRefillAt\""),
             2, p, &rows);

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    k->remaining = athena_rows_int(rows, 0, 0, ATHENA_TIME_NULL);
    k->last_refill_at = athena_rows_int(rows, 0, 1, ATHENA_TIME_NULL);

    return ATHENA_STORE_OK;
}


/*
 * The plugin's per-key rate limit, on Redis's clock: the window runs from
 * the last counted request; a request past it starts a new count. The
 * hash is seeded from the row when Redis has none (a restart, a key that
 * better-auth counted), and it also says when this request should fold
 * requestCount and lastRequest into Postgres: at most once a minute.
 * ARGV: window, max, fold ms, the row's count and lastRequest.
 */

static const char  athena_apikey_count_script[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local win, max = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
    "local h = redis.call('HMGET', KEYS[1], 'n', 'last', 'fold')\n"
    "local n, last, fold = tonumber(h[1]), tonumber(h[2]), tonumber(h[3])\n"
    "if last == nil then\n"
    "  n, last, fold = tonumber(ARGV[4]), tonumber(ARGV[5]), 0\n"
    "end\n"
    "n = n or 0\n"
    "if last == nil or now - last > win then\n"
    "  n = 1\n"
    "elseif n >= max then\n"
    "  return {0, n, last, math.ceil(win - (now - last)), 0}\n"
    "else\n"
    "  n = n + 1\n"
    "end\n"
    "local f = 0\n"
    "if now - fold >= tonumber(ARGV[3]) then f, fold = 1, now end\n"
    "redis.call('HSET', KEYS[1], 'n', n, 'last', now, 'fold', fold)\n"
    "redis.call('PEXPIRE', KEYS[1], math.max(win, tonumber(ARGV[3])) + 1000)\n"
    "return {1, n, now, 0, f}\n";


/* the same rule in one statement, while Redis cannot be asked */

static athena_store_rc_e
athena_apikey_count_pg(athena_db_t *db, athena_arena_t *a,
    const athena_apikey_t *k, int64_t now, athena_apikey_count_t *c)
{
    const char         *p[3];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = k->id;
    p[1] = athena_int_text(a, now);
    p[2] = k->rate_limit_time_window == ATHENA_TIME_NULL ? "0" : "1";

#define ATHENA_AK_WINDOW_OVER                                                \
    "(\"lastRequest\" IS NULL OR $2::int8 - " ATHENA_MS("\"lastRequest\"")  \
    " > \"rateLimitTimeWindow\")"

    rc = athena_pg_one(db, a,
             "UPDATE apikey SET"
             " \"requestCount\" = CASE WHEN $3::int4 = 0 THEN \"requestCount\""
             " WHEN " ATHENA_AK_WINDOW_OVER " THEN 1"
             " ELSE coalesce(\"requestCount\", 0) + 1 END,"
             " \"lastRequest\" = " ATHENA_TS(2) ", \"updatedAt\" = "
             ATHENA_TS(2)
             " WHERE id = $1 AND ($3::int4 = 0 OR " ATHENA_AK_WINDOW_OVER
             " OR coalesce(\"requestCount\", 0) < \"rateLimitMax\")"
             " RETURNING \"requestCount\"",
             3, p, &rows);

    if (rc == ATHENA_STORE_OK) {
        c->allowed = 1;
        c->count = athena_rows_int(rows, 0, 0, 0);
        c->last = now;
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_NOT_FOUND) {
        return rc;
    }

    /* refused, or the row is gone: which one the caller learns next */
    c->allowed = 0;
    c->count = k->request_count;
    c->last = k->last_request;
    c->retry_ms = k->last_request == ATHENA_TIME_NULL ? 0
                  : k->rate_limit_time_window - (now - k->last_request);

    if (c->retry_ms < 0) {
        c->retry_ms = 0;
    }

    return ATHENA_STORE_OK;
}


/*
 * Counts one accepted use of k (its quota already spent). A key whose
 * limit is off only has its lastRequest folded; one whose window or max
 * is NULL is not counted at all, as in the plugin.
 */

athena_store_rc_e
athena_apikey_count(athena_db_t *db, athena_arena_t *a,
    const athena_apikey_t *k, int64_t now, athena_apikey_count_t *c)
{
    int          n;
    char        *ckey;
    int64_t      out[5];
    const char  *argv[5];

    memset(c, 0, sizeof(athena_apikey_count_t));
    c->allowed = 1;
    c->count = k->request_count;
    c->last = k->last_request;

    /*
     * The plugin's order: a key with its limit off still has lastRequest,
     * folded by the row's own: once it is a minute old (the touch then
     * drops the cached row, so that the next reader sees the new one).
     * No Redis round trip: such a key is the services' and the fastest.
     */
    if (k->rate_limit_enabled == 0) {
        c->last = now;
        c->fold = k->last_request == ATHENA_TIME_NULL
                  || now - k->last_request >= ATHENA_APIKEY_FOLD_MS;
        return ATHENA_STORE_OK;
    }

    if (k->rate_limit_time_window == ATHENA_TIME_NULL
        || k->rate_limit_max == ATHENA_TIME_NULL)
    {
        return ATHENA_STORE_OK;
    }

    argv[0] = athena_int_text(a, k->rate_limit_time_window);
    argv[1] = athena_int_text(a, k->rate_limit_max);
    argv[2] = athena_int_text(a, ATHENA_APIKEY_FOLD_MS);
    argv[3] = athena_int_text(a, k->request_count == ATHENA_TIME_NULL
                                 ? 0 : k->request_count);
    argv[4] = k->last_request == ATHENA_TIME_NULL
              ? "" : athena_int_text(a, k->last_request);

    ckey = athena_apikey_counter_key(db, a, k->id);

    n = ckey ? athena_redis_eval(db, a, athena_apikey_count_script, ckey,
                                 5, argv, NULL, out, 5)
             : -1;

    if (n == 5) {
        c->allowed = out[0] == 1;
        c->count = out[1];
        c->last = out[2];
        c->retry_ms = out[3];
        c->fold = out[4] == 1;
        return ATHENA_STORE_OK;
    }

    /* Redis is away: Postgres counts, as the plugin itself does */
    return athena_apikey_count_pg(db, a, k, now, c);
}


/*
 * The folded write: what Redis counted, or (a key whose limit is off) its
 * lastRequest, written by one of the requests that find it a minute old;
 * the others, racing, change nothing. The cached row is dropped then.
 */

athena_store_rc_e
athena_apikey_touch(athena_db_t *db, athena_arena_t *a,
    const athena_apikey_t *k, const athena_apikey_count_t *c)
{
    int                 limited;
    char               *ckey;
    const char         *p[4];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    limited = k->rate_limit_enabled != 0;

    p[0] = k->id;
    p[1] = athena_int_text(a, c->last);
    p[2] = limited ? athena_int_text(a, c->count) : NULL;
    p[3] = limited ? "0" : athena_int_text(a, ATHENA_APIKEY_FOLD_MS);

    rc = athena_pg_exec(db, a,
             "UPDATE apikey SET \"lastRequest\" = " ATHENA_TS(2) ","
             " \"updatedAt\" = " ATHENA_TS(2) ","
             " \"requestCount\" = coalesce($3::int4, \"requestCount\")"
             " WHERE id = $1 AND (\"lastRequest\" IS NULL"
             " OR $2::int8 - " ATHENA_MS("\"lastRequest\"") " >= $4::int8)",
             4, p, &rows);

    if (rc == ATHENA_STORE_OK && !limited) {
        ckey = athena_apikey_cache_key(db, a, k->key);
        if (ckey != NULL) {
            athena_redis_del(db, (const char *const *) &ckey, 1);
        }
    }

    return rc;
}
