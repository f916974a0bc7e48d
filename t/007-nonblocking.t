# The worker never blocks: with one worker process, while one API request
# waits ~2 s on Postgres (a table lock held by another session) and
# another runs scrypt, GET /ok on the same worker still answers at once.
# Both slow requests then complete correctly.

use strict;
use warnings;
use lib 't/lib';

use Test::More;
use POSIX ();
use Time::HiRes qw(time sleep);
use Athena::Test;

my $servers = servers();
my $nginx = start_nginx(workers => 1);

my $user = create_user(email => 'busy@example.com', password => 'password-123');
my $tok = create_session($user->{id});

# runs a request in a child; the result lands in a file
sub background {
    my ($file, @req) = @_;
    my $pid = fork;
    if ($pid == 0) {
        my $t0 = time;
        my $r = $nginx->request(@req, timeout => 20);
        open my $fh, '>', $file or die;
        printf $fh "%d %.3f\n%s", $r->{code}, time - $t0, $r->{body};
        close $fh;
        $nginx->{pid} = undef;    # the child must not stop nginx
        POSIX::_exit(0);
    }
    return $pid;
}

sub result {
    my ($file) = @_;
    open my $fh, '<', $file or return (0, 0, '');
    my $head = <$fh>;
    local $/;
    my $body = <$fh>;
    my ($code, $secs) = split ' ', $head;
    return ($code, $secs, $body);
}

my $dir = $servers->dir;

my $locker = hold_table_lock('session', 2);

my $t0 = time;
my @kids = (
    background("$dir/held.out", 'GET', '/api/auth/get-session',
               headers => ["Authorization: Bearer $tok"]),
    background("$dir/scrypt.out", 'POST', '/api/auth/sign-up/email',
               headers => ['Content-Type: application/json'],
               body => '{"name":"S","email":"s@example.com","password":"password-123"}'),
);

sleep 0.2;    # both are now inside the thread pool

my @lat;
for (1 .. 10) {
    my $s = time;
    my $r = $nginx->request('GET', '/api/auth/ok');
    push @lat, time - $s;
    is($r->{code}, 200, "GET /ok $_ answered while Postgres is held");
}
my $worst = (sort { $b <=> $a } @lat)[0];
my $elapsed = time - $t0;

ok($worst < 0.1, sprintf('slowest GET /ok took %.1f ms (< 100 ms)',
                         $worst * 1000));
ok($elapsed < 1.8, sprintf('the pings ran while the lock was still held '
                           . '(%.2f s after it was taken)', $elapsed));

waitpid $_, 0 for @kids, $locker;

my ($code, $secs, $body) = result("$dir/held.out");
is($code, 200, 'the held get-session completed');
like($body, qr/"token":"$tok"/, 'with the right session');
ok($secs > 1.0, sprintf('after waiting for the lock (%.2f s)', $secs));

($code, $secs, $body) = result("$dir/scrypt.out");
is($code, 200, 'the sign-up with its scrypt completed');

$nginx->stop;
done_testing();
