# Athena's record of mails that could not be sent: /admin/email-failure/
# list, /get, /create, /update (resolve, with a note) and /delete, with
# both key styles, the list's filters, every refusal (nothing written),
# and the audit row of each change.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers();
my $nginx = start_nginx();

my $admin = create_user(email => 'fail-admin@example.com', role => 'admin');
my $plain = create_user(email => 'fail-user@example.com');
my %tok = (admin => create_session($admin->{id}), plain => create_session($plain->{id}));
my $T = JSON::PP::true;
my $F = JSON::PP::false;

sub call {
    my ($method, $path, $who, $body) = @_;
    my $r = $nginx->request($method, "/api/auth/admin/email-failure$path",
        headers => [ $who ? "Authorization: Bearer $tok{$who}" : (),
                     defined $body ? 'Content-Type: application/json' : () ],
        body => defined $body ? json_encode($body) : undef);
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub rows { psql('SELECT count(*) FROM email_send_failures') }


# --- create ------------------------------------------------------------------

my $r = call('POST', '/create', 'admin',
             { recipientEmail => 'ann@example.com', flow => 'organization.member.invite',
               errorMessage => "550 mailbox unavailable\nat relay", userId => $plain->{id},
               provider => 'smtp', metadata => { attempt => 3 } });
is($r->{code}, 200, 'create (camelCase)');
my $id = $r->{json}{id};
is_deeply([ $r->{json}{success}, length $id ], [ $T, 32 ], 'success, and the id');
$r = call('POST', '/create', 'admin',
          { recipient_email => 'bob@example.com', flow => 'user.password.reset',
            error_message => 'timeout', user_id => 'u-gone' });
is($r->{code}, 200, 'create (snake_case)');
my $id2 = $r->{json}{id};

my $before = rows();
for my $b ([ { flow => 'f', errorMessage => 'e' }, 'recipientEmail', 'no recipient' ],
           [ { recipientEmail => 'bad', flow => 'f', errorMessage => 'e' }, 'recipientEmail', 'a bad recipient' ],
           [ { recipientEmail => 'a@example.com', errorMessage => 'e' }, 'flow', 'no flow' ],
           [ { recipientEmail => 'a@example.com', flow => "f\r\nx", errorMessage => 'e' }, 'flow', 'CR/LF in the flow' ],
           [ { recipientEmail => 'a@example.com', flow => 'f' }, 'errorMessage', 'no error' ],
           [ { recipientEmail => 'a@example.com', flow => 'f', errorMessage => '' }, 'errorMessage', 'an empty error' ],
           [ { recipientEmail => 'a@example.com', flow => 'f', errorMessage => 'e' x 4097 }, 'errorMessage', 'an error over 4096' ],
           [ { recipientEmail => 'a@example.com', flow => 'f', errorMessage => 'e', metadata => 'x' }, 'metadata', 'metadata a string' ],
           [ { recipientEmail => 'a@example.com', flow => 'f', errorMessage => 'e', userId => 5 }, 'userId', 'a user id that is a number' ])
{
    $r = call('POST', '/create', 'admin', $b->[0]);
    is_deeply([ $r->{code}, $r->{json}{code} ], [ 400, 'VALIDATION_ERROR' ], "create refused: $b->[2]");
    like($r->{json}{message} || '', qr/\[body\.$b->[1]\]/, "  naming $b->[1]");
}
is(call('POST', '/create', 'plain', { recipientEmail => 'a@example.com', flow => 'f', errorMessage => 'e' })->{code},
   403, 'a plain user: 403');
is(rows(), $before, 'no refusal wrote a row');


# --- get and list ------------------------------------------------------------

$r = call('GET', "/get?id=$id", 'admin');
my $f = $r->{json}{emailSendFailure};
is_deeply([ @$f{qw(id userId recipientEmail flow provider errorMessage resolved resolutionNote)} ],
          [ $id, $plain->{id}, 'ann@example.com', 'organization.member.invite', 'smtp',
            "550 mailbox unavailable\nat relay", $F, undef ], 'get: the record, unresolved');
is_deeply($f->{metadata}, { attempt => 3 }, 'metadata');
is_deeply([ call('GET', '/get?id=nope', 'admin')->{json}{code}, call('GET', '/get', 'admin')->{code} ],
          [ 'EMAIL_FAILURE_NOT_FOUND', 400 ], 'get: unknown id 404, no id 400');

$r = call('GET', '/list', 'admin');
is_deeply([ @{ $r->{json} }{qw(total limit offset)} ], [ 2, 50, 0 ], 'list');
is_deeply([ map { $_->{id} } @{ $r->{json}{emailSendFailures} } ], [ $id2, $id ], 'newest first');
is_deeply($r->{json}{email_send_failures}, $r->{json}{emailSendFailures},
          'also under the snake_case name');
is(call('GET', '/list?recipientEmail=ANN@EXAMPLE.COM', 'admin')->{json}{total}, 1, 'by recipient');
is(call('GET', '/list?flow=user.password.reset', 'admin')->{json}{total}, 1, 'by flow');
is(call('GET', '/list?resolved=false', 'admin')->{json}{total}, 2, 'the unresolved');
is(call('GET', '/list?resolved=maybe', 'admin')->{code}, 400, 'resolved must be true or false');


# --- update: resolve ---------------------------------------------------------

$r = call('POST', '/update', 'admin',
          { id => $id, resolved => $T, resolution_note => 'mailbox fixed', metadata => { done => 1 } });
is($r->{code}, 200, 'update');
$f = $r->{json}{emailSendFailure};
is_deeply([ @$f{qw(resolved resolutionNote recipientEmail)}, $f->{metadata} ],
          [ $T, 'mailbox fixed', 'ann@example.com', { done => 1 } ],
          'resolved with a note (snake_case); metadata replaced');
is(call('GET', '/list?resolved=true', 'admin')->{json}{total}, 1, 'listed as resolved');
$r = call('POST', '/update', 'admin', { id => $id, resolutionNote => undef });
is_deeply([ @{ $r->{json}{emailSendFailure} }{qw(resolved resolutionNote)} ], [ $T, undef ],
          'a null note clears it; resolved kept');
my $row = psql(qq{SELECT row_to_json(f)::text FROM email_send_failures f WHERE id = '$id'});
for my $b ([ { id => $id, resolved => 'yes' }, 'resolved a string' ],
           [ { id => $id, metadata => undef }, 'metadata null' ],
           [ { resolved => $T }, 'no id' ])
{
    is(call('POST', '/update', 'admin', $b->[0])->{code}, 400, "update refused: $b->[1]");
}
is(call('POST', '/update', 'admin', { id => 'nope', resolved => $T })->{json}{code},
   'EMAIL_FAILURE_NOT_FOUND', 'update: unknown id');
is(psql(qq{SELECT row_to_json(f)::text FROM email_send_failures f WHERE id = '$id'}), $row,
   'no refused update changed the row');


# --- delete ------------------------------------------------------------------

is(call('POST', '/delete', 'admin', { id => $id2 })->{code}, 200, 'delete');
is(call('POST', '/delete', 'admin', { id => $id2 })->{json}{code}, 'EMAIL_FAILURE_NOT_FOUND',
   'deleted twice: 404');
is(psql(q{SELECT string_agg(action || ':' || success::text, ',' ORDER BY created_at)
          FROM admin_audit_logs WHERE target_type = 'email_send_failure'
          AND action <> 'admin.email_failure.create'}),
   'admin.email_failure.update:true,admin.email_failure.update:true,'
   . 'admin.email_failure.update:false,admin.email_failure.update:false,'
   . 'admin.email_failure.update:false,admin.email_failure.update:false,'
   . 'admin.email_failure.delete:true,admin.email_failure.delete:false',
   'every change audited, refusals as failures');

unlike($nginx->log_since(0), qr/\[alert\]|\[crit\]/, 'no alert');
$nginx->stop;
done_testing();
