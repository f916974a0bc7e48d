#include <string.h>
#include <sys/time.h>

#include "athena_limit_store.h"
#include "../core/athena_time.h"


/*
 * athena_gcra() in Lua, over a hash of one tat per limit (fields "1",
 * "2"), on Redis's own clock so that nodes never disagree. ARGV: max and
 * window (ms) of each limit. Returns {allowed, limit, remaining, reset,
 * retry} of the limit closest to running out.
 */

static const char  athena_limit_script[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local n = #ARGV / 2\n"
    "local cur = redis.call('HMGET', KEYS[1], '1', '2')\n"
    "local tat, nxt, ok, retry = {}, {}, 1, 0\n"
    "for i = 1, n do\n"
    "  local max, win = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])\n"
    "  local v = tonumber(cur[i] or 0)\n"
    "  if v < now then v = now end\n"
    "  tat[i] = v\n"
    "  nxt[i] = v + math.floor(win / max)\n"
    "  if nxt[i] - now > win then\n"
    "    ok = 0\n"
    "    if nxt[i] - win - now > retry then retry = nxt[i] - win - now end\n"
    "  end\n"
    "end\n"
    "local limit, rem, reset, ttl, set = 0, -1, 0, 0, {}\n"
    "for i = 1, n do\n"
    "  local max, win = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])\n"
    "  local v = tat[i]\n"
    "  if ok == 1 then\n"
    "    v = nxt[i]\n"
    "    set[#set + 1] = tostring(i)\n"
    "    set[#set + 1] = v\n"
    "  end\n"
    "  local r = math.floor((win - (v - now)) / math.floor(win / max))\n"
    "  if r < 0 then r = 0 end\n"
    "  if rem < 0 or r < rem or (r == rem and v - now > reset) then\n"
    "    limit, rem, reset = max, r, v - now\n"
    "  end\n"
    "  if v - now > ttl then ttl = v - now end\n"
    "end\n"
    "if ok == 1 then\n"
    "  redis.call('HSET', KEYS[1], unpack(set))\n"
    "  redis.call('PEXPIRE', KEYS[1], ttl + 1000)\n"
    "end\n"
    "if rem < 0 then rem = 0 end\n"
    "return {ok, limit, rem, reset, retry}\n";


void
athena_limit_check(athena_db_t *db, athena_arena_t *a,
    const athena_limit_conf_t *lc, const char *who, athena_gcra_result_t *r)
{
    int          n;
    char        *key;
    size_t       i;
    int64_t      out[5];
    const char  *argv[2 * ATHENA_GCRA_MAX];

    for (i = 0; i < lc->nlimits; i++) {
        argv[2 * i] = athena_int_text(a, lc->limits[i].max);
        argv[2 * i + 1] = athena_int_text(a, lc->limits[i].window);
    }

    key = athena_sprintf(a, "%srl:admin:%s",
                         athena_db_conf(db)->cache_prefix, who);

    n = key ? athena_redis_eval(db, athena_limit_script, key,
                                (int) (2 * lc->nlimits), argv, out, 5)
            : -1;

    if (n == 5) {
        r->allowed = out[0] == 1;
        r->limit = out[1];
        r->remaining = out[2];
        r->reset = out[3];
        r->retry = out[4];
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
