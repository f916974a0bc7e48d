# Backends failing under a running nginx: Redis stopped (answers still
# right, from Postgres, with a rate-limited warning), Redis back (cache
# used again), Postgres stopped (503 JSON within the bound, never a hang),
# Postgres back (the next request reconnects), and Postgres too slow
# (statement_timeout turns a held lock into 503).

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(time sleep);
use Digest::SHA qw(sha256_hex);
use Athena::Test;

my $servers = servers();
my $nginx = start_nginx(http_config => default_http_config(extra => <<'CONF'));
    athena_auth_postgres_timeout 1s;
    athena_auth_postgres_connect_timeout 2s;
    athena_auth_redis_timeout 200ms;
    athena_auth_redis_retry 500ms;
CONF

my $user = create_user(email => 'backend@example.com', password => 'password-123');

sub get_session {
    my ($token) = @_;
    my $t0 = time;
    my $r = $nginx->request('GET', '/api/auth/get-session',
                            headers => ["Authorization: Bearer $token"],
                            timeout => 15);
    $r->{elapsed} = time - $t0;
    return $r;
}

my $tok = create_session($user->{id});
like(get_session($tok)->{body}, qr/"token":"$tok"/, 'answered with Redis up');

# Redis stops
$servers->stop_redis;
my $offset = $nginx->log_size;

my $tok2 = create_session($user->{id});
my $r = get_session($tok2);
is($r->{code}, 200, 'Redis down: still 200');
like($r->{body}, qr/"token":"$tok2"/, 'Redis down: answered from Postgres');

$r = get_session($tok2);
like($r->{body}, qr/"token":"$tok2"/, 'Redis down: again');

$r = $nginx->request('POST', '/api/auth/sign-in/email',
    headers => ['Content-Type: application/json'],
    body => '{"email":"backend@example.com","password":"password-123"}');
is($r->{code}, 200, 'Redis down: sign-in works');

my $log = $nginx->log_since($offset);
my @warnings = $log =~ /\[warn\].*athena_auth: redis/g;
is(scalar @warnings, 1, 'one rate-limited warning for the dead Redis');
unlike($log, qr/\[(?:error|crit|alert)\]/, 'nothing worse than a warning');

# Redis comes back on the same port
$servers->start_redis;
sleep 0.6;
get_session($tok2);
get_session($tok2);
like($servers->redis('KEYS', '*'), qr/athena:sess:\Q${\ sha256_hex($tok2)}\E/,
     'Redis back: the cache fills again');

# Postgres stops
my $tok3 = create_session($user->{id});
$servers->stop_postgres;

$r = get_session($tok3);
is($r->{code}, 503, 'Postgres down: 503');
is($r->{body}, '{"message":"The auth database is unavailable","code":"SERVICE_UNAVAILABLE"}',
   'Postgres down: a JSON error');
ok($r->{elapsed} < 5, sprintf('Postgres down: answered, no hang (%.2fs)',
                              $r->{elapsed}));

$r = $nginx->request('POST', '/api/auth/sign-up/email',
    headers => ['Content-Type: application/json'],
    body => '{"name":"N","email":"n@example.com","password":"password-123"}');
is($r->{code}, 503, 'Postgres down: sign-up 503 too');

# a cached session is still served while Postgres is away: Redis holds it
like(get_session($tok2)->{body}, qr/"token":"$tok2"/,
     'Postgres down: a cached session is answered from Redis');

# Postgres returns: the pool thread's dead connection is replaced
$servers->restart_postgres;
$r = get_session($tok3);
is($r->{code}, 200, 'Postgres back: recovered');
like($r->{body}, qr/"token":"$tok3"/, 'Postgres back: right answer');
$r = get_session($tok3);
is($r->{code}, 200, 'Postgres back: and again (second pool thread)');

# Postgres too slow: a held lock outlasts statement_timeout
my $tok4 = create_session($user->{id});
my $pid = hold_table_lock('session', 3);
$r = get_session($tok4);
is($r->{code}, 503, 'Postgres slow: 503');
ok($r->{elapsed} < 2.5, sprintf('Postgres slow: within the 1 s bound (%.2fs)',
                                $r->{elapsed}));
waitpid $pid, 0;
is(get_session($tok4)->{code}, 200, 'Postgres fast again: 200');

$nginx->stop;
done_testing();
