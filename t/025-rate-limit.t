# better-auth's rate limiter: per client address and path, 100 requests
# per 10 s and 3 per 10 s for sign-in and sign-up, unknown paths counted
# too, the allowance back only after a quiet window, 429 with better-auth's
# body and X-Retry-After. Counters are shared through Redis by every
# worker and node; with Redis gone each node counts in shared memory.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(time sleep);
use Athena::Test;

my $servers = servers();

my $http = default_http_config(rate_limit => 1, extra => <<'CONF');
    athena_auth_redis_retry 60s;
    athena_auth_rate_limit_rule /ok 2s 3;
    athena_auth_rate_limit_rule /nowhere 10s 2;
    athena_auth_rate_limit_rule /sign-up* off;
    athena_auth_cache_zone gate:1m;
CONF

my $config = <<'CONF';
location /api/auth/ { athena_auth_api; }
location /free/api/auth/ {
    athena_auth_rate_limit off;
    athena_auth_api /free/api/auth;
}
location /gated {
    athena_auth_require on;
    return 200 "$athena_user_id\n";
}
CONF

my $nginx = start_nginx(http_config => $http, config => $config);
my $second = start_nginx(http_config => $http, config => $config);

sub ok_code { $_[0]->request('GET', '/api/auth/ok')->{code} }

my $limited = '{"message":"Too many requests. Please try again later."}';


# --- the default rule: 100 per 10 s ---------------------------------------

my @codes = map { $nginx->api('GET', '/get-session')->{code} } 1 .. 100;
is(scalar(grep { $_ == 200 } @codes), 100, 'get-session: 100 answered');
my $r = $nginx->api('GET', '/get-session');
is($r->{code}, 429, 'the 101st in 10 s: 429');
is($r->{body}, $limited, "better-auth's body");
is($r->{headers}{'content-type'}[0], 'application/json', 'as JSON');
like($r->{headers}{'x-retry-after'}[0], qr/^(9|10)$/,
     'X-Retry-After: the seconds until the window has passed');
is($nginx->api('GET', '/list-sessions')->{code}, 401,
   'another path has a bucket of its own');


# --- the special rules: 3 per 10 s for sign-in ------------------------------

my $body = '{"email":"nobody@example.com","password":"wrong-password"}';
@codes = map { $nginx->api('POST', '/sign-in/email', undef, $body)->{code} } 1 .. 4;
is_deeply(\@codes, [401, 401, 401, 429], 'sign-in: the 4th in 10 s is refused, failures count');
is($nginx->api('POST', '/sign-in/social', undef, '{}')->{code}, 404,
   'a path of its own, even one that does not exist');
@codes = map { $nginx->api('POST', '/sign-up/email', undef, '{}')->{code} } 1 .. 5;
is_deeply(\@codes, [(400) x 5], 'a rule turned off: sign-up is not limited');


# --- unknown paths are counted, each path apart ------------------------------

@codes = map { $nginx->request('GET', '/api/auth/nowhere')->{code} } 1 .. 3;
is_deeply(\@codes, [404, 404, 429], 'an unknown path is limited too');
is($nginx->request('GET', '/api/auth/nowhere/')->{code}, 429,
   'a trailing slash is the same path');


# --- the allowance returns after a quiet window -------------------------------

my $t0 = time;
@codes = map { ok_code($nginx) } 1 .. 3;
is_deeply(\@codes, [200, 200, 200], '/ok: three in its 2 s window');
sleep(1.2 - (time - $t0));
is(ok_code($nginx), 429, 'a fourth within the window: 429');
# the refusal at 1.2 s did not move the window: 2 s after the last allowed
sleep(2.15 - (time - $t0));
is(ok_code($nginx), 200, 'two seconds after the last allowed one: 200');


# --- shared by every node through Redis ---------------------------------------

sleep(2.1);
is(ok_code($nginx), 200, 'node A: 1');
is(ok_code($second), 200, 'node B: 2');
is(ok_code($nginx), 200, 'node A: 3');
is(ok_code($second), 429, 'node B: the 4th, counted with A\'s');
my @keys = sort grep { length } split /\n/, $servers->redis('KEYS', '*rl:*');
ok(scalar(grep { $_ eq 'athena:rl:127.0.0.1|/ok' } @keys),
   'keyed <client>|<path> under the cache prefix');
my $ttl = $servers->redis('PTTL', 'athena:rl:127.0.0.1|/ok');
ok($ttl > 0 && $ttl <= 2000, "the bucket expires with its window ($ttl ms)");


# the count is a plain counter in Redis, shared by the nodes
sleep(2.1);
is(ok_code($nginx), 200, 'a new window: answered');
is($servers->redis('GET', 'athena:rl:127.0.0.1|/ok'), 1,
   'and counted in Redis, not only on this node');
is(ok_code($second), 200, 'the other node: 2');
is($servers->redis('GET', 'athena:rl:127.0.0.1|/ok'), 2, 'counted too');

# a bucket left without an expiry (its PEXPIRE never went out) would
# refuse for ever: its first refusal gives it one
$servers->redis('SET', 'athena:rl:127.0.0.1|/ok', 7);
$r = $nginx->api('GET', '/ok');
is($r->{code}, 429, 'a full bucket without an expiry: 429');
is($r->{headers}{'x-retry-after'}[0], 2, 'X-Retry-After: a whole window');
$ttl = $servers->redis('PTTL', 'athena:rl:127.0.0.1|/ok');
ok($ttl > 0 && $ttl <= 2000, "and the bucket expires now ($ttl ms)");
sleep(2.1);
is(ok_code($nginx), 200, 'a window later: answered again');


# --- off where a location says so; the gate is not limited --------------------

@codes = map { $nginx->request('GET', '/free/api/auth/nowhere')->{code} } 1 .. 5;
is_deeply(\@codes, [(404) x 5], 'athena_auth_rate_limit off: never limited');
@codes = map { $nginx->request('GET', '/gated')->{code} } 1 .. 120;
is(scalar(grep { $_ == 401 } @codes), 120, 'the gate: 120 refusals, none limited');


# --- sustained load: Redis keeps its place ----------------------------------
# Every request counted in Redis, none timed out: the connection's timer
# was once never pushed back (ngx_add_timer() keeps a timer that moves
# by less than 300 ms), so a connection always waiting for some answer
# timed out a timeout after its first command, though Redis answered.

my $busy = start_nginx(workers => 1, http_config => default_http_config(
    rate_limit => 1, extra => <<'CONF'));
    athena_auth_redis_timeout 100ms;
    athena_auth_rate_limit_rule /busy 60s 100000000;
CONF
my $from = $busy->log_size;
my $wrk = `wrk -t1 -c16 -d2s http://127.0.0.1:@{[ $busy->port ]}/api/auth/busy 2>&1`;
my ($done) = $wrk =~ /(\d+) requests in/;
ok($done && $done > 1000, "wrk made requests for 2 s (@{[ $done // 0 ]})");
my $count = $servers->redis('GET', 'athena:rl:127.0.0.1|/busy');
ok($count >= $done && $count <= $done + 16,
   "each counted in Redis ($count for $done answered, 16 in flight)");
unlike($busy->log_since($from), qr/redis: timed out/, 'none timed out');
$busy->stop;


# --- Redis gone: each node counts in its shared memory ------------------------

sleep(2.1);
my $offset = $nginx->log_size;
$servers->stop_redis;
@codes = map { ok_code($nginx) } 1 .. 4;
is_deeply(\@codes, [200, 200, 200, 429], 'Redis down: still limited, per node');
is(ok_code($second), 200, 'the other node counts apart');
like($nginx->log_since($offset), qr/\[warn\].*athena_auth: redis/,
     'a warning says Redis is down');

$second->stop;
$nginx->stop;
done_testing();
