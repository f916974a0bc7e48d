# JWTs at the gate: "athena_auth_require jwt" admits a bearer JWT of the
# jwt plugin, verified on the event loop with the keys of table "jwks"
# (read again when a token names a kid the worker does not know, at most
# once per 5 s), its claims checked (exp, iss, aud, sub) and its user's
# fields in the identity variables. Only where it says so; a session
# still works there. Refused: expired, signed by an unknown key, alg none,
# a swapped alg, truncated, a forged payload, another issuer. A token stays
# valid when its session ends (the documented trade-off). Tokens of the
# real better-auth jwt plugin (t/compat) on the same keys are admitted.

use strict;
use warnings;
use lib 't/lib';

use MIME::Base64 ();
use Test::More;
use Time::HiRes ();
use Athena::Test;
use Athena::Compat;

my $servers = servers();
better_auth_ready()
    or die "better-auth is not installed in t/compat: run scripts/compat-deps.sh\n";
$ENV{ATHENA_COMPAT_JWT} = '{}';

my $config = <<'CONF';
location /api/auth/ { athena_auth_api; }
location /jwt/ {
    athena_auth_require jwt;
    return 200 "user=$athena_user_id email=$athena_user_email name=$athena_user_name role=$athena_user_role session=$athena_session_id\n";
}
location /jwt-admin/ {
    athena_auth_require jwt role=admin;
    return 200 "admin $athena_user_id\n";
}
location /sessions-only/ {
    athena_auth_require on;
    return 200 "session $athena_user_id\n";
}
CONF

my $first;

sub node {
    my ($jwt) = @_;
    # a second node of the suite shares the first one's app
    my $n = start_nginx(http_config => gate_http_config(
                            ttl => '60s', no_app => $first ? 1 : 0,
                            extra => "athena_auth_jwt $jwt;"),
                        config => $config);
    $first //= $n;
    return $n;
}

psql('DELETE FROM jwks');
my $nginx = node('on');

my $ann = create_user(email => 'ann-gate-jwt@example.com', name => 'Ann');
my $boss = create_user(email => 'boss-gate-jwt@example.com', name => 'Boss',
                       role => 'admin');
my $ann_tok = create_session($ann->{id});
my $boss_tok = create_session($boss->{id});

sub get {
    my ($n, $path, $bearer) = @_;
    return $n->request('GET', $path,
        headers => [ defined $bearer ? ("Authorization: Bearer $bearer") : () ]);
}

sub token_of {
    my ($n, $session) = @_;
    my $r = get($n, '/api/auth/token', $session);
    my $token = eval { json_decode($r->{body})->{token} };
    diag("GET /token: $r->{code} $r->{body}") unless $token;
    return $token // '';
}

sub b64url {
    (my $e = MIME::Base64::encode_base64($_[0], '')) =~ tr{+/}{-_};
    $e =~ s/=+$//;
    return $e;
}

sub unb64url {
    my ($s) = @_;
    $s =~ tr{-_}{+/};
    return MIME::Base64::decode_base64($s . '=' x (-length($s) % 4));
}

my $ann_jwt = token_of($nginx, $ann_tok);
my $boss_jwt = token_of($nginx, $boss_tok);
like($ann_jwt, qr/^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT from /token');

# --- admitted, with the token's user in the variables

my $r = get($nginx, '/jwt/x', $ann_jwt);
is($r->{code}, 200, 'a JWT opens a jwt location');
is($r->{body}, "user=$ann->{id} email=ann-gate-jwt\@example.com name=Ann role=user session=\n",
   'its sub, email, name and role are the variables; there is no session');
$r = get($nginx, '/jwt/x', $ann_jwt);
is($r->{code}, 200, 'and again, from the shared zone');
is(get($nginx, '/jwt/x', $ann_tok)->{code}, 200, 'a session token still opens it');
is(get($nginx, '/sessions-only/x', $ann_jwt)->{code}, 401,
   'a location without jwt refuses the JWT');
is(get($nginx, '/jwt/x')->{code}, 401, 'no credential: 401');

is(get($nginx, '/jwt-admin/x', $ann_jwt)->{code}, 403, 'role=admin refuses a user\'s JWT');
$r = get($nginx, '/jwt-admin/x', $boss_jwt);
is("$r->{code} $r->{body}", "200 admin $boss->{id}\n", 'and admits an admin\'s');

# --- refused: forged, truncated, other algorithms, unknown keys

my ($h, $p, $s) = split /\./, $ann_jwt;
my $claims = unb64url($p);
(my $admin_claims = $claims) =~ s/"role":"user"/"role":"admin"/;
is(get($nginx, '/jwt-admin/x', join '.', $h, b64url($admin_claims), $s)->{code}, 401,
   'a forged payload (role admin) is refused');
is(get($nginx, '/jwt/x', join '.', $h, $p, substr($s, 0, -2))->{code}, 401,
   'a truncated signature is refused');
is(get($nginx, '/jwt/x', join '.', $h, $p)->{code}, 401, 'two parts are no JWT');
(my $kid) = unb64url($h) =~ /"kid":"(\w+)"/;
is(get($nginx, '/jwt/x', join '.', b64url(qq({"alg":"none","kid":"$kid"})), $p, '')->{code}, 401,
   'alg none is refused');
is(get($nginx, '/jwt/x', join '.', b64url(qq({"alg":"HS256","kid":"$kid"})), $p, $s)->{code}, 401,
   'a swapped alg is refused');
is(get($nginx, '/jwt/x', join '.', b64url(q({"alg":"EdDSA","kid":"nosuchkey"})), $p, $s)->{code}, 401,
   'an unknown kid is refused (after the keys are read again)');

# --- another issuer

my $other = node('on issuer=https://other.example.com audience=other');
my $other_jwt = token_of($other, $ann_tok);
is(get($other, '/jwt/x', $other_jwt)->{code}, 200, 'a node with its own issuer admits its tokens');
is(get($other, '/jwt/x', $ann_jwt)->{code}, 401, 'and refuses those of another issuer');
is(get($nginx, '/jwt/x', $other_jwt)->{code}, 401, 'as the other node refuses its');
$other->stop;

# --- expiry, and the trade-off: a JWT outlives its session

my $short = node('on expires=1s');
# exp is iat + 1 in whole seconds: minted late in a second, a token would
# live only what is left of it, so it is minted just after one begins
select undef, undef, undef, 0.01 while Time::HiRes::time() - int(Time::HiRes::time()) > 0.05;
my $short_jwt = token_of($short, $ann_tok);
is(get($short, '/jwt/x', $short_jwt)->{code}, 200, 'a token of a second is admitted');
select undef, undef, undef, 2.1;
is(get($short, '/jwt/x', $short_jwt)->{code}, 401, 'and refused once it expired, cached or not');
$short->stop;

my $eve = create_user(email => 'eve-gate-jwt@example.com', name => 'Eve');
my $eve_tok = create_session($eve->{id});
my $eve_jwt = token_of($nginx, $eve_tok);
$r = $nginx->request('POST', '/api/auth/sign-out',
    headers => ["Authorization: Bearer $eve_tok", 'Content-Type: application/json'],
    body => '{}');
is($r->{code}, 200, 'the session signs out');
is(get($nginx, '/sessions-only/x', $eve_tok)->{code}, 401, 'its token is refused at once');
is(get($nginx, '/jwt/x', $eve_jwt)->{code}, 200,
   'its JWT is still admitted until it expires (the trade-off)');

# --- better-auth's tokens, and a key made after the worker read the keys

my $ba = better_auth('http', { method => 'GET', path => '/api/auth/token',
                               headers => { authorization => "Bearer $ann_tok" } });
my $ba_jwt = json_decode($ba->{body})->{token};
is(get($nginx, '/jwt/x', $ba_jwt)->{code}, 200, 'a token of the real plugin is admitted');
# (that token's kid may have had the worker read the keys: at most every 5 s)
my $read_at = Time::HiRes::time();

psql(q{UPDATE jwks SET "expiresAt" = now() - interval '1 second'});
$ba = better_auth('http', { method => 'GET', path => '/api/auth/token',
                            headers => { authorization => "Bearer $boss_tok" } });
my $new_jwt = json_decode($ba->{body})->{token};
my ($new_kid) = unb64url((split /\./, $new_jwt)[0]) =~ /"kid":"(\w+)"/;
isnt($new_kid, $kid, 'better-auth made a new key (the old one expired)');
# a made-up kid has the worker read the keys now: the next reading is 5 s
# on. The new key is kept out of that reading (a key of another algorithm
# is skipped), then put back: read before it was made, as it would be
# had better-auth made it just after (a better-auth call may take longer
# than the 5 s)
my $alg = psql(qq{SELECT coalesce(alg, 'NULL') FROM jwks WHERE id = '$new_kid'});
psql(qq{UPDATE jwks SET alg = 'ES256' WHERE id = '$new_kid'});
# the made-up kid must start a reading of its own, not fall within the 5 s
# of one the real plugin's token started (a better-auth call may take less)
my $since = Time::HiRes::time() - $read_at;
Time::HiRes::sleep(5.2 - $since) if $since < 5.2;
is(get($nginx, '/jwt/x', join '.', b64url(q({"alg":"EdDSA","kid":"madeup"})), $p, $s)->{code}, 401,
   'a made-up kid is refused');
psql(sprintf(q{UPDATE jwks SET alg = %s WHERE id = '%s'},
             $alg eq 'NULL' ? 'NULL' : "'$alg'", $new_kid));
is(get($nginx, '/jwt/x', $new_jwt)->{code}, 401,
   'within 5 s of the last reading, a new kid is not read for');
select undef, undef, undef, 5.2;
$r = get($nginx, '/jwt/x', $new_jwt);
is("$r->{code} $r->{body}",
   "200 user=$boss->{id} email=boss-gate-jwt\@example.com name=Boss role=admin session=\n",
   'after it, the keys are read again and the new key admits');
is(get($nginx, '/jwt/x', $ann_jwt)->{code}, 200,
   'the expired key still verifies in its grace period');

done_testing();
