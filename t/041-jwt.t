# better-auth's jwt plugin (athena_auth_jwt): GET /jwks, GET /token and
# get-session's set-auth-jwt, with keys in table "jwks" stored as the
# plugin stores them. The REAL better-auth 1.7.25 with its jwt plugin
# (t/compat, installed by scripts/compat-deps.sh) shares the table and the
# secret: each side verifies the other's tokens, signs with a key the
# other made, and both write the same payload for one session.

use strict;
use warnings;
use lib 't/lib';

use MIME::Base64 ();
use Test::More;
use Athena::Test;
use Athena::Compat;

my $servers = servers();
better_auth_ready()
    or die "better-auth is not installed in t/compat: run scripts/compat-deps.sh\n";
$ENV{ATHENA_COMPAT_JWT} = '{}';

my $ORIGIN = 'http://localhost:3000';

sub jwt_nginx {
    my ($options) = @_;
    return start_nginx(http_config => default_http_config(
        extra => "athena_auth_jwt on $options;"));
}

my $nginx = jwt_nginx('');
my $off = start_nginx();

my $ann = create_user(email => 'ann-jwt@example.com', name => 'Ann');
my $ann_tok = create_session($ann->{id});

sub get {
    my ($n, $path, $token) = @_;
    my $r = $n->request('GET', $path,
        headers => [ $token ? ("Authorization: Bearer $token") : () ]);
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub b64url_text {
    my ($s) = @_;
    $s =~ tr{-_}{+/};
    $s .= '=' x (-length($s) % 4);
    return MIME::Base64::decode_base64($s);
}

# a token's header and payload as text, and the payload's keys in order
sub parts {
    my ($jwt) = @_;
    my ($h, $p, $s) = split /\./, $jwt, -1;
    my $payload = b64url_text($p);
    return (b64url_text($h), $payload, [ $payload =~ /[{,]"(\w+)":/g ]);
}

my $T = JSON::PP::true;
my $F = JSON::PP::false;

# --- off by default: no routes, no header

is(get($off, '/api/auth/jwks')->{code}, 404, 'plugin off: no /jwks');
is(get($off, '/api/auth/token', $ann_tok)->{code}, 404, 'plugin off: no /token');
my $r = get($off, '/api/auth/get-session', $ann_tok);
ok($r->{json}{user} && !exists $r->{headers}{'set-auth-jwt'},
   'plugin off: get-session has no set-auth-jwt');

# --- the key, made when the table has none

psql('DELETE FROM jwks');
$r = get($nginx, '/api/auth/jwks');
is($r->{code}, 200, 'GET /jwks: 200');
is(scalar @{ $r->{json}{keys} || [] }, 1, 'GET /jwks on an empty table makes one key');
my $jwk = $r->{json}{keys}[0];
my $kid = psql('SELECT id FROM jwks');
like($kid, qr/^[A-Za-z0-9]{32}$/, 'the key id: 32 letters and digits');
like($r->{body},
     qr/^\{"keys":\[\{"alg":"EdDSA","crv":"Ed25519","x":"[\w-]{43}","kty":"OKP","kid":"$kid"\}\]\}$/,
     'the JWK: alg, crv, x, kty, kid in the plugin\'s order, no use');
is(psql(q{SELECT "publicKey" FROM jwks}),
   qq({"crv":"Ed25519","x":"$jwk->{x}","kty":"OKP"}),
   'publicKey: the public JWK as jose exports it');
like(psql(q{SELECT "privateKey" FROM jwks}), qr/^"[0-9a-f]{338}"$/,
     'privateKey: nonce, sealed 129-byte JWK and tag, hex in a JSON string');
is(psql(q{SELECT concat_ws(',', alg, crv, "expiresAt" IS NULL) FROM jwks}),
   'EdDSA,Ed25519,t', 'alg and crv kept; no rotation, no expiry');
get($nginx, '/api/auth/jwks');
is(psql('SELECT count(*) FROM jwks'), 1, 'a second GET /jwks makes none');

# --- /token

$r = get($nginx, '/api/auth/token');
is($r->{code}, 401, 'GET /token without a session: 401');
is_deeply($r->{json}, { code => 'UNAUTHORIZED', message => 'Unauthorized' },
          'GET /token without a session: UNAUTHORIZED');

$r = get($nginx, '/api/auth/token', $ann_tok);
is($r->{code}, 200, 'GET /token: 200');
is_deeply([ keys %{ $r->{json} } ], ['token'], 'GET /token: {token}');
my $token = $r->{json}{token};
my ($header, $payload, $keys) = parts($token);
is($header, qq({"alg":"EdDSA","kid":"$kid"}), 'the header: alg and kid, no typ');
is_deeply($keys, [qw(iat name email emailVerified image createdAt updatedAt
                     role banned banReason banExpires id sub exp iss aud)],
          'the payload: iat, the session user, then sub, exp, iss, aud');
my $claims = json_decode($payload);
is($claims->{sub}, $ann->{id}, 'sub: the user id');
is($claims->{id}, $ann->{id}, 'id: the user id');
is($claims->{email}, 'ann-jwt@example.com', 'email');
is($claims->{iss}, $ORIGIN, 'iss: the base URL origin');
is($claims->{aud}, $ORIGIN, 'aud: the base URL origin');
is($claims->{exp} - $claims->{iat}, 900, 'exp: 15 minutes after iat');
ok(abs($claims->{iat} - time) <= 5, 'iat: now');
like($claims->{createdAt}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
     'createdAt: an ISO string');

# --- get-session's header

$r = get($nginx, '/api/auth/get-session', $ann_tok);
my $hjwt = $r->{headers}{'set-auth-jwt'}[0];
ok($hjwt, 'get-session with a session: set-auth-jwt');
like($r->{headers}{'access-control-expose-headers'}[0] // '', qr/\bset-auth-jwt\b/,
     'get-session: set-auth-jwt is exposed to scripts');
is(json_decode((parts($hjwt))[1])->{sub}, $ann->{id},
   'set-auth-jwt: a JWT of the session user');
$r = get($nginx, '/api/auth/get-session');
ok($r->{body} eq 'null' && !exists $r->{headers}{'set-auth-jwt'},
   'get-session without a session: null, no set-auth-jwt');

# --- better-auth verifies the module's tokens

my $v = better_auth('verify-jwt', { token => $token });
is($v->{payload}{sub}, $ann->{id}, 'better-auth verifies a /token JWT of the module');
$v = better_auth('verify-jwt', { token => $hjwt });
is($v->{payload}{sub}, $ann->{id}, 'and a set-auth-jwt JWT of the module');
(my $forged = $token) =~ s/\.([^.]+)\./'.' . forge($1) . '.'/e;
sub forge {
    my $p = b64url_text($_[0]);
    $p =~ s/"role":"user"/"role":"admin"/;
    (my $e = MIME::Base64::encode_base64($p, '')) =~ tr{+/}{-_};
    $e =~ s/=+$//;
    return $e;
}
isnt($forged, $token, 'a forged payload (role admin) ...');
$v = better_auth('verify-jwt', { token => $forged });
ok(exists $v->{payload} && !defined $v->{payload},
   '... better-auth refuses it');

# --- better-auth signs with the module's key: one payload for one session

my $ba = better_auth('http', { method => 'GET', path => '/api/auth/token',
                               headers => { authorization => "Bearer $ann_tok" } });
is($ba->{status}, 200, 'better-auth /token with the same session: 200');
my $ba_token = json_decode($ba->{body})->{token};
my ($ba_header, $ba_payload, $ba_keys) = parts($ba_token);
is($ba_header, $header, 'better-auth signs with the key the module made (it opens the seal)');
is_deeply($ba_keys, $keys, 'and writes the payload\'s keys in the module\'s order');
my $ba_claims = json_decode($ba_payload);
delete @$_{qw(iat exp)} for $ba_claims, $claims;
is_deeply($claims, $ba_claims, 'and the same claims, times aside');

# --- a key better-auth made: the module opens it and signs with it

psql('DELETE FROM jwks');
$ba = better_auth('http', { method => 'GET', path => '/api/auth/jwks' });
my $ba_kid = psql('SELECT id FROM jwks');
ok($ba->{status} == 200 && $ba_kid, 'better-auth made a key in an empty table');
# a new node: pool threads keep their signing key for a minute
my $second = jwt_nginx('');
$r = get($second, '/api/auth/token', $ann_tok);
($header) = parts($r->{json}{token} // '');
is($header, qq({"alg":"EdDSA","kid":"$ba_kid"}),
   'the module signs with the key better-auth sealed');
$v = better_auth('verify-jwt', { token => $r->{json}{token} });
is($v->{payload}{sub}, $ann->{id}, 'and better-auth verifies that token');
is(get($second, '/api/auth/jwks')->{body}, $ba->{body},
   'both publish the key alike, byte for byte');
is(psql('SELECT count(*) FROM jwks'), 1, 'and no key was added');
$second->stop;

# --- rotation and the JWKS grace period

psql('DELETE FROM jwks');
my $rot = jwt_nginx('rotation=1s grace=2s expires=1h');
$r = get($rot, '/api/auth/token', $ann_tok);
my ($h1, $p1) = parts($r->{json}{token});
is(json_decode($p1)->{exp} - json_decode($p1)->{iat}, 3600, 'expires=1h: exp an hour on');
is(psql(q{SELECT round(extract(epoch FROM "expiresAt" - "createdAt"))
          FROM jwks}), 1, 'rotation=1s: the key expires a second after it was made');
select undef, undef, undef, 1.3;
$r = get($rot, '/api/auth/token', $ann_tok);
my ($h2) = parts($r->{json}{token});
my ($k1) = $h1 =~ /"kid":"(\w+)"/;
my ($k2) = $h2 =~ /"kid":"(\w+)"/;
ok($k1 && $k2 && $k1 ne $k2, 'past its expiry the key is replaced');
$r = get($rot, '/api/auth/jwks');
is_deeply([ map { $_->{kid} } @{ $r->{json}{keys} } ], [$k1, $k2],
          'the JWKS keeps the expired key in its grace period, oldest first');
$v = better_auth('verify-jwt',
                 { token => get($rot, '/api/auth/token', $ann_tok)->{json}{token} });
is($v->{payload}{sub}, $ann->{id}, 'better-auth verifies a token of the new key');
select undef, undef, undef, 2.2;
$r = get($rot, '/api/auth/jwks');
ok(!grep({ $_->{kid} eq $k1 } @{ $r->{json}{keys} }),
   'past the grace period the old key is no longer published');
$rot->stop;

done_testing();
