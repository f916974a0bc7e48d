# The gate's caches under change, in order: a revocation through this node
# is seen at once, through another node within the cache TTL; a session
# never outlives its expiry in the cache; Redis down, Postgres down and
# both down (fail closed); a full zone evicts the least recently used;
# "nginx -s reload" keeps the zone; concurrent misses share one lookup.
# These are the bounds without Postgres's notifications (node A turns
# them off); t/045-invalidation.t has what the notifications add.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(time sleep);
use Digest::SHA qw(sha256_hex);
use Athena::Test;

my $servers = servers();

my $http_config = gate_http_config(ttl => '60s',
                                   extra => 'athena_auth_cache_notify off;');
my $app = "proxy_set_header X-User-Id \$athena_user_id;\n"
          . "    proxy_pass http://127.0.0.1:$ENV{TEST_NGINX_APP_PORT};";
my $config = <<"CONF";
location /app/ {
    athena_auth_require on;
    $app
}
location /fresh/ {
    athena_auth_require on;
    athena_auth_cache_ttl 0;
    $app
}
location /api/auth/ { athena_auth_api; }
CONF

my $user = create_user(email => 'cache@example.com', name => 'Cache');

sub gate {
    my ($nginx, $token, $uri) = @_;
    return $nginx->request('GET', $uri || '/app/x',
                           headers => [ $token ? "Authorization: Bearer $token"
                                               : () ],
                           timeout => 15);
}

sub api_post {
    my ($nginx, $token, $path, $body) = @_;
    return $nginx->request('POST', "/api/auth$path",
                           headers => [ "Authorization: Bearer $token",
                                        'Content-Type: application/json' ],
                           body => $body || '{}');
}


# --- a revocation through this node: refused at once, TTL or not -------

my $a = start_nginx(http_config => $http_config, config => $config,
                    workers => 2, master => 1);

for my $route (['/sign-out'], ['/revoke-sessions'],
               ['/revoke-session', 'self']) {
    my $tok = create_session($user->{id});
    is(gate($a, $tok)->{code}, 200, "$route->[0]: admitted before");
    is(gate($a, $tok)->{code}, 200, "$route->[0]: admitted from the cache");
    my $body = $route->[1] ? qq({"token":"$tok"}) : '{}';
    is(api_post($a, $tok, $route->[0], $body)->{code}, 200,
       "$route->[0]: answered");
    my $r = gate($a, $tok);
    is($r->{code}, 401, "$route->[0]: refused right after, within the TTL");
    # both workers: the zone is shared
    is(gate($a, $tok)->{code}, 401, "$route->[0]: and again");
}

{
    my $keep = create_session($user->{id});
    my $other = create_session($user->{id});
    gate($a, $_) for $keep, $other;
    api_post($a, $keep, '/revoke-other-sessions');
    is(gate($a, $other)->{code}, 401, 'revoke-other-sessions: the other goes');
    is(gate($a, $keep)->{code}, 200, 'revoke-other-sessions: this one stays');
}


# --- athena_auth_cache_ttl per location ------------------------------------

{
    my $tok = create_session($user->{id});
    is(gate($a, $tok)->{code}, 200, 'cached for /app/');
    # ended behind the module's back, Redis entry included
    psql("DELETE FROM session WHERE token = '$tok'");
    $servers->redis('FLUSHALL');
    is(gate($a, $tok)->{code}, 200, '/app/ (TTL 60s) answers from memory');
    is(gate($a, $tok, '/fresh/x')->{code}, 401,
       '/fresh/ (TTL 0) looks again and refuses');
}


# --- another node sees a revocation within its TTL -----------------------

my $b = start_nginx(http_config => gate_http_config(ttl => '2s', no_app => 1),
                    config => $config);
{
    my $tok = create_session($user->{id});
    is(gate($b, $tok)->{code}, 200, 'node B admits and caches');
    is(api_post($a, $tok, '/sign-out')->{code}, 200, 'node A signs out');
    my $t0 = time;
    my $code;
    while (time - $t0 < 5) {
        $code = gate($b, $tok)->{code};
        last if $code == 401;
        sleep 0.1;
    }
    my $took = time - $t0;
    is($code, 401, 'node B refuses');
    ok($took <= 3, sprintf('within TTL + 1s (%.2fs)', $took));
}
$b->stop;


# --- a cached session never outlives its own expiry ----------------------

{
    my $tok = create_session($user->{id}, expires_in => 2);
    is(gate($a, $tok)->{code}, 200, 'a session about to expire: admitted');
    sleep 2.2;
    is(gate($a, $tok)->{code}, 401, 'refused once expired, TTL or not');
}


# --- Redis down: Postgres answers -----------------------------------------

{
    $servers->stop_redis;
    my $offset = $a->log_size;
    for my $i (1 .. 3) {
        my $tok = create_session($user->{id});
        my $r = gate($a, $tok);
        is($r->{code}, 200, "Redis down: admitted from Postgres ($i)");
        like($r->{body}, qr/\nid=$user->{id}\n/, 'Redis down: the right user');
        sleep 0.6;
    }
    # (the warnings are rate-limited; t/006 counts them)
    unlike($a->log_since($offset), qr/\[(?:error|crit|alert)\]/,
           'Redis down: nothing worse than a warning in the log');
    $servers->start_redis;
}


# --- Postgres and Redis down: fail closed --------------------------------

my $cached = create_session($user->{id});
is(gate($a, $cached)->{code}, 200, 'cached before the outage');

{
    my $fresh = create_session($user->{id});
    my $hits = app_hits('/app/outage');

    $servers->stop_redis;
    $servers->stop_postgres;

    my $r = gate($a, $fresh, '/app/outage');
    is($r->{code}, 503, 'both down, nothing cached: 503');
    is($r->{body}, '{"message":"The auth database is unavailable",'
                   . '"code":"SERVICE_UNAVAILABLE"}', 'a JSON error');
    is(app_hits('/app/outage'), $hits, 'and nothing reached the app');

    is(gate($a, $cached)->{code}, 200,
       'a session in shared memory is still admitted within the TTL');

    $servers->restart_postgres;
    $servers->start_redis;
    sleep 1.1;    # past the Redis retry pause

    is(gate($a, $fresh)->{code}, 200, 'back up: admitted again');
}


# --- Redis from the event loop ---------------------------------------------

{
    my $org = create_org('redis-org', [ $user->{id}, 'admin' ]);
    my $tok = create_session($user->{id}, active_org => $org);
    is(gate($a, $tok, '/fresh/r1')->{code}, 200,
       'a first lookup (Postgres) fills Redis');

    # a pool thread whose Redis went away with the restart above rests
    # for athena_auth_redis_retry before it fills again
    my $key = 'athena:sess:' . sha256_hex($tok);
    for (1 .. 20) {
        last if $servers->redis('EXISTS', $key) eq '1'
                && $servers->redis('EXISTS', "athena:member:$org:$user->{id}")
                   eq '1';
        sleep 0.25;
        gate($a, $tok, '/fresh/r1');
    }

    $servers->stop_postgres;
    my $r = gate($a, $tok, '/fresh/r2');
    is($r->{code}, 200, 'Postgres down: Redis answers, session and membership');
    like($r->{body}, qr/\nid=$user->{id}\n/, 'as the right user');
    $servers->restart_postgres;
    sleep 1.1;

    # Redis stalls: the event loop gives up after athena_auth_redis_timeout
    # and the thread task (whose Redis also gives up) asks Postgres
    my $fresh = create_session($user->{id});
    $servers->redis('CLIENT', 'PAUSE', '2000');
    my $t0 = time;
    $r = gate($a, $fresh, '/fresh/r3');
    my $took = time - $t0;
    is($r->{code}, 200, 'Redis stalled: answered from Postgres');
    ok($took < 1.5, sprintf('within the Redis timeouts (%.2fs)', $took));
    sleep 2;
}


# --- nginx -s reload keeps the zone ---------------------------------------

{
    my $offset = $a->log_size;
    $a->reload;
    sleep 1.5;
    unlike($a->log_since($offset), qr/\[(?:emerg|alert|crit)\]/,
           'reload: no errors');

    $servers->stop_redis;
    $servers->stop_postgres;
    is(gate($a, $cached)->{code}, 200,
       'after a reload the zone still answers with its backends down');
    $servers->restart_postgres;
    $servers->start_redis;
    sleep 1.1;
}


# --- a full zone: the least recently used go, answers stay right ----------
# (the other nginx of this suite serves the app: node A)

{
    my $small = start_nginx(http_config => gate_http_config(zone => 'tiny:32k',
                                                            ttl => '60s',
                                                            no_app => 1),
                            config => $config);
    my @users = map { create_user(email => "lru$_\@example.com") } 1 .. 120;
    my @toks = map { create_session($_->{id}) } @users;

    my $right = 0;
    for my $i (0 .. $#toks) {
        my $r = gate($small, $toks[$i]);
        $right++ if $r->{code} == 200
                    && $r->{body} =~ /\nid=$users[$i]{id}\n/;
    }
    is($right, scalar @toks, 'a full zone: every answer right');

    my $again = 0;
    for my $i (reverse 0 .. $#toks) {
        my $r = gate($small, $toks[$i]);
        $again++ if $r->{code} == 200
                    && $r->{body} =~ /\nid=$users[$i]{id}\n/;
    }
    is($again, scalar @toks, 'and again in the other order');

    # the most recent is cached, the oldest was evicted: with the backends
    # down, one is still admitted and the other cannot be checked
    $servers->stop_redis;
    $servers->stop_postgres;
    is(gate($small, $toks[0])->{code}, 200, 'the most recently used stays');
    is(gate($small, $toks[-1])->{code}, 503, 'the least recently used went');
    $servers->restart_postgres;
    $servers->start_redis;
    sleep 1.1;
    $small->stop;
}


# --- concurrent misses for one token share one lookup ---------------------

{
    my $one = start_nginx(http_config => gate_http_config(ttl => '60s',
                                                          no_app => 1),
                          config => $config, workers => 1);
    my $tok = create_session($user->{id});

    my $locker = hold_table_lock('session', 3);

    my @kids;
    for my $i (1 .. 8) {
        my $pid = fork;
        die "fork: $!" unless defined $pid;
        if ($pid == 0) {
            my $r = gate($one, $tok, "/app/coalesce$i");
            exit($r->{code} == 200 ? 0 : 1);
        }
        push @kids, $pid;
    }

    sleep 1;
    my $waiting = psql(q{SELECT count(*) FROM pg_stat_activity}
                       . q{ WHERE wait_event_type = 'Lock'}
                       . q{ AND query LIKE '%FROM session s JOIN%'});
    is($waiting, 1, 'eight concurrent misses: one lookup in Postgres');

    my $ok = 0;
    for my $pid (@kids) {
        waitpid($pid, 0);
        $ok++ if $? == 0;
    }
    waitpid($locker, 0);
    is($ok, 8, 'and all eight admitted when it answered');

    $one->stop;
}

$a->stop;


# --- a Redis database and password: AUTH and SELECT come first ------------

{
    my $port = $servers->redis_port;
    my $cli = "redis-cli -h 127.0.0.1 -p $port";
    system("$cli CONFIG SET requirepass sekrit >/dev/null");

    my $redis = "athena_auth_redis 127.0.0.1:$port db=3 password=sekrit;";
    my $c = start_nginx(http_config => gate_http_config(redis => $redis,
                                                        no_app => 1),
                        config => "location /fresh/ {\n"
                                  . "    athena_auth_require on;\n"
                                  . "    athena_auth_cache_ttl 0;\n"
                                  . "    return 200 \$athena_user_id;\n}\n");
    my $tok = create_session($user->{id});
    is(gate($c, $tok, '/fresh/db')->{code}, 200, 'db=3: admitted');
    my $keys = `$cli -a sekrit --no-auth-warning -n 3 KEYS 'athena:sess:*'`;
    ok(length $keys, 'db=3: the entry is in database 3');

    $servers->stop_postgres;
    my $offset = $c->log_size;
    my $r = gate($c, $tok, '/fresh/db');
    is($r->{code}, 200, 'db=3: with Postgres down, Redis answers after AUTH');
    is($r->{body}, $user->{id}, 'db=3: the right user');
    unlike($c->log_since($offset), qr/redis/, 'db=3: no Redis complaint');
    $servers->restart_postgres;
    $c->stop;

    # a wrong password: Redis refuses, Postgres answers
    $redis = "athena_auth_redis 127.0.0.1:$port db=3 password=wrong;";
    $c = start_nginx(http_config => gate_http_config(redis => $redis,
                                                     no_app => 1),
                     config => "location /fresh/ {\n"
                               . "    athena_auth_require on;\n"
                               . "    return 200 \$athena_user_id;\n}\n");
    is(gate($c, $tok, '/fresh/pw')->{code}, 200,
       'a wrong Redis password: answered from Postgres');
    # (the first may come at start, when the cache is purged)
    like($c->log_since(0), qr/\[warn\].*athena_auth: redis/,
         'with a warning');
    $c->stop;

    system("$cli -a sekrit --no-auth-warning CONFIG SET requirepass '' >/dev/null");
}

done_testing();
