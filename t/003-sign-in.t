# POST /sign-in/email against users whose password hashes were made by
# Python's hashlib.scrypt (an implementation independent of the module),
# bans, rememberMe, callbackURL and the origin rules of sign-in.

use lib 't/lib';
use Athena::Test;
use Test::Nginx::Socket 'no_plan';
no warnings 'once';    # fixtures are read by the blocks as $::name

servers();
create_user(email => 'pat@example.com', password => 'Sesame-Open-42',
            name => 'Pat');
create_user(email => 'unicode@example.com', password => "p\x{e4}ss\x{FF21}word",
            name => 'Uni');
create_user(email => 'banned@example.com', password => 'password-123',
            banned => 1);
create_user(email => 'was-banned@example.com', password => 'password-123',
            banned => 1, ban_expires => '2000-01-01T00:00:00Z');
create_user(email => 'nopassword@example.com');

# the plain good sign-in most blocks send, with different headers
$::pat = "POST /api/auth/sign-in/email\n"
         . '{"email":"pat@example.com","password":"Sesame-Open-42"}';

install_defaults();
repeat_each(1);
run_tests();

__DATA__

=== TEST 1: a password hashed by Python's scrypt signs in
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-in/email
{"email":"PAT@example.com","password":"Sesame-Open-42"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_body_like
^\{"redirect":false,"token":"[A-Za-z0-9]{32}","user":\{"name":"Pat","email":"pat@example.com",.*"role":"user","banned":false,.*\}\}$
--- response_headers_like
Set-Cookie: better-auth\.session_token=[A-Za-z0-9]{32}\.[^;]+; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax
set-auth-token: [A-Za-z0-9]{32}\.[A-Za-z0-9+/]{43}=


=== TEST 2: the password is NFKC-normalised before hashing, as better-auth does
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
"POST /api/auth/sign-in/email
{\"email\":\"unicode\@example.com\",\"password\":\"pa\x{308}ssAword\"}"
--- more_headers
Content-Type: application/json
--- error_code: 200


=== TEST 3: a wrong password, an unknown user and a user without a password all get the same 401
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/sign-in/email
{\"email\":\"pat\@example.com\",\"password\":\"sesame-open-42\"}",
"POST /api/auth/sign-in/email
{\"email\":\"nobody\@example.com\",\"password\":\"Sesame-Open-42\"}",
"POST /api/auth/sign-in/email
{\"email\":\"nopassword\@example.com\",\"password\":\"Sesame-Open-42\"}"]
--- more_headers
Content-Type: application/json
--- error_code eval
[401, 401, 401]
--- response_body eval
[('{"message":"Invalid email or password","code":"INVALID_EMAIL_OR_PASSWORD"}') x 3]
--- response_headers
!Set-Cookie


=== TEST 4: a banned user is refused with better-auth's message
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-in/email
{"email":"banned@example.com","password":"password-123"}
--- more_headers
Content-Type: application/json
--- error_code: 403
--- response_body chomp
{"message":"You have been banned from this application. Please contact support if you believe this is an error.","code":"BANNED_USER"}


=== TEST 5: an expired ban is lifted at sign-in
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/sign-in/email
{\"email\":\"was-banned\@example.com\",\"password\":\"password-123\"}",
"POST /api/auth/sign-in/email
{\"email\":\"was-banned\@example.com\",\"password\":\"password-123\"}"]
--- more_headers
Content-Type: application/json
--- error_code eval
[200, 200]
--- response_body_like eval
['"banned":true', '"banned":false,"banReason":null,"banExpires":null']


=== TEST 6: rememberMe false and a callbackURL
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-in/email
{"email":"pat@example.com","password":"Sesame-Open-42","rememberMe":false,"callbackURL":"/dashboard"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_body_like
^\{"redirect":true,"token":"[A-Za-z0-9]{32}","url":"/dashboard","user":
--- response_headers_like
Set-Cookie: better-auth\.session_token=[^;]+; Path=/; HttpOnly; SameSite=Lax\nbetter-auth\.dont_remember=true\.[^;]+; Path=/; HttpOnly; SameSite=Lax
Location: /dashboard


=== TEST 7: validation comes first, then the email check
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/sign-in/email
{\"email\":[],\"rememberMe\":\"yes\"}",
"POST /api/auth/sign-in/email
{\"email\":\"not-an-email\",\"password\":\"x\"}",
"POST /api/auth/sign-in/email
"]
--- more_headers
Content-Type: application/json
--- error_code eval
[400, 400, 400]
--- response_body eval
['{"message":"[body.email] Invalid input: expected string, received array; [body.password] Invalid input: expected string, received undefined; [body.rememberMe] Invalid input: expected boolean, received string","code":"VALIDATION_ERROR"}',
 '{"message":"Invalid email","code":"INVALID_EMAIL"}',
 '{"message":"[body] Invalid input: expected object, received undefined","code":"VALIDATION_ERROR"}']


=== TEST 8: a cookie-carrying sign-in from an untrusted origin is refused
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
[$::pat,
$::pat,
$::pat]
--- more_headers eval
["Content-Type: application/json\nCookie: x=1\nOrigin: https://evil.example",
 "Content-Type: application/json\nCookie: x=1",
 "Content-Type: application/json\nCookie: x=1\nOrigin: http://localhost:3000"]
--- error_code eval
[403, 403, 200]
--- response_body_like eval
['^\{"message":"Invalid origin","code":"INVALID_ORIGIN"\}$',
 '^\{"message":"Missing or null Origin","code":"MISSING_OR_NULL_ORIGIN"\}$',
 '"token"']


=== TEST 9: browsers get the login CSRF rules even without a cookie
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
[$::pat,
$::pat,
$::pat]
--- more_headers eval
["Content-Type: application/json\nSec-Fetch-Site: cross-site\nSec-Fetch-Mode: navigate",
 "Content-Type: application/json\nOrigin: https://evil.example",
 "Content-Type: application/json\nSec-Fetch-Site: same-origin\nSec-Fetch-Mode: cors\nOrigin: http://localhost:3000"]
--- error_code eval
[403, 403, 200]
--- response_body_like eval
['CROSS_SITE_NAVIGATION_LOGIN_BLOCKED', 'INVALID_ORIGIN', '"token"']


=== TEST 10: an untrusted callbackURL is refused, a relative one is fine
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/sign-in/email
{\"email\":\"pat\@example.com\",\"password\":\"Sesame-Open-42\",\"callbackURL\":\"https://evil.example/x\"}",
"POST /api/auth/sign-in/email
{\"email\":\"pat\@example.com\",\"password\":\"Sesame-Open-42\",\"callbackURL\":\"//evil.example\"}",
"POST /api/auth/sign-in/email
{\"email\":\"pat\@example.com\",\"password\":\"Sesame-Open-42\",\"callbackURL\":5}",
"POST /api/auth/sign-in/email
{\"email\":\"pat\@example.com\",\"password\":\"Sesame-Open-42\",\"callbackURL\":\"http://localhost:3000/home\"}"]
--- more_headers
Content-Type: application/json
--- error_code eval
[403, 403, 400, 200]
--- response_body_like eval
['^\{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"\}$',
 'INVALID_CALLBACK_URL',
 '^\{"message":"Invalid callbackURL: expected a string"\}$',
 '"url":"http://localhost:3000/home"']


=== TEST 11: trusted origins from the directive, globs included
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_trusted_origins https://app.example.org *.example.net;')
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
[$::pat,
$::pat,
$::pat]
--- more_headers eval
["Content-Type: application/json\nCookie: a=b\nOrigin: https://APP.example.org:443",
 "Content-Type: application/json\nCookie: a=b\nOrigin: https://eu.example.net",
 "Content-Type: application/json\nCookie: a=b\nOrigin: https://example.org"]
--- error_code eval
[200, 200, 403]


=== TEST 12: Sec-Fetch-Dest alone marks a browser; blank fetch headers do not
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
[$::pat,
$::pat]
--- more_headers eval
["Content-Type: application/json\nSec-Fetch-Dest: document",
 "Content-Type: application/json\nSec-Fetch-Site:  "]
--- error_code eval
[403, 200]
--- response_body_like eval
['MISSING_OR_NULL_ORIGIN', '"token"']


=== TEST 13: "null" from a same-origin page is the request's own origin; an empty Origin falls back to Referer
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_trusted_origins http://localhost;')
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
[$::pat,
$::pat,
$::pat]
--- more_headers eval
["Content-Type: application/json\nCookie: a=1\nOrigin: null\nSec-Fetch-Site: same-origin",
 "Content-Type: application/json\nCookie: a=1\nOrigin: null",
 "Content-Type: application/json\nCookie: a=1\nOrigin: \nReferer: http://localhost:3000/login"]
--- error_code eval
[200, 403, 200]


=== TEST 14: callbackURL is also checked in the query; falsy non-strings fail validation
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/sign-in/email?callbackURL=https%3A%2F%2Fevil.example
{\"email\":\"pat\@example.com\",\"password\":\"Sesame-Open-42\"}",
"POST /api/auth/sign-in/email
{\"email\":\"pat\@example.com\",\"password\":\"Sesame-Open-42\",\"callbackURL\":null}",
"POST /api/auth/sign-in/email
{\"email\":\"pat\@example.com\",\"password\":\"Sesame-Open-42\",\"callbackURL\":\"\"}",
"POST /api/auth/sign-in/email
{\"email\":\"pat\@example.com\",\"password\":\"Sesame-Open-42\",\"callbackURL\":\"/x?next=%2F%2Fevil\"}",
"POST /api/auth/sign-in/email
{\"email\":\"pat\@example.com\",\"password\":\"Sesame-Open-42\",\"callbackURL\":\"/x\\u0085y\"}"]
--- more_headers
Content-Type: application/json
--- error_code eval
[403, 400, 200, 200, 403]
--- response_body_like eval
['^\{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"\}$',
 '^\{"message":"\[body.callbackURL\] Invalid input: expected string, received null","code":"VALIDATION_ERROR"\}$',
 '^\{"redirect":false,"token":"[A-Za-z0-9]{32}","url":"","user":',
 '"url":"/x\?next=%2F%2Fevil"',
 'INVALID_CALLBACK_URL']


=== TEST 15: a body without a Content-Type reads as no body, as in better-auth's Node adapter
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-in/email
{"email":"pat@example.com","password":"Sesame-Open-42"}
--- error_code: 400
--- response_body chomp
{"message":"[body] Invalid input: expected object, received undefined","code":"VALIDATION_ERROR"}


=== TEST 16: a leading byte order mark is skipped, as JSON.parse does after better-call
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
"POST /api/auth/sign-in/email
\xef\xbb\xbf{\"email\":\"pat\@example.com\",\"password\":\"Sesame-Open-42\"}"
--- more_headers
Content-Type: application/json
--- error_code: 200
