# The organization plugin's own routes (seed 001): create, update, delete,
# set-active, list, get-organization, get-full-organization, check-slug,
# leave, has-permission. Each route's 401 form, better-auth's codes and
# messages, metadata parsed or raw as better-auth answers it, nothing
# written on a refusal, and the caches told before the answer.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers();

my $config = <<'CONF';
location /api/auth/ { athena_auth_api; }
location /org-app/ {
    athena_auth_require org_permission=organization:update;
    return 200 "$athena_org_id $athena_org_role\n";
}
CONF

my $nginx = start_nginx(http_config => gate_http_config(ttl => '60s',
                                                        no_app => 1),
                        config => $config);

my $ann = create_user(email => 'ann@example.com', name => 'Ann');
my $bob = create_user(email => 'bob@example.com', name => 'Bob');
my $cat = create_user(email => 'cat@example.com', name => 'Cat');
my $dan = create_user(email => 'dan@example.com', name => 'Dan');

my $ann_tok = create_session($ann->{id});
my $bob_tok = create_session($bob->{id});
my $cat_tok = create_session($cat->{id});
my $dan_tok = create_session($dan->{id});

sub call { $nginx->api(@_) }

sub count_rows { psql("SELECT count(*) FROM $_[0]") }

sub active_of { psql(qq{SELECT coalesce("activeOrganizationId", '-')
                         FROM session WHERE token = '$_[0]'}) }

my $ts = qr/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/;


# --- create --------------------------------------------------------------

my $r = call('POST', '/organization/create', undef,
             '{"name":"Acme","slug":"acme"}');
is($r->{code}, 401, 'create without a session: 401');
is($r->{body}, '', 'with an empty body, as better-auth');

$r = call('POST', '/organization/create', undef, '{}');
is($r->{code}, 400, 'the body is checked before the session');
is($r->{body}, '{"message":"[body.name] Invalid input: expected string, received undefined; [body.slug] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}',
   'name and slug are required');

$r = call('POST', '/organization/create', $ann_tok,
          '{"name":"","slug":"x","metadata":[1]}');
is($r->{body}, '{"message":"[body.name] Too small: expected string to have >=1 characters; [body.metadata] Invalid input: expected record, received array","code":"VALIDATION_ERROR"}',
   'an empty name and metadata that is no object are refused');

$r = call('POST', '/organization/create', $ann_tok,
          '{"name":"Acme","slug":"acme","metadata":{"tier":"gold","n":2}}');
is($r->{code}, 200, 'create: 200');
like($r->{body}, qr/^\{"name":"Acme","slug":"acme","logo":null,"createdAt":$ts,"metadata":\{"tier":"gold","n":2\},"id":"(\w{32})","members":\[\{"organizationId":"\1","userId":"$ann->{id}","role":"owner","createdAt":$ts,"id":"\w{32}"\}\]\}$/,
     'the organization, metadata parsed, with its owner');
my ($acme) = $r->{body} =~ /"id":"(\w{32})","members"/;
is(psql(qq{SELECT metadata FROM organization WHERE id = '$acme'}),
   '{"tier":"gold","n":2}', 'metadata stored as JSON text');
is(active_of($ann_tok), $acme, 'the new organization is the active one');
ok(!exists $r->{headers}{'set-cookie'}, 'create sends no cookie');

$r = call('POST', '/organization/create', $ann_tok,
          '{"name":"Side","slug":"side","keepCurrentActiveOrganization":true}');
is($r->{code}, 200, 'a second one, keeping the active organization');
unlike($r->{body}, qr/"metadata"/, 'without metadata there is no key');
my ($side) = $r->{body} =~ /"id":"(\w{32})","members"/;
is(active_of($ann_tok), $acme, 'the active one stays');

my $orgs = count_rows('organization');
$r = call('POST', '/organization/create', $ann_tok,
          '{"name":"Big","slug":"big","metadata":{"blob":"' . ('x' x 40000)
          . '"}}');
is($r->{code}, 413, 'metadata over the body limit: 413');
$r = call('POST', '/organization/create', $ann_tok,
          '{"name":"Deep","slug":"deep","metadata":' . ('{"a":' x 12) . '1'
          . ('}' x 12) . '}');
is($r->{code}, 400, 'metadata nested too deep: 400');
like($r->{body}, qr/nested deeper than 8 levels/, 'saying so');
$r = call('POST', '/organization/create', $ann_tok, '{"name":"Bad",');
is($r->{body}, '{"message":"Invalid JSON in request body","code":"BAD_REQUEST"}',
   'malformed JSON: 400 BAD_REQUEST');
$r = $nginx->request('POST', '/api/auth/organization/create',
                     headers => ["Authorization: Bearer $ann_tok",
                                 'Content-Type: application/json'],
                     body => "{\"name\":\"\xff\xfe\",\"slug\":\"u\"}");
is($r->{body}, '{"message":"Request body is not valid UTF-8","code":"BAD_REQUEST"}',
   'invalid UTF-8: 400');
is(count_rows('organization'), $orgs, 'none of them wrote anything');

$r = call('POST', '/organization/create', $bob_tok,
          '{"name":"Other","slug":"acme"}');
is($r->{code}, 400, 'a taken slug: 400');
is($r->{body}, '{"message":"Organization already exists","code":"ORGANIZATION_ALREADY_EXISTS"}',
   'ORGANIZATION_ALREADY_EXISTS');
is(count_rows('organization'), $orgs, 'nothing written');
is(psql(qq{SELECT count(*) FROM member WHERE "userId" = '$bob->{id}'}), 0,
   'no member either');

$r = call('POST', '/organization/create', $bob_tok,
          q({"name":"Bob's ' OR 1=1; --","slug":"bob'; DROP TABLE member;--",)
          . q("keepCurrentActiveOrganization":true}));
is($r->{code}, 200, 'SQL in name and slug is only text');
like($r->{body}, qr/"slug":"bob'; DROP TABLE member;--"/, 'kept as given');
my ($bobs) = $r->{body} =~ /"id":"(\w{32})","members"/;
is(count_rows('member') > 0, 1, 'member table still there');


# --- check-slug ------------------------------------------------------------

$r = call('POST', '/organization/check-slug', $cat_tok, '{"slug":"acme"}');
is($r->{code}, 400, 'check-slug, taken: 400');
is($r->{body}, '{"message":"Organization slug already taken","code":"ORGANIZATION_SLUG_ALREADY_TAKEN"}',
   'ORGANIZATION_SLUG_ALREADY_TAKEN');
$r = call('POST', '/organization/check-slug', $cat_tok, '{"slug":"free"}');
is($r->{body}, '{"status":true}', 'free: {status:true}');
$r = call('POST', '/organization/check-slug', undef, '{"slug":"free"}');
is($r->{code}, 401, 'no session: 401');
is($r->{body}, '{"message":"Unauthorized","code":"UNAUTHORIZED"}',
   'the session middleware\'s body');


# --- members for the rest (admin bob, member cat), set by SQL ------------

psql(qq{INSERT INTO member (id, "organizationId", "userId", role,
        "createdAt") VALUES ('m-bob', '$acme', '$bob->{id}', 'admin', now()),
        ('m-cat', '$acme', '$cat->{id}', 'member', now())});


# --- has-permission --------------------------------------------------------

my %perm = (
    owner  => [ $ann_tok, 'true', 'true' ],
    admin  => [ $bob_tok, 'true', 'false' ],
    member => [ $cat_tok, 'false', 'false' ],
);
for my $role (sort keys %perm) {
    my ($tok, $update, $delete) = @{ $perm{$role} };
    $r = call('POST', '/organization/has-permission', $tok,
              qq({"organizationId":"$acme","permissions":{"organization":["update"],"member":["create"]}}));
    is($r->{body}, qq({"error":null,"success":$update}),
       "has-permission as $role: organization:update + member:create");
    $r = call('POST', '/organization/has-permission', $tok,
              qq({"organizationId":"$acme","permissions":{"organization":["delete"]}}));
    is($r->{body}, qq({"error":null,"success":$delete}),
       "has-permission as $role: organization:delete");
}

$r = call('POST', '/organization/has-permission', $cat_tok,
          qq({"organizationId":"$acme","permissions":{"ac":["read"]}}));
is($r->{body}, '{"error":null,"success":true}', 'a member may ac:read');

$r = call('POST', '/organization/has-permission', $ann_tok,
          '{"permissions":{"member":["delete"]}}');
is($r->{body}, '{"error":null,"success":true}',
   'the active organization by default');

$r = call('POST', '/organization/has-permission', $dan_tok,
          '{"permissions":{"member":["delete"]}}');
is($r->{code}, 400, 'no active organization: 400');
is($r->{body}, '{"message":"No active organization","code":"NO_ACTIVE_ORGANIZATION"}',
   'NO_ACTIVE_ORGANIZATION');

$r = call('POST', '/organization/has-permission', $dan_tok,
          qq({"organizationId":"$acme","permissions":{"ac":["read"]}}));
is($r->{code}, 401, 'not a member: 401, as better-auth');
is($r->{body}, '{"message":"User is not a member of the organization","code":"USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION"}',
   'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION');

$r = call('POST', '/organization/has-permission', $ann_tok,
          qq({"organizationId":"$acme","permission":{"member":["delete"]}}));
is($r->{body}, '{"error":null,"success":false}',
   'the deprecated "permission" is never granted');

$r = call('POST', '/organization/has-permission', $ann_tok,
          qq({"permission":{},"permissions":{}}));
is($r->{body}, '{"message":"[body] Invalid input: more than one option matched","code":"VALIDATION_ERROR"}',
   'both fields: zod\'s xor message');

$r = call('POST', '/organization/has-permission', $ann_tok,
          qq({"organizationId":"$acme","permissions":{}}));
is($r->{body}, '{"error":null,"success":false}', 'an empty request: false');

$r = call('POST', '/organization/has-permission', $ann_tok,
          qq({"organizationId":"$acme","permissions":{"member":"create"}}));
is($r->{body}, '{"message":"[body] Invalid input","code":"VALIDATION_ERROR"}',
   'actions that are no list: zod\'s xor fails at the body');

$r = call('POST', '/organization/has-permission', $ann_tok,
          qq({"organizationId":"$acme","permissions":{"billing":["read"]}}));
is($r->{body}, '{"error":null,"success":false}', 'an unknown resource: false');


# --- update ---------------------------------------------------------------

$r = call('POST', '/organization/update', undef, '{"data":{"name":"X"}}');
is($r->{code}, 401, 'update without a session: 401');
is($r->{body}, '{"message":"User not found"}', 'with better-auth\'s message');

$r = call('POST', '/organization/update', $cat_tok,
          qq({"organizationId":"$acme","data":{"name":"Cat's"}}));
is($r->{code}, 403, 'a member may not update: 403');
is($r->{body}, '{"message":"You are not allowed to update this organization","code":"YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION"}',
   'YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION');

$r = call('POST', '/organization/update', $dan_tok,
          qq({"organizationId":"$acme","data":{"name":"Dan's"}}));
is($r->{code}, 400, 'a non-member: 400');
like($r->{body}, qr/"code":"USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION"/,
     'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION');

$r = call('POST', '/organization/update', $dan_tok, '{"data":{"name":"D"}}');
is($r->{body}, '{"message":"Organization not found","code":"ORGANIZATION_NOT_FOUND"}',
   'no id and no active organization: ORGANIZATION_NOT_FOUND');

$r = call('POST', '/organization/update', $bob_tok,
          qq({"organizationId":"$acme","data":{"slug":"side"}}));
is($r->{code}, 400, 'another organization\'s slug: 400');
is($r->{body}, '{"message":"Organization slug already taken","code":"ORGANIZATION_SLUG_ALREADY_TAKEN"}',
   'ORGANIZATION_SLUG_ALREADY_TAKEN');

$r = call('POST', '/organization/update', $bob_tok,
          qq({"organizationId":"$acme","data":{"name":"Acme Inc","logo":"https://l/x.png","metadata":{"tier":"platinum"}}}));
is($r->{code}, 200, 'an admin updates: 200');
like($r->{body}, qr/^\{"name":"Acme Inc","slug":"acme","logo":"https:\/\/l\/x.png","createdAt":$ts,"metadata":\{"tier":"platinum"\},"id":"$acme"\}$/,
     'the organization, metadata parsed');

$r = call('POST', '/organization/update', $bob_tok,
          qq({"organizationId":"$acme","data":{"metadata":{"tier":"platinum","at":["2024-01-01T00:00:00+02:00",{"d":"2024-13-01T00:00:00Z"}],"day":"2024-01-01"}}}));
like($r->{body}, qr/"metadata":\{"tier":"platinum","at":\["2023-12-31T22:00:00.000Z",\{"d":"2025-01-01T00:00:00.000Z"\}\],"day":"2024-01-01"\}/,
     'update answers ISO dates in metadata as better-auth\'s parser revives them');
is(psql(qq{SELECT metadata FROM organization WHERE id = '$acme'}),
   '{"tier":"platinum","at":["2024-01-01T00:00:00+02:00",{"d":"2024-13-01T00:00:00Z"}],"day":"2024-01-01"}',
   'and stores them as given');
call('POST', '/organization/update', $bob_tok,
     qq({"organizationId":"$acme","data":{"metadata":{"tier":"platinum"}}}));

$r = call('POST', '/organization/update', $bob_tok,
          qq({"organizationId":"$acme","data":{"logo":null,"name":1}}));
is($r->{body}, '{"message":"[body.data.name] Invalid input: expected string, received number","code":"VALIDATION_ERROR"}',
   'wrong types inside data are named by path');

$r = call('POST', '/organization/update', $bob_tok,
          qq({"organizationId":"$acme","data":{"logo":null}}));
like($r->{body}, qr/"logo":null/, 'logo null clears it');

$r = call('POST', '/organization/update', $bob_tok,
          qq({"organizationId":"$acme","data":"x"}));
is($r->{body}, '{"message":"[body.data] Invalid input: expected object, received string","code":"VALIDATION_ERROR"}',
   'data must be an object');


# --- list, get-organization, get-full-organization -------------------------

$r = call('GET', '/organization/list', $ann_tok);
is($r->{code}, 200, 'list: 200');
like($r->{body}, qr/^\[\{"name":"Acme Inc","slug":"acme","logo":null,"createdAt":$ts,"metadata":"\{\\"tier\\":\\"platinum\\"\}","id":"$acme"\},\{"name":"Side","slug":"side","logo":null,"createdAt":$ts,"metadata":null,"id":"$side"\}\]$/,
     'the caller\'s organizations, metadata raw, oldest first');
$r = call('GET', '/organization/list', $dan_tok);
is($r->{body}, '[]', 'none: []');
$r = call('GET', '/organization/list');
is($r->{code}, 401, 'no session: 401');

$r = call('GET', '/organization/get-organization', $ann_tok);
like($r->{body}, qr/^\{"name":"Acme Inc",.*"id":"$acme"\}$/,
     'get-organization: the active one');
$r = call('GET', '/organization/get-organization?organizationSlug=side',
          $ann_tok);
like($r->{body}, qr/"id":"$side"/, 'by slug');
$r = call('GET', '/organization/get-organization', $dan_tok);
is($r->{body}, 'null', 'none named, none active: null');
$r = call('GET', "/organization/get-organization?organizationId=$acme&organizationId=$side",
          $ann_tok);
is($r->{body}, '{"message":"[query.organizationId] Invalid input: expected string, received array","code":"VALIDATION_ERROR"}',
   'a parameter given twice is an array to zod: 400');
$r = call('GET', '/organization/get-organization?organizationId=nope',
          $ann_tok);
is($r->{body}, '{"message":"Organization not found","code":"ORGANIZATION_NOT_FOUND"}',
   'unknown: ORGANIZATION_NOT_FOUND');

$r = call('GET', '/organization/get-full-organization', $ann_tok);
is($r->{code}, 200, 'get-full-organization: 200');
like($r->{body}, qr/^\{"name":"Acme Inc",.*"id":"$acme","invitations":\[\],"members":\[\{"organizationId":"$acme","userId":"$ann->{id}","role":"owner","createdAt":$ts,"id":"\w+","user":\{"id":"$ann->{id}","name":"Ann","email":"ann\@example.com","image":null\}\},/,
     'with its members and their users');
my @m = $r->{body} =~ /"user":/g;
is(scalar @m, 3, 'all three');
$r = call('GET', "/organization/get-full-organization?organizationId=$acme&membersLimit=1",
          $ann_tok);
@m = $r->{body} =~ /"user":/g;
is(scalar @m, 1, 'membersLimit=1: one');
$r = call('GET', "/organization/get-full-organization?membersLimit=-1",
          $ann_tok);
is($r->{code}, 400, 'a negative membersLimit: 400');

# a non-member asking loses the active organization, as better-auth
my $dan_acme = create_session($dan->{id}, active_org => $acme);
$r = call('GET', '/organization/get-full-organization', $dan_acme);
is($r->{code}, 403, 'a non-member: 403');
is($r->{body}, '{"message":"User is not a member of the organization","code":"USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION"}',
   'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION');
is(active_of($dan_acme), '-', 'and the active organization is cleared');


# --- set-active -----------------------------------------------------------

$r = call('POST', '/organization/set-active', $ann_tok,
          qq({"organizationId":"$side"}));
is($r->{code}, 200, 'set-active: 200');
like($r->{body}, qr/^\{"name":"Side","slug":"side","logo":null,"createdAt":$ts,"metadata":null,"id":"$side"\}$/,
     'the organization, metadata raw');
is(active_of($ann_tok), $side, 'the session row says so');
like(join(' ', @{ $r->{headers}{'set-cookie'} || [] }),
     qr/^better-auth\.session_token=$ann_tok\.[^;]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax$/,
     'the session cookie is sent again, same token');
ok($r->{headers}{'set-auth-token'}, 'and set-auth-token with it');

$r = call('POST', '/organization/set-active', $ann_tok,
          '{"organizationSlug":"acme"}');
like($r->{body}, qr/"id":"$acme"/, 'by slug');

$r = call('POST', '/organization/set-active', $ann_tok,
          '{"organizationSlug":"nope"}');
is($r->{body}, '{"message":"Organization not found","code":"ORGANIZATION_NOT_FOUND"}',
   'unknown slug: ORGANIZATION_NOT_FOUND');
is(active_of($ann_tok), $acme, 'nothing changed');

$r = call('POST', '/organization/set-active', $dan_tok,
          qq({"organizationId":"$acme"}));
is($r->{code}, 403, 'not a member: 403');

$r = call('POST', '/organization/set-active', $ann_tok, '{}');
like($r->{body}, qr/"id":"$acme"/, 'neither field: the active one again');

$r = call('POST', '/organization/set-active', $ann_tok,
          '{"organizationId":null}');
is($r->{body}, 'null', 'null unsets: null');
is(active_of($ann_tok), '-', 'the row has none');

$r = call('POST', '/organization/set-active', $ann_tok, '{}');
is($r->{body}, 'null', 'none active, none given: null');

$r = call('POST', '/organization/set-active', undef, '{}');
is($r->{code}, 401, 'no session: 401');


# --- the gate sees set-active at once (cache TTL 60 s) -----------------------

is($nginx->request('GET', '/org-app/x',
                   headers => ["Authorization: Bearer $bob_tok"])->{code},
   403, 'bob has no active organization: the gate refuses (and caches)');
call('POST', '/organization/set-active', $bob_tok,
     qq({"organizationId":"$acme"}));
$r = $nginx->request('GET', '/org-app/x',
                     headers => ["Authorization: Bearer $bob_tok"]);
is($r->{code}, 200, 'after set-active the gate lets him in');
is($r->{body}, "$acme admin\n", 'with the organization and his role');


# --- leave ----------------------------------------------------------------

$r = call('POST', '/organization/leave', $ann_tok,
          qq({"organizationId":"$acme"}));
is($r->{code}, 400, 'the only owner cannot leave: 400');
is($r->{body}, '{"message":"You cannot leave the organization as the only owner","code":"YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER"}',
   'YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER');

$r = call('POST', '/organization/leave', $dan_tok,
          qq({"organizationId":"$acme"}));
is($r->{body}, '{"message":"Member not found","code":"MEMBER_NOT_FOUND"}',
   'a non-member: MEMBER_NOT_FOUND');

$r = call('POST', '/organization/leave', $bob_tok,
          qq({"organizationId":"$acme"}));
is($r->{code}, 200, 'an admin leaves: 200');
like($r->{body}, qr/^\{"organizationId":"$acme","userId":"$bob->{id}","role":"admin","createdAt":$ts,"id":"m-bob","user":\{"id":"$bob->{id}","name":"Bob","email":"bob\@example.com","image":null\}\}$/,
     'the member that was, with its user');
is(active_of($bob_tok), '-', 'his active organization is cleared');
is($nginx->request('GET', '/org-app/x',
                   headers => ["Authorization: Bearer $bob_tok"])->{code},
   403, 'and the gate refuses him at once');


# --- delete ---------------------------------------------------------------

$r = call('POST', '/organization/delete', undef,
          qq({"organizationId":"$acme"}));
is($r->{code}, 401, 'delete without a session: 401');
is($r->{body}, '', 'with an empty body');

psql(qq{UPDATE member SET role = 'admin' WHERE id = 'm-cat'});
$r = call('POST', '/organization/delete', $cat_tok,
          qq({"organizationId":"$acme"}));
is($r->{code}, 403, 'an admin may not delete: 403');
is($r->{body}, '{"message":"You are not allowed to delete this organization","code":"YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION"}',
   'YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION');

$r = call('POST', '/organization/delete', $dan_tok,
          qq({"organizationId":"$acme"}));
is($r->{code}, 400, 'a non-member: 400');

psql(qq{UPDATE session SET "activeOrganizationId" = '$acme'
        WHERE token IN ('$ann_tok', '$cat_tok')});
psql(qq{INSERT INTO invitation (id, "organizationId", email, role, status,
        "expiresAt", "createdAt", "inviterId") VALUES ('inv-1', '$acme',
        'eve\@example.com', 'member', 'pending', now() + interval '1 day',
        now(), '$ann->{id}')});

$r = call('POST', '/organization/delete', $ann_tok,
          qq({"organizationId":"$acme"}));
is($r->{code}, 200, 'the owner deletes: 200');
like($r->{body}, qr/^\{"name":"Acme Inc","slug":"acme","logo":null,"createdAt":$ts,"metadata":"\{\\"tier\\":\\"platinum\\"\}","id":"$acme"\}$/,
     'the organization that was, metadata raw');
is(psql(qq{SELECT count(*) FROM member WHERE "organizationId" = '$acme'}),
   0, 'its members are gone');
is(psql(qq{SELECT count(*) FROM invitation WHERE "organizationId" = '$acme'}),
   0, 'its invitations are gone');
is(active_of($ann_tok) . active_of($cat_tok), '--',
   'every session that had it active lost it');

$r = call('POST', '/organization/delete', $ann_tok,
          qq({"organizationId":"$acme"}));
is($r->{code}, 400, 'deleting it again: 400');



# --- the plugin's options as directives ------------------------------------

$nginx->stop;

my $strict = start_nginx(http_config => default_http_config(extra => <<'X'),
    athena_auth_organization_create off;
    athena_auth_organization_deletion off;
X
                         config => 'location /api/auth/ { athena_auth_api; }');
$r = $strict->request('POST', '/api/auth/organization/create',
                      headers => ["Authorization: Bearer $dan_tok",
                                  'Content-Type: application/json'],
                      body => '{"name":"No","slug":"no"}');
is($r->{code}, 403, 'athena_auth_organization_create off: 403');
is($r->{body}, '{"message":"You are not allowed to create a new organization","code":"YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION"}',
   'YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION');
$r = $strict->request('POST', '/api/auth/organization/delete',
                      headers => ['Content-Type: application/json'],
                      body => qq({"organizationId":"$side"}));
is($r->{code}, 404, 'athena_auth_organization_deletion off: 404,'
                    . ' before the session is looked at');
is($r->{body}, '{"message":"Organization deletion is disabled","code":"ORGANIZATION_DELETION_DISABLED"}',
   'ORGANIZATION_DELETION_DISABLED');
$strict->stop;

my $limited = start_nginx(http_config => default_http_config(
                              extra => 'athena_auth_organization_limit 2;'),
                          config => 'location /api/auth/ { athena_auth_api; }');
# ann is in side (and bob's org is not hers): one membership
$r = $limited->request('POST', '/api/auth/organization/create',
                       headers => ["Authorization: Bearer $ann_tok",
                                   'Content-Type: application/json'],
                       body => '{"name":"Two","slug":"two"}');
is($r->{code}, 200, 'athena_auth_organization_limit 2: a second one');
$r = $limited->request('POST', '/api/auth/organization/create',
                       headers => ["Authorization: Bearer $ann_tok",
                                   'Content-Type: application/json'],
                       body => '{"name":"Three","slug":"three"}');
is($r->{code}, 403, 'a third: 403');
is($r->{body}, '{"message":"You have reached the maximum number of organizations","code":"YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS"}',
   'YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS');
$limited->stop;

done_testing();
