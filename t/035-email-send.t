# Athena's POST /admin/email-template/send: the template filled in for one
# recipient (both key styles), every listed variable required, no line
# break smuggled into the subject, unknown and inactive templates refused.
# The module has no mail relay yet: a send records its failure, as Athena
# does without a provider, and answers 503 with the failure's id.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers();
my $nginx = start_nginx();

my $admin = create_user(email => 'send-admin@example.com', role => 'admin');
my $plain = create_user(email => 'send-user@example.com');
my %tok = (admin => create_session($admin->{id}), plain => create_session($plain->{id}));

sub call {
    my ($method, $path, $who, $body) = @_;
    my $r = $nginx->request($method, "/api/auth/admin$path",
        headers => [ $who ? "Authorization: Bearer $tok{$who}" : (),
                     defined $body ? 'Content-Type: application/json' : () ],
        body => defined $body ? json_encode($body) : undef);
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub failures { psql('SELECT count(*) FROM email_send_failures') }

my $r = call('POST', '/email-template/create', 'admin',
             { templateKey => 'custom.invite', eventType => 'organization.member.invite',
               subjectTemplate => 'Join {{ organization_name }}',
               htmlTemplate => '<b>{{organization_name}}</b> {{accept_url}}',
               variables => [ 'organization_name', 'accept_url' ] });
my $tid = $r->{json}{id};
$r = call('POST', '/email-template/create', 'admin',
          { templateKey => 'old.one', subjectTemplate => 'Old', isActive => JSON::PP::false });
my $inactive = $r->{json}{id};

my $before = failures();
for my $b ([ { template_id => $tid, recipient_email => 'ann@example.com',
               render_variables => { organization_name => 'Acme' } },
             400, 'VALIDATION_ERROR', qr/Missing variable "accept_url"/, 'a listed variable missing' ],
           [ { templateId => $tid, recipientEmail => 'ann@example.com',
               renderVariables => { organization_name => "Acme\r\nBcc: x\@evil.com", accept_url => 'u' } },
             400, 'VALIDATION_ERROR', qr/line break into the subject/, 'a value with CR/LF for the subject' ],
           [ { templateId => $tid, recipientEmail => 'ann@example.com',
               renderVariables => { organization_name => undef, accept_url => 'u' } },
             400, 'VALIDATION_ERROR', qr/organization_name/, 'a null variable' ],
           [ { templateId => $tid, recipientEmail => 'not-an-email' },
             400, 'VALIDATION_ERROR', qr/recipientEmail/, 'a bad recipient' ],
           [ { templateId => $tid, recipientEmail => 'ann@example.com', renderVariables => [ 1 ] },
             400, 'VALIDATION_ERROR', qr/renderVariables/, 'variables that are a list' ],
           [ { recipientEmail => 'ann@example.com' },
             400, 'VALIDATION_ERROR', qr/templateId/, 'no template' ],
           [ { templateId => 'nope', recipientEmail => 'ann@example.com' },
             404, 'EMAIL_TEMPLATE_NOT_FOUND', qr/not found/, 'an unknown template' ],
           [ { templateId => $inactive, recipientEmail => 'ann@example.com' },
             400, 'EMAIL_TEMPLATE_INACTIVE', qr/inactive/, 'an inactive template' ])
{
    $r = call('POST', '/email-template/send', 'admin', $b->[0]);
    is_deeply([ $r->{code}, $r->{json}{code} ], [ $b->[1], $b->[2] ], "send refused: $b->[4]");
    like($r->{json}{message} || '', $b->[3], '  saying why');
}
is(call('POST', '/email-template/send', 'plain', { templateId => $tid, recipientEmail => 'a@example.com' })->{code},
   403, 'a plain user: 403');
is(failures(), $before, 'no refusal wrote a failure');

$r = call('POST', '/email-template/send', 'admin',
          { template_id => $tid, recipient_email => 'ann@example.com', user_id => $plain->{id},
            organization_id => 'org-1', render_variables => { organization_name => 'Acme & Co',
                                                              accept_url => 'https://x/accept' },
            metadata => { campaign => 'c' } });
is($r->{code}, 503, 'no relay: 503');
my $j = $r->{json};
is_deeply([ @$j{qw(success template_id template_key event_type flow recipient_email subject error)} ],
          [ JSON::PP::false, $tid, 'custom.invite', 'organization.member.invite',
            'organization.member.invite', 'ann@example.com', 'Join Acme & Co',
            'No mail relay is configured' ],
          "the SDK's answer, the subject filled in");
my $fid = $j->{email_send_failure_id};
is(psql(qq{SELECT flow || '|' || recipient_email || '|' || user_id || '|' || error_message || '|'
           || (metadata->>'template_id') || '|' || (metadata->'metadata'->>'campaign')
           FROM email_send_failures WHERE id = '$fid'}),
   "admin.email_template.send|ann\@example.com|$plain->{id}|No mail relay is configured|$tid|c",
   'the failure is recorded, for an admin to resolve');
is(psql(q{SELECT count(*) FROM emails}), 0, 'and no email is recorded as sent');
is(psql(qq{SELECT string_agg(success::text, ',' ORDER BY created_at) FROM admin_audit_logs
           WHERE action = 'admin.email_template.send'}),
   join(',', ('false') x 10), 'every send audited (none succeeded)');

unlike($nginx->log_since(0), qr/\[alert\]|\[crit\]/, 'no alert');
$nginx->stop;
done_testing();
