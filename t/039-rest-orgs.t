# Seed 003's REST admin surface, organizations: GET /organizations with
# member counts and paging, POST with plan, metadata and owner, GET one
# with its members, PATCH (owner handed on, never none), DELETE with its
# members and invitations, the audit rows, and what the organization
# plugin's routes see of it all.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

servers();

my $nginx = start_nginx(config => <<'CONF');
        location /api/auth/ { athena_auth_api; }
        location /api/admin/ { athena_auth_admin_rest; }
CONF

my $admin = create_user(email => 'admin@example.com', name => 'Admin',
                        role => 'admin');
my $plain = create_user(email => 'plain@example.com', name => 'Plain');
my $other = create_user(email => 'other@example.com', name => 'Other');
my $admin_tok = create_session($admin->{id});
my $plain_tok = create_session($plain->{id});
my $other_tok = create_session($other->{id});

sub call {
    my ($method, $path, $body, %o) = @_;
    my @h = ('Authorization: Bearer ' . ($o{token} || $admin_tok));
    push @h, 'Content-Type: application/json' if defined $body;
    my $r = $nginx->request($method, "/api/admin$path", headers => \@h,
        (defined $body ? (body => ref $body ? json_encode($body) : $body)
                       : ()));
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub auth {
    my ($method, $path, $token, $body) = @_;
    my $r = $nginx->request($method, "/api/auth$path",
        headers => [ "Authorization: Bearer $token",
                     (defined $body ? ('Content-Type: application/json')
                                    : ()) ],
        (defined $body ? (body => json_encode($body)) : ()));
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub audit {
    my ($action) = @_;
    my $row = psql(q{SELECT json_build_object('target', target_id,
                     'success', success, 'details', metadata->'details')
                     FROM admin_audit_logs WHERE action = '} . $action
                   . q{' ORDER BY created_at DESC, id DESC LIMIT 1});
    return $row ? json_decode($row) : undef;
}

sub roles {
    my ($org) = @_;
    return { map { split /\|/ } split /\n/,
             psql(q{SELECT "userId", role FROM member WHERE "organizationId"
                    = '} . $org . q{' ORDER BY "userId"}) };
}

# 45 seeded organizations, a minute apart, the n-th with n % 4 members
psql(q{INSERT INTO organization (id, name, slug, "createdAt")
       SELECT 'org' || g, 'Seeded ' || g, 'seeded-' || g,
              timestamptz '2025-01-01' + g * interval '1 minute'
       FROM generate_series(1, 45) g});
psql(q{INSERT INTO member (id, "organizationId", "userId", role, "createdAt")
       SELECT 'm' || g || '-' || k, 'org' || g, u.id, 'member', now()
       FROM generate_series(1, 45) g, generate_series(1, 3) k,
            LATERAL (SELECT id FROM "user" ORDER BY id OFFSET k - 1 LIMIT 1) u
       WHERE k <= g % 4});

# POST /organizations
my $r = call('POST', '/organizations', { name => 'Acme Corp',
                                         slug => 'acme-corp',
                                         plan => 'enterprise' });
is($r->{code}, 201, 'POST /organizations: 201');
my $acme = $r->{json}{data};
is($acme->{name}, 'Acme Corp', 'the name');
is($acme->{plan}, 'enterprise', 'the plan, as the seed\'s SDK sends it');
is_deeply($acme->{metadata}, { plan => 'enterprise' },
          'kept in metadata.plan');
is(psql(q{SELECT metadata FROM organization WHERE id = '} . $acme->{id} . q{'}),
   '{"plan":"enterprise"}', 'where a better-auth app reads it too');
is($acme->{memberCount}, 1, 'one member');
is($acme->{members}[0]{userId}, $admin->{id}, 'the admin, without ownerId');
is($acme->{members}[0]{role}, 'owner', 'as the owner');
is($acme->{members}[0]{user}{email}, 'admin@example.com', 'with the user');

$r = auth('GET', '/organization/list', $admin_tok);
ok((grep { $_->{id} eq $acme->{id} } @{ $r->{json} }),
   'the organization plugin lists it for its owner');

$r = call('POST', '/organizations', { name => 'Beta', slug => 'beta',
                                      ownerId => $plain->{id},
                                      metadata => { region => 'eu' } });
is($r->{code}, 201, 'with an owner: 201');
my $beta = $r->{json}{data};
is_deeply([ map { [ $_->{userId}, $_->{role} ] } @{ $beta->{members} } ],
          [ [ $plain->{id}, 'owner' ] ], 'ownerId owns it');
is($beta->{plan}, undef, 'no plan: null');
is(auth('GET', "/organization/get-full-organization?organizationId=$beta->{id}",
        $plain_tok)->{code}, 200,
   'and the owner reads it through the organization plugin');

my $a = audit('admin.rest.organization.create');
is($a->{target}, $beta->{id}, 'audited with its id');
is($a->{details}{type}, 'CREATE', 'CREATE');
is($a->{details}{data}{slug}, 'beta', 'with what was made');

my $orgs = psql('SELECT count(*) FROM organization');
$r = call('POST', '/organizations', { name => 'Again', slug => 'acme-corp' });
is($r->{code}, 409, 'a slug taken: 409');
is($r->{json}{error}{code}, 'CONFLICT', 'CONFLICT');
for my $case (
    [ { slug => 'x' }, qr/\[body\.name\]/, 'no name' ],
    [ { name => 'x', slug => '' }, qr/\[body\.slug\]/, 'an empty slug' ],
    [ { name => 'x', slug => 'x', plan => 5 }, qr/\[body\.plan\]/, 'a number for a plan' ],
    [ { name => 'x', slug => 'x', plan => 'p' x 65 }, qr/\[body\.plan\]/, 'a plan too long' ],
    [ { name => 'x', slug => 'x', metadata => 'text' }, qr/\[body\.metadata\]/, 'metadata as text' ],
    [ { name => 'x', slug => 'x', ownerId => 'nobody' }, qr/\[body\.ownerId\]/, 'an unknown owner' ],
    [ { name => 'x', slug => 'x', members => [] }, qr/\[body\.members\] Unrecognized/, 'an unknown field' ],
    [ { name => "x'; DROP TABLE organization; --", slug => 'x', ownerId => "' OR 1=1 --" },
      qr/\[body\.ownerId\]/, 'SQL in values' ],
)
{
    my ($body, $msg, $name) = @$case;
    $r = call('POST', '/organizations', $body);
    is($r->{code}, 400, "$name: 400");
    like($r->{json}{error}{message}, $msg, "$name: the message names it");
}
$r = call('POST', '/organizations', { name => 'x', slug => 'x' },
          token => $plain_tok);
is($r->{code}, 403, 'a plain user: 403');
is(psql('SELECT count(*) FROM organization'), $orgs, 'none of them made one');

# GET /organizations
$r = call('GET', '/organizations');
is($r->{code}, 200, 'GET /organizations: 200');
is_deeply($r->{json}{meta}, { page => 1, limit => 20, total => 47 },
          'meta: 45 seeded and 2 made');
is($r->{json}{data}[0]{id}, $beta->{id}, 'newest first');
my ($o45) = grep { $_->{id} eq 'org45' } @{ $r->{json}{data} };
is($o45->{memberCount}, 1, 'each with its member count');
ok(!exists $o45->{members}, 'but not the members');
$r = call('GET', '/organizations?page=3&limit=20');
is(scalar @{ $r->{json}{data} }, 7, 'the last page');
is($r->{json}{data}[-1]{id}, 'org1', 'ends with the oldest');
$r = call('GET', '/organizations?search=SEEDED-1');
is($r->{json}{meta}{total}, 11, 'search in the slug, any case');
$r = call('GET', '/organizations?search=acme');
is_deeply([ map { $_->{slug} } @{ $r->{json}{data} } ], [ 'acme-corp' ],
          'search in the name');
$r = call('GET', '/organizations?search=%25');
is($r->{json}{meta}{total}, 0, '"%" is a character');
$r = call('GET', '/organizations?limit=500');
is($r->{code}, 400, 'limit over 100: 400');
$r = call('GET', '/organizations', undef, token => $plain_tok);
is($r->{code}, 403, 'a plain user: 403');

# GET /organizations/:id
$r = call('GET', '/organizations/org3');
is($r->{code}, 200, 'GET /organizations/:id: 200');
is($r->{json}{data}{memberCount}, 3, 'its member count');
is(scalar @{ $r->{json}{data}{members} }, 3, 'and its members');
# the list's counts are kept by triggers, whoever writes
sub listed_count {
    my ($id) = @_;
    my ($o) = grep { $_->{id} eq $id }
              @{ call('GET', '/organizations?search=seeded&limit=100')->{json}{data} };
    return $o ? $o->{memberCount} : undef;
}
is(listed_count('org3'), 3, 'org3 listed with 3 members');
psql(q{DELETE FROM member WHERE id = 'm3-1'});
is(listed_count('org3'), 2, 'the count follows a member removed by SQL');
psql(q{UPDATE member SET "organizationId" = 'org4' WHERE id = 'm3-2'});
is_deeply([ listed_count('org3'), listed_count('org4') ], [ 1, 1 ],
          'and one moved to another organization (org4 had none)');
$r = call('GET', '/organizations/nowhere');
is($r->{code}, 404, 'an unknown id: 404');
is($r->{json}{error}{message}, 'Organization not found', 'Organization not found');

# PATCH /organizations/:id
$r = call('PATCH', "/organizations/$acme->{id}",
          { name => 'Acme Inc', plan => 'pro', logo => 'https://logo.example/a.png' });
is($r->{code}, 200, 'PATCH: 200');
is($r->{json}{data}{name}, 'Acme Inc', 'the name');
is($r->{json}{data}{plan}, 'pro', 'the plan');
is_deeply($r->{json}{data}{metadata}, { plan => 'pro' }, 'in metadata');
$a = audit('admin.rest.organization.update');
is_deeply($a->{details}{changes}{name}, { from => 'Acme Corp', to => 'Acme Inc' },
          'audited: the name, old and new');
is_deeply($a->{details}{changes}{metadata},
          { from => '{"plan":"enterprise"}', to => '{"plan":"pro"}' },
          'and the metadata');

$r = call('PATCH', "/organizations/$acme->{id}", { metadata => { tier => 2 } });
is_deeply($r->{json}{data}{metadata}, { tier => 2 }, 'metadata is replaced whole');
is($r->{json}{data}{plan}, undef, 'plan with it');
$r = call('PATCH', "/organizations/$acme->{id}", { logo => undef, plan => 'free' });
is($r->{json}{data}{logo}, undef, 'null clears the logo');
is_deeply($r->{json}{data}{metadata}, { tier => 2, plan => 'free' },
          'a plan alone joins the metadata kept');

# the owner handed on
auth('POST', '/organization/set-active', $admin_tok,
     { organizationId => $acme->{id} });
is(auth('GET', '/organization/get-active-member-role', $admin_tok)->{json}{role},
   'owner', 'the admin owns acme, as the plugin sees it');
$r = call('PATCH', "/organizations/$acme->{id}", { ownerId => $other->{id} });
is($r->{code}, 200, 'ownerId: 200');
is_deeply(roles($acme->{id}), { $admin->{id} => 'admin', $other->{id} => 'owner' },
          'the new owner joins as owner, the old one becomes admin');
is(auth('GET', '/organization/get-active-member-role', $admin_tok)->{json}{role},
   'admin', 'and the plugin sees the change at once (the caches dropped it)');
is(audit('admin.rest.organization.update')->{details}{changes}{ownerId}{to},
   $other->{id}, 'audited');

my $before = psql(q{SELECT name || slug || coalesce(metadata, '') FROM organization
                    WHERE id = '} . $acme->{id} . q{'});
for my $case (
    [ { ownerId => undef }, qr/needs an owner/, 'no owner' ],
    [ {}, qr/No fields to update/, 'nothing' ],
    [ { name => '' }, qr/\[body\.name\]/, 'an empty name' ],
    [ { name => undef }, qr/\[body\.name\]/, 'a null name' ],
    [ { slug => 'beta' }, qr/slug/, 'a slug taken', 409 ],
    [ { ownerId => 'nobody' }, qr/\[body\.ownerId\]/, 'an unknown owner' ],
    [ { id => 'x' }, qr/\[body\.id\] Unrecognized/, 'the id' ],
)
{
    my ($body, $msg, $name, $code) = @$case;
    $r = call('PATCH', "/organizations/$acme->{id}", $body);
    is($r->{code}, $code || 400, "PATCH, $name: " . ($code || 400));
    like($r->{json}{error}{message}, $msg, "PATCH, $name: the message");
}
is_deeply(roles($acme->{id}), { $admin->{id} => 'admin', $other->{id} => 'owner' },
          'and the owner stays');
is(psql(q{SELECT name || slug || coalesce(metadata, '') FROM organization
          WHERE id = '} . $acme->{id} . q{'}), $before, 'and nothing else changed');
$r = call('PATCH', '/organizations/nowhere', { name => 'x' });
is($r->{code}, 404, 'an unknown id: 404');

# DELETE /organizations/:id
psql(q{INSERT INTO invitation (id, "organizationId", email, role, status,
       "expiresAt", "inviterId") VALUES ('inv1', '} . $acme->{id}
     . q{', 'someone@example.com', 'member', 'pending', now() + interval '1 day', '}
     . $other->{id} . q{')});
auth('POST', '/organization/set-active', $other_tok,
     { organizationId => $acme->{id} });
$r = call('DELETE', "/organizations/$acme->{id}", undef, token => $plain_tok);
is($r->{code}, 403, 'a plain user may not delete: 403');
$r = call('DELETE', "/organizations/$acme->{id}");
is($r->{code}, 200, 'DELETE: 200');
is_deeply($r->{json}{data}, { id => $acme->{id}, deleted => JSON::PP::true },
          'data: {id, deleted}');
is(psql(q{SELECT (SELECT count(*) FROM organization WHERE id = '} . $acme->{id}
        . q{') + (SELECT count(*) FROM member WHERE "organizationId" = '} . $acme->{id}
        . q{') + (SELECT count(*) FROM invitation WHERE "organizationId" = '} . $acme->{id}
        . q{')}), 0, 'the organization, its members and its invitations');
is(auth('GET', '/get-session', $other_tok)->{json}{session}{activeOrganizationId},
   undef, 'a session that had it active no longer has');
is(audit('admin.rest.organization.delete')->{details}{data}{slug}, 'acme-corp',
   'audited with what was deleted');
$r = call('DELETE', "/organizations/$acme->{id}");
is($r->{code}, 404, 'again: 404');
is(call('GET', '/organizations')->{json}{meta}{total}, 46,
   'the kept total follows');

done_testing();
