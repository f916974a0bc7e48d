# Seed 003's per-admin rate limits on the REST admin API: counted in Redis
# for every worker and node, 429 RATE_LIMITED with Retry-After, the
# RateLimit-* headers on every admin's answer, the longer window (here
# shortened) that stops what the short one lets through, each admin on
# their own count, and with Redis gone each node counting in shared memory.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(time sleep);
use Athena::Test;

my $servers = servers();

# four in 8 s (one back every 2 s) and six "an hour"
my $http = default_http_config(extra => <<'CONF');
    athena_auth_redis_retry 60s;
    athena_auth_admin_rest_limit 4 8s 6 1h;
CONF

my $config = <<'CONF';
location /api/admin/ {
    add_header X-Worker $pid always;
    athena_auth_admin_rest;
}
CONF

# a port of its own with reuseport, so that the kernel spreads clients
# over both workers
my $spread = Athena::Servers::free_port();
my $nginx = start_nginx(http_config => $http . <<"CONF", config => $config,
    server {
        listen 127.0.0.1:$spread reuseport;
$config
    }
CONF
                        workers => 2, master => 1);
my $both = bless { port => $spread, owner => -1 }, ref $nginx;
my $second = start_nginx(http_config => $http, config => $config);

my @admins = map { create_user(email => "admin$_\@example.com",
                               role => 'admin') } 1 .. 4;
my @tokens = map { create_session($_->{id}) } @admins;
my $plain = create_user(email => 'plain@example.com');
my $plain_tok = create_session($plain->{id});

sub get {
    my ($node, $token) = @_;
    my $r = $node->request('GET', '/api/admin/users?limit=1',
                           headers => [ "Authorization: Bearer $token" ]);
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub h { ($_[0]{headers}{lc $_[1]} || [])->[0] }

# one admin's burst, from ten clients at once, on two workers
my @out = in_parallel(10, sub {
    my $r = get($both, $tokens[0]);
    return { code => $r->{code}, body => h($r, 'X-Worker') };
});
my @codes = sort map { $_->{code} } @out;
is_deeply(\@codes, [ (200) x 4, (429) x 6 ],
          'ten at once on two workers: exactly four pass');
my %workers = map { $_->{body} => 1 } @out;
diag('served by ' . scalar(keys %workers) . ' worker(s)');

my $r = get($nginx, $tokens[0]);
is($r->{code}, 429, 'the next one: 429');
is_deeply($r->{json}{error}{code}, 'RATE_LIMITED', 'RATE_LIMITED');
ok(h($r, 'Retry-After') >= 1 && h($r, 'Retry-After') <= 2,
   'Retry-After: the 2 s until one is back');
is(h($r, 'RateLimit-Limit'), 4, 'RateLimit-Limit: the limit that ran out');
is(h($r, 'RateLimit-Remaining'), 0, 'RateLimit-Remaining: 0');
ok(h($r, 'RateLimit-Reset') >= 7 && h($r, 'RateLimit-Reset') <= 8,
   'RateLimit-Reset: until it is full again');
is(get($second, $tokens[0])->{code}, 429, 'the other node counts the same');

# every admin answer carries the headers; another admin has their own
$r = get($nginx, $tokens[1]);
is($r->{code}, 200, 'another admin: 200');
is(h($r, 'RateLimit-Limit'), 4, 'RateLimit-Limit on a success');
is(h($r, 'RateLimit-Remaining'), 3, 'RateLimit-Remaining: three more');
ok(h($r, 'RateLimit-Reset') >= 1 && h($r, 'RateLimit-Reset') <= 2,
   'RateLimit-Reset');
$r = $nginx->request('GET', '/api/admin/nowhere',
                     headers => [ "Authorization: Bearer $tokens[1]" ]);
is($r->{code}, 404, 'an unknown path is not counted (no route to count)');
$r = get($nginx, $plain_tok);
is($r->{code}, 403, 'a plain user: 403');
ok(!defined h($r, 'RateLimit-Limit'), 'not an admin: no RateLimit headers');
is(get($nginx, $plain_tok)->{code}, 403, 'again, the session now cached');
is($servers->redis('EXISTS', "athena:rl:admin:$plain->{id}"), 1,
   'counted with the cached session in one round trip, admin or not');

# one back every 2 s, until the longer window stops it
sleep(2.1);
is(get($second, $tokens[0])->{code}, 200, 'after 2 s, one more (the fifth)');
is(get($nginx, $tokens[0])->{code}, 429, 'and no more yet');
sleep(2.1);
$r = get($nginx, $tokens[0]);
is($r->{code}, 200, 'after 2 s more, the sixth');
is(h($r, 'RateLimit-Limit'), 6, 'now the longer window is the closer one');
is(h($r, 'RateLimit-Remaining'), 0, 'with none left');
sleep(2.1);
$r = get($nginx, $tokens[0]);
is($r->{code}, 429, 'the short window has room, the long one does not');
is(h($r, 'RateLimit-Limit'), 6, 'RateLimit-Limit: 6');
ok(h($r, 'Retry-After') > 500, 'Retry-After: about ten minutes, '
   . h($r, 'Retry-After') . ' s');

my $keys = $servers->redis('KEYS', '*rl:admin:*');
like($keys, qr/athena:rl:admin:\Q$admins[0]{id}\E/,
     'counted in Redis under the admin\'s id');
unlike($keys, qr/\Q$tokens[0]\E/, 'never under a token');

# Redis forgets its scripts (a restart): the text is sent again
$servers->redis('SCRIPT', 'FLUSH');
$r = get($nginx, $tokens[1]);
is($r->{code}, 200, 'after SCRIPT FLUSH: 200');
my $next = get($nginx, $tokens[1]);
is(h($next, 'RateLimit-Remaining'), h($r, 'RateLimit-Remaining') - 1,
   'still counted, one by one');

# writes are counted too, and a refused one is audited
$r = $nginx->request('DELETE', "/api/admin/users/$admins[3]{id}",
                     headers => [ "Authorization: Bearer $tokens[0]" ]);
is($r->{code}, 429, 'a refused DELETE: 429');
is(psql(qq{SELECT count(*) FROM "user" WHERE id = '$admins[3]{id}'}), 1,
   'and nothing deleted');
is(psql(q{SELECT error_message FROM admin_audit_logs
          WHERE action = 'admin.rest.user.delete'}), 'RATE_LIMITED',
   'the refusal is audited');

# Redis gone: each node counts alone, never without a limit
my $offset = $nginx->log_size;
$servers->stop_redis;
@codes = map { get($second, $tokens[2])->{code} } 1 .. 5;
is_deeply(\@codes, [ 200, 200, 200, 200, 429 ],
          'Redis down: still four, counted by the node');
is(get($nginx, $tokens[2])->{code}, 200, 'the other node counts apart');
@codes = map { get($nginx, $tokens[2])->{code} } 1 .. 4;
is_deeply(\@codes, [ 200, 200, 200, 429 ],
          'its workers share one count in shared memory');
like($nginx->log_since($offset),
     qr/\[warn\].*counted by this node alone/,
     'a warning says the limits are per node now');

$second->stop;
$nginx->stop;
done_testing();
