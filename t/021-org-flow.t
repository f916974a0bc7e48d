# The organization API end to end, as a deployment uses it: an owner signs
# up and creates an organization, invites, the invitee signs up and
# accepts, they list, check permissions as owner / admin / member, update
# and delete as each role, leave, and the last owner is held. Then what
# concurrency must not break: one invitation accepted by parallel
# requests, the membership limit under parallel accepts, one slug
# created by parallel requests, two owners leaving at once.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers();

my $nginx = start_nginx(http_config => default_http_config(extra => <<'CONF'),
    athena_auth_organization_membership_limit 5;
CONF
                        config => 'location /api/auth/ { athena_auth_api; }',
                        # enough threads for every parallel request at once
                        main_config => "thread_pool athena_auth threads=8;\n",
                        workers => 2);

sub call { $nginx->api(@_) }

sub sign_up {
    my ($name, $email) = @_;
    my $r = call('POST', '/sign-up/email', undef,
                 qq({"name":"$name","email":"$email","password":"password-123"}));
    my ($token) = $r->{body} =~ /"token":"([^"]+)"/;
    my ($id) = $r->{body} =~ /"user":\{.*"id":"([^"]+)"\}\}$/;
    # e-mail verification is not this suite's subject
    psql(qq{UPDATE "user" SET "emailVerified" = true WHERE id = '$id'});
    return ($token, $id);
}

sub id_of { ($_[0]->{body} =~ /"id":"(\w{32})"/)[0] }


# --- the flow -------------------------------------------------------------

my ($olga, $olga_id) = sign_up('Olga', 'olga@example.com');
ok($olga, 'the owner signs up');

my $r = call('POST', '/organization/create', $olga,
             '{"name":"Flow","slug":"flow"}');
is($r->{code}, 200, 'and creates an organization');
my ($org) = $r->{body} =~ /"id":"(\w{32})","members"/;

my %inv;
for my $who ([ adam => 'admin' ], [ mia => 'member' ]) {
    $r = call('POST', '/organization/invite-member', $olga,
              qq({"email":"$who->[0]\@example.com","role":"$who->[1]"}));
    is($r->{code}, 200, "she invites $who->[0] as $who->[1]");
    $inv{ $who->[0] } = id_of($r);
}

my %tok;
for my $who (qw(adam mia)) {
    ($tok{$who}) = sign_up(ucfirst $who, "$who\@example.com");
    $r = call('GET', '/organization/list-user-invitations', $tok{$who});
    like($r->{body}, qr/"id":"$inv{$who}","organizationName":"Flow"/,
         "$who signs up and finds the invitation");
    $r = call('POST', '/organization/accept-invitation', $tok{$who},
              qq({"invitationId":"$inv{$who}"}));
    is($r->{code}, 200, "$who accepts");
}
$tok{olga} = $olga;

$r = call('GET', '/organization/list', $tok{mia});
like($r->{body}, qr/^\[\{"name":"Flow",.*"id":"$org"\}\]$/,
     'mia lists her organization');
$r = call('GET', '/organization/list-members', $tok{adam});
like($r->{body}, qr/"total":3\}$/, 'adam lists three members');

my %can = (olga => [ 'true', 'true', 'true' ],
           adam => [ 'true', 'true', 'false' ],
           mia  => [ 'false', 'false', 'false' ]);
for my $who (qw(olga adam mia)) {
    my @got;
    for my $p ('"invitation":["create"]', '"organization":["update"]',
               '"organization":["delete"]') {
        $r = call('POST', '/organization/has-permission', $tok{$who},
                  qq({"permissions":{$p}}));
        push @got, $r->{body} =~ /"success":(\w+)/;
    }
    is("@got", "@{ $can{$who} }",
       "has-permission as $who: invite, update, delete");
}

my %update = (mia => 403, adam => 200, olga => 200);
for my $who (qw(mia adam olga)) {
    $r = call('POST', '/organization/update', $tok{$who},
              qq({"data":{"name":"Flow by $who"}}));
    is($r->{code}, $update{$who}, "update as $who: $update{$who}");
}

my %delete = (mia => 403, adam => 403);
for my $who (qw(mia adam)) {
    $r = call('POST', '/organization/delete', $tok{$who},
              qq({"organizationId":"$org"}));
    is($r->{code}, $delete{$who}, "delete as $who: $delete{$who}");
}

$r = call('POST', '/organization/leave', $tok{olga},
          qq({"organizationId":"$org"}));
is($r->{code}, 400, 'the last owner cannot leave');
$r = call('POST', '/organization/remove-member', $tok{adam},
          qq({"memberIdOrEmail":"olga\@example.com"}));
is($r->{code}, 400, 'nor be removed by an admin');
my ($olga_m) = psql(qq{SELECT id FROM member WHERE "userId" = '$olga_id'});
$r = call('POST', '/organization/update-member-role', $tok{olga},
          qq({"memberId":"$olga_m","role":"admin"}));
is($r->{code}, 400, 'nor demote herself');

$r = call('POST', '/organization/leave', $tok{mia},
          qq({"organizationId":"$org"}));
is($r->{code}, 200, 'mia leaves');
$r = call('GET', '/organization/list', $tok{mia});
is($r->{body}, '[]', 'and has no organization');

$r = call('POST', '/organization/delete', $tok{olga},
          qq({"organizationId":"$org"}));
is($r->{code}, 200, 'the owner deletes it');
$r = call('GET', '/organization/list', $tok{adam});
is($r->{body}, '[]', 'adam has none left');
$r = call('GET', '/organization/get-full-organization', $tok{adam});
is($r->{body}, 'null', 'and no active one');


# --- one invitation, eight parallel accepts --------------------------------

$r = call('POST', '/organization/create', $olga,
          '{"name":"Race","slug":"race"}');
my ($race) = $r->{body} =~ /"id":"(\w{32})","members"/;
$r = call('POST', '/organization/invite-member', $olga,
          '{"email":"mia@example.com","role":"member"}');
my $inv_mia = id_of($r);

my @res = in_parallel(8, sub {
    call('POST', '/organization/accept-invitation', $tok{mia},
         qq({"invitationId":"$inv_mia"}))
});
my @codes = sort map { $_->{code} } @res;
is("@codes", '200 400 400 400 400 400 400 400',
   'eight parallel accepts of one invitation: exactly one succeeds');
is(psql(qq{SELECT count(*) FROM member WHERE "organizationId" = '$race'
           AND "userId" = (SELECT id FROM "user"
                           WHERE email = 'mia\@example.com')}), 1,
   'one member row');
is(scalar(grep { ($_->{body} // '') =~ /INVITATION_NOT_FOUND/ } @res), 7,
   'the others: INVITATION_NOT_FOUND');


# --- the membership limit (5) under parallel accepts ----------------------

# race has olga and mia: three places left, six invitees accept at once
my @who = map { "p$_" } 1 .. 6;
my (%ptok, %pinv);
for my $p (@who) {
    my $id = random_id();
    psql(qq{INSERT INTO "user" (id, name, email, "emailVerified",
            "createdAt", "updatedAt") VALUES ('$id', '$p', '$p\@example.com',
            true, now(), now())});
    $ptok{$p} = create_session($id);
    $r = call('POST', '/organization/invite-member', $olga,
              qq({"email":"$p\@example.com","role":"member"}));
    $pinv{$p} = id_of($r);
}
# member inserts wait behind a lock that lets reads through, so every
# accept counts before any inserts: only the organization's row lock
# keeps the count honest
my $locker = hold_table_lock('member', 2, 'EXCLUSIVE');
@res = in_parallel(6, sub {
    my $p = $who[$_[0]];
    call('POST', '/organization/accept-invitation', $ptok{$p},
         qq({"invitationId":"$pinv{$p}"}))
});
waitpid($locker, 0);
is(scalar(grep { $_->{code} == 200 } @res), 3,
   'six parallel accepts with three places: three succeed');
is(scalar(grep { ($_->{body} // '') =~ /ORGANIZATION_MEMBERSHIP_LIMIT/ }
          @res), 3, 'three are over the limit');
is(psql(qq{SELECT count(*) FROM member WHERE "organizationId" = '$race'}), 5,
   'the organization holds exactly five');


# --- one slug, six parallel creates -----------------------------------------

@res = in_parallel(6, sub {
    call('POST', '/organization/create', $olga,
         '{"name":"Same","slug":"same-slug"}')
});
@codes = sort map { $_->{code} } @res;
is("@codes", '200 400 400 400 400 400',
   'six parallel creates of one slug: one succeeds');
is(scalar(grep { ($_->{body} // '') =~ /ORGANIZATION_ALREADY_EXISTS/ } @res),
   5, 'the others: ORGANIZATION_ALREADY_EXISTS');
is(psql(q{SELECT count(*) FROM organization WHERE slug = 'same-slug'}), 1,
   'one row');
is(psql(q{SELECT count(*) FROM member m JOIN organization o
          ON o.id = m."organizationId" WHERE o.slug = 'same-slug'}), 1,
   'one member row');


# --- two owners leave at once: one must stay ---------------------------------

my $two = create_org('two-owners', [ $olga_id, 'owner' ]);
my ($adam_id) = psql(q{SELECT id FROM "user" WHERE email = 'adam@example.com'});
psql(qq{INSERT INTO member (id, "organizationId", "userId", role, "createdAt")
        VALUES ('m-adam-two', '$two', '$adam_id', 'owner', now())});
my @pair = ($tok{olga}, $tok{adam});
$locker = hold_table_lock('member', 2, 'EXCLUSIVE');
@res = in_parallel(2, sub {
    call('POST', '/organization/leave', $pair[$_[0]],
         qq({"organizationId":"$two"}))
});
waitpid($locker, 0);
@codes = sort map { $_->{code} } @res;
is("@codes", '200 400', 'two owners leaving at once: one is held');
is(psql(qq{SELECT count(*) FROM member WHERE "organizationId" = '$two'}), 1,
   'one owner remains');

done_testing();
