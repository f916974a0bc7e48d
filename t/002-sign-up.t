# POST /sign-up/email: the success shape, cookies and set-auth-token, and
# every refusal better-auth makes, each of which writes nothing (checked
# by a sign-in with the same email answering 401 afterwards).

use lib 't/lib';
use Athena::Test;
use Test::Nginx::Socket 'no_plan';

servers();
install_defaults();
repeat_each(1);
run_tests();

__DATA__

=== TEST 1: sign-up answers {token, user} with the cookie and set-auth-token
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
{"name":"Ann","email":"Ann@Example.com","password":"password-123"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_body_like
^\{"token":"[A-Za-z0-9]{32}","user":\{"name":"Ann","email":"ann@example.com","emailVerified":false,"image":null,"createdAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","updatedAt":"[^"]+","role":"user","banned":false,"banReason":null,"banExpires":null,"id":"[A-Za-z0-9]{32}"\}\}$
--- response_headers_like
Set-Cookie: better-auth\.session_token=[A-Za-z0-9]{32}\.[A-Za-z0-9%]+%3D; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax
set-auth-token: [A-Za-z0-9]{32}\.[A-Za-z0-9+/]{43}=
Access-Control-Expose-Headers: set-auth-token


=== TEST 2: the same email again is 422, whatever its case
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
{"name":"Ann","email":"ANN@example.com","password":"password-123"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body chomp
{"message":"User already exists. Use another email.","code":"USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"}


=== TEST 3: rememberMe false: no Max-Age, and a signed dont_remember cookie
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
{"name":"Bo","email":"bo@example.com","password":"password-123","rememberMe":false}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_headers_like
Set-Cookie: better-auth\.session_token=[^;]+; Path=/; HttpOnly; SameSite=Lax\nbetter-auth\.dont_remember=true\.[A-Za-z0-9%]+; Path=/; HttpOnly; SameSite=Lax


=== TEST 4: missing and mistyped fields name each field as zod does
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
{"email":5,"password":true,"image":null}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body chomp
{"message":"[body.name] Invalid input: expected string, received undefined; [body.email] Invalid input: expected string, received number; [body.password] Invalid input: expected string, received boolean; [body.image] Invalid input: expected string, received null","code":"VALIDATION_ERROR"}


=== TEST 5: a body that is not an object
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
["a"]
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body chomp
{"message":"[body] Invalid input: expected object, received array; [body] Invalid input: expected record, received array","code":"VALIDATION_ERROR"}


=== TEST 6: an invalid email is a validation error, and nothing is written
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/sign-up/email
{\"name\":\"C\",\"email\":\"c\@example\",\"password\":\"password-123\"}",
"POST /api/auth/sign-in/email
{\"email\":\"c\@example\",\"password\":\"password-123\"}"]
--- more_headers
Content-Type: application/json
--- error_code eval
[400, 400]
--- response_body eval
['{"message":"[body.email] Invalid email address","code":"VALIDATION_ERROR"}',
 '{"message":"Invalid email","code":"INVALID_EMAIL"}']


=== TEST 7: password too short, too long (JavaScript lengths), empty
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/sign-up/email
{\"name\":\"D\",\"email\":\"d\@example.com\",\"password\":\"short\"}",
"POST /api/auth/sign-up/email
{\"name\":\"D\",\"email\":\"d\@example.com\",\"password\":\"" . ("\x{1F600}" x 65) . "\"}",
"POST /api/auth/sign-up/email
{\"name\":\"D\",\"email\":\"d\@example.com\",\"password\":\"\"}",
"POST /api/auth/sign-in/email
{\"email\":\"d\@example.com\",\"password\":\"password-123\"}"]
--- more_headers
Content-Type: application/json
--- error_code eval
[400, 400, 400, 401]
--- response_body eval
['{"message":"Password too short","code":"PASSWORD_TOO_SHORT"}',
 '{"message":"Password too long","code":"PASSWORD_TOO_LONG"}',
 '{"message":"[body.password] Too small: expected string to have >=1 characters","code":"VALIDATION_ERROR"}',
 '{"message":"Invalid email or password","code":"INVALID_EMAIL_OR_PASSWORD"}']


=== TEST 8: admin fields cannot be set through sign-up
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
{"name":"E","email":"e@example.com","password":"password-123","role":"admin"}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body chomp
{"message":"role is not allowed to be set","code":"FIELD_NOT_ALLOWED"}


=== TEST 9: malformed JSON
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
{"name":"F",
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body chomp
{"message":"Invalid JSON in request body","code":"BAD_REQUEST"}


=== TEST 10: a content type that is not JSON or a form is 415
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
name=F
--- more_headers
Content-Type: text/plain
--- error_code: 415
--- response_body chomp
{"message":"Content-Type \"text/plain\" is not allowed. Allowed types: application/x-www-form-urlencoded, application/json","code":"UNSUPPORTED_MEDIA_TYPE"}


=== TEST 11: a body over the limit is 413, announced or chunked
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/sign-up/email
{\"name\":\"" . ("x" x 40000) . "\",\"email\":\"g\@example.com\",\"password\":\"password-123\"}"]
--- more_headers
Content-Type: application/json
--- error_code: 413
--- response_body chomp
{"message":"Request body too large","code":"PAYLOAD_TOO_LARGE"}


=== TEST 12: a chunked body over the limit is 413 too
--- config
location /api/auth/ { athena_auth_api; }
--- raw_request eval
my $body = '{"name":"' . ("x" x 40000) . '","email":"g@example.com","password":"password-123"}';
"POST /api/auth/sign-up/email HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
. sprintf("%x\r\n%s\r\n0\r\n\r\n", length $body, $body)
--- error_code: 413


=== TEST 13: nesting deeper than the limit
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
{"name":"H","email":"h@example.com","password":"password-123","image":[[[[[[[[[1]]]]]]]]]}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body chomp
{"message":"JSON in request body is nested deeper than 8 levels","code":"BAD_REQUEST"}


=== TEST 14: invalid UTF-8
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
"POST /api/auth/sign-up/email
{\"name\":\"\xff\xfe\",\"email\":\"i\@example.com\",\"password\":\"password-123\"}"
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body chomp
{"message":"Request body is not valid UTF-8","code":"BAD_REQUEST"}


=== TEST 15: SQL metacharacters are stored and returned verbatim
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
{"name":"x'); DROP TABLE \"user\"; --","email":"o'brien@example.com","password":"pass'word--;","image":"%_\\"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_body_like
"name":"x'\); DROP TABLE \\"user\\"; --","email":"o'brien@example.com","emailVerified":false,"image":"%_\\\\"


=== TEST 16: ... and that user signs in with that password
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-in/email
{"email":"O'Brien@example.com","password":"pass'word--;"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_body_like
^\{"redirect":false,"token":"[A-Za-z0-9]{32}","user":\{"name":"x'\); DROP


=== TEST 17: a form-encoded sign-up is accepted
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
name=Jo+Form&email=jo%40example.com&password=password-123
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 200
--- response_body_like
"name":"Jo Form","email":"jo@example.com"


=== TEST 18: sign-up can be disabled
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_disable_sign_up on;')
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
{"name":"K","email":"k@example.com","password":"password-123"}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body chomp
{"message":"Email and password sign up is not enabled","code":"EMAIL_PASSWORD_SIGN_UP_DISABLED"}


=== TEST 19: a form value that decodes to invalid UTF-8 is refused
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
name=%FF%FE&email=u8%40example.com&password=password-123
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 400
--- response_body chomp
{"message":"Request body is not valid UTF-8","code":"BAD_REQUEST"}


=== TEST 20: a NUL in the name cannot be stored: refused as better-auth's insert fails
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
{"name":"a\u0000b","email":"nul@example.com","password":"password-123"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body chomp
{"message":"Failed to create user","code":"FAILED_TO_CREATE_USER"}


=== TEST 21: a form key without "=" is an empty value
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
name&email=empty-name%40example.com&password=password-123
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 200
--- response_body_like
"user":\{"name":"","email":"empty-name@example.com"


=== TEST 22: a whole value followed by an unterminated string is malformed JSON
--- config
location /api/auth/ { athena_auth_api; }
--- request
POST /api/auth/sign-up/email
{"name":"G","email":"trailing@example.com","password":"password-123"}"x
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body chomp
{"message":"Invalid JSON in request body","code":"BAD_REQUEST"}
