# athena_auth_identity_headers: the identity reaches the app in headers
# under a prefix, and whatever a client sent in those families is dropped
# first, in gated and ungated locations alike, for any upstream module.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;
use Athena::Servers;

my $servers = servers();
my $app = Athena::Servers::free_port();

my $nginx = start_nginx(
    http_config => gate_http_config(no_app => 1, extra => <<"CONF"),
    underscores_in_headers on;
    server {
        listen 127.0.0.1:$app;
        location / {
            default_type text/plain;
            return 200 "id=\$http_x_auth_user_id email=\$http_x_auth_user_email role=\$http_x_auth_user_role sid=\$http_x_auth_session_id exp=\$http_x_auth_session_expires imp=\$http_x_auth_impersonated_by org=\$http_x_auth_org_id orgrole=\$http_x_auth_org_role perm=\$http_x_auth_user_perm under=\$http_x_auth_user_under xff=\$http_x_forwarded_for other=\$http_x_auth_other\\n";
        }
    }
CONF
    config => <<"CONF");
athena_auth_identity_headers X-Auth-;
location /app/ {
    athena_auth_require on;
    proxy_pass http://127.0.0.1:$app;
}
location /open/ {
    proxy_pass http://127.0.0.1:$app;
}
location /plain/ {
    athena_auth_identity_headers off;
    proxy_pass http://127.0.0.1:$app;
}
CONF

my $user = create_user(email => 'ida@example.com', role => 'admin');
my $org = create_org('ida', [ $user->{id}, 'owner' ]);
my $tok = create_session($user->{id}, active_org => $org);

my @forged = ('X-Auth-User-Id: forged', 'x-auth-user-email: forged@x',
              'X-AUTH-SESSION-ID: forged', 'X-Auth-Impersonated-By: forged',
              'X-Auth-Org-Role: forged', 'X-Auth-User-Perm: all',
              'X_Auth_User_Under: forged', 'X-Forwarded-For: 10.0.0.1',
              'X-Auth-Other: kept');

my $r = $nginx->request('GET', '/app/x',
                        headers => ["Authorization: Bearer $tok", @forged]);
is($r->{code}, 200, 'admitted');
like($r->{body}, qr/^id=\Q$user->{id}\E email=ida\@example\.com role=admin sid=\w{32} exp=\d{4}-\d\d-\d\dT[\d:.]+Z imp= org=\Q$org\E orgrole=owner perm= under= xff=10\.0\.0\.1 other=kept$/,
     'the identity, and nothing the client claimed in its families');

$r = $nginx->request('GET', '/open/x', headers => \@forged);
like($r->{body}, qr/^id= email= role= sid= exp= imp= org= orgrole= perm= under= xff=10\.0\.0\.1 other=kept$/,
     'an ungated location: the client\'s claims are dropped all the same');

$r = $nginx->request('GET', '/plain/x', headers => \@forged);
like($r->{body}, qr/^id=forged /, '"off" leaves the headers alone');

$nginx->stop;
done_testing();
