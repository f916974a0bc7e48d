# Seed 003's REST admin surface, user writes: POST /users, PATCH
# /users/:id and DELETE /users/:id, with their audit rows (what changed,
# old and new), their reach into sign-in and the caches, and bad input
# that changes nothing.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

servers();

my $nginx = start_nginx(
    http_config => default_http_config(extra => 'athena_auth_cache_zone gate:1m;'),
    config => <<'CONF');
        location /api/auth/ { athena_auth_api; }
        location /api/admin/ { athena_auth_admin_rest; }
        location /admins-only {
            athena_auth_require role=admin;
            athena_auth_cache_ttl 60s;
            return 200 "$athena_user_role\n";
        }
CONF

my $admin = create_user(email => 'admin@example.com', name => 'Admin',
                        role => 'admin');
my $plain = create_user(email => 'plain@example.com', name => 'Plain');
my $admin_tok = create_session($admin->{id});
my $plain_tok = create_session($plain->{id});

sub call {
    my ($method, $path, $body, %o) = @_;
    my @h = ('Authorization: Bearer ' . ($o{token} || $admin_tok));
    push @h, 'Content-Type: ' . ($o{type} || 'application/json')
        if defined $body;
    my $r = $nginx->request($method, "/api/admin$path", headers => \@h,
        (defined $body ? (body => ref $body ? json_encode($body) : $body)
                       : ()));
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub auth {
    my ($method, $path, $body, $token) = @_;
    my $r = $nginx->request($method, "/api/auth$path",
        headers => [ ($token ? ("Authorization: Bearer $token") : ()),
                     (defined $body ? ('Content-Type: application/json')
                                    : ()) ],
        (defined $body ? (body => json_encode($body)) : ()));
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub users { psql('SELECT count(*) FROM "user"') }

# the last audit row of an action: its outcome and details
sub audit {
    my ($action) = @_;
    my $row = psql(q{SELECT json_build_object('actor', actor_user_id,
                     'target', target_id, 'type', target_type,
                     'success', success, 'error', error_message,
                     'details', metadata->'details')
                     FROM admin_audit_logs WHERE action = '} . $action
                   . q{' ORDER BY created_at DESC, id DESC LIMIT 1});
    return $row ? json_decode($row) : undef;
}

sub audits { psql(q{SELECT count(*) FROM admin_audit_logs WHERE action = '}
                  . $_[0] . q{'}) }

# POST /users
my $r = call('POST', '/users', { email => 'New.One@Example.com',
                                 name => 'New One',
                                 password => 'correct horse battery',
                                 emailVerified => JSON::PP::true });
is($r->{code}, 201, 'POST /users: 201');
ok($r->{json}{success}, 'success');
my $new = $r->{json}{data};
is($new->{email}, 'new.one@example.com', 'the email in lower case');
is($new->{role}, 'user', 'role user by default');
ok($new->{emailVerified}, 'emailVerified as given');
like($new->{id}, qr/^[A-Za-z0-9]{32}$/, 'an id as better-auth makes them');
is(psql(q{SELECT "providerId" FROM account WHERE "userId" = '}
        . $new->{id} . q{'}), 'credential', 'a credential account');

$r = auth('POST', '/sign-in/email', { email => 'new.one@example.com',
                                      password => 'correct horse battery' });
is($r->{code}, 200, 'the new user signs in at /api/auth/sign-in/email');
my $new_tok = $r->{json}{token};

my $a = audit('admin.rest.user.create');
is($a->{actor}, $admin->{id}, 'audited: the actor');
is($a->{target}, $new->{id}, 'the target');
ok($a->{success}, 'success');
is($a->{details}{type}, 'CREATE', 'details.type CREATE');
is($a->{details}{resource}, 'user', 'details.resource user');
is($a->{details}{data}{email}, 'new.one@example.com', 'what was created');
unlike(psql(q{SELECT metadata::text FROM admin_audit_logs WHERE action =
              'admin.rest.user.create'}), qr/horse|scrypt|\$/,
       'never the password nor its hash');

$r = call('POST', '/users', { email => 'nopw@example.com', name => 'No Pw',
                              role => 'admin' });
is($r->{code}, 201, 'without a password: 201');
is($r->{json}{data}{role}, 'admin', 'a role as given');
is(psql(q{SELECT count(*) FROM account WHERE "userId" = '}
        . $r->{json}{data}{id} . q{'}), 0, 'and no credential account');

my $count = users();
my $rows = audits('admin.rest.user.create');

$r = call('POST', '/users', { email => 'NEW.ONE@example.com', name => 'x' });
is($r->{code}, 409, 'an email taken (any case): 409');
is($r->{json}{error}{code}, 'CONFLICT', 'CONFLICT');
is(audits('admin.rest.user.create'), $rows + 1, 'the refusal is audited');
ok(!audit('admin.rest.user.create')->{success}, 'as a failure');

for my $case (
    [ {}, qr/\[body\.email\].*\[body\.name\]/, 'no email nor name' ],
    [ { email => 1, name => 'x' }, qr/\[body\.email\]/, 'a number for an email' ],
    [ { email => 'a@example.com', name => '' }, qr/\[body\.name\]/, 'an empty name' ],
    [ { email => 'not-an-email', name => 'x' }, qr/\[body\.email\]/, 'no email address' ],
    [ { email => 'a@example.com', name => 'x', emailVerified => 'yes' },
      qr/\[body\.emailVerified\]/, 'emailVerified as text' ],
    [ { email => 'a@example.com', name => 'x', admin => JSON::PP::true },
      qr/\[body\.admin\] Unrecognized key/, 'an unknown field is refused' ],
    [ { email => 'a@example.com', name => 'x', password => 'short' },
      qr/[Pp]assword/, 'a short password' ],
    [ { email => "a\r\n\@example.com", name => 'x' }, qr/\[body\.email\]/,
      'CR LF in an email' ],
    [ [ 1, 2 ], qr/\[body\]/, 'an array' ],
    [ '{"email":', qr/JSON/, 'malformed JSON' ],
    [ '{"a":' x 40 . '1' . '}' x 40, qr/nested/, 'nested too deep' ],
    [ "{\"email\":\"\xff\@example.com\",\"name\":\"x\"}", qr/UTF-8/,
      'invalid UTF-8' ],
)
{
    my ($body, $msg, $name) = @$case;
    $r = call('POST', '/users', $body);
    is($r->{code}, 400, "$name: 400");
    is($r->{json}{error}{code}, 'BAD_REQUEST', "$name: BAD_REQUEST");
    like($r->{json}{error}{message}, $msg, "$name: the message says what");
}
$r = call('POST', '/users', 'email=a@example.com', type => 'text/plain');
is($r->{code}, 415, 'a body that is not JSON: 415');
is($r->{json}{error}{code}, 'UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_MEDIA_TYPE');
$r = call('POST', '/users', { email => 'p@example.com', name => 'p' },
          token => $plain_tok);
is($r->{code}, 403, 'a plain user: 403');
is(audit('admin.rest.user.create')->{actor}, $plain->{id},
   'and the refusal is audited under them');
is(users(), $count, 'no user was made by any of them');

# PATCH /users/:id
my $before = json_decode(psql(q{SELECT row_to_json(u) FROM "user" u WHERE id = '}
                              . $new->{id} . q{'}));
$r = call('PATCH', "/users/$new->{id}", { name => 'Renamed', role => 'admin',
                                          image => 'https://img.example/a.png' });
is($r->{code}, 200, 'PATCH /users/:id: 200');
is($r->{json}{data}{name}, 'Renamed', 'the name');
is($r->{json}{data}{role}, 'admin', 'the role');
$a = audit('admin.rest.user.update');
is($a->{details}{type}, 'UPDATE', 'audited: UPDATE');
is_deeply($a->{details}{changes},
          { name => { from => 'New One', to => 'Renamed' },
            role => { from => 'user', to => 'admin' },
            image => { from => undef, to => 'https://img.example/a.png' } },
          'with each change, old and new');

$r = auth('GET', '/get-session', undef, $new_tok);
is($r->{json}{user}{role}, 'admin',
   'the new role reaches the cached session at once');

my $gate = $nginx->request('GET', '/admins-only',
                           headers => [ "Authorization: Bearer $new_tok" ]);
is($gate->{code}, 200, 'the gate admits the new admin (and keeps it in'
                       . ' shared memory for a minute)');
$r = call('PATCH', "/users/$new->{id}", { role => 'user' });
is($r->{json}{data}{role}, 'user', 'demoted');
$gate = $nginx->request('GET', '/admins-only',
                        headers => [ "Authorization: Bearer $new_tok" ]);
is($gate->{code}, 403, "this node's gate sees the demotion on the next"
                       . ' request');
call('PATCH', "/users/$new->{id}", { role => 'admin' });

$r = call('PATCH', "/users/$new->{id}", { image => undef });
is($r->{json}{data}{image}, undef, 'null clears the image');

$r = call('PATCH', "/users/$new->{id}", { email => 'PLAIN@example.com' });
is($r->{code}, 409, 'an email taken: 409');
is($r->{json}{error}{code}, 'CONFLICT', 'CONFLICT');

$r = call('PATCH', "/users/$new->{id}", { banned => JSON::PP::true,
                                          banReason => 'spam',
                                          banExpires => '2099-01-01T00:00:00.000Z' });
is($r->{code}, 200, 'a ban: 200');
ok($r->{json}{data}{banned}, 'banned');
is($r->{json}{data}{banExpires}, '2099-01-01T00:00:00.000Z', 'until');
is(psql(q{SELECT count(*) FROM session WHERE "userId" = '} . $new->{id} . q{'}),
   0, "the user's sessions are ended");
$r = auth('GET', '/get-session', undef, $new_tok);
is($r->{body}, 'null', 'and the gone session is not served from a cache');
is(audit('admin.rest.user.update')->{details}{changes}{banReason}{to}, 'spam',
   'the ban is audited with its reason');

my $after = psql(q{SELECT name || ' ' || email FROM "user" WHERE id = '}
                 . $new->{id} . q{'});
for my $case (
    [ {}, qr/No fields to update/, 'nothing to update' ],
    [ { password => 'new one please' }, qr/\[body\.password\] Unrecognized/,
      'a password is not patched here' ],
    [ { id => 'x' }, qr/\[body\.id\] Unrecognized/, 'nor the id' ],
    [ { name => 5 }, qr/\[body\.name\]/, 'a number for a name' ],
    [ { name => undef }, qr/\[body\.name\]/, 'null for a name, which is required' ],
    [ { banExpires => 'soon' }, qr/\[body\.banExpires\]/, 'a bad date' ],
    [ { emailVerified => 'true' }, qr/\[body\.emailVerified\]/, 'a bool as text' ],
)
{
    my ($body, $msg, $name) = @$case;
    $r = call('PATCH', "/users/$new->{id}", $body);
    is($r->{code}, 400, "PATCH, $name: 400");
    like($r->{json}{error}{message}, $msg, "PATCH, $name: the message");
}
$r = call('PATCH', "/users/$admin->{id}", { banned => JSON::PP::true });
is($r->{code}, 400, 'banning oneself: 400');
$r = call('PATCH', '/users/nobody', { name => 'x' });
is($r->{code}, 404, 'an unknown id: 404');
is(audit('admin.rest.user.update')->{target}, 'nobody',
   'the refusal is audited with the id asked for');
$r = call('PATCH', "/users/$new->{id}", { name => 'x' }, token => $plain_tok);
is($r->{code}, 403, 'a plain user: 403');
is(psql(q{SELECT name || ' ' || email FROM "user" WHERE id = '} . $new->{id}
        . q{'}), $after, 'none of them changed the user');

# DELETE /users/:id
my $gone = create_user(email => 'gone@example.com', name => 'Gone');
my $gone_tok = create_session($gone->{id});
my $org = create_org('gone-org', [ $admin->{id}, 'owner' ],
                     [ $gone->{id}, 'member' ]);
is(auth('GET', '/get-session', undef, $gone_tok)->{code}, 200,
   'the user to delete has a session (now cached)');

$r = call('DELETE', "/users/$gone->{id}");
is($r->{code}, 200, 'DELETE /users/:id: 200');
is_deeply($r->{json}, { success => JSON::PP::true,
                        data => { id => $gone->{id},
                                  deleted => JSON::PP::true } },
          '{success, data: {id, deleted}}');
is(psql(q{SELECT (SELECT count(*) FROM "user" WHERE id = '} . $gone->{id}
        . q{') + (SELECT count(*) FROM session WHERE "userId" = '} . $gone->{id}
        . q{') + (SELECT count(*) FROM account WHERE "userId" = '} . $gone->{id}
        . q{') + (SELECT count(*) FROM member WHERE "userId" = '} . $gone->{id}
        . q{')}), 0, 'the user, its sessions, accounts and memberships');
is(psql(q{SELECT count(*) FROM member WHERE "organizationId" = '} . $org . q{'}),
   1, 'the organization keeps its other members');
is(auth('GET', '/get-session', undef, $gone_tok)->{body}, 'null',
   'the deleted user\'s session is gone from the caches');
$a = audit('admin.rest.user.delete');
is($a->{details}{type}, 'DELETE', 'audited: DELETE');
is($a->{details}{data}{email}, 'gone@example.com', 'with what was deleted');

$r = call('DELETE', "/users/$gone->{id}");
is($r->{code}, 404, 'again: 404');
$r = call('DELETE', "/users/$admin->{id}");
is($r->{code}, 400, 'oneself: 400');
like($r->{json}{error}{message}, qr/yourself/, 'You cannot delete yourself');
$r = call('DELETE', "/users/$new->{id}", undef, token => $plain_tok);
is($r->{code}, 403, 'a plain user: 403');
is(psql(q{SELECT count(*) FROM "user" WHERE id = '} . $new->{id} . q{'}), 1,
   'and the user is still there');

# cookies need a trusted origin for writes, bearer tokens do not
$r = $nginx->request('DELETE', "/api/admin/users/$new->{id}",
    headers => [ 'Cookie: ' . session_cookie($admin_tok),
                 'Origin: https://evil.example' ]);
is($r->{code}, 403, 'a cookie from an untrusted origin: 403');
is(psql(q{SELECT count(*) FROM "user" WHERE id = '} . $new->{id} . q{'}), 1,
   'nothing deleted');

done_testing();
