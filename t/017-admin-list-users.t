# GET /admin/list-users over 1,200 seeded users: search, filter, sort,
# paging, totals with the same conditions, and every kind of bad input.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

servers();

my $nginx = start_nginx();

my $admin = create_user(email => 'admin@example.com', name => 'Admin',
                        role => 'admin');
my $plain = create_user(email => 'plain@example.com', name => 'Plain');
my $admin_tok = create_session($admin->{id});
my $plain_tok = create_session($plain->{id});

# 1,200 more: every 10th an admin, every 7th banned, names Zed/Amy/Bob
psql(q{INSERT INTO "user" (id, name, email, "emailVerified", "createdAt",
       "updatedAt", role, banned)
       SELECT 'seed' || g, (ARRAY['Zed', 'Amy', 'Bob'])[g % 3 + 1] || ' ' || g,
              'seed' || g || '@example.org', g % 2 = 0,
              timestamptz '2025-01-01' + g * interval '1 minute',
              timestamptz '2025-01-01', CASE WHEN g % 10 = 0 THEN 'admin'
              ELSE 'user' END, g % 7 = 0
       FROM generate_series(1, 1200) g});
# and two that a careless LIKE would confuse
create_user(email => 'a_b@example.net', name => '100% sure');
create_user(email => 'axb@example.net', name => '100 percent');

my $all = psql('SELECT count(*) FROM "user"');

sub list {
    my ($query, $token) = @_;
    my $r = $nginx->request('GET', "/api/auth/admin/list-users$query",
        headers => [ 'Authorization: Bearer ' . ($token || $admin_tok) ]);
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub emails { [ map { $_->{email} } @{ $_[0]{json}{users} } ] }

my $r = list('');
is($r->{code}, 200, 'list-users: 200');
is(scalar @{ $r->{json}{users} }, 100, 'at most 100 without a limit');
is($r->{json}{total}, $all, 'total: every user');
ok(!exists $r->{json}{limit} && !exists $r->{json}{offset},
   'limit and offset only when set');
like($r->{body}, qr/^\{"users":\[\{"name":/, 'users first, then total');

$r = list('?limit=20&offset=40&sortBy=createdAt');
is(scalar @{ $r->{json}{users} }, 20, 'limit=20: twenty');
is($r->{json}{limit}, 20, 'limit echoed');
is($r->{json}{offset}, 40, 'offset echoed');
is($r->{json}{total}, $all, 'total is not the page');

# sorting
$r = list('?sortBy=createdAt&sortDirection=desc&limit=3');
is_deeply(emails($r), [ 'axb@example.net', 'a_b@example.net', 'plain@example.com' ],
          'newest first');
$r = list('?sortBy=email&limit=2');
is_deeply(emails($r), [ 'a_b@example.net', 'admin@example.com' ],
          'by email, ascending');

# search
$r = list('?searchValue=seed12&searchField=email&searchOperator=starts_with&limit=1000');
is($r->{json}{total}, 12, 'starts_with: seed12, seed120-129, seed1200');
is(scalar @{ $r->{json}{users} }, 12, 'all of them on the page');
$r = list('?searchValue=Amy&searchField=name');
is($r->{json}{total}, 400, 'name contains "Amy": 400');
$r = list('?searchValue=amy&searchField=name');
is($r->{json}{total}, 0, 'case-sensitive, as better-auth on Postgres');
$r = list('?searchValue=.net&searchOperator=ends_with');
is($r->{json}{total}, 2, 'ends_with');
$r = list('?searchValue=a_b');
is_deeply(emails($r), [ 'a_b@example.net' ], '"_" is a character, not a wildcard');
$r = list('?searchValue=100%25&searchField=name');
is_deeply(emails($r), [ 'a_b@example.net' ], '"%" is a character too');
$r = list("?searchValue=%27%20OR%201%3D1%20--");
is($r->{code}, 200, 'SQL in a search value: 200');
is($r->{json}{total}, 0, 'and it matches nothing');

# filters
$r = list('?filterField=role&filterValue=admin');
is($r->{json}{total}, 121, 'role eq admin: the 120 seeded and the caller');
$r = list('?filterField=banned&filterValue=true&filterOperator=eq');
is($r->{json}{total}, 171, 'banned eq true');
$r = list('?filterField=role&filterValue=admin&filterOperator=ne');
is($r->{json}{total}, $all - 121, 'ne');
$r = list('?filterField=createdAt&filterOperator=lt&filterValue=2025-01-01T00:10:30Z');
is($r->{json}{total}, 10, 'createdAt lt a date');
$r = list('?filterField=email&filterOperator=in&filterValue=seed1@example.org,seed2@example.org,nobody');
is($r->{json}{total}, 2, 'in a list');
$r = list('?filterField=role&filterOperator=not_in&filterValue=user');
is($r->{json}{total}, 121, 'not_in');
$r = list('?searchValue=Zed&searchField=name&filterField=banned&filterValue=true');
is($r->{json}{total}, scalar(grep { $_ % 3 == 2 && $_ % 7 == 0 } 1 .. 1200),
   'search and filter together (AND)');

# what better-auth's failing query answers
for my $q ('?sortBy=password', '?filterField=nope&filterValue=1',
           '?filterField=banned&filterValue=maybe',
           '?filterField=createdAt&filterValue=not-a-date', '?limit=-5',
           '?offset=2.5')
{
    $r = list($q);
    is($r->{body}, '{"users":[],"total":0}', "$q: an empty list");
}

# limits
$r = list('?limit=abc&offset=0');
is(scalar @{ $r->{json}{users} }, 100, 'limit=abc reads as unset');
ok(!exists $r->{json}{limit}, 'and is not echoed');
$r = list('?limit=100000000');
is(scalar @{ $r->{json}{users} }, 1000, 'an absurd limit: at most 1000 rows');
is($r->{json}{limit}, 1000, 'and says so');
$r = list('?offset=99999999');
is_deeply($r->{json}{users}, [], 'an offset past the end: nothing');
is($r->{json}{total}, $all, 'total all the same');

# bad input
$r = list('?searchField=role&searchValue=x');
is($r->{body}, '{"message":"[query.searchField] Invalid option: expected one of \"email\"|\"name\"","code":"VALIDATION_ERROR"}',
   'searchField is email or name');
$r = list('?sortDirection=up&filterOperator=like');
is($r->{body}, '{"message":"[query.filterOperator] Invalid option: expected one of \"eq\"|\"ne\"|\"lt\"|\"lte\"|\"gt\"|\"gte\"|\"in\"|\"not_in\"|\"contains\"|\"starts_with\"|\"ends_with\"; [query.sortDirection] Invalid option: expected one of \"asc\"|\"desc\"","code":"VALIDATION_ERROR"}',
   'operators and directions are enums');
$r = list('', $plain_tok);
is($r->{code}, 403, 'a plain user: 403');
is($r->{body}, '{"message":"You are not allowed to list users","code":"YOU_ARE_NOT_ALLOWED_TO_LIST_USERS"}',
   'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS');
$r = $nginx->request('GET', '/api/auth/admin/list-users');
is($r->{code}, 401, 'no session: 401');

# the total kept by triggers follows every writer
psql(q{DELETE FROM "user" WHERE id LIKE 'seed1%'});
psql(q{INSERT INTO "user" (id, name, email, "emailVerified", "createdAt",
       "updatedAt") VALUES ('x1', 'X', 'x1@example.com', false, now(), now()),
       ('x2', 'X', 'x2@example.com', false, now(), now())});
$r = list('');
is($r->{json}{total}, psql('SELECT count(*) FROM "user"'),
   'after SQL deletes and inserts, the total is still exact');

$nginx->stop;

done_testing();
