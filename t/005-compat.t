# Cross-compatibility with better-auth's formats, checked by independent
# implementations: a password the module hashes verifies with Python's
# hashlib.scrypt; the cookie it sets verifies with Perl's HMAC; the Redis
# cache is keyed by SHA-256 of the token and never outlives the session.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Digest::SHA qw(sha256_hex);
use Athena::Test;

my $servers = servers();
my $nginx = start_nginx();

my $r = $nginx->request('POST', '/api/auth/sign-up/email',
    headers => ['Content-Type: application/json'],
    body => json_encode({ name => 'Compat', email => 'compat@example.com',
                          password => "s\x{e9}cret-Passw0rd" }));
is($r->{code}, 200, 'sign-up through the module');

my $user = json_decode($r->{body})->{user};
my $token = json_decode($r->{body})->{token};

my $stored = psql(qq{SELECT password FROM account WHERE "userId" = '$user->{id}'
                     AND "providerId" = 'credential' AND "accountId" = '$user->{id}'});
like($stored, qr/^[0-9a-f]{32}:[0-9a-f]{128}$/, 'stored as saltHex:keyHex');

my ($salt, $key) = split /:/, $stored;
my $py = q{import hashlib, sys
salt, pw = sys.argv[1], sys.argv[2].encode()
print(hashlib.scrypt(pw, salt=salt.encode(), n=16384, r=16, p=1, dklen=64,
                     maxmem=128 * 1024 * 1024).hex())};
my $pw = "s\x{e9}cret-Passw0rd";
utf8::encode($pw);
my $want = `python3 -c '$py' '$salt' '$pw'`;
chomp $want;
is($key, $want, "Python's scrypt reproduces the module's hash");

my ($cookie) = grep { /^better-auth\.session_token=/ }
               @{ $r->{headers}{'set-cookie'} };
my ($value) = $cookie =~ /^better-auth\.session_token=([^;]+)/;
$value =~ s/%([0-9A-F]{2})/chr hex $1/ge;
is($value, sign($token), 'the cookie is token.HMAC-SHA256 as Perl computes it');
is($r->{headers}{'set-auth-token'}[0], sign($token),
   'set-auth-token carries the same signed value');

# the session is now cached under the hash of its token
$r = $nginx->request('GET', '/api/auth/get-session',
                     headers => ["Authorization: Bearer $token"]);
is($r->{code}, 200, 'get-session');

my $keyname = 'athena:sess:' . sha256_hex($token);
my $keys = $servers->redis('KEYS', '*');
like($keys, qr/^\Q$keyname\E$/m, 'Redis key is the SHA-256 of the token');
unlike($keys, qr/\Q$token\E/, 'no raw token in any Redis key');
my $ttl = $servers->redis('PTTL', $keyname);
ok($ttl > 0 && $ttl <= 60_000, "TTL capped by the cache ttl ($ttl ms)");

# a session that ends in 3 s is cached for at most 3 s (without the
# refresh, which would rightly extend it: it looks 7 d - 3 s old)
my $short = create_session($user->{id}, expires_in => 3);
$nginx->request('GET', '/api/auth/get-session?disableRefresh=1',
                headers => ["Authorization: Bearer $short"]);
$ttl = $servers->redis('PTTL', 'athena:sess:' . sha256_hex($short));
ok($ttl > 0 && $ttl <= 3000, "TTL never past the session's expiry ($ttl ms)");

# sign-out marks the entry revoked before answering
$r = $nginx->request('POST', '/api/auth/sign-out',
                     headers => ["Authorization: Bearer $token"]);
is($r->{code}, 200, 'sign-out');
is($servers->redis('GET', $keyname), '-', 'the cache entry now says revoked');
is(psql(qq{SELECT count(*) FROM session WHERE token = '$token'}), 0,
   'the row is gone');
$r = $nginx->request('GET', '/api/auth/get-session',
                     headers => ["Authorization: Bearer $token"]);
is($r->{body}, 'null', 'and get-session agrees');

# a session better-auth wrote (token and cookie made outside the module)
my $ba = create_session($user->{id});
$r = $nginx->request('GET', '/api/auth/get-session',
                     headers => ['Cookie: ' . session_cookie($ba)]);
like($r->{body}, qr/"token":"$ba"/, 'a session made outside is accepted');

# a lone surrogate in a password: JavaScript hashes it as U+FFFD
$r = $nginx->request('POST', '/api/auth/sign-up/email',
    headers => ['Content-Type: application/json'],
    body => '{"name":"S","email":"surrogate@example.com","password":"pw\\ud800-123456"}');
is($r->{code}, 200, 'sign-up with a lone surrogate in the password');
my $sid = json_decode($r->{body})->{user}{id};
($salt, $key) = split /:/, psql(qq{SELECT password FROM account WHERE "userId" = '$sid'});
$pw = "pw\x{fffd}-123456";
utf8::encode($pw);
$want = `python3 -c '$py' '$salt' '$pw'`;
chomp $want;
is($key, $want, 'hashed as U+FFFD, as better-auth does');
$r = $nginx->request('POST', '/api/auth/sign-in/email',
    headers => ['Content-Type: application/json'],
    body => '{"email":"surrogate@example.com","password":"pw\\ufffd-123456"}');
is($r->{code}, 200, 'and the U+FFFD spelling signs in');

$nginx->stop;
done_testing();
