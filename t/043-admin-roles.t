# Seed 004's admin-roles API (athena_auth_admin_roles_api): the six routes
# under /api/v1/admin/admin-roles, FastAPI's shapes ({"detail": "..."},
# 422 with every failure listed), only for an active, unexpired
# SUPER_ADMIN (by JWT or session, decided at request time), the
# self-delete refusal, the cleanup's three conditions and its soft delete,
# audit rows, and nothing written by a refusal.

use strict;
use warnings;
use lib 't/lib';

use MIME::Base64 ();
use Test::More;
use Athena::Test;

servers();

my $nginx = start_nginx(
    http_config => default_http_config(extra => 'athena_auth_jwt on;'),
    config => <<'CONF');
location /api/auth/ { athena_auth_api; }
location /api/v1/admin/admin-roles { athena_auth_admin_roles_api; }
location /v2/roles/ { athena_auth_admin_roles_api /v2/roles; }
CONF

my $BASE = '/api/v1/admin/admin-roles';
my $T = JSON::PP::true;
my $F = JSON::PP::false;

my $root = create_user(email => 'root-roles@example.com', name => 'Root', role => 'admin');
my $plain = create_user(email => 'plain-roles@example.com', name => 'Plain');
my $helper = create_user(email => 'helper-roles@example.com', name => 'Helper', role => 'admin');
my $target = create_user(email => 'target-roles@example.com', name => 'Target');
my $root_tok = create_session($root->{id});
my $plain_tok = create_session($plain->{id});
my $helper_tok = create_session($helper->{id});
my $org = create_org('roles-org', [$target->{id}, 'member']);
my $org2 = create_org('roles-org-2');

sub grant {
    my ($user, $role, %o) = @_;
    my $id = random_id();
    psql(sprintf(q{INSERT INTO admin_roles (id, user_id, role, tenant_id,
                   partner_id, is_active, expires_at, created_at, updated_at)
                   VALUES ('%s', '%s', '%s', %s, %s, %s, %s, now(), now())},
                 $id, $user->{id}, $role,
                 $o{tenant} ? "'$o{tenant}'" : 'NULL',
                 $o{partner} ? "'$o{partner}'" : 'NULL',
                 exists $o{active} ? ($o{active} ? 'true' : 'false') : 'true',
                 $o{expires} || 'NULL'));
    return $id;
}

my $root_role = grant($root, 'SUPER_ADMIN');

sub call {
    my ($method, $path, %o) = @_;
    my @h = defined $o{token} ? ("Authorization: Bearer $o{token}") : ();
    push @h, 'Content-Type: application/json' if defined $o{body};
    my $r = $nginx->request($method, ($o{base} // $BASE) . $path, headers => \@h,
                            (defined $o{body} ? (body => $o{body}) : ()));
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}
sub as_root { my ($m, $p, %o) = @_; call($m, $p, token => $root_tok, %o) }

sub rows { psql('SELECT count(*) FROM admin_roles') }
sub audits { psql(qq{SELECT count(*) FROM admin_audit_logs WHERE action = '$_[0]'}) }

# --- who may call

my $r = call('GET', '/');
is($r->{code}, 401, 'no credential: 401');
is_deeply($r->{json}, { detail => 'Not authenticated' }, 'no credential: FastAPI\'s detail');
is($r->{headers}{'www-authenticate'}[0], 'Bearer', 'and WWW-Authenticate: Bearer');
$r = call('GET', '/', token => 'nosuchsession');
is("$r->{code} $r->{json}{detail}", '401 Could not validate credentials', 'an unknown session: 401');
$r = call('GET', '/', token => 'eyJhbGciOiJFZERTQSIsImtpZCI6Im5vIn0.e30.' . ('A' x 86));
is("$r->{code} $r->{json}{detail}", '401 Could not validate credentials', 'a JWT of no key: 401');
$r = call('GET', '/', token => $plain_tok);
is_deeply([$r->{code}, $r->{json}], [403, { detail => 'Super admin access required' }],
          'a user with no admin role: 403');
is(call('GET', '/', token => $helper_tok)->{code}, 403,
   'better-auth\'s admin role is no SUPER_ADMIN: 403');

$r = as_root('GET', '/');
is($r->{code}, 200, 'a SUPER_ADMIN by session: 200');
is_deeply([ sort keys %{ $r->{json} } ], [qw(items page pages per_page total)],
          'the list: items, total, page, per_page, pages');
is_deeply([ @{ $r->{json} }{qw(total page per_page pages)} ], [1, 1, 20, 1], 'its numbers');
my $item = $r->{json}{items}[0];
is_deeply([ sort keys %$item ],
          [qw(created_at expires_at granted_by id is_active partner_id role tenant_id updated_at user_id)],
          'an assignment\'s fields');
is_deeply([ @$item{qw(id user_id role is_active)} ], [$root_role, $root->{id}, 'SUPER_ADMIN', $T],
          'the root\'s SUPER_ADMIN');

my $jwt = json_decode($nginx->request('GET', '/api/auth/token',
    headers => ["Authorization: Bearer $root_tok"])->{body})->{token};
is(call('GET', '/', token => $jwt)->{code}, 200, 'a SUPER_ADMIN by JWT: 200');
my ($h, $p, $s) = split /\./, $jwt;
(my $claims = MIME::Base64::decode_base64(($p =~ tr/-_/+\//r) . '=' x (-length($p) % 4)))
    =~ s/"sub":"[^"]+"/"sub":"$plain->{id}"/;
(my $fp = MIME::Base64::encode_base64($claims, '')) =~ tr{+/}{-_};
$fp =~ s/=+$//;
is(call('GET', '/', token => "$h.$fp.$s")->{code}, 401, 'a JWT with a forged sub: 401');
is(as_root('GET', '', base => $BASE)->{code}, 200, 'the base path without its slash: 200');
is(as_root('GET', '/', base => '/v2/roles')->{code}, 200, 'a base path of one\'s own');

# --- POST: bad input, each refused with nothing written

my $before = rows();
sub invalid {
    my ($body, $want, $name) = @_;
    my $r = as_root('POST', '/', body => $body);
    is($r->{code}, 422, "$name: 422");
    is_deeply([ map { [ $_->{type}, join('.', @{ $_->{loc} }), $_->{msg} ] } @{ $r->{json}{detail} || [] } ],
              $want, "$name: the failures") or diag $r->{body};
}
invalid('{}', [['missing', 'body.user_id', 'Field required'],
               ['missing', 'body.role', 'Field required']], 'no fields');
invalid(qq({"user_id":"$target->{id}","role":"KING"}),
        [['enum', 'body.role', "Input should be 'SUPER_ADMIN', 'PARTNER_ADMIN' or 'TENANT_ADMIN'"]],
        'an unknown role');
invalid(qq({"user_id":42,"role":"SUPER_ADMIN"}),
        [['string_type', 'body.user_id', 'Input should be a valid string']], 'a number for user_id');
invalid(qq({"user_id":"$target->{id}","role":"PARTNER_ADMIN"}),
        [['value_error', 'body', 'Value error, partner_id is required for PARTNER_ADMIN']],
        'a PARTNER_ADMIN without partner_id');
invalid(qq({"user_id":"$target->{id}","role":"TENANT_ADMIN"}),
        [['value_error', 'body', 'Value error, tenant_id is required for TENANT_ADMIN']],
        'a TENANT_ADMIN without tenant_id');
invalid(qq({"user_id":"$target->{id}","role":"SUPER_ADMIN","expires_at":"2001-01-01T00:00:00Z"}),
        [['value_error', 'body.expires_at', 'Value error, expires_at must be in the future']],
        'expires_at in the past');
invalid(qq({"user_id":"$target->{id}","role":"SUPER_ADMIN","expires_at":"soon"}),
        [['datetime_from_date_parsing', 'body.expires_at', 'Input should be a valid datetime or date']],
        'expires_at not a date');
invalid(qq({"user_id":"$target->{id}","role":"PARTNER_ADMIN","partner_id":"a,b"}),
        [['string_pattern_mismatch', 'body.partner_id', "String should match pattern '^[A-Za-z0-9_.-]+\$'"]],
        'a partner id with a comma');
invalid('[1,2]', [['model_attributes_type', 'body',
                   'Input should be a valid dictionary or object to extract fields from']],
        'a body that is no object');
invalid('{"user_id":', [['json_invalid', 'body', 'JSON decode error']], 'malformed JSON');
$r = as_root('POST', '/', body => qq({"user_id":"x'; DROP TABLE admin_roles; --","role":"SUPER_ADMIN"}));
is_deeply([$r->{code}, $r->{json}], [404, { detail => 'User not found' }],
          'SQL in user_id is only text: no such user, 404');
$r = as_root('POST', '/', body => qq({"user_id":"$target->{id}","role":"TENANT_ADMIN","tenant_id":"nowhere"}));
is_deeply([$r->{code}, $r->{json}], [404, { detail => 'Tenant not found' }], 'a tenant that does not exist: 404');
$r = call('POST', '/', token => $plain_tok, body => qq({"user_id":"$plain->{id}","role":"SUPER_ADMIN"}));
is($r->{code}, 403, 'a user granting itself SUPER_ADMIN: 403');
is(rows(), $before, 'no refusal wrote an assignment');

# --- POST, GET, PATCH

$r = as_root('POST', '/', body => qq({"user_id":"$target->{id}","role":"TENANT_ADMIN","tenant_id":"$org","expires_at":"2099-01-02T03:04:05Z","extra":"ignored"}));
is($r->{code}, 201, 'POST /: 201');
my $ta = $r->{json};
is_deeply([ @$ta{qw(user_id role tenant_id partner_id is_active expires_at granted_by)} ],
          [$target->{id}, 'TENANT_ADMIN', $org, undef, $T, '2099-01-02T03:04:05.000Z', $root->{id}],
          'the assignment as asked, granted by the caller');
like($ta->{id}, qr/^[A-Za-z0-9]{32}$/, 'its id');
$r = as_root('POST', '/', body => qq({"user_id":"$target->{id}","role":"TENANT_ADMIN","tenant_id":"$org"}));
is_deeply([$r->{code}, $r->{json}{detail}], [409, 'The user already has this admin role in this scope'],
          'the same role in the same scope again: 409');
$r = as_root('POST', '/', body => qq({"user_id":"$target->{id}","role":"PARTNER_ADMIN","partner_id":"p-1"}));
is($r->{code}, 201, 'a PARTNER_ADMIN with its partner: 201');
my $pa = $r->{json}{id};

$r = as_root('GET', "/$ta->{id}");
is_deeply([$r->{code}, $r->{json}], [200, $ta], 'GET /{role_id}: the assignment');
$r = as_root('GET', '/nosuchrole');
is_deeply([$r->{code}, $r->{json}], [404, { detail => 'Admin role not found' }], 'an unknown role_id: 404');
$r = as_root('GET', "/user/$target->{id}");
is_deeply([$r->{code}, [ map { $_->{id} } @{ $r->{json} } ]], [200, [$ta->{id}, $pa]],
          'GET /user/{user_id}: its assignments, oldest first');
is_deeply(as_root('GET', "/user/$plain->{id}")->{json}, [], 'a user with none: []');
is(as_root('GET', '/user/nobody')->{code}, 404, 'an unknown user: 404');

$r = as_root('GET', '/?role=TENANT_ADMIN');
is_deeply([ map { $_->{id} } @{ $r->{json}{items} } ], [$ta->{id}], 'filter role');
$r = as_root('GET', "/?user_id=$target->{id}&per_page=1&page=2");
is_deeply([ $r->{json}{total}, $r->{json}{pages}, map { $_->{id} } @{ $r->{json}{items} } ],
          [2, 2, $ta->{id}], 'filter user_id, paged, newest first');
$r = as_root('GET', "/?user_id=$target->{id}&per_page=1&page=3");
is_deeply([ $r->{json}{total}, scalar @{ $r->{json}{items} } ], [2, 0],
          'a page past the end: none, and the total');
for my $q (['per_page=0', 'greater_than_equal', 'Input should be greater than or equal to 1'],
           ['per_page=101', 'less_than_equal', 'Input should be less than or equal to 100'],
           ['page=abc', 'int_parsing', 'Input should be a valid integer, unable to parse string as an integer'],
           ['is_active=maybe', 'bool_parsing', 'Input should be a valid boolean, unable to interpret input'])
{
    $r = as_root('GET', "/?$q->[0]");
    is_deeply([$r->{code}, $r->{json}{detail}[0]{type}, $r->{json}{detail}[0]{msg},
               $r->{json}{detail}[0]{loc}[0]], [422, $q->[1], $q->[2], 'query'], "?$q->[0]: 422");
}

$r = as_root('PATCH', "/$ta->{id}", body => '{"is_active":false}');
is_deeply([$r->{code}, $r->{json}{is_active}, $r->{json}{expires_at}], [200, $F, '2099-01-02T03:04:05.000Z'],
          'PATCH is_active: only that changes');
is(as_root('GET', '/?is_active=false')->{json}{items}[0]{id}, $ta->{id}, 'filter is_active');
$r = as_root('PATCH', "/$ta->{id}", body => '{"expires_at":null,"is_active":true}');
is_deeply([$r->{code}, $r->{json}{is_active}, $r->{json}{expires_at}], [200, $T, undef],
          'PATCH expires_at null: no expiry');
$r = as_root('PATCH', "/$ta->{id}", body => '{"is_active":"no"}');
is_deeply([$r->{code}, $r->{json}{detail}[0]{type}], [422, 'bool_type'], 'PATCH is_active as text: 422');
$r = as_root('PATCH', "/$ta->{id}", body => '{"expires_at":"2000-01-01"}');
is($r->{code}, 422, 'PATCH expires_at in the past: 422');
is(as_root('PATCH', '/nosuchrole', body => '{}')->{code}, 404, 'PATCH an unknown role_id: 404');

# --- expiry and deactivation count at request time

my $brief = create_user(email => 'brief-roles@example.com', name => 'Brief');
my $brief_tok = create_session($brief->{id});
$r = as_root('POST', '/', body => sprintf('{"user_id":"%s","role":"SUPER_ADMIN","expires_at":"%s"}',
             $brief->{id}, psql(q{SELECT to_char((now() + interval '2 seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')})));
is($r->{code}, 201, 'a SUPER_ADMIN for two seconds');
my $brief_role = $r->{json}{id};
is(call('GET', '/', token => $brief_tok)->{code}, 200, 'it may call the API');
select undef, undef, undef, 2.3;
is(call('GET', '/', token => $brief_tok)->{code}, 403, 'and not once it expired');
my $deputy = create_user(email => 'deputy-roles@example.com', name => 'Deputy');
my $deputy_tok = create_session($deputy->{id});
$r = as_root('POST', '/', body => qq({"user_id":"$deputy->{id}","role":"SUPER_ADMIN"}));
my $deputy_role = $r->{json}{id};
is(call('GET', '/', token => $deputy_tok)->{code}, 200, 'a SUPER_ADMIN made through the API may call it');
is(call('GET', '/', token => $deputy_tok)->{code}, 200, 'again, its session and roles read from Redis');
is(as_root('PATCH', "/$deputy_role", body => '{"is_active":false}')->{code}, 200, 'deactivated');
is(call('GET', '/', token => $deputy_tok)->{code}, 403, 'and refused on its next request');
grant($helper, 'SUPER_ADMIN', active => 0);
is(call('GET', '/', token => $helper_tok)->{code}, 403, 'an inactive SUPER_ADMIN: 403');

# --- DELETE: the self-delete refusal, 204, and the cleanup

$r = as_root('DELETE', "/$root_role");
is_deeply([$r->{code}, $r->{json}], [400, { detail => 'Cannot delete your own Super Admin role' }],
          'a SUPER_ADMIN cannot delete its own SUPER_ADMIN');
$r = as_root('DELETE', "/$brief_role");
is("$r->{code}|$r->{body}", '204|', 'DELETE: 204, no body');
is(as_root('GET', "/$brief_role")->{code}, 404, 'it is gone');
is(psql(qq{SELECT banned FROM "user" WHERE id = '$brief->{id}'}), 'f',
   'a user who signed in (has a session) is not soft-deleted');
is(as_root('DELETE', '/nosuchrole')->{code}, 404, 'DELETE an unknown role_id: 404');
$r = as_root('DELETE', "/$pa?cleanup_orphaned_user=perhaps");
is($r->{code}, 422, 'a cleanup flag that is no boolean: 422');

# the seed's three conditions: no role left, in several tenants, never signed in
my $ghost = create_user(email => 'ghost-roles@example.com', name => 'Ghost');
psql(qq{INSERT INTO member (id, "organizationId", "userId", role, "createdAt")
        VALUES ('gm1', '$org', '$ghost->{id}', 'member', now()),
               ('gm2', '$org2', '$ghost->{id}', 'member', now())});
my $g1 = grant($ghost, 'TENANT_ADMIN', tenant => $org);
my $g2 = grant($ghost, 'TENANT_ADMIN', tenant => $org2);
is(as_root('DELETE', "/$g1")->{code}, 204, 'one of two roles deleted');
is(psql(qq{SELECT banned FROM "user" WHERE id = '$ghost->{id}'}), 'f', 'a role left: kept');
is(as_root('DELETE', "/$g2?cleanup_orphaned_user=false")->{code}, 204, 'the last, without cleanup');
is(psql(qq{SELECT banned FROM "user" WHERE id = '$ghost->{id}'}), 'f', 'cleanup off: kept');
my $g3 = grant($ghost, 'TENANT_ADMIN', tenant => $org);
is(as_root('DELETE', "/$g3")->{code}, 204, 'the last, with the default cleanup');
is(psql(qq{SELECT concat_ws('|', banned, "banReason", "banExpires" IS NULL) FROM "user" WHERE id = '$ghost->{id}'}),
   't|Account deleted|t', 'all three hold: soft-deleted, banned for good');
is(psql(qq{SELECT deleted_by FROM admin_user_deletions WHERE user_id = '$ghost->{id}'}), $root->{id},
   'and recorded with who did it');
is(psql(qq{SELECT count(*) FROM "user" WHERE id = '$ghost->{id}'}), 1, 'the user row stays');

my $single = create_user(email => 'single-roles@example.com', name => 'Single');
my $s1 = grant($single, 'TENANT_ADMIN', tenant => $org);
is(as_root('DELETE', "/$s1")->{code}, 204, 'a one-tenant user\'s last role');
is(psql(qq{SELECT banned FROM "user" WHERE id = '$single->{id}'}), 'f', 'in one tenant only: kept');

# --- the surface's own 404 and 405, and audit rows

$r = as_root('PUT', '/');
is_deeply([$r->{code}, $r->{json}], [405, { detail => 'Method Not Allowed' }], 'PUT /: 405');
is($r->{headers}{allow}[0], 'GET, POST', 'with Allow');
$r = as_root('GET', '/a/b/c');
is_deeply([$r->{code}, $r->{json}], [404, { detail => 'Not Found' }], 'an unknown path: 404');

ok(audits('admin_roles.create') >= 4, 'every POST is audited');
is(psql(q{SELECT count(*) FROM admin_audit_logs WHERE action = 'admin_roles.create'
          AND NOT success AND error_message = 'VALIDATION_ERROR'}), 10,
   'a SUPER_ADMIN\'s refused POSTs are rows too (the 422s)');
is(psql(qq{SELECT metadata->'details'->>'user_soft_deleted' FROM admin_audit_logs
           WHERE action = 'admin_roles.delete' AND target_id = '$g3'}), 'true',
   'the delete\'s row says the user was soft-deleted');
is(psql(qq{SELECT count(*) FROM admin_audit_logs WHERE actor_user_id = '$plain->{id}'}), 1,
   'a refused non-admin is a row (the 403)');

done_testing();
