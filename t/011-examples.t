# The configurations in conf-examples/ are accepted by nginx -t, with only
# their machine-specific values (module path, conninfo, secret, port)
# swapped for this test's.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Athena::Test;
use Athena::Servers;

my $servers = servers();
my $top = $Athena::Servers::TOP;
my $dir = Athena::Servers::tempdir_for('examples');

open my $fh, '>', "$dir/secret" or die;
print $fh "$Athena::Test::SECRET\n";
close $fh;

my %swap = (
    'load_module modules/ngx_http_athena_auth_module.so'
        => "load_module $Athena::Test::MODULE",
    'host=127.0.0.1 port=5432 dbname=app user=app' => $servers->conninfo,
    'file=/etc/nginx/athena-auth.secret' => "file=$dir/secret",
    '127.0.0.1:6379' => '127.0.0.1:' . $servers->redis_port,
    'listen 8080' => 'listen 127.0.0.1:' . Athena::Servers::free_port(),
);

for my $example (glob "$top/conf-examples/api.conf") {
    open my $in, '<', $example or die;
    my $conf = do { local $/; <$in> };
    while (my ($from, $to) = each %swap) {
        $conf =~ s/\Q$from\E/$to/g;
    }
    mkdir "$dir/logs";
    open my $out, '>', "$dir/nginx.conf" or die;
    print $out $conf;
    close $out;

    my $res = `nginx -p $dir -c $dir/nginx.conf -e $dir/logs/error.log -t 2>&1`;
    is($?, 0, "nginx -t accepts " . ($example =~ s{.*/}{}r))
        or diag $res;
}

done_testing();
