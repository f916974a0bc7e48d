# Every refusal writes nothing: after a battery of bad requests to every
# writing endpoint, the user, account and session tables hold exactly
# what they held before, and no Redis entry appeared.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Digest::SHA qw(sha256_hex);
use Athena::Test;

my $servers = servers();
my $nginx = start_nginx();

my $user = create_user(email => 'keep@example.com', password => 'password-123');
my $tok = create_session($user->{id});
my $cookie = session_cookie($tok);

sub counts {
    return psql(q{SELECT (SELECT count(*) FROM "user") || '/' ||
                  (SELECT count(*) FROM account) || '/' ||
                  (SELECT md5(string_agg(token || "expiresAt"::text, ','
                              ORDER BY token)) FROM session)});
}

my $before = counts();
is($servers->redis('DBSIZE'), 0, 'Redis starts empty');

my $json = 'Content-Type: application/json';
my @bad = (
    # path, headers, body, expected status
    ['/sign-up/email', [$json], '{"name":"A","email":"a@example.com"', 400],
    ['/sign-up/email', [$json], '{"name":1,"email":"a@example.com","password":"password-123"}', 400],
    ['/sign-up/email', [$json], '{"name":"A","email":"bad","password":"password-123"}', 400],
    ['/sign-up/email', [$json], '{"name":"A","email":"a@example.com","password":"short"}', 400],
    ['/sign-up/email', [$json], '{"name":"A","email":"keep@example.com","password":"password-123"}', 422],
    ['/sign-up/email', [$json], '{"name":"A","email":"a@example.com","password":"password-123","banReason":"x"}', 400],
    ['/sign-up/email', ['Content-Type: text/xml'], '<a/>', 415],
    ['/sign-up/email', [$json], '{"name":"' . ('x' x 40000) . '"}', 413],
    ['/sign-up/email', [$json], '{"a":' x 20 . '1' . '}' x 20, 400],
    ['/sign-up/email', [$json], qq({"name":"\xc3\x28","email":"a\@example.com","password":"password-123"}), 400],
    ['/sign-up/email', [$json, "Cookie: $cookie", 'Origin: https://evil.example'],
     '{"name":"A","email":"a@example.com","password":"password-123"}', 403],
    ['/sign-in/email', [$json], '{"email":"keep@example.com","password":"wrong-password"}', 401],
    ['/sign-in/email', [$json], q({"email":"keep@example.com' OR '1'='1","password":"x' OR '1'='1"}), 400],
    ['/sign-in/email', [$json], q({"email":"x@example.com","password":"' OR 1=1; --"}), 401],
    ['/sign-out', [$json, "Cookie: $cookie"], '{}', 403],
    ['/sign-out', [$json, "Authorization: Bearer $tok"], '[1]', 400],
    ['/revoke-session', [$json, "Authorization: Bearer $tok"], '{"token":5}', 400],
    ['/revoke-session', [$json, "Authorization: Bearer $tok"], q({"token":"' OR ''='"}), 200],
    ['/revoke-sessions', [$json, "Cookie: $cookie", 'Origin: https://evil.example'], '', 403],
    ['/revoke-other-sessions', [$json, "Authorization: Bearer nope"], '', 401],
);

for my $b (@bad) {
    my ($path, $headers, $body, $code) = @$b;
    my $r = $nginx->request('POST', "/api/auth$path", headers => $headers,
                            body => $body);
    is($r->{code}, $code, "$path refused with $code");
    like($r->{body}, qr/^\{"(message|status)"/, "$path: a JSON answer")
        if $code != 200;
}

is(counts(), $before, 'no user, account or session row changed');
# reading the caller's own session may fill the cache; nothing else may
my @keys = grep { length } split /\n/, $servers->redis('KEYS', '*');
is_deeply(\@keys, ['athena:sess:' . sha256_hex($tok)],
          'Redis holds only the cached session of the caller');
is(psql(q{SELECT count(*) FROM session WHERE token = '} . $tok . q{'}), 1,
   'the session used for the refused calls still exists');

$nginx->stop;
done_testing();
