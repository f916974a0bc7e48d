# The admin API's first routes: has-permission, get-user, set-role,
# ban-user, unban-user. Order of checks (body, admin session, permission,
# lookup), better-auth's codes and messages, one audit row per audited
# request in the change's transaction, and the caches (Redis, the gate's
# shared memory) told before the answer.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers();

my $config = <<'CONF';
location /api/auth/ { athena_auth_api; }
location /app/ {
    athena_auth_require on;
    return 200 "$athena_user_id $athena_user_role\n";
}
location /admin-ui/ {
    athena_auth_require role=admin;
    return 200 "admin $athena_user_id\n";
}
CONF

my $nginx = start_nginx(http_config => gate_http_config(ttl => '60s',
                                                        no_app => 1),
                        config => $config);

my $admin = create_user(email => 'root@example.com', name => 'Root',
                        role => 'admin');
my $plain = create_user(email => 'joe@example.com', name => 'Joe',
                        password => 'password-123');
my $other = create_user(email => 'kim@example.com', name => 'Kim');
my $boss = create_user(email => 'boss@example.com', name => 'Boss');

my $admin_tok = create_session($admin->{id});
my $plain_tok = create_session($plain->{id});
my $boss_tok = create_session($boss->{id});

sub call { $nginx->api(@_) }

sub audit_rows {
    my ($action) = @_;
    return [ map { [ split /\|/, $_, -1 ] } grep { length }
             split /\n/, psql(
                 "SELECT actor_user_id, coalesce(target_id, ''), success,"
                 . " coalesce(error_message, ''), metadata->>'ip',"
                 . " coalesce(actor_session_token, '')"
                 . " FROM admin_audit_logs WHERE action = '$action'"
                 . ' ORDER BY created_at, id') ];
}

my $user_json = qr/\{"name":"[^"]*","email":"[^"]*","emailVerified":(?:true|false),"image":(?:null|"[^"]*"),"createdAt":"[^"]+","updatedAt":"[^"]+","role":(?:"[^"]*"|null),"banned":(?:true|false|null),"banReason":[^,]*,"banExpires":[^,]*,"id":"\w+"\}/;


# --- has-permission --------------------------------------------------------

my $r = call('POST', '/admin/has-permission', $admin_tok,
             '{"permissions":{"user":["list","ban"],"session":["revoke"]}}');
is($r->{code}, 200, 'has-permission: 200');
is($r->{body}, '{"error":null,"success":true}', 'an admin has them');

$r = call('POST', '/admin/has-permission', $plain_tok,
          '{"permissions":{"user":["list"]},"role":"admin","userId":"x"}');
is($r->{body}, '{"error":null,"success":false}',
   'a plain user has not, whatever role and userId the body says');

$r = call('POST', '/admin/has-permission', $admin_tok,
          '{"permissions":{"user":["impersonate-admins"]}}');
is($r->{body}, '{"error":null,"success":false}',
   'impersonate-admins is no default admin\'s');

$r = call('POST', '/admin/has-permission', undef,
          '{"permissions":{"user":["list"]}}');
is($r->{code}, 401, 'no session: 401');
is($r->{body}, '', 'with an empty body');

$r = call('POST', '/admin/has-permission', $admin_tok,
          '{"permission":{"user":["list"]}}');
is($r->{code}, 400, 'the deprecated "permission": 400');
is($r->{body}, '{"message":"invalid permission check. no permission(s) were passed."}',
   'with its message and no code');

$r = call('POST', '/admin/has-permission', $admin_tok,
          '{"permission":{"user":["list"]},"permissions":{"user":["list"]}}');
is($r->{code}, 400, 'both: 400');
like($r->{body}, qr/"code":"VALIDATION_ERROR"/, 'a validation error');

$r = call('POST', '/admin/has-permission', $admin_tok,
          '{"permissions":{"user":"list"}}');
is($r->{body}, '{"message":"[body] Invalid input","code":"VALIDATION_ERROR"}',
   'actions must be an array: zod\'s xor fails at the body');

is(scalar @{ audit_rows('admin.has_permission') }, 0,
   'has-permission changes nothing: not audited');


# --- get-user ----------------------------------------------------------------

$r = call('GET', "/admin/get-user?id=$plain->{id}", $admin_tok);
is($r->{code}, 200, 'get-user: 200');
like($r->{body}, qr/^$user_json$/, 'the bare user object');
like($r->{body}, qr/"email":"joe\@example.com"/, 'the right one');

$r = call('GET', '/admin/get-user', $admin_tok);
is($r->{body}, '{"message":"[query.id] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}',
   'no id: a validation error');

$r = call('GET', "/admin/get-user?id=$plain->{id}", $plain_tok);
is($r->{code}, 403, 'a plain user: 403');
is($r->{body}, '{"message":"You are not allowed to get user","code":"YOU_ARE_NOT_ALLOWED_TO_GET_USER"}',
   'with its code');

$r = call('GET', "/admin/get-user?id=nobody'%20OR%201=1--", $admin_tok);
is($r->{code}, 404, 'an unknown id, SQL in it: 404');
is($r->{body}, '{"message":"User not found","code":"USER_NOT_FOUND"}',
   'USER_NOT_FOUND');

$r = call('GET', "/admin/get-user?id=$plain->{id}");
is($r->{code}, 401, 'no session: 401');


# --- set-role ----------------------------------------------------------------

is($nginx->request('GET', '/admin-ui/x',
                   headers => ["Authorization: Bearer $boss_tok"])->{code},
   403, 'the gate refuses /admin-ui/ to boss, and caches him');

$r = call('POST', '/admin/set-role', $admin_tok,
          qq({"userId":"$boss->{id}","role":["admin","support"]}));
is($r->{code}, 200, 'set-role: 200');
like($r->{body}, qr/^\{"user":$user_json\}$/, '{user}');
like($r->{body}, qr/"role":"admin,support"/, 'roles stored comma-joined');
is(psql("SELECT role FROM \"user\" WHERE id = '$boss->{id}'"),
   'admin,support', 'in Postgres too');

$r = $nginx->request('GET', '/admin-ui/x',
                     headers => ["Authorization: Bearer $boss_tok"]);
is($r->{code}, 200, 'the gate sees the new role at once, TTL or not');

$r = call('POST', '/admin/set-role', $plain_tok,
          qq({"userId":"$other->{id}","role":"admin"}));
is($r->{code}, 403, 'a plain user may not');
is($r->{body}, '{"message":"You are not allowed to change users role","code":"YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE"}',
   'with its code');

$r = call('POST', '/admin/set-role', $admin_tok,
          qq({"userId":"$other->{id}","role":5}));
is($r->{body}, '{"message":"[body.role] Invalid input","code":"VALIDATION_ERROR"}',
   'a role that is no string nor array of strings');

$r = call('POST', '/admin/set-role', $admin_tok, '{"role":5}');
is($r->{body}, '{"message":"[body.userId] Invalid input: expected nonoptional, received undefined; [body.role] Invalid input","code":"VALIDATION_ERROR"}',
   'no userId: refused (never read as "undefined"), before the role');

$r = call('POST', '/admin/set-role', $admin_tok, '[1]');
is($r->{body}, '{"message":"[body] Invalid input: expected object, received array","code":"VALIDATION_ERROR"}',
   'a body that is no object');

is(psql("SELECT role FROM \"user\" WHERE id = '$other->{id}'"), 'user',
   'no refusal changed anything');

my $rows = audit_rows('admin.set_role');
is(scalar @$rows, 5, 'set-role: one audit row per request');
is_deeply([ @{ $rows->[0] }[0 .. 4] ],
          [ $admin->{id}, $boss->{id}, 't', '', '127.0.0.1' ],
          'the change: actor, target, success, client address');
like($rows->[0][5], qr/^[0-9a-f]{64}$/,
     'the session as a SHA-256, never the token');
isnt($rows->[0][5], $admin_tok, 'not the token itself');
is_deeply([ @{ $rows->[1] }[0 .. 3] ],
          [ $plain->{id}, $other->{id}, 'f',
            'YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE' ],
          'the refusal, with its code');
is($rows->[2][3], 'VALIDATION_ERROR', 'a bad body is logged too');
is_deeply([ @{ $rows->[3] }[0, 2, 3] ], [ $admin->{id}, 'f', 'VALIDATION_ERROR' ],
          'no userId: refused before the session was read, logged under it');


# --- ban-user and unban-user ---------------------------------------------------

is($nginx->request('GET', '/app/x',
                   headers => ["Authorization: Bearer $plain_tok"])->{code},
   200, 'joe is admitted by the gate (and cached)');

$r = call('POST', '/admin/ban-user', $admin_tok,
          qq({"userId":"$plain->{id}","banReason":"spam","banExpiresIn":3600}));
is($r->{code}, 200, 'ban-user: 200');
like($r->{body}, qr/^\{"user":$user_json\}$/, '{user}');
like($r->{body}, qr/"banned":true,"banReason":"spam","banExpires":"[^"]+"/,
     'banned, with the reason and an expiry');
is(psql("SELECT count(*) FROM session WHERE \"userId\" = '$plain->{id}'"), 0,
   'every session of joe is gone');
is($nginx->request('GET', '/app/x',
                   headers => ["Authorization: Bearer $plain_tok"])->{code},
   401, 'the gate refuses joe at once');

$r = $nginx->request('POST', '/api/auth/sign-in/email',
    headers => ['Content-Type: application/json'],
    body => '{"email":"joe@example.com","password":"password-123"}');
is($r->{code}, 403, 'a banned user cannot sign in');
like($r->{body}, qr/"code":"BANNED_USER"/, 'BANNED_USER');

$r = call('POST', '/admin/ban-user', $admin_tok, qq({"userId":"$admin->{id}"}));
is($r->{body}, '{"message":"You cannot ban yourself","code":"YOU_CANNOT_BAN_YOURSELF"}',
   'no one bans themself');

$r = call('POST', '/admin/ban-user', $admin_tok, '{"userId":"ghost"}');
is($r->{code}, 404, 'an unknown user: 404 (before the self check)');

$r = call('POST', '/admin/ban-user', $admin_tok,
          qq({"userId":"$other->{id}","banExpiresIn":"soon"}));
is($r->{body}, '{"message":"[body.banExpiresIn] Invalid input: expected number, received string","code":"VALIDATION_ERROR"}',
   'banExpiresIn must be a number');

$r = call('POST', '/admin/ban-user', $boss_tok, qq({"userId":"$other->{id}"}));
is($r->{code}, 200, 'set-role made boss an admin: he may ban');
like($r->{body}, qr/"banReason":"No reason","banExpires":null/,
     'no reason given: "No reason", and no expiry');

$r = call('POST', '/admin/unban-user', $admin_tok, qq({"userId":"$plain->{id}"}));
is($r->{code}, 200, 'unban-user: 200');
like($r->{body}, qr/"banned":false,"banReason":null,"banExpires":null/,
     'ban lifted, reason and expiry cleared');

$r = $nginx->request('POST', '/api/auth/sign-in/email',
    headers => ['Content-Type: application/json'],
    body => '{"email":"joe@example.com","password":"password-123"}');
is($r->{code}, 200, 'joe signs in again');
my $joe_tok = json_decode($r->{body})->{token};

$r = call('POST', '/admin/unban-user', $joe_tok, qq({"userId":"$other->{id}"}));
is($r->{body}, '{"message":"You are not allowed to ban users","code":"YOU_ARE_NOT_ALLOWED_TO_BAN_USERS"}',
   'unban needs user:ban');

# the change and its audit row commit together: without the audit table,
# a ban fails whole
{
    my $victim = create_user(email => 'sue@example.com');
    my $tok = create_session($victim->{id});
    psql('ALTER TABLE admin_audit_logs RENAME TO admin_audit_logs_away');
    $r = call('POST', '/admin/ban-user', $admin_tok,
              qq({"userId":"$victim->{id}"}));
    psql('ALTER TABLE admin_audit_logs_away RENAME TO admin_audit_logs');
    is($r->{code}, 500, 'no audit table: the ban fails');
    is(psql("SELECT banned FROM \"user\" WHERE id = '$victim->{id}'"), 'f',
       'and the user is not banned');
    is(psql("SELECT count(*) FROM session WHERE token = '$tok'"), 1,
       'nor are the sessions gone');
    like($nginx->log_since(0), qr/\[error\].*admin_audit_logs/,
         'the reason is in the error log');
}

is(scalar @{ audit_rows('admin.ban_user') }, 5, 'ban-user: a row each');
is(scalar @{ audit_rows('admin.unban_user') }, 2, 'unban-user: a row each');
is(scalar @{ audit_rows('admin.get_user') }, 0, 'reads are not audited');

# --- list-user-sessions ------------------------------------------------------

my $kit = create_user(email => 'kit@example.com', name => 'Kit',
                      password => 'old-password-1');
my $kit_live = create_session($kit->{id});
my $kit_dead = create_session($kit->{id}, expires_in => -60);
my $kit_imp = create_session($kit->{id}, impersonated_by => $admin->{id});

$r = call('POST', '/admin/list-user-sessions', $admin_tok,
          qq({"userId":"$kit->{id}"}));
is($r->{code}, 200, 'list-user-sessions: 200');
my $listed = json_decode($r->{body})->{sessions};
is_deeply([ sort map { $_->{token} } @$listed ],
          [ sort $kit_live, $kit_dead, $kit_imp ],
          'every row: the live, the expired, the impersonation, with tokens');

$r = call('POST', '/admin/list-user-sessions', $admin_tok, '{"userId":"nobody"}');
is($r->{body}, '{"sessions":[]}', 'an unknown user: an empty list, no 404');

$r = call('POST', '/admin/list-user-sessions', $joe_tok,
          qq({"userId":"$kit->{id}"}));
is($r->{body}, '{"message":"You are not allowed to list users sessions","code":"YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS"}',
   'needs session:list');


# --- revoke-user-session(s) ----------------------------------------------------

is($nginx->request('GET', '/app/x',
                   headers => ["Authorization: Bearer $kit_live"])->{code},
   200, 'kit is admitted (and cached)');

$r = call('POST', '/admin/revoke-user-session', $admin_tok,
          qq({"sessionToken":"$kit_live"}));
is($r->{body}, '{"success":true}', 'revoke-user-session: success');
is($nginx->request('GET', '/app/x',
                   headers => ["Authorization: Bearer $kit_live"])->{code},
   401, 'the gate refuses the revoked session at once');

$r = call('POST', '/admin/revoke-user-session', $admin_tok,
          '{"sessionToken":"no-such-token"}');
is($r->{body}, '{"success":true}', 'an unknown token: success all the same');

$r = call('POST', '/admin/revoke-user-session', $admin_tok, '{}');
is($r->{body}, '{"message":"[body.sessionToken] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}',
   'sessionToken is required');

$r = call('POST', '/admin/revoke-user-session', $joe_tok,
          '{"sessionToken":"x"}');
is($r->{code}, 403, 'needs session:revoke');

my @named = map { create_session($kit->{id}) } 1 .. 3;
my $kim_tok = create_session($other->{id});
$r = call('POST', '/admin/revoke-user-sessions', $admin_tok,
          json_encode([ { userId => $kit->{id}, sessionToken => $named[0] },
                        { userId => $kit->{id}, sessionToken => $named[1] },
                        { userId => $kit->{id}, sessionToken => $kim_tok } ]));
is($r->{body}, '{"success":true}', 'the plural payload: success');
is(psql("SELECT count(*) FROM session WHERE token IN ('$named[0]', '$named[1]')"),
   0, 'the two named sessions of kit are gone');
is(psql("SELECT count(*) FROM session WHERE token IN ('$named[2]', '$kim_tok')"),
   2, 'the unnamed one stays, and so does kim\'s, named with the wrong user');

$r = call('POST', '/admin/revoke-user-sessions', $admin_tok,
          '[{"userId":"a"},{"sessionToken":1,"userId":"b"}]');
is($r->{body}, '{"message":"[body.0.sessionToken] Invalid input: expected string, received undefined; [body.1.sessionToken] Invalid input: expected string, received number","code":"VALIDATION_ERROR"}',
   'every item of the plural payload is checked');

$r = call('POST', '/admin/revoke-user-sessions', $admin_tok,
          qq({"userId":"$kit->{id}"}));
is($r->{body}, '{"success":true}', '{userId}: success');
is(psql(qq{SELECT count(*) FROM session WHERE "userId" = '$kit->{id}'}), 0,
   'every session of kit is gone');


# --- set-user-password ---------------------------------------------------------

my $kit_tok = create_session($kit->{id});
$r = call('POST', '/admin/set-user-password', $admin_tok,
          qq({"userId":"$kit->{id}","newPassword":"brand-new-password"}));
is($r->{body}, '{"status":true}', 'set-user-password: {status:true}');
my $stored = psql(qq{SELECT password FROM account WHERE "userId" = '$kit->{id}'});
my $check = `python3 -c 'import hashlib, sys; s, k = sys.argv[1].split(":"); print(hashlib.scrypt(sys.argv[2].encode(), salt=s.encode(), n=16384, r=16, p=1, dklen=64, maxmem=128*1024*1024).hex() == k)' '$stored' brand-new-password`;
is($check, "True\n", 'the new hash verifies with an independent scrypt');
$r = $nginx->request('POST', '/api/auth/sign-in/email',
    headers => ['Content-Type: application/json'],
    body => '{"email":"kit@example.com","password":"brand-new-password"}');
is($r->{code}, 200, 'and kit signs in with it');
is(psql("SELECT count(*) FROM session WHERE token = '$kit_tok'"), 1,
   'sessions are not revoked by a new password');

$r = call('POST', '/admin/set-user-password', $admin_tok,
          qq({"userId":"$other->{id}","newPassword":"first-password"}));
is($r->{body}, '{"status":true}', 'a user without a password gets one');
is(psql(qq{SELECT count(*) FROM account WHERE "userId" = '$other->{id}'}
        . q{ AND "providerId" = 'credential'}), 1, 'in a new credential account');

$r = call('POST', '/admin/set-user-password', $admin_tok,
          qq({"userId":"$kit->{id}","newPassword":"short"}));
is($r->{body}, '{"message":"Password too short","code":"PASSWORD_TOO_SHORT"}',
   'too short');
$r = call('POST', '/admin/set-user-password', $admin_tok,
          qq({"userId":"","newPassword":""}));
is($r->{body}, '{"message":"[body.newPassword] newPassword cannot be empty; [body.userId] userId cannot be empty","code":"VALIDATION_ERROR"}',
   'empty values are refused');
$r = call('POST', '/admin/set-user-password', $admin_tok,
          '{"newPassword":""}');
is($r->{body}, '{"message":"[body.newPassword] newPassword cannot be empty; [body.userId] Invalid input: expected nonoptional, received undefined","code":"VALIDATION_ERROR"}',
   'no userId: listed after newPassword, as the schema orders them');
$r = call('POST', '/admin/set-user-password', $admin_tok,
          '{"userId":"ghost","newPassword":"long-enough-1"}');
is($r->{code}, 404, 'an unknown user: 404');
$r = call('POST', '/admin/set-user-password', $joe_tok,
          qq({"userId":"$kit->{id}","newPassword":"long-enough-1"}));
is($r->{body}, '{"message":"You are not allowed to set users password","code":"YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD"}',
   'needs user:set-password');


# --- remove-user -----------------------------------------------------------------

{
    my $gone = create_user(email => 'gone@example.com', password => 'pw-12345678');
    my $tok = create_session($gone->{id});
    create_org('gone-org', [ $gone->{id}, 'owner' ]);
    is($nginx->request('GET', '/app/x',
                       headers => ["Authorization: Bearer $tok"])->{code},
       200, 'the user to remove is admitted (and cached)');

    # half way: without the audit table nothing of it is removed
    psql('ALTER TABLE admin_audit_logs RENAME TO admin_audit_logs_away');
    $r = call('POST', '/admin/remove-user', $admin_tok,
              qq({"userId":"$gone->{id}"}));
    psql('ALTER TABLE admin_audit_logs_away RENAME TO admin_audit_logs');
    is($r->{code}, 500, 'a failure half way: 500');
    is(psql(qq{SELECT (SELECT count(*) FROM "user" WHERE id = '$gone->{id}')
               + (SELECT count(*) FROM account WHERE "userId" = '$gone->{id}')
               + (SELECT count(*) FROM session WHERE "userId" = '$gone->{id}')}),
       3, 'and the user, account and session are all still there');

    $r = call('POST', '/admin/remove-user', $admin_tok,
              qq({"userId":"$gone->{id}"}));
    is($r->{body}, '{"success":true}', 'remove-user: success');
    is(psql(qq{SELECT (SELECT count(*) FROM "user" WHERE id = '$gone->{id}')
               + (SELECT count(*) FROM account WHERE "userId" = '$gone->{id}')
               + (SELECT count(*) FROM session WHERE "userId" = '$gone->{id}')
               + (SELECT count(*) FROM member WHERE "userId" = '$gone->{id}')}),
       0, 'user, accounts, sessions and memberships are gone');
    is($nginx->request('GET', '/app/x',
                       headers => ["Authorization: Bearer $tok"])->{code},
       401, 'the gate refuses at once');

    $r = call('POST', '/admin/remove-user', $admin_tok,
              qq({"userId":"$admin->{id}"}));
    is($r->{body}, '{"message":"You cannot remove yourself","code":"YOU_CANNOT_REMOVE_YOURSELF"}',
       'no one removes themself');
    $r = call('POST', '/admin/remove-user', $admin_tok, '{"userId":"ghost"}');
    is($r->{code}, 404, 'an unknown user: 404');
    $r = call('POST', '/admin/remove-user', $joe_tok, qq({"userId":"$kit->{id}"}));
    is($r->{body}, '{"message":"You are not allowed to delete users","code":"YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS"}',
       'needs user:delete');
}

# (the request that failed for want of the audit table could not be logged)
is(scalar @{ audit_rows('admin.remove_user') }, 4, 'remove-user: a row each');
like(audit_rows('admin.revoke_user_session')->[0][1], qr/^[0-9a-f]{64}$/,
     'a revoked session is named by its token\'s hash');
is(scalar @{ audit_rows('admin.list_user_sessions') }, 0,
   'listing is a read: not audited');


# --- create-user ------------------------------------------------------------------

$r = call('POST', '/admin/create-user', $admin_tok,
          '{"email":"New.Person@Example.COM","password":"pw","name":"New",'
          . '"role":["admin","support"],"data":{"emailVerified":true,'
          . '"image":"https://x/y.png","favourite":"ignored"}}');
is($r->{code}, 200, 'create-user: 200');
like($r->{body}, qr/^\{"user":$user_json\}$/, '{user}');
my $made = json_decode($r->{body})->{user};
is_deeply([ @$made{qw(email name role emailVerified image banned)} ],
          [ 'new.person@example.com', 'New', 'admin,support', JSON::PP::true,
            'https://x/y.png', JSON::PP::false ],
          'lowercased email, joined roles, the data fields');
$r = $nginx->request('POST', '/api/auth/sign-in/email',
    headers => ['Content-Type: application/json'],
    body => '{"email":"new.person@example.com","password":"pw"}');
is($r->{code}, 200,
   'the created user signs in (create-user has no minimum length)');

$r = call('POST', '/admin/create-user', $admin_tok,
          '{"email":"nopass@example.com","name":"No Pass"}');
is($r->{code}, 200, 'without a password');
is(psql(q{SELECT count(*) FROM account a JOIN "user" u ON u.id = a."userId"
          WHERE u.email = 'nopass@example.com'}), 0, 'no credential account');
like($r->{body}, qr/"role":"user"/, 'the default role');

my $users_before = psql('SELECT count(*) FROM "user"');
$r = call('POST', '/admin/create-user', $admin_tok,
          '{"email":"NEW.person@example.com","name":"Again","password":"x"}');
is($r->{body}, '{"message":"User already exists. Use another email.","code":"USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"}',
   'a taken email');
$r = call('POST', '/admin/create-user', $admin_tok,
          '{"email":"not-an-email","name":"X"}');
is($r->{body}, '{"message":"Invalid email","code":"INVALID_EMAIL"}',
   'an invalid email');
$r = call('POST', '/admin/create-user', $admin_tok,
          '{"email":"long@example.com","name":"X","password":"' . ('p' x 129) . '"}');
is($r->{body}, '{"message":"Password too long","code":"PASSWORD_TOO_LONG"}',
   'a password over the maximum');
$r = call('POST', '/admin/create-user', $admin_tok,
          '{"email":"r@example.com","name":"X","data":{"role":[1]}}');
is($r->{body}, '{"message":"Invalid role type","code":"INVALID_ROLE_TYPE"}',
   'data.role must be text');
$r = call('POST', '/admin/create-user', $admin_tok, '{"email":"x@example.com"}');
is($r->{body}, '{"message":"[body.name] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}',
   'name is required');
$r = call('POST', '/admin/create-user', $admin_tok,
          '{"email":"x@example.com","name":"X","data":{"banned":"yes"}}');
is($r->{body}, '{"message":"[body.data.banned] Invalid input: expected boolean, received string","code":"VALIDATION_ERROR"}',
   'data fields have their types');
$r = call('POST', '/admin/create-user', $joe_tok,
          '{"email":"x@example.com","name":"X"}');
is($r->{body}, '{"message":"You are not allowed to create users","code":"YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS"}',
   'needs user:create');
$r = call('POST', '/admin/create-user', undef,
          '{"email":"x@example.com","name":"X"}');
is($r->{code}, 401, 'no session: 401');
is($r->{body}, '', 'with an empty body');
is(psql('SELECT count(*) FROM "user"'), $users_before,
   'no refusal made a user');

psql('ALTER TABLE admin_audit_logs RENAME TO admin_audit_logs_away');
$r = call('POST', '/admin/create-user', $admin_tok,
          '{"email":"half@example.com","name":"Half","password":"pw-123456"}');
psql('ALTER TABLE admin_audit_logs_away RENAME TO admin_audit_logs');
is($r->{code}, 500, 'a failure half way: 500');
is(psql(q{SELECT count(*) FROM "user" WHERE email = 'half@example.com'}), 0,
   'and no user was left behind');
is(psql(q{SELECT count(*) FROM account WHERE "accountId" NOT IN
          (SELECT id FROM "user")}), 0, 'nor an account');

is(scalar @{ audit_rows('admin.create_user') }, 9,
   'create-user: a row each, but none for the request without a session');


# --- update-user ------------------------------------------------------------------

{
    my $ed = create_user(email => 'ed@example.com', name => 'Ed');
    my $ed_tok = create_session($ed->{id});
    is($nginx->request('GET', '/app/x',
                       headers => ["Authorization: Bearer $ed_tok"])->{body},
       "$ed->{id} user\n", 'ed is admitted as a user (and cached)');

    $r = call('POST', '/admin/update-user', $admin_tok,
              qq({"userId":"$ed->{id}","data":{"name":"Edward","role":["admin"],)
              . '"email":"Edward@Example.com","emailVerified":true,"image":null,'
              . '"shoeSize":44}}');
    is($r->{code}, 200, 'update-user: 200');
    like($r->{body}, qr/^$user_json$/, 'the bare user');
    my $u = json_decode($r->{body});
    is_deeply([ @$u{qw(name email role emailVerified image)} ],
              [ 'Edward', 'edward@example.com', 'admin', JSON::PP::true, undef ],
              'the fields given, the email lowercased, unknown keys dropped');
    is($nginx->request('GET', '/app/x',
                       headers => ["Authorization: Bearer $ed_tok"])->{body},
       "$ed->{id} admin\n", 'the gate sees the new role at once');

    $r = call('POST', '/admin/update-user', $admin_tok,
              qq({"userId":"$ed->{id}","data":{"banned":true,"banReason":"x"}}));
    like($r->{body}, qr/"banned":true,"banReason":"x"/, 'banned through update-user');
    is(psql(qq{SELECT count(*) FROM session WHERE "userId" = '$ed->{id}'}), 0,
       'which ends the sessions, as ban-user does');
    is($nginx->request('GET', '/app/x',
                       headers => ["Authorization: Bearer $ed_tok"])->{code},
       401, 'and the gate refuses at once');

    my @cases = (
        [ qq({"userId":"$ed->{id}","data":{}}),
          '{"message":"No data to update","code":"NO_DATA_TO_UPDATE"}' ],
        [ qq({"userId":"$ed->{id}","data":{"password":"new-password-1"}}),
          '{"message":"Password cannot be updated through update-user. Use the set-user-password endpoint instead","code":"PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER"}' ],
        [ qq({"userId":"$ed->{id}","data":{"id":"other"}}),
          '{"message":"User id cannot be updated","code":"USER_ID_CANNOT_BE_UPDATED"}' ],
        [ qq({"userId":"$admin->{id}","data":{"banned":true}}),
          '{"message":"You cannot ban yourself","code":"YOU_CANNOT_BAN_YOURSELF"}' ],
        [ qq({"userId":"$ed->{id}","data":{"email":"kim\@example.com"}}),
          '{"message":"User already exists. Use another email.","code":"USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"}' ],
        [ qq({"userId":"$ed->{id}","data":{"email":"nope"}}),
          '{"message":"Invalid email","code":"INVALID_EMAIL"}' ],
        [ qq({"userId":"$ed->{id}","data":{"role":[7]}}),
          '{"message":"Invalid role type","code":"INVALID_ROLE_TYPE"}' ],
        [ '{"userId":"ghost","data":{"name":"G"}}',
          '{"message":"User not found","code":"USER_NOT_FOUND"}' ],
        [ qq({"userId":"$ed->{id}","data":"name"}),
          '{"message":"[body.data] Invalid input: expected record, received string","code":"VALIDATION_ERROR"}' ],
        [ qq({"userId":"$ed->{id}","data":{"name":5,"banExpires":"soon"}}),
          '{"message":"[body.data.name] Invalid input: expected string, received number; [body.data.banExpires] Invalid input: expected an ISO 8601 date","code":"VALIDATION_ERROR"}' ],
    );
    for my $c (@cases) {
        $r = call('POST', '/admin/update-user', $admin_tok, $c->[0]);
        is($r->{body}, $c->[1], "update-user refuses $c->[0]");
    }
    is(psql(qq{SELECT name || ' ' || email FROM "user" WHERE id = '$ed->{id}'}),
       'Edward edward@example.com', 'no refusal changed anything');

    $r = call('POST', '/admin/update-user', $joe_tok,
              qq({"userId":"$ed->{id}","data":{"name":"Joe's"}}));
    is($r->{body}, '{"message":"You are not allowed to update users","code":"YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS"}',
       'needs user:update');

    is(scalar @{ audit_rows('admin.update_user') }, 13, 'update-user: a row each');
}


# --- impersonate-user and stop-impersonating -----------------------------------------

{
    my $amy = create_user(email => 'amy@example.com', name => 'Amy');
    my $origin = 'Origin: http://localhost:3000';
    my $admin_cookie = session_cookie($admin_tok);

    $r = $nginx->request('POST', '/api/auth/admin/impersonate-user',
        headers => [ "Cookie: $admin_cookie", $origin,
                     'Content-Type: application/json' ],
        body => qq({"userId":"$amy->{id}"}));
    is($r->{code}, 200, 'impersonate-user: 200');
    my $body = json_decode($r->{body});
    is($body->{user}{email}, 'amy@example.com', '{session, user}: the target');
    is($body->{session}{impersonatedBy}, $admin->{id},
       'the session says who impersonates');
    my $imp = $body->{session}{token};
    my @set = @{ $r->{headers}{'set-cookie'} };
    is(scalar @set, 6, 'six cookies');
    like($set[0], qr/^better-auth\.session_token=; Max-Age=0/, '1: session_token expired');
    like($set[1], qr/^better-auth\.session_data=; Max-Age=0/, '2: session_data expired');
    like($set[2], qr/^better-auth\.dont_remember=; Max-Age=0/, '3: dont_remember expired');
    like($set[3], qr/^better-auth\.admin_session=\Q${\ (sign("$admin_tok:") =~ s{([^A-Za-z0-9\-_.!~*'()])}{sprintf('%%%02X', ord $1)}ger) }\E; Max-Age=604800; /,
         '4: admin_session keeps the admin\'s token, signed, for a week');
    like($set[4], qr/^better-auth\.session_token=\Q$imp\E\.[^;]+; Path=\/; HttpOnly; SameSite=Lax$/,
         '5: the new session_token, no Max-Age');
    like($set[5], qr/^better-auth\.dont_remember=true\./, '6: dont_remember=true');
    like($r->{headers}{'set-auth-token'}[0], qr/^\Q$imp\E\./, 'set-auth-token for bearer clients');
    my $secs = psql("SELECT round(extract(epoch FROM \"expiresAt\" - now()))"
                    . " FROM session WHERE token = '$imp'");
    ok($secs > 3500 && $secs <= 3600, "an hour long ($secs s)");

    is($nginx->request('GET', '/app/x', headers => ["Authorization: Bearer $imp"])->{body},
       "$amy->{id} user\n", 'the gate admits the impersonation as amy');

    $r = $nginx->request('GET', '/api/auth/list-sessions',
                         headers => ["Authorization: Bearer $imp"]);
    is($r->{body}, '[]', 'list-sessions hides impersonation sessions');

    (my $admin_session = $set[3]) =~ s/;.*//;
    (my $imp_cookie = $set[4]) =~ s/;.*//;

    # a cookie client gives it back
    $r = $nginx->request('POST', '/api/auth/admin/stop-impersonating',
        headers => [ "Cookie: $imp_cookie; $admin_session", $origin ]);
    is($r->{code}, 200, 'stop-impersonating: 200');
    $body = json_decode($r->{body});
    is_deeply([ $body->{session}{token}, $body->{user}{id} ],
              [ $admin_tok, $admin->{id} ], 'the admin\'s own session back');
    @set = @{ $r->{headers}{'set-cookie'} };
    like($set[0], qr/^better-auth\.session_token=\Q$admin_tok\E\.[^;]+; Max-Age=604800;/,
         'the session cookie, remembered as it was');
    like($set[1], qr/^better-auth\.admin_session=; Max-Age=0/,
         'admin_session expired; no dont_remember was sent, none is expired');
    is(scalar @set, 2, 'two cookies');
    is(psql("SELECT count(*) FROM session WHERE token = '$imp'"), 0,
       'the impersonation session is gone');
    is($nginx->request('GET', '/app/x', headers => ["Authorization: Bearer $imp"])->{code},
       401, 'and the gate refuses it at once');

    # a bearer client too, with the admin_session cookie it was given
    $r = call('POST', '/admin/impersonate-user', $admin_tok, qq({"userId":"$amy->{id}"}));
    my $imp2 = json_decode($r->{body})->{session}{token};
    ($admin_session = $r->{headers}{'set-cookie'}[3]) =~ s/;.*//;
    $r = $nginx->request('POST', '/api/auth/admin/stop-impersonating',
        headers => [ "Authorization: Bearer $imp2", "Cookie: $admin_session", $origin ]);
    is($r->{code}, 200, 'a bearer client stops impersonating');
    like($r->{headers}{'set-auth-token'}[0], qr/^\Q$admin_tok\E\./,
         'and gets the admin\'s token back in set-auth-token');

    # the dont_remember cookie a browser holds from impersonate-user goes
    # with a remembered admin; an admin who was not remembered stays so
    my $dont = 'better-auth.dont_remember='
               . (sign('true') =~ s{([^A-Za-z0-9\-_.!~*'()])}{sprintf('%%%02X', ord $1)}ger);
    for my $remembered (1, 0) {
        my @mine = ("Cookie: $admin_cookie" . ($remembered ? '' : "; $dont"),
                    $origin, 'Content-Type: application/json');
        $r = $nginx->request('POST', '/api/auth/admin/impersonate-user',
                             headers => \@mine, body => qq({"userId":"$amy->{id}"}));
        my @got = map { s/;.*//r } @{ $r->{headers}{'set-cookie'} }[3, 4];
        $r = $nginx->request('POST', '/api/auth/admin/stop-impersonating',
            headers => [ "Cookie: $got[1]; $got[0]; $dont", $origin ]);
        @set = @{ $r->{headers}{'set-cookie'} };
        if ($remembered) {
            like($set[0], qr/^better-auth\.session_token=\Q$admin_tok\E\.[^;]+; Max-Age=604800;/,
                 'remembered admin: the session cookie with its Max-Age');
            like($set[1], qr/^better-auth\.dont_remember=; Max-Age=0/,
                 'and the dont_remember that was sent is expired');
        } else {
            like($set[0], qr/^better-auth\.session_token=\Q$admin_tok\E\.[^;]+; Path=\/; HttpOnly; SameSite=Lax$/,
                 'admin not remembered: the session cookie without Max-Age');
            like($set[1], qr/^better-auth\.dont_remember=true\./,
                 'and dont_remember=true again');
        }
        like($set[2], qr/^better-auth\.admin_session=; Max-Age=0/, 'admin_session expired');
    }

    $r = $nginx->request('POST', '/api/auth/admin/stop-impersonating',
        headers => [ "Authorization: Bearer $admin_tok" ]);
    is($r->{body}, '{"message":"You are not impersonating anyone"}',
       'stop without impersonating: 400, a message alone');
    $r = call('POST', '/admin/impersonate-user', $admin_tok, qq({"userId":"$amy->{id}"}));
    my $imp3 = json_decode($r->{body})->{session}{token};
    $r = $nginx->request('POST', '/api/auth/admin/stop-impersonating',
        headers => [ "Authorization: Bearer $imp3" ]);
    is($r->{code}, 500, 'without the admin_session cookie: 500');
    is($r->{body}, '{"message":"Failed to find admin session"}', 'saying why');

    $r = call('POST', '/admin/impersonate-user', $admin_tok, qq({"userId":"$boss->{id}"}));
    is($r->{body}, '{"message":"You cannot impersonate admins","code":"YOU_CANNOT_IMPERSONATE_ADMINS"}',
       'an admin cannot be impersonated');
    $r = call('POST', '/admin/impersonate-user', $admin_tok, qq({"userId":"$other->{id}"}));
    is($r->{code}, 403, 'a banned user cannot be impersonated');
    like($r->{body}, qr/"code":"BANNED_USER"/, 'BANNED_USER, from the ban hook');
    $r = call('POST', '/admin/impersonate-user', $joe_tok, qq({"userId":"$amy->{id}"}));
    is($r->{body}, '{"message":"You are not allowed to impersonate users","code":"YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS"}',
       'needs user:impersonate');
    $r = call('POST', '/admin/impersonate-user', $admin_tok, '{"userId":"ghost"}');
    is($r->{code}, 404, 'an unknown user: 404');

    # one transaction: a failure half way leaves no impersonation session
    my $before = psql(qq{SELECT count(*) FROM session WHERE "userId" = '$amy->{id}'});
    psql('ALTER TABLE admin_audit_logs RENAME TO admin_audit_logs_away');
    $r = call('POST', '/admin/impersonate-user', $admin_tok, qq({"userId":"$amy->{id}"}));
    psql('ALTER TABLE admin_audit_logs_away RENAME TO admin_audit_logs');
    is($r->{code}, 500, 'impersonation failing half way: 500');
    is(psql(qq{SELECT count(*) FROM session WHERE "userId" = '$amy->{id}'}), $before,
       'and no session was left behind');

    # malformed JSON is refused before anything, and logged
    $r = call('POST', '/admin/impersonate-user', $admin_tok, '{"userId":');
    is($r->{body}, '{"message":"Invalid JSON in request body","code":"BAD_REQUEST"}',
       'malformed JSON: 400 BAD_REQUEST');

    my $rows = audit_rows('admin.impersonate_user');
    is(scalar @$rows, 10, 'impersonate-user: a row each (but the one without a table)');
    is($rows->[-1][3], 'BAD_REQUEST', 'the malformed one among them');
    is($rows->[0][0], $admin->{id}, 'the actor is the admin, not the target');
    is(scalar @{ audit_rows('admin.stop_impersonating') }, 6, 'stop-impersonating too');
}

$nginx->stop;

done_testing();
