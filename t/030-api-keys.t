# API keys at the API: the api-key plugin's routes with their order of
# checks, codes and messages; a presented key checked in the plugin's order
# (exists, enabled, expiry, permissions, remaining / refill, its own rate
# limit counted in Redis and shared by nodes, in Postgres while Redis is
# away); x-api-key as its owner's session on every route; Athena's
# /admin/api-key/create with its Athena client and audit row; and nothing
# written by a refusal.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Digest::SHA qw(sha256_base64 sha256_hex);
use Athena::Test;

my $servers = servers();
my $nginx = start_nginx();

my $T = JSON::PP::true;
my $F = JSON::PP::false;

my $admin = create_user(email => 'key-admin@example.com', role => 'admin');
my $ann = create_user(email => 'key-ann@example.com');
my $bob = create_user(email => 'key-bob@example.com');
my %tok = map { $_->[0] => create_session($_->[1]{id}) }
          ([admin => $admin], [ann => $ann], [bob => $bob]);

# a call: token => Bearer session, key => x-api-key, body => JSON
sub call {
    my ($method, $path, %o) = @_;
    my @h;
    push @h, "Authorization: Bearer $tok{$o{token}}" if $o{token};
    push @h, "x-api-key: $o{key}" if defined $o{key};
    push @h, 'Content-Type: application/json' if defined $o{body};
    my $n = $o{node} || $nginx;
    my $r = $n->request($method, "/api/auth$path", headers => \@h,
        body => defined $o{body} ? (ref $o{body} ? json_encode($o{body}) : $o{body})
                                 : undef);
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub verify {
    my ($key, %o) = @_;
    my $r = call('POST', '/api-key/verify', body => { key => $key, %o });
    return $r->{json};
}

sub err { my ($r) = @_; return [ $r->{code}, $r->{json} ] }

sub keys_count { psql('SELECT count(*) FROM apikey') }

sub stored { my ($id, $col) = @_; psql(qq{SELECT "$col" FROM apikey WHERE id = '$id'}) }


# --- POST /api-key/create: refusals, in the plugin's order ---------------

my $before = keys_count();
my @refusals = (
    [ 'no session', {}, undef,
      [401, { code => 'UNAUTHORIZED_SESSION', message => 'Unauthorized or invalid session' }] ],
    [ 'a server-only field, before the session', { permissions => { a => ['b'] } }, undef,
      [400, { code => 'SERVER_ONLY_PROPERTY', message => "The property you're trying to set can only be set from the server auth instance only." }] ],
    [ 'remaining (not null)', { remaining => 5 }, 'ann',
      [400, { code => 'SERVER_ONLY_PROPERTY', message => "The property you're trying to set can only be set from the server auth instance only." }] ],
    [ 'rateLimitEnabled', { rateLimitEnabled => $F }, 'ann',
      [400, { code => 'SERVER_ONLY_PROPERTY', message => "The property you're trying to set can only be set from the server auth instance only." }] ],
    [ 'userId over HTTP', { userId => $bob->{id} }, 'ann',
      [401, { code => 'UNAUTHORIZED_SESSION', message => 'Unauthorized or invalid session' }] ],
    [ 'metadata not an object', { metadata => 'text' }, 'ann',
      [400, { code => 'INVALID_METADATA_TYPE', message => 'metadata must be an object or undefined' }] ],
    [ 'expiresIn under a day', { expiresIn => 3600 }, 'ann',
      [400, { code => 'EXPIRES_IN_IS_TOO_SMALL', message => 'The expiresIn is smaller than the predefined minimum value.' }] ],
    [ 'expiresIn over 365 days', { expiresIn => 366 * 86400 }, 'ann',
      [400, { code => 'EXPIRES_IN_IS_TOO_LARGE', message => 'The expiresIn is larger than the predefined maximum value.' }] ],
    [ 'a prefix of 33', { prefix => 'p' x 33 }, 'ann',
      [400, { code => 'INVALID_PREFIX_LENGTH', message => 'The prefix length is either too large or too small.' }] ],
    [ 'a name of 33', { name => 'n' x 33 }, 'ann',
      [400, { code => 'INVALID_NAME_LENGTH', message => 'The name length is either too large or too small.' }] ],
    [ 'a prefix with a space', { prefix => 'my key' }, 'ann',
      [400, { code => 'VALIDATION_ERROR', message => '[body.prefix] Invalid prefix format, must be alphanumeric and contain only underscores and hyphens.' }] ],
    [ 'expiresIn below 1', { expiresIn => -5 }, 'ann',
      [400, { code => 'VALIDATION_ERROR', message => '[body.expiresIn] Too small: expected number to be >=1' }] ],
    [ 'expiresIn a string', { expiresIn => '86400' }, 'ann',
      [400, { code => 'VALIDATION_ERROR', message => '[body.expiresIn] Invalid input: expected number, received string' }] ],
    [ 'a name that is a number', { name => 7 }, 'ann',
      [400, { code => 'VALIDATION_ERROR', message => '[body.name] Invalid input: expected string, received number' }] ],
);
for my $t (@refusals) {
    my ($what, $body, $who, $want) = @$t;
    is_deeply(err(call('POST', '/api-key/create', token => $who, body => $body)),
              $want, "create refused: $what");
}
is_deeply(err(call('POST', '/api-key/create', token => 'ann', body => '[1]')),
          [400, { code => 'VALIDATION_ERROR', message => '[body] Invalid input: expected object, received array' }],
          'create refused: a body that is no object');
is(keys_count(), $before, 'no refused create wrote a key');


# --- a key made over HTTP: the plugin's defaults --------------------------

my $r = call('POST', '/api-key/create', token => 'ann',
             body => { name => 'ci', prefix => 'ann_', expiresIn => 2 * 86400,
                       metadata => { env => 'ci' } });
is($r->{code}, 200, 'create');
my $ak = $r->{json};
like($ak->{key}, qr/^ann_[A-Za-z]{64}$/, 'the key: the prefix and 64 letters');
is($ak->{start}, substr($ak->{key}, 0, 6), 'start: its first six characters');
is_deeply([ @$ak{qw(referenceId configId enabled rateLimitEnabled rateLimitTimeWindow rateLimitMax requestCount remaining refillAmount refillInterval permissions)} ],
          [ $ann->{id}, 'default', $T, $T, 86400000, 10, 0, undef, undef, undef, undef ],
          "the plugin's defaults: 10 uses a day, no quota, no permissions");
is_deeply($ak->{metadata}, { env => 'ci' }, 'metadata as given');
ok(!exists $ak->{hash} && !grep({ defined && /^[A-Za-z0-9_-]{43}$/ } values %$ak),
   'the hash is never answered');

my $py = q{import base64, hashlib, sys
print(base64.urlsafe_b64encode(hashlib.sha256(sys.argv[1].encode()).digest()).decode().rstrip("="))};
my $want = `python3 -c '$py' '$ak->{key}'`;
chomp $want;
is(stored($ak->{id}, 'key'), $want, "stored as Python's base64url(SHA-256(key))");
is(stored($ak->{id}, 'metadata'), '{"env":"ci"}', 'metadata stored as JSON text');

$r = call('POST', '/api-key/create', token => 'ann', body => {});
is(stored($r->{json}{id}, 'metadata'), 'null',
   'no metadata: the text "null", as the plugin stores it');
is($r->{json}{expiresAt}, undef, 'no expiresIn: no expiry');
call('POST', '/api-key/delete', token => 'ann', body => { keyId => $r->{json}{id} });


# --- a presented key, in the plugin's order --------------------------------

is_deeply(verify('x' x 64), { valid => $F, key => undef,
    error => { code => 'INVALID_API_KEY', message => 'Invalid API key.' } },
    'an unknown key: INVALID_API_KEY');
is(verify(substr($ak->{key}, 0, 67))->{error}{code}, 'INVALID_API_KEY', 'a truncated key');
is(verify('ann_')->{error}{code}, 'INVALID_API_KEY', 'the prefix alone');
is(verify($ak->{key} . 'a')->{error}{code}, 'INVALID_API_KEY', 'a key with one more letter');

my $v = verify($ak->{key});
is_deeply([ $v->{valid}, $v->{error}, $v->{key}{id}, $v->{key}{requestCount} ],
          [ $T, undef, $ak->{id}, 1 ], 'a valid key: counted once');
is($v->{key}{key}, undef, 'verify never answers the key');
is(verify($ak->{key}, configId => 'other')->{error}{code}, 'INVALID_API_KEY',
   "another configuration's key is not this one");

# the per-key rate limit: 10 a day, counted in Redis, the 11th refused
my @valid = map { verify($ak->{key})->{valid} ? 1 : 0 } 2 .. 10;
is_deeply(\@valid, [ (1) x 9 ], 'uses 2 to 10 pass');
$v = verify($ak->{key});
is_deeply([ $v->{valid}, $v->{error}{code}, $v->{error}{message} ],
          [ $F, 'RATE_LIMITED', 'Rate limit exceeded.' ], 'the 11th: RATE_LIMITED');
ok($v->{error}{details}{tryAgainIn} > 86_000_000
   && $v->{error}{details}{tryAgainIn} <= 86_400_000,
   "details.tryAgainIn: the day's rest ($v->{error}{details}{tryAgainIn} ms)");
like($servers->redis('HGET', "athena:akrl:$ak->{id}", 'n'), qr/^10$/,
     'the count lives in Redis');
is(stored($ak->{id}, 'requestCount'), 1,
   'Postgres got the first use and folds the rest (at most one write a minute)');
ok(length stored($ak->{id}, 'lastRequest'), 'lastRequest written');

# a second node on the same Redis shares the count
my $node2 = start_nginx();
is(call('POST', '/api-key/verify', node => $node2, body => { key => $ak->{key} })
       ->{json}{error}{code},
   'RATE_LIMITED', 'another node refuses the same key: the count is shared');
$node2->stop;

# disabled before expired; expired keys are deleted when presented
$r = call('POST', '/api-key/create', token => 'ann', body => { name => 'exp' });
my $exp = $r->{json};
verify($exp->{key});    # cached in Redis now
is(call('POST', '/api-key/update', token => 'ann',
        body => { keyId => $exp->{id}, enabled => $F })->{json}{enabled},
   $F, 'update disables');
is(verify($exp->{key})->{error}{code}, 'KEY_DISABLED',
   'refused at once: the cached key was dropped');
psql(qq{UPDATE apikey SET "expiresAt" = now() - interval '1 minute' WHERE id = '$exp->{id}'});
$servers->redis('DEL', 'athena:ak:' . stored($exp->{id}, 'key'));
is(verify($exp->{key})->{error}{code}, 'KEY_DISABLED', 'disabled is checked before expiry');
is(keys_count_of($exp->{id}), 1, 'and the disabled expired key is kept');
psql(qq{UPDATE apikey SET enabled = true WHERE id = '$exp->{id}'});
$servers->redis('DEL', 'athena:ak:' . stored($exp->{id}, 'key'));
is_deeply(verify($exp->{key})->{error},
          { code => 'KEY_EXPIRED', message => 'API Key has expired' }, 'KEY_EXPIRED');
is(keys_count_of($exp->{id}), 0, 'the expired key is deleted');
is(verify($exp->{key})->{error}{code}, 'INVALID_API_KEY', 'and then unknown');

sub keys_count_of { psql(qq{SELECT count(*) FROM apikey WHERE id = '$_[0]'}) }


# --- quota and refill (server-set fields, set here in SQL) ------------------

sub server_key {
    my (%set) = @_;
    my $r = call('POST', '/api-key/create', token => 'ann', body => {});
    my $k = $r->{json};
    my $sets = join ', ', map { qq{"$_" = $set{$_}} } sort keys %set;
    psql(qq{UPDATE apikey SET $sets WHERE id = '$k->{id}'}) if $sets;
    return $k;
}

my $q = server_key(remaining => 2, rateLimitEnabled => 'false');
is(verify($q->{key})->{key}{remaining}, 1, 'a quota of 2: one left');
is(verify($q->{key})->{key}{remaining}, 0, 'none left');
is_deeply(verify($q->{key})->{error},
          { code => 'USAGE_EXCEEDED', message => 'API Key has reached its usage limit' },
          'then USAGE_EXCEEDED');
is(keys_count_of($q->{id}), 0, 'a spent key without refill is deleted');

my $rf = server_key(remaining => 1, refillAmount => 3, refillInterval => 1000,
                    rateLimitEnabled => 'false');
is(verify($rf->{key})->{key}{remaining}, 0, 'refill: the last unit');
is(verify($rf->{key})->{error}{code}, 'USAGE_EXCEEDED', 'none until the refill');
is(keys_count_of($rf->{id}), 1, 'a key that refills is kept');
select(undef, undef, undef, 1.2);
$v = verify($rf->{key});
is_deeply([ $v->{valid}, $v->{key}{remaining} ], [ $T, 2 ],
          'after the interval: refilled to 3, this use takes one');
ok(defined $v->{key}{lastRefillAt}, 'lastRefillAt set');

my $both = server_key(remaining => 5, rateLimitMax => 1, rateLimitTimeWindow => 60000);
ok(verify($both->{key})->{valid}, 'quota and limit: the first use');
is(verify($both->{key})->{error}{code}, 'RATE_LIMITED', 'the second is rate limited');
is(stored($both->{id}, 'remaining'), 3,
   "and its quota unit is spent anyway, as the plugin's is");

# Redis away: Postgres counts, with the same rule
my $pg = server_key(rateLimitMax => 2, rateLimitTimeWindow => 60000);
$servers->stop_redis;
ok(verify($pg->{key})->{valid} && verify($pg->{key})->{valid}, 'Redis down: two uses');
is(verify($pg->{key})->{error}{code}, 'RATE_LIMITED', 'the third refused by Postgres');
is(stored($pg->{id}, 'requestCount'), 2, 'counted in the row');
$servers->start_redis;
sleep 3;   # the module rests Redis after a failure


# --- permissions ----------------------------------------------------------

$r = call('POST', '/admin/api-key/create', token => 'admin',
          body => { name => 'svc', permissions => { files => ['read', 'write'], users => ['read'] } });
is($r->{code}, 200, 'an admin key with permissions');
my $pk = $r->{json}{key};
for my $t ([ { files => ['read'] }, $T ], [ { files => ['read'], users => ['read'] }, $T ],
           [ { files => ['read', 'delete'] }, $F ], [ { admin => ['x'] }, $F ],
           [ {}, $F ], [ { files => [] }, $F ])
{
    my $v = verify($pk, permissions => $t->[0]);
    is_deeply([ $v->{valid}, $v->{error} && $v->{error}{code} ],
              [ $t->[1], $t->[1] ? undef : 'KEY_NOT_FOUND' ],
              'permissions ' . json_encode($t->[0]) . ': ' . ($t->[1] ? 'granted' : 'KEY_NOT_FOUND'));
}
is(verify($ak->{key}, permissions => { files => ['read'] })->{error}{code}, 'KEY_NOT_FOUND',
   'a key without permissions grants none');
is_deeply(err(call('POST', '/api-key/verify', body => { key => $pk, permissions => { files => 'read' } })),
          [400, { code => 'VALIDATION_ERROR', message => '[body.permissions] Invalid input: expected record, received object' }],
          'permissions whose actions are not a list: 400');
is(err(call('POST', '/api-key/verify', body => { key => 5 }))->[0], 400, 'a key that is a number: 400');


# --- x-api-key as its owner's session ----------------------------------------

$r = call('POST', '/admin/api-key/create', token => 'admin', body => { name => 'admin-key' });
my $admin_key = $r->{json}{key};
$r = call('POST', '/api-key/create', token => 'ann', body => { name => 'ann-session' });
my $ann_key = $r->{json}{key};
my $ann_key_id = $r->{json}{id};

$r = call('GET', '/get-session', key => $ann_key);
is($r->{code}, 200, 'get-session with x-api-key');
is_deeply([ $r->{json}{user}{id}, $r->{json}{session}{id}, $r->{json}{session}{token},
            $r->{json}{session}{userId} ],
          [ $ann->{id}, $ann_key_id, $ann_key, $ann->{id} ],
          "the owner's, the key's id and the key as token");
ok(!exists $r->{json}{session}{activeOrganizationId},
   'no session row: no activeOrganizationId, as the plugin answers');
is(call('GET', '/get-session', key => $ann_key, token => 'bob')->{json}{user}{id},
   $ann->{id}, 'the key wins over a bearer session');
is_deeply(err(call('GET', '/get-session', key => 'short', token => 'bob')),
          [403, { code => 'INVALID_API_KEY', message => 'Invalid API key.' }],
          'a key shorter than 64: 403, without a lookup');
is_deeply(err(call('GET', '/get-session', key => 'y' x 64, token => 'bob')),
          [401, { code => 'INVALID_API_KEY', message => 'Invalid API key.' }],
          'an unknown key fails the request even with a valid session');
is(call('GET', '/admin/list-users', key => $admin_key)->{code}, 200,
   "an admin's key reaches the admin routes");
is(call('GET', '/admin/list-users', key => $ann_key)->{code}, 403,
   "a user's key does not");
is(call('GET', '/api-key/list', key => $ann_key)->{json}{total},
   psql(qq{SELECT count(*) FROM apikey WHERE "referenceId" = '$ann->{id}'}),
   'the plugin routes take it as a session');

psql(qq{UPDATE "user" SET banned = true WHERE id = '$bob->{id}'});
$r = call('POST', '/api-key/create', token => 'ann', body => {});
psql(qq{UPDATE apikey SET "referenceId" = '$bob->{id}' WHERE id = '$r->{json}{id}'});
is_deeply(err(call('GET', '/get-session', key => $r->{json}{key})),
          [401, { code => 'USER_BANNED', message => 'User is banned' }],
          "a banned owner's key is refused");
psql(qq{UPDATE apikey SET "referenceId" = 'nobody' WHERE id = '$r->{json}{id}'});
$servers->redis('DEL', 'athena:ak:' . stored($r->{json}{id}, 'key'));
is_deeply(err(call('GET', '/get-session', key => $r->{json}{key})),
          [401, { code => 'INVALID_REFERENCE_ID_FROM_API_KEY',
                  message => 'The reference id from the API key is invalid.' }],
          'a key whose owner is gone');
psql(qq{UPDATE "user" SET banned = false WHERE id = '$bob->{id}'});


# --- get, list, update, delete -----------------------------------------------

is_deeply(err(call('GET', "/api-key/get?id=$ann_key_id")),
          [401, { code => 'UNAUTHORIZED', message => 'Unauthorized' }], 'get: no session');
is_deeply(err(call('GET', '/api-key/get', token => 'ann')),
          [400, { code => 'VALIDATION_ERROR', message => '[query.id] Invalid input: expected string, received undefined' }],
          'get: no id');
is_deeply(err(call('GET', "/api-key/get?id=$ann_key_id", token => 'bob')),
          [404, { code => 'KEY_NOT_FOUND', message => 'API Key not found' }],
          "get: someone else's key is not found");
is(call('GET', "/api-key/get?id=$ann_key_id", token => 'ann')->{json}{name}, 'ann-session', 'get');

$r = call('GET', '/api-key/list?sortBy=name&sortDirection=desc&limit=2&offset=1', token => 'ann');
is_deeply([ $r->{json}{total}, $r->{json}{limit}, $r->{json}{offset},
            [ map { $_->{id} } @{ $r->{json}{apiKeys} } ] ],
          [ psql(qq{SELECT count(*) FROM apikey WHERE "referenceId" = '$ann->{id}'}), 2, 1,
            [ split /,/, psql(qq{SELECT string_agg(id, ',' ORDER BY o) FROM
                                   (SELECT id, row_number() OVER (ORDER BY name DESC NULLS FIRST,
                                           "createdAt", id) AS o
                                    FROM apikey WHERE "referenceId" = '$ann->{id}') s
                                  WHERE o BETWEEN 2 AND 3}) ] ],
          'list: sorted, paged, with the total before paging');
ok(!exists call('GET', '/api-key/list', token => 'ann')->{json}{limit},
   'list: no limit given, none answered');
is(err(call('GET', '/api-key/list?limit=-1', token => 'ann'))->[0], 400, 'list: a negative limit');
is(err(call('GET', '/api-key/list?sortBy=key', token => 'ann'))->[0], 400,
   'list: sorting by the hash is refused');
is_deeply(err(call('GET', '/api-key/list?organizationId=nowhere', token => 'ann')),
          [403, { code => 'USER_NOT_MEMBER_OF_ORGANIZATION',
                  message => 'You are not a member of the organization that owns this API key.' }],
          "list: an organization's keys need a membership");

my $upd_before = stored($ann_key_id, 'updatedAt');
$r = call('POST', '/api-key/update', token => 'ann',
          body => { keyId => $ann_key_id, name => 'renamed', expiresIn => 86400 * 3,
                    metadata => { a => 1 } });
is_deeply([ $r->{code}, $r->{json}{name}, $r->{json}{metadata} ], [ 200, 'renamed', { a => 1 } ],
          'update: name, expiry and metadata');
is(stored($ann_key_id, 'updatedAt'), $upd_before, 'update leaves updatedAt, as the plugin');
$r = call('POST', '/api-key/update', token => 'ann', body => { keyId => $ann_key_id, expiresIn => undef });
is($r->{json}{expiresAt}, undef, 'expiresIn null removes the expiry');
my @upd = (
    [ { keyId => $ann_key_id }, 'ann', [400, { code => 'NO_VALUES_TO_UPDATE', message => 'No values to update.' }] ],
    [ { keyId => $ann_key_id, remaining => 5 }, 'ann', [400, { code => 'SERVER_ONLY_PROPERTY', message => "The property you're trying to set can only be set from the server auth instance only." }] ],
    [ { keyId => $ann_key_id, name => 'x' }, undef, [401, { code => 'UNAUTHORIZED_SESSION', message => 'Unauthorized or invalid session' }] ],
    [ { keyId => $ann_key_id, name => 'x' }, 'bob', [404, { code => 'KEY_NOT_FOUND', message => 'API Key not found' }] ],
    [ { keyId => $ann_key_id, metadata => [1] }, 'ann', [400, { code => 'INVALID_METADATA_TYPE', message => 'metadata must be an object or undefined' }] ],
    [ { keyId => $ann_key_id, expiresIn => 60 }, 'ann', [400, { code => 'EXPIRES_IN_IS_TOO_SMALL', message => 'The expiresIn is smaller than the predefined minimum value.' }] ],
    [ { keyId => $ann_key_id, enabled => 'no' }, 'ann', [400, { code => 'VALIDATION_ERROR', message => '[body.enabled] Invalid input: expected boolean, received string' }] ],
    [ { name => 'x' }, 'ann', [400, { code => 'VALIDATION_ERROR', message => '[body.keyId] Invalid input: expected string, received undefined' }] ],
);
my $row_before = psql(qq{SELECT row_to_json(a)::text FROM apikey a WHERE id = '$ann_key_id'});
for my $t (@upd) {
    is_deeply(err(call('POST', '/api-key/update', token => $t->[1], body => $t->[0])),
              $t->[2], 'update refused: ' . json_encode($t->[0]));
}
is(psql(qq{SELECT row_to_json(a)::text FROM apikey a WHERE id = '$ann_key_id'}), $row_before,
   'no refused update changed the row');

ok(call('GET', '/get-session', key => $ann_key)->{json}{user}, 'the key works (and is cached)');
is_deeply(err(call('POST', '/api-key/delete', token => 'bob', body => { keyId => $ann_key_id })),
          [404, { code => 'KEY_NOT_FOUND', message => 'API Key not found' }],
          "delete: someone else's key");
# (the session cache would carry the old user for its TTL: dropped here)
psql(qq{UPDATE "user" SET banned = true WHERE id = '$ann->{id}'});
$servers->redis('DEL', 'athena:sess:' . sha256_hex($tok{ann}));
is_deeply(err(call('POST', '/api-key/delete', token => 'ann', body => { keyId => $ann_key_id })),
          [401, { code => 'USER_BANNED', message => 'User is banned' }], 'delete: a banned owner');
psql(qq{UPDATE "user" SET banned = false WHERE id = '$ann->{id}'});
$servers->redis('DEL', 'athena:sess:' . sha256_hex($tok{ann}));
is_deeply(err(call('POST', '/api-key/delete', token => 'ann', body => { keyId => $ann_key_id })),
          [200, { success => $T }], 'delete');
is(err(call('GET', '/get-session', key => $ann_key))->[0], 401,
   'the deleted key is refused on the very next request');


# --- Athena's /admin/api-key/create -------------------------------------------

my $audits = psql(q{SELECT count(*) FROM admin_audit_logs WHERE action = 'admin.api_key.create'});
$before = keys_count();
my @admin_refusals = (
    [ 'not an admin', { name => 'x' }, 'ann', 403, 'YOU_ARE_NOT_ALLOWED_TO_CREATE_API_KEYS' ],
    [ 'expiresIn 0', { expiresIn => 0 }, 'admin', 400, 'VALIDATION_ERROR' ],
    [ 'expiresIn a fraction', { expiresIn => 1.5 }, 'admin', 400, 'VALIDATION_ERROR' ],
    [ 'expiresIn over a year', { expiresIn => 31536001 }, 'admin', 400, 'VALIDATION_ERROR' ],
    [ 'a name of 65', { name => 'n' x 65 }, 'admin', 400, 'VALIDATION_ERROR' ],
    [ 'a blank name', { name => '   ' }, 'admin', 400, 'VALIDATION_ERROR' ],
    [ 'permissions a list', { permissions => ['files'] }, 'admin', 400, 'VALIDATION_ERROR' ],
    [ 'an empty action list', { permissions => { files => [] } }, 'admin', 400, 'VALIDATION_ERROR' ],
    [ 'an action that is a number', { permissions => { files => [1] } }, 'admin', 400, 'VALIDATION_ERROR' ],
    [ 'an empty action', { permissions => { files => [''] } }, 'admin', 400, 'VALIDATION_ERROR' ],
    [ 'metadata a string', { metadata => 'x' }, 'admin', 400, 'VALIDATION_ERROR' ],
    [ 'an unknown client', { athenaClientName => 'nope' }, 'admin', 404, 'ATHENA_CLIENT_NOT_FOUND' ],
);
psql(q{INSERT INTO athena_clients (id, client_name, is_active, created_at, updated_at)
       VALUES ('c1', 'Billing', true, now(), now()), ('c2', 'old', false, now(), now())});
push @admin_refusals, [ 'an inactive client', { athenaClientName => 'old' }, 'admin', 400, 'ATHENA_CLIENT_INACTIVE' ];
for my $t (@admin_refusals) {
    my ($what, $body, $who, $code, $ecode) = @$t;
    my $r = call('POST', '/admin/api-key/create', token => $who, body => $body);
    is_deeply([ $r->{code}, $r->{json} && $r->{json}{code} ], [ $code, $ecode ],
              "admin create refused: $what");
}
is(call('POST', '/admin/api-key/create', body => {})->{code}, 401, 'admin create: no session');
is(keys_count(), $before, 'no refused admin create wrote a key');

$r = call('POST', '/admin/api-key/create', token => 'admin',
          body => { name => '  billing svc  ', expiresIn => 3600, athenaClientName => 'billing',
                    permissions => { files => ['read'] },
                    metadata => { team => 'b', athenaClientName => 'forged' } });
is($r->{code}, 200, 'admin create');
my ($key, $rec) = @{ $r->{json} }{qw(key apiKey)};
like($key, qr/^[A-Za-z]{64}$/, "the plugin's format, no prefix");
is_deeply([ @$rec{qw(name userId referenceId enabled rateLimitEnabled rateLimitMax remaining)} ],
          [ 'billing svc', $admin->{id}, $admin->{id}, $T, $F, undef, undef ],
          "the admin's, trimmed, no quota and no rate limit");
is_deeply($rec->{metadata}, { team => 'b', athenaClientName => 'Billing' },
          "the client in metadata, in the registry's spelling, over the caller's");
ok(!exists $rec->{key}, 'the record carries no key');
my $expires = $rec->{expiresAt};
ok(defined $expires, 'expires in an hour');

my $row = json_decode(psql(q{SELECT row_to_json(a)::text FROM admin_audit_logs a
                             WHERE action = 'admin.api_key.create' AND success
                             ORDER BY created_at DESC LIMIT 1}));
is_deeply([ @$row{qw(actor_user_id target_type target_id)}, $row->{metadata}{details} ],
          [ $admin->{id}, 'api_key', $rec->{id},
            { name => 'billing svc', athenaClientName => 'Billing', expiresAt => $expires } ],
          'audited with its details');
is(psql(q{SELECT count(*) FROM admin_audit_logs WHERE action = 'admin.api_key.create'}) - $audits,
   scalar(@admin_refusals) + 1, 'every refusal with an actor audited too');
my $hash = sha256_base64($key) =~ tr{+/}{-_}r;
is(psql(qq{SELECT count(*) FROM admin_audit_logs WHERE metadata::text LIKE '%$key%'
                                                  OR metadata::text LIKE '%$hash%'}),
   0, 'the audit log holds neither the key nor its hash');

ok(verify($key)->{valid}, 'the first use');
my $first = stored($rec->{id}, 'lastRequest');
ok(length $first, 'writes lastRequest');
my @uses = map { verify($key)->{valid} ? 1 : 0 } 1 .. 15;
is_deeply(\@uses, [ (1) x 15 ], 'no rate limit: 15 more uses');
is(stored($rec->{id}, 'lastRequest'), $first,
   'folded: no other write within the minute');
is($servers->redis('EXISTS', "athena:akrl:$rec->{id}"), 0, 'and no Redis counter');
is(stored($rec->{id}, 'requestCount'), 0, 'requestCount not counted (no limit)');

my $log = $nginx->log_since(0);
unlike($log, qr/\[alert\]|\[crit\]|exited on signal/, 'no alert');

$nginx->stop;
done_testing();
