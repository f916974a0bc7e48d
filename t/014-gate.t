# The gate: athena_auth_require in front of a proxied app. Sessions are
# written straight into Postgres; the app is another server of the same
# nginx that echoes the identity headers it got and logs what reached it.

use lib 't/lib';
use Athena::Test;
use Test::Nginx::Socket 'no_plan';
no warnings 'once';    # fixtures are read by the blocks as $::name

servers();

my $sam = create_user(email => 'sam@example.com', name => 'Sam');
my $ada = create_user(email => 'ada@example.com', name => 'Ada',
                      role => 'admin');
my $bob = create_user(email => 'bob@example.com', name => 'Bob',
                      banned => 1);
my $eve = create_user(email => 'eve@example.com', name => 'Eve',
                      banned => 1, ban_expires => '2001-01-01T00:00:00Z');
my $ops = create_user(email => 'ops@example.com', name => 'Ops',
                      role => 'support,admin');

$::sam_id = $sam->{id};
$::ada_id = $ada->{id};
$::sam = create_session($sam->{id});
$::ada = create_session($ada->{id});
$::bob = create_session($bob->{id});
$::eve = create_session($eve->{id});
$::ops = create_session($ops->{id});
$::dead = create_session($sam->{id}, expires_in => -60);
$::imp = create_session($sam->{id}, impersonated_by => $ada->{id});
$::sam_cookie = session_cookie($::sam);
$::forged = session_cookie($::sam, 'not-the-secret-of-this-deployment-000');

my $org = create_org('acme', [$sam->{id}, 'member'], [$ada->{id}, 'owner'],
                     [$ops->{id}, 'admin']);
$::org_id = $org;
$::sam_org = create_session($sam->{id}, active_org => $org);
$::ada_org = create_session($ada->{id}, active_org => $org);
$::ops_org = create_session($ops->{id}, active_org => $org);
$::bob_org = create_session($bob->{id}, active_org => $org);
my $cy = create_user(email => 'cy@example.com', name => 'Cy');
$::cy_org = create_session($cy->{id}, active_org => $org);

my $headers = join '', map { "    proxy_set_header $_->[0] \$$_->[1];\n" }
    [ 'X-User-Id', 'athena_user_id' ], [ 'X-User-Email', 'athena_user_email' ],
    [ 'X-User-Name', 'athena_user_name' ], [ 'X-User-Role', 'athena_user_role' ],
    [ 'X-Session-Id', 'athena_session_id' ],
    [ 'X-Session-Expires', 'athena_session_expires' ],
    [ 'X-Org-Id', 'athena_org_id' ], [ 'X-Org-Role', 'athena_org_role' ],
    [ 'X-Impersonated-By', 'athena_impersonated_by' ];

# a gated location in front of the app
sub gate {
    my ($rule, $extra) = @_;
    return "location /app/ {\n    athena_auth_require $rule;\n$headers"
        . "    proxy_pass http://127.0.0.1:$ENV{TEST_NGINX_APP_PORT};\n"
        . ($extra || '') . "}\n";
}

my $http_config = gate_http_config();

Test::Nginx::Socket::add_block_preprocessor(sub {
    $_[0]->set_value('http_config', $http_config)
        unless exists $_[0]->{http_config};
});
install_defaults();
repeat_each(1);
run_tests();

Test::More::is(app_hits('/app/no-credential'), 0,
               'a refused request never reached the app');
Test::More::is(app_hits('/app/banned'), 0, 'nor did a banned user');
open my $who, '<', "$ENV{TEST_NGINX_APP_LOG}.who" or die $!;
Test::More::is(join('', <$who>),
               "/app/logged ada\@example.com -\n/app/logged-org ops\@example.com admin\n"
               . "/app/anonymous - -\n", 'log_format saw the identity');
Test::More::is(app_hits('/app/public/x'), 1, 'a gate lifted by "off" admits');
Test::More::is(-s Athena::Test::app_dir() . '/app/upload/file', 200_000,
               'a request body passed the gate whole, to the app');
Test::More::is(app_hits('/app/inner/x'), 0, 'an inherited rule refuses');
Test::More::is(app_hits('/app/whoami?x=1') + app_hits('/app/whoami'), 2,
               'admitted ones did, once each');

__DATA__

=== TEST 1: no credential: 401 JSON, as better-auth's session middleware
--- config eval
main::gate('on')
--- request
GET /app/no-credential
--- error_code: 401
--- response_body chomp
{"message":"Unauthorized","code":"UNAUTHORIZED"}
--- response_headers
Content-Type: application/json


=== TEST 2: a bearer token is admitted and the app gets the identity
--- config eval
main::gate('on')
--- request
GET /app/whoami?x=1
--- more_headers eval
"Authorization: Bearer $::sam"
--- error_code: 200
--- response_body_like eval
qr/^uri=\/app\/whoami\?x=1\nid=$::sam_id\nemail=sam\@example.com\nname=Sam\nrole=user\nsession=[A-Za-z0-9]{32}\nexpires=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\norg=\norg_role=\nimp=\n$/


=== TEST 3: the signed cookie, twice (the second from shared memory)
--- config eval
main::gate('on')
--- request eval
["GET /app/whoami", "GET /app/cookie-again"]
--- more_headers eval
["Cookie: theme=dark; $::sam_cookie", "Cookie: $::sam_cookie"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr/\nid=$::sam_id\n/, qr/\nid=$::sam_id\n/]


=== TEST 4: a forged cookie signature, an expired and an unknown session
--- config eval
main::gate('on')
--- request eval
["GET /app/a", "GET /app/b", "GET /app/c", "GET /app/d"]
--- more_headers eval
["Cookie: $::forged", "Authorization: Bearer $::dead",
 "Authorization: Bearer " . Athena::Test::random_id(),
 "Authorization: Bearer $::sam.bad-signature"]
--- error_code eval
[401, 401, 401, 401]
--- response_body eval
[('{"message":"Unauthorized","code":"UNAUTHORIZED"}') x 4]


=== TEST 5: a banned user is refused; a ban that has expired is not
--- config eval
main::gate('on')
--- request eval
["GET /app/banned", "GET /app/ban-expired"]
--- more_headers eval
["Authorization: Bearer $::bob", "Authorization: Bearer $::eve"]
--- error_code eval
[403, 200]
--- response_body_like eval
[qr/^\{"message":"You have been banned from this application. Please contact support if you believe this is an error.","code":"BANNED_USER"\}$/,
 qr/\nemail=eve\@example.com\n/]


=== TEST 6: identity headers a client sends are replaced, never trusted
--- config eval
main::gate('on')
--- request
GET /app/spoof
--- more_headers eval
"Authorization: Bearer $::sam\nX-User-Id: someone-else\nX-User-Role: admin\nX-Impersonated-By: x"
--- error_code: 200
--- response_body_like eval
qr/\nid=$::sam_id\n.*\nrole=user\n.*\nimp=\n$/s


=== TEST 7: an impersonation session: the user, and who impersonates
--- config eval
main::gate('on')
--- request
GET /app/imp
--- more_headers eval
"Authorization: Bearer $::imp"
--- error_code: 200
--- response_body_like eval
qr/\nid=$::sam_id\n.*\nimp=$::ada_id\n$/s


=== TEST 8: role=: one of the listed roles, in a comma-joined role list
--- config eval
main::gate('role=admin,auditor')
--- request eval
["GET /app/r1", "GET /app/r2", "GET /app/r3"]
--- more_headers eval
["Authorization: Bearer $::sam", "Authorization: Bearer $::ada",
 "Authorization: Bearer $::ops"]
--- error_code eval
[403, 200, 200]
--- response_body_like eval
[qr/^\{"message":"Your role does not allow this","code":"FORBIDDEN"\}$/,
 qr/\nrole=admin\n/, qr/\nrole=support,admin\n/]


=== TEST 9: permission=: the admin plugin's roles and statements (AND)
--- config eval
main::gate('permission=user:list,ban permission=session:revoke')
--- request eval
["GET /app/p1", "GET /app/p2"]
--- more_headers eval
["Authorization: Bearer $::sam", "Authorization: Bearer $::ada"]
--- error_code eval
[403, 200]


=== TEST 10: impersonate-admins is no default admin's permission
--- config eval
main::gate('permission=user:impersonate-admins')
--- request
GET /app/p3
--- more_headers eval
"Authorization: Bearer $::ada"
--- error_code: 403


=== TEST 11: athena_auth_admin_user_ids pass every permission check
--- http_config eval
Athena::Test::gate_http_config(extra => "athena_auth_admin_user_ids x $::sam_id;")
--- config eval
main::gate('permission=user:impersonate-admins')
--- request
GET /app/p4
--- more_headers eval
"Authorization: Bearer $::sam"
--- error_code: 200


=== TEST 12: org_permission=: the role in the active organization
--- config eval
main::gate('org_permission=member:create,update')
--- request eval
["GET /app/o1", "GET /app/o2", "GET /app/o3", "GET /app/o4", "GET /app/o5"]
--- more_headers eval
["Authorization: Bearer $::sam_org", "Authorization: Bearer $::ada_org",
 "Authorization: Bearer $::ops_org", "Authorization: Bearer $::sam",
 "Authorization: Bearer $::bob_org"]
--- error_code eval
[403, 200, 200, 403, 403]
--- response_body_like eval
[qr/"code":"FORBIDDEN"/, qr/\norg=$::org_id\norg_role=owner\n/,
 qr/\norg_role=admin\n/, qr/"code":"NO_ACTIVE_ORGANIZATION"/,
 qr/"code":"BANNED_USER"/]


=== TEST 13: organization:delete is the owner's alone
--- config eval
main::gate('org_permission=organization:delete')
--- request eval
["GET /app/o6", "GET /app/o7"]
--- more_headers eval
["Authorization: Bearer $::ops_org", "Authorization: Bearer $::ada_org"]
--- error_code eval
[403, 200]


=== TEST 14: an active organization the user is no member of
--- config eval
main::gate('org_permission=ac:read')
--- request eval
["GET /app/o8", "GET /app/o9"]
--- more_headers eval
["Authorization: Bearer $::cy_org", "Authorization: Bearer $::sam_org"]
--- error_code eval
[403, 200]
--- response_body_like eval
[qr/^\{"message":"You are not a member of this organization","code":"YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"\}$/,
 qr/\norg_role=member\n/]


=== TEST 15: a browser is sent to the login page with where it was going
--- config eval
main::gate('on', "    athena_auth_login_redirect /login;\n")
--- request eval
["GET /app/page?a=1&b=%20x", "GET /app/api", "GET /app/page"]
--- more_headers eval
["Accept: text/html,application/xhtml+xml,*/*;q=0.8", "Accept: application/json",
 "Accept: text/html\nAuthorization: Bearer $::sam"]
--- error_code eval
[302, 401, 200]
--- response_headers_like eval
["Location: (http://[^/]+)?/login\\?callbackURL=%2Fapp%2Fpage%3Fa%3D1%26b%3D%2520x", "", ""]


=== TEST 16: a login URL with its own query, and another parameter name
--- config eval
main::gate('on', "    athena_auth_login_redirect https://id.example.com/in?app=1 next;\n")
--- request
GET /app/deep/link
--- more_headers
Accept: text/html
--- error_code: 302
--- response_headers
Location: https://id.example.com/in?app=1&next=%2Fapp%2Fdeep%2Flink


=== TEST 17: "off" lifts an inherited gate; the variables stay empty there
--- config eval
"location /app/ {\n    athena_auth_require role=admin;\n"
. "    location /app/public/ {\n        athena_auth_require off;\n"
. "        proxy_set_header X-User-Id \$athena_user_id;\n"
. "        proxy_pass http://127.0.0.1:$ENV{TEST_NGINX_APP_PORT};\n    }\n"
. "    location /app/inner/ {\n"
. "        proxy_set_header X-User-Id \$athena_user_id;\n"
. "        proxy_pass http://127.0.0.1:$ENV{TEST_NGINX_APP_PORT};\n    }\n}\n"
--- request eval
["GET /app/public/x", "GET /app/public/y", "GET /app/inner/x", "GET /app/inner/y"]
--- more_headers eval
["", "Authorization: Bearer $::ada\nX-User-Id: spoofed",
 "Authorization: Bearer $::sam", "Authorization: Bearer $::ada"]
--- error_code eval
[200, 200, 403, 200]
--- response_body_like eval
[qr/\nid=\n/, qr/\nid=\n/, qr/FORBIDDEN/, qr/\nid=$::ada_id\n/]


=== TEST 18: map, if, set and return of a gated location see the identity
and "return" cannot answer before the gate
--- http_config eval
Athena::Test::gate_http_config(extra => 'map $athena_user_role $is_admin { admin yes; default no; }')
--- config
location /app/ {
    athena_auth_require on;
    set $who "$athena_user_name/$athena_user_email";
    if ($athena_impersonated_by) {
        return 409 "impersonated $athena_user_id\n";
    }
    return 200 "$who $is_admin $athena_session_id\n";
}
--- request eval
["GET /app/a", "GET /app/b", "GET /app/c"]
--- more_headers eval
["Authorization: Bearer $::ada", "Authorization: Bearer $::imp", ""]
--- error_code eval
[200, 409, 401]
--- response_body_like eval
[qr{^Ada/ada\@example.com yes [A-Za-z0-9]{32}$}, qr/^impersonated $::sam_id$/,
 qr/UNAUTHORIZED/]


=== TEST 19: log_format gets the identity; unknown users log "-"
--- http_config eval
Athena::Test::gate_http_config(extra => "log_format who '\$request_uri \$athena_user_email \$athena_org_role';")
--- config eval
main::gate('on', "    access_log $ENV{TEST_NGINX_APP_LOG}.who who;\n")
--- request eval
["GET /app/logged", "GET /app/logged-org", "GET /app/anonymous"]
--- more_headers eval
["Authorization: Bearer $::ada", "Authorization: Bearer $::ops_org", ""]
--- error_code eval
[200, 200, 401]


=== TEST 33: the gate leaves a request body to the proxy
--- config eval
main::gate('on', "    client_max_body_size 1m;\n")
--- request eval
"PUT /app/upload/file\n" . ('x' x 200_000)
--- more_headers eval
"Authorization: Bearer $::sam\nContent-Type: application/octet-stream"
--- error_code: 201


=== TEST 20: under "satisfy any", an allowed address needs no session
--- config eval
main::gate('on', "    satisfy any;\n    allow 127.0.0.1;\n    deny all;\n")
--- request
GET /app/satisfy-allow
--- error_code: 200
--- response_body_like eval
qr/\nid=\n/


=== TEST 21: under "satisfy any", with every module refusing, nginx answers
--- config eval
main::gate('on', "    satisfy any;\n    deny all;\n")
--- request eval
["GET /app/satisfy-deny", "GET /app/satisfy-session"]
--- more_headers eval
["", "Authorization: Bearer $::sam"]
--- error_code eval
[401, 200]
--- response_body_like eval
[qr/<html>/, qr/\nid=$::sam_id\n/]


=== TEST 22: an error_page for the status is the user's answer
--- config eval
main::gate('role=admin', "    error_page 401 = \@login;\n    error_page 403 /forbidden.txt;\n")
. "location \@login { return 200 \"please sign in\\n\"; }\n"
. "location = /forbidden.txt { return 200 \"not for you\\n\"; }\n"
--- request eval
["GET /app/ep1", "GET /app/ep2"]
--- more_headers eval
["", "Authorization: Bearer $::sam"]
--- error_code eval
[200, 403]
--- response_body eval
["please sign in\n", "not for you\n"]


=== TEST 23: an unknown permission is refused by nginx -t, with its line
--- config eval
main::gate('permission=user:fly')
--- must_die
--- error_log eval
[qr/unknown permission "user:fly" in \S+nginx.conf:\d+/]


=== TEST 24: an organization permission is checked against its own statements
--- config eval
main::gate('org_permission=user:list')
--- must_die
--- error_log eval
[qr/unknown permission "user:list" in \S+nginx.conf:\d+/]


=== TEST 25: an empty role list
--- config eval
main::gate('role=')
--- must_die
--- error_log eval
[qr/"athena_auth_require" directive has an empty role list in \S+nginx.conf:\d+/]


=== TEST 26: an unknown parameter
--- config eval
main::gate('on roles=admin')
--- must_die
--- error_log eval
[qr/invalid parameter "roles=admin" in \S+nginx.conf:\d+/]


=== TEST 27: the gate needs a cache zone
--- http_config eval
Athena::Test::default_http_config()
--- config eval
main::gate('on')
--- must_die
--- error_log eval
[qr/"athena_auth_require" needs "athena_auth_postgres", "athena_auth_secret" and "athena_auth_cache_zone" at http level in \S+nginx.conf:\d+/]


=== TEST 28: a zone without a size, and one too small
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_cache_zone gate;')
--- config eval
main::gate('on')
--- must_die
--- error_log eval
[qr/"athena_auth_cache_zone" directive must be "name:size" in \S+nginx.conf:\d+/]


=== TEST 29: a zone too small
--- http_config eval
Athena::Test::default_http_config(extra => 'athena_auth_cache_zone gate:1k;')
--- config eval
main::gate('on')
--- must_die
--- error_log eval
[qr/zone "gate:1k" is too small in \S+nginx.conf:\d+/]


=== TEST 30: a login redirect that is neither a URL nor a path
--- config eval
main::gate('on', "    athena_auth_login_redirect login.html;\n")
--- must_die
--- error_log eval
[qr/"athena_auth_login_redirect" directive must be an http:\/\/ or https:\/\/ URL or a path in \S+nginx.conf:\d+/]


=== TEST 31: a bad cache TTL
--- http_config eval
Athena::Test::gate_http_config(extra => 'athena_auth_cache_ttl soon;')
--- config eval
main::gate('on')
--- must_die
--- error_log eval
[qr/"athena_auth_cache_ttl" directive invalid value in \S+nginx.conf:\d+/]


=== TEST 32: athena_auth_require belongs in a location
--- http_config eval
Athena::Test::gate_http_config(extra => 'athena_auth_require on;')
--- config eval
main::gate('on')
--- must_die
--- error_log eval
[qr/"athena_auth_require" directive is not allowed here in \S+nginx.conf:\d+/]
