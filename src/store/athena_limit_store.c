#include "athena_auth_store.h"
#include "athena_limit_store.h"
#include "../core/athena_time.h"


/*
 * athena_gcra() in Lua, over a hash of one tat per limit (fields "1",
 * "2"), on Redis's own clock so that nodes never disagree. ARGV from
 * base + 1 on: max and window (ms) of each limit. Returns {allowed,
 * limit, remaining, reset, retry} of the limit closest to running out.
 */

#define ATHENA_LIMIT_GCRA                                                     \
    "local function gcra(key, base)\n"                                        \
    "  local t = redis.call('TIME')\n"                                        \
    "  local now = tonumber(t[1]) * 1000"                                     \
    " + math.floor(tonumber(t[2]) / 1000)\n"                                  \
    "  local n = (#ARGV - base) / 2\n"                                        \
    "  local cur = redis.call('HMGET', key, '1', '2')\n"                      \
    "  local max, win, ivl, tat, nxt, ok, retry = {}, {}, {}, {}, {}, 1, 0\n" \
    "  for i = 1, n do\n"                                                     \
    "    max[i] = tonumber(ARGV[base + 2 * i - 1])\n"                         \
    "    win[i] = tonumber(ARGV[base + 2 * i])\n"                             \
    "    ivl[i] = math.floor(win[i] / max[i])\n"                              \
    "    local v = tonumber(cur[i] or 0)\n"                                   \
    "    if v < now then v = now end\n"                                       \
    "    tat[i], nxt[i] = v, v + ivl[i]\n"                                    \
    "    if nxt[i] - now > win[i] then\n"                                     \
    "      ok = 0\n"                                                          \
    "      if nxt[i] - win[i] - now > retry then\n"                           \
    "        retry = nxt[i] - win[i] - now\n"                                 \
    "      end\n"                                                             \
    "    end\n"                                                               \
    "  end\n"                                                                 \
    "  local limit, rem, reset, ttl, set = 0, -1, 0, 0, {}\n"                 \
    "  for i = 1, n do\n"                                                     \
    "    local v = tat[i]\n"                                                  \
    "    if ok == 1 then\n"                                                   \
    "      v = nxt[i]\n"                                                      \
    "      set[#set + 1] = tostring(i)\n"                                     \
    "      set[#set + 1] = v\n"                                               \
    "    end\n"                                                               \
    "    local r = math.floor((win[i] - (v - now)) / ivl[i])\n"               \
    "    if r < 0 then r = 0 end\n"                                           \
    "    if rem < 0 or r < rem or (r == rem and v - now > reset) then\n"      \
    "      limit, rem, reset = max[i], r, v - now\n"                          \
    "    end\n"                                                               \
    "    if v - now > ttl then ttl = v - now end\n"                           \
    "  end\n"                                                                 \
    "  if ok == 1 then\n"                                                     \
    "    redis.call('HSET', key, unpack(set))\n"                              \
    "    redis.call('PEXPIRE', key, ttl + 1000)\n"                            \
    "  end\n"                                                                 \
    "  if rem < 0 then rem = 0 end\n"                                         \
    "  return {ok, limit, rem, reset, retry}\n"                               \
    "end\n"


/* KEYS[1]: the caller's counts */
static const char  athena_limit_script[] =
    ATHENA_LIMIT_GCRA
    "return gcra(KEYS[1], 0)\n";


/*
 * KEYS[1]: a cached session (athena_auth_store.c's entry: a JSON array
 * whose ARGV[2]-th item is the user's id). Its value, and when it is one,
 * the count of that user (ARGV[1] and the id name the counts' key): one
 * round trip for what the REST API reads first on every request. The
 * counts' key is not in KEYS: this is for a single Redis, not a cluster.
 */
static const char  athena_limit_session_script[] =
    ATHENA_LIMIT_GCRA
    ATHENA_SESSION_UID_LUA
    "local r = gcra(ARGV[1] .. uid, 2)\n"
    "table.insert(r, 1, v)\n"
    "return r\n";


static void
athena_limit_args(athena_arena_t *a, const athena_limit_conf_t *lc,
    const char **argv)
{
    size_t  i;

    for (i = 0; i < lc->nlimits; i++) {
        argv[2 * i] = athena_int_text(a, lc->limits[i].max);
        argv[2 * i + 1] = athena_int_text(a, lc->limits[i].window);
    }
}


static char *
athena_limit_key(athena_db_t *db, athena_arena_t *a, const char *who)
{
    return athena_sprintf(a, "%srl:admin:%s",
                          athena_db_conf(db)->cache_prefix, who ? who : "");
}


static void
athena_limit_read(const int64_t *out, athena_gcra_result_t *r)
{
    r->allowed = out[0] == 1;
    r->limit = out[1];
    r->remaining = out[2];
    r->reset = out[3];
    r->retry = out[4];
}


void
athena_limit_check(athena_db_t *db, athena_arena_t *a,
    const athena_limit_conf_t *lc, const char *who, athena_gcra_result_t *r)
{
    int          n;
    char        *key;
    int64_t      out[5];
    const char  *argv[2 * ATHENA_GCRA_MAX];

    athena_limit_args(a, lc, argv);
    key = athena_limit_key(db, a, who);

    n = key ? athena_redis_eval(db, a, athena_limit_script, key,
                                (int) (2 * lc->nlimits), argv, NULL, out, 5)
            : -1;

    if (n == 5) {
        athena_limit_read(out, r);
        return;
    }

    /* never unlimited: this node counts alone until Redis is back */
    if (athena_db_conf(db)->redis_enabled) {
        athena_db_warn(db, "redis unavailable: the admin API's rate limits"
                           " are counted by this node alone");
    }

    athena_gcra_table(lc->slots, lc->nslots, who, lc->limits, lc->nlimits,
                      athena_now_ms(), r);
}


/*
 * The cached session at key (NULL: none, or Redis unavailable), and with
 * it the count ask wants of its user, whose id is the uid_at-th (from 1)
 * item of the entry: ask->counted says whether Redis counted.
 */

char *
athena_limit_get(athena_db_t *db, athena_arena_t *a, const char *key,
    int uid_at, athena_limit_ask_t *ask)
{
    int          n;
    char        *value;
    int64_t      out[5];
    const char  *argv[2 + 2 * ATHENA_GCRA_MAX];

    argv[0] = athena_limit_key(db, a, NULL);
    argv[1] = athena_int_text(a, uid_at);
    athena_limit_args(a, ask->conf, argv + 2);

    value = NULL;

    n = athena_redis_eval(db, a, athena_limit_session_script, key,
                          (int) (2 + 2 * ask->conf->nlimits), argv, &value,
                          out, 5);

    if (n == 5) {
        athena_limit_read(out, &ask->result);
        ask->counted = 1;
    }

    return value;
}
