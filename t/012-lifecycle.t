# nginx's own lifecycle with the module: a master with two workers serves
# the API, a reload (HUP) keeps it serving, and shutdown (QUIT) is clean:
# no worker dies on a signal while the thread pool's connections close.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use Time::HiRes qw(sleep);
use Athena::Test;

servers();
my $nginx = start_nginx(master => 1, workers => 2);

my $user = create_user(email => 'life@example.com', password => 'password-123');
my $tok = create_session($user->{id});

sub burst {
    my ($label) = @_;
    my $ok = 0;
    for (1 .. 20) {
        my $r = $nginx->request('GET', '/api/auth/get-session',
                                headers => ["Authorization: Bearer $tok"]);
        $ok++ if $r->{code} == 200 && $r->{body} =~ /"token":"$tok"/;
    }
    is($ok, 20, "$label: 20 of 20 get-session answered");
}

burst('before reload');

$nginx->reload;
sleep 1;
burst('after reload');

my $r = $nginx->request('POST', '/api/auth/sign-in/email',
    headers => ['Content-Type: application/json'],
    body => '{"email":"life@example.com","password":"password-123"}');
is($r->{code}, 200, 'sign-in after reload');

$nginx->stop;

open my $fh, '<', $nginx->error_log or die;
my $log = do { local $/; <$fh> };
unlike($log, qr/exited on signal/, 'no worker died on a signal');
unlike($log, qr/\[(alert|crit|emerg)\]/, 'no alert, crit or emerg lines');
like($log, qr/exit$/m, 'workers exited normally');

done_testing();
