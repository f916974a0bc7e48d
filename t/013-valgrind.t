# The module under valgrind's memcheck: every endpoint, good and bad
# input, then shutdown. No invalid access, no use of uninitialised
# memory, no leak in module code, and a clean exit (a thread must never
# run module code while nginx unloads the module).

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;
use Athena::Servers;
use Athena::Smtp;

plan skip_all => 'valgrind is not installed'
    unless system('which valgrind >/dev/null 2>&1') == 0;

servers();
my $sink = Athena::Smtp->new;

my $dir = Athena::Servers::tempdir_for('valgrind');
my $vglog = "$dir/valgrind.log";

open my $w, '>', "$dir/nginx.sh" or die;
print $w "#!/bin/sh\nexec valgrind --leak-check=full"
       . " --show-leak-kinds=definite --num-callers=30"
       . " --log-file=$vglog /usr/sbin/nginx \"\$@\"\n";
close $w;
chmod 0755, "$dir/nginx.sh";

local $Athena::Nginx::BINARY = "$dir/nginx.sh";
my $nginx = Athena::Nginx->new(main_config => default_main_config(),
                               http_config => default_http_config(
                                   rate_limit => 1,
                                   extra => 'athena_auth_cache_zone gate:1m;'
                                            . ' athena_auth_postgres_timeout 1s;'
                                            . ' athena_auth_rate_limit_rule /sign* 10s 100;'
                                            . ' athena_auth_rate_limit_rule /ok 10s 1;'
                                            . ' athena_auth_smtp smtp://127.0.0.1:' . $sink->port . ';'
                                            . ' athena_auth_smtp_starttls off;'
                                            . ' athena_auth_mail_from noreply@example.com "V\x{e9}rif";'
                                            . ' athena_auth_mail_poll 200ms;'
                                            . ' athena_auth_jwt on rotation=1h;'),
                               config => <<'CONF');
location /api/auth/ { athena_auth_api; }
location /api/admin/ { athena_auth_admin_rest; }
location /gated { athena_auth_require on; return 200 "$athena_user_email\n"; }
location /fresh {
    athena_auth_require role=user;
    athena_auth_cache_ttl 0;
    return 200 "$athena_user_name\n";
}
location /api/v1/admin/admin-roles { athena_auth_admin_roles_api; }
location /super {
    athena_auth_require admin_role=SUPER_ADMIN,TENANT_ADMIN;
    return 200 "$athena_admin_roles\n";
}
location /jwtgate {
    athena_auth_require jwt;
    return 200 "$athena_user_email\n";
}
location /keyed {
    athena_auth_require key_permission=files:read;
    return 200 "$athena_key_client\n";
}
CONF
$nginx->start or BAIL_OUT("nginx under valgrind did not start");

my $json = 'Content-Type: application/json';
my @calls = (
    ['POST', '/sign-up/email', [$json], '{"name":"V","email":"v@example.com","password":"password-123"}', 200],
    ['POST', '/sign-in/email', [$json], '{"email":"v@example.com","password":"password-123"}', 200],
    ['POST', '/sign-in/email', [$json], '{"email":"v@example.com","password":"wrong-pass"}', 401],
    ['POST', '/sign-up/email', [$json], '{"a":', 400],
    ['POST', '/sign-up/email', [$json], '{"a":[[[[[[[[[[1]]]]]]]]]]}', 400],
    ['POST', '/sign-up/email', [$json], "{\"name\":\"\xff\"}", 400],
    ['POST', '/sign-up/email', ['Content-Type: text/plain'], 'x', 415],
    ['POST', '/sign-up/email', [$json], '{"x":"' . ('y' x 40000) . '"}', 413],
    ['GET', '/ok', [], '', 200],
    ['GET', '/ok', [], '', 429],
    ['GET', '/nope', [], '', 404],
);

for my $c (@calls) {
    my ($m, $path, $h, $body, $code) = @$c;
    my $r = $nginx->request($m, "/api/auth$path", headers => $h,
                            body => $body, timeout => 60);
    is($r->{code}, $code, "$m $path -> $code");
}

my $r = $nginx->request('POST', '/api/auth/sign-in/email', headers => [$json],
    body => '{"email":"v@example.com","password":"password-123"}',
    timeout => 60);
my $tok = json_decode($r->{body})->{token};
my $auth = "Authorization: Bearer $tok";

# the jwt plugin: a key made, a token signed, get-session's JWT, the JWKS
Athena::Test::psql('DELETE FROM jwks');
for my $c (['GET', '/get-session'], ['GET', '/list-sessions'],
           ['GET', '/token'], ['GET', '/jwks'],
           ['POST', '/revoke-other-sessions'])
{
    $r = $nginx->request($c->[0], "/api/auth$c->[1]", headers => [$auth],
                         timeout => 60);
    is($r->{code}, 200, "$c->[0] $c->[1] with a session");
}

# the gate: a miss (thread task), a hit, a miss answered by Redis from the
# event loop, a refusal, and after the sign-out a tombstoned entry
for my $c (['/gated', [], 401], ['/gated', [$auth], 200],
           ['/gated', [$auth], 200], ['/fresh', [$auth], 200],
           ['/gated', ['Authorization: Bearer nope'], 401])
{
    $r = $nginx->request('GET', $c->[0], headers => $c->[1], timeout => 60);
    is($r->{code}, $c->[2], "gate: GET $c->[0] -> $c->[2]");
}

# a JWT at the gate: the keys read by a task, verified, then cached; a
# made-up kid; a forged signature
$r = $nginx->request('GET', '/api/auth/token', headers => [$auth], timeout => 60);
my $jwt = json_decode($r->{body})->{token};
(my $forged = $jwt) =~ s/.{4}$/AAAA/;
for my $c ([$jwt, 200], [$jwt, 200], [$forged, 401],
           ['eyJhbGciOiJFZERTQSIsImtpZCI6Im5vIn0.e30.' . ('A' x 86), 401])
{
    $r = $nginx->request('GET', '/jwtgate', headers => ["Authorization: Bearer $c->[0]"],
                         timeout => 60);
    is($r->{code}, $c->[1], "gate: a JWT -> $c->[1]");
}

# the admin API: a transaction with its audit row, a refusal, a list
# made an admin behind the module's back: the cached session forgets
Athena::Test::psql(q{UPDATE "user" SET role = 'admin' WHERE email = 'v@example.com'});
Athena::Test::servers()->redis('FLUSHALL');
my $other = Athena::Test::create_user(email => 'w@example.com');
for my $c (['POST', '/admin/set-role', qq({"userId":"$other->{id}","role":["a","b"]}), 200],
           ['POST', '/admin/ban-user', '{"userId":"nobody"}', 404],
           ['GET', '/admin/list-users?limit=5&searchValue=w&sortBy=email', undef, 200],
           ['POST', '/admin/impersonate-user', qq({"userId":"$other->{id}"}), 200])
{
    $r = $nginx->request($c->[0], "/api/auth$c->[1]",
                         headers => [ $auth, defined $c->[2]
                                      ? ('Content-Type: application/json') : () ],
                         body => $c->[2], timeout => 60);
    is($r->{code}, $c->[3], "admin: $c->[0] $c->[1] -> $c->[3]")
        or diag $r->{body};
}

# seed 004: the admin-roles API by session and by JWT, and its gate rule
Athena::Test::psql(qq{INSERT INTO admin_roles (id, user_id, role, created_at, updated_at)
    SELECT 'vg-root', id, 'SUPER_ADMIN', now(), now() FROM "user" WHERE email = 'v\@example.com'});
my $roles = '/api/v1/admin/admin-roles';
for my $c (['GET', "$roles/?per_page=5&is_active=true", undef, 200],
           ['GET', "$roles/?per_page=0&page=x", undef, 422],
           ['POST', "$roles/", qq({"user_id":"$other->{id}","role":"TENANT_ADMIN"}), 422],
           ['POST', "$roles/", qq({"user_id":"$other->{id}","role":"PARTNER_ADMIN","partner_id":"p1","expires_at":"2099-01-01"}), 201],
           ['GET', "$roles/user/$other->{id}", undef, 200],
           ['PATCH', "$roles/vg-root", '{"expires_at":"2099-01-01T00:00:00Z"}', 200],
           ['DELETE', "$roles/vg-root", undef, 400],
           ['GET', '/super', undef, 200])
{
    $r = $nginx->request($c->[0], $c->[1],
                         headers => [ $auth, defined $c->[2]
                                      ? ('Content-Type: application/json') : () ],
                         body => $c->[2], timeout => 60);
    is($r->{code}, $c->[3], "admin roles: $c->[0] $c->[1] -> $c->[3]")
        or diag $r->{body};
}
$r = $nginx->request('GET', "$roles/", headers => ["Authorization: Bearer $jwt"],
                     timeout => 60);
is($r->{code}, 200, 'admin roles: by JWT');

# API keys: made, checked, counted, cached, and refused at the gate
$r = $nginx->request('POST', '/api/auth/admin/api-key/create',
    headers => [ $auth, 'Content-Type: application/json' ], timeout => 60,
    body => '{"name":"v","permissions":{"files":["read"]},"metadata":{"m":1}}');
is($r->{code}, 200, 'keys: an admin key');
my $key = json_decode($r->{body})->{key};
$r = $nginx->request('POST', '/api/auth/api-key/create',
    headers => [ $auth, 'Content-Type: application/json' ], timeout => 60,
    body => '{"name":"u","prefix":"v_","expiresIn":86400}');
my $ukey = json_decode($r->{body});
for my $c (['POST', '/api-key/verify', [], qq({"key":"$key","permissions":{"files":["read"]}}), 200],
           ['POST', '/api-key/verify', [], qq({"key":"$ukey->{key}"}), 200],
           ['GET', '/get-session', ["x-api-key: $key"], undef, 200],
           ['GET', '/get-session', ['x-api-key: short'], undef, 403],
           ['GET', '/api-key/list?sortBy=name&limit=1', [$auth], undef, 200],
           ['POST', '/api-key/update', [$auth], qq({"keyId":"$ukey->{id}","enabled":false}), 200],
           ['POST', '/api-key/delete', [$auth], qq({"keyId":"$ukey->{id}"}), 200])
{
    $r = $nginx->request($c->[0], "/api/auth$c->[1]",
                         headers => [ @{ $c->[2] }, defined $c->[3]
                                      ? ('Content-Type: application/json') : () ],
                         body => $c->[3], timeout => 60);
    is($r->{code}, $c->[4], "keys: $c->[0] $c->[1] -> $c->[4]") or diag $r->{body};
}
for my $c ([$key, 200], [$key, 200], [$ukey->{key}, 401], ['k' x 64, 401]) {
    $r = $nginx->request('GET', '/keyed', headers => ["x-api-key: $c->[0]"], timeout => 60);
    is($r->{code}, $c->[1], "keys: the gate -> $c->[1]");
}

# Athena's email records and templates, and a mail delivered from the outbox
for my $c (['POST', '/admin/email/create', '{"recipient_email":"r@example.com","subject":"S","fromAddress":"f@example.com","provider":"p","metadata":{"a":[1]}}', 200],
           ['GET', '/admin/email/list?limit=5&subjectContains=s', undef, 200],
           ['POST', '/admin/email-failure/create', '{"recipientEmail":"r@example.com","flow":"f","errorMessage":"e"}', 200],
           ['GET', '/admin/email-failure/list?resolved=false', undef, 200],
           ['POST', '/admin/email-template/create', '{"templateKey":"v.key","subjectTemplate":"H\u00e9 {{ name }}","textTemplate":"T {{name}}","htmlTemplate":"<b>{{name}}</b>","variables":["name"],"attachments":["https://cdn.example.com/a.pdf"]}', 200])
{
    $r = $nginx->request($c->[0], "/api/auth$c->[1]",
                         headers => [ $auth, defined $c->[2]
                                      ? ('Content-Type: application/json') : () ],
                         body => $c->[2], timeout => 60);
    is($r->{code}, $c->[3], "mail: $c->[0] $c->[1] -> $c->[3]") or diag $r->{body};
}
my $tid = json_decode($r->{body})->{id};
$r = $nginx->request('POST', '/api/auth/admin/email-template/send',
                     headers => [ $auth, 'Content-Type: application/json' ], timeout => 60,
                     body => qq({"template_id":"$tid","recipient_email":"to\@example.com","render_variables":{"name":"<V>"}}));
is($r->{code}, 200, 'mail: a send is queued');
my $t0 = time;
select(undef, undef, undef, 0.2) while time - $t0 < 60 && !$sink->mails;
is(scalar($sink->mails), 1, 'mail: delivered from the outbox');

# the organization API: transactions, a refusal, lists, the caches
for my $c (['POST', '/organization/create', '{"name":"V","slug":"v","metadata":{"a":[1]}}', 200],
           ['POST', '/organization/create', '{"name":"V","slug":"v"}', 400],
           ['POST', '/organization/invite-member', '{"email":"w@example.com","role":["admin","member"]}', 200],
           ['POST', '/organization/has-permission', '{"permissions":{"member":["create"]}}', 200],
           ['GET', '/organization/get-full-organization?organizationSlug=v', undef, 200],
           ['GET', '/organization/list-members?filterField=role&filterOperator=in&filterValue=owner&filterValue=x', undef, 200],
           ['POST', '/organization/set-active', '{"organizationSlug":"v"}', 200],
           ['GET', '/organization/list', undef, 200])
{
    $r = $nginx->request($c->[0], "/api/auth$c->[1]",
                         headers => [ $auth, defined $c->[2]
                                      ? ('Content-Type: application/json') : () ],
                         body => $c->[2], timeout => 60);
    is($r->{code}, $c->[3], "organization: $c->[0] $c->[1] -> $c->[3]")
        or diag $r->{body};
}

# the REST admin API: the envelope, paths with ids, a rate-limit count,
# writes in audited transactions, a 405 and a refusal
for my $c (['GET', '/users?search=V&limit=5&banned=false', undef, 200],
           ['POST', '/users', '{"email":"rest@example.com","name":"R\u00e9st","password":"password-123"}', 201],
           ['POST', '/users', '{"email":"rest@example.com","name":"R"}', 409],
           ['PATCH', '/users/nowhere', '{"name":"x"}', 404],
           ['GET', '/users/%E2%82%AC', undef, 404],
           ['PUT', '/users', '{}', 405],
           ['POST', '/organizations', '{"name":"R","slug":"rest-org","plan":"pro","metadata":{"a":[1]}}', 201],
           ['GET', '/organizations?search=rest', undef, 200],
           ['POST', '/organizations', '{"name":"R","slug":"rest-org","nope":1}', 400])
{
    $r = $nginx->request($c->[0], "/api/admin$c->[1]",
                         headers => [ $auth, defined $c->[2]
                                      ? ('Content-Type: application/json') : () ],
                         body => $c->[2], timeout => 60);
    is($r->{code}, $c->[3], "REST: $c->[0] $c->[1] -> $c->[3]") or diag $r->{body};
}
my $rest_org = Athena::Test::psql(q{SELECT id FROM organization WHERE slug = 'rest-org'});
my $rest_user = Athena::Test::psql(q{SELECT id FROM "user" WHERE email = 'rest@example.com'});
for my $c (['PATCH', "/organizations/$rest_org", qq({"ownerId":"$rest_user","plan":null}), 200],
           ['GET', "/organizations/$rest_org", undef, 200],
           ['PATCH', "/users/$rest_user", '{"role":"admin","banned":true,"banReason":"r"}', 200],
           ['DELETE', "/organizations/$rest_org", undef, 200],
           ['DELETE', "/users/$rest_user", undef, 200])
{
    $r = $nginx->request($c->[0], "/api/admin$c->[1]",
                         headers => [ $auth, defined $c->[2]
                                      ? ('Content-Type: application/json') : () ],
                         body => $c->[2], timeout => 60);
    is($r->{code}, $c->[3], "REST: $c->[0] $c->[1] -> $c->[3]") or diag $r->{body};
}

# a statement that fails in Postgres (here statement_timeout behind a held
# lock) is read for its SQLSTATE before its result is freed
my $slow = Athena::Test::create_session(
    Athena::Test::psql(q{SELECT id FROM "user" WHERE email = 'v@example.com'}));
Athena::Test::servers()->redis('FLUSHALL');
my $locker = Athena::Test::hold_table_lock('session', 4);
$r = $nginx->request('GET', '/api/auth/get-session',
                     headers => ["Authorization: Bearer $slow"], timeout => 60);
is($r->{code}, 503, 'a statement cancelled by statement_timeout: 503');
waitpid($locker, 0);

$r = $nginx->request('POST', '/api/auth/sign-out', headers => [$auth],
                     timeout => 60);
is($r->{code}, 200, 'POST /sign-out with a session');

$r = $nginx->request('GET', '/gated', headers => [$auth], timeout => 60);
is($r->{code}, 401, 'gate: signed out, refused');

# a graceful stop, waiting as long as valgrind may need
my $status = $nginx->stop(120);
ok(defined $status, 'nginx stopped within 120 s of QUIT');
is(($status // 9) & 127, 0, 'nginx exited without a signal');

open my $fh, '<', $vglog or die "no valgrind log";
my $log = do { local $/; <$fh> };

unlike($log, qr/Invalid (read|write|free)/, 'no invalid memory access');
unlike($log, qr/Jump to the invalid address/, 'no jump to unmapped code');
unlike($log, qr/uninitialised/, 'no use of uninitialised values');

# nginx core leaks a few bytes in ngx_set_environment; module code must not
my @leaks = $log =~ /(definitely lost in loss record.*?)\n==\d+== \n/sg;
my @ours = grep { /athena/ } @leaks;
is(scalar @ours, 0, 'no leak in module code')
    or diag join "\n", @ours;

done_testing();
