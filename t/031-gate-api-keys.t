# API keys at the gate: "athena_auth_require api_key" admits a valid
# x-api-key (and only where it says so), key_permission= rules on the
# key's permissions, the key's variables for routing by Athena client;
# every refusal with the plugin's code: unknown, short, disabled, expired,
# deleted on this node then refused at once, over its quota, over its rate
# limit, wrong permission, banned owner. A key without quota or limit is
# answered from shared memory; one with either is counted every time.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers();

my $config = <<'CONF';
location /api/auth/ { athena_auth_api; }
location /keyed/ {
    athena_auth_require api_key;
    return 200 "user=$athena_user_id key=$athena_key_id name=$athena_key_name client=$athena_key_client session=$athena_session_id\n";
}
location /files/ {
    athena_auth_require key_permission=files:read;
    return 200 "files for $athena_user_id\n";
}
location /admins/ {
    athena_auth_require api_key role=admin;
    return 200 "admin $athena_user_id\n";
}
location /sessions-only/ {
    athena_auth_require on;
    return 200 "session $athena_user_id\n";
}
CONF

my $nginx = start_nginx(http_config => gate_http_config(ttl => '60s'),
                        config => $config, workers => 2, master => 1);

my $admin = create_user(email => 'gk-admin@example.com', role => 'admin');
my $ann = create_user(email => 'gk-ann@example.com');
my %tok = (admin => create_session($admin->{id}), ann => create_session($ann->{id}));

sub api {
    my ($method, $path, $who, $body) = @_;
    my $r = $nginx->request($method, "/api/auth$path",
        headers => [ "Authorization: Bearer $tok{$who}", 'Content-Type: application/json' ],
        body => $body ? json_encode($body) : undef);
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub gate {
    my ($uri, $key, @h) = @_;
    my $r = $nginx->request('GET', $uri,
        headers => [ defined $key ? "x-api-key: $key" : (), @h ]);
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub refusal { my ($r) = @_; return [ $r->{code}, $r->{json} && $r->{json}{code} ] }

psql(q{INSERT INTO athena_clients (id, client_name, is_active, created_at, updated_at)
       VALUES ('gc1', 'Billing', true, now(), now())});

my $r = api('POST', '/admin/api-key/create', 'admin',
            { name => 'billing svc', athenaClientName => 'billing',
              permissions => { files => ['read'] } });
my ($key, $rec) = @{ $r->{json} }{qw(key apiKey)};
ok($key, 'an admin key');


# --- a valid key: admitted, with its variables -----------------------------

$r = gate('/keyed/x', $key);
is($r->{code}, 200, 'a valid key is admitted');
is($r->{body}, "user=$admin->{id} key=$rec->{id} name=billing svc client=Billing session=\n",
   "the owner, the key's id, name and Athena client; no session");
is(gate('/keyed/x', $key)->{code}, 200, 'again (from shared memory)');
is(gate('/files/x', $key)->{code}, 200, 'key_permission=files:read: granted');
is(gate('/admins/x', $key)->{code}, 200, "role=admin: the owner's role");

is_deeply(refusal(gate('/sessions-only/x', $key)), [ 401, 'UNAUTHORIZED' ],
   'a location without api_key ignores the key');
is(gate('/sessions-only/x', undef, "Authorization: Bearer $key")->{code}, 401,
   "a key sent as a bearer token is no session, though its identity is cached");
is(gate('/keyed/x', undef, "Authorization: Bearer $tok{ann}")->{code}, 200,
   'a location with api_key still takes sessions');
like(gate('/keyed/x', $key, "Authorization: Bearer $tok{ann}")->{body}, qr/user=\Q$admin->{id}\E/,
     'the key wins over a session, as in the plugin');


# --- refusals, with the plugin's codes ---------------------------------------

is_deeply(refusal(gate('/keyed/x', 'z' x 64)), [ 401, 'INVALID_API_KEY' ], 'an unknown key');
is_deeply(refusal(gate('/keyed/x', 'short')), [ 403, 'INVALID_API_KEY' ], 'a short key: 403');
is_deeply(refusal(gate('/keyed/x', substr($key, 0, 63))), [ 403, 'INVALID_API_KEY' ], 'a truncated key');
is_deeply(refusal(gate('/keyed/x', $key . 'a')), [ 401, 'INVALID_API_KEY' ], 'a longer key');

$r = api('POST', '/admin/api-key/create', 'admin', { name => 'no files' });
my $plain_key = $r->{json}{key};
is_deeply(refusal(gate('/files/x', $plain_key)), [ 401, 'KEY_NOT_FOUND' ],
          'a key without the permission: KEY_NOT_FOUND, as the plugin');
is(gate('/keyed/x', $plain_key)->{code}, 200, 'the same key where no permission is asked');
is_deeply(refusal(gate('/files/x', $plain_key)), [ 401, 'KEY_NOT_FOUND' ],
          'and still refused once cached');

# disabled, then deleted, through this node: refused on the very next request
$r = api('POST', '/api-key/create', 'ann', { name => 'ann' });
my ($ak, $ak_id) = ($r->{json}{key}, $r->{json}{id});
psql(qq{UPDATE apikey SET "rateLimitEnabled" = false WHERE id = '$ak_id'});
$servers->redis('DEL', 'athena:ak:' . psql(qq{SELECT key FROM apikey WHERE id = '$ak_id'}));
is(gate('/keyed/x', $ak)->{code}, 200, "a user's key, no limit");
is(gate('/keyed/x', $ak)->{code}, 200, 'cached');
api('POST', '/api-key/update', 'ann', { keyId => $ak_id, enabled => JSON::PP::false });
is_deeply(refusal(gate('/keyed/x', $ak)), [ 401, 'KEY_DISABLED' ], 'disabled: refused at once');
api('POST', '/api-key/update', 'ann', { keyId => $ak_id, enabled => JSON::PP::true });
is(gate('/keyed/x', $ak)->{code}, 200, 'enabled again');
is(api('POST', '/api-key/delete', 'ann', { keyId => $ak_id })->{code}, 200, 'deleted');
is_deeply(refusal(gate('/keyed/x', $ak)), [ 401, 'INVALID_API_KEY' ], 'deleted: refused at once');

# expired
$r = api('POST', '/admin/api-key/create', 'admin', { name => 'soon', expiresIn => 1 });
my $soon = $r->{json}{key};
is(gate('/keyed/x', $soon)->{code}, 200, 'a key expiring in a second');
sleep 2;
is_deeply(refusal(gate('/keyed/x', $soon)), [ 401, 'KEY_EXPIRED' ],
          'expired: refused, whatever the cache held');

# a banned owner
psql(qq{UPDATE "user" SET banned = true WHERE id = '$ann->{id}'});
$r = api('POST', '/admin/api-key/create', 'admin', {});
psql(qq{UPDATE apikey SET "referenceId" = '$ann->{id}' WHERE id = '$r->{json}{apiKey}{id}'});
is_deeply(refusal(gate('/keyed/x', $r->{json}{key})), [ 403, 'BANNED_USER' ], "a banned owner's key");
psql(qq{UPDATE "user" SET banned = false WHERE id = '$ann->{id}'});


# the owner changes through this node: its cached keys are read afresh
my $boss = create_user(email => 'gk-boss@example.com', role => 'admin');
$tok{boss} = create_session($boss->{id});
$r = api('POST', '/admin/api-key/create', 'boss', { name => 'boss key' });
my $bk = $r->{json}{key};
is(gate('/admins/x', $bk)->{code}, 200, "an admin's key at an admins' location (now cached)");
is(api('POST', '/admin/set-role', 'admin', { userId => $boss->{id}, role => 'user' })->{code},
   200, 'the owner is made a user');
is_deeply(refusal(gate('/admins/x', $bk)), [ 403, 'FORBIDDEN' ], 'refused at once: the role is read afresh');
is(gate('/keyed/x', $bk)->{code}, 200, 'still a valid key where any owner may pass');
is(api('POST', '/admin/ban-user', 'admin', { userId => $boss->{id} })->{code}, 200, 'the owner is banned');
is_deeply(refusal(gate('/keyed/x', $bk)), [ 403, 'BANNED_USER' ], 'refused at once');
is(api('POST', '/admin/remove-user', 'admin', { userId => $boss->{id} })->{code}, 200, 'the owner is removed');
is_deeply(refusal(gate('/keyed/x', $bk)), [ 401, 'INVALID_REFERENCE_ID_FROM_API_KEY' ],
          'its key (the plugin keeps it) no longer admits');


# --- counted keys: every request is a use -----------------------------------

$r = api('POST', '/api-key/create', 'admin', { name => 'limited' });
my ($lk, $lk_id) = ($r->{json}{key}, $r->{json}{id});
psql(qq{UPDATE apikey SET "rateLimitMax" = 3, "rateLimitTimeWindow" = 60000 WHERE id = '$lk_id'});
$servers->redis('DEL', 'athena:ak:' . psql(qq{SELECT key FROM apikey WHERE id = '$lk_id'}));
my @codes = map { gate('/keyed/x', $lk)->{code} } 1 .. 4;
is_deeply(\@codes, [ 200, 200, 200, 429 ], 'a limit of 3 a minute: the 4th is refused');
is(refusal(gate('/keyed/x', $lk))->[1], 'RATE_LIMITED', 'RATE_LIMITED');

$r = api('POST', '/api-key/create', 'admin', { name => 'quota' });
my ($qk, $qk_id) = ($r->{json}{key}, $r->{json}{id});
psql(qq{UPDATE apikey SET remaining = 2, "rateLimitEnabled" = false WHERE id = '$qk_id'});
$servers->redis('DEL', 'athena:ak:' . psql(qq{SELECT key FROM apikey WHERE id = '$qk_id'}));
@codes = map { gate('/keyed/x', $qk)->{code} } 1 .. 3;
is_deeply(\@codes, [ 200, 200, 429 ], 'a quota of 2: the 3rd is refused');
is(psql(qq{SELECT count(*) FROM apikey WHERE id = '$qk_id'}), 0, 'and the spent key deleted');

# the location's permission is checked before a use is spent
$r = api('POST', '/api-key/create', 'admin', { name => 'quota2' });
my ($q2, $q2_id) = ($r->{json}{key}, $r->{json}{id});
psql(qq{UPDATE apikey SET remaining = 5, "rateLimitEnabled" = false WHERE id = '$q2_id'});
$servers->redis('DEL', 'athena:ak:' . psql(qq{SELECT key FROM apikey WHERE id = '$q2_id'}));
is_deeply(refusal(gate('/files/x', $q2)), [ 401, 'KEY_NOT_FOUND' ], 'a quota key without the permission');
is(psql(qq{SELECT remaining FROM apikey WHERE id = '$q2_id'}), 5, 'spends nothing');

my $log = $nginx->log_since(0);
unlike($log, qr/\[alert\]|\[crit\]|exited on signal/, 'no alert');

$nginx->stop;
done_testing();
