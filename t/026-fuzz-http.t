# An HTTP fuzz run with a fixed seed and a bounded count: valid requests to
# every route, mutated (values of other types, out of range, bytes that
# are no UTF-8, SQL, missing and unknown keys, broken JSON, other content
# types, bad credentials, %ff in queries). Every answer must be one a
# client can read: never a 5xx, a JSON body on every 4xx but better-auth's
# bare 401 and 404, and a refusal must write nothing (triggers note every
# row written, and no write may fall inside a refused request).

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Digest::SHA qw(sha256_base64);
use Time::HiRes qw(time);
use JSON::PP;
use Athena::Test;

my $COUNT = $ENV{ATHENA_FUZZ_REQUESTS} || 1500;
my $SEED = $ENV{ATHENA_FUZZ_SEED} || 14;
srand($SEED);

my $servers = servers();
my $nginx = start_nginx(
    http_config => gate_http_config(no_app => 1, extra => 'athena_auth_jwt on;'),
    config => <<'CONF');
location /api/auth/ { athena_auth_api; }
location /api/admin/ { athena_auth_admin_rest; }
location /api/v1/admin/admin-roles { athena_auth_admin_roles_api; }
location /gated {
    athena_auth_require on;
    return 200 "$athena_user_id\n";
}
location /gated-admin {
    athena_auth_require role=admin org_permission=member:create;
    return 200 "$athena_user_id\n";
}
location /gated-key {
    athena_auth_require key_permission=files:read;
    return 200 "$athena_user_id $athena_key_id\n";
}
CONF

# every row written to the tables the API writes, with its time
psql(q{
CREATE TABLE fuzz_writes (at timestamptz NOT NULL DEFAULT clock_timestamp(),
                          tbl text, op text);
CREATE FUNCTION fuzz_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fuzz_writes (tbl, op) VALUES (TG_TABLE_NAME, TG_OP);
    RETURN NULL;
END $$;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['user', 'account', 'session', 'organization',
                             'member', 'invitation', 'emails',
                             'email_send_failures', 'email_templates',
                             'admin_roles'] LOOP
        EXECUTE format('CREATE TRIGGER fuzz_note AFTER INSERT OR UPDATE OR '
                       || 'DELETE ON %I FOR EACH ROW EXECUTE FUNCTION '
                       || 'fuzz_note()', t);
    END LOOP;
END $$;
-- a key's use is counted even when the endpoint then refuses (the plugin's
-- hook runs first): its updates are not the endpoint's writes
CREATE TRIGGER fuzz_note AFTER INSERT OR DELETE ON apikey
    FOR EACH ROW EXECUTE FUNCTION fuzz_note();
});

my $admin = create_user(email => 'fz-admin@example.com', role => 'admin',
                        password => 'password-123');
my $plain = create_user(email => 'fz-user@example.com', password => 'password-123');
my $org = create_org('fz', [ $admin->{id}, 'owner' ], [ $plain->{id}, 'member' ]);
my %tok;

sub fresh_sessions {
    psql(qq{UPDATE "user" SET banned = false, role = 'admin' WHERE id = '$admin->{id}';
            UPDATE "user" SET banned = false WHERE id = '$plain->{id}'});
    $tok{admin} = create_session($admin->{id}, active_org => $org);
    psql(qq{INSERT INTO admin_roles (id, user_id, role, created_at, updated_at)
            VALUES ('fz-root', '$admin->{id}', 'SUPER_ADMIN', now(), now())
            ON CONFLICT DO NOTHING});
    $tok{plain} = create_session($plain->{id}, active_org => $org);

    # an admin's API key, made as the plugin makes them (no limit on uses)
    $tok{key} = join '', map { ('a' .. 'z', 'A' .. 'Z')[rand 52] } 1 .. 64;
    my $hash = sha256_base64($tok{key}) =~ tr{+/}{-_}r;
    psql(qq{DELETE FROM apikey;
            INSERT INTO apikey (id, "configId", "referenceId", key, enabled,
                "rateLimitEnabled", "requestCount", "createdAt", "updatedAt",
                metadata)
            VALUES ('fz-key', 'default', '$admin->{id}', '$hash', true, false,
                    0, now(), now(), 'null')});
}

# the valid request of each route: method, path, body (or query)
my @routes = (
    ['POST', '/sign-up/email', { name => 'N', email => 'n@example.com', password => 'password-123' }],
    ['POST', '/sign-in/email', { email => 'fz-user@example.com', password => 'password-123' }],
    ['POST', '/sign-out', {}],
    ['GET',  '/get-session', 'disableCookieCache=true'],
    ['GET',  '/list-sessions', ''],
    ['POST', '/revoke-session', { token => 'x' }],
    ['POST', '/revoke-other-sessions', {}],
    ['POST', '/admin/has-permission', { permissions => { user => ['list'] } }],
    ['GET',  '/admin/get-user', 'id=USER'],
    ['GET',  '/admin/list-users', 'limit=5&offset=0&searchValue=fz&searchField=email&sortBy=email&filterField=role&filterValue=user&filterOperator=eq'],
    ['POST', '/admin/create-user', { email => 'c@example.com', name => 'C', password => 'password-123', role => 'user', data => { emailVerified => JSON::PP::true } }],
    ['POST', '/admin/update-user', { userId => 'USER', data => { name => 'U', banExpires => '2030-01-01T00:00:00.000Z' } }],
    ['POST', '/admin/set-role', { userId => 'USER', role => ['user'] }],
    ['POST', '/admin/ban-user', { userId => 'USER', banReason => 'r', banExpiresIn => 60 }],
    ['POST', '/admin/unban-user', { userId => 'USER' }],
    ['POST', '/admin/list-user-sessions', { userId => 'USER' }],
    ['POST', '/admin/revoke-user-session', { sessionToken => 'x' }],
    ['POST', '/admin/revoke-user-sessions', { userId => 'nobody' }],
    ['POST', '/admin/remove-user', { userId => 'nobody' }],
    ['POST', '/admin/set-user-password', { userId => 'USER', newPassword => 'password-456' }],
    ['POST', '/admin/impersonate-user', { userId => 'nobody' }],
    ['POST', '/admin/stop-impersonating', {}],
    ['GET',  '/admin/audit-log/list', 'limit=5&offset=0&actorUserId=USER&success=true&createdAfter=2020-01-01'],
    ['POST', '/admin/athena-client/create', { clientName => 'fz-client', description => 'd', pgUriEnvVar => 'FZ_PG', metadata => { a => 1 } }],
    ['GET',  '/admin/athena-client/list', 'isActive=true'],
    ['POST', '/organization/create', { name => 'O', slug => 'o-slug', metadata => { a => 1 } }],
    ['POST', '/organization/update', { organizationId => 'ORG', data => { name => 'Fz', metadata => { b => [1] } } }],
    ['POST', '/organization/delete', { organizationId => 'nowhere' }],
    ['POST', '/organization/set-active', { organizationId => 'ORG' }],
    ['GET',  '/organization/list', ''],
    ['GET',  '/organization/get-organization', 'organizationId=ORG'],
    ['GET',  '/organization/get-full-organization', 'organizationSlug=fz&membersLimit=5'],
    ['POST', '/organization/check-slug', { slug => 'free-slug' }],
    ['POST', '/organization/leave', { organizationId => 'nowhere' }],
    ['POST', '/organization/has-permission', { organizationId => 'ORG', permissions => { member => ['create'] } }],
    ['POST', '/organization/remove-member', { memberIdOrEmail => 'nobody@example.com', organizationId => 'ORG' }],
    ['POST', '/organization/update-member-role', { memberId => 'nobody', role => 'admin', organizationId => 'ORG' }],
    ['GET',  '/organization/get-active-member', ''],
    ['GET',  '/organization/get-active-member-role', 'organizationId=ORG'],
    ['GET',  '/organization/list-members', 'organizationId=ORG&limit=5&sortBy=createdAt'],
    ['POST', '/organization/invite-member', { email => 'inv@example.com', role => 'member', organizationId => 'ORG' }],
    ['POST', '/organization/accept-invitation', { invitationId => 'nowhere' }],
    ['POST', '/organization/reject-invitation', { invitationId => 'nowhere' }],
    ['POST', '/organization/cancel-invitation', { invitationId => 'nowhere' }],
    ['GET',  '/organization/get-invitation', 'id=nowhere'],
    ['GET',  '/organization/list-invitations', 'organizationId=ORG'],
    ['GET',  '/organization/list-user-invitations', ''],
    ['POST', '/admin/api-key/create', { name => 'fz', expiresIn => 3600, permissions => { files => ['read'] }, metadata => { a => 1 } }],
    ['POST', '/api-key/create', { name => 'fz', expiresIn => 86400, prefix => 'fz_', metadata => { a => 1 } }],
    ['GET',  '/api-key/get', 'id=fz-key'],
    ['GET',  '/api-key/list', 'limit=5&offset=0&sortBy=createdAt&sortDirection=desc'],
    ['POST', '/api-key/update', { keyId => 'fz-key', name => 'fz2', metadata => { b => 2 } }],
    ['POST', '/api-key/delete', { keyId => 'nowhere' }],
    ['POST', '/api-key/verify', { key => 'KEY', permissions => { files => ['read'] } }],
    ['GET',  '/token', ''],
    ['GET',  '/jwks', ''],
    ['GET',  '/admin/email/list', 'limit=5&offset=0&recipientEmail=a@example.com&subjectContains=x&createdAfter=2020-01-01'],
    ['GET',  '/admin/email/get', 'id=nowhere'],
    ['POST', '/admin/email/create', { recipientEmail => 'a@example.com', subject => 'S', fromAddress => 'b@example.com', provider => 'smtp', metadata => { a => 1 } }],
    ['POST', '/admin/email/update', { id => 'nowhere', subject => 'S2', from_name => undef }],
    ['POST', '/admin/email/delete', { id => 'nowhere' }],
    ['GET',  '/admin/email-failure/list', 'limit=5&resolved=false&flow=f'],
    ['GET',  '/admin/email-failure/get', 'id=nowhere'],
    ['POST', '/admin/email-failure/create', { recipientEmail => 'a@example.com', flow => 'f', errorMessage => 'e', metadata => { a => 1 } }],
    ['POST', '/admin/email-failure/update', { id => 'nowhere', resolved => JSON::PP::true, resolution_note => undef }],
    ['POST', '/admin/email-failure/delete', { id => 'nowhere' }],
    ['GET',  '/admin/email-template/list', 'limit=5&templateKey=k&isActive=true&event_type=user.welcome'],
    ['GET',  '/admin/email-template/get', 'id=nowhere'],
    ['POST', '/admin/email-template/create', { templateKey => 'fz.key', subjectTemplate => 'Hi {{name}}', variables => ['name'], attachments => ['https://cdn.example.com/a.pdf'], eventType => 'user.welcome', metadata => { a => 1 } }],
    ['POST', '/admin/email-template/update', { id => 'nowhere', subject_template => 'S', text_template => undef }],
    ['POST', '/admin/email-template/delete', { id => 'nowhere' }],
    ['GET',  '/admin/email-event-type/list', ''],
    ['POST', '/admin/email-template/send', { template_id => 'nowhere', recipient_email => 'a@example.com', render_variables => { name => 'x' }, metadata => { a => 1 } }],
    ['GET',  '/ok', ''],
    ['GET',  '/nowhere', ''],
    # the REST admin surface (seed 003): a path that starts with "=" is whole
    ['GET',  '=/api/admin/users', 'page=1&limit=20&search=a&role=admin&banned=true&sort=email&order=asc'],
    ['GET',  '=/api/admin/users/nowhere', ''],
    ['GET',  '=/api/admin/users/%E2%82%AC', ''],
    ['PATCH', '=/api/admin/users/nowhere', { name => 'x' }],
    ['POST', '=/api/admin/users', { email => 'fz@example.com', name => 'Fz', password => 'fuzzing password', role => 'user', emailVerified => JSON::PP::true }],
    ['DELETE', '=/api/admin/users/nowhere', {}],
    ['GET',  '=/api/admin/organizations', 'page=1&limit=5&search=x'],
    ['POST', '=/api/admin/organizations', { name => 'Fz', slug => 'fz', plan => 'pro', metadata => { a => 1 }, ownerId => 'nowhere' }],
    ['GET',  '=/api/admin/organizations/nowhere', ''],
    ['PATCH', '=/api/admin/organizations/nowhere', { name => 'x', plan => undef, ownerId => 'nowhere' }],
    ['DELETE', '=/api/admin/organizations/nowhere', {}],
    # the admin-roles surface (seed 004)
    ['GET',  '=/api/v1/admin/admin-roles/', 'page=1&per_page=5&role=SUPER_ADMIN&user_id=x&is_active=true'],
    ['POST', '=/api/v1/admin/admin-roles/', { user_id => 'nowhere', role => 'TENANT_ADMIN', tenant_id => 'nowhere', partner_id => 'p-1', expires_at => '2099-01-01T00:00:00Z' }],
    ['GET',  '=/api/v1/admin/admin-roles/user/nowhere', ''],
    ['GET',  '=/api/v1/admin/admin-roles/nowhere', ''],
    ['PATCH', '=/api/v1/admin/admin-roles/nowhere', { is_active => JSON::PP::false, expires_at => undef }],
    ['DELETE', '=/api/v1/admin/admin-roles/nowhere', {}],
);

my @odd_values = (undef, JSON::PP::true, 0, -1, 1e300, '1e999', 9007199254740993,
    '', ' ', 'x' x 5000, "\x{0}", "' OR '1'='1", "'; DROP TABLE \"user\"; --",
    "\x{fffd}\x{1F600}", '%ff', [], [1, 'a'], {}, { a => { b => { c => [] } } },
    '2030-02-30T00:00:00.000Z', '../../etc/passwd', "a\r\nX-Injected: 1");

sub pick { $_[ int rand @_ ] }

sub fill {
    my ($v) = @_;
    if (ref $v eq 'HASH') { return { map { $_ => fill($v->{$_}) } keys %$v } }
    if (ref $v eq 'ARRAY') { return [ map { fill($_) } @$v ] }
    return $v unless defined $v && !ref $v;
    $v =~ s/\bUSER\b/$plain->{id}/g;
    $v =~ s/\bORG\b/$org/g;
    $v =~ s/\bKEY\b/$tok{key}/g;
    return $v;
}

# one mutation of a body: a value replaced, a key dropped or added
sub mutate_body {
    my ($b) = @_;
    my @keys = sort keys %$b;
    my $how = int rand 4;
    if ($how == 0 && @keys) {
        $b->{ pick(@keys) } = pick(@odd_values);
    } elsif ($how == 1 && @keys) {
        delete $b->{ pick(@keys) };
    } elsif ($how == 2) {
        $b->{ pick('id', 'userId', 'role', 'data', '__proto__', 'constructor') } = pick(@odd_values);
    } else {
        for my $k (@keys) {
            $b->{$k} = pick(@odd_values) if ref $b->{$k} eq 'HASH' && rand() < 0.5;
        }
    }
    return $b;
}

# the body as bytes, sometimes broken after it was made
sub body_bytes {
    my ($b) = @_;
    my $text = JSON::PP->new->utf8->canonical->allow_nonref->encode($b);
    my $how = int rand 10;
    return substr($text, 0, int rand length $text) if $how == 0;
    return $text . "\xff\xfe" if $how == 1;
    return '[' x 40 . ']' x 40 if $how == 2;
    return $text =~ s/"/'/gr if $how == 3;
    return $text;
}

sub mutate_query {
    my ($q) = @_;
    my $how = int rand 5;
    return "$q&$q" if $how == 0;
    return $q =~ s/=[^&]*/=%ff%00/r if $how == 1;
    return $q . '&limit=' . pick('-1', '1e999', 'abc', '99999999999999999999') if $how == 2;
    return $q =~ s/=([^&]*)/'=' . ('%41' x 300)/er if $how == 3;
    return '';
}

sub credential {
    my $how = int rand 9;
    return ("x-api-key: " . pick($tok{key}, $tok{key} . 'x', substr($tok{key}, 0, 63), "\xff" x 64))
        if $how == 8;
    return ("Authorization: Bearer $tok{admin}") if $how < 3;
    return ("Authorization: Bearer $tok{plain}") if $how < 5;
    return () if $how == 5;
    return ("Authorization: Bearer " . pick("\xff\xfe", 'a%00.b', 'x' x 3000, "$tok{admin}.bad"))
        if $how == 6;
    return ('Cookie: better-auth.session_token=' . pick('%ff', "$tok{admin}.x", ''));
}

sub extra_headers {
    my @h;
    push @h, 'User-Agent: ' . pick('fz', "caf\xe9", "\xff\xfe\xfd") if rand() < 0.3;
    push @h, 'Origin: ' . pick('https://evil.example', 'null', "http://localhost:3000") if rand() < 0.2;
    return @h;
}

my (@refused, @problems, %seen);
fresh_sessions();

for my $i (1 .. $COUNT) {
    fresh_sessions() if $i % 40 == 0;

    my ($method, $path, $valid) = @{ pick(@routes) };
    my @headers = (credential(), extra_headers());
    my $uri = $path =~ /^=(.*)/ ? $1 : "/api/auth$path";
    my $body;

    if ($method eq 'GET') {
        my $q = rand() < 0.8 ? mutate_query(fill($valid)) : fill($valid);
        $uri .= "?$q" if length $q;
    } else {
        $body = body_bytes(mutate_body(fill($valid)));
        push @headers, 'Content-Type: ' . (rand() < 0.9 ? 'application/json'
            : pick('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'));
    }

    # now and then the gate instead
    if (rand() < 0.08) {
        ($method, $uri, $body) = ('GET', pick('/gated', '/gated-admin', '/gated-key'), undef);
    }

    my $t0 = time;
    my $r = $nginx->request($method, $uri, headers => \@headers, body => $body);
    my $t1 = time;
    my $code = $r->{code} || 0;
    $seen{$code}++;

    my $what = "$method $uri";
    if ($code == 0 || $code >= 500) {
        push @problems, "$what: $code";
    } elsif ($code >= 400) {
        push @refused, [ $t0, $t1, $what ]
            unless $path =~ m{^/organization/(?:set-active|get-(?:full-)?organization)$};
        if (length $r->{body}) {
            eval { JSON::PP->new->allow_nonref->decode($r->{body}); 1 }
                or push @problems, "$what: $code with no JSON body: $r->{body}";
        } elsif ($code != 401 && $code != 404
                 && !($code == 400 && $path eq '/organization/update-member-role'))
        {
            push @problems, "$what: $code with an empty body";
        }
    }
}

is_deeply(\@problems, [], "$COUNT mutated requests (seed $SEED): no 5xx, and every"
                          . ' 4xx readable') or diag explain \@problems;
diag 'answers: ' . join(', ', map { "$_ x$seen{$_}" } sort keys %seen);
ok(scalar @refused > $COUNT / 3, scalar(@refused) . ' of them refused');

# the writes, each with its time: none inside a refused request
my @writes = map { [ split /\|/ ] } grep { length } split /\n/,
    psql(q{SELECT extract(epoch FROM at), tbl, op FROM fuzz_writes ORDER BY at});
my @inside;
my $w = 0;
for my $rq (sort { $a->[0] <=> $b->[0] } @refused) {
    for my $wr (@writes) {
        push @inside, "$rq->[2] wrote $wr->[1] ($wr->[2])"
            if $wr->[0] > $rq->[0] && $wr->[0] < $rq->[1];
    }
}
is_deeply(\@inside, [], 'no refused request wrote a row (' . scalar(@writes)
                        . ' rows written by the others)');

my $log = $nginx->log_since(0);
unlike($log, qr/exited on signal|\[alert\]/, 'no worker died');

$nginx->stop;
done_testing();
