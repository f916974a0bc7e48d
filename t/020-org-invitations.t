# The organization plugin's invitation routes: invite-member,
# accept-invitation, reject-invitation, cancel-invitation, get-invitation,
# list-invitations, list-user-invitations. Limits (pending invitations,
# members), creator-role rules, better-auth's bodies and statuses,
# nothing written on a refusal.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers();

my $nginx = start_nginx(http_config => default_http_config(extra => <<'CONF'),
    athena_auth_organization_invitation_limit 3;
    athena_auth_organization_membership_limit 4;
    athena_auth_organization_invitation_expires 1h;
CONF
                        config => 'location /api/auth/ { athena_auth_api; }');

my $ann = create_user(email => 'ann@example.com', name => 'Ann');
my $bob = create_user(email => 'bob@example.com', name => 'Bob');
my $cat = create_user(email => 'cat@example.com', name => 'Cat');
my $eve = create_user(email => 'eve@example.com', name => 'Eve');
my $fay = create_user(email => 'fay@example.com', name => 'Fay');
psql(qq{UPDATE "user" SET "emailVerified" = true
        WHERE id IN ('$eve->{id}', '$fay->{id}')});

my $org = create_org('acme', [ $ann->{id}, 'owner' ], [ $bob->{id}, 'admin' ],
                     [ $cat->{id}, 'member' ]);

my %tok = map { $_->[0] => create_session($_->[1]{id}, active_org => $org) }
          ([ ann => $ann ], [ bob => $bob ], [ cat => $cat ]);
$tok{eve} = create_session($eve->{id});
$tok{fay} = create_session($fay->{id});

sub call { $nginx->api(@_) }

sub count_inv { psql("SELECT count(*) FROM invitation") }

my $ts = qr/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/;


# --- invite-member ---------------------------------------------------------

my $r = call('POST', '/organization/invite-member', $tok{bob},
             '{"email":"Eve@Example.com","role":"member"}');
is($r->{code}, 200, 'an admin invites: 200');
like($r->{body}, qr/^\{"organizationId":"$org","email":"eve\@example.com","role":"member","status":"pending","expiresAt":$ts,"createdAt":$ts,"inviterId":"$bob->{id}","id":"(\w{32})"\}$/,
     'the bare invitation, email lowercased');
my ($inv_eve) = $r->{body} =~ /"id":"(\w{32})"/;
is(psql(qq{SELECT round(extract(epoch FROM "expiresAt" - "createdAt"))
           FROM invitation WHERE id = '$inv_eve'}), 3600,
   'it lives athena_auth_organization_invitation_expires');

$r = call('POST', '/organization/invite-member', $tok{bob},
          '{"email":"eve@example.com","role":"member"}');
is($r->{code}, 400, 'twice: 400');
is($r->{body}, '{"message":"User is already invited to this organization","code":"USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION"}',
   'USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION');

psql(qq{UPDATE invitation SET "expiresAt" = now() + interval '1 minute'
        WHERE id = '$inv_eve'});
$r = call('POST', '/organization/invite-member', $tok{bob},
          '{"email":"eve@example.com","role":"admin","resend":true}');
is($r->{code}, 200, 'resend: 200');
like($r->{body}, qr/"role":"member".*"id":"$inv_eve"/,
     'the same invitation, its role unchanged');
ok(psql(qq{SELECT "expiresAt" > now() + interval '50 minutes'
           FROM invitation WHERE id = '$inv_eve'}) eq 't',
   'its expiry extended');

$r = call('POST', '/organization/invite-member', $tok{cat},
          '{"email":"x@example.com","role":"member"}');
is($r->{code}, 403, 'a member may not invite: 403');
is($r->{body}, '{"message":"You are not allowed to invite users to this organization","code":"YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION"}',
   'its code');

$r = call('POST', '/organization/invite-member', $tok{bob},
          '{"email":"x@example.com","role":"owner"}');
is($r->{code}, 403, 'an admin may not invite an owner: 403');
is($r->{body}, '{"message":"You are not allowed to invite a user with this role","code":"YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE"}',
   'its code');

$r = call('POST', '/organization/invite-member', $tok{bob},
          '{"email":"x@example.com","role":["member","wizard"]}');
is($r->{body}, '{"message":"ROLE_NOT_FOUND: wizard"}',
   'an unknown role: a message alone, as better-auth');
$r = call('POST', '/organization/invite-member', $tok{bob},
          '{"email":"x@example.com","role":" "}');
is($r->{body}, '{"message":"Role not found","code":"ROLE_NOT_FOUND"}',
   'no role at all: ROLE_NOT_FOUND');
$r = call('POST', '/organization/invite-member', $tok{bob},
          '{"email":"not-an-email","role":"member"}');
is($r->{body}, '{"message":"Invalid email","code":"INVALID_EMAIL"}',
   'a bad email: INVALID_EMAIL');
$r = call('POST', '/organization/invite-member', $tok{bob},
          '{"email":"cat@example.com","role":"member"}');
is($r->{body}, '{"message":"User is already a member of this organization","code":"USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION"}',
   'a member already');
$r = call('POST', '/organization/invite-member', $tok{eve},
          qq({"email":"x\@example.com","role":"member","organizationId":"$org"}));
is($r->{body}, '{"message":"Member not found","code":"MEMBER_NOT_FOUND"}',
   'a non-member: MEMBER_NOT_FOUND');
$r = call('POST', '/organization/invite-member', $tok{eve},
          '{"email":"x@example.com","role":"member"}');
is($r->{body}, '{"message":"Organization not found","code":"ORGANIZATION_NOT_FOUND"}',
   'no organization: ORGANIZATION_NOT_FOUND');
$r = call('POST', '/organization/invite-member', $tok{bob}, '{"role":1}');
is($r->{body}, '{"message":"[body.email] Invalid input: expected string, received undefined; [body.role] Invalid input","code":"VALIDATION_ERROR"}',
   'validation: email and role');
$r = call('POST', '/organization/invite-member', undef,
          '{"email":"x@example.com","role":"member"}');
is($r->{body}, '{"message":"Unauthorized","code":"UNAUTHORIZED"}',
   'no session: 401 UNAUTHORIZED');

$r = call('POST', '/organization/invite-member', $tok{ann},
          '{"email":"fay@example.com","role":"owner"}');
is($r->{code}, 200, 'the owner invites an owner');
my ($inv_fay) = $r->{body} =~ /"id":"(\w{32})"/;
$r = call('POST', '/organization/invite-member', $tok{bob},
          '{"email":"gus@example.com","role":"admin, member"}');
like($r->{body}, qr/"role":"admin,member"/, 'a third, two roles joined');
my ($inv_gus) = $r->{body} =~ /"id":"(\w{32})"/;

my $before = count_inv();
$r = call('POST', '/organization/invite-member', $tok{bob},
          '{"email":"hal@example.com","role":"member"}');
is($r->{code}, 403, 'a fourth pending one is over the limit of 3: 403');
is($r->{body}, '{"message":"Invitation limit reached","code":"INVITATION_LIMIT_REACHED"}',
   'INVITATION_LIMIT_REACHED');
is(count_inv(), $before, 'nothing written');


# --- list-invitations, get-full-organization's view -----------------------

$r = call('GET', '/organization/list-invitations', $tok{bob});
my @emails = $r->{body} =~ /"email":"([^"]+)"/g;
is("@emails", 'eve@example.com gus@example.com',
   'an admin sees them, but not the owner-role one');
$r = call('GET', '/organization/list-invitations', $tok{ann});
@emails = $r->{body} =~ /"email":"([^"]+)"/g;
is(scalar @emails, 3, 'the owner sees all three');
$r = call('GET', '/organization/list-invitations', $tok{cat});
is($r->{body}, '{"message":"You are not allowed to list invitations for this organization","code":"YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS"}',
   'a member may not list them');
$r = call('GET', '/organization/list-invitations', $tok{eve});
is($r->{body}, '{"message":"Organization ID is required"}',
   'no organization: better-auth\'s message, no code');
$r = call('GET', "/organization/list-invitations?organizationId=$org",
          $tok{eve});
is("$r->{code} $r->{body}",
   '403 {"message":"You are not a member of this organization"}',
   'a non-member: 403, message alone');

$r = call('GET', '/organization/get-full-organization', $tok{cat});
like($r->{body}, qr/"invitations":\[\]/, 'a member sees no invitations');
$r = call('GET', '/organization/get-full-organization', $tok{bob});
@emails = $r->{body} =~ /"email":"([^"]+)","role":"[^"]*","status"/g;
is("@emails", 'eve@example.com gus@example.com',
   'get-full-organization: an admin, without the owner-role one');


# --- list-user-invitations, get-invitation -------------------------------

$r = call('GET', '/organization/list-user-invitations', $tok{eve});
like($r->{body}, qr/^\[\{"organizationId":"$org","email":"eve\@example.com","role":"member","status":"pending","expiresAt":$ts,"createdAt":$ts,"inviterId":"$bob->{id}","id":"$inv_eve","organizationName":"Org acme"\}\]$/,
     'list-user-invitations: the invitee\'s, with the organization\'s name');
$r = call('GET', '/organization/list-user-invitations', $tok{cat});
is($r->{code}, 403, 'an unverified email: 403');
is($r->{body}, '{"message":"Email verification required to view or list invitations for the session email","code":"EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION"}',
   'EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION');
$r = call('GET', '/organization/list-user-invitations');
is("$r->{code} $r->{body}",
   '400 {"message":"Missing session headers, or email query parameter."}',
   'no session: 400, as better-auth');
$r = call('GET', '/organization/list-user-invitations?email=eve@example.com',
          $tok{eve});
is("$r->{code} $r->{body}",
   '400 {"message":"User email cannot be passed for client side API calls."}',
   'email in the query: refused');

$r = call('GET', "/organization/get-invitation?id=$inv_eve", $tok{eve});
like($r->{body}, qr/^\{"organizationId":"$org",.*"id":"$inv_eve","organizationName":"Org acme","organizationSlug":"acme","inviterEmail":"bob\@example.com"\}$/,
     'get-invitation: with organization and inviter');
$r = call('GET', "/organization/get-invitation?id=$inv_eve", $tok{fay});
is($r->{body}, '{"message":"You are not the recipient of the invitation","code":"YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION"}',
   'someone else\'s: 403');
$r = call('GET', "/organization/get-invitation?id=$inv_eve");
is("$r->{code} $r->{body}", '401 {"message":"Not authenticated"}',
   'no session: better-auth\'s own 401');
$r = call('GET', '/organization/get-invitation', $tok{eve});
is($r->{body}, '{"message":"[query.id] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}',
   'no id: a validation error');


# --- reject, cancel ---------------------------------------------------------

$r = call('POST', '/organization/reject-invitation', $tok{fay},
          qq({"invitationId":"$inv_eve"}));
is($r->{code}, 403, 'rejecting someone else\'s: 403');
$r = call('POST', '/organization/reject-invitation', $tok{fay},
          qq({"invitationId":"$inv_fay"}));
is($r->{code}, 200, 'fay rejects hers: 200');
like($r->{body}, qr/^\{"invitation":\{.*"status":"rejected",.*"id":"$inv_fay"\},"member":null\}$/,
     '{invitation, member: null}');
$r = call('POST', '/organization/reject-invitation', $tok{fay},
          qq({"invitationId":"$inv_fay"}));
is($r->{body}, '{"message":"Invitation not found!","code":"INVITATION_NOT_FOUND"}',
   'again: better-auth\'s "Invitation not found!"');

$r = call('POST', '/organization/cancel-invitation', $tok{cat},
          qq({"invitationId":"$inv_gus"}));
is($r->{code}, 403, 'a member may not cancel: 403');
is($r->{body}, '{"message":"You are not allowed to cancel this invitation","code":"YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION"}',
   'its code');
$r = call('POST', '/organization/cancel-invitation', $tok{bob},
          qq({"invitationId":"$inv_gus"}));
is($r->{code}, 200, 'an admin cancels: 200');
like($r->{body}, qr/^\{"organizationId":"$org",.*"status":"canceled",.*"id":"$inv_gus"\}$/,
     'the bare invitation, canceled');
$r = call('POST', '/organization/cancel-invitation', $tok{bob},
          '{"invitationId":"nope"}');
is($r->{body}, '{"message":"Invitation not found","code":"INVITATION_NOT_FOUND"}',
   'unknown: INVITATION_NOT_FOUND');
$r = call('POST', '/organization/cancel-invitation', $tok{eve},
          qq({"invitationId":"$inv_eve"}));
is($r->{body}, '{"message":"Member not found","code":"MEMBER_NOT_FOUND"}',
   'a non-member: MEMBER_NOT_FOUND');


# --- accept ---------------------------------------------------------------

$r = call('POST', '/organization/accept-invitation', $tok{fay},
          qq({"invitationId":"$inv_eve"}));
is($r->{code}, 403, 'accepting someone else\'s: 403');
$r = call('POST', '/organization/accept-invitation', $tok{eve},
          qq({"invitationId":"$inv_eve"}));
is($r->{code}, 200, 'eve accepts: 200');
like($r->{body}, qr/^\{"invitation":\{"organizationId":"$org","email":"eve\@example.com","role":"member","status":"accepted",.*"id":"$inv_eve"\},"member":\{"organizationId":"$org","userId":"$eve->{id}","role":"member","createdAt":$ts,"id":"\w{32}"\}\}$/,
     '{invitation, member}');
is(psql(qq{SELECT "activeOrganizationId" FROM session
           WHERE token = '$tok{eve}'}), $org,
   'the organization became her active one');
$r = call('POST', '/organization/accept-invitation', $tok{eve},
          qq({"invitationId":"$inv_eve"}));
is($r->{body}, '{"message":"Invitation not found","code":"INVITATION_NOT_FOUND"}',
   'accepting twice: INVITATION_NOT_FOUND');
$r = call('GET', '/organization/get-active-member-role', $tok{eve});
is($r->{body}, '{"role":"member"}', 'she is a member');

# the membership limit (4): ann, bob, cat, eve
$r = call('POST', '/organization/invite-member', $tok{ann},
          '{"email":"fay@example.com","role":"admin"}');
my ($inv_fay2) = $r->{body} =~ /"id":"(\w{32})"/;
$r = call('POST', '/organization/accept-invitation', $tok{fay},
          qq({"invitationId":"$inv_fay2"}));
is($r->{code}, 403, 'a fifth member is over the limit of 4: 403');
is($r->{body}, '{"message":"Organization membership limit reached","code":"ORGANIZATION_MEMBERSHIP_LIMIT_REACHED"}',
   'ORGANIZATION_MEMBERSHIP_LIMIT_REACHED');
is(psql(qq{SELECT status FROM invitation WHERE id = '$inv_fay2'}), 'pending',
   'the invitation stays pending');

psql(qq{UPDATE invitation SET "expiresAt" = now() - interval '1 second'
        WHERE id = '$inv_fay2'});
$r = call('POST', '/organization/accept-invitation', $tok{fay},
          qq({"invitationId":"$inv_fay2"}));
is($r->{body}, '{"message":"Invitation not found","code":"INVITATION_NOT_FOUND"}',
   'an expired one: INVITATION_NOT_FOUND');
$r = call('GET', '/organization/list-user-invitations', $tok{fay});
like($r->{body}, qr/"id":"$inv_fay2"/,
     'list-user-invitations still shows it, expired, as better-auth');

# a row written by hand (or by an older writer): the member's role is tidy
psql(qq{UPDATE invitation SET "expiresAt" = now() + interval '1 hour',
        role = ' admin , member,' WHERE id = '$inv_fay2'});
psql(qq{DELETE FROM member WHERE "userId" = '$cat->{id}'});
$r = call('POST', '/organization/accept-invitation', $tok{fay},
          qq({"invitationId":"$inv_fay2"}));
like($r->{body}, qr/"member":\{"organizationId":"$org","userId":"$fay->{id}","role":"admin,member"/,
     'accepting stores the invitation\'s roles as parseRoles does');

$r = call('POST', '/organization/accept-invitation', $tok{fay}, '{}');
is($r->{body}, '{"message":"[body.invitationId] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}',
   'invitationId is required');
$r = call('POST', '/organization/accept-invitation', undef,
          qq({"invitationId":"$inv_fay2"}));
is($r->{code}, 401, 'no session: 401');

done_testing();
