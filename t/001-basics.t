# The module loads, serves GET /ok on the event loop, and answers unknown
# paths and methods under the base path as better-auth does.

use lib 't/lib';
use Athena::Test;
use Test::Nginx::Socket 'no_plan';

servers();
install_defaults();
repeat_each(2);
run_tests();

__DATA__

=== TEST 1: GET /ok answers {"ok":true}
--- config
location /api/auth/ { athena_auth_api; }
--- request
GET /api/auth/ok
--- error_code: 200
--- response_headers
Content-Type: application/json
--- response_body chomp
{"ok":true}


=== TEST 2: an unknown path under the base answers 404 with an empty body
--- config
location /api/auth/ { athena_auth_api; }
--- request
GET /api/auth/no-such-thing
--- error_code: 404
--- response_body chomp
--- response_headers
Content-Length: 0


=== TEST 3: a wrong method is a 404 too, as is a trailing slash
--- config
location /api/auth/ { athena_auth_api; }
--- request eval
["POST /api/auth/ok", "GET /api/auth/ok/", "HEAD /api/auth/ok"]
--- error_code eval
[404, 404, 404]


=== TEST 4: another base path
--- config
location /auth/ { athena_auth_api /auth; }
--- request eval
["GET /auth/ok", "GET /api/auth/ok"]
--- error_code eval
[200, 404]


=== TEST 5: get-session without a credential is null
--- config
location /api/auth/ { athena_auth_api; }
--- request
GET /api/auth/get-session
--- error_code: 200
--- response_body chomp
null
--- response_headers
Cache-Control: no-store
!Set-Cookie
