# Athena's client registry: POST /admin/athena-client/create and GET
# /admin/athena-client/list. Names unique whatever their case (409), an
# environment variable's name and never a URI, each create audited in its
# transaction, refusals writing nothing.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;

my $servers = servers();
my $nginx = start_nginx();

my $admin = create_user(email => 'clients-admin@example.com', role => 'admin');
my $plain = create_user(email => 'clients-plain@example.com');
my $tok = create_session($admin->{id});
my $plain_tok = create_session($plain->{id});

sub call { $nginx->api(@_) }
sub create { call('POST', '/admin/athena-client/create', $_[1] // $tok, $_[0]) }

my $r = create('{"clientName":"  billing-app ","description":"Billing","pgUriEnvVar":"BILLING_PG_URI","metadata":{"team":"fin","tier":[1,2]}}');
is($r->{code}, 200, 'create: 200');
like($r->{body}, qr/^\{"id":"\w+","clientName":"billing-app","description":"Billing","isActive":true,"pgUriEnvVar":"BILLING_PG_URI","metadata":\{"team":"fin","tier":\[1,2\]\},"createdAt":"[^"]+Z","updatedAt":"[^"]+Z"\}$/,
     'the record: the name trimmed, active by default, metadata as given');
my $billing = json_decode($r->{body});

$r = create('{"clientName":"reports.v2","isActive":false}');
is($r->{code}, 200, 'an inactive one');
is_deeply([ @{ json_decode($r->{body}) }{qw(isActive pgUriEnvVar description)} ],
          [ JSON::PP::false, undef, undef ], 'with nulls for what was not given');

$r = create('{"clientName":"BILLING-APP"}');
is($r->{code}, 409, 'a name taken in another case: 409');
is($r->{body}, '{"message":"Athena client already exists","code":"ATHENA_CLIENT_ALREADY_EXISTS"}',
   'with its code');

# list
$r = call('GET', '/admin/athena-client/list', $tok);
is($r->{code}, 200, 'list: 200');
my $list = json_decode($r->{body})->{athenaClients};
is_deeply([ map { $_->{clientName} } @$list ], [ 'billing-app', 'reports.v2' ], 'by name');
is_deeply($list->[0], $billing, 'the same record as create answered');
is_deeply([ map { $_->{clientName} } @{ json_decode(call('GET', '/admin/athena-client/list?isActive=false', $tok)->{body})->{athenaClients} } ],
          [ 'reports.v2' ], 'isActive=false');
is(call('GET', '/admin/athena-client/list?isActive=maybe', $tok)->{body},
   '{"message":"[query.isActive] Invalid option: expected one of \"true\"|\"false\"","code":"VALIDATION_ERROR"}',
   'isActive is true or false');

# refusals write nothing but their audit row
my $rows = psql('SELECT count(*) FROM athena_clients');
for my $c (
    ['{}', 'clientName'],
    ['{"clientName":"   "}', 'clientName'],
    ['{"clientName":"-x"}', 'clientName'],
    ['{"clientName":"a b"}', 'clientName'],
    ['{"clientName":"' . ('x' x 65) . '"}', 'clientName'],
    ['{"clientName":5}', 'clientName'],
    ['{"clientName":"ok","pgUriEnvVar":"postgres://u:p@h/db"}', 'pgUriEnvVar'],
    ['{"clientName":"ok","pgUriEnvVar":"lower_case"}', 'pgUriEnvVar'],
    ['{"clientName":"ok","metadata":[1]}', 'metadata'],
    ['{"clientName":"ok","metadata":"x"}', 'metadata'],
    ['{"clientName":"ok","isActive":"yes"}', 'isActive'],
    ['{"clientName":"ok","description":' . ('"' . 'd' x 513 . '"') . '}', 'description'],
    ["{\"clientName\":\"ok' OR '1'='1\"}", 'clientName'],
) {
    $r = create($c->[0]);
    is($r->{code}, 400, "400 for $c->[1]: " . substr($c->[0], 0, 40));
    like($r->{body}, qr/^\{"message":"\[body\.$c->[1]\] .+","code":"VALIDATION_ERROR"\}$/,
         '... naming the field');
}
is(create('[1]')->{code}, 400, 'a body that is no object');
is(create('{"clientName":"ok"}', $plain_tok)->{body},
   '{"message":"You are not allowed to manage Athena clients","code":"YOU_ARE_NOT_ALLOWED_TO_MANAGE_ATHENA_CLIENTS"}',
   'a plain user: 403');
is(create('{"clientName":"ok"}', '')->{code}, 401, 'no session: 401');
is(call('GET', '/admin/athena-client/list', $plain_tok)->{code}, 403, 'a plain user may not list them');
is(psql('SELECT count(*) FROM athena_clients'), $rows, 'no refusal wrote a client');

# the audit: each create, refused or not, under the admin
my $audit = psql(q{SELECT string_agg(coalesce(target_id, '-') || ':' || success
                   || ':' || coalesce(error_message, ''), ',' ORDER BY created_at, id)
                   FROM admin_audit_logs WHERE action = 'admin.athena_client.create'
                   AND target_type = 'athena_client' AND actor_user_id = '} . $admin->{id} . q{'});
my @audit = split /,/, $audit;
is(scalar @audit, 17, 'a row for each create the admin sent');
is($audit[0], "$billing->{id}:true:", 'the first, with the new id');
like($audit[2], qr/^\w+:false:ATHENA_CLIENT_ALREADY_EXISTS$/, 'the 409 too');

$nginx->stop;
done_testing();
