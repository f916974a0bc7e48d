#!/usr/bin/env perl
# Measures the module with wrk against plain nginx on the same machine in
# the same run, and prints each case's req/s and p99 with its ratio to
# plain nginx "return 200". Starts its own Postgres, Redis and nginx.
#
#   perl bench/run.pl [seconds per case, default 10]

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";

use Athena::Test;

my $secs = shift || 10;
my $conns = $ENV{BENCH_CONNECTIONS} || 64;

die "wrk is not installed (apt-get install wrk)\n"
    unless system('which wrk >/dev/null 2>&1') == 0;

servers();
my $nginx = start_nginx(
    workers => 2,
    master => 1,
    main_config => "thread_pool athena_auth threads=4 max_queue=65536;\n",
    config => <<'CONF');
        access_log off;
        location = /plain { return 200 "ok\n"; }
        location /api/auth/ { athena_auth_api; }
CONF

my $user = create_user(email => 'bench@example.com',
                       password => 'bench-password-1');
my $token = create_session($user->{id});
my $base = 'http://127.0.0.1:' . $nginx->port;

# warm Redis for the session
$nginx->request('GET', '/api/auth/get-session',
                headers => ["Authorization: Bearer $token"]);

sub wrk {
    my ($path, @extra) = @_;
    my $out = `wrk -t2 -c$conns -d${secs}s --latency @extra $base$path 2>&1`;
    my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
    my ($p99, $unit) = $out =~ /^\s+99%\s+([\d.]+)(us|ms|s)\b/m;
    $p99 = $p99 / 1000 if defined $unit && $unit eq 'us';
    $p99 = $p99 * 1000 if defined $unit && $unit eq 's';
    my ($non2xx) = $out =~ /Non-2xx or 3xx responses:\s+(\d+)/;
    warn "warning: $path had $non2xx non-2xx answers\n" if $non2xx;
    return ($rps || 0, $p99 || 0);
}

my @cases = (
    ['plain nginx return 200', '/plain'],
    ['GET /ok', '/api/auth/ok'],
    ['GET /get-session (bearer, Redis warm)', '/api/auth/get-session',
     '-H', "'Authorization: Bearer $token'"],
    ['POST /sign-in/email (scrypt)', '/api/auth/sign-in/email',
     '-s', "$FindBin::Bin/sign-in.lua"],
);

printf "wrk: 2 threads, %d connections, %d s per case; nginx: 2 workers, "
       . "thread_pool 4 threads\n\n", $conns, $secs;
printf "%-40s %12s %10s %8s\n", 'case', 'req/s', 'p99 ms', 'ratio';

my $plain;
for my $c (@cases) {
    my ($name, $path, @extra) = @$c;
    my ($rps, $p99) = wrk($path, @extra);
    $plain ||= $rps;
    printf "%-40s %12.1f %10.2f %8.4f\n", $name, $rps, $p99, $rps / $plain;
}

my $pids = `pgrep -P $nginx->{pid}`;
my @rss = map { `ps -o rss= -p $_` =~ s/\s+//gr } split /\s+/, $pids;
printf "\nworker RSS after the run: %s KiB\n", join(', ', @rss);

$nginx->stop;
