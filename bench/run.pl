#!/usr/bin/env perl
# Measures the module with wrk against plain nginx on the same machine in
# the same run, and prints each case's req/s and p99 with its ratio to
# plain nginx "return 200" (and, for the gate before proxy_pass, to the
# same proxy_pass without it). Starts its own Postgres, Redis and nginx.
# The gate's cases run twice: with 1,000 sessions in the table, then with
# BENCH_SESSIONS (default 1,000,000). The admin API's run next, with
# BENCH_USERS (default 1,000,000) users in the table, then the
# organization API's, for a user in 50 organizations, and the cost of the
# rate limiter (get-session and has-permission with it and without, in
# one run; its maximum set so high that nothing is refused). The keys
# section measures API keys: the gate admitting an admin's x-api-key from
# shared memory (with and without key_permission=), POST /api-key/verify,
# and GET /admin/audit-log/list?actorUserId= over BENCH_AUDIT_ROWS
# (default 1,000,000) audit rows, half of them by one busy actor, half
# by BENCH_AUDIT_ACTORS (default 500) others, with the Postgres plans of
# the list's page (with its kept total) for both kinds of actor. The mail
# section measures GET /admin/email/list over BENCH_EMAIL_ROWS (default
# 100,000) emails, filtered by a recipient (100 rows), by a provider (a
# quarter of them) and not at all, beside an empty list (the route
# without its count), with the Postgres plan of each page and its total
# (kept by triggers); then, with an nginx of its own delivering to
# bench/smtp-sink.pl (BENCH_SMTP_SINK=suite: t/lib/Athena/Smtp.pm),
# mails per second for BENCH_MAILS (default 2,000) queued in the outbox,
# and plain nginx's req/s and p99 while mail goes out against a run
# without. The rest section measures seed 003's REST admin API: GET
# /api/admin/users over BENCH_USERS users and GET /api/admin/organizations
# over BENCH_ORGS (default 10,000) organizations, with the per-admin
# limits counted and, on an nginx of its own, off, in pairs back to back
# (BENCH_REST_ROUNDS) with each run's servers' CPU per request, beside the
# better-auth surface's list-users, with the plans of both pages. The jwt section
# measures seed 004 on an nginx of its own with the jwt plugin on: the
# gate with a JWT verified on every request (what a token's first sight
# costs: athena_auth_cache_ttl 0) and with it cached, beside the gate with
# a session, over 999 users' tokens; and GET /api/v1/admin/admin-roles/
# over 1,000 assignments. The notify section measures how fast a change
# reaches another node through Postgres's notifications (see there). The
# versus section runs first: the module beside better-auth 1.7.25 itself
# on the same data (see there). BENCH_ONLY picks sections (a
# comma-separated list of versus, limit, gate, admin, org, keys, mail,
# rest, jwt, notify; default all).
# The run ends with the
# lines at warn or above in nginx's error log (the mail section's nginx
# included).
#
#   perl bench/run.pl [seconds per case, default 10]
#
# BENCH_CONNECTIONS (default 64) sets wrk's connections, BENCH_THREADS
# (default 4) the main nginx's pool threads per worker.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";

use POSIX ();
use Time::HiRes qw(time sleep);
use Athena::Test;

my $secs = shift || 10;
my $conns = $ENV{BENCH_CONNECTIONS} || 64;
# the main nginx's pool threads per worker
my $threads = $ENV{BENCH_THREADS} || 4;

die "wrk is not installed (apt-get install wrk)\n"
    unless system('which wrk >/dev/null 2>&1') == 0;

my %only = map { $_ => 1 } split /,/,
    $ENV{BENCH_ONLY} || 'versus,limit,gate,admin,org,keys,mail,rest,jwt,notify';

my $large = $ENV{BENCH_SESSIONS} || 1_000_000;
my $users = $ENV{BENCH_USERS} || 1_000_000;
# the audit log: half its rows by one busy actor, the other half shared
# by BENCH_AUDIT_ACTORS actors (1,000 rows each by default)
my $audit_rows = $ENV{BENCH_AUDIT_ROWS} || 1_000_000;
my $audit_actors = $ENV{BENCH_AUDIT_ACTORS} || 500;
# the REST admin API's organizations, and the members of each
my $orgs = $ENV{BENCH_ORGS} || 10_000;
# the record of sent mail, and how many mails to deliver
my $email_rows = $ENV{BENCH_EMAIL_ROWS} || 100_000;
my $mails = $ENV{BENCH_MAILS} || 2_000;
# the mail section's nginx and sink, stopped however the run ends
my ($mail_nginx, $stop_sink);
my $mail_log = '';
my $owner = $$;
END { $stop_sink->() if $stop_sink && $$ == $owner }

servers();
my $upstream = Athena::Servers::free_port();
my $nginx = start_nginx(
    workers => 2,
    master => 1,
    main_config => "thread_pool athena_auth threads=$threads"
                   . " max_queue=65536;\n",
    http_config => default_http_config(extra => <<"CONF"),
    athena_auth_cache_zone bench:64m;
    athena_auth_rate_limit_max 1000000000;
    athena_auth_admin_rest_limit 10000000 10000000s;
    upstream app {
        server 127.0.0.1:$upstream;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$upstream;
        access_log off;
        location / { return 200 "app\n"; }
    }
CONF
    config => <<'CONF');
        access_log off;
        location = /plain { return 200 "ok\n"; }
        location = /gated {
            athena_auth_require on;
            return 200 "ok\n";
        }
        location = /gated-miss {
            athena_auth_require on;
            athena_auth_cache_ttl 0;
            return 200 "ok\n";
        }
        location = /proxy {
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://app;
        }
        location = /gated-proxy {
            athena_auth_require on;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-User-Id $athena_user_id;
            proxy_pass http://app;
        }
        location = /keyed {
            athena_auth_require api_key;
            return 200 "ok\n";
        }
        location = /keyed-files {
            athena_auth_require api_key key_permission=files:read;
            return 200 "ok\n";
        }
        location /api/auth/ { athena_auth_api; }
        location /api/admin/ { athena_auth_admin_rest; }
        location /limited/api/auth/ {
            athena_auth_rate_limit on;
            athena_auth_api /limited/api/auth;
        }
CONF

my $user = create_user(email => 'bench@example.com',
                       password => 'bench-password-1');
my $token = create_session($user->{id});
my $base = 'http://127.0.0.1:' . $nginx->port;

# a thousand users with a session each, whose tokens the gate's cases use
psql('INSERT INTO "user" (id, name, email, "emailVerified", "createdAt",'
     . ' "updatedAt", role) SELECT md5(g::text || \'u\'), \'Bench \' || g,'
     . ' \'bench\' || g || \'@example.com\', false, now(), now(), \'user\''
     . ' FROM generate_series(1, 999) g; '
     . 'INSERT INTO session (id, "expiresAt", token, "createdAt", "updatedAt",'
     . ' "userId") SELECT md5(g::text || \'s\'), now() + interval \'7 days\','
     . ' md5(g::text || \'t\'), now(), now(), md5(g::text || \'u\')'
     . ' FROM generate_series(1, 999) g');
my $tokens_file = Athena::Servers::tempdir_for('bench') . '/tokens';
{
    open my $fh, '>', $tokens_file or die $!;
    print $fh psql('SELECT token FROM session'), "\n";
    close $fh;
}
$ENV{BENCH_TOKENS} = $tokens_file;
my @tokens = ('-s', "$FindBin::Bin/tokens.lua");

# warm Redis for the session
$nginx->request('GET', '/api/auth/get-session',
                headers => ["Authorization: Bearer $token"]);

# $path on the module's nginx, or a whole URL (another nginx's)
sub wrk {
    my ($path, @extra) = @_;
    my $url = $path =~ m{^http://} ? $path : "$base$path";
    my $out = `wrk -t2 -c$conns -d${secs}s --latency @extra '$url' 2>&1`;
    # wrk says what it ran against: the whole URL, query string included
    die "wrk did not run against $url:\n$out"
        unless $out =~ /^Running .* @ \Q$url\E$/m;
    my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
    my ($p99, $unit) = $out =~ /^\s+99%\s+([\d.]+)(us|ms|s)\b/m;
    $p99 = $p99 / 1000 if defined $unit && $unit eq 'us';
    $p99 = $p99 * 1000 if defined $unit && $unit eq 's';
    my ($non2xx) = $out =~ /Non-2xx or 3xx responses:\s+(\d+)/;
    warn "warning: $path had $non2xx non-2xx answers\n" if $non2xx;
    # connect, read or write errors, or requests over wrk's 2 s timeout
    my ($errors) = $out =~ /Socket errors:\s+(.*)/;
    warn "warning: $path had socket errors: $errors\n" if $errors;
    # wrk leaves requests over its timeout out of the latencies
    my ($timeouts) = ($errors // '') =~ /timeout (\d+)/;
    my ($requests) = $out =~ /^\s+(\d+) requests in /m;
    return ($rps || 0, $p99 || 0, $timeouts || 0,
            ($non2xx || 0) + ($errors ? 1 : 0), $requests || 0);
}

# the CPU time (user and system, in clock ticks) these processes have used
sub cpu_ticks {
    my $ticks = 0;
    for my $pid (@_) {
        open my $fh, '<', "/proc/$pid/stat" or next;
        # the fields after the command name, which may hold anything:
        # utime and stime are the 12th and 13th of them
        my ($rest) = <$fh> =~ /\) (.*)$/s;
        my @f = split ' ', $rest;
        $ticks += $f[11] + $f[12];
    }
    return $ticks;
}

# the machine's time so far, in ticks: (stolen by the hypervisor, all)
sub cpu_time {
    open my $fh, '<', '/proc/stat' or return (0, 0);
    my (undef, @t) = split ' ', scalar <$fh>;
    my $all = 0;
    $all += $_ for @t[0 .. 7];
    return ($t[7], $all);
}

# One case on a whole URL after a short unmeasured run: its req/s, the
# CPU per request in microseconds of each group of processes (subs that
# list their PIDs, asked after that run: connections are open by then)
# and of all of them, and the share of the machine's time stolen
# meanwhile. Only the servers' own CPU: wrk's is left out.
sub cpu_case {
    my ($url, $extra, @who) = @_;
    `wrk -t2 -c$conns -d2s @$extra '$url' 2>&1`;
    my @groups = map { [$_->()] } @who;
    my $hz = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;
    my @before = map { cpu_ticks(@$_) } @groups;
    my @t0 = cpu_time();
    my ($rps, undef, undef, undef, $requests) = wrk($url, @$extra);
    my @t1 = cpu_time();
    my @us = map { ((cpu_ticks(@{ $groups[$_] }) - $before[$_]) / $hz) * 1e6
                   / ($requests || 1) } 0 .. $#groups;
    my $all = 0;
    $all += $_ for @us;
    return { rps => $rps, us => \@us, all => $all,
             steal => ($t1[0] - $t0[0]) / (($t1[1] - $t0[1]) || 1) };
}

# a real better-auth 1.7.25 server (t/compat's serve) on the bench's
# database, in $workers processes: returns its port and PID
sub start_better_auth {
    my ($workers) = @_;
    my $port = Athena::Servers::free_port();
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        $ENV{ATHENA_PG} = servers()->conninfo;
        $ENV{BETTER_AUTH_SECRET} = $Athena::Test::SECRET;
        $ENV{BETTER_AUTH_TELEMETRY} = 0;
        open STDOUT, '>', '/dev/null';
        exec 'node', "$FindBin::Bin/../t/compat/better-auth.mjs", 'serve',
             "{\"port\":$port,\"workers\":$workers}";
        exit 127;
    }
    Athena::Servers::wait_port($port, 20)
        or die "the better-auth server did not start\n";
    return ($port, $pid);
}

my @bearer = ('-H', "'Authorization: Bearer $token'");

# [name, path, wrk arguments, the case it is a ratio to (default: plain)]
my @gate_cases = (
    ['gate, shared memory hit, return 200', '/gated', [@tokens]],
    ['gate, miss served from Redis', '/gated-miss', [@tokens]],
    ['plain proxy_pass', '/proxy', [@tokens]],
    ['gate before proxy_pass', '/gated-proxy', [@tokens],
     'plain proxy_pass'],
);

# wrk's per-request script costs wrk time on the same cores: plain nginx
# is measured with the same script, so that ratios compare like with like
my @cases = (
    ['plain nginx return 200', '/plain', [@tokens]],
    @gate_cases,
    ['GET /ok', '/api/auth/ok', []],
    ['GET /get-session (bearer, Redis warm)', '/api/auth/get-session',
     [@bearer]],
);

printf "wrk: 2 threads, %d connections, %d s per case; nginx: 2 workers, "
       . "thread_pool %d threads\n", $conns, $secs, $threads;

my %rps;

sub run_cases {
    my ($title, @list) = @_;
    printf "\n%s\n%-44s %12s %10s %8s\n", $title, 'case', 'req/s', 'p99 ms',
           'ratio';
    for my $c (@list) {
        my ($name, $path, $extra, $to) = @$c;
        # a short unmeasured run first: caches filled, connections open
        my $url = $path =~ m{^http://} ? $path : "$base$path";
        `wrk -t2 -c$conns -d2s @$extra '$url' 2>&1`;
        my ($rps, $p99, $timeouts) = wrk($path, @$extra);
        $rps{$name} = $rps;
        my $base = $rps{$to || 'plain nginx return 200'} || $rps;
        printf "%-44s %12.1f %10s %8.4f%s%s\n", $name, $rps,
               $timeouts ? sprintf('%.2f*', $p99) : sprintf('%.2f', $p99),
               $rps / $base, $to ? " (to $to)" : '',
               $timeouts ? " (* without $timeouts requests over 2 s)" : '';
    }
}

my $n = psql('SELECT count(*) FROM session');
my $t0;

# The module beside better-auth 1.7.25 itself (t/compat's `serve`: one
# Node process, then two cluster workers; the better of the two shown),
# on one database seeded alike for both: the bench's 1,000 users and an
# admin (1,001), the admin in 50 organizations of 20 members. The same
# session (the module's, which better-auth reads as its own) and the
# same wrk settings; sign-in with 8 connections, since wrk gives up on a
# request after 2 s and scrypt makes both queue. Rate limits: the
# module's maximum is set out of reach (athena_auth_rate_limit_max) and
# better-auth's limiter is off, as it is outside production (NODE_ENV).
# A row counts only 2xx answers: a run that drew any other answer or a
# socket error is marked void.
if ($only{versus}) {
    my $admin = create_user(email => 'vs-admin@example.com', role => 'admin');
    psql(qq{INSERT INTO organization (id, name, slug, "createdAt")
            SELECT 'vs-org' || g, 'Versus ' || g, 'vs-org-' || g, now()
            FROM generate_series(1, 50) g;
            INSERT INTO member (id, "organizationId", "userId", role,
            "createdAt") SELECT 'vs-m' || o || '-' || k, 'vs-org' || o,
            md5(((o * 19 + k) % 999 + 1)::text || 'u'), 'member', now()
            FROM generate_series(1, 50) o, generate_series(1, 19) k;
            INSERT INTO member (id, "organizationId", "userId", role,
            "createdAt") SELECT 'vs-a' || g, 'vs-org' || g, '$admin->{id}',
            'owner', now() FROM generate_series(1, 50) g});
    psql('VACUUM ANALYZE');
    my $vs_token = create_session($admin->{id});
    my @vs_bearer = ('-H', "'Authorization: Bearer $vs_token'");
    local $ENV{BENCH_POST_TOKEN} = $vs_token;
    local $ENV{BENCH_BODY} = '{"permissions":{"user":["list"]}}';

    # [work, path, wrk arguments, connections]
    my @work = (
        ['GET get-session (bearer)', '/api/auth/get-session', [@vs_bearer]],
        ['POST admin/has-permission', '/api/auth/admin/has-permission',
         ['-s', "$FindBin::Bin/post-json.lua"]],
        ['GET admin/list-users?limit=20',
         '/api/auth/admin/list-users?limit=20', [@vs_bearer]],
        ['GET organization/list (50 orgs)', '/api/auth/organization/list',
         [@vs_bearer]],
        ['POST sign-in/email', '/api/auth/sign-in/email',
         ['-s', "$FindBin::Bin/sign-in.lua"], 8],
    );

    # req/s and p99 of one case, or undef for a void run
    my $measure = sub {
        my ($url, $extra, $c) = @_;
        my $all = $conns;
        $conns = $c if $c;
        `wrk -t2 -c$conns -d2s @$extra '$url' 2>&1`;
        my ($rps, $p99, $timeouts, $bad) = wrk($url, @$extra);
        $conns = $all;
        return [$rps, $p99, $bad || $timeouts ? 1 : 0];
    };

    my %ba;
    for my $workers (1, 2) {
        my ($port, $pid) = start_better_auth($workers);
        sleep 1;
        for my $w (@work) {
            my ($name, $path, $extra, $c) = @$w;
            my $m = $measure->("http://127.0.0.1:$port$path", $extra, $c);
            $ba{$name} = $m if !$ba{$name} || $ba{$name}[2]
                               || (!$m->[2] && $m->[0] > $ba{$name}[0]);
            $ba{$name}[3] = $workers if $ba{$name} == $m;
        }
        kill 'TERM', $pid;
        waitpid $pid, 0;
    }

    # plain nginx before and after the module's cases, the mean taken:
    # on this kind of machine one 10 s run of it varied by half
    my $plain = $measure->("$base/plain", [@vs_bearer]);
    my $gate = $measure->("$base/gated", [@vs_bearer]);
    my %mod = map { $_->[0] => $measure->("$base$_->[1]", $_->[2], $_->[3]) }
              @work;
    # the workers' CPU per sign-in, beside scrypt's own cost on one
    # thread (bench/scrypt.c, built from the module's sources)
    my $cpu = sub {
        my $t = 0;
        for my $pid (split /\s+/, `pgrep -P $nginx->{pid}`) {
            open my $fh, '<', "/proc/$pid/stat" or next;
            my @f = split / /, (<$fh> =~ s/^.*\) //r);
            $t += $f[11] + $f[12];
        }
        return $t * 1000 / POSIX::sysconf(POSIX::_SC_CLK_TCK());
    };
    my $c0 = $cpu->();
    my $out = `wrk -t2 -c8 -d${secs}s -s $FindBin::Bin/sign-in.lua '$base/api/auth/sign-in/email' 2>&1`;
    my $signed = $out =~ /(\d+) requests in/ ? $1 : 0;
    my $per_sign_in = $signed ? ($cpu->() - $c0) / $signed : 0;
    my $src = "$FindBin::Bin/../src/core";
    my $bin = Athena::Servers::tempdir_for('bench') . '/scrypt';
    my $alone = `cc -O2 -I$src -o $bin $FindBin::Bin/scrypt.c \\
                 $src/athena_scrypt.c $src/athena_time.c -lcrypto 2>&1 \\
                 && $bin 10`;
    chomp $alone;

    my $plain2 = $measure->("$base/plain", [@vs_bearer]);
    my @plains = ($plain->[0], $plain2->[0]);
    $plain = [($plain->[0] + $plain2->[0]) / 2];

    # sign-in ran last: the workers' memory with scrypt's blocks, then
    # once they have been idle (given back 5 to 10 s after the last hash)
    my $rss = sub {
        join ', ', map { `ps -o rss= -p $_` =~ s/\s+//gr }
                   split /\s+/, `pgrep -P $nginx->{pid}`;
    };
    my $busy = $rss->();
    sleep 11;
    my $idle = $rss->();

    printf "\nthe module beside better-auth 1.7.25 (plain nginx %.0f req/s,"
           . " the mean of %.0f and %.0f)\n"
           . "%-34s %18s %18s %9s %9s\n", $plain->[0], @plains, 'work',
           'better-auth req/s', 'module req/s', '÷ b-a', '÷ nginx';
    for my $w (@work, ['gate alone (gated return 200)']) {
        my $name = $w->[0];
        my $o = $ba{$name};
        my $m = $name =~ /^gate/ ? $gate : $mod{$name};
        printf "%-34s %18s %18s %9s %9.3f\n", $name,
               $o ? sprintf('%.1f (%d)%s', $o->[0], $o->[3],
                            $o->[2] ? ' void' : '') : '-',
               sprintf('%.1f%s', $m->[0], $m->[2] ? ' void' : ''),
               $o && $o->[0] ? sprintf('%.1f', $m->[0] / $o->[0]) : '-',
               $m->[0] / $plain->[0];
    }
    print "(better-auth: the better of one process and two workers; its"
          . " count of processes in brackets)\n";
    print "(worker RSS right after the sign-ins: $busy KiB; 11 s later:"
          . " $idle KiB)\n";
    printf "(CPU per sign-in: %.1f ms over %d sign-ins; scrypt alone: %s ms)\n",
           $per_sign_in, $signed, $alone =~ /^[\d.]+$/ ? $alone
                                  : "not measured ($alone)";
}

# what the rate limiter costs a route it counts (one Lua script in Redis
# per request, on the event loop), and that the gate does not pay it
if ($only{limit}) {
    local $ENV{BENCH_POST_TOKEN} = $token;
    local $ENV{BENCH_BODY} = '{"permissions":{"user":["list"]}}';
    my @post = ('-s', "$FindBin::Bin/post-json.lua");
    run_cases("rate limits: each route without, then with the limiter",
              ['plain nginx return 200', '/plain', [@tokens]],
              ['gate, shared memory hit, return 200', '/gated', [@tokens]],
              ['GET /ok (on the event loop)', '/api/auth/ok', []],
              ['GET /ok, rate limited', '/limited/api/auth/ok', [],
               'GET /ok (on the event loop)'],
              ['GET /get-session', '/api/auth/get-session', [@bearer]],
              ['GET /get-session, rate limited', '/limited/api/auth/get-session',
               [@bearer], 'GET /get-session'],
              ['POST /admin/has-permission', '/api/auth/admin/has-permission',
               [@post]],
              ['POST /admin/has-permission, rate limited',
               '/limited/api/auth/admin/has-permission', [@post],
               'POST /admin/has-permission']);
}

if ($only{gate}) {
    run_cases("$n sessions in the table", @cases);

    # many more sessions of the same users, then the gate's cases again
    $t0 = time;
    psql('CREATE TEMP TABLE u AS SELECT id, row_number() OVER () - 1 AS n'
         . ' FROM "user"; '
         . 'INSERT INTO session (id, "expiresAt", token, "createdAt",'
         . ' "updatedAt", "userId") SELECT md5(g::text || \'i\'),'
         . ' now() + interval \'7 days\', md5(g::text), now(), now(), u.id'
         . " FROM generate_series(1, $large - $n) g"
         . ' JOIN u ON u.n = g % (SELECT count(*) FROM u); ANALYZE session');
    $n = psql('SELECT count(*) FROM session');
    printf "\n(seeding took %.0f s)\n", time - $t0;
    # let Postgres finish with the bulk write before measuring again
    psql('VACUUM ANALYZE session');
    psql('CHECKPOINT');
    sleep 5;
    run_cases("$n sessions in the table",
              ['plain nginx return 200', '/plain', [@tokens]], @gate_cases,
              ['GET /get-session (bearer, Redis warm)', '/api/auth/get-session',
               [@bearer]]);
}

# the admin API over many users
if ($only{admin}) {
    $t0 = time;
    psql('INSERT INTO "user" (id, name, email, "emailVerified", "createdAt",'
         . ' "updatedAt", role, banned) SELECT \'many\' || g, \'Many \' || g,'
         . ' \'many\' || g || \'@example.net\', false,'
         . ' now() - g * interval \'1 second\', now(), \'user\', false'
         . " FROM generate_series(1, $users) g");
    psql('VACUUM ANALYZE "user"');
    psql('CHECKPOINT');
    $n = psql('SELECT count(*) FROM "user"');
    printf "\n(seeding %d users took %.0f s)\n", $users, time - $t0;
    sleep 5;

    my $admin = create_user(email => 'bench-admin@example.com',
                            role => 'admin');
    my $admin_token = create_session($admin->{id});
    my @admin = ('-H', "'Authorization: Bearer $admin_token'");
    local $ENV{BENCH_POST_TOKEN} = $admin_token;
    local $ENV{BENCH_BODY} = '{"permissions":{"user":["list"]}}';

    run_cases("$n users in the table",
              ['plain nginx return 200', '/plain', []],
              ['POST /admin/has-permission', '/api/auth/admin/has-permission',
               ['-s', "$FindBin::Bin/post-json.lua"]],
              ['GET /admin/get-user', '/api/auth/admin/get-user?id=many'
               . int($users / 2),
               [@admin]],
              ['GET /admin/list-users?limit=20',
               '/api/auth/admin/list-users?limit=20',
               [@admin]]);

    print "\nPostgres plan of the list-users page and its total:\n",
          psql('EXPLAIN ANALYZE SELECT id FROM "user" u LIMIT 20'), "\n",
          psql('EXPLAIN ANALYZE SELECT n FROM athena_user_count'), "\n";
}

# the organization API: a user in 50 organizations (of 10,000 in the
# table), each with 20 members
if ($only{org}) {
    $t0 = time;
    my $member = create_user(email => 'bench-org@example.com');
    psql(q{INSERT INTO organization (id, name, slug, "createdAt", metadata)
           SELECT 'org' || g, 'Org ' || g, 'org-' || g,
           now() - g * interval '1 second', '{"plan":"team"}'
           FROM generate_series(1, 10000) g; }
         . q{INSERT INTO member (id, "organizationId", "userId", role,
           "createdAt") SELECT 'mem' || o || '-' || k, 'org' || o,
           md5(((o * 20 + k) % 999 + 1)::text || 'u'), 'member', now()
           FROM generate_series(1, 10000) o, generate_series(1, 20) k; }
         . qq{INSERT INTO member (id, "organizationId", "userId", role,
           "createdAt") SELECT 'bench-m' || g, 'org' || (g * 200),
           '$member->{id}',
           CASE WHEN g % 2 = 0 THEN 'admin' ELSE 'owner' END, now()
           FROM generate_series(1, 50) g});
    psql('VACUUM ANALYZE organization');
    psql('VACUUM ANALYZE member');
    psql('CHECKPOINT');
    printf "\n(seeding 10,000 organizations, 200,050 members took %.0f s)\n",
           time - $t0;
    sleep 5;

    my $org_token = create_session($member->{id}, active_org => 'org200');
    local $ENV{BENCH_POST_TOKEN} = $org_token;
    local $ENV{BENCH_BODY} = '{"permissions":{"member":["create"],'
                             . '"invitation":["create"]}}';
    my $r = $nginx->request('GET', '/api/auth/organization/list',
                            headers => ["Authorization: Bearer $org_token"]);
    my @n = $r->{body} =~ /"slug":/g;
    printf "(GET /organization/list answers %d organizations, %d bytes)\n",
           scalar @n, length $r->{body};

    $n = psql('SELECT count(*) FROM member');
    run_cases("$n members in the table",
              ['plain nginx return 200', '/plain', []],
              ['GET /organization/list (50 organizations)',
               '/api/auth/organization/list',
               ['-H', "'Authorization: Bearer $org_token'"]],
              ['POST /organization/has-permission',
               '/api/auth/organization/has-permission',
               ['-s', "$FindBin::Bin/post-json.lua"]]);
}

# API keys: the gate admitting an admin's key (no quota, no rate limit:
# answered from the shared zone), the plugin's verify, and Athena's audit
# log listed by actor over BENCH_AUDIT_ROWS rows
if ($only{keys}) {
    my $admin = create_user(email => 'bench-keys@example.com',
                            role => 'admin');
    my $admin_token = create_session($admin->{id});
    my %key;
    for (['plain', '{"name":"bench"}'],
         ['files', '{"name":"bench files","permissions":{"files":["read"]}}']) {
        my ($which, $body) = @$_;
        my $r = $nginx->api('POST', '/admin/api-key/create', $admin_token,
                            $body);
        my $j = eval { json_decode($r->{body}) } || {};
        die "admin/api-key/create: $r->{code} $r->{body}\n"
            unless $r->{code} == 200 && $j->{key};
        die "the bench key is counted (a quota or a rate limit): $r->{body}\n"
            if defined $j->{apiKey}{remaining} || $j->{apiKey}{rateLimitEnabled};
        $key{$which} = $j->{key};
    }
    my $v = $nginx->api('POST', '/api-key/verify', undef,
                        qq({"key":"$key{plain}"}));
    die "api-key/verify: $v->{code} $v->{body}\n"
        unless $v->{code} == 200 && $v->{body} =~ /^\{"valid":true,/;
    # each location admits its key before it is measured
    for (['/keyed', 'plain'], ['/keyed-files', 'files']) {
        my $r = $nginx->request('GET', $_->[0],
                                headers => ["x-api-key: $key{$_->[1]}"]);
        die "$_->[0] with the $_->[1] key: $r->{code} $r->{body}\n"
            unless $r->{code} == 200;
    }

    {
        local $ENV{BENCH_POST_TOKEN} = '';
        local $ENV{BENCH_BODY} = qq({"key":"$key{plain}"});
        run_cases("API keys (admin keys: no quota, no rate limit)",
                  ['plain nginx return 200', '/plain', []],
                  ['gate, api_key, shared memory hit', '/keyed',
                   ['-H', "'x-api-key: $key{plain}'"]],
                  ['gate, key_permission=files:read, shm hit',
                   '/keyed-files', ['-H', "'x-api-key: $key{files}'"]],
                  ['POST /api-key/verify', '/api/auth/api-key/verify',
                   ['-s', "$FindBin::Bin/post-json.lua"]]);
    }

    # the audit log: rows a second apart, newest first by id, the busy
    # actor's every other one, the rest by actors in turn
    $t0 = time;
    my $busy = 'bench-busy-actor';
    psql(q{INSERT INTO admin_audit_logs (id, actor_user_id,
           actor_session_token, action, target_type, target_id, success,
           error_message, metadata, created_at)
           SELECT md5(g::text || 'audit'),
           CASE WHEN g % 2 = 0 THEN '} . $busy . q{'
                ELSE 'bench-actor-' || (g / 2) % } . $audit_actors . q{ END,
           md5(g::text || 'tok') || md5(g::text || 'en'),
           (ARRAY['admin.set_role', 'admin.ban_user', 'admin.unban_user',
                  'admin.revoke_user_sessions'])[g % 4 + 1],
           'user', md5(g::text || 'target'), g % 10 <> 0,
           CASE WHEN g % 10 = 0 THEN 'USER_NOT_FOUND' END,
           '{"ip":"127.0.0.1","userAgent":"bench"}',
           now() - g * interval '1 second'
           FROM generate_series(1, } . $audit_rows . q{) g});
    psql('VACUUM ANALYZE admin_audit_logs');
    psql('CHECKPOINT');
    my $actor = 'bench-actor-1';
    my %count = map { $_ => psql('SELECT count(*) FROM admin_audit_logs'
                                 . " WHERE actor_user_id = '$_'") }
                ($actor, $busy);
    $n = psql('SELECT count(*) FROM admin_audit_logs');
    printf "\n(seeding %d audit rows took %.0f s: %d by one actor, %d by"
           . " each of %d others)\n", $n, time - $t0, $count{$busy},
           $count{$actor}, $audit_actors;
    sleep 5;

    # the statement of athena_audit_list() in src/store/athena_audit_store.c
    # for an actor's page, with the total the triggers keep (migration
    # 008), kept prepared and planned once for all values, as the module
    # runs it (athena_pg_plan_mode() in src/store/athena_db.c)
    my $page = 'SELECT id, actor_user_id, action, target_type, target_id,'
               . ' success, error_message, metadata::text, created_at,'
               . ' (SELECT coalesce(max(n), 0) FROM admin_audit_log_counts'
               . ' WHERE actor_user_id = $4)'
               . ' FROM admin_audit_logs WHERE actor_user_id = $1'
               . ' ORDER BY created_at DESC, id DESC'
               . ' LIMIT $2::int8 OFFSET $3::int8';
    for my $who ($actor, $busy) {
        my $plan = sub {
            psql("SET plan_cache_mode = force_generic_plan;"
                 . " PREPARE q AS $page;"
                 . " EXPLAIN (ANALYZE, BUFFERS) EXECUTE q('$who', 20, 0,"
                 . " '$who')");
        };
        $plan->();    # once for the cache, as the bench finds it
        printf "\nPostgres plan of the audit list's page and total, actor"
               . " with %d rows:\n%s\n", $count{$who}, $plan->();
    }

    my @admin = ('-H', "'Authorization: Bearer $admin_token'");
    my $list = '/api/auth/admin/audit-log/list?limit=20&actorUserId=';
    for my $who ($actor, $busy) {
        my $r = $nginx->request('GET', $list . $who,
            headers => ["Authorization: Bearer $admin_token"]);
        my $j = eval { json_decode($r->{body}) } || {};
        die "audit-log/list for $who: $r->{code} $r->{body}\n"
            unless $r->{code} == 200 && @{ $j->{auditLogs} || [] } == 20
                   && $j->{total} == $count{$who};
    }
    run_cases("$n audit log rows",
              ['plain nginx return 200', '/plain', []],
              ["GET /admin/audit-log/list, $count{$actor} rows",
               "$list$actor", [@admin]],
              ["GET /admin/audit-log/list, $count{$busy} rows",
               "$list$busy", [@admin]]);
}

# seed 003's REST admin API: GET /api/admin/users?page=1&limit=20 over
# BENCH_USERS users (those of the admin section when it ran) and GET
# /api/admin/organizations over BENCH_ORGS organizations of five members,
# beside the better-auth surface's list-users; each with the per-admin
# limits counted in Redis (set so high that nothing is refused) and, on
# an nginx of its own, with them off; then the Postgres plans of both
# pages and their totals
if ($only{jwt}) {
    my $jwt_nginx = start_nginx(
        workers => 2,
        master => 1,
        main_config => "thread_pool athena_auth threads=4"
                       . " max_queue=65536;\n",
        http_config => default_http_config(extra => <<'CONF'),
    athena_auth_cache_zone bench_jwt:64m;
    athena_auth_rate_limit_max 1000000000;
    athena_auth_jwt on;
CONF
        config => <<'CONF');
        access_log off;
        location = /plain { return 200 "ok\n"; }
        location = /gated {
            athena_auth_require on;
            return 200 "ok\n";
        }
        location = /jwt-gated {
            athena_auth_require jwt;
            return 200 "ok\n";
        }
        location = /jwt-fresh {
            athena_auth_require jwt;
            athena_auth_cache_ttl 0;
            return 200 "ok\n";
        }
        location /api/auth/ { athena_auth_api; }
        location /api/v1/admin/admin-roles { athena_auth_admin_roles_api; }
CONF
    my $jbase = 'http://127.0.0.1:' . $jwt_nginx->port;

    # a JWT of each of the 999 users' sessions
    my $jwt_file = Athena::Servers::tempdir_for('bench') . '/jwts';
    open my $fh, '>', $jwt_file or die $!;
    for my $t (split /\n/, psql('SELECT token FROM session')) {
        my $r = $jwt_nginx->request('GET', '/api/auth/token',
                                    headers => ["Authorization: Bearer $t"]);
        my ($jwt) = $r->{body} =~ /"token":"([^"]+)"/ or next;
        print $fh "$jwt\n";
    }
    close $fh;

    # a SUPER_ADMIN, and a thousand assignments to list
    psql(qq{INSERT INTO admin_roles (id, user_id, role, created_at,
            updated_at) VALUES ('bench-root', '$user->{id}', 'SUPER_ADMIN',
            now(), now()) ON CONFLICT DO NOTHING});
    psql(q{INSERT INTO admin_roles (id, user_id, role, partner_id,
           created_at, updated_at) SELECT 'bench-ar' || g, id,
           'PARTNER_ADMIN', 'p' || g, now(), now()
           FROM (SELECT id, row_number() OVER () g FROM "user"
                 LIMIT 1000) u ON CONFLICT DO NOTHING});
    psql('VACUUM ANALYZE admin_roles');
    my $r = $jwt_nginx->request('GET', '/api/v1/admin/admin-roles/',
                                headers => ["Authorization: Bearer $token"]);
    die "admin-roles list: $r->{code} $r->{body}\n"
        unless $r->{code} == 200 && $r->{body} =~ /"total":(\d+)/;
    printf "\n(GET /api/v1/admin/admin-roles/ answers %d bytes, total %d)\n",
           length $r->{body}, $1;

    run_cases('seed 004: the gate with sessions, then JWTs, of 999 users'
              . ' in turn; the admin-roles list',
              ['plain nginx return 200', "$jbase/plain", [@tokens]],
              ['gate, a session, shared memory hit', "$jbase/gated",
               [@tokens]],
              ['GET /api/v1/admin/admin-roles/',
               "$jbase/api/v1/admin/admin-roles/",
               ['-H', "'Authorization: Bearer $token'"]]);
    {
        local $ENV{BENCH_TOKENS} = $jwt_file;
        # a JWT is a longer header: plain nginx is measured with it too
        run_cases('the same with JWTs (about 700 bytes each)',
                  ['plain nginx return 200, JWTs sent', "$jbase/plain",
                   [@tokens]],
                  ['gate, a JWT verified on every request',
                   "$jbase/jwt-fresh", [@tokens],
                   'plain nginx return 200, JWTs sent'],
                  ['gate, a JWT cached', "$jbase/jwt-gated", [@tokens],
                   'plain nginx return 200, JWTs sent']);
    }
    $jwt_nginx->stop;
}

if ($only{rest}) {
    $t0 = time;
    if (psql(q{SELECT count(*) FROM "user" WHERE id LIKE 'many%'}) < $users) {
        psql('INSERT INTO "user" (id, name, email, "emailVerified",'
             . ' "createdAt", "updatedAt", role, banned) SELECT'
             . ' \'many\' || g, \'Many \' || g, \'many\' || g'
             . ' || \'@example.net\', false, now() - g * interval'
             . " '1 second', now(), 'user', false"
             . " FROM generate_series(1, $users) g ON CONFLICT DO NOTHING");
    }
    psql(q{INSERT INTO organization (id, name, slug, "createdAt")
           SELECT 'borg' || g, 'Bench org ' || g, 'bench-org-' || g,
                  now() - g * interval '1 minute'
           FROM generate_series(1, } . $orgs . q{) g});
    psql(q{INSERT INTO member (id, "organizationId", "userId", role,
           "createdAt") SELECT 'bm' || g || '-' || k, 'borg' || g,
           'many' || ((g * 5 + k) % } . $users . q{ + 1),
           CASE WHEN k = 1 THEN 'owner'
           ELSE 'member' END, now()
           FROM generate_series(1, } . $orgs . q{) g,
                generate_series(1, 5) k});
    psql('VACUUM ANALYZE "user"');
    psql('VACUUM ANALYZE organization');
    psql('VACUUM ANALYZE member');
    psql('CHECKPOINT');
    my $nusers = psql('SELECT count(*) FROM "user"');
    my $norgs = psql('SELECT count(*) FROM organization');
    printf "\n(seeding for the REST admin API took %.0f s: %d users,"
           . " %d organizations)\n", time - $t0, $nusers, $norgs;
    sleep 5;

    my $admin = create_user(email => 'bench-rest@example.com',
                            role => 'admin');
    my $admin_token = create_session($admin->{id});
    my @admin = ('-H', "'Authorization: Bearer $admin_token'");

    # two nginx alike but for the limits: counted (set so high that
    # nothing is refused) and off
    my %rest;
    for my $limit ('10000000 10000000s', 'off') {
        $rest{$limit} = start_nginx(
            workers => 2,
            master => 1,
            main_config => "thread_pool athena_auth threads=4"
                           . " max_queue=65536;\n",
            http_config => default_http_config(
                extra => "    athena_auth_admin_rest_limit $limit;\n"),
            config => <<'CONF');
        access_log off;
        location /api/admin/ { athena_auth_admin_rest; }
CONF
    }
    my $limited = 'http://127.0.0.1:' . $rest{'10000000 10000000s'}->port;
    my $unlimited = 'http://127.0.0.1:' . $rest{off}->port;

    for my $url ('/api/admin/users?page=1&limit=20',
                 '/api/admin/organizations?page=1&limit=20')
    {
        my $r = $nginx->request('GET', $url,
            headers => ["Authorization: Bearer $admin_token"]);
        die "$url: $r->{code} $r->{body}\n"
            unless $r->{code} == 200 && $r->{body} =~ /"total":\d+/
                   && $r->{headers}{'ratelimit-limit'};
        printf "(GET %s answers %d bytes, %s)\n", $url, length $r->{body},
               $r->{body} =~ /("meta":\{[^}]*\})/;
    }

    run_cases("$nusers users, $norgs organizations",
              ['plain nginx return 200', '/plain', []],
              ['GET /api/auth/admin/list-users?limit=20',
               '/api/auth/admin/list-users?limit=20', [@admin]]);

    # Off and counted in turns, back to back in pairs, with each run's
    # server CPU per request: this machine's speed drifts between runs by
    # more than the limit costs (the hypervisor's stolen share is shown),
    # and CPU time per request drifts less than req/s. The median pair is
    # the figure.
    my $rounds = $ENV{BENCH_REST_ROUNDS} || 3;
    my $plain = $rps{'plain nginx return 200'};
    my %pairs;
    printf "\n%-40s %9s %7s %22s %6s %6s\n", 'case', 'req/s', 'ratio',
           'CPU us/req: nginx pg redis', 'all', 'steal';
    for my $r (1 .. $rounds) {
        for my $what ('users', 'organizations') {
            my $url = "/api/admin/$what?page=1&limit=20";
            my @order = $r % 2 ? ('off', 'counted') : ('counted', 'off');
            my %m;
            for my $mode (@order) {
                my $n = $mode eq 'off' ? $rest{off}
                                       : $rest{'10000000 10000000s'};
                my $m = $m{$mode} = cpu_case(
                    'http://127.0.0.1:' . $n->port . $url, [@admin],
                    sub { $n->worker_pids },
                    sub { servers()->pg_cluster_pids },
                    sub { servers()->{redis_pid} });
                printf "%-40s %9.1f %7.4f %6.1f %6.1f %6.1f %6.1f %5.0f%%\n",
                       "GET /api/admin/$what, limits $mode #$r", $m->{rps},
                       $m->{rps} / $plain, @{ $m->{us} }, $m->{all},
                       100 * $m->{steal};
            }
            push @{ $pairs{$what}{rps} }, $m{counted}{rps} / $m{off}{rps};
            push @{ $pairs{$what}{cpu} }, $m{counted}{all} / $m{off}{all};
            # Postgres runs the same statements in both: its CPU per
            # request measures how fast the machine was in that run
            push @{ $pairs{$what}{per_pg} },
                ($m{counted}{all} / $m{counted}{us}[1])
                / ($m{off}{all} / $m{off}{us}[1]);
            push @{ $pairs{$what}{off} }, $m{off}{rps} / $plain;
        }
    }
    for my $what ('users', 'organizations') {
        my %median = map {
            my @v = sort { $a <=> $b } @{ $pairs{$what}{$_} };
            ($_ => $v[$#v / 2])
        } keys %{ $pairs{$what} };
        my $list = sub {
            join ' ', map { sprintf '%.3f', $_ } @{ $pairs{$what}{$_[0]} };
        };
        printf "GET /api/admin/%s: limits off %.4f of plain nginx (median);"
               . " counted, of off (median of %d pairs): req/s %.3f (%s);"
               . " server CPU per request %.3f (%s); the same per Postgres"
               . " CPU %.3f (%s)\n", $what, $median{off}, $rounds,
               $median{rps}, $list->('rps'), $median{cpu}, $list->('cpu'),
               $median{per_pg}, $list->('per_pg');
    }
    $_->stop for values %rest;

    # the statements of athena_user_find() and athena_org_page()
    my $ucols = 'u.id, u.name, u.email, u."emailVerified", u.image,'
                . ' u."createdAt", u."updatedAt", u.role, u.banned,'
                . ' u."banReason", u."banExpires"';
    # (each kept prepared and planned once, as the module runs them: the
    # plan shown is the one for all values, its second run)
    my $plan = sub {
        my ($sql, $args) = @_;
        my $run = "EXPLAIN (ANALYZE, BUFFERS) EXECUTE p($args)";
        my $out = psql('SET plan_cache_mode = force_generic_plan;'
                       . " PREPARE p AS $sql; $run; SELECT '--'; $run");
        return (split /^--\n/m, $out)[-1];
    };
    print "\nPostgres plan of GET /api/admin/users, its page and total:\n",
          $plan->("SELECT $ucols, (SELECT n FROM athena_user_count)"
                  . ' FROM "user" u ORDER BY u."createdAt" DESC, u.id DESC'
                  . ' LIMIT $1 OFFSET $2', '20, 0'), "\n";
    print "\nPostgres plan of GET /api/admin/organizations, its page and"
          . " total:\n",
          $plan->('SELECT o.id, o.name, o.slug, o.logo, o."createdAt",'
                  . ' o.metadata, coalesce((SELECT c.n FROM'
                  . ' athena_member_count c WHERE c."organizationId" = o.id),'
                  . ' 0),'
                  . ' (SELECT n FROM athena_organization_count)'
                  . ' FROM organization o ORDER BY o."createdAt" DESC,'
                  . ' o.id DESC LIMIT $1 OFFSET $2', '20, 0'), "\n";
}

# Athena's record of sent mail: GET /admin/email/list over
# BENCH_EMAIL_ROWS rows (filtered by recipient, by provider, and not at
# all), then delivery from the outbox to a local SMTP sink by an nginx of
# its own (the relay's directives start each worker's delivery timer):
# mails per second, and plain nginx's latency while they go out
if ($only{mail}) {
    my $admin = create_user(email => 'bench-mail@example.com',
                            role => 'admin');
    my $admin_token = create_session($admin->{id});

    # rows a second apart; each recipient's every $rcpts-th row, a quarter
    # of them by each provider and each flow (not in step)
    my $rcpts = int($email_rows / 100) || 1;
    $t0 = time;
    psql(q{INSERT INTO emails (id, recipient_email, subject, from_address,
           from_name, text_body, html_body, provider, flow, metadata,
           created_at, updated_at)
           SELECT md5(g::text || 'email'),
           'rcpt' || g % } . $rcpts . q{ || '@example.com',
           'Bench mail ' || g, 'noreply@example.com', 'Bench',
           repeat('Hello, this is bench mail number ' || g || '. ', 6),
           '<p>' || repeat('Hello, this is bench mail number ' || g
                           || '. ', 12) || '</p>',
           (ARRAY['ses', 'smtp', 'sendgrid', 'postmark'])[g % 4 + 1],
           (ARRAY['verification', 'password-reset', 'invitation',
                  'notification'])[g / 4 % 4 + 1],
           '{"bench":true}', now() - g * interval '1 second',
           now() - g * interval '1 second'
           FROM generate_series(1, } . $email_rows . q{) g});
    psql('VACUUM ANALYZE emails');
    psql('CHECKPOINT');
    my $rcpt = 'rcpt7@example.com';
    my %count = (
        recipient => psql("SELECT count(*) FROM emails"
                          . " WHERE lower(recipient_email) = '$rcpt'"),
        provider => psql("SELECT count(*) FROM emails WHERE provider = 'ses'"),
        all => psql('SELECT count(*) FROM emails'),
    );
    printf "\n(seeding %d emails took %.0f s: %d to each of %d recipients,"
           . " %d by each of 4 providers)\n", $count{all}, time - $t0,
           $count{recipient}, $rcpts, $count{provider};
    sleep 5;

    # the statement of athena_email_list() (src/store/athena_email_store.c)
    # through athena_where_page() (src/store/athena_where.c): the page and
    # its total kept by migration 015's triggers, kept prepared and planned
    # once for all values (plan_cache_mode, as athena_pg_plan_mode() in
    # src/store/athena_db.c sets it): the plan shown is the one it runs
    my $cols = 'id, recipient_email, subject, from_address, from_name,'
               . ' text_body, html_body, provider, flow, metadata::text,'
               . ' created_at, updated_at';
    my @filters = (
        ['recipient', "recipientEmail=$rcpt",
         ' WHERE lower(recipient_email) = lower($1)', "'$rcpt', ", 'recipient'],
        ['provider', 'provider=ses', ' WHERE provider = $1', "'ses', ", 'provider'],
        ['all', '', '', '', ''],
    );
    for my $f (@filters) {
        my ($which, $query, $where, $value, $dim) = @$f;
        my $n = () = $where =~ /\$\d/g;
        my ($d, $k) = ('$' . ($n + 3), '$' . ($n + 4));
        my $kept = "(SELECT coalesce(max(n), 0) FROM email_counts WHERE dim = $d"
                   . " AND key = CASE WHEN $d = 'recipient' THEN lower($k)"
                   . " ELSE $k END)";
        my $page = "SELECT $cols, $kept FROM emails$where ORDER BY created_at"
                   . ' DESC, id DESC LIMIT $' . ($n + 1) . '::int8 OFFSET $'
                   . ($n + 2) . '::int8';
        my $key = $value =~ s/, $//r || "''";
        my $run = "EXPLAIN (ANALYZE, BUFFERS) EXECUTE p(${value}20, 0,"
                  . " '$dim', $key)";
        my $out = psql('SET plan_cache_mode = force_generic_plan;'
                       . " PREPARE p AS $page; $run; SELECT '--'; $run");
        printf "\nPostgres plan of the email list's page and kept total, %s"
               . " (%d rows), planned once, its second run:\n%s\n",
               $query || 'unfiltered', $count{$which},
               (split /^--\n/m, $out)[-1];
    }

    my $list = '/api/auth/admin/email/list?limit=20';
    my @cases;
    for my $f (@filters) {
        my ($which, $query) = @$f;
        my $path = $query ? "/api/auth/admin/email/list?$query&limit=20"
                          : $list;
        my $r = $nginx->request('GET', $path,
            headers => ["Authorization: Bearer $admin_token"]);
        my $j = eval { json_decode($r->{body}) } || {};
        die "email/list $path: $r->{code} $r->{body}\n"
            unless $r->{code} == 200 && @{ $j->{emails} || [] } == 20
                   && $j->{total} == $count{$which};
        printf "(GET %s answers 20 of %d emails, %d bytes)\n",
               $path =~ s{^/api/auth}{}r, $j->{total}, length $r->{body};
        push @cases, ["GET /admin/email/list, $which, $count{$which} rows",
                      $path,
                      ['-H', "'Authorization: Bearer $admin_token'"]];
    }
    # the route's cost without the count: a recipient with no mail (an
    # empty page, which is its own total)
    my $none = "/api/auth/admin/email/list?recipientEmail=nobody\@example.com"
               . '&limit=20';
    my $r = $nginx->request('GET', $none,
                            headers => ["Authorization: Bearer $admin_token"]);
    die "email/list $none: $r->{code} $r->{body}\n"
        unless $r->{code} == 200 && $r->{body} =~ /"total":0\b/;
    run_cases("$count{all} emails",
              ['plain nginx return 200', '/plain', []], @cases,
              ['GET /admin/email/list, empty (no count)', $none,
               ['-H', "'Authorization: Bearer $admin_token'"]]);

    # the sink: bench/smtp-sink.pl (children that accept on one socket),
    # or with BENCH_SMTP_SINK=suite the suites' single-process one
    my ($sink, $sink_pid, $sink_log);
    my $sink_port = Athena::Servers::free_port();
    if (($ENV{BENCH_SMTP_SINK} || '') eq 'suite') {
        require Athena::Smtp;
        $sink = Athena::Smtp->new;
        $sink_port = $sink->port;
    } else {
        $sink_log = Athena::Servers::tempdir_for('bench-sink') . '/received';
        $sink_pid = fork;
        die "fork: $!" unless defined $sink_pid;
        if ($sink_pid == 0) {
            exec 'perl', "$FindBin::Bin/smtp-sink.pl", $sink_port, $sink_log;
            exit 127;
        }
        $stop_sink = sub { kill 'TERM', $sink_pid; waitpid $sink_pid, 0 };
        die "the SMTP sink did not start\n"
            unless Athena::Servers::wait_port($sink_port, 10);
    }
    # the recipients of the mails the sink took, one for each
    my $received = sub {
        return map { $_->{to} } $sink->mails if $sink;
        open my $fh, '<', $sink_log or return ();
        return map { (split / /)[0] } <$fh>;
    };

    $mail_nginx = start_nginx(
        workers => 2,
        master => 1,
        main_config => "thread_pool athena_auth threads=4"
                       . " max_queue=65536;\n",
        http_config => default_http_config(extra => <<"CONF"),
    athena_auth_smtp smtp://127.0.0.1:$sink_port;
    athena_auth_smtp_starttls off;
    athena_auth_mail_from noreply\@example.com;
    athena_auth_mail_poll 100ms;
CONF
        config => <<'CONF');
        access_log off;
        location = /plain { return 200 "ok\n"; }
        location /api/auth/ { athena_auth_api; }
CONF
    my $plain = 'http://127.0.0.1:' . $mail_nginx->port . '/plain';

    # mails queued as a send queues them (an email row and its outbox
    # entry, in one transaction), each to a recipient of its own
    my $queued = 0;
    my $queue = sub {
        my ($n) = @_;
        my ($from, $to) = ($queued + 1, $queued + $n);
        psql(q{BEGIN; INSERT INTO emails (id, recipient_email, subject,
               from_address, from_name, text_body, html_body, provider,
               flow, created_at, updated_at)
               SELECT 'bench-mail-' || g, 'mail' || g || '@example.com',
               'Bench delivery ' || g, 'noreply@example.com', 'Bench',
               repeat('Hello, this is bench mail number ' || g || '. ', 6),
               '<p>' || repeat('Hello, this is bench mail number ' || g
                               || '. ', 12) || '</p>', 'smtp', 'bench',
               now(), now() FROM generate_series(} . "$from, $to"
             . q{) g; INSERT INTO email_outbox (id, email_id,
               next_attempt_at, created_at)
               SELECT 'bench-outbox-' || g, 'bench-mail-' || g, now(), now()
               FROM generate_series(} . "$from, $to" . q{) g; COMMIT});
        $queued = $to;
        return time;
    };
    # seconds from the queueing until the outbox is empty (undef when it
    # stops shrinking for 30 s)
    my $drain = sub {
        my ($since) = @_;
        my ($left, $last, $moved) = (-1, -1, time);
        while (($left = psql('SELECT count(*) FROM email_outbox')) > 0) {
            ($last, $moved) = ($left, time) if $left != $last;
            return undef if time - $moved > 30;
            sleep 0.1;
        }
        return time - $since;
    };

    printf "\nmail delivery: nginx (2 workers, thread_pool 4 threads,"
           . " athena_auth_mail_poll 100ms) to %s on port %d\n",
           $sink ? 't/lib/Athena/Smtp.pm' : 'bench/smtp-sink.pl', $sink_port;

    # alone: mails per second with nothing else to do
    my $t = $drain->($queue->($mails));
    die "mail delivery stopped: " . psql('SELECT count(*) FROM email_outbox')
        . " of $mails mails left\n" unless defined $t;
    my $rate = $mails / $t;
    printf "%d mails delivered in %.2f s: %.0f mails/s\n", $mails, $t, $rate;

    # plain nginx without delivery, then while mails go out: enough of
    # them queued to outlast wrk's run at the rate above, wrk's short
    # unmeasured run before the queueing
    printf "\n%-44s %12s %10s %8s\n", 'case', 'req/s', 'p99 ms', 'ratio';
    `wrk -t2 -c$conns -d2s '$plain' 2>&1`;
    my ($rps0, $p990) = wrk($plain);
    printf "%-44s %12.1f %10.2f %8.4f\n", 'plain nginx return 200, no mail',
           $rps0, $p990, 1;
    my $more = int($rate * $secs * 1.5);
    $more = $mails if $more < $mails;
    `wrk -t2 -c$conns -d2s '$plain' 2>&1`;
    my $q = $queue->($more);
    my ($rps1, $p991) = wrk($plain);
    my $during = time - $q;
    my $left = psql('SELECT count(*) FROM email_outbox');
    printf "%-44s %12.1f %10.2f %8.4f\n",
           "plain nginx return 200, $more mails going", $rps1, $p991,
           $rps0 ? $rps1 / $rps0 : 0;
    $t = $drain->($q);
    die "mail delivery stopped: " . psql('SELECT count(*) FROM email_outbox')
        . " of $more mails left\n" unless defined $t;
    printf "(%d mails delivered during wrk's %.1f s: %.0f mails/s;%s the"
           . " rest %.1f s later)\n", $more - $left, $during,
           ($more - $left) / $during,
           $left ? " $left left when wrk ended," : ' none left when wrk'
           . ' ended: the comparison covers part of a run without mail;',
           $t - $during;

    # every mail taken once, none given up
    my %to;
    $to{$_}++ for $received->();
    my $twice = grep { $to{$_} > 1 } keys %to;
    my $missing = grep { !$to{"mail$_\@example.com"} } 1 .. $queued;
    my $failures = psql('SELECT count(*) FROM email_send_failures');
    my $taken = 0;
    $taken += $_ for values %to;
    printf "(the sink took %d mails for %d queued: %d missing, %d taken more"
           . " than once; %d in email_send_failures)\n",
           $taken, $queued, $missing, $twice, $failures;

    $mail_nginx->stop;
    $mail_log = $mail_nginx->log_since(0);
    system('cp', $mail_nginx->error_log, "$ENV{BENCH_ERROR_LOG}.mail")
        if $ENV{BENCH_ERROR_LOG};
    if ($sink) {
        $sink->stop;
    } else {
        $stop_sink->();
        $stop_sink = undef;
    }
}

# Invalidation from Postgres (migration 019): how long a change takes to
# reach another node. Node B (an nginx of its own, 2 workers) caches a
# session at its gate; the session is revoked on node A (the module's
# API) or by a real better-auth 1.7.25 server (t/compat, one Node
# process) on the same database; the time from the revocation's answer
# to B's first refusal, B polled over fresh connections (about 0.3 ms
# apart), over BENCH_CHANGES (default 1,000) sessions each. Then the
# gate's hit path on A beside plain nginx, without and with 100 changes a
# second flowing (users outside wrk's token set renamed, each one a
# notification that every node acts on).
if ($only{notify}) {
    my $changes = $ENV{BENCH_CHANGES} || 1000;
    my $node_b = start_nginx(
        workers => 2,
        master => 1,
        main_config => "thread_pool athena_auth threads=4"
                       . " max_queue=65536;\n",
        http_config => default_http_config(extra => <<'CONF'),
    athena_auth_cache_zone bench_b:64m;
    athena_auth_cache_ttl 60s;
CONF
        config => <<'CONF');
        access_log off;
        location = /gated {
            athena_auth_require on;
            return 200 "ok\n";
        }
CONF
    my ($ba_port, $ba_pid) = start_better_auth(1);
    # Athena::Nginx's requests, to a server it did not start
    my $ba = bless { port => $ba_port, owner => -1 },
                    'Athena::Nginx';

    # sessions of the bench user, two sets of BENCH_CHANGES, by SQL
    psql(qq{INSERT INTO session (id, "expiresAt", token, "createdAt",
            "updatedAt", "userId")
            SELECT 'nb' || g, now() + interval '1 day', md5(g::text || 'nb'),
                   now(), now(), '$user->{id}'
            FROM generate_series(1, 2 * $changes) g});
    my @toks = split /\n/, psql(q{SELECT token FROM session
                                 WHERE id LIKE 'nb%' ORDER BY id});

    my $latency = sub {
        my ($title, $origin, @set) = @_;
        my @ms;
        for my $tok (@set) {
            my @h = ("Authorization: Bearer $tok");
            my $r = $node_b->request('GET', '/gated', headers => \@h);
            die "B refused a live session: $r->{code}\n" if $r->{code} != 200;
            $r = $origin->request('POST', '/api/auth/revoke-session',
                headers => [@h, 'Content-Type: application/json'],
                body => qq({"token":"$tok"}));
            die "$title: revoke-session answered $r->{code}: $r->{body}\n"
                if $r->{code} != 200;
            my $t0 = time;
            while ($node_b->request('GET', '/gated', headers => \@h)->{code}
                   == 200)
            {
                die "$title: not seen by B after 5 s\n" if time - $t0 > 5;
            }
            push @ms, (time - $t0) * 1000;
        }
        @ms = sort { $a <=> $b } @ms;
        printf "%-44s %8d %10.2f %10.2f %10.2f\n", $title, scalar @ms,
               $ms[int(@ms * 0.5)], $ms[int(@ms * 0.99)], $ms[-1];
    };

    printf "\ninvalidation: a revocation's answer to node B's refusal\n"
           . "%-44s %8s %10s %10s %10s\n", 'revoked by', 'changes',
           'p50 ms', 'p99 ms', 'max ms';
    $latency->('node A (the module)', $nginx, @toks[0 .. $changes - 1]);
    $latency->('better-auth 1.7.25', $ba, @toks[$changes .. 2 * $changes - 1]);
    kill 'TERM', $ba_pid;
    waitpid $ba_pid, 0;

    # 100 users outside wrk's tokens, each with a session, renamed in turn
    psql(q{INSERT INTO "user" (id, name, email, "emailVerified", "createdAt",
           "updatedAt") SELECT 'nu' || g, 'n', 'nu' || g || '@example.com',
           false, now(), now() FROM generate_series(1, 100) g;
           INSERT INTO session (id, "expiresAt", token, "createdAt",
           "updatedAt", "userId") SELECT 'ns' || g, now() + interval '1 day',
           md5(g::text || 'ns'), now(), now(), 'nu' || g
           FROM generate_series(1, 100) g});
    my $changer = fork // die "fork: $!";
    if ($changer == 0) {
        open STDOUT, '>', '/dev/null';
        open my $sql, '|-', 'psql', '-X', '-q', servers()->conninfo
            or exit 1;
        select((select($sql), $| = 1)[0]);
        my ($k, $next) = (0, time);
        while (1) {
            $k++;
            printf $sql qq{UPDATE "user" SET name = 'n%d' WHERE id = 'nu%d';\n},
                   $k, $k % 100 + 1;
            $next += 0.01;
            my $wait = $next - time;
            sleep $wait if $wait > 0;
        }
    }
    my $kill = sub { kill 'KILL', $changer; waitpid $changer, 0 };
    local $SIG{__DIE__} = sub { $kill->() };
    # the changer names each user after the count of its changes so far
    my $changed = sub {
        psql(q{SELECT coalesce(max(substr(name, 2)::int), 0) FROM "user"
               WHERE id LIKE 'nu%' AND name <> 'n'});
    };
    my $seen = $changed->();
    run_cases("the gate while 100 changes a second are announced",
              ['plain nginx return 200', '/plain', [@tokens]],
              ['gate, shared memory hit, return 200', '/gated', [@tokens]]);
    $kill->();
    printf "(%d changes announced during the cases)\n",
           $changed->() - $seen;
    run_cases("the gate with no change announced",
              ['plain nginx return 200', '/plain', [@tokens]],
              ['gate, shared memory hit, return 200', '/gated', [@tokens]]);
    $node_b->stop;
}

# Sign-in last: wrk gives up on a request after 2 s and sends another,
# and the scrypt of each one it gave up on still runs, so minutes of
# hashing follow this case and would slow whatever came after it.
if ($only{gate}) {
    run_cases("sign-in",
              ['plain nginx return 200', '/plain', []],
              ['POST /sign-in/email (scrypt)', '/api/auth/sign-in/email',
               ['-s', "$FindBin::Bin/sign-in.lua"]]);
}

my $pids = `pgrep -P $nginx->{pid}`;
my @rss = map { `ps -o rss= -p $_` =~ s/\s+//gr } split /\s+/, $pids;
printf "\nworker RSS after the run: %s KiB\n", join(', ', @rss);

$nginx->stop;

# what nginx complained of during the run (the log is at "info", whose
# lines, such as clients closing keep-alive connections, are left out)
my %seen;
# (the mail section's nginx included)
my @bad = grep { /\[(warn|error|crit|alert|emerg)\]/ } split /\n/,
          $nginx->log_since(0) . $mail_log;
for (@bad) {
    my ($level, $what) = /\[(\w+)\] \d+#\d+: (?:\*\d+ )?(.*?)(?:, client: .*)?$/;
    $seen{"[$level] " . ($what // $_)}++;
}
printf "\nnginx error log: %d lines at warn or above%s\n", scalar @bad,
       @bad ? ':' : '';
# BENCH_ERROR_LOG=file keeps the whole log, which goes with the temporary
# directory
system('cp', $nginx->error_log, $ENV{BENCH_ERROR_LOG}) if $ENV{BENCH_ERROR_LOG};
my @top = sort { $seen{$b} <=> $seen{$a} } keys %seen;
printf "  %6d  %s\n", $seen{$_}, substr($_, 0, 150) for splice @top, 0, 10;
