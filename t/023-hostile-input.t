# What a fuzzing run sent that once gave empty 500s, and an audit flood:
# bytes that are no UTF-8 in query strings, the User-Agent and the bearer
# token; numbers and dates out of range; bodies the client botched; and
# refusals without a session, which write no audit row.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers();

my $nginx = start_nginx(
    http_config => gate_http_config(no_app => 1),
    config => <<'CONF');
location /api/auth/ { athena_auth_api; }
location /gated {
    athena_auth_require on;
    return 200 "$athena_user_id\n";
}
CONF

my $admin = create_user(email => 'root@example.com', role => 'admin',
                        password => 'password-123');
my $tok = create_session($admin->{id});
my $joe = create_user(email => 'joe@example.com', name => 'Joe');
my $json = 'Content-Type: application/json';

sub call { $nginx->api(@_) }

sub json_error {
    my ($r, $code, $name) = @_;
    is($r->{code}, $code, "$name: $code");
    like($r->{body} // '', qr/^\{"message":"[^"]+","code":"[A-Z_]+"\}$/,
         "$name: a JSON error");
}


# --- %ff in query strings reads as U+FFFD, as URLSearchParams reads it -----

my $r = call('GET', '/admin/get-user?id=%ff', $tok);
is($r->{body}, '{"message":"User not found","code":"USER_NOT_FOUND"}',
   'get-user?id=%ff: not found');
$r = call('GET', '/organization/get-organization?organizationId=%ff%fe', $tok);
is($r->{body}, '{"message":"Organization not found","code":"ORGANIZATION_NOT_FOUND"}',
   'get-organization with %ff: not found');
$r = call('GET', '/organization/list-members?organizationId=a%c3', $tok);
isnt($r->{code}, 500, 'list-members with a cut sequence: no 500');
$r = call('GET', "/admin/list-users?searchValue=%ff&searchField=name", $tok);
is($r->{code}, 200, 'list-users searching %ff: 200');


# --- the User-Agent as Node reads it: every byte Latin-1 -------------------

$r = $nginx->request('POST', '/api/auth/sign-in/email',
    headers => [$json, "User-Agent: caf\xe9"],
    body => '{"email":"root@example.com","password":"password-123"}');
is($r->{code}, 200, 'sign-in with a Latin-1 User-Agent');
my $signed = json_decode($r->{body})->{token};
is(psql(qq{SELECT encode(convert_to("userAgent", 'UTF8'), 'hex') FROM session
           WHERE token = '$signed'}), '636166c3a9',
   'stored as better-auth stores it: café');

$r = $nginx->request('POST', '/api/auth/sign-up/email',
    headers => [$json, "User-Agent: a\x85b\xc3\xa9"],
    body => '{"name":"U","email":"ua@example.com","password":"password-123"}');
is($r->{code}, 200, 'sign-up with bytes above 0x7f');
$signed = json_decode($r->{body})->{token};
is(psql(qq{SELECT encode(convert_to("userAgent", 'UTF8'), 'hex') FROM session
           WHERE token = '$signed'}), '61c28562c383c2a9',
   'UTF-8 bytes are read as Latin-1 too, as Node reads them');

$r = $nginx->request('POST', '/api/auth/admin/ban-user',
    headers => [$json, "Authorization: Bearer $tok", "User-Agent: \xff\xfe"],
    body => qq({"userId":"$joe->{id}"}));
is($r->{code}, 200, 'a mutating admin route with a Latin-1 User-Agent');
is(psql(q{SELECT metadata->>'userAgent' FROM admin_audit_logs
          WHERE action = 'admin.ban_user'}), "\xc3\xbf\xc3\xbe",
   'the audit row keeps it');
call('POST', '/admin/unban-user', $tok, qq({"userId":"$joe->{id}"}));


# --- a bearer token that is no UTF-8 matches no session ---------------------

$r = $nginx->request('GET', '/api/auth/get-session',
                     headers => ["Authorization: Bearer \xff\xfeabc"]);
is_deeply([ $r->{code}, $r->{body} ], [ 200, 'null' ],
          'get-session: null, as better-auth answers');
$r = $nginx->request('GET', '/gated',
                     headers => ["Authorization: Bearer \xff\xfe\x80"]);
json_error($r, 401, 'the gate');
$r = $nginx->request('GET', '/gated', headers => ["Cookie: better-auth.session_token=%ff%fe.x"]);
json_error($r, 401, 'the gate, with such a cookie');

# a NUL that percent-decoding puts before the signature's dot (found by
# the bearer fuzzer: it took the worker down)
$r = $nginx->request('GET', '/gated', headers => ['Authorization: Bearer a%00.b']);
json_error($r, 401, 'the gate, with %00 before the dot');
$r = $nginx->request('GET', '/api/auth/get-session',
                     headers => ['Authorization: Bearer a%00.b']);
is_deeply([ $r->{code}, $r->{body} ], [ 200, 'null' ], 'get-session too');


# --- numbers and dates out of range: 400, and nothing changes ---------------

my $before = psql(qq{SELECT banned || '/' || coalesce("banExpires"::text, '-')
                     FROM "user" WHERE id = '$joe->{id}'});
for my $v ('1e999', '-1e999', '1e300', '-1e300', '9007199254740993', '3e11') {
    $r = call('POST', '/admin/ban-user', $tok,
              qq({"userId":"$joe->{id}","banExpiresIn":$v}));
    json_error($r, 400, "ban-user banExpiresIn $v");
    like($r->{body}, qr/"\[body\.banExpiresIn\] Invalid input: /,
         "ban-user banExpiresIn $v: names the field");
}
is(psql(qq{SELECT banned || '/' || coalesce("banExpires"::text, '-')
           FROM "user" WHERE id = '$joe->{id}'}), $before, 'joe unchanged');
$r = call('POST', '/admin/ban-user', $tok, qq({"userId":"$joe->{id}","banExpiresIn":1e999}));
is($r->{body}, '{"message":"[body.banExpiresIn] Invalid input: expected number, received Infinity","code":"VALIDATION_ERROR"}',
   "zod's message for Infinity");

# better-auth's Date rolls a day past the month's end over
for my $c (['2030-02-30T00:00:00.000Z', '2030-03-02T00:00:00.000Z'],
           ['2030-02-30', '2030-03-02T00:00:00.000Z'],
           ['2030-04-31T12:00:00+02:00', '2030-05-01T10:00:00.000Z'])
{
    $r = call('POST', '/admin/update-user', $tok,
              qq({"userId":"$joe->{id}","data":{"banExpires":"$c->[0]"}}));
    is($r->{code}, 200, "banExpires $c->[0]: 200");
    is(json_decode($r->{body})->{banExpires}, $c->[1], "... stored as $c->[1]");
}
for my $v ('2030-13-01T00:00:00.000Z', '2030-02-32', '9999-99-01T00:00:00.000Z',
           '2030-00-10', 'not a date', '2030-02-30T00:00Z')
{
    $r = call('POST', '/admin/update-user', $tok,
              qq({"userId":"$joe->{id}","data":{"banExpires":"$v"}}));
    is($r->{body}, '{"message":"[body.data.banExpires] Invalid input: expected an ISO 8601 date","code":"VALIDATION_ERROR"}',
       "banExpires $v: 400");
}


# --- bodies the client botched ----------------------------------------------

sub chunked {
    my ($method, $uri, @h) = @_;
    return $nginx->request($method, $uri, raw =>
        "$method $uri HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        . join('', map { "$_\r\n" } @h)
        . "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
}

json_error(chunked('POST', '/api/auth/sign-up/email', $json), 400,
           'a malformed chunk to a route that reads the body');
json_error(chunked('GET', '/api/auth/ok'), 400,
           'a malformed chunk to a route that discards it');
json_error(chunked('POST', '/api/auth/nowhere'), 400,
           'a malformed chunk to no route');
json_error(chunked('POST', '/gated'), 400,
           'a malformed chunk to the gate, refused without a session');
json_error(chunked('POST', '/api/auth/admin/ban-user', $json,
                   "Authorization: Bearer $tok"), 400,
           'a malformed chunk to an admin route');


# --- the audit log cannot be flooded without a session ---------------------

my $rows = psql('SELECT count(*) FROM admin_audit_logs');
for my $body ('{}', '[1]', qq({"userId":"$joe->{id}"})) {
    for my $auth (undef, 'nope') {
        $r = call('POST', '/admin/ban-user', $auth, $body);
        ok($r->{code} == 401 || $r->{code} == 400,
           "ban-user without a live session ($body): $r->{code}");
    }
}
is(psql('SELECT count(*) FROM admin_audit_logs'), $rows,
   'refusals with no live session write no audit row');

$r = call('POST', '/admin/ban-user', $tok, '{}');
is(psql('SELECT count(*) FROM admin_audit_logs'), $rows + 1,
   'an admin\'s refused request still does');
is(psql(q{SELECT actor_user_id || '/' || error_message FROM admin_audit_logs
          ORDER BY created_at DESC, id DESC LIMIT 1}),
   "$admin->{id}/VALIDATION_ERROR", 'under the session it carried');


# --- no 500 and no worker crash in all of it --------------------------------

my $log = $nginx->log_since(0);
unlike($log, qr/\[alert\].*exited on signal/, 'no worker died');
unlike($log, qr/" 500 /, 'no 500 was answered');

$nginx->stop;
done_testing();
