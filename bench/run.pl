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
# one run; its maximum set so high that nothing is refused). BENCH_ONLY
# picks sections (a comma-separated list of limit, gate, admin, org;
# default all).
#
#   perl bench/run.pl [seconds per case, default 10]

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";

use Time::HiRes qw(time sleep);
use Athena::Test;

my $secs = shift || 10;
my $conns = $ENV{BENCH_CONNECTIONS} || 64;

die "wrk is not installed (apt-get install wrk)\n"
    unless system('which wrk >/dev/null 2>&1') == 0;

my %only = map { $_ => 1 } split /,/, $ENV{BENCH_ONLY} || 'limit,gate,admin,org';

my $large = $ENV{BENCH_SESSIONS} || 1_000_000;
my $users = $ENV{BENCH_USERS} || 1_000_000;

servers();
my $upstream = Athena::Servers::free_port();
my $nginx = start_nginx(
    workers => 2,
    master => 1,
    main_config => "thread_pool athena_auth threads=4 max_queue=65536;\n",
    http_config => default_http_config(extra => <<"CONF"),
    athena_auth_cache_zone bench:64m;
    athena_auth_rate_limit_max 1000000000;
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
        location /api/auth/ { athena_auth_api; }
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

sub wrk {
    my ($path, @extra) = @_;
    my $out = `wrk -t2 -c$conns -d${secs}s --latency @extra $base$path 2>&1`;
    my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
    my ($p99, $unit) = $out =~ /^\s+99%\s+([\d.]+)(us|ms|s)\b/m;
    $p99 = $p99 / 1000 if defined $unit && $unit eq 'us';
    $p99 = $p99 * 1000 if defined $unit && $unit eq 's';
    my ($non2xx) = $out =~ /Non-2xx or 3xx responses:\s+(\d+)/;
    warn "warning: $path had $non2xx non-2xx answers\n" if $non2xx;
    # connect, read or write errors, or requests over wrk's 2 s timeout
    my ($errors) = $out =~ /Socket errors:\s+(.*)/;
    warn "warning: $path had socket errors: $errors\n" if $errors;
    return ($rps || 0, $p99 || 0);
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
       . "thread_pool 4 threads\n", $conns, $secs;

my %rps;

sub run_cases {
    my ($title, @list) = @_;
    printf "\n%s\n%-44s %12s %10s %8s\n", $title, 'case', 'req/s', 'p99 ms',
           'ratio';
    for my $c (@list) {
        my ($name, $path, $extra, $to) = @$c;
        # a short unmeasured run first: caches filled, connections open
        `wrk -t2 -c$conns -d2s @$extra $base$path 2>&1`;
        my ($rps, $p99) = wrk($path, @$extra);
        $rps{$name} = $rps;
        my $base = $rps{$to || 'plain nginx return 200'} || $rps;
        printf "%-44s %12.1f %10.2f %8.4f%s\n", $name, $rps, $p99,
               $rps / $base, $to ? " (to $to)" : '';
    }
}

my $n = psql('SELECT count(*) FROM session');
my $t0;

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
my @bad = grep { /\[(warn|error|crit|alert|emerg)\]/ } split /\n/,
          $nginx->log_since(0);
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
