# nginx -t refuses bad directive values, naming the directive and the
# line; a good configuration with every directive passes.

use lib 't/lib';
use Athena::Test;
use Test::Nginx::Socket 'no_plan';

servers();
install_defaults();
run_tests();

__DATA__

=== TEST 1: every directive, good values
--- http_config eval
Athena::Test::default_http_config(rate_limit => 1, extra => <<'X')
    athena_auth_postgres_schema public;
    athena_auth_postgres_connect_timeout 3s;
    athena_auth_postgres_timeout 2s;
    athena_auth_postgres_deadline 2500ms;
    athena_auth_redis_timeout 100ms;
    athena_auth_redis_retry 2s;
    athena_auth_session_cache_ttl 1m;
    athena_auth_cache_prefix "app1:";
    athena_auth_cookie_prefix myapp;
    athena_auth_secure_cookies off;
    athena_auth_session_expires_in 30d;
    athena_auth_session_update_age 12h;
    athena_auth_session_fresh_age 10m;
    athena_auth_trusted_origins https://a.example.com *.example.org;
    athena_auth_password_length 10 64;
    athena_auth_max_body_size 16k;
    athena_auth_max_json_depth 4;
    athena_auth_disable_sign_up off;
    athena_auth_organization_create on;
    athena_auth_organization_limit 5;
    athena_auth_organization_creator_role admin;
    athena_auth_organization_membership_limit 50;
    athena_auth_organization_invitation_limit 20;
    athena_auth_organization_invitation_expires 7d;
    athena_auth_organization_deletion off;
    athena_auth_identity_headers X-Auth-;
    athena_auth_rate_limit on;
    athena_auth_rate_limit_window 1m;
    athena_auth_rate_limit_max 500;
    athena_auth_rate_limit_rule /sign-in/* 1m 5;
    athena_auth_rate_limit_rule /get-session off;
    athena_auth_rate_limit_zone 2m;
    athena_auth_jwt on issuer=https://auth.example.com audience=app expires=1h rotation=30d grace=7d;
    athena_auth_cache_notify on;
X
--- config
location /auth/ { athena_auth_api /auth/; }
--- request
GET /auth/ok
--- error_code: 200


=== TEST 2: a schema name that is not an identifier
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_postgres_schema "a;b";')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/"athena_auth_postgres_schema" directive is not a valid schema name in \S+nginx.conf:\d+/]


=== TEST 3: a bad time
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_postgres_timeout soon;')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/"athena_auth_postgres_timeout" directive invalid value in \S+nginx.conf:\d+/]


=== TEST 4: a bad Redis address
--- http_config eval
"athena_auth_postgres \"$ENV{TEST_NGINX_ATHENA_PG}\";
athena_auth_secret $Athena::Test::SECRET;
athena_auth_redis 127.0.0.1:99999;"
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/invalid address "127.0.0.1:99999" in athena_auth_redis in \S+nginx.conf:\d+/]


=== TEST 5: an unknown Redis parameter
--- http_config eval
Athena::Test::default_http_config(redis => 'athena_auth_redis 127.0.0.1:6379 dbx=1;')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/invalid parameter "dbx=1" in \S+nginx.conf:\d+/]


=== TEST 6: the API without Postgres or a secret
--- http_config
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/"athena_auth_api" needs "athena_auth_postgres" and "athena_auth_secret" at http level in \S+nginx.conf:\d+/]


=== TEST 7: a secret file that does not exist
--- http_config eval
"athena_auth_postgres \"$ENV{TEST_NGINX_ATHENA_PG}\";
athena_auth_secret file=/nonexistent/secret;"
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr{open\(\) "/nonexistent/secret" failed .* in \S+nginx.conf:\d+}]


=== TEST 8: password lengths out of order
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_password_length 20 10;')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/"athena_auth_password_length" directive needs two numbers, min >= 1 and max >= min in \S+nginx.conf:\d+/]


=== TEST 9: a trusted origin that is not an origin
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_trusted_origins example.com;')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/invalid origin "example.com" in \S+nginx.conf:\d+/]


=== TEST 10: a JSON depth out of bounds
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_max_json_depth 500;')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/"athena_auth_max_json_depth" directive must be between 1 and 64 in \S+nginx.conf:\d+/]


=== TEST 11: no thread pool defined for the API
--- main_config
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/unknown thread pool "athena_auth"/]


=== TEST 12: a base path that is not a path
--- config
location /api/auth/ { athena_auth_api api/auth; }
--- must_die
--- error_log eval
[qr/invalid base path "api\/auth" in \S+nginx.conf:\d+/]


=== TEST 13: a directive at the wrong level
--- config
location /api/auth/ { athena_auth_postgres "x"; athena_auth_api; }
--- must_die
--- error_log eval
[qr/"athena_auth_postgres" directive is not allowed here in \S+nginx.conf:\d+/]


=== TEST 14: a creator role the organization plugin does not have
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_organization_creator_role boss;')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/unknown organization role "boss" in \S+nginx.conf:\d+/]


=== TEST 15: an organization limit that is neither a number nor off
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_organization_limit many;')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/"athena_auth_organization_limit" directive takes a number or "off" in \S+nginx.conf:\d+/]


=== TEST 16: an identity header prefix that is no header name
--- config
athena_auth_identity_headers "X Auth";
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/"athena_auth_identity_headers" directive takes a header name prefix of letters, digits and "-" in \S+nginx.conf:\d+/]


=== TEST 17: an empty identity header prefix
--- config
athena_auth_identity_headers "";
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/"athena_auth_identity_headers" directive takes a header name prefix such as "X-", or "off" in \S+nginx.conf:\d+/]


=== TEST 18: a rate limit rule without a path, or with no maximum
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_rate_limit_rule sign-in 10s 3;')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/"athena_auth_rate_limit_rule" directive takes a path under the base path, such as "\/sign-in\/\*" in \S+nginx.conf:\d+/]


=== TEST 19: a rate limit rule with a maximum of zero
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_rate_limit_rule /sign-in 10s 0;')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/"athena_auth_rate_limit_rule" directive takes a window of time and a maximum above zero in \S+nginx.conf:\d+/]


=== TEST 20: a Postgres deadline of nothing
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_postgres_deadline 0;')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/"athena_auth_postgres_deadline" directive must be between 1ms and 24h in \S+nginx.conf:\d+/]


=== TEST 21: the REST admin API's base path is a path
--- config
location /api/admin/ { athena_auth_admin_rest api/admin; }
--- must_die
--- error_log eval
[qr/invalid base path "api\/admin" in \S+nginx.conf:\d+/]


=== TEST 22: the REST admin API and the auth API in one location
--- config
location /api/ { athena_auth_api; athena_auth_admin_rest; }
--- must_die
--- error_log eval
[qr/"athena_auth_admin_rest" directive is duplicate in \S+nginx.conf:\d+/]


=== TEST 23: an admin API limit that cannot be counted
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_admin_rest_limit 500 1m 0 1h;')
--- config
location /api/admin/ { athena_auth_admin_rest; }
--- must_die
--- error_log eval
[qr/invalid limit "0 1h": a maximum of at least 1, a window of at least 1 ms, and not both huge in \S+nginx.conf:\d+/]


=== TEST 24: an admin API limit without its window
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_admin_rest_limit 500;')
--- config
location /api/admin/ { athena_auth_admin_rest; }
--- must_die
--- error_log eval
[qr/"athena_auth_admin_rest_limit" directive takes "off" or pairs of a maximum and a window in \S+nginx.conf:\d+/]


=== TEST 25: the jwt plugin with a word it does not know
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_jwt on lifetime=1h;')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/invalid parameter "lifetime=1h" in \S+nginx.conf:\d+/]


=== TEST 26: a JWT lifetime under a second
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_jwt on expires=500ms;')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/invalid time in "expires=500ms": at least a second in \S+nginx.conf:\d+/]


=== TEST 27: the jwt plugin neither on nor off
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_jwt yes;')
--- config
location /api/auth/ { athena_auth_api; }
--- must_die
--- error_log eval
[qr/"athena_auth_jwt" directive takes "on" with options, or "off" in \S+nginx.conf:\d+/]


=== TEST 28: an admin role seed 004 does not have
--- http_config eval
Athena::Test::gate_http_config(no_app => 1)
--- config
location /x { athena_auth_require admin_role=SUPER_ADMIN,KING; return 200; }
--- must_die
--- error_log eval
[qr/unknown admin role "KING": SUPER_ADMIN, PARTNER_ADMIN or TENANT_ADMIN in \S+nginx.conf:\d+/]



=== TEST 29: cache notifications neither on nor off
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_cache_notify sometimes;')
--- config
location /x { return 200; }
--- must_die
--- error_log eval
[qr/invalid value "sometimes" in "athena_auth_cache_notify" directive, it must be "on" or "off" in \S+nginx.conf:\d+/]



=== TEST 30: cache notifications are the node's, not a location's
--- http_config eval
Athena::Test::default_http_config()
--- config
location /x { athena_auth_cache_notify off; return 200; }
--- must_die
--- error_log eval
[qr/"athena_auth_cache_notify" directive is not allowed here in \S+nginx.conf:\d+/]



=== TEST 31: more admin API limits than are counted together
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_admin_rest_limit 500 1m 5000 1h 9000 1d;')
--- config
location /api/admin/ { athena_auth_admin_rest; }
--- must_die
--- error_log eval
[qr/"athena_auth_admin_rest_limit" directive takes at most two limits in \S+nginx.conf:\d+/]



=== TEST 32: two admin API limits over one window
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_admin_rest_limit 500 1m 400 60s;')
--- config
location /api/admin/ { athena_auth_admin_rest; }
--- must_die
--- error_log eval
[qr/invalid limit "400 60s": a second limit over the same window in \S+nginx.conf:\d+/]
