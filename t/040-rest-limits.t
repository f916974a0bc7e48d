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

# The windows are fixed, 8 s each from the epoch, and a request is judged
# by its window's count plus the previous window's, weighted by how much
# of the previous window the last 8 s still cover: the test starts just
# after a window does.
my $w0 = int(time / 8) * 8 + 8;
sleep($w0 + 0.2 - time);

sub at { my $t = shift; sleep($t - time) if $t > time }

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

# whole seconds until $w0 + $t, as the answer between $e0 and $e1 says
sub within {
    my ($got, $t, $e0, $e1) = @_;
    return $got >= int($w0 + $t - $e1) && $got <= int($w0 + $t - $e0) + 1;
}

my $e0 = time;
my $r = get($nginx, $tokens[0]);
my $e1 = time;
is($r->{code}, 429, 'the next one: 429');
is_deeply($r->{json}{error}{code}, 'RATE_LIMITED', 'RATE_LIMITED');
ok(within(h($r, 'Retry-After'), 8 + 2, $e0, $e1),
   'Retry-After: until a quarter of the next window has gone, '
   . h($r, 'Retry-After') . ' s');
is(h($r, 'RateLimit-Limit'), 4, 'RateLimit-Limit: the limit that ran out');
is(h($r, 'RateLimit-Remaining'), 0, 'RateLimit-Remaining: 0');
ok(within(h($r, 'RateLimit-Reset'), 16, $e0, $e1),
   'RateLimit-Reset: until this window and the next are over, '
   . h($r, 'RateLimit-Reset') . ' s');
is(get($second, $tokens[0])->{code}, 429, 'the other node counts the same');

# every admin answer carries the headers; another admin has their own
$e0 = time;
$r = get($nginx, $tokens[1]);
$e1 = time;
is($r->{code}, 200, 'another admin: 200');
is(h($r, 'RateLimit-Limit'), 4, 'RateLimit-Limit on a success');
is(h($r, 'RateLimit-Remaining'), 3, 'RateLimit-Remaining: three more');
ok(within(h($r, 'RateLimit-Reset'), 16, $e0, $e1), 'RateLimit-Reset');
is(h(get($second, $tokens[1]), 'RateLimit-Remaining'), 2,
   'counted one by one, on either node');
$r = $nginx->request('GET', '/api/admin/nowhere',
                     headers => [ "Authorization: Bearer $tokens[1]" ]);
is($r->{code}, 404, 'an unknown path is not counted (no route to count)');
$r = get($nginx, $plain_tok);
is($r->{code}, 403, 'a plain user: 403');
ok(!defined h($r, 'RateLimit-Limit'), 'not an admin: no RateLimit headers');
is(get($nginx, $plain_tok)->{code}, 403, 'again, the session now cached');

# a session ended: what its token still sends is not counted against its
# user, though threads that served it remember whose it was
my $ended = create_session($admins[2]{id});
is(get($nginx, $ended)->{code}, 200, 'an admin\'s second session: 200')
    for 1 .. 2;
psql(qq{DELETE FROM session WHERE token = '$ended'});
my @ended;
for (1 .. 20) {
    push @ended, get($nginx, $ended)->{code};
    last if $ended[-1] == 401 && @ended > 8;
    sleep(0.05);
}
is($ended[-1], 401, 'once deleted (the notification), its token: 401');
$r = get($nginx, $tokens[2]);
is(h($r, 'RateLimit-Remaining'), 4 - 2 - 1 - (grep { $_ == 200 } @ended),
   'the admin\'s count holds only what was served');

# the next window: the last one's four slide out as it goes on
at($w0 + 8 + 1);
is(get($nginx, $tokens[0])->{code}, 429,
   '1 s into the next window: 3.5 of the four still count');
at($w0 + 8 + 2.3);
is(get($second, $tokens[0])->{code}, 200, 'past 2 s, one more (the fifth)');
is(get($nginx, $tokens[0])->{code}, 429, 'and no more yet');
at($w0 + 8 + 4.3);
$r = get($nginx, $tokens[0]);
is($r->{code}, 200, 'past 4 s, the sixth');
is(h($r, 'RateLimit-Limit'), 6, 'now the longer window is the closer one');
is(h($r, 'RateLimit-Remaining'), 0, 'with none left');
at($w0 + 8 + 6.3);
$r = get($nginx, $tokens[0]);
is($r->{code}, 429, 'the short window has room, the long one does not');
is(h($r, 'RateLimit-Limit'), 6, 'RateLimit-Limit: 6');
ok(h($r, 'Retry-After') > 600, 'Retry-After: the rest of the hour and'
   . ' a sixth of the next, ' . h($r, 'Retry-After') . ' s');

my $keys = $servers->redis('KEYS', '*rl:admin:*');
like($keys, qr/athena:rl:admin:\Q$admins[0]{id}\E:8000:\d+/,
     'counted in Redis under the admin\'s id and the window');
like($keys, qr/athena:rl:admin:\Q$admins[0]{id}\E:3600000:\d+/,
     'and the hour\'s');
unlike($keys, qr/\Q$tokens[0]\E/, 'never under a token');
# every count's key, each window's of each limit, expires once the next
# window is over: the INCR that made it sent the expiry after it
my @expiring = map {
    my ($window) = /:(\d+):\d+$/;
    my $ttl = $servers->redis('PTTL', $_);
    $ttl > 0 && $ttl <= 2 * $window ? () : ("$_ ($ttl ms)")
} split /\n/, $keys;
is("@expiring", '', "every window's count expires with the next window ("
   . scalar(split /\n/, $keys) . ' keys)');

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
@codes = map { get($second, $tokens[3])->{code} } 1 .. 5;
is_deeply(\@codes, [ 200, 200, 200, 200, 429 ],
          'Redis down: still four, counted by the node');
is(get($nginx, $tokens[3])->{code}, 200, 'the other node counts apart');
@codes = map { get($nginx, $tokens[3])->{code} } 1 .. 4;
is_deeply(\@codes, [ 200, 200, 200, 429 ],
          'its workers share one count in shared memory');
like($nginx->log_since($offset),
     qr/\[warn\].*counted by this node alone/,
     'a warning says the limits are per node now');

$second->stop;
$nginx->stop;
done_testing();
