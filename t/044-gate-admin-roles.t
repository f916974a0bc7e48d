# Seed 004's admin roles at the gate: "athena_auth_require
# admin_role=..." admits a user who holds one of the roles now (a
# TENANT_ADMIN for the session's active organization, or for
# admin_tenant's value), $athena_admin_roles lists the live ones; a change
# through the admin-roles API reaches the gate before its answer; an
# expiry counts at request time, even for a cached identity; a JWT holds
# no admin role; a second node answers from Redis alike.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(sleep);
use Athena::Test;

servers();

my $config = <<'CONF';
location /api/auth/ { athena_auth_api; }
location /api/v1/admin/admin-roles { athena_auth_admin_roles_api; }
location /super/ {
    athena_auth_require admin_role=SUPER_ADMIN;
    return 200 "roles=$athena_admin_roles\n";
}
location /tenant/ {
    athena_auth_require admin_role=TENANT_ADMIN;
    return 200 "tenant $athena_org_id roles=$athena_admin_roles\n";
}
location /tenant-arg/ {
    athena_auth_require admin_role=TENANT_ADMIN admin_tenant=$arg_t;
    return 200 "tenant $arg_t\n";
}
location /hdr/ {
    athena_auth_require admin_role=SUPER_ADMIN;
    athena_auth_identity_headers X-;
    return 200 "header=$http_x_admin_roles\n";
}
location /admins/ {
    athena_auth_require jwt admin_role=SUPER_ADMIN,PARTNER_ADMIN;
    return 200 "admin $athena_user_id\n";
}
CONF

my $nginx = start_nginx(http_config => gate_http_config(ttl => '60s', extra => 'athena_auth_jwt on;'),
                        config => $config);

my $root = create_user(email => 'root-gate-roles@example.com', name => 'Root');
my $tadm = create_user(email => 'tadm-gate-roles@example.com', name => 'Tenant admin');
my $padm = create_user(email => 'padm-gate-roles@example.com', name => 'Partner admin');
my $plain = create_user(email => 'plain-gate-roles@example.com', name => 'Plain');
my $org1 = create_org('gate-roles-1', [$tadm->{id}, 'member']);
my $org2 = create_org('gate-roles-2', [$tadm->{id}, 'member']);

sub grant {
    my ($user, $role, $scope, $expires) = @_;
    my $id = random_id();
    psql(sprintf(q{INSERT INTO admin_roles (id, user_id, role, tenant_id,
                   partner_id, expires_at, created_at, updated_at)
                   VALUES ('%s', '%s', '%s', %s, %s, %s, now(), now())},
                 $id, $user->{id}, $role,
                 $role eq 'TENANT_ADMIN' ? "'$scope'" : 'NULL',
                 $role eq 'PARTNER_ADMIN' ? "'$scope'" : 'NULL',
                 $expires || 'NULL'));
    return $id;
}

grant($root, 'SUPER_ADMIN');
my $t_role = grant($tadm, 'TENANT_ADMIN', $org1);
grant($padm, 'PARTNER_ADMIN', 'acme');

my $root_tok = create_session($root->{id});
my $t1_tok = create_session($tadm->{id}, active_org => $org1);
my $t2_tok = create_session($tadm->{id}, active_org => $org2);
my $p_tok = create_session($padm->{id});
my $plain_tok = create_session($plain->{id});

sub get {
    my ($n, $path, $token) = @_;
    my $r = $n->request('GET', $path, headers => ["Authorization: Bearer $token"]);
    return "$r->{code} $r->{body}";
}

is(get($nginx, '/super/x', $root_tok), "200 roles=SUPER_ADMIN\n", 'a SUPER_ADMIN: admitted, its roles listed');
like(get($nginx, '/super/x', $plain_tok), qr/^403 .*"FORBIDDEN"/, 'a user with none: 403 FORBIDDEN');
is(get($nginx, '/super/x', $p_tok) =~ /^(\d+)/ && $1, 403, 'another admin role: 403');
is(get($nginx, '/tenant/x', $t1_tok), "200 tenant $org1 roles=TENANT_ADMIN:$org1\n",
   'a TENANT_ADMIN in its active organization');
is(get($nginx, '/tenant/x', $t2_tok) =~ /^(\d+)/ && $1, 403, 'not in another organization');
is(get($nginx, '/tenant/x', $root_tok) =~ /^(\d+)/ && $1, 403, 'a SUPER_ADMIN is no TENANT_ADMIN');
is(get($nginx, "/tenant-arg/x?t=$org1", $t2_tok), "200 tenant $org1\n", 'admin_tenant from a variable');
is(get($nginx, "/tenant-arg/x?t=$org2", $t2_tok) =~ /^(\d+)/ && $1, 403, 'and another tenant in it: 403');
is(get($nginx, '/admins/x', $p_tok), "200 admin $padm->{id}\n", 'any of several roles: a PARTNER_ADMIN');

# the identity header, which a client cannot send itself
my $h = $nginx->request('GET', '/hdr/x', headers => ["Authorization: Bearer $root_tok",
                                                     'X-Admin-Roles: TENANT_ADMIN:forged']);
is("$h->{code} $h->{body}", "200 header=SUPER_ADMIN\n",
   'X-Admin-Roles: the live roles, the client\'s own dropped');

# a second node: the roles come from Redis (or the database) alike
my $second = start_nginx(http_config => gate_http_config(ttl => '60s', no_app => 1,
                                                         extra => 'athena_auth_jwt on;'),
                         config => $config);
is(get($second, '/tenant/x', $t1_tok), "200 tenant $org1 roles=TENANT_ADMIN:$org1\n",
   'a second node finds the same roles');

# a change through the API reaches the gate before the answer
my $r = $nginx->request('PATCH', "/api/v1/admin/admin-roles/$t_role",
    headers => ["Authorization: Bearer $root_tok", 'Content-Type: application/json'],
    body => '{"is_active":false}');
is($r->{code}, 200, 'the TENANT_ADMIN deactivated through the API');
is(get($nginx, '/tenant/x', $t1_tok) =~ /^(\d+)/ && $1, 403, 'and refused on the next request');
# and the other node's, by Postgres's notification (migration 019)
my $seen;
for (1 .. 40) {
    $seen = get($second, '/tenant/x', $t1_tok) =~ /^(\d+)/ && $1;
    last if $seen == 403;
    sleep 0.05;
}
is($seen, 403, 'the other node refuses too, within 2 s');
$second->stop;

# an expiry counts when the request is checked, cached or not
# (a user the gate has not seen: a grant by SQL waits out the caches)
my $brief = create_user(email => 'brief-gate-roles@example.com', name => 'Brief');
grant($brief, 'SUPER_ADMIN', undef, q{now() + interval '2 seconds'});
my $plain2_tok = create_session($brief->{id});
is(get($nginx, '/super/x', $plain2_tok), "200 roles=SUPER_ADMIN\n", 'a SUPER_ADMIN for two seconds');
select undef, undef, undef, 2.3;
is(get($nginx, '/super/x', $plain2_tok) =~ /^(\d+)/ && $1, 403, 'refused once it expired, from the cache');

# a JWT carries no admin roles
my $jwt = json_decode($nginx->request('GET', '/api/auth/token',
    headers => ["Authorization: Bearer $root_tok"])->{body})->{token};
is(get($nginx, '/admins/x', $jwt) =~ /^(\d+)/ && $1, 403, 'a SUPER_ADMIN\'s JWT holds no admin role at the gate');

done_testing();
