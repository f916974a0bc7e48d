# Mail delivered through a relay (a sink the suite starts): a send records
# the email and queues it in the request's transaction and answers at once;
# the workers deliver it from the outbox, rendered, as MIME with both
# parts; a relay that refuses is tried again with backoff, then the mail
# becomes a failure an admin can resolve; an invitation's mail carries a
# link that accepts it; two nginx instances on one database never send
# one mail twice; a mail queued before nginx stops goes out once it runs
# again.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use MIME::Base64 qw(decode_base64);
use Time::HiRes qw(time sleep);
use Athena::Test;
use Athena::Smtp;

my $servers = servers();
my $sink = Athena::Smtp->new;
my $port = $sink->port;

my $mail_conf = <<"CONF";
    athena_auth_smtp smtp://127.0.0.1:$port;
    athena_auth_smtp_starttls off;
    athena_auth_mail_from noreply\@example.com "Athena Test";
    athena_auth_mail_poll 100ms;
    athena_auth_mail_retries 2;
    athena_auth_mail_retry_delay 200ms;
    athena_auth_public_url https://app.example.com/;
CONF
my $http_config = default_http_config(extra => $mail_conf);
my $nginx = start_nginx(http_config => $http_config, workers => 2, master => 1);

my $admin = create_user(email => 'deliver-admin@example.com', role => 'admin');
my $tok = create_session($admin->{id});

sub call {
    my ($ng, $path, $body) = @_;
    my $r = $ng->request('POST', "/api/auth/admin$path",
        headers => [ "Authorization: Bearer $tok", 'Content-Type: application/json' ],
        body => json_encode($body));
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub wait_until {
    my ($what, $secs) = @_;
    my $t0 = time;
    while (time - $t0 < ($secs || 15)) {
        return 1 if $what->();
        sleep 0.1;
    }
    return 0;
}

sub outbox { psql('SELECT count(*) FROM email_outbox') }

# the text parts of a mail, decoded
sub parts {
    my ($raw) = @_;
    my %p;
    while ($raw =~ m{Content-Type: (text/\w+); charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n(.*?)\r\n--}sg) {
        my ($type, $b64) = ($1, $2);
        my $text = decode_base64($b64);
        utf8::decode($text);
        $p{$type} = $text;
    }
    return \%p;
}

my $r = call($nginx, '/email-template/create',
             { templateKey => 'custom.invite', eventType => 'organization.member.invite',
               subjectTemplate => 'Join {{ organization_name }}',
               textTemplate => "Hello,\nJoin {{organization_name}}: {{accept_url}}",
               htmlTemplate => '<p>Join <b>{{organization_name}}</b></p>',
               variables => [ 'organization_name', 'accept_url' ] });
my $tid = $r->{json}{id};


# --- one mail, delivered -------------------------------------------------------

$r = call($nginx, '/email-template/send',
          { template_id => $tid, recipient_email => 'ann@example.com',
            render_variables => { organization_name => 'Acme <R&D>', accept_url => 'https://x/a?id=1' } });
is($r->{code}, 200, 'send: 200 at once');
is_deeply([ @{ $r->{json} }{qw(success subject recipient_email)} ],
          [ JSON::PP::true, 'Join Acme <R&D>', 'ann@example.com' ], 'the answer');
my $email_id = $r->{json}{email_id};
is(psql(qq{SELECT provider || '|' || from_address || '|' || flow FROM emails WHERE id = '$email_id'}),
   'smtp|noreply@example.com|organization.member.invite', 'the email is recorded');

ok(wait_until(sub { scalar($sink->mails) == 1 }), 'the relay took it');
ok(wait_until(sub { outbox() == 0 }), 'and the outbox is empty');
my ($m) = $sink->mails;
is_deeply([ $m->{from}, $m->{to} ], [ 'noreply@example.com', 'ann@example.com' ], 'the envelope');
is($m->{headers}{from}, '"Athena Test" <noreply@example.com>', 'From with the name');
is($m->{headers}{to}, '<ann@example.com>', 'To');
is($m->{headers}{subject}, 'Join Acme <R&D>', 'the subject, rendered');
like($m->{headers}{'message-id'}, qr/^<[A-Za-z0-9]{32}\@example\.com>$/, 'a Message-ID of the sender domain');
my $p = parts($m->{raw});
is($p->{'text/plain'}, "Hello,\nJoin Acme <R&D>: https://x/a?id=1", 'the text part, as is');
is($p->{'text/html'}, '<p>Join <b>Acme &lt;R&amp;D&gt;</b></p>', 'the HTML part, escaped');

# a subject that is not ASCII travels as RFC 2047 words
$r = call($nginx, '/email-template/send',
          { template_id => $tid, recipient_email => 'bob@example.com',
            render_variables => { organization_name => "Caf\x{e9} \x{65e5}\x{672c}", accept_url => 'u' } });
ok(wait_until(sub { scalar($sink->mails) == 2 }), 'a second mail');
my $subject = ($sink->mails)[1]{headers}{subject};
like($subject, qr/^=\?UTF-8\?B\?/, 'a non-ASCII subject is encoded');
my $decoded = join '', map { decode_base64($_) } $subject =~ /=\?UTF-8\?B\?([^?]*)\?=/g;
utf8::decode($decoded);
is($decoded, "Join Caf\x{e9} \x{65e5}\x{672c}", 'and decodes to what was rendered');


# --- a relay that refuses: tried again, then a failure ------------------------

$sink->fail(1);
$r = call($nginx, '/email-template/send',
          { template_id => $tid, recipient_email => 'carl@example.com',
            render_variables => { organization_name => 'Acme', accept_url => 'u' } });
is($r->{code}, 200, 'queued while the relay refuses');
ok(wait_until(sub { psql(q{SELECT count(*) FROM email_send_failures
                           WHERE recipient_email = 'carl@example.com'}) == 1 }),
   'after its tries the mail becomes a failure');
is(psql(q{SELECT flow || '|' || provider || '|' || (metadata->>'attempts') FROM email_send_failures
          WHERE recipient_email = 'carl@example.com'}),
   'organization.member.invite|smtp|2', 'with its flow, provider and tries');
like(psql(q{SELECT error_message FROM email_send_failures WHERE recipient_email = 'carl@example.com'}),
     qr/451|MAIL FROM/i, "and the relay's refusal");
is(outbox(), 0, 'the outbox lets it go');
$sink->fail(0);

$r = call($nginx, '/email-template/send',
          { template_id => $tid, recipient_email => 'dora@example.com',
            render_variables => { organization_name => 'Acme', accept_url => 'u' } });
ok(wait_until(sub { grep { $_->{to} eq 'dora@example.com' } $sink->mails }),
   'the relay back: mail flows again');


# --- an invitation sends mail, with a link that accepts it ---------------------

sub org_call {
    my ($path, $token, $body, @h) = @_;
    my $r = $nginx->request('POST', "/api/auth/organization$path",
        headers => [ "Authorization: Bearer $token", 'Content-Type: application/json', @h ],
        body => json_encode($body));
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

my $org = create_org('acme', [ $admin->{id}, 'owner' ]);
psql(qq{UPDATE "user" SET name = 'Ada Admin' WHERE id = '$admin->{id}'});
$servers->redis('FLUSHALL');
$r = org_call('/invite-member', $tok, { email => 'erin@example.com', role => 'member', organizationId => $org },
              'Accept-Language: fr-FR,fr;q=0.9');
is($r->{code}, 200, 'an invitation');
my $inv = $r->{json}{id};
ok(wait_until(sub { grep { $_->{to} eq 'erin@example.com' } $sink->mails }), 'mails the invitee');
($m) = grep { $_->{to} eq 'erin@example.com' } $sink->mails;
is($m->{headers}{subject}, 'You are invited to join Org acme',
   "the default template (no French one: English), the organization's name");
$p = parts($m->{raw});
like($p->{'text/plain'}, qr/Ada Admin \(deliver-admin\@example\.com\) invited you to join Org acme as member/,
     'the inviter and the role');
my ($link) = $p->{'text/plain'} =~ m{(https://app\.example\.com/accept-invitation/\S+)};
is($link, "https://app.example.com/accept-invitation/$inv", "a link to the invitation, from the public URL");
like($p->{'text/html'}, qr{<a href="\Q$link\E">}, 'in the HTML part too');
my ($link_id) = $link =~ m{/([^/]+)$};
my $erin = create_user(email => 'erin@example.com');
$r = org_call('/accept-invitation', create_session($erin->{id}), { invitationId => $link_id });
is($r->{code}, 200, "the link's invitation accepts");
is(psql(qq{SELECT role FROM member WHERE "organizationId" = '$org' AND "userId" = '$erin->{id}'}),
   'member', 'the invitee is a member');

call($nginx, '/email-template/create',
     { templateKey => 'invite.pt', locale => 'pt-BR', eventType => 'organization.member.invite',
       subjectTemplate => 'Convite para {{organization_name}}', textTemplate => '{{accept_url}}',
       variables => [ 'accept_url' ] });
$r = org_call('/invite-member', $tok, { email => 'fabio@example.com', role => 'admin', organizationId => $org },
              'Accept-Language: pt-BR,pt;q=0.9,en;q=0.5');
is($r->{code}, 200, 'an invitation from a Portuguese browser');
ok(wait_until(sub { grep { $_->{to} eq 'fabio@example.com' } $sink->mails }), 'mailed');
($m) = grep { $_->{to} eq 'fabio@example.com' } $sink->mails;
is($m->{headers}{subject}, 'Convite para Org acme', 'in the best locale');
$r = org_call('/invite-member', $tok, { email => 'fabio@example.com', role => 'admin', organizationId => $org, resend => JSON::PP::true });
is($r->{code}, 200, 'a resend');
ok(wait_until(sub { 2 == grep { $_->{to} eq 'fabio@example.com' } $sink->mails }), 'mails again');


# --- two nodes, one outbox: every mail once ------------------------------------

my $node2 = start_nginx(http_config => $http_config, workers => 2, master => 1);
my $before = scalar($sink->mails);
for my $i (1 .. 30) {
    call($i % 2 ? $nginx : $node2, '/email-template/send',
         { template_id => $tid, recipient_email => "many$i\@example.com",
           render_variables => { organization_name => 'Acme', accept_url => 'u' } });
}
ok(wait_until(sub { outbox() == 0 && scalar($sink->mails) >= $before + 30 }, 30),
   '30 mails through four workers of two nodes');
sleep 0.5;
my @many = grep { $_->{to} =~ /^many/ } $sink->mails;
my %seen;
$seen{ $_->{to} }++ for @many;
is(scalar(@many), 30, 'exactly 30 mails');
is(scalar(grep { $_ > 1 } values %seen), 0, 'none sent twice');
$node2->stop;

# --- a restart loses nothing: the outbox is in Postgres -------------------------

(my $slow_conf = $http_config) =~ s/athena_auth_mail_retry_delay 200ms;/athena_auth_mail_retry_delay 1s;/;
$slow_conf =~ s/athena_auth_mail_retries 2;/athena_auth_mail_retries 5;/;
my $log = $nginx->log_since(0);
unlike($log, qr/\[alert\]|\[crit\]/, 'no alert');
like($log, qr/athena_auth: mail: \d+ sent, \d+ failed/, 'failed tries are logged');
$nginx->stop;

my $node3 = start_nginx(http_config => $slow_conf, workers => 1, master => 1);
$sink->fail(1);
call($node3, '/email-template/send',
     { template_id => $tid, recipient_email => 'gus@example.com',
       render_variables => { organization_name => 'Acme', accept_url => 'u' } });
ok(wait_until(sub { psql(q{SELECT coalesce(max(attempts), 0) FROM email_outbox}) >= 1 }),
   'a mail tried once while the relay refuses');
$node3->stop;
is(outbox(), 1, 'nginx stopped: the mail waits in the outbox');
$sink->fail(0);
$nginx = start_nginx(http_config => $slow_conf, workers => 1, master => 1);
ok(wait_until(sub { grep { $_->{to} eq 'gus@example.com' } $sink->mails }, 20),
   'nginx started again: the mail goes out');
ok(wait_until(sub { outbox() == 0 }), 'and leaves the outbox');
unlike($nginx->log_since(0), qr/\[alert\]|\[crit\]/, 'no alert');

$nginx->stop;
$sink->stop;
done_testing();
