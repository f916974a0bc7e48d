# get-session, list-sessions, sign-out and the revoke endpoints, with
# sessions written straight into Postgres and cookies signed by Perl's
# Digest::SHA, so a cookie or bearer that better-auth would accept is what
# the module must accept.

use lib 't/lib';
use Athena::Test;
use Test::Nginx::Socket 'no_plan';
no warnings 'once';    # fixtures are read by the blocks as $::name

servers();

my $u = create_user(email => 'sam@example.com', name => 'Sam');
my $v = create_user(email => 'val@example.com', name => 'Val');

$::tok = create_session($u->{id});
$::old = create_session($u->{id}, age => 2 * 86400, expires_in => 5 * 86400);
$::dead = create_session($u->{id}, expires_in => -60);
$::stale = create_session($u->{id}, age => 2 * 86400);
$::imp = create_session($u->{id}, impersonated_by => $v->{id});
$::other = create_session($v->{id});
$::gone = create_session($u->{id});
$::all = create_session($v->{id});
$::all2 = create_session($v->{id});
$::out = create_session($v->{id});
$::cookie = session_cookie($::tok);
$::refresh_me = create_session($u->{id}, expires_in => 5 * 86400);
my $w = create_user(email => 'wes@example.com', name => 'Wes');
$::keeper = create_session($w->{id});
$::expired_other = create_session($w->{id}, expires_in => -3600);
$::bad_cookie = session_cookie($::tok, 'some-other-secret-of-some-length-000');
$::dont = 'better-auth.dont_remember=' . (sign('true') =~ s/=/%3D/gr =~ s/\+/%2B/gr =~ s{/}{%2F}gr);

install_defaults();
repeat_each(1);
run_tests();

# what TEST 21 left behind: the expired session of the same user
Test::More::is(psql(qq{SELECT count(*) FROM session WHERE token = '$::expired_other'}),
               1, 'revoke-other-sessions kept the expired session row');

__DATA__

=== TEST 1: get-session with a bare bearer token
--- config
location /api/auth/ { athena_auth_api; }
--- request
GET /api/auth/get-session
--- more_headers eval
"Authorization: Bearer $::tok"
--- error_code: 200
--- response_body_like eval
qr/^\{"session":\{"expiresAt":"[^"]+","token":"$::tok","createdAt":"[^"]+","updatedAt":"[^"]+","ipAddress":"127.0.0.1","userAgent":"test","userId":"[A-Za-z0-9]{32}","impersonatedBy":null,"activeOrganizationId":null,"id":"[A-Za-z0-9]{32}"\},"user":\{"name":"Sam","email":"sam\@example.com",.*"id":"[A-Za-z0-9]{32}"\}\}$/
--- response_headers
Cache-Control: no-store
Pragma: no-cache
!Set-Cookie


=== TEST 2: a signed bearer, a percent-encoded one, and the cookie
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["GET /api/auth/get-session", "GET /api/auth/get-session", "GET /api/auth/get-session"]
--- more_headers eval
["Authorization: Bearer " . Athena::Test::sign($::tok),
 "Authorization: bearer " . ($::cookie =~ s/^[^=]+=//r),
 "Cookie: theme=dark; $::cookie"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[qr/"token":"$::tok"/, qr/"token":"$::tok"/, qr/"token":"$::tok"/]


=== TEST 3: a bad signature reads as no credential: null and no cookies
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["GET /api/auth/get-session", "GET /api/auth/get-session"]
--- more_headers eval
["Cookie: $::bad_cookie", "Authorization: Bearer $::tok.AAAA"]
--- error_code eval
[200, 200]
--- response_body eval
["null", "null"]
--- response_headers
!Set-Cookie


=== TEST 4: an expired session is null, its row is deleted and the cookies expired
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["GET /api/auth/get-session", "GET /api/auth/get-session"]
--- more_headers eval
["Cookie: " . Athena::Test::session_cookie($::dead),
 "Authorization: Bearer $::dead"]
--- error_code eval
[200, 200]
--- response_body eval
["null", "null"]
--- response_headers_like
Set-Cookie: better-auth\.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax\nbetter-auth\.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax\nbetter-auth\.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax


=== TEST 5: a session older than the update age is extended, and the cookie re-sent
--- config
location /api/auth/ { athena_auth_api; }
--- request
GET /api/auth/get-session
--- more_headers eval
"Authorization: Bearer $::old"
--- error_code: 200
--- response_headers_like eval
"Set-Cookie: better-auth\\.session_token=$::old\\.[^;]+; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax
set-auth-token: $::old\\.[A-Za-z0-9+/]{43}="


=== TEST 6: ... but not with disableRefresh or a dont_remember cookie
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["GET /api/auth/get-session?disableRefresh=false",
 "GET /api/auth/get-session"]
--- more_headers eval
["Authorization: Bearer $::stale",
 "Cookie: " . Athena::Test::session_cookie($::stale) . "; $::dont"]
--- error_code eval
[200, 200]
--- response_headers
!Set-Cookie


=== TEST 7: list-sessions hides expired and impersonation sessions
--- config
location /api/auth/ { athena_auth_api; }
--- request
GET /api/auth/list-sessions
--- more_headers eval
"Authorization: Bearer $::tok"
--- error_code: 200
--- response_body_like eval
qr/^\[(\{"expiresAt":[^}]+\},?){5}\]$/
--- response_body_unlike eval
qr/$::imp|$::dead|$::other/


=== TEST 8: list-sessions needs a fresh session, and any session at all
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["GET /api/auth/list-sessions", "GET /api/auth/list-sessions"]
--- more_headers eval
["Authorization: Bearer $::stale", ""]
--- error_code eval
[403, 401]
--- response_body eval
['{"message":"Session is not fresh","code":"SESSION_NOT_FRESH"}',
 '{"message":"Unauthorized","code":"UNAUTHORIZED"}']


=== TEST 9: revoke-session leaves another user's session alone but says success
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/revoke-session
{\"token\":\"$::other\"}",
"GET /api/auth/get-session"]
--- more_headers eval
["Authorization: Bearer $::tok\nContent-Type: application/json",
 "Authorization: Bearer $::other"]
--- error_code eval
[200, 200]
--- response_body_like eval
['^\{"status":true\}$', qr/"token":"$::other"/]


=== TEST 10: revoke-session of an own session, then that session is gone
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/revoke-session
{\"token\":\"$::gone\"}",
"GET /api/auth/get-session"]
--- more_headers eval
["Authorization: Bearer $::tok\nContent-Type: application/json",
 "Authorization: Bearer $::gone"]
--- error_code eval
[200, 200]
--- response_body eval
['{"status":true}', 'null']


=== TEST 11: revoke-session validates before it authenticates
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/revoke-session
{}", "POST /api/auth/revoke-session
{\"token\":\"x\"}", "POST /api/auth/revoke-session
token=x"]
--- more_headers eval
["Content-Type: application/json", "Content-Type: application/json",
 "Content-Type: application/x-www-form-urlencoded\nAuthorization: Bearer $::tok"]
--- error_code eval
[400, 401, 415]
--- response_body eval
['{"message":"[body.token] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}',
 '{"message":"Unauthorized","code":"UNAUTHORIZED"}',
 '{"message":"Content-Type \"application/x-www-form-urlencoded\" is not allowed. Allowed types: application/json","code":"UNSUPPORTED_MEDIA_TYPE"}']


=== TEST 12: revoke-other-sessions keeps the current one
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/revoke-other-sessions", "GET /api/auth/get-session",
 "GET /api/auth/get-session"]
--- more_headers eval
["Authorization: Bearer $::all", "Authorization: Bearer $::all2",
 "Authorization: Bearer $::all"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['^\{"status":true\}$', '^null$', qr/"token":"$::all"/]


=== TEST 13: revoke-sessions ends them all, the current one included
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/revoke-sessions", "GET /api/auth/get-session"]
--- more_headers eval
["Authorization: Bearer $::all", "Authorization: Bearer $::all"]
--- error_code eval
[200, 200]
--- response_body eval
['{"status":true}', 'null']


=== TEST 14: sign-out deletes the session and expires the cookies
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/sign-out", "GET /api/auth/get-session", "POST /api/auth/sign-out"]
--- more_headers eval
["Authorization: Bearer $::out", "Authorization: Bearer $::out", ""]
--- error_code eval
[200, 200, 200]
--- response_body eval
['{"success":true}', 'null', '{"success":true}']


=== TEST 15: a cookie POST needs a trusted Origin even with a bearer
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/sign-out", "POST /api/auth/revoke-sessions"]
--- more_headers eval
["Authorization: Bearer $::tok\nCookie: $::cookie",
 "Cookie: $::cookie\nOrigin: null"]
--- error_code eval
[403, 403]
--- response_body eval
['{"message":"Missing or null Origin","code":"MISSING_OR_NULL_ORIGIN"}',
 '{"message":"Missing or null Origin","code":"MISSING_OR_NULL_ORIGIN"}']


=== TEST 16: POST /get-session is 405 without deferSessionRefresh
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/get-session
--- error_code: 405
--- response_body chomp
{"message":"POST method requires deferSessionRefresh to be enabled in session config","code":"METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED"}
--- response_headers
Cache-Control: no-store


=== TEST 17: disableRefresh is honoured by session-requiring endpoints too
--- config
location /api/auth/ { athena_auth_api; }
--- request
GET /api/auth/list-sessions?disableRefresh=true
--- more_headers eval
"Authorization: Bearer $::refresh_me"
--- error_code: 200
--- response_headers
!Set-Cookie


=== TEST 18: a leftover session_data cookie is expired by get-session
--- config
location /api/auth/ { athena_auth_api; }
--- request
GET /api/auth/get-session
--- more_headers eval
"Cookie: better-auth.session_data=abc; " . $::cookie
--- error_code: 200
--- response_headers
Set-Cookie: better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax


=== TEST 19: sign-out validates its optional body
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-out
{"state":5,"disableRedirect":"x"}
--- more_headers eval
"Authorization: Bearer $::tok\nContent-Type: application/json"
--- error_code: 400
--- response_body chomp
{"message":"[body.disableRedirect] Invalid input: expected boolean, received string; [body.state] Invalid input: expected string, received number","code":"VALIDATION_ERROR"}


=== TEST 20: a bearer signature must be the padded standard form; a cookie name may have spaces
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["GET /api/auth/get-session", "GET /api/auth/get-session"]
--- more_headers eval
["Authorization: Bearer " . (Athena::Test::sign($::tok) =~ s/=$//r),
 "Cookie: " . ($::cookie =~ s/=/ = /r)]
--- error_code eval
[200, 200]
--- response_body_like eval
['^null$', qr/"token":"$::tok"/]


=== TEST 21: revoke-other-sessions leaves expired sessions alone, as better-auth does
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/revoke-other-sessions
--- more_headers eval
"Authorization: Bearer $::keeper"
--- error_code: 200
--- response_body chomp
{"status":true}
