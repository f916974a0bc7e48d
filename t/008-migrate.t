# Migrations on a database that better-auth 1.7.25 created: they add only
# what is missing (the admin and organization columns and tables), change
# no existing row, run twice without effect, and leave a database the
# module then serves. Also: a schema other than public.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers(no_migrate => 1);

# the tables exactly as better-auth 1.7.25's migrator makes them for a
# plain email-and-password app (no admin, no organization plugin)
psql(<<'SQL');
create table "user" ("id" text not null primary key, "name" text not null,
  "email" text not null unique, "emailVerified" boolean not null,
  "image" text, "createdAt" timestamptz default CURRENT_TIMESTAMP not null,
  "updatedAt" timestamptz default CURRENT_TIMESTAMP not null);
create table "session" ("id" text not null primary key,
  "expiresAt" timestamptz not null, "token" text not null unique,
  "createdAt" timestamptz default CURRENT_TIMESTAMP not null,
  "updatedAt" timestamptz not null, "ipAddress" text, "userAgent" text,
  "userId" text not null references "user" ("id") on delete cascade);
create table "account" ("id" text not null primary key,
  "accountId" text not null, "providerId" text not null,
  "userId" text not null references "user" ("id") on delete cascade,
  "accessToken" text, "refreshToken" text, "idToken" text,
  "accessTokenExpiresAt" timestamptz, "refreshTokenExpiresAt" timestamptz,
  "scope" text, "password" text,
  "createdAt" timestamptz default CURRENT_TIMESTAMP not null,
  "updatedAt" timestamptz not null);
create table "verification" ("id" text not null primary key,
  "identifier" text not null, "value" text not null,
  "expiresAt" timestamptz not null,
  "createdAt" timestamptz default CURRENT_TIMESTAMP not null,
  "updatedAt" timestamptz default CURRENT_TIMESTAMP not null);
create index "session_userId_idx" on "session" ("userId");
create index "account_userId_idx" on "account" ("userId");
create index "verification_identifier_idx" on "verification" ("identifier");
SQL

# rows an app wrote, with a user whose password better-auth hashed
my $hash = Athena::Test::scrypt_hash('existing-Passw0rd');
psql(<<"SQL");
insert into "user" values ('u1', 'Old User', 'old\@example.com', true, null,
  '2024-01-02 03:04:05.678+00', '2024-01-02 03:04:05.678+00');
insert into "user" values ('u2', 'O''Quote', 'quote\@example.com', false,
  'https://x/y.png', '2024-02-02 00:00:00+00', '2024-02-03 00:00:00+00');
insert into account values ('a1', 'u1', 'credential', 'u1', null, null, null,
  null, null, null, '$hash', '2024-01-02 03:04:05+00', '2024-01-02 03:04:05+00');
insert into session values ('s1', now() + interval '3 days', 'tok1',
  now() - interval '1 hour', now(), '10.0.0.1', 'ua', 'u1');
insert into verification values ('v1', 'email', 'code', now(), now(), now());
SQL

sub snapshot {
    return join "\n", map {
        psql(qq{SELECT md5(string_agg(t::text, '|' ORDER BY t::text))
                FROM (SELECT * FROM "$_") t});
    } qw(user session account verification);
}
sub columns {
    return psql(q{SELECT string_agg(table_name || '.' || column_name || ':'
                  || data_type || ':' || is_nullable, ',' ORDER BY 1)
                  FROM information_schema.columns
                  WHERE table_schema = 'public'});
}

my $before = snapshot();
my $cols_before = columns();

$servers->migrate;
is(psql('SELECT string_agg(version, \',\' ORDER BY version) FROM athena_migrations'),
   '001_core,002_organization,003_admin_audit,004_user_list,005_audit_list,006_athena_clients,007_apikey,008_audit_counts,009_audit_indexes,010_emails,011_email_send_failures,012_email_templates,013_email_outbox,014_email_default_templates,015_email_counts,016_rest_lists,017_jwks,018_admin_roles,019_cache_notify,020_member_order',
   'every migration recorded in the ledger');

# the old columns keep their values; the new ones are NULL on old rows
my $old_values = psql(q{SELECT string_agg(concat_ws(',', id, name, email,
                        "emailVerified", image, "createdAt", "updatedAt"),
                        '|' ORDER BY id) FROM "user"});
is($old_values,
   'u1,Old User,old@example.com,t,2024-01-02 03:04:05.678+00,2024-01-02 03:04:05.678+00|'
   . "u2,O'Quote,quote\@example.com,f,https://x/y.png,2024-02-02 00:00:00+00,2024-02-03 00:00:00+00",
   'existing user rows unchanged');
is(psql(q{SELECT count(*) FROM "user" WHERE role IS NULL AND banned IS NULL}),
   2, 'admin columns added, NULL on old rows');

my $cols_after = columns();
for my $c (split /,/, $cols_before) {
    ok(index(",$cols_after,", ",$c,") >= 0, "column kept as it was: $c");
}
like($cols_after, qr/session\.impersonatedBy:text/, 'impersonatedBy added');
like($cols_after, qr/session\.activeOrganizationId:text/,
     'activeOrganizationId added');
like($cols_after, qr/organization\.slug:text:NO/, 'organization table added');
like($cols_after, qr/admin_audit_logs\.action:text:NO/, 'audit table added');
like($cols_after, qr/apikey\.referenceId:text:NO/, 'the api-key plugin table added');

# run again: nothing to do, nothing changes
my $after = snapshot();
$servers->migrate;
is(snapshot(), $after, 'a second run changes nothing');
is(psql('SELECT count(*) FROM athena_migrations'), 20, 'and records nothing');
is(psql('SELECT n FROM athena_user_count'), psql('SELECT count(*) FROM "user"'),
   'the user count starts from the users already there');

# the module serves the migrated database: the app's user signs in, the
# app's session is accepted (NULL role reads as "user" in better-auth)
my $nginx = start_nginx();
my $r = $nginx->request('POST', '/api/auth/sign-in/email',
    headers => ['Content-Type: application/json'],
    body => '{"email":"old@example.com","password":"existing-Passw0rd"}');
is($r->{code}, 200, "the app's user signs in through the module");
$r = $nginx->request('GET', '/api/auth/get-session',
                     headers => ['Authorization: Bearer tok1']);
like($r->{body}, qr/"token":"tok1".*"email":"old\@example.com"/,
     "the app's session is accepted");
$nginx->stop;

# another schema, beside the public one
$servers->migrate('auth');
is(psql(q{SELECT count(*) FROM information_schema.tables
          WHERE table_schema = 'auth' AND table_name IN
          ('user', 'session', 'account', 'verification', 'organization',
           'member', 'invitation', 'athena_migrations')}), 8,
   'migrated into schema "auth"');

$nginx = start_nginx(http_config => default_http_config(
    extra => 'athena_auth_postgres_schema auth;'));
$r = $nginx->request('POST', '/api/auth/sign-up/email',
    headers => ['Content-Type: application/json'],
    body => '{"name":"A","email":"old@example.com","password":"password-123"}');
is($r->{code}, 200, 'the same email signs up in the other schema');
is(psql(q{SELECT count(*) FROM auth."user"}), 1, 'written to auth."user"');
is(psql(q{SELECT count(*) FROM public."user"}), 2, 'public untouched');
$nginx->stop;

done_testing();
