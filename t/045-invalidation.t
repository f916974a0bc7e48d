# Invalidation from the truth (migration 019): Postgres announces each
# change to what the caches hold, and every node drops it, whoever made
# the change. Two nodes (A, and B with two workers) on one Postgres and
# one Redis, both caching for 60 s: B's gate and API see on their next
# request (polled up to 2 s) a revoke, a ban, a demotion, a change of
# active organization made on A; changes made with plain SQL, by a real
# better-auth 1.7.25 on the same database (and users each side makes
# sign in on the other), by a bulk statement; the listening connection
# killed, with a change made while it was away; a reload that hands the
# listening over.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(sleep time);
use Digest::SHA qw(sha256_hex);
use Athena::Test;
use Athena::Compat;

my $servers = servers();
better_auth_ready()
    or die "better-auth is not installed in t/compat: run scripts/compat-deps.sh\n";

my $config = <<'CONF';
location /api/auth/ { athena_auth_api; }
location /app/ {
    athena_auth_require on;
    return 200 "id=$athena_user_id name=$athena_user_name role=$athena_user_role org=$athena_org_id org_role=$athena_org_role\n";
}
location /keyed/ {
    athena_auth_require api_key;
    return 200 "key=$athena_key_name user=$athena_user_id\n";
}
location /super/ {
    athena_auth_require admin_role=SUPER_ADMIN;
    return 200 "super $athena_user_id\n";
}
CONF

my $a = start_nginx(http_config => gate_http_config(ttl => '60s'),
                    config => $config);
my $b = start_nginx(http_config => gate_http_config(ttl => '60s', no_app => 1),
                    config => $config, workers => 2, master => 1);

# each node's first worker listens, and has dropped what was cached
for my $n ($a, $b) {
    my $until = time + 5;
    sleep 0.05 until $n->log_since(0) =~ /listening for cache notifications/
                     || time > $until;
}
like($b->log_since(0), qr/\[notice\].*listening for cache notifications/,
     'a node listens for cache notifications once it starts');
is(psql(q{SELECT count(*) FROM pg_stat_activity
          WHERE application_name = 'athena-auth-listen'}), 2,
   'one listening connection per node, not per worker');

sub gate {
    my ($n, $token, $path) = @_;
    my $r = $n->request('GET', $path || '/app/x',
                        headers => ["Authorization: Bearer $token"]);
    return "$r->{code} $r->{body}";
}

sub api {
    my ($n, $method, $path, $token, $body) = @_;
    my $r = $n->api($method, $path, $token,
                    defined $body ? json_encode($body) : undef);
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

# what $probe returns, polled until it matches $want or 2 s pass
sub eventually {
    my ($probe, $want) = @_;
    my $got;
    my $until = time + 2;
    while (1) {
        $got = $probe->();
        return $got if $got =~ $want || time > $until;
        sleep 0.02;
    }
}

my $admin = create_user(email => 'inv-admin@example.com', name => 'Admin',
                        role => 'admin', password => 'password-123');
my $ann = create_user(email => 'inv-ann@example.com', name => 'Ann');
my $bob = create_user(email => 'inv-bob@example.com', name => 'Bob',
                      role => 'admin');
my $org1 = create_org('inv-1', [$ann->{id}, 'member']);
my $org2 = create_org('inv-2', [$ann->{id}, 'owner']);

my $admin_tok = create_session($admin->{id});


# --- changes made on node A ------------------------------------------------

{
    my $tok = create_session($ann->{id});
    like(gate($b, $tok), qr/^200 id=$ann->{id} /, 'B admits Ann (now cached)');
    like(gate($b, $tok), qr/^200 /, 'B again, from its shared memory');

    my $r = api($a, 'POST', '/revoke-sessions', $tok);
    is($r->{code}, 200, 'A: Ann revokes her sessions');
    like(eventually(sub { gate($b, $tok) }, qr/^401/), qr/^401/,
         'B refuses the revoked session');
}

{
    my $tok = create_session($ann->{id}, active_org => $org1);
    like(gate($b, $tok), qr/org=$org1 org_role=member\n/, 'B: org 1, member');
    my $r = api($a, 'POST', '/organization/set-active', $tok,
                { organizationId => $org2 });
    is($r->{code}, 200, 'A: Ann makes org 2 active');
    like(eventually(sub { gate($b, $tok) }, qr/org=$org2 /),
         qr/org=$org2 org_role=owner\n/, 'B sees org 2, and her role there');

    like(api($b, 'GET', '/get-session', $tok)->{body},
         qr/"activeOrganizationId":"$org2"/, "B's get-session too");

    $r = api($a, 'POST', '/admin/ban-user', $admin_tok,
             { userId => $ann->{id} });
    is($r->{code}, 200, 'A: the admin bans Ann');
    like(eventually(sub { gate($b, $tok) }, qr/^(401|403)/), qr/^(401|403)/,
         'B refuses her');
    api($a, 'POST', '/admin/unban-user', $admin_tok, { userId => $ann->{id} });
}

{
    my $tok = create_session($bob->{id});
    is(api($b, 'GET', '/admin/list-users?limit=1', $tok)->{code}, 200,
       'B: Bob, an admin, lists users (his session now cached)');
    my $r = api($a, 'POST', '/admin/set-role', $admin_tok,
                { userId => $bob->{id}, role => 'user' });
    is($r->{code}, 200, 'A: Bob is demoted to user');
    is(eventually(sub { api($b, 'GET', '/admin/list-users?limit=1', $tok)->{code} },
                  qr/^403$/), 403, "B's admin routes refuse him");
    like(gate($b, $tok), qr/ role=user /, "and B's gate says user");
}


# --- changes made with plain SQL --------------------------------------------

my $cal = create_user(email => 'inv-cal@example.com', name => 'Cal');
my $cal_tok = create_session($cal->{id}, active_org => $org1);
psql(sprintf(q{INSERT INTO member (id, "organizationId", "userId", role,
               "createdAt") VALUES ('inv-m-cal', '%s', '%s', 'member', now())},
             $org1, $cal->{id}));

{
    my $hash = sha256_hex($cal_tok);
    like(gate($b, $cal_tok), qr/name=Cal /, 'B: Cal, cached');
    like(gate($a, $cal_tok), qr/name=Cal /, 'A: Cal, cached');
    ok($servers->redis('GET', "athena:sess:$hash") ne '',
       'and in Redis');

    psql(qq{UPDATE "user" SET name = 'Cal Renamed' WHERE id = '$cal->{id}'});
    like(eventually(sub { gate($b, $cal_tok) }, qr/Renamed/),
         qr/name=Cal Renamed /, 'SQL: a new name, seen by B');
    like(gate($a, $cal_tok), qr/name=Cal Renamed /, 'and by A');

    psql(qq{UPDATE member SET role = 'admin' WHERE id = 'inv-m-cal'});
    like(eventually(sub { gate($b, $cal_tok) }, qr/org_role=admin/),
         qr/org_role=admin\n/, 'SQL: a new role in the organization');

    psql(qq{DELETE FROM member WHERE id = 'inv-m-cal'});
    like(eventually(sub { gate($b, $cal_tok) }, qr/org_role=\n/),
         qr/org=$org1 org_role=\n/, 'SQL: no longer a member');

    is(gate($b, $cal_tok, '/super/x') =~ /^(\d+)/ && $1, 403,
       'no admin role yet');
    psql(qq{INSERT INTO admin_roles (id, user_id, role, created_at, updated_at)
            VALUES ('inv-ar', '$cal->{id}', 'SUPER_ADMIN', now(), now())});
    like(eventually(sub { gate($b, $cal_tok, '/super/x') }, qr/^200/),
         qr/^200 super $cal->{id}/, 'SQL: a SUPER_ADMIN granted');

    psql(qq{DELETE FROM session WHERE token = '$cal_tok'});
    like(eventually(sub { gate($b, $cal_tok) }, qr/^401/), qr/^401/,
         'SQL: the session deleted');
    is($servers->redis('GET', "athena:sess:$hash"), '-',
       "Redis holds the ended session's marker, never its token");
}

{
    my $r = api($a, 'POST', '/admin/api-key/create', $admin_tok,
                { name => 'inv key' });
    my $key = $r->{json}{key};
    like(gate($b, 'x', '/keyed/x') , qr/^401/, 'no key, no entry');
    my $keyed = sub {
        my $r = $b->request('GET', '/keyed/x', headers => ["x-api-key: $key"]);
        return "$r->{code} $r->{body}";
    };
    like($keyed->(), qr/^200 key=inv key /, 'B admits the key (cached)');
    psql(qq{UPDATE apikey SET enabled = false WHERE id = '$r->{json}{apiKey}{id}'});
    like(eventually($keyed, qr/^4/), qr/^4\d\d /, 'SQL: the key disabled');
}


# --- a bulk statement: one notification, everything dropped ----------------

{
    my $tok = create_session($ann->{id});
    like(gate($b, $tok), qr/^200 /, 'B admits a session of Ann (cached)');
    psql(qq{INSERT INTO session (id, "expiresAt", token, "createdAt",
            "updatedAt", "userId")
            SELECT 'inv-bulk-' || i, now() + interval '1 day',
                   'inv-bulk-' || i, now(), now(), '$cal->{id}'
            FROM generate_series(1, 1200) i});
    psql(qq{UPDATE session SET "expiresAt" = now() - interval '1 minute'
            WHERE "userId" IN ('$cal->{id}', '$ann->{id}')});
    like(eventually(sub { gate($b, $tok) }, qr/^401/), qr/^401/,
         'SQL: 1,200 sessions expired in one statement reach B');
    like($b->log_since(0), qr/purging the Redis cache/,
         'as a flush of everything');
}


# --- the listening connection killed ----------------------------------------

{
    my $dan = create_user(email => 'inv-dan@example.com', name => 'Dan');
    my $tok = create_session($dan->{id});
    like(gate($b, $tok), qr/name=Dan /, 'B: Dan, cached');

    my $offset = $b->log_size;
    # the change is made as the connection goes, before any reconnect
    psql(qq{SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'athena-auth-listen'
              AND pid <> pg_backend_pid();
            UPDATE "user" SET name = 'Dan Away' WHERE id = '$dan->{id}'});

    my $until = time + 5;
    sleep 0.05 until $b->log_since($offset) =~ /listening for cache/
                     || time > $until;
    like($b->log_since($offset), qr/\[error\].*connection was lost/,
         'B notices the lost connection');
    like($b->log_since($offset), qr/listening for cache notifications/,
         'and listens again');
    like(gate($b, $tok), qr/name=Dan Away /,
         'the change made while it was away is not served stale');

    psql(qq{UPDATE "user" SET name = 'Dan Back' WHERE id = '$dan->{id}'});
    like(eventually(sub { gate($b, $tok) }, qr/Back/), qr/name=Dan Back /,
         'and later changes arrive again');
}


# --- a real better-auth 1.7.25 on the same database ------------------------

{
    my $ba = sub {
        my ($method, $path, $token, $body) = @_;
        my $r = better_auth('http', {
            method => $method, path => "/api/auth$path",
            headers => { authorization => "Bearer $token",
                         'content-type' => 'application/json' },
            defined $body ? (body => $body) : () });
        return $r;
    };

    my $eve = create_user(email => 'inv-eve@example.com', name => 'Eve');
    my $tok = create_session($eve->{id}, active_org => $org1);
    psql(sprintf(q{INSERT INTO member (id, "organizationId", "userId", role,
                   "createdAt") VALUES ('inv-m-eve', '%s', '%s', 'member',
                   now()), ('inv-m-eve2', '%s', '%s', 'owner', now())},
                 $org1, $eve->{id}, $org2, $eve->{id}));
    like(gate($b, $tok), qr/org=$org1 /, 'B: Eve in org 1 (cached)');

    my $r = $ba->('POST', '/organization/set-active', $tok,
                  { organizationId => $org2 });
    is($r->{status}, 200, 'better-auth: Eve makes org 2 active');
    like(eventually(sub { gate($b, $tok) }, qr/org=$org2 /),
         qr/org=$org2 org_role=owner/, 'B sees it');

    $r = $ba->('POST', '/admin/set-role', $admin_tok,
               { userId => $eve->{id}, role => 'admin' });
    is($r->{status}, 200, 'better-auth: Eve made an admin');
    like(eventually(sub { gate($b, $tok) }, qr/role=admin /),
         qr/ role=admin /, 'B sees her role');

    $r = $ba->('POST', '/admin/ban-user', $admin_tok, { userId => $eve->{id} });
    is($r->{status}, 200, 'better-auth: Eve banned');
    like(eventually(sub { gate($b, $tok) }, qr/^(401|403)/), qr/^(401|403)/,
         'B refuses her');
    $ba->('POST', '/admin/unban-user', $admin_tok, { userId => $eve->{id} });

    # a session better-auth made, then ended by its sign-out
    my $in = better_auth('http', {
        method => 'POST', path => '/api/auth/sign-in/email',
        headers => { 'content-type' => 'application/json' },
        body => { email => 'inv-admin@example.com',
                  password => 'password-123' } });
    my $ba_tok = json_decode($in->{body})->{token};
    like(gate($b, $ba_tok), qr/^200 id=$admin->{id} /,
         "B admits better-auth's session");
    $ba->('POST', '/sign-out', $ba_tok);
    like(eventually(sub { gate($b, $ba_tok) }, qr/^401/), qr/^401/,
         "better-auth's sign-out reaches B");

    # revoke-session, seen by B's API
    my $tok2 = create_session($eve->{id});
    like(api($b, 'GET', '/get-session', $tok2)->{body}, qr/"token":"$tok2"/,
         "B's get-session has Eve's session (now cached)");
    $r = $ba->('POST', '/revoke-session', $tok2, { token => $tok2 });
    is($r->{status}, 200, 'better-auth: the session revoked');
    is(eventually(sub { api($b, 'GET', '/get-session', $tok2)->{body} },
                  qr/^null$/), 'null', "B's get-session says null");

    # a user either side makes signs in on the other
    $r = better_auth('http', {
        method => 'POST', path => '/api/auth/sign-up/email',
        headers => { 'content-type' => 'application/json' },
        body => { name => 'Gil', email => 'inv-gil@example.com',
                  password => 'password-gil-1' } });
    is($r->{status}, 200, 'better-auth signs Gil up');
    $r = api($b, 'POST', '/sign-in/email', undef,
             { email => 'inv-gil@example.com', password => 'password-gil-1' });
    is($r->{code}, 200, 'Gil signs in on the module');
    $r = api($a, 'POST', '/sign-up/email', undef,
             { name => 'Hal', email => 'inv-hal@example.com',
               password => 'password-hal-1' });
    is($r->{code}, 200, 'the module signs Hal up');
    $r = better_auth('http', {
        method => 'POST', path => '/api/auth/sign-in/email',
        headers => { 'content-type' => 'application/json' },
        body => { email => 'inv-hal@example.com',
                  password => 'password-hal-1' } });
    is($r->{status}, 200, 'Hal signs in on better-auth');
}


# --- a reload hands the listening over: nothing is dropped ----------------

{
    my $fay = create_user(email => 'inv-fay@example.com', name => 'Fay');
    my $tok = create_session($fay->{id});
    like(gate($b, $tok), qr/name=Fay /, 'B: Fay, cached');
    my $hash = sha256_hex($tok);

    my $offset = $b->log_size;
    $b->reload;
    my $until = time + 5;
    sleep 0.05 until $b->log_since($offset) =~ /handed over/ || time > $until;
    my $log = $b->log_since($offset);
    like($log, qr/listening for cache notifications, taken over/,
         'reload: the new worker takes the listening over');
    like($log, qr/cache notifications handed over/,
         'the old one hands it over once the new one listens');
    unlike($log, qr/purging|dropped/, 'and nothing cached is dropped');
    ok($servers->redis('GET', "athena:sess:$hash") ne '',
       'Redis still holds the session');
    is(psql(q{SELECT count(*) FROM pg_stat_activity
              WHERE application_name = 'athena-auth-listen'}), 2,
       'one listening connection per node again');

    # the zone kept its answer: with both backends down it still admits
    $servers->stop_redis;
    $servers->stop_postgres;
    like(gate($b, $tok), qr/^200 id=$fay->{id} /,
         "the reloaded node's zone still answers with its backends down");
    $servers->restart_postgres;
    $servers->start_redis;

    $until = time + 5;
    sleep 0.05 until psql(q{SELECT count(*) FROM pg_stat_activity
                            WHERE application_name = 'athena-auth-listen'})
                     == 2 || time > $until;
    psql(qq{UPDATE "user" SET name = 'Fay Later' WHERE id = '$fay->{id}'});
    like(eventually(sub { gate($b, $tok) }, qr/Later/), qr/name=Fay Later /,
         'after Postgres came back, B listens again');
}


# --- the node that stops listens no more ------------------------------------

$b->stop;
is(eventually(sub { psql(q{SELECT count(*) FROM pg_stat_activity
                           WHERE application_name = 'athena-auth-listen'}) },
              qr/^1$/), 1, 'a stopped node leaves no listening connection');
unlike($a->log_since(0), qr/\[(?:alert|crit|emerg)\]/, 'A: no alerts');

done_testing();
