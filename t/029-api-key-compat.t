# API keys shared both ways with the REAL better-auth 1.7.25 and
# @better-auth/api-key 1.7.5 (t/compat, installed by scripts/compat-deps.sh)
# on the same Postgres: a key the module makes verifies in better-auth and
# is stored as Python's base64url(SHA-256(key)); a key better-auth makes
# verifies at the module (permissions included) and opens its get-session;
# both sides answer /api-key/get and /api-key/list alike; a key disabled on
# one side or deleted on the other is refused by both.
#
# Usage on a key: a key made over HTTP allows 10 accepted uses a day
# (better-auth's default per-key limit); no key here gets more than 5.
#
# ATHENA_COMPAT_SELF=1 checks this suite rather than the module: every
# module call goes to better-auth itself (its HTTP routes; verify, which
# better-auth serves only to server code, to auth.api.verifyApiKey), and
# no nginx is started. Every test must pass that way.

use strict;
use warnings;
no warnings 'uninitialized';   # a route not there yet leaves fields undef
use lib 't/lib';

use Test::More;
use Athena::Test;
use Athena::Compat;

my $SELF = $ENV{ATHENA_COMPAT_SELF};

# the fields of a key as the plugin answers it (KeyJSON), and what create
# adds; never the hash
my @KEY_FIELDS = qw(id configId name start referenceId prefix refillInterval
    refillAmount lastRefillAt enabled rateLimitEnabled rateLimitTimeWindow
    rateLimitMax requestCount remaining lastRequest expiresAt createdAt
    updatedAt permissions metadata);

# what the plugin's usage accounting writes on every accepted use (a
# verification, a get-session with the key), so what may differ between
# two reads of one key that a use might separate: requestCount and
# lastRequest (the per-key rate limit), updatedAt (written last). remaining
# and lastRefillAt change too, but only for a key with a quota: none here
my @USAGE_FIELDS = qw(requestCount lastRequest updatedAt);

my $servers = servers();
better_auth_ready()
    or die "better-auth is not installed in t/compat: run scripts/compat-deps.sh\n";
# A change made by better-auth reaches this node's Redis entries only when
# they expire (Postgres announcing changes is the issue "Invalidation from
# the truth"): a short cache TTL keeps the wait for one below short.
my $CACHE_TTL = 2;
my $nginx = $SELF ? undef : start_nginx(http_config => default_http_config(
    extra => "athena_auth_session_cache_ttl ${CACHE_TTL}s;"));

my $ann = create_user(email => 'ann-keys@example.com', name => 'Ann');
my $bob = create_user(email => 'bob-keys@example.com', name => 'Bob');
my $ann_tok = create_session($ann->{id});
my $bob_tok = create_session($bob->{id});

my $T = JSON::PP::true;
my $F = JSON::PP::false;


# a call to the module: token => session (Bearer), api_key => x-api-key,
# body => a Perl structure sent as JSON. Returns {code, body, json}, json
# undef when the body is not JSON (a route not there yet fails the tests
# that follow, it does not end the suite)
sub module {
    my ($method, $path, %o) = @_;
    my ($code, $body);

    if ($SELF && $path eq '/api-key/verify') {
        ($code, $body) = (200, json_encode(better_auth('verify-key', $o{body})));
    } elsif ($SELF) {
        my $r = better_auth_http($method, $path, %o);
        ($code, $body) = ($r->{code}, $r->{body});
    } else {
        my @h;
        push @h, "Authorization: Bearer $o{token}" if $o{token};
        push @h, "x-api-key: $o{api_key}" if defined $o{api_key};
        push @h, 'Content-Type: application/json' if $o{body};
        my $r = $nginx->request($method, "/api/auth$path", headers => \@h,
            body => $o{body} ? json_encode($o{body}) : undef);
        ($code, $body) = ($r->{code}, $r->{body});
    }

    return { code => $code, body => $body, json => decode($body) };
}


# the same call to better-auth's own HTTP routes (auth.handler)
sub better_auth_http {
    my ($method, $path, %o) = @_;
    my %h;
    $h{authorization} = "Bearer $o{token}" if $o{token};
    $h{'x-api-key'} = $o{api_key} if defined $o{api_key};
    my $r = better_auth('http', { method => $method, path => "/api/auth$path",
                                  headers => \%h,
                                  ($o{body} ? (body => $o{body}) : ()) });
    return { code => $r->{status}, body => $r->{body}, json => decode($r->{body}) };
}


sub decode {
    my ($text) = @_;
    return undef unless defined $text && length $text;
    return eval { json_decode($text) };
}


# base64url, no padding, of SHA-256 of the key's UTF-8 bytes, by Python
sub python_hash {
    my ($key) = @_;
    return undef unless defined $key;   # never equal to a stored hash
    open my $py, '-|', 'python3', '-c',
        'import base64, hashlib, sys; print(base64.urlsafe_b64encode('
        . 'hashlib.sha256(sys.argv[1].encode()).digest()).rstrip(b"=").decode())',
        $key or die "python3: $!";
    my $h = <$py>;
    close $py;
    chomp $h if defined $h;
    return $h;
}


sub stored_hash {
    my ($id) = @_;
    return psql(sprintf(q{SELECT key FROM apikey WHERE id = '%s'},
                        ($id // '') =~ s/'/''/gr));
}


sub without {
    my ($h, @drop) = @_;
    return undef unless ref $h eq 'HASH';
    my %c = %$h;
    delete @c{@drop};
    return \%c;
}


sub fields { ref $_[0] eq 'HASH' ? [ sort keys %{ $_[0] } ] : [] }


# ---------------------------------------------------------------------------
# (a) a key the module makes, checked by better-auth and by Python

my $r = module('POST', '/api-key/create', token => $ann_tok,
               body => { name => 'from-module', prefix => 'mod_',
                         expiresIn => 7 * 86400,
                         metadata => { team => 'blue', tier => [1, 2] } });
is($r->{code}, 200, '(a) the module creates a key');
my $mk = $r->{json} || {};

is_deeply(fields($mk), [ sort @KEY_FIELDS, 'key' ],
          "(a) exactly the plugin's fields: KeyJSON and the key");
like($mk->{key} // '', qr/^mod_[A-Za-z]{64}$/,
     '(a) the key: the prefix, then 64 letters');
is_deeply([ @$mk{qw(name prefix start referenceId configId enabled)} ],
          [ 'from-module', 'mod_', substr($mk->{key} // '', 0, 6),
            $ann->{id}, 'default', $T ],
          '(a) name, prefix, start (first 6 of the key), owner, config, enabled');
is_deeply([ @$mk{qw(rateLimitEnabled rateLimitTimeWindow rateLimitMax
                    requestCount remaining lastRequest refillInterval
                    refillAmount lastRefillAt permissions)} ],
          [ $T, 86400000, 10, 0, undef, undef, undef, undef, undef, undef ],
          "(a) the plugin's defaults: 10 uses a day, no quota, no permissions");
is_deeply($mk->{metadata}, { team => 'blue', tier => [1, 2] },
          '(a) metadata as given');

my $hash = stored_hash($mk->{id});
like($hash, qr/^[A-Za-z0-9_-]{43}$/, '(a) stored: 43 base64url characters');
is($hash, python_hash($mk->{key}),
   "(a) stored hash = Python's base64url(SHA-256(key)), no padding");
is_deeply(decode(psql(sprintf(q{SELECT metadata FROM apikey WHERE id = '%s'},
                              $mk->{id} // ''))),
          { team => 'blue', tier => [1, 2] }, '(a) metadata stored as JSON text');

# before any use, better-auth reads the very row the module answered
$r = better_auth_http('GET', "/api-key/get?id=$mk->{id}", token => $ann_tok);
is($r->{code}, 200, "(a) better-auth's /api-key/get finds it");
is_deeply($r->{json}, without($mk, 'key'),
          '(a) and reads back what the module answered at create, field for field');

my $v = better_auth('verify-key', { key => $mk->{key} });
is($v->{valid}, $T, "(a) better-auth's verifyApiKey: valid")
    or diag(json_encode($v));
ok(exists $v->{error} && !defined $v->{error}, '(a) error: null');
is_deeply([ @{ $v->{key} || {} }{qw(id referenceId name prefix start)} ],
          [ $mk->{id}, $ann->{id}, 'from-module', 'mod_', $mk->{start} ],
          '(a) its id, owner, name, prefix and start');
is_deeply($v->{key}{metadata}, { team => 'blue', tier => [1, 2] },
          '(a) its metadata');
is($v->{key}{requestCount}, 1, '(a) better-auth counted the use');


# ---------------------------------------------------------------------------
# (b) a key better-auth makes, verified by the module

my $bk = better_auth('create-key', {
    userId => $ann->{id}, name => 'from-better-auth', prefix => 'ba_',
    permissions => { files => [ 'read', 'write' ] },
    metadata => { origin => 'better-auth' } });
ok($bk->{key} && !$bk->{error}, '(b) better-auth creates a key with permissions')
    or diag(json_encode($bk));
is(stored_hash($bk->{id}), python_hash($bk->{key}),
   "(b) better-auth stores Python's hash too");

# before any use, the module reads the very row better-auth answered
$r = module('GET', "/api-key/get?id=$bk->{id}", token => $ann_tok);
is($r->{code}, 200, "(b) the module's /api-key/get finds it");
is_deeply($r->{json}, without($bk, 'key'),
          '(b) and answers what better-auth answered at create, field for field');

$r = module('POST', '/api-key/verify',
            body => { key => $bk->{key}, permissions => { files => ['read'] } });
is($r->{code}, 200, '(b) module verify with files:[read]: 200');
is($r->{json}{valid}, $T, '(b) valid') or diag($r->{body});
ok(ref $r->{json} eq 'HASH' && exists $r->{json}{error}
   && !defined $r->{json}{error}, '(b) error: null');
is_deeply(fields($r->{json}{key}), [ sort @KEY_FIELDS ],
          '(b) the key as KeyJSON, never the hash');
is_deeply([ @{ $r->{json}{key} || {} }{qw(id referenceId name requestCount)} ],
          [ $bk->{id}, $ann->{id}, 'from-better-auth', 1 ],
          '(b) the key, its owner, name, and the use counted');
is_deeply($r->{json}{key}{permissions}, { files => [ 'read', 'write' ] },
          '(b) permissions parsed');
is_deeply($r->{json}{key}{metadata}, { origin => 'better-auth' },
          '(b) metadata parsed');

$r = module('POST', '/api-key/verify',
            body => { key => $bk->{key}, permissions => { files => ['delete'] } });
is($r->{code}, 200, '(b) module verify with files:[delete]: still 200');
is_deeply($r->{json}, { valid => $F, key => undef,
                        error => { message => 'API Key not found',
                                   code => 'KEY_NOT_FOUND' } },
          '(b) invalid, KEY_NOT_FOUND as the plugin says it');

$r = module('GET', '/get-session', api_key => $bk->{key});
is($r->{code}, 200, "(b) the module's get-session takes x-api-key");
my $ms = $r->{json} || {};
is($ms->{user}{id}, $ann->{id}, "(b) the key's owner");
is($ms->{user}{email}, $ann->{email}, '(b) with their email');
is_deeply([ @{ $ms->{session} || {} }{qw(id token userId)} ],
          [ $bk->{id}, $bk->{key}, $ann->{id} ],
          "(b) the session: the key's id, the key as token, the owner");

$r = better_auth_http('GET', '/get-session', api_key => $bk->{key});
my $bs = $r->{json} || {};
is($r->{code}, 200, "(b) better-auth's get-session with the same key");
is_deeply($ms->{user}, $bs->{user}, '(b) the same user object on both sides');
is_deeply(fields($ms->{session}), fields($bs->{session}),
          '(b) the same session fields on both sides');


# ---------------------------------------------------------------------------
# (c) /api-key/get: the module and better-auth answer the same for a key

for my $k ([ module => $mk ], [ 'better-auth' => $bk ]) {
    my ($who, $key) = @$k;
    my $m = module('GET', "/api-key/get?id=$key->{id}", token => $ann_tok);
    my $b = better_auth_http('GET', "/api-key/get?id=$key->{id}",
                             token => $ann_tok);
    is($m->{code}, 200, "(c) module get, key made by $who");
    is($b->{code}, 200, "(c) better-auth get, key made by $who");
    is_deeply(without($m->{json}, @USAGE_FIELDS),
              without($b->{json}, @USAGE_FIELDS),
              "(c) the same JSON but for @USAGE_FIELDS (key made by $who)");
}

$r = module('GET', '/api-key/get?id=' . $mk->{id}, token => $bob_tok);
is_deeply([ $r->{code}, $r->{json} ],
          [ 404, { message => 'API Key not found', code => 'KEY_NOT_FOUND' } ],
          "(c) someone else's key: 404 KEY_NOT_FOUND");


# ---------------------------------------------------------------------------
# (e) /api-key/list shows the keys of both sides

$r = module('GET', '/api-key/list', token => $ann_tok);
is($r->{code}, 200, "(e) the module's list");
my %mlist = map { $_->{id} => $_ } @{ ($r->{json} || {})->{apiKeys} || [] };
is_deeply([ sort keys %mlist ], [ sort $mk->{id}, $bk->{id} ],
          '(e) both keys, the module-made and the better-auth-made');
is(($r->{json} || {})->{total}, 2, '(e) total 2');

$r = better_auth_http('GET', '/api-key/list', token => $ann_tok);
my %blist = map { $_->{id} => $_ } @{ ($r->{json} || {})->{apiKeys} || [] };
is_deeply([ sort keys %blist ], [ sort keys %mlist ],
          "(e) better-auth's list has the same keys");
for my $id (sort keys %blist) {
    is_deeply(without($mlist{$id}, @USAGE_FIELDS),
              without($blist{$id}, @USAGE_FIELDS),
              "(e) entry $id the same on both sides but for @USAGE_FIELDS");
}

$r = module('GET', '/api-key/list', token => $bob_tok);
is_deeply([ $r->{code}, ($r->{json} || {})->{apiKeys}, ($r->{json} || {})->{total} ],
          [ 200, [], 0 ], "(e) another user's list: none of them");


# ---------------------------------------------------------------------------
# (d) disabled on the module → refused by better-auth; deleted by
# better-auth → refused by the module

$r = module('POST', '/api-key/update', token => $ann_tok,
            body => { keyId => $mk->{id}, name => 'renamed',
                      metadata => { team => 'red' } });
is($r->{code}, 200, "(d) the module's update: name and metadata");
is_deeply([ @{ $r->{json} || {} }{qw(id name enabled)} ],
          [ $mk->{id}, 'renamed', $T ], '(d) answered renamed, still enabled');
$r = better_auth_http('GET', "/api-key/get?id=$mk->{id}", token => $ann_tok);
is_deeply([ @{ $r->{json} || {} }{qw(name metadata)} ],
          [ 'renamed', { team => 'red' } ], '(d) better-auth reads the change');

$r = module('POST', '/api-key/update', token => $ann_tok,
            body => { keyId => $mk->{id}, enabled => $F });
is($r->{code}, 200, "(d) the module's update disables the key");
is(($r->{json} || {})->{enabled}, $F, '(d) answered disabled');

$v = better_auth('verify-key', { key => $mk->{key} });
is_deeply($v, { valid => $F, key => undef,
                error => { message => 'API Key is disabled',
                           code => 'KEY_DISABLED' } },
          "(d) better-auth's verifyApiKey refuses it: KEY_DISABLED");

$r = better_auth_http('POST', '/api-key/delete', token => $ann_tok,
                      body => { keyId => $bk->{id} });
is_deeply([ $r->{code}, $r->{json} ], [ 200, { success => $T } ],
          "(d) better-auth's HTTP delete of its key");
is(psql(qq{SELECT count(*) FROM apikey WHERE id = '$bk->{id}'}), 0,
   '(d) the row is gone');
select(undef, undef, undef, $CACHE_TTL + 0.2) unless $SELF;

$r = module('POST', '/api-key/verify', body => { key => $bk->{key} });
is($r->{code}, 200, '(d) module verify of the deleted key: 200');
is_deeply($r->{json}, { valid => $F, key => undef,
                        error => { message => 'Invalid API key.',
                                   code => 'INVALID_API_KEY' } },
          '(d) invalid, INVALID_API_KEY');

$r = module('GET', '/get-session', api_key => $bk->{key});
is_deeply([ $r->{code}, $r->{json} ],
          [ 401, { message => 'Invalid API key.', code => 'INVALID_API_KEY' } ],
          "(d) the module's get-session with it: 401 INVALID_API_KEY");

$r = module('POST', '/api-key/delete', token => $ann_tok,
            body => { keyId => $mk->{id} });
is_deeply([ $r->{code}, $r->{json} ], [ 200, { success => $T } ],
          "(d) the module's delete of its own key");
$r = better_auth_http('GET', "/api-key/get?id=$mk->{id}", token => $ann_tok);
is_deeply([ $r->{code}, $r->{json} ],
          [ 404, { message => 'API Key not found', code => 'KEY_NOT_FOUND' } ],
          '(d) better-auth no longer finds it');
is_deeply(better_auth('verify-key', { key => $mk->{key} }),
          { valid => $F, key => undef,
            error => { message => 'Invalid API key.', code => 'INVALID_API_KEY' } },
          "(d) nor verifies it");

$nginx->stop if $nginx;
done_testing();
