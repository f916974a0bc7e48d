# Seed 003's REST admin surface (athena_auth_admin_rest), users: the
# {success, data, meta} envelope, GET /users with its paging, search and
# filters, GET /users/:id, and the envelope's errors: 401, 403, 404, 405
# with Allow, bad paging, bad ids, and what nginx answers before a task.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

servers();

my $nginx = start_nginx(config => <<'CONF');
        location /api/auth/ { athena_auth_api; }
        location /api/admin/ { athena_auth_admin_rest; }
        location /console/ { athena_auth_admin_rest /console/v1; }
CONF

my $admin = create_user(email => 'admin@example.com', name => 'Admin',
                        role => 'admin');
my $plain = create_user(email => 'plain@example.com', name => 'Plain');
my $admin_tok = create_session($admin->{id});
my $plain_tok = create_session($plain->{id});

# 300 more, a minute apart: every 10th an admin, every 7th banned
psql(q{INSERT INTO "user" (id, name, email, "emailVerified", "createdAt",
       "updatedAt", role, banned)
       SELECT 'rest' || g, (ARRAY['Zed', 'Amy', 'Bob'])[g % 3 + 1] || ' ' || g,
              'rest' || g || '@example.org', g % 2 = 0,
              timestamptz '2025-01-01' + g * interval '1 minute',
              timestamptz '2025-01-01', CASE WHEN g % 10 = 0 THEN 'admin'
              ELSE 'user' END, g % 7 = 0
       FROM generate_series(1, 300) g});
create_user(email => 'a_b@example.net', name => '100% sure');
create_user(email => 'axb@example.net', name => 'John 100 percent');

my $all = psql('SELECT count(*) FROM "user"');

sub get {
    my ($path, $token, %o) = @_;
    my $r = $nginx->request($o{method} || 'GET', $path,
        headers => [ $token ? ("Authorization: Bearer $token") : (),
                     @{ $o{headers} || [] } ],
        (defined $o{body} ? (body => $o{body}) : ()));
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub users { get("/api/admin/users$_[0]", $_[1] || $admin_tok) }
sub emails { [ map { $_->{email} } @{ $_[0]{json}{data} } ] }

sub is_error {
    my ($r, $code, $status, $message, $name) = @_;
    is($r->{code}, $code, "$name: $code");
    is_deeply($r->{json}, { success => JSON::PP::false(),
                            error => { code => $status,
                                       message => $message } },
              "$name: the envelope, $status");
    like(($r->{headers}{'content-type'} || [''])->[0],
         qr{^application/json}, "$name: JSON");
}

# the list
my $r = users('');
is($r->{code}, 200, 'GET /users: 200');
ok($r->{json}{success}, 'success: true');
is(scalar @{ $r->{json}{data} }, 20, 'twenty by default');
is_deeply($r->{json}{meta}, { page => 1, limit => 20, total => $all },
          'meta: page, limit, total');
like($r->{body}, qr/^\{"success":true,"data":\[\{"name":/,
     'success, then data: users as better-auth writes them');
is_deeply(emails($r)->[0], 'axb@example.net', 'newest first');
is_deeply([ sort keys %{ $r->{json}{data}[0] } ],
          [ sort qw(id name email emailVerified image createdAt updatedAt
                    role banned banReason banExpires) ],
          "a user's fields");

$r = users('?page=2&limit=50');
is(scalar @{ $r->{json}{data} }, 50, 'limit=50');
is_deeply([ @{ $r->{json}{meta} }{qw(page limit total)} ], [ 2, 50, $all ],
          'page 2 in meta');
is($r->{json}{data}[0]{email}, 'rest254@example.org',
   'page 2 starts after the first fifty (four made now, then rest300-255)');

$r = users('?page=1000&limit=100');
is_deeply($r->{json}{data}, [], 'a page past the end: no users');
is($r->{json}{meta}{total}, $all, 'the total all the same');

# search, role, banned, sort
$r = users('?search=REST12&limit=100');
is($r->{json}{meta}{total}, 11, 'search in the email, whatever the case:'
   . ' rest12, rest120-129');
$r = users('?search=john');
is_deeply(emails($r), [ 'axb@example.net' ], 'search in the name');
$r = users('?search=a_b');
is_deeply(emails($r), [ 'a_b@example.net' ], '"_" is a character');
$r = users('?search=100%25');
is_deeply(emails($r), [ 'a_b@example.net' ], '"%" is a character');
$r = users("?search=%27%20OR%201%3D1%20--");
is($r->{code}, 200, 'SQL in the search: 200');
is($r->{json}{meta}{total}, 0, 'and it matches nothing');
$r = users('?role=admin');
is($r->{json}{meta}{total}, 31, 'role=admin: 30 seeded and the caller');
$r = users('?banned=true');
is($r->{json}{meta}{total}, 42, 'banned=true');
$r = users('?banned=false');
is($r->{json}{meta}{total}, $all - 42, 'banned=false, NULL included');
$r = users('?role=admin&banned=true&search=rest');
is($r->{json}{meta}{total}, scalar(grep { $_ % 70 == 0 } 1 .. 300),
   'all three together');
$r = users('?sort=email&order=asc&limit=2');
is_deeply(emails($r), [ 'a_b@example.net', 'admin@example.com' ],
          'sort=email&order=asc');
$r = users('?sort=createdAt&order=asc&limit=1');
is_deeply(emails($r), [ 'rest1@example.org' ], 'oldest first');

# bad paging and filters: 400 naming the field, nothing else
for my $case ([ '?page=0', 'page' ], [ '?page=-1', 'page' ],
              [ '?page=abc', 'page' ], [ '?page=1.5', 'page' ],
              [ '?limit=0', 'limit' ], [ '?limit=101', 'limit' ],
              [ '?limit=', 'limit' ], [ '?page=10000001', 'page' ],
              [ '?banned=maybe', 'banned' ], [ '?sort=password', 'sort' ],
              [ '?order=up', 'order' ], [ '?search=' . ('x' x 257), 'search' ])
{
    $r = users($case->[0]);
    is($r->{code}, 400, "$case->[0]: 400");
    is($r->{json}{error}{code}, 'BAD_REQUEST', "$case->[0]: BAD_REQUEST");
    like($r->{json}{error}{message}, qr/\[query\.\Q$case->[1]\E\]/,
         "$case->[0]: the message names $case->[1]");
}

# one user
$r = get("/api/admin/users/$plain->{id}", $admin_tok);
is($r->{code}, 200, 'GET /users/:id: 200');
is($r->{json}{data}{email}, 'plain@example.com', 'the user in data');
ok(!exists $r->{json}{meta}, 'no meta for one');
$r = get("/api/admin/users/$plain->{id}/", $admin_tok);
is($r->{json}{data}{id}, $plain->{id}, 'a trailing slash is the same');
is_error(get('/api/admin/users/nobody', $admin_tok), 404, 'NOT_FOUND',
         'User not found', 'an unknown id');
is_error(get("/api/admin/users/x'%20OR%20'1'='1", $admin_tok), 404,
         'NOT_FOUND', 'User not found', 'SQL in an id');
is_error(get('/api/admin/users/%E2%82%AC', $admin_tok), 404, 'NOT_FOUND',
         'User not found', 'a percent-encoded id is decoded');
is_error(get('/api/admin/users/a%2Fb', $admin_tok), 404, 'NOT_FOUND',
         'Resource not found', 'an encoded slash is a slash: no route');
is_error(get('/api/admin/users/%FF', $admin_tok), 400, 'BAD_REQUEST',
         'Invalid id in the path', 'an id that is not UTF-8');
is_error(get('/api/admin/users/a%01b', $admin_tok), 400, 'BAD_REQUEST',
         'Invalid id in the path', 'a control character in an id');
is_error(get('/api/admin/users/' . ('x' x 256), $admin_tok), 400,
         'BAD_REQUEST', 'Invalid id in the path', 'an id too long');
is_error(get('/api/admin/users/a/../../users/' . $plain->{id} . '/x',
             $admin_tok),
         404, 'NOT_FOUND', 'Resource not found', 'dots in the path');

# who may
is_error(users('', $plain_tok), 403, 'FORBIDDEN', 'Admin access required',
         'a plain user');
is_error(get("/api/admin/users/$admin->{id}", $plain_tok), 403,
         'FORBIDDEN', 'Admin access required', 'a plain user, one user');
is_error(get('/api/admin/users', undef), 401, 'UNAUTHORIZED',
         'Authentication required', 'no session');
is_error(get('/api/admin/users', 'not-a-token'), 401, 'UNAUTHORIZED',
         'Authentication required', 'a bad token');
$r = get('/api/admin/users', undef,
         headers => [ 'Cookie: ' . session_cookie($admin_tok) ]);
is($r->{code}, 200, 'the session cookie works as well');
$r = $nginx->request('POST', '/api/auth/api-key/create',
    headers => [ "Authorization: Bearer $admin_tok",
                 'Content-Type: application/json' ], body => '{"name":"k"}');
my $key = eval { json_decode($r->{body})->{key} };
$r = get('/api/admin/users?limit=1', undef, headers => [ "x-api-key: $key" ]);
is($r->{code}, 200, "and an admin's API key");
$r = get('/api/admin/users?limit=1', undef,
         headers => [ 'x-api-key: ' . ('x' x 64) ]);
is($r->{code}, 401, 'a key that is no key: 401');
is($r->{json}{success}, JSON::PP::false, 'in the envelope');

# no such route, or not that method
is_error(get('/api/admin/nothing', $admin_tok), 404, 'NOT_FOUND',
         'Resource not found', 'an unknown path');
is_error(get('/api/admin/', $admin_tok), 404, 'NOT_FOUND',
         'Resource not found', 'the base itself');
$r = get('/api/admin/users', $admin_tok, method => 'PUT');
is_error($r, 405, 'METHOD_NOT_ALLOWED', 'Method not allowed', 'PUT /users');
is_deeply($r->{headers}{allow}, [ 'GET, POST' ], 'Allow: GET, POST');
$r = get("/api/admin/users/$plain->{id}", $admin_tok, method => 'POST',
         body => '{}', headers => [ 'Content-Type: application/json' ]);
is_error($r, 405, 'METHOD_NOT_ALLOWED', 'Method not allowed',
         'POST /users/:id');
is_deeply($r->{headers}{allow}, [ 'GET, PATCH, DELETE' ],
          'Allow: GET, PATCH, DELETE');

# what nginx answers before a task: the envelope too
$r = get('/api/admin/users', $admin_tok, method => 'PUT',
         body => 'x' x 40000,
         headers => [ 'Content-Type: application/json' ]);
is($r->{code}, 405, 'a method with no route is refused before the body');
$r = $nginx->request('GET', '/api/admin/users',
    headers => [ "Authorization: Bearer $admin_tok",
                 'Content-Type: application/json' ], body => 'x' x 40000);
$r->{json} = eval { json_decode($r->{body}) };
is_error($r, 413, 'PAYLOAD_TOO_LARGE', 'Request body too large',
         'an oversized body');

# the base path is configurable
$r = get("/console/v1/users/$plain->{id}", $admin_tok);
is($r->{json}{data}{id}, $plain->{id}, 'athena_auth_admin_rest /console/v1');

# the better-auth surface beside it keeps its own style
$r = get('/api/auth/admin/list-users?limit=1', $plain_tok);
like($r->{body}, qr/^\{"message":/, 'the better-auth surface: {message, code}');
$r = get('/api/auth/nothing', $admin_tok);
is($r->{code}, 404, 'its unknown paths: 404');
is($r->{body}, '', 'bare, as better-auth');

done_testing();
