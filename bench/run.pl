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
# the list's page (with its kept total) for both kinds of actor. BENCH_ONLY
# picks sections (a comma-separated list of limit, gate, admin, org,
# keys; default all). The run ends with the lines at warn or above in
# nginx's error log.
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

my %only = map { $_ => 1 } split /,/,
    $ENV{BENCH_ONLY} || 'limit,gate,admin,org,keys';

my $large = $ENV{BENCH_SESSIONS} || 1_000_000;
my $users = $ENV{BENCH_USERS} || 1_000_000;
# the audit log: half its rows by one busy actor, the other half shared
# by BENCH_AUDIT_ACTORS actors (1,000 rows each by default)
my $audit_rows = $ENV{BENCH_AUDIT_ROWS} || 1_000_000;
my $audit_actors = $ENV{BENCH_AUDIT_ACTORS} || 500;

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
        location = /keyed {
            athena_auth_require api_key;
            return 200 "ok\n";
        }
        location = /keyed-files {
            athena_auth_require api_key key_permission=files:read;
            return 200 "ok\n";
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
    my $out = `wrk -t2 -c$conns -d${secs}s --latency @extra '$base$path' 2>&1`;
    # wrk says what it ran against: the whole URL, query string included
    die "wrk did not run against $base$path:\n$out"
        unless $out =~ /^Running .* @ \Q$base$path\E$/m;
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
    return ($rps || 0, $p99 || 0, $timeouts || 0);
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
        `wrk -t2 -c$conns -d2s @$extra '$base$path' 2>&1`;
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
    # 008), planned with its values as the module's unnamed statements are
    my $page = 'SELECT id, actor_user_id, action, target_type, target_id,'
               . ' success, error_message, metadata::text,'
               . ' floor(extract(epoch FROM created_at) * 1000)::int8,'
               . ' (SELECT coalesce(max(n), 0) FROM admin_audit_log_counts'
               . ' WHERE actor_user_id = $4)'
               . ' FROM admin_audit_logs WHERE actor_user_id = $1'
               . ' ORDER BY created_at DESC, id DESC'
               . ' LIMIT $2::int8 OFFSET $3::int8';
    for my $who ($actor, $busy) {
        my $plan = sub {
            psql("SET plan_cache_mode = force_custom_plan;"
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
