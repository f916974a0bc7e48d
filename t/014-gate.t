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
