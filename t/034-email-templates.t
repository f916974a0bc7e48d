# Athena's email templates: /admin/email-template/list, /get, /create,
# /update, /delete and /admin/email-event-type/list, for both generations
# of clients (camelCase and snake_case keys in, both spellings out), the
# catalog of event types seeded by migration, the rules on variables,
# locales, attachments and event types, 409 on a taken (key, locale),
# every refusal writing nothing, and the audit row of each change.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers();
my $nginx = start_nginx();

my $admin = create_user(email => 'tpl-admin@example.com', role => 'admin');
my $plain = create_user(email => 'tpl-user@example.com');
my %tok = (admin => create_session($admin->{id}), plain => create_session($plain->{id}));
my $T = JSON::PP::true;
my $F = JSON::PP::false;

sub call {
    my ($method, $path, $who, $body) = @_;
    my $r = $nginx->request($method, "/api/auth/admin$path",
        headers => [ $who ? "Authorization: Bearer $tok{$who}" : (),
                     defined $body ? 'Content-Type: application/json' : () ],
        body => defined $body ? json_encode($body) : undef);
    $r->{json} = eval { json_decode($r->{body}) };
    return $r;
}

sub rows { psql('SELECT count(*) FROM email_templates') }


# --- the catalog -------------------------------------------------------------

my $r = call('GET', '/email-event-type/list', 'admin');
is($r->{code}, 200, 'event types');
my %types = map { $_->{event_type} => $_ } @{ $r->{json}{event_types} || [] };
ok($types{'organization.member.invite'} && $types{'user.email.verify'}
   && $types{'user.password.reset'}, 'the catalog is seeded');
is($types{'user.password.reset'}{label}, 'Reset password', 'with labels');
is_deeply([ map { $_->{eventType} } @{ $r->{json}{eventTypes} } ],
          [ map { $_->{event_type} } @{ $r->{json}{event_types} } ], 'and in camelCase');
is(call('GET', '/email-event-type/list', 'plain')->{code}, 403, 'a plain user: 403');


# --- create ------------------------------------------------------------------

$r = call('POST', '/email-template/create', 'admin',
          { templateKey => 'user.welcome', subjectTemplate => 'Join {{ organization_name }}',
            textTemplate => 'Accept: {{accept_url}}', htmlTemplate => '<a href="{{accept_url}}">Accept</a>',
            variables => [ ' organization_name ', 'accept_url' ], metadata => { v => 1 } });
is($r->{code}, 200, 'create (camelCase, as seed 000)');
my $t = $r->{json};
my $id = $t->{id};
is_deeply([ @$t{qw(templateKey template_key locale subjectTemplate subject_template isActive is_active
                   eventType event_type attachmentFailureMode attachment_failure_mode)} ],
          [ 'user.welcome', 'user.welcome', 'en', 'Join {{ organization_name }}',
            'Join {{ organization_name }}', $T, $T, 'user.welcome',
            'user.welcome', 'fail', 'fail' ],
          'the record in both spellings: locale en, active, the event from the key, fail');
is_deeply($t->{variables}, [ 'organization_name', 'accept_url' ], 'variables trimmed');
is_deeply([ $t->{attachments}, $t->{variableBindings}, $t->{variable_bindings} ], [ [], [], [] ],
          'no attachments, no bindings');
is(psql(q{SELECT count(*) FROM admin_audit_logs WHERE action = 'admin.email_template.create'
          AND success}), 1, 'audited');

$r = call('POST', '/email-template/create', 'admin',
          { template_key => 'organization.member.invite', locale => 'pt-BR',
            subject_template => 'Entre em {{organization_name}}', event_type => 'organization.member.invite',
            is_active => $F, attachments => [ 'https://cdn.example.com/guide.pdf',
                                               { file_url => 'https://cdn.example.com/a.png', filename => 'a.png' } ],
            attachment_failure_mode => 'skip', variable_bindings => [ { name => 'x', source => 'user.name' } ] });
is($r->{code}, 200, 'create (snake_case, as the current SDK)');
my $pt = $r->{json};
is_deeply([ @$pt{qw(locale is_active attachment_failure_mode)} ], [ 'pt-BR', $F, 'skip' ], 'as sent');
is_deeply($pt->{attachments}, [ { file_url => 'https://cdn.example.com/guide.pdf', filename => undef },
                                { file_url => 'https://cdn.example.com/a.png', filename => 'a.png' } ],
          'attachments, each as {file_url, filename}');
is_deeply($pt->{variable_bindings}, [ { name => 'x', source => 'user.name' } ], 'bindings kept');

$r = call('POST', '/email-template/create', 'admin',
          { templateKey => 'marketing.spring', subjectTemplate => 'Spring' });
is_deeply([ $r->{code}, $r->{json}{eventType} ], [ 200, undef ],
          'a key the catalog does not know: no event type');

my $before = rows();
$r = call('POST', '/email-template/create', 'admin',
          { templateKey => 'user.welcome', subjectTemplate => 'Again' });
is_deeply([ $r->{code}, $r->{json} ], [ 409, { code => 'EMAIL_TEMPLATE_ALREADY_EXISTS',
                                               message => 'Email template already exists' } ],
          'the same key and locale: 409');
my @bad = (
    [ { subjectTemplate => 's' }, 'templateKey', 'no key' ],
    [ { templateKey => 'a b', subjectTemplate => 's' }, 'templateKey', 'a key with a space' ],
    [ { templateKey => 'k' }, 'subjectTemplate', 'no subject' ],
    [ { templateKey => 'k', subjectTemplate => "Hi\r\nBcc: x\@evil.com" }, 'subjectTemplate', 'CR/LF in the subject' ],
    [ { templateKey => 'k', subjectTemplate => 's', locale => 'english' }, 'locale', 'a locale that is no tag' ],
    [ { templateKey => 'k', subjectTemplate => 's', locale => 'en-' }, 'locale', 'a locale ending with -' ],
    [ { templateKey => 'k', subjectTemplate => 's', variables => 'a' }, 'variables', 'variables a string' ],
    [ { templateKey => 'k', subjectTemplate => 's', variables => [ 'a', ' a ' ] }, 'variables', 'a variable twice' ],
    [ { templateKey => 'k', subjectTemplate => 's', variables => [ ' ' ] }, 'variables', 'a blank variable' ],
    [ { templateKey => 'k', subjectTemplate => 's', variables => [ 'v' x 129 ] }, 'variables', 'a variable over 128' ],
    [ { templateKey => 'k', subjectTemplate => 's', variables => [ map { "v$_" } 1 .. 65 ] }, 'variables', '65 variables' ],
    [ { templateKey => 'k', subjectTemplate => 's', variables => [ 1 ] }, 'variables', 'a variable that is a number' ],
    [ { templateKey => 'k', subjectTemplate => 's', eventType => 'Not Valid' }, 'eventType', 'a malformed event type' ],
    [ { templateKey => 'k', subjectTemplate => 's', attachmentFailureMode => 'retry' }, 'attachmentFailureMode', 'a mode neither fail nor skip' ],
    [ { templateKey => 'k', subjectTemplate => 's', attachments => [ 'http://127.0.0.1/x' ] }, 'attachments', 'an attachment on a private host' ],
    [ { templateKey => 'k', subjectTemplate => 's', attachments => [ 'http://10.1.2.3/x' ] }, 'attachments', 'an attachment on 10/8' ],
    [ { templateKey => 'k', subjectTemplate => 's', attachments => [ 'http://172.20.0.1/x' ] }, 'attachments', 'an attachment on 172.16/12' ],
    [ { templateKey => 'k', subjectTemplate => 's', attachments => [ 'file:///etc/passwd' ] }, 'attachments', 'a file URL' ],
    [ { templateKey => 'k', subjectTemplate => 's', attachments => [ { filename => 'x' } ] }, 'attachments', 'an attachment without a URL' ],
    [ { templateKey => 'k', subjectTemplate => 's', metadata => [ 1 ] }, 'metadata', 'metadata a list' ],
    [ { templateKey => 'k', subjectTemplate => 's', isActive => 'yes' }, 'isActive', 'isActive a string' ],
);
for my $b (@bad) {
    $r = call('POST', '/email-template/create', 'admin', $b->[0]);
    is_deeply([ $r->{code}, $r->{json}{code} ], [ 400, 'VALIDATION_ERROR' ], "create refused: $b->[2]");
    like($r->{json}{message} || '', qr/\[body\.$b->[1]\]/, "  naming $b->[1]");
}
$r = call('POST', '/email-template/create', 'admin',
          { templateKey => 'k', subjectTemplate => 's', eventType => 'user.unknown.event' });
is_deeply([ $r->{code}, $r->{json}{code} ], [ 400, 'UNKNOWN_EMAIL_EVENT_TYPE' ],
          'an event type the catalog does not have');
is(call('POST', '/email-template/create', 'plain', { templateKey => 'k', subjectTemplate => 's' })->{code},
   403, 'a plain user: 403');
is(rows(), $before, 'no refusal wrote a template');


# --- get and list ------------------------------------------------------------

$r = call('GET', "/email-template/get?id=$id", 'admin');
is_deeply([ $r->{code}, $r->{json}{emailTemplate}{id}, $r->{json}{email_template}{id} ],
          [ 200, $id, $id ], 'get: {emailTemplate, email_template}');
is(call('GET', '/email-template/get?id=nope', 'admin')->{json}{code}, 'EMAIL_TEMPLATE_NOT_FOUND',
   'get: unknown id');

$r = call('GET', '/email-template/list', 'admin');
is_deeply([ @{ $r->{json} }{qw(total limit offset)} ], [ 4, 50, 0 ],
          'list (with the default invitation template of migration 014)');
is_deeply($r->{json}{email_templates}, $r->{json}{emailTemplates}, 'both wrappers');
is(call('GET', '/email-template/list?templateKey=organization.member.invite', 'admin')->{json}{total}, 2, 'by key');
is(call('GET', '/email-template/list?template_key=organization.member.invite&locale=pt-BR', 'admin')
       ->{json}{emailTemplates}[0]{id}, $pt->{id}, 'by key and locale (snake_case)');
is(call('GET', '/email-template/list?isActive=false', 'admin')->{json}{total}, 1, 'the inactive');
is(call('GET', '/email-template/list?event_type=organization.member.invite', 'admin')->{json}{total}, 2,
   'by event type');
is(call('GET', '/email-template/list?isActive=no', 'admin')->{code}, 400, 'isActive must be true or false');


# --- update ------------------------------------------------------------------

$r = call('POST', '/email-template/update', 'admin',
          { id => $id, subject_template => 'Join {{organization_name}} now', textTemplate => undef,
            variables => [ 'organization_name' ], is_active => $F });
is($r->{code}, 200, 'update');
is_deeply([ @{ $r->{json} }{qw(subjectTemplate textTemplate htmlTemplate isActive)}, $r->{json}{variables} ],
          [ 'Join {{organization_name}} now', undef, '<a href="{{accept_url}}">Accept</a>', $F,
            [ 'organization_name' ] ], 'a value replaces, null clears, omitted keeps');
$r = call('POST', '/email-template/update', 'admin', { id => $id, event_type => undef });
is($r->{json}{eventType}, undef, 'a null event type clears it');
$r = call('POST', '/email-template/update', 'admin',
          { id => $id, templateKey => 'organization.member.invite', locale => 'pt-BR' });
is_deeply([ $r->{code}, $r->{json}{code} ], [ 409, 'EMAIL_TEMPLATE_ALREADY_EXISTS' ],
          'onto a taken key and locale: 409');
my $row = psql(qq{SELECT row_to_json(t)::text FROM email_templates t WHERE id = '$id'});
for my $b ([ { id => $id, subjectTemplate => undef }, 'a null subject' ],
           [ { id => $id, templateKey => undef }, 'a null key' ],
           [ { id => $id, eventType => 'user.nope' }, 'an unknown event type' ],
           [ { id => $id, variables => [ 'a', 'a' ] }, 'a variable twice' ],
           [ { subjectTemplate => 'x' }, 'no id' ])
{
    is(call('POST', '/email-template/update', 'admin', $b->[0])->{code}, 400, "update refused: $b->[1]");
}
is(call('POST', '/email-template/update', 'admin', { id => 'nope', subjectTemplate => 'x' })->{json}{code},
   'EMAIL_TEMPLATE_NOT_FOUND', 'update: unknown id');
is(psql(qq{SELECT row_to_json(t)::text FROM email_templates t WHERE id = '$id'}), $row,
   'no refused update changed the template');


# --- delete ------------------------------------------------------------------

is(call('POST', '/email-template/delete', 'admin', { id => $pt->{id} })->{code}, 200, 'delete');
is(call('POST', '/email-template/delete', 'admin', { id => $pt->{id} })->{json}{code},
   'EMAIL_TEMPLATE_NOT_FOUND', 'deleted twice: 404');
is(psql(q{SELECT template_key || '|' || locale || '|' || event_type FROM email_templates
          WHERE id = 'athena-default-member-invite'}),
   'organization.member.invite|en|organization.member.invite', 'the default template is there');
is(psql(q{SELECT count(*) FROM admin_audit_logs WHERE target_type = 'email_template'
          AND action = 'admin.email_template.delete'}), 2, 'each delete audited');

unlike($nginx->log_since(0), qr/\[alert\]|\[crit\]/, 'no alert');
$nginx->stop;
done_testing();
