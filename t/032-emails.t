# Athena's record of sent emails: /admin/email/list, /get, /create,
# /update and /delete, with both key styles (camelCase, snake_case), patch
# semantics, the list's filters and paging, every refusal (nothing
# written), and the audit row of each change.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers();
my $nginx = start_nginx();

my $admin = create_user(email => 'mail-admin@example.com', role => 'admin');
my $plain = create_user(email => 'mail-user@example.com');
my %tok = (admin => create_session($admin->{id}), plain => create_session($plain->{id}));

sub call {
    my ($method, $path, $who, $body) = @_;
    my $r = $nginx->request($method, "/api/auth/admin$path",
        headers => [ $who ? "Authorization: Bearer $tok{$who}" : (),
                     defined $body ? 'Content-Type: application/json' : () ],
        body => defined $body ? (ref $body ? json_encode($body) : $body) : undef);
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub rows { psql('SELECT count(*) FROM emails') }
sub audits { psql(qq{SELECT count(*) FROM admin_audit_logs WHERE action = '$_[0]'}) }


# --- create ------------------------------------------------------------------

my $r = call('POST', '/email/create', 'admin',
             { recipientEmail => 'Ann@Example.com', subject => 'Welcome, Ann',
               fromAddress => 'noreply@example.com', fromName => 'Example',
               textBody => 'Hello', htmlBody => '<p>Hello</p>', provider => 'smtp',
               flow => 'user.welcome', metadata => { campaign => 'w1', n => [1, 2] } });
is($r->{code}, 200, 'create (camelCase)');
is($r->{json}{success}, JSON::PP::true, 'answers success');
my $id = $r->{json}{id};
like($id, qr/^[A-Za-z0-9]{32}$/, 'and the new id');
is(psql(qq{SELECT recipient_email || '|' || subject || '|' || from_name || '|' || flow
           || '|' || metadata::text FROM emails WHERE id = '$id'}),
   'Ann@Example.com|Welcome, Ann|Example|user.welcome|{"n": [1, 2], "campaign": "w1"}',
   'stored as given');
is(psql(qq{SELECT success::text || target_type || target_id FROM admin_audit_logs
           WHERE action = 'admin.email.create'}), "trueemail$id", 'audited');

$r = call('POST', '/email/create', 'admin',
          { recipient_email => 'bob@example.com', subject => "x'; DROP TABLE emails; --",
            from_address => 'noreply@example.com', provider => 'ses', text_body => 'b' });
is($r->{code}, 200, 'create (snake_case, as the current SDK sends)');
my $id2 = $r->{json}{id};
is(psql(qq{SELECT subject || '|' || text_body || '|' || coalesce(flow, 'none') FROM emails
           WHERE id = '$id2'}), "x'; DROP TABLE emails; --|b|none",
   'SQL in a value is only a value');

my $before = rows();
my $audits = audits('admin.email.create');
my @bad = (
    [ {}, 'recipientEmail', 'nothing' ],
    [ { recipientEmail => 'not-an-email', subject => 's', fromAddress => 'a@example.com', provider => 'p' },
      'recipientEmail', 'a bad recipient' ],
    [ { recipientEmail => 'a@example.com', subject => 's', fromAddress => 'a@b', provider => 'p' },
      'fromAddress', 'a bad sender' ],
    [ { recipientEmail => "a\@example.com\r\nBcc: x\@evil.com", subject => 's', fromAddress => 'a@example.com', provider => 'p' },
      'recipientEmail', 'CR/LF in an address' ],
    [ { recipientEmail => 'a@example.com', subject => "Hi\r\nBcc: x\@evil.com", fromAddress => 'a@example.com', provider => 'p' },
      'subject', 'CR/LF in a subject' ],
    [ { recipientEmail => 'a@example.com', subject => 's', fromAddress => 'a@example.com', provider => 'p', fromName => "Eve\nX: y" },
      'fromName', 'a line break in a name' ],
    [ { recipientEmail => 'a@example.com', subject => 's' x 999, fromAddress => 'a@example.com', provider => 'p' },
      'subject', 'a subject over 998' ],
    [ { recipientEmail => 'a@example.com', subject => '', fromAddress => 'a@example.com', provider => 'p' },
      'subject', 'an empty subject' ],
    [ { recipientEmail => 'a@example.com', subject => 's', fromAddress => 'a@example.com', provider => '' },
      'provider', 'an empty provider' ],
    [ { recipientEmail => 'a@example.com', subject => 's', fromAddress => 'a@example.com', provider => 'p', metadata => [1] },
      'metadata', 'metadata a list' ],
    [ { recipientEmail => 'a@example.com', subject => 7, fromAddress => 'a@example.com', provider => 'p' },
      'subject', 'a subject that is a number' ],
    [ { recipientEmail => 'a@example.com', subject => 's', fromAddress => 'a@example.com', provider => 'p', textBody => 5 },
      'textBody', 'a body that is a number' ],
);
for my $b (@bad) {
    $r = call('POST', '/email/create', 'admin', $b->[0]);
    is_deeply([ $r->{code}, $r->{json}{code} ], [ 400, 'VALIDATION_ERROR' ], "create refused: $b->[2]");
    like($r->{json}{message} || '', qr/\[body\.$b->[1]\]/, "  naming $b->[1]");
}
$r = call('POST', '/email/create', 'admin',
          '{"recipientEmail":"a@example.com","subject":"s","fromAddress":"a@example.com",'
          . '"provider":"p","metadata":' . ('{"a":' x 40) . '1' . ('}' x 40) . '}');
is($r->{code}, 400, 'metadata nested too deep');
is(call('POST', '/email/create', 'plain', { recipientEmail => 'a@example.com' })->{code}, 400,
   'a plain user with a bad body: the body first');
$r = call('POST', '/email/create', 'plain',
          { recipientEmail => 'a@example.com', subject => 's', fromAddress => 'a@example.com', provider => 'p' });
is_deeply([ $r->{code}, $r->{json}{code} ], [ 403, 'YOU_ARE_NOT_ALLOWED_TO_MANAGE_EMAILS' ], 'a plain user: 403');
is(call('POST', '/email/create', undef,
        { recipientEmail => 'a@example.com', subject => 's', fromAddress => 'a@example.com', provider => 'p' })
       ->{code}, 401, 'no session: 401');
is(rows(), $before, 'no refusal wrote a record');
is(audits('admin.email.create') - $audits, scalar(@bad) + 3,
   'each refusal with an actor is audited as a failure');


# --- get ---------------------------------------------------------------------

$r = call('GET', "/email/get?id=$id", 'admin');
is($r->{code}, 200, 'get');
my $e = $r->{json}{email};
is_deeply([ @$e{qw(id recipientEmail subject fromAddress fromName textBody htmlBody provider flow)} ],
          [ $id, 'Ann@Example.com', 'Welcome, Ann', 'noreply@example.com', 'Example', 'Hello',
            '<p>Hello</p>', 'smtp', 'user.welcome' ], 'the record, in camelCase');
is_deeply($e->{metadata}, { campaign => 'w1', n => [1, 2] }, 'metadata as an object');
like($e->{createdAt}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'times in ISO 8601');
is_deeply([ call('GET', '/email/get', 'admin')->{code}, call('GET', '/email/get?id=', 'admin')->{code} ],
          [ 400, 400 ], 'no id: 400');
$r = call('GET', '/email/get?id=nowhere', 'admin');
is_deeply([ $r->{code}, $r->{json} ], [ 404, { code => 'EMAIL_NOT_FOUND', message => 'Email not found' } ],
          'an unknown id: 404');
is(call('GET', "/email/get?id=$id", 'plain')->{code}, 403, 'a plain user: 403');


# --- list --------------------------------------------------------------------

psql(q{INSERT INTO emails (id, recipient_email, subject, from_address, provider, flow,
        created_at, updated_at)
       SELECT 'bulk' || g, CASE WHEN g % 2 = 0 THEN 'even@example.com' ELSE 'odd@example.com' END,
              'Report #' || g || CASE WHEN g % 10 = 0 THEN ' 100%_done' ELSE '' END,
              'noreply@example.com', CASE WHEN g % 3 = 0 THEN 'ses' ELSE 'smtp' END, 'report',
              now() - interval '1 day' - g * interval '1 second',
              now() - interval '1 day' - g * interval '1 second'
       FROM generate_series(1, 300) g});

sub list { my $r = call('GET', "/email/list$_[0]", 'admin'); return $r->{json} }
sub ids { return [ map { $_->{id} } @{ $_[0]{emails} } ] }

my $l = list('');
is_deeply([ @$l{qw(total limit offset)}, scalar @{ $l->{emails} } ], [ 302, 50, 0, 50 ],
          'the first page: 50 of 302');
is_deeply([ @{ ids($l) }[0, 1] ], [ $id2, $id ], 'newest first');
is_deeply(ids(list('?limit=3&offset=2')), [ 'bulk1', 'bulk2', 'bulk3' ], 'a page of 3 from 2');
is(list('?recipientEmail=ANN@example.COM')->{total}, 1, 'recipient, whatever its case');
is(list('?recipientEmail=even@example.com&provider=ses')->{total}, 50, 'recipient and provider');
is(list('?flow=report&limit=10')->{total}, 300, 'by flow, the total before paging');
is(list('?subjectContains=report%20%2310')->{total}, 11, 'subject contains, whatever its case');
is(list('?subjectContains=100%25_')->{total}, 30, '% and _ are only characters');
is(list('?createdAfter=2999-01-01')->{total}, 0, 'created after a day to come');
is(list('?createdBefore=2000-01-01T00:00:00.000Z')->{total}, 0, 'created before 2000');
is(list('?limit=5000')->{limit}, 1000, 'a limit above 1000 is answered as 1000');
is_deeply([ @{ list('?offset=1000') }{qw(total)}, scalar @{ list('?offset=1000')->{emails} } ],
          [ 302, 0 ], 'past the end: the total, no rows');
for my $q ('?limit=0', '?limit=ten', '?offset=-1', '?createdAfter=yesterday', '?flow=a&flow=b') {
    is(call('GET', "/email/list$q", 'admin')->{code}, 400, "list refused: $q");
}
is(call('GET', '/email/list', 'plain')->{code}, 403, 'a plain user: 403');


# the totals of no filter, a recipient, a provider or a flow are kept by
# migration 015's triggers: they must equal the rows, whatever changes them
sub counts_ok {
    my ($what) = @_;
    is(psql(q{SELECT string_agg(dim || ':' || key || '=' || n, ',' ORDER BY dim, key)
              FROM email_counts WHERE n <> 0}),
       psql(q{SELECT string_agg(dim || ':' || key || '=' || n, ',' ORDER BY dim, key) FROM (
                SELECT '' AS dim, '' AS key, count(*) AS n FROM emails
                UNION ALL SELECT 'provider', provider, count(*) FROM emails GROUP BY provider
                UNION ALL SELECT 'flow', flow, count(*) FROM emails WHERE flow IS NOT NULL GROUP BY flow
                UNION ALL SELECT 'recipient', lower(recipient_email), count(*) FROM emails
                          GROUP BY lower(recipient_email)) s}),
       "kept counts equal the rows: $what");
}
counts_ok('after inserts');
is(list('?provider=ses&offset=200')->{total}, psql(q{SELECT count(*) FROM emails WHERE provider = 'ses'}),
   'a kept total past the page (provider)');
is(list('?recipientEmail=Odd@Example.com&limit=10')->{total}, 150, 'a kept total of a recipient, any case');
psql(q{UPDATE emails SET provider = 'ses', flow = NULL WHERE id IN ('bulk1', 'bulk2')});
counts_ok('after an update');
psql(q{DELETE FROM emails WHERE id IN ('bulk5', 'bulk6')});
counts_ok('after a delete');
is(list('?flow=report&limit=10')->{total}, 296, 'and the answer follows');


# --- update ------------------------------------------------------------------

my $updated = psql(qq{SELECT updated_at FROM emails WHERE id = '$id'});
$r = call('POST', '/email/update', 'admin',
          { id => $id, subject => 'Welcome again', from_name => undef, textBody => undef,
            metadata => { campaign => 'w2' } });
is($r->{code}, 200, 'update');
$e = $r->{json}{email};
is_deeply([ @$e{qw(subject fromName textBody htmlBody flow recipientEmail)} ],
          [ 'Welcome again', undef, undef, '<p>Hello</p>', 'user.welcome', 'Ann@Example.com' ],
          'a value replaces, null clears (snake_case too), omitted keeps');
is_deeply($e->{metadata}, { campaign => 'w2' }, 'metadata replaced, not merged');
isnt(psql(qq{SELECT updated_at FROM emails WHERE id = '$id'}), $updated, 'updatedAt bumped');
is(audits('admin.email.update'), 1, 'audited');

my $row = psql(qq{SELECT row_to_json(e)::text FROM emails e WHERE id = '$id'});
for my $b ([ { id => $id, subject => undef }, 'subject: null on a required field' ],
           [ { id => $id, recipientEmail => 'nope' }, 'a bad recipient' ],
           [ { id => $id, metadata => undef }, 'metadata: null' ],
           [ { id => $id, flow => "a\r\nb" }, 'CR/LF in the flow' ],
           [ { subject => 'x' }, 'no id' ])
{
    is(call('POST', '/email/update', 'admin', $b->[0])->{code}, 400, "update refused: $b->[1]");
}
$r = call('POST', '/email/update', 'admin', { id => 'nowhere', subject => 'x' });
is_deeply([ $r->{code}, $r->{json}{code} ], [ 404, 'EMAIL_NOT_FOUND' ], 'update: an unknown id');
is(psql(qq{SELECT row_to_json(e)::text FROM emails e WHERE id = '$id'}), $row,
   'no refused update changed the record');


# --- delete ------------------------------------------------------------------

is_deeply([ map { $_->{code} } call('POST', '/email/delete', 'admin', { id => $id }) ], [ 200 ], 'delete');
is(psql(qq{SELECT count(*) FROM emails WHERE id = '$id'}), 0, 'gone');
is(call('POST', '/email/delete', 'admin', { id => $id })->{json}{code}, 'EMAIL_NOT_FOUND', 'deleted twice: 404');
is(call('POST', '/email/delete', 'admin', {})->{code}, 400, 'no id: 400');
is(call('POST', '/email/delete', 'plain', { id => $id2 })->{code}, 403, 'a plain user: 403');
is(psql(q{SELECT string_agg(success::text, ',' ORDER BY created_at) FROM admin_audit_logs
          WHERE action = 'admin.email.delete'}), 'true,false,false,false', 'each audited');

counts_ok('after the routes changed records');
psql('TRUNCATE emails CASCADE');
is(psql('SELECT count(*) FROM email_counts'), 0, 'a truncate empties the counts');

unlike($nginx->log_since(0), qr/\[alert\]|\[crit\]/, 'no alert');
$nginx->stop;
done_testing();
