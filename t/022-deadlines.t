# Client-side deadlines, in order, with one worker process:
#
# - Postgres frozen (SIGSTOP on its postmaster and every backend: a host
#   that stopped answering, its sockets still open): an API route and an
#   uncached gated request get the 503 JSON within the configured bound,
#   a new nginx that must open its connections too; after SIGCONT the
#   next requests succeed on replaced connections.
# - A statement stuck behind a lock, with statement_timeout longer than
#   the client's deadline: 503 within the deadline, and the server ends
#   the abandoned statement without waiting for the lock.
# - Redis frozen: after one request pays the Redis timeout, no other
#   request of the worker (API or gate, pool thread or event loop) asks
#   Redis until the retry window ends; the next window costs one timeout
#   again, not two.
#
# Timings are bounds with wide margins, not benchmarks.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(time sleep);
use Digest::SHA qw(sha256_hex);
use Athena::Test;

my $servers = servers();

# whatever happens, the servers are not left stopped
END { $servers->thaw if $servers }

my $DEADLINE = 1;           # seconds, athena_auth_postgres_deadline
my $REDIS_TIMEOUT = 1;      # seconds
my $REDIS_RETRY = 3;        # seconds
my $MARGIN = 1.5;           # seconds on top of a bound

my $http_config = gate_http_config(ttl => '60s', extra => <<'CONF');
    athena_auth_postgres_deadline 1s;
    athena_auth_postgres_connect_timeout 1s;
    athena_auth_postgres_timeout 5s;
    athena_auth_redis_timeout 1s;
    athena_auth_redis_retry 3s;
CONF
my $config = <<"CONF";
location /app/ {
    athena_auth_require on;
    proxy_pass http://127.0.0.1:$ENV{TEST_NGINX_APP_PORT};
}
location /api/auth/ { athena_auth_api; }
CONF

my $nginx = start_nginx(http_config => $http_config, config => $config,
                        workers => 1);

my $user = create_user(email => 'deadline@example.com');

sub timed {
    my ($ng, $uri, $token) = @_;
    my $t0 = time;
    my $r = $ng->request('GET', $uri,
                         headers => ["Authorization: Bearer $token"],
                         timeout => 12);
    $r->{elapsed} = time - $t0;
    return $r;
}

sub api { timed($_[1] || $nginx, '/api/auth/get-session', $_[0]) }
sub gate { timed($_[1] || $nginx, '/app/x', $_[0]) }

my $UNAVAILABLE = qr/^\{"message":"[^"]+","code":"SERVICE_UNAVAILABLE"\}$/;

sub is_bounded_503 {
    my ($r, $bound, $what) = @_;
    is($r->{code}, 503, "$what: 503");
    like($r->{body} || '', $UNAVAILABLE, "$what: a JSON error");
    ok($r->{elapsed} < $bound + $MARGIN,
       sprintf('%s: within %.1f s + %.1f s (%.2f s)', $what, $bound,
               $MARGIN, $r->{elapsed}));
}


# --- Postgres frozen ----------------------------------------------------

# both pool threads hold a connection (two requests at once)
my @warm = map { create_session($user->{id}) } 1 .. 2;
in_parallel(2, sub { api($warm[$_[0]]) });
is(api(create_session($user->{id}))->{code}, 200, 'warm: answered');

# tokens made before the freeze, seen by no cache yet
my @api_tok = map { create_session($user->{id}) } 1 .. 2;
my @gate_tok = map { create_session($user->{id}) } 1 .. 2;

my $offset = $nginx->log_size;
my @frozen = $servers->freeze_postgres;
ok(@frozen >= 2, scalar(@frozen) . ' Postgres processes stopped');

is_bounded_503(api($api_tok[0]), $DEADLINE, 'frozen Postgres, API');
is_bounded_503(gate($gate_tok[0]), $DEADLINE, 'frozen Postgres, gate');
is_bounded_503(api($api_tok[1]), $DEADLINE, 'frozen Postgres, API again');

# a fresh nginx has no connection yet: the connect is bounded too
my $fresh = start_nginx(http_config => gate_http_config(
                            no_app => 1, extra => <<'CONF'),
    athena_auth_postgres_deadline 1s;
    athena_auth_postgres_connect_timeout 1s;
CONF
                        config => $config, workers => 1);
is_bounded_503(api($api_tok[1], $fresh), 1, 'frozen Postgres, connect');
is_bounded_503(gate($gate_tok[1], $fresh), 1, 'frozen Postgres, gate connect');

like($nginx->log_since($offset), qr/postgres: no answer within 1000 ms/,
     'the error log says why');

$servers->thaw;

# new tokens: each request needs Postgres, so both threads reconnect
for my $i (1 .. 3) {
    my $tok = create_session($user->{id});
    my $r = api($tok);
    is($r->{code}, 200, "thawed, API $i: 200 on a new connection");
    like($r->{body}, qr/"token":"$tok"/, "thawed, API $i: the session");
}
is(gate($gate_tok[0])->{code}, 200, 'thawed, gate: admitted');
is(api($api_tok[1], $fresh)->{code}, 200, 'thawed, fresh nginx: connects');
$fresh->stop;


# --- a statement stuck behind a lock: cut at the deadline ---------------

my $held = create_session($user->{id});
my $locker = hold_table_lock('session', 4);
my $t0 = time;
is_bounded_503(api($held), $DEADLINE, 'held lock, 5 s statement_timeout');

# the abandoned statement waits neither for the lock (4 s) nor for
# statement_timeout (5 s): the server sees its client gone
my $waiting;
while (time - $t0 < 3.5) {
    $waiting = psql(q{SELECT count(*) FROM pg_stat_activity
                      WHERE application_name = 'athena-auth'
                      AND wait_event_type = 'Lock'});
    last if $waiting == 0;
    sleep 0.1;
}
is($waiting, 0, sprintf('the server ended the abandoned statement'
                        . ' %.1f s after the request, lock still held',
                        time - $t0));
waitpid $locker, 0;
is(api($api_tok[0])->{code}, 200, 'lock released: 200');


# --- Redis frozen: one timeout per window for the whole worker ----------

# one window: the first request pays, no later one asks Redis (the other
# pool thread, and the event loop's own connection for the gate, neither)
$offset = $nginx->log_size;
$servers->freeze_redis;

my @lat;
for my $i (1 .. 4) {
    my $r = api(create_session($user->{id}));
    is($r->{code}, 200, "Redis frozen, API $i: answered from Postgres");
    push @lat, $r->{elapsed};
}
for my $i (1 .. 4) {
    my $r = gate(create_session($user->{id}));
    is($r->{code}, 200, "Redis frozen, gate $i: admitted from Postgres");
    push @lat, $r->{elapsed};
}

my $paid = grep { $_ >= 0.8 * $REDIS_TIMEOUT } @lat;
is($paid, 1, sprintf('one of 8 requests paid the Redis timeout (%s s)',
                     join ' ', map { sprintf '%.2f', $_ } @lat));
ok($lat[0] < $REDIS_TIMEOUT + $MARGIN, 'the first within its bound');

# the window ends, Redis is still frozen: the gate pays once, and only
# once (its event-loop lookup; the thread task it falls back to does not
# ask Redis again)
sleep $REDIS_RETRY + 0.2;
@lat = ();
for my $i (1 .. 4) {
    my $r = gate(create_session($user->{id}));
    is($r->{code}, 200, "next window, gate $i: admitted");
    push @lat, $r->{elapsed};
}
$paid = grep { $_ >= 0.8 * $REDIS_TIMEOUT } @lat;
is($paid, 1, sprintf('next window: one of 4 paid (%s s)',
                     join ' ', map { sprintf '%.2f', $_ } @lat));
ok($lat[0] < 2 * $REDIS_TIMEOUT, sprintf('and it paid one timeout, not two'
                                        . ' (%.2f s)', $lat[0]));

my $log = $nginx->log_since($offset);
like($log, qr/\[warn\].*athena_auth: redis/, 'a warning for the sick Redis');
unlike($log, qr/\[(?:error|crit|alert)\]/, 'nothing worse than a warning');

$servers->thaw;

# Redis back: once the window ends, the cache fills again. A session is
# written to Redis by the lookup that first reads it from Postgres (its
# next reads are answered from the shared memory); that lookup's thread
# may still be in a window of its own, so new sessions are tried for a
# few seconds
sleep $REDIS_RETRY + 0.2;
my $filled = 0;
my $until = time + 3;
while (!$filled && time < $until) {
    my $tok = create_session($user->{id});
    api($tok);
    $filled = $servers->redis('KEYS', '*')
              =~ /athena:sess:\Q${\ sha256_hex($tok)}\E/;
    sleep 0.2 unless $filled;
}
ok($filled, 'Redis thawed: the cache fills again');

$nginx->stop;


# --- a graceful stop waits for the requests its tasks still serve --------

my $quitting = start_nginx(http_config => $http_config, config => $config,
                           workers => 1, master => 1);
my $held_tok = create_session($user->{id});
my $holder = hold_table_lock('session', 3);
my ($waited) = in_parallel(2, sub {
    return api($held_tok, $quitting) if $_[0] == 0;
    select undef, undef, undef, 0.4;
    kill 'QUIT', $quitting->{pid};
    return { code => 'sent', body => '' };
});
waitpid($holder, 0);
is($waited->{code}, 503,
   'a request waiting on Postgres when nginx is told to quit: still answered');
like($waited->{body} || '', $UNAVAILABLE, 'with its JSON');
ok(defined $quitting->stop(15), 'and then nginx exits');
unlike($quitting->log_since(0), qr/open socket|aborting/,
       'no connection left behind');

done_testing();
