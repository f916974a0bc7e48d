# The organization plugin's member routes: remove-member,
# update-member-role, get-active-member, get-active-member-role,
# list-members. Only-owner rules, better-auth's odd statuses and bodies,
# nothing written on a refusal, and the gate told at once.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers();

my $config = <<'CONF';
location /api/auth/ { athena_auth_api; }
location /org-app/ {
    athena_auth_require org_permission=member:update;
    return 200 "$athena_org_role\n";
}
CONF

my $nginx = start_nginx(http_config => gate_http_config(ttl => '60s',
                                                        no_app => 1),
                        config => $config);

my $ann = create_user(email => 'ann@example.com', name => 'Ann');
my $bob = create_user(email => 'bob@example.com', name => 'Bob');
my $cat = create_user(email => 'cat@example.com', name => 'Cat');
my $dan = create_user(email => 'dan@example.com', name => 'Dan');
my $eve = create_user(email => 'eve@example.com', name => 'Eve');

my $org = create_org('acme', [ $ann->{id}, 'owner' ], [ $bob->{id}, 'admin' ],
                     [ $cat->{id}, 'member' ], [ $eve->{id}, 'member' ]);
my $other = create_org('other', [ $dan->{id}, 'owner' ]);

my %tok = map { $_->[0] => create_session($_->[1]{id}, active_org => $org) }
          ([ ann => $ann ], [ bob => $bob ], [ cat => $cat ], [ eve => $eve ]);
$tok{dan} = create_session($dan->{id}, active_org => $other);

sub member_id {
    my ($user, $o) = @_;
    $o ||= $org;
    return psql(qq{SELECT id FROM member WHERE "userId" = '$user->{id}'
                   AND "organizationId" = '$o'});
}

sub role_of { psql(qq{SELECT role FROM member WHERE id = '$_[0]'}) }

sub call { $nginx->api(@_) }

my $ts = qr/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/;
my ($ann_m, $bob_m, $cat_m, $eve_m, $dan_m) =
    (member_id($ann), member_id($bob), member_id($cat), member_id($eve),
     member_id($dan, $other));


# --- get-active-member, get-active-member-role ----------------------------

my $r = call('GET', '/organization/get-active-member', $tok{bob});
is($r->{code}, 200, 'get-active-member: 200');
like($r->{body}, qr/^\{"organizationId":"$org","userId":"$bob->{id}","role":"admin","createdAt":$ts,"id":"$bob_m","user":\{"id":"$bob->{id}","name":"Bob","email":"bob\@example.com","image":null\}\}$/,
     'the caller\'s member with its user');
$r = call('GET', '/organization/get-active-member');
is($r->{body}, '{"message":"Unauthorized","code":"UNAUTHORIZED"}',
   'no session: 401 UNAUTHORIZED');
my $lone = create_user(email => 'lone@example.com');
my $lone_tok = create_session($lone->{id});
$r = call('GET', '/organization/get-active-member', $lone_tok);
is($r->{body}, '{"message":"No active organization","code":"NO_ACTIVE_ORGANIZATION"}',
   'no active organization: NO_ACTIVE_ORGANIZATION');
my $lone_acme = create_session($lone->{id}, active_org => $org);
$r = call('GET', '/organization/get-active-member', $lone_acme);
is($r->{body}, '{"message":"Member not found","code":"MEMBER_NOT_FOUND"}',
   'not a member: MEMBER_NOT_FOUND');

$r = call('GET', '/organization/get-active-member-role', $tok{cat});
is($r->{body}, '{"role":"member"}', 'get-active-member-role: {role}');
$r = call('GET', "/organization/get-active-member-role?userId=$ann->{id}",
          $tok{cat});
is($r->{body}, '{"role":"owner"}', 'another member\'s, by userId');
$r = call('GET', "/organization/get-active-member-role?userId=$dan->{id}",
          $tok{cat});
is($r->{code}, 403, 'a user who is no member: 403');
is($r->{body}, '{"message":"You are not a member of this organization","code":"YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"}',
   'YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION');
$r = call('GET', '/organization/get-active-member-role?organizationSlug=other',
          $tok{cat});
is($r->{code}, 403, 'of an organization the caller is not in: 403');
$r = call('GET', '/organization/get-active-member-role?organizationSlug=nope',
          $tok{cat});
is($r->{body}, '{"message":"Organization not found","code":"ORGANIZATION_NOT_FOUND"}',
   'unknown slug: ORGANIZATION_NOT_FOUND');


# --- list-members ---------------------------------------------------------

$r = call('GET', '/organization/list-members', $tok{cat});
is($r->{code}, 200, 'list-members: 200');
like($r->{body}, qr/^\{"members":\[\{"organizationId":"$org","userId":"$ann->{id}","role":"owner","createdAt":$ts,"id":"$ann_m","user":\{"id":"$ann->{id}","name":"Ann",/,
     '{members: [... with user], ...}');
like($r->{body}, qr/,"total":4\}$/, 'and the total');

$r = call('GET', '/organization/list-members?limit=2&offset=1', $tok{cat});
my @ids = $r->{body} =~ /"id":"(\w+)","user"/g;
is("@ids", "$bob_m $cat_m", 'limit and offset page in creation order');
like($r->{body}, qr/"total":4\}$/, 'total counts every match');

$r = call('GET', '/organization/list-members?sortBy=role&sortDirection=desc',
          $tok{cat});
my @roles = $r->{body} =~ /"role":"(\w+)","createdAt"/g;
is("@roles", 'owner member member admin', 'sorted by role, descending');

$r = call('GET', '/organization/list-members?filterField=role&filterValue=member',
          $tok{cat});
like($r->{body}, qr/"total":2\}$/, 'filter role eq member: 2');
$r = call('GET', '/organization/list-members?filterField=role'
          . '&filterOperator=in&filterValue=owner&filterValue=admin',
          $tok{cat});
@roles = $r->{body} =~ /"role":"(\w+)","createdAt"/g;
is("@roles", 'owner admin', 'in, with repeated values');
$r = call('GET', '/organization/list-members?filterField=role'
          . '&filterOperator=contains&filterValue=%25', $tok{cat});
like($r->{body}, qr/"total":0\}$/, '% in contains is a literal character');
$r = call('GET', "/organization/list-members?filterField=role&filterValue=x'%20OR%20'1'='1",
          $tok{cat});
like($r->{body}, qr/"total":0\}$/, 'SQL in a filter value is only a value');

$r = call('GET', '/organization/list-members?filterField=createdAt'
          . '&filterOperator=lt&filterValue=2000-01-01T00:00:00Z', $tok{cat});
like($r->{body}, qr/"total":0\}$/, 'createdAt before 2000: none');
$r = call('GET', '/organization/list-members?filterField=createdAt'
          . '&filterOperator=gte&filterValue=2000-01-01T00:00:00%2B02:00',
          $tok{cat});
like($r->{body}, qr/"total":4\}$/, 'since 2000: all four');
$r = call('GET', '/organization/list-members?filterField=createdAt'
          . '&filterValue=yesterday', $tok{cat});
is($r->{code}, 400, 'a createdAt that is no date: 400');
$r = call('GET', '/organization/list-members?filterField=role', $tok{cat});
is($r->{body}, '{"members":[],"total":0}',
   'a filter without a value matches nothing, as better-auth');

$r = call('GET', '/organization/list-members?sortBy=password', $tok{cat});
is($r->{code}, 400, 'an unknown column: 400');
is($r->{body}, '{"message":"[query.sortBy] Invalid option: expected one of \"id\"|\"organizationId\"|\"userId\"|\"role\"|\"createdAt\"","code":"VALIDATION_ERROR"}',
   'naming the columns');
$r = call('GET', '/organization/list-members?offset=-1', $tok{cat});
is($r->{code}, 400, 'a negative offset: 400');
$r = call('GET', '/organization/list-members?organizationSlug=other',
          $tok{cat});
is($r->{code}, 403, 'another organization\'s members: 403');
is($r->{body}, '{"message":"You are not a member of this organization","code":"YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION"}',
   'YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION');


# --- update-member-role ------------------------------------------------------

is($nginx->request('GET', '/org-app/x',
                   headers => ["Authorization: Bearer $tok{cat}"])->{code},
   403, 'the gate refuses cat (member) member:update, and caches it');

$r = call('POST', '/organization/update-member-role', $tok{cat},
          qq({"memberId":"$eve_m","role":"admin"}));
is($r->{code}, 403, 'a member may not update roles: 403');
is($r->{body}, '{"message":"You are not allowed to update this member","code":"YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER"}',
   'YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER');

$r = call('POST', '/organization/update-member-role', $tok{bob},
          qq({"memberId":"$cat_m","role":["admin"," member"]}));
is($r->{code}, 200, 'an admin promotes cat: 200');
like($r->{body}, qr/^\{"organizationId":"$org","userId":"$cat->{id}","role":"admin,member","createdAt":$ts,"id":"$cat_m"\}$/,
     'the bare member, roles trimmed and comma-joined');
is(role_of($cat_m), 'admin,member', 'stored so');
$r = $nginx->request('GET', '/org-app/x',
                     headers => ["Authorization: Bearer $tok{cat}"]);
is($r->{code}, 200, 'the gate sees the new role at once (TTL 60 s)');
is($r->{body}, "admin,member\n", 'and says it');

$r = call('POST', '/organization/update-member-role', $tok{bob},
          qq({"memberId":"$ann_m","role":"member"}));
is($r->{code}, 403, 'an admin may not touch the owner');
$r = call('POST', '/organization/update-member-role', $tok{bob},
          qq({"memberId":"$eve_m","role":"owner"}));
is($r->{code}, 403, 'nor grant the owner role');
is(role_of($eve_m), 'member', 'nothing written');

$r = call('POST', '/organization/update-member-role', $tok{bob},
          qq({"memberId":"$eve_m","role":["admin","boss","chief"]}));
is($r->{code}, 400, 'unknown roles: 400');
is($r->{body}, '{"code":"ROLE_NOT_FOUND","message":"ROLE_NOT_FOUND: boss, chief"}',
   'code first, naming them, as better-auth');

$r = call('POST', '/organization/update-member-role', $tok{bob},
          qq({"memberId":"$eve_m","role":""}));
is($r->{code}, 400, 'an empty role: 400');
is($r->{body}, '', 'with an empty body, as better-auth');
$r = call('POST', '/organization/update-member-role', $tok{bob},
          qq({"memberId":"$eve_m","role":" , "}));
is("$r->{code} $r->{body}", '400 ', 'a role list of nothing: the same');
$r = call('POST', '/organization/update-member-role', $tok{bob}, '{}');
is($r->{body}, '{"message":"[body.role] Invalid input; [body.memberId] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}',
   'role and memberId are required');
$r = call('POST', '/organization/update-member-role', $tok{bob},
          qq({"memberId":"$eve_m","role":5}));
is($r->{body}, '{"message":"[body.role] Invalid input","code":"VALIDATION_ERROR"}',
   'a role that is neither string nor list');

$r = call('POST', '/organization/update-member-role', $tok{bob},
          qq({"memberId":"$dan_m","role":"member"}));
is($r->{code}, 403, 'a member of another organization: 403');
is(role_of($dan_m), 'owner', 'untouched');

$r = call('POST', '/organization/update-member-role', $tok{bob},
          qq({"memberId":"nobody","role":"member"}));
is($r->{body}, '{"message":"Member not found","code":"MEMBER_NOT_FOUND"}',
   'unknown member: MEMBER_NOT_FOUND');

$r = call('POST', '/organization/update-member-role', $tok{ann},
          qq({"memberId":"$ann_m","role":"admin"}));
is($r->{code}, 400, 'the only owner cannot demote themself: 400');
is($r->{body}, '{"message":"You cannot leave the organization without an owner","code":"YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER"}',
   'YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER');
$r = call('POST', '/organization/update-member-role', $tok{ann},
          qq({"memberId":"$ann_m","role":["owner","admin"]}));
is($r->{code}, 200, 'but may add a role while keeping owner');

$r = call('POST', '/organization/update-member-role', $tok{ann},
          qq({"memberId":"$eve_m","role":"owner"}));
is($r->{code}, 200, 'the owner makes eve an owner');
$r = call('POST', '/organization/update-member-role', $tok{ann},
          qq({"memberId":"$ann_m","role":"member"}));
is($r->{code}, 200, 'with a second owner ann may step down');
$r = call('POST', '/organization/update-member-role', $tok{ann},
          qq({"memberId":"$ann_m","role":"owner"}));
is($r->{code}, 403, 'and, no longer an owner, cannot take it back');

$r = call('POST', '/organization/update-member-role', undef,
          qq({"memberId":"$ann_m","role":"owner"}));
is($r->{code}, 401, 'no session: 401');


# --- remove-member ---------------------------------------------------------

# eve is the owner now; ann a member, bob admin, cat admin,member
$r = call('POST', '/organization/remove-member', $tok{ann},
          qq({"memberIdOrEmail":"$cat_m"}));
is($r->{code}, 401, 'a member may not remove: 401, as better-auth');
is($r->{body}, '{"message":"You are not allowed to delete this member","code":"YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER"}',
   'YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER');

$r = call('POST', '/organization/remove-member', $tok{bob},
          qq({"memberIdOrEmail":"$eve_m"}));
is($r->{code}, 400, 'an admin may not remove the owner: 400');
is($r->{body}, '{"message":"You cannot leave the organization as the only owner","code":"YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER"}',
   'better-auth\'s only-owner code');

$r = call('POST', '/organization/remove-member', $tok{eve},
          qq({"memberIdOrEmail":"$eve_m"}));
is($r->{code}, 400, 'the last owner cannot remove themself');

$r = call('POST', '/organization/remove-member', $tok{bob},
          qq({"memberIdOrEmail":"$dan_m"}));
is($r->{code}, 400, 'another organization\'s owner: 400');
$r = call('POST', '/organization/remove-member', $tok{bob},
          qq({"memberIdOrEmail":"nobody\@example.com"}));
is($r->{body}, '{"message":"Member not found","code":"MEMBER_NOT_FOUND"}',
   'unknown email: MEMBER_NOT_FOUND');

is($nginx->request('GET', '/org-app/x',
                   headers => ["Authorization: Bearer $tok{cat}"])->{code},
   200, 'cat passes the gate (cached)');

$r = call('POST', '/organization/remove-member', $tok{bob},
          qq({"memberIdOrEmail":"CAT\@Example.com"}));
is($r->{code}, 200, 'an admin removes cat by email: 200');
like($r->{body}, qr/^\{"member":\{"organizationId":"$org","userId":"$cat->{id}","role":"admin,member","createdAt":$ts,"id":"$cat_m","user":\{"id":"$cat->{id}","name":"Cat","email":"cat\@example.com","image":null\}\}\}$/,
     '{member} with its user, since it was named by email');
is(psql(qq{SELECT count(*) FROM member WHERE id = '$cat_m'}), 0, 'gone');
is($nginx->request('GET', '/org-app/x',
                   headers => ["Authorization: Bearer $tok{cat}"])->{code},
   403, 'and the gate refuses her at once');

$r = call('POST', '/organization/remove-member', $tok{eve},
          qq({"memberIdOrEmail":"$ann_m"}));
is($r->{code}, 200, 'the owner removes ann by id');
unlike($r->{body}, qr/"user"/, 'by id the member comes without its user');

$r = call('POST', '/organization/remove-member', $tok{bob},
          qq({"memberIdOrEmail":"$bob_m"}));
is($r->{code}, 200, 'bob removes himself');
is(psql(qq{SELECT coalesce("activeOrganizationId", '-') FROM session
           WHERE token = '$tok{bob}'}), '-',
   'and loses the active organization');

$r = call('POST', '/organization/remove-member', $tok{eve}, '{}');
is($r->{body}, '{"message":"[body.memberIdOrEmail] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}',
   'memberIdOrEmail is required');

$r = call('POST', '/organization/remove-member', $lone_tok,
          qq({"memberIdOrEmail":"$eve_m"}));
is($r->{body}, '{"message":"No active organization","code":"NO_ACTIVE_ORGANIZATION"}',
   'no organization: NO_ACTIVE_ORGANIZATION');

done_testing();
