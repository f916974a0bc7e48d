# The configurations in conf-examples/ are accepted by nginx -t and, for
# the gate's, run as they are: only their machine-specific values (module
# path, conninfo, secret, ports, paths) are swapped for this test's.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(time sleep);
use Athena::Test;
use Athena::Servers;

my $servers = servers();
my $top = $Athena::Servers::TOP;
my $dir = Athena::Servers::tempdir_for('examples');

open my $fh, '>', "$dir/secret" or die;
print $fh "$Athena::Test::SECRET\n";
close $fh;

mkdir "$dir/www";
open $fh, '>', "$dir/www/index.html" or die;
print $fh "<h1>the app</h1>\n";
close $fh;

my $port = Athena::Servers::free_port();
my $app_port = Athena::Servers::free_port();

my @swap = (
    [ 'load_module modules/ngx_http_athena_auth_module.so',
      "load_module $ENV{TEST_NGINX_LOAD_MODULES}" ],
    [ 'host=127.0.0.1 port=5432 dbname=app user=app', $servers->conninfo ],
    [ 'file=/etc/nginx/athena-auth.secret', "file=$dir/secret" ],
    [ '127.0.0.1:6379', '127.0.0.1:' . $servers->redis_port ],
    [ 'listen 8080', "listen 127.0.0.1:$port" ],
    [ '127.0.0.1:9000', "127.0.0.1:$app_port" ],
    [ '127.0.0.1:9001', '127.0.0.1:' . Athena::Servers::free_port() ],
    [ '127.0.0.1:3000', '127.0.0.1:' . Athena::Servers::free_port() ],
    [ '/var/www/app', "$dir/www" ],
    [ "http {\n", "http {\n    access_log $dir/access.log;\n" ],
);

sub example {
    my ($name) = @_;
    open my $in, '<', "$top/conf-examples/$name" or die "$name: $!";
    my $conf = do { local $/; <$in> };
    $conf =~ s/\Q$_->[0]\E/$_->[1]/g for @swap;
    return $conf;
}

sub run_example {
    my ($name) = @_;
    my $nginx = Athena::Nginx->new(conf_text => example($name), port => $port,
                                   globals => 'daemon off; pid logs/nginx.pid;');
    $nginx->start or die "$name did not start:\n" . $nginx->stderr;
    return $nginx;
}

sub get {
    my ($nginx, $uri, @headers) = @_;
    return $nginx->request('GET', $uri, headers => \@headers);
}


for my $example (glob "$top/conf-examples/*.conf") {
    my $name = $example =~ s{.*/}{}r;
    next if $name eq 'local-stack.conf';    # a template of scripts/setup.sh

    my $root = Athena::Servers::tempdir_for('example');
    mkdir "$root/logs";
    open my $out, '>', "$root/nginx.conf" or die;
    print $out example($name);
    close $out;

    my $res = `$Athena::Nginx::BINARY -p $root -c $root/nginx.conf -e $root/logs/error.log -t 2>&1`;
    is($?, 0, "nginx -t accepts $name") or diag $res;
}


# gate-app.conf: sign up through the API, then reach the app
{
    my $nginx = run_example('gate-app.conf');

    my $r = get($nginx, '/app/');
    is($r->{code}, 401, 'gate-app: no session, no app');

    $r = $nginx->request('POST', '/api/auth/sign-up/email',
        headers => [ 'Content-Type: application/json',
                     'Origin: https://app.example.com' ],
        body => '{"email":"example@example.com","password":"password-123",'
                . '"name":"Example"}');
    is($r->{code}, 200, 'gate-app: sign-up');
    my ($cookie) = map { /^([^;]+)/ } @{ $r->{headers}{'set-cookie'} || [] };
    my $token = $r->{headers}{'set-auth-token'}[0];
    my $id = json_decode($r->{body})->{user}{id};

    my @forged = map { "$_: forged" } qw(X-User-Id x-user-email X-Session-Id
        X-Impersonated-By X-Org-Id X-ORG-ROLE X-User-Permissions);
    $r = get($nginx, '/app/page', "Cookie: $cookie", @forged);
    is($r->{code}, 200, 'gate-app: the session cookie admits');
    like($r->{body}, qr/^user \Q$id\E <example\@example.com> Example role=user session=\w{32} impersonated_by= org= org_role= cookie=\n$/,
         'gate-app: the app got the identity, none of the forged headers, '
         . 'and no cookie');

    $r = get($nginx, '/app/page', "Authorization: Bearer $token");
    like($r->{body}, qr/^user \Q$id\E /, 'gate-app: so does the bearer token');

    $nginx->stop;
}


# gate-login-redirect.conf
{
    my $nginx = run_example('gate-login-redirect.conf');
    my $user = create_user(email => 'browser@example.com');
    my $cookie = session_cookie(create_session($user->{id}));

    my $r = get($nginx, '/reports/2026?q=a%20b', 'Accept: text/html');
    is($r->{code}, 302, 'login-redirect: a browser is redirected');
    like($r->{headers}{location}[0],
         qr{^http://[^/]+/login\?callbackURL=%2Freports%2F2026%3Fq%3Da%2520b$},
         'login-redirect: to the login page, with where it was going');

    $r = get($nginx, '/reports/2026', 'Accept: application/json');
    is($r->{code}, 401, 'login-redirect: an API client gets 401');

    $r = get($nginx, '/login', 'Accept: text/html');
    is($r->{code}, 200, 'login-redirect: the login page is open');

    $r = get($nginx, '/', 'Accept: text/html', "Cookie: $cookie");
    is($r->{code}, 200, 'login-redirect: signed in, the app');
    is($r->{body}, "<h1>the app</h1>\n", 'login-redirect: its page');

    $nginx->stop;
}


# gate-rules.conf
{
    my $nginx = run_example('gate-rules.conf');
    my $plain = create_user(email => 'plain@example.com');
    my $admin = create_user(email => 'boss@example.com', role => 'admin');
    my $support = create_user(email => 'help@example.com', role => 'support');
    my $org = create_org('rules', [ $plain->{id}, 'member' ],
                         [ $admin->{id}, 'admin' ]);
    my %bearer = map {
        $_->[0] => 'Authorization: Bearer '
                   . create_session($_->[1]{id}, active_org => $org)
    } [ plain => $plain ], [ admin => $admin ], [ support => $support ];

    my %want = (
        '/app/x'         => { plain => 200, admin => 200, support => 200 },
        '/admin-ui/x'    => { plain => 403, admin => 200, support => 200 },
        '/reports/x'     => { plain => 403, admin => 200, support => 403 },
        '/org/members/x' => { plain => 403, admin => 200, support => 403 },
    );

    for my $uri (sort keys %want) {
        for my $who (sort keys %{ $want{$uri} }) {
            is(get($nginx, $uri, $bearer{$who})->{code}, $want{$uri}{$who},
               "rules: $who on $uri");
        }
    }

    is(get($nginx, '/app/health')->{code}, 200, 'rules: the open corner');
    like(get($nginx, '/app/health', 'X-User-Id: forged', 'X-Org-Role: owner')->{body},
         qr/user= role= org= org_role=$/,
         'rules: even there, no client identity reaches the app');

    # the stricter /app/admin takes every spelling an app may read as it
    for my $uri ('/app/admin/x', '/app/ADMIN/x', '/app/Admin/x', '/app/admin;/x',
                 '/app/admin./x', '/app/admin;a=b', '/app/admin')
    {
        is(get($nginx, $uri, $bearer{plain})->{code}, 403,
           "rules: $uri is the admins' corner");
    }
    like(get($nginx, '/app/ADMIN/x', $bearer{admin})->{body},
         qr/user=$admin->{id} role=admin /, 'rules: an admin gets in');
    is(get($nginx, '/app/administrators', $bearer{plain})->{code}, 200,
       'rules: /app/administrators is not /app/admin');
    like(get($nginx, '/org/members/x', $bearer{admin})->{body},
         qr/org=$org org_role=admin/, 'rules: the app gets the organization');

    $nginx->stop;
}


# gate-api-keys.conf: a key per Athena client, routed by $athena_key_client
{
    my $nginx = run_example('gate-api-keys.conf');
    my $admin = create_user(email => 'keys-admin@example.com', role => 'admin');
    my $token = create_session($admin->{id});
    psql(q{INSERT INTO athena_clients (id, client_name, is_active, created_at, updated_at)
           VALUES ('ex-billing', 'Billing', true, now(), now())
           ON CONFLICT DO NOTHING});

    my %key;
    for my $k ([ billing => { name => 'billing-svc', athenaClientName => 'Billing',
                              permissions => { files => ['read'] } } ],
               [ reports => { name => 'reports-svc' } ])
    {
        my $r = $nginx->request('POST', '/api/auth/admin/api-key/create',
            headers => [ "Authorization: Bearer $token", 'Content-Type: application/json' ],
            body => json_encode($k->[1]));
        is($r->{code}, 200, "keys: an admin makes the $k->[0] key");
        $key{ $k->[0] } = json_decode($r->{body})->{key};
    }

    is(get($nginx, '/files/a', "x-api-key: $key{billing}")->{body},
       "billing /files/a user=$admin->{id} key=billing-svc client=Billing\n",
       "keys: the Billing client's key reaches its backend, with its identity");
    my $r = get($nginx, '/files/a', "x-api-key: $key{reports}");
    is_deeply([ $r->{code}, json_decode($r->{body})->{code} ], [ 401, 'KEY_NOT_FOUND' ],
              'keys: a key without files:read is refused there');
    is(get($nginx, '/service/b', "x-api-key: $key{reports}", 'X-Key-Client: Billing')->{body},
       "reports /service/b user=$admin->{id} key=reports-svc client=\n",
       'keys: another key reaches the default backend; a forged client header is dropped');
    is(get($nginx, '/app/c', "x-api-key: $key{billing}")->{code}, 401,
       'keys: a sessions-only location does not take a key');
    is(get($nginx, '/service/d', 'x-api-key: ' . ('q' x 64))->{code}, 401,
       'keys: an unknown key is refused');

    $nginx->stop;
}

# beside-better-auth.conf: sessions as better-auth writes them
{
    my $nginx = run_example('beside-better-auth.conf');
    my $user = create_user(email => 'node@example.com', name => 'Node');
    my $token = create_session($user->{id});
    my $cookie = session_cookie($token);

    my $r = get($nginx, '/dashboard/', "Cookie: $cookie",
                'X-User-Email: root@example.com');
    is($r->{code}, 200, 'beside: a better-auth session cookie admits');
    is($r->{body}, "dashboard for $user->{id} <node\@example.com>\n",
       'beside: as its user');

    # better-auth signs out: it deletes the row, and nothing else; the
    # trigger's notification evicts it, long before the TTLs (60s + 10s)
    psql("DELETE FROM session WHERE token = '$token'");
    my $t0 = time;
    while (time - $t0 < 15) {
        $r = get($nginx, '/dashboard/', "Cookie: $cookie");
        last if $r->{code} == 401;
        sleep 0.02;
    }
    my $took = time - $t0;
    is($r->{code}, 401, 'beside: the ended session is refused');
    ok($took <= 2, sprintf('beside: by the notification, within 2 s (%.2fs)',
                           $took));

    $nginx->stop;
}

done_testing();
