# GET /admin/audit-log/list: the rows the audited admin routes write,
# newest first, filtered and paged, with the total that matches; never the
# actor's session token; bad filters refused; the list itself not logged.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers();
my $nginx = start_nginx();

my $admin = create_user(email => 'audit-admin@example.com', role => 'admin');
my $plain = create_user(email => 'audit-plain@example.com');
my $tok = create_session($admin->{id});
my $plain_tok = create_session($plain->{id});

sub call { $nginx->api(@_) }
sub list { call('GET', '/admin/audit-log/list' . ($_[0] // ''), @_ > 1 ? $_[1] : $tok) }

# rows written by the routes themselves: a change, a refusal, another user
my $r = call('POST', '/admin/set-role', $tok, qq({"userId":"$plain->{id}","role":"user"}));
is($r->{code}, 200, 'set-role');
$r = call('POST', '/admin/ban-user', $tok, '{"userId":"ghost"}');
is($r->{code}, 404, 'ban-user of nobody: refused, and logged');
$r = call('POST', '/admin/set-role', $plain_tok, qq({"userId":"$admin->{id}","role":"user"}));
is($r->{code}, 403, 'set-role by a plain user: refused, and logged');

$r = list();
is($r->{code}, 200, 'list: 200');
my $body = json_decode($r->{body});
is_deeply([ @$body{qw(total limit offset)} ], [ 3, 50, 0 ], 'total, limit, offset');
like($r->{body}, qr/^\{"total":3,"limit":50,"offset":0,"auditLogs":\[/, 'in that order');
is_deeply([ map { $_->{action} } @{ $body->{auditLogs} } ],
          [ 'admin.set_role', 'admin.ban_user', 'admin.set_role' ], 'newest first');
my $row = $body->{auditLogs}[2];
is_deeply([ sort keys %$row ],
          [ sort qw(id actorUserId action targetType targetId success errorMessage metadata createdAt) ],
          'the record\'s fields, and no session token');
is_deeply([ @$row{qw(actorUserId targetType targetId errorMessage)} ],
          [ $admin->{id}, 'user', $plain->{id}, undef ], 'the first change');
ok($row->{success}, 'a success');
is($row->{metadata}{ip}, '127.0.0.1', 'metadata is an object, with the client address');
like($row->{createdAt}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'createdAt in ISO 8601');
unlike($r->{body}, qr/\Q$tok\E/, 'the token is nowhere');
is_deeply([ @{ $body->{auditLogs}[1] }{qw(errorMessage targetId)} ], [ 'USER_NOT_FOUND', 'ghost' ],
          'a refusal with its code');

# filters
sub actions {
    my ($q) = @_;
    my $b = json_decode(list($q)->{body});
    return [ $b->{total}, [ map { $_->{action} . ':' . ($_->{success} ? 't' : 'f') } @{ $b->{auditLogs} } ] ];
}
is_deeply(actions("?actorUserId=$plain->{id}"), [ 1, ['admin.set_role:f'] ], 'by actor');
is_deeply(actions('?action=admin.ban_user'), [ 1, ['admin.ban_user:f'] ], 'by action');
is_deeply(actions('?success=true'), [ 1, ['admin.set_role:t'] ], 'success=true');
is_deeply(actions('?success=false&targetType=user'), [ 2, ['admin.set_role:f', 'admin.ban_user:f'] ],
          'success=false and a target type');
is_deeply(actions('?targetId=ghost'), [ 1, ['admin.ban_user:f'] ], 'by target');
is_deeply(actions('?createdAfter=2999-01-01'), [ 0, [] ], 'created after a day to come');
is_deeply(actions('?createdBefore=2000-01-01T00:00:00.000Z'), [ 0, [] ], 'created before 2000');
is_deeply(actions('?createdAfter=2000-01-01&action=admin.set_role'), [ 2, ['admin.set_role:f', 'admin.set_role:t'] ],
          'filters combine');
is_deeply(actions('?actorUserId=%27%20OR%20%271%27%3D%271'), [ 0, [] ],
          'SQL in a filter is only a value');

# paging over a few thousand rows
psql(qq{INSERT INTO admin_audit_logs (id, actor_user_id, action, target_type,
        target_id, success, metadata, created_at)
        SELECT 'bulk' || g, '$admin->{id}', 'admin.bulk', 'user', 'u' || g,
        g % 3 <> 0, '{}', now() - interval '1 day' - g * interval '1 second'
        FROM generate_series(1, 3000) g});
$body = json_decode(list('?action=admin.bulk&limit=20&offset=40')->{body});
is_deeply([ $body->{total}, $body->{limit}, $body->{offset}, scalar @{ $body->{auditLogs} } ],
          [ 3000, 20, 40, 20 ], 'a page of 20 from 40');
is_deeply([ map { $_->{targetId} } @{ $body->{auditLogs} }[0, 19] ], [ 'u41', 'u60' ],
          'newest first, from where the offset says');
$body = json_decode(list('?action=admin.bulk&success=false&limit=5000')->{body});
is_deeply([ $body->{total}, $body->{limit}, scalar @{ $body->{auditLogs} } ], [ 1000, 1000, 1000 ],
          'a limit above 1000 is answered as 1000');
$body = json_decode(list('?action=admin.bulk&offset=5000')->{body});
is_deeply([ $body->{total}, scalar @{ $body->{auditLogs} } ], [ 3000, 0 ], 'past the end: the total, no rows');

# the totals kept by migration 008's triggers: no filter, or an actor's
sub kept_ok {
    my ($what) = @_;
    is(psql(q{SELECT string_agg(actor_user_id || '=' || n, ',' ORDER BY actor_user_id)
              FROM admin_audit_log_counts WHERE n <> 0}),
       psql(q{SELECT string_agg(k || '=' || n, ',' ORDER BY k) FROM (
                SELECT '' AS k, count(*) AS n FROM admin_audit_logs
                UNION ALL
                SELECT actor_user_id, count(*) FROM admin_audit_logs
                WHERE actor_user_id <> '' GROUP BY actor_user_id) s}),
       "kept counts equal the rows: $what");
}
kept_ok('after inserts');
$body = json_decode(list("?actorUserId=$admin->{id}&limit=10")->{body});
is($body->{total}, psql(qq{SELECT count(*) FROM admin_audit_logs WHERE actor_user_id = '$admin->{id}'}),
   "an actor's total, from the kept count");
is(json_decode(list('?limit=10')->{body})->{total}, psql('SELECT count(*) FROM admin_audit_logs'),
   'the total of all rows, from the kept count');
is(json_decode(list('?actorUserId=nobody&limit=10&offset=5')->{body})->{total}, 0,
   'an actor without rows: 0');
psql(q{DELETE FROM admin_audit_logs WHERE id IN ('bulk1', 'bulk2', 'bulk3')});
kept_ok('after a delete');
psql(qq{UPDATE admin_audit_logs SET actor_user_id = 'moved' WHERE id IN ('bulk4', 'bulk5')});
kept_ok('after an actor changed');
psql(qq{INSERT INTO admin_audit_logs (id, actor_user_id, action, success, metadata, created_at)
        VALUES ('n1', NULL, 'admin.x', true, '{}', now()), ('n2', '', 'admin.x', true, '{}', now())});
kept_ok('rows without an actor count in the total only');
$body = json_decode(list("?actorUserId=$admin->{id}&limit=10&offset=10")->{body});
is($body->{total}, psql(qq{SELECT count(*) FROM admin_audit_logs WHERE actor_user_id = '$admin->{id}'}),
   'and the answer follows');

# refusals
my $before = psql('SELECT count(*) FROM admin_audit_logs');
for my $c (['?limit=0', 'limit'], ['?limit=-5', 'limit'], ['?limit=ten', 'limit'],
           ['?offset=-1', 'offset'], ['?offset=1.5', 'offset'],
           ['?success=yes', 'success'], ['?createdAfter=yesterday', 'createdAfter'],
           ['?createdBefore=2030-13-01', 'createdBefore'], ['?action=a&action=b', 'action'])
{
    $r = list($c->[0]);
    is($r->{code}, 400, "$c->[0]: 400");
    like($r->{body}, qr/^\{"message":"\[query\.$c->[1]\] .+","code":"VALIDATION_ERROR"\}$/,
         "$c->[0]: names the field");
}
is(list('', undef)->{code}, 401, 'no session: 401');
$r = list('', $plain_tok);
is($r->{body}, '{"message":"You are not allowed to list audit logs","code":"YOU_ARE_NOT_ALLOWED_TO_LIST_AUDIT_LOGS"}',
   'a plain user: 403');
is(psql('SELECT count(*) FROM admin_audit_logs'), $before, 'lists and refusals wrote no row');

psql('TRUNCATE admin_audit_logs');
is(psql('SELECT count(*) FROM admin_audit_log_counts'), 0, 'a truncate empties the counts');

$nginx->stop;
done_testing();
