# Session reads answered on the event loop: get-session and both plugins'
# has-permission, from the session the gate's shared memory holds (node
# A, with athena_auth_cache_zone), against the same requests answered by
# thread tasks (node B, no zone), byte for byte. That A answers without
# its stores is shown with Postgres and Redis frozen. What must still go
# to a task does (a refresh that is due, another organization's role, an
# x-api-key), a token of no session is answered as a task answers it,
# and a session revoked or deleted is never served from the
# copy longer than from Redis: node C keeps its gate entries 60 s but
# sessions in Redis 2 s, and does not listen for notifications.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(sleep time);
use Athena::Test;

my $servers = servers();

my $config = <<'CONF';
location /api/auth/ { athena_auth_api; }
CONF

my $a = start_nginx(http_config => gate_http_config(ttl => '60s',
                                                    no_app => 1),
                    config => $config);
my $b = start_nginx(http_config => default_http_config(), config => $config);

my $admin = create_user(email => 'loop-admin@example.com', role => 'admin');
my $plain = create_user(email => 'loop-user@example.com');
my $org = create_org('loop-org', [$admin->{id}, 'owner'],
                     [$plain->{id}, 'member']);
my $other = create_org('loop-other', [$plain->{id}, 'admin']);

my $t_admin = create_session($admin->{id});
my $t_plain = create_session($plain->{id}, active_org => $org);

# the headers that may differ between two answers of one nginx build
my %varies = map { $_ => 1 } qw(date connection);

sub answer {
    my ($n, $method, $path, %o) = @_;
    my @h = @{ $o{headers} || [] };
    push @h, 'Content-Type: application/json' if defined $o{body};
    my $r = $n->request($method, "/api/auth$path", headers => \@h,
                        body => $o{body});
    my $h = $r->{headers} || {};
    return join "\n", $r->{code},
        (map { my $k = $_; map { "$k: $_" } @{ $h->{$k} } }
         grep { !$varies{$_} } sort keys %$h),
        '', $r->{body} // '';
}

my @reads = (
    ['get-session, bearer', 'GET', '/get-session',
     headers => ["Authorization: Bearer $t_admin"]],
    ['get-session, signed cookie', 'GET', '/get-session',
     headers => ['Cookie: ' . session_cookie($t_plain)]],
    ['get-session, signed bearer', 'GET', '/get-session',
     headers => ['Authorization: Bearer ' . sign($t_plain)]],
    ['get-session, disableRefresh', 'GET',
     '/get-session?disableRefresh=true',
     headers => ["Authorization: Bearer $t_plain"]],
    ['get-session with a leftover session_data cookie', 'GET',
     '/get-session',
     headers => ['Cookie: ' . session_cookie($t_plain)
                 . '; better-auth.session_data=eyJ4IjoxfQ']],
    ['admin has-permission, allowed', 'POST', '/admin/has-permission',
     headers => ["Authorization: Bearer $t_admin"],
     body => '{"permissions":{"user":["list","ban"]}}'],
    ['admin has-permission, refused', 'POST', '/admin/has-permission',
     headers => ["Authorization: Bearer $t_plain"],
     body => '{"permissions":{"user":["list"]}}'],
    ['admin has-permission, bad body', 'POST', '/admin/has-permission',
     headers => ["Authorization: Bearer $t_admin"],
     body => '{"permissions":"user"}'],
    ['admin has-permission, deprecated permission', 'POST',
     '/admin/has-permission',
     headers => ["Authorization: Bearer $t_admin"],
     body => '{"permission":{"user":["list"]}}'],
    ['org has-permission, active organization', 'POST',
     '/organization/has-permission',
     headers => ["Authorization: Bearer $t_plain"],
     body => '{"permissions":{"member":["create"]}}'],
    ['org has-permission, active organization named', 'POST',
     '/organization/has-permission',
     headers => ["Authorization: Bearer $t_plain"],
     body => qq({"organizationId":"$org","permissions":{"invitation":["create"]}})],
    ['org has-permission, another organization (a task)', 'POST',
     '/organization/has-permission',
     headers => ["Authorization: Bearer $t_plain"],
     body => qq({"organizationId":"$other","permissions":{"member":["create"]}})],
    ['org has-permission, no active organization', 'POST',
     '/organization/has-permission',
     headers => ["Authorization: Bearer $t_admin"],
     body => '{"permissions":{"member":["create"]}}'],
    ['get-session, a bearer token of no session', 'GET', '/get-session',
     headers => ['Authorization: Bearer no-such-session-token']],
    ['get-session, a signed cookie of no session', 'GET', '/get-session',
     headers => ['Cookie: ' . session_cookie('no-such-session-token')]],
    ['admin has-permission, a token of no session', 'POST',
     '/admin/has-permission',
     headers => ['Authorization: Bearer no-such-session-token'],
     body => '{"permissions":{"user":["list"]}}'],
    ['org has-permission, a cross-site POST', 'POST',
     '/organization/has-permission',
     headers => ['Cookie: ' . session_cookie($t_plain),
                 'Origin: http://evil.example'],
     body => '{"permissions":{"member":["create"]}}'],
);

# --- the same answer from the shared memory as from a task ----------------

for my $c (@reads) {
    my ($name, @req) = @$c;
    my $want = answer($b, @req);
    # the first fills the shared memory (a lookup), the second reads it
    is(answer($a, @req), $want, "$name: as a task answers it (lookup)");
    is(answer($a, @req), $want, "$name: as a task answers it (cached)");
}

like(answer($a, 'GET', '/get-session',
            headers => ["Authorization: Bearer $t_admin"]),
     qr/^200\n.*"email":"loop-admin\@example\.com"/s,
     'get-session names the session\'s user');

# --- answered without the stores -----------------------------------------

{
    my %before = map { $_->[0] => answer($a, @$_[1 .. $#$_]) } @reads[0, 1, 5, 9];
    $servers->freeze_redis;
    $servers->freeze_postgres;
    my $t0 = time;
    for my $c (@reads[0, 1, 5, 9]) {
        my ($name, @req) = @$c;
        is(answer($a, @req), $before{$name},
           "$name: answered with Postgres and Redis frozen");
    }
    my $took = time - $t0;
    $servers->thaw;
    cmp_ok($took, '<', 2, 'and at once');
}

# --- a lookup that found Postgres down is not waited for twice -----------

{
    my $e = start_nginx(http_config => gate_http_config(
                            ttl => '60s', no_app => 1,
                            extra => "athena_auth_postgres_deadline 1s;\n"
                                     . "athena_auth_postgres_connect_timeout 1s;"),
                        config => $config);
    answer($e, 'GET', '/get-session',
           headers => ["Authorization: Bearer $t_admin"]);
    my $t = create_session($plain->{id});
    $servers->freeze_postgres;
    my $t0 = time;
    my $got = answer($e, 'GET', '/get-session',
                     headers => ["Authorization: Bearer $t"]);
    my $took = time - $t0;
    my $bad = answer($e, 'POST', '/admin/has-permission',
                     headers => ["Authorization: Bearer $t"],
                     body => '{"permissions":"user"}');
    $servers->thaw;
    like($got, qr/^503\n.*\n\n\{"message":"The auth database is unavailable","code":"SERVICE_UNAVAILABLE"\}$/s,
         'Postgres frozen, a session in neither cache: the API\'s 503');
    # the lookup's thread may have to connect first: one bound or the
    # other, 1 s each, never both, nor a task's wait after it
    cmp_ok($took, '<', 1.8,
           'after one deadline (the lookup\'s), not a second (a task\'s)');
    like($bad, qr/^400\n/,
         'a body refused before the session still is, as by a task');
    $e->stop;
}

# --- what only a task can do ---------------------------------------------

{
    # a session past its update age is extended, its cookie sent again
    my $due = create_session($plain->{id}, expires_in => 5 * 86400);
    my $r = $a->request('GET', '/api/auth/get-session',
                        headers => ['Cookie: ' . session_cookie($due)]);
    is($r->{code}, 200, 'a session due for a refresh');
    like(join(' ', @{ $r->{headers}{'set-cookie'} || [] }),
         qr/better-auth\.session_token=/, 'is refreshed: its cookie is sent');
    ok(psql(qq{SELECT "expiresAt" > now() + interval '6 days' FROM session
               WHERE token = '$due'}) eq 't',
       'and its expiry moved in Postgres');

    # an expired session is deleted, as better-auth does
    my $gone = create_session($plain->{id}, expires_in => 1);
    sleep 1.2;
    like(answer($a, 'GET', '/get-session',
                headers => ["Authorization: Bearer $gone"]),
         qr/\n\nnull$/, 'an expired session reads as none');
    is(psql(qq{SELECT count(*) FROM session WHERE token = '$gone'}), 0,
       'and is deleted');

    # an x-api-key makes the request its owner's; no key is made here, so
    # a short one is refused by the plugin's rule, on a task
    like(answer($a, 'GET', '/get-session',
                headers => ["Authorization: Bearer $t_admin",
                            'X-Api-Key: short']),
         qr/^403\n.*INVALID_API_KEY/s, 'an x-api-key is read by a task');
}

# --- a task's read takes the session the lookup found -------------------
# list-users, get-user and the organization list need Postgres, so a task
# answers them; the task takes the session the lookup found in the shared
# memory instead of reading it from Redis again.

{
    my @tasks = (
        ['list-users', 'GET', '/admin/list-users?limit=5',
         headers => ["Authorization: Bearer $t_admin"]],
        ['get-user', 'GET', "/admin/get-user?id=$plain->{id}",
         headers => ["Authorization: Bearer $t_admin"]],
        ['list-users, signed cookie', 'GET', '/admin/list-users?limit=5',
         headers => ['Cookie: ' . session_cookie($t_admin)]],
        ['organization list', 'GET', '/organization/list',
         headers => ["Authorization: Bearer $t_plain"]],
    );
    for my $c (@tasks) {
        my ($name, @req) = @$c;
        is(answer($a, @req), answer($b, @req), "$name: as without a lookup");
    }
    my $gets = sub {
        ($servers->redis('INFO', 'commandstats')
         =~ /cmdstat_get:calls=(\d+)/)[0] // 0;
    };
    my $before = $gets->();
    for my $c (@tasks) {
        my ($name, @req) = @$c;
        like(answer($a, @req), qr/^200\n/, "$name: answered") for 1 .. 3;
    }
    is($gets->(), $before,
       3 * @tasks . ' answers, no session read from Redis');
    like(answer($a, 'GET', '/admin/list-users',
                headers => ["Authorization: Bearer $t_plain"]),
         qr/^403\n/, 'list-users still refuses a user who is not an admin');
    like(answer($a, 'GET', "/admin/get-user?id=$plain->{id}",
                headers => ["Authorization: Bearer $t_plain"]),
         qr/^403\n/, 'get-user still refuses a user who is not an admin');
}

# --- revocations are never served ----------------------------------------

{
    my $t = create_session($plain->{id});
    my @get = ('GET', '/get-session', headers => ["Authorization: Bearer $t"]);
    like(answer($a, @get), qr/^200\n/, 'a session is served');
    like(answer($a, @get), qr/^200\n/, 'from the shared memory');

    my $r = $a->api('POST', '/revoke-session', $t_plain,
                    json_encode({ token => $t }));
    is($r->{code}, 200, 'revoked on the same node');
    like(answer($a, @get), qr/\n\nnull$/, 'and at once no longer served');

    my $t2 = create_session($plain->{id});
    my @get2 = ('GET', '/get-session', headers => ["Authorization: Bearer $t2"]);
    like(answer($a, @get2), qr/^200\n/, 'another session is served');
    $r = $b->api('POST', '/revoke-session', $t_plain,
                 json_encode({ token => $t2 }));
    is($r->{code}, 200, 'revoked on another node');
    my $until = time + 2;
    my $got;
    while (1) {
        $got = answer($a, @get2);
        last if $got =~ /\n\nnull$/ || time > $until;
        sleep 0.05;
    }
    like($got, qr/\n\nnull$/, 'and no longer served here (notification)');

    my $t3 = create_session($plain->{id});
    my @get3 = ('GET', '/get-session', headers => ["Authorization: Bearer $t3"]);
    like(answer($a, @get3), qr/^200\n/, 'a third session is served');
    $r = $a->request('POST', '/api/auth/sign-out',
                     headers => ["Authorization: Bearer $t3",
                                 'Content-Type: application/json'],
                     body => '{}');
    is($r->{code}, 200, 'signed out');
    like(answer($a, @get3), qr/\n\nnull$/, 'and at once no longer served');
}

# --- no longer than Redis would serve it ---------------------------------

{
    my $c = start_nginx(http_config => gate_http_config(
                            ttl => '60s', no_app => 1,
                            extra => "athena_auth_cache_notify off;\n"
                                     . "athena_auth_cache_prefix loop46:;\n"
                                     . "athena_auth_session_cache_ttl 2s;"),
                        config => $config);
    my $t = create_session($plain->{id});
    my @get = ('GET', '/get-session', headers => ["Authorization: Bearer $t"]);
    my $filled = time;
    like(answer($c, @get), qr/^200\n/, 'a session is served and cached');
    psql(qq{DELETE FROM session WHERE token = '$t'});
    like(answer($c, @get), qr/^200\n/,
         'deleted behind the module, it is still served, as from Redis');
    my $got;
    while (1) {
        $got = answer($c, @get);
        last if $got =~ /\n\nnull$/ || time > $filled + 5;
        sleep 0.05;
    }
    my $served = time - $filled;
    like($got, qr/\n\nnull$/, 'until Redis would no longer serve it');
    cmp_ok($served, '<', 2.5,
           'which is the session cache TTL (2 s), not the gate\'s (60 s)');
    $c->stop;

    # with session caching off, Postgres answers every read
    my $d = start_nginx(http_config => gate_http_config(
                            ttl => '60s', no_app => 1,
                            extra => "athena_auth_cache_notify off;\n"
                                     . "athena_auth_session_cache_ttl 0;"),
                        config => $config);
    $t = create_session($plain->{id});
    @get = ('GET', '/get-session', headers => ["Authorization: Bearer $t"]);
    like(answer($d, @get), qr/^200\n/, 'no session cache: served');
    psql(qq{DELETE FROM session WHERE token = '$t'});
    like(answer($d, @get), qr/\n\nnull$/,
         'and once deleted, at once no longer served');
    $d->stop;
}

done_testing();
