package Athena::Test;

# What every suite of this project shares: its own Postgres and Redis
# (started when the file loads this module, stopped when it ends), the
# environment the .t configs read ($TEST_NGINX_ATHENA_*), the default
# nginx configuration of a block, and fixtures written straight into
# Postgres with independent implementations of better-auth's formats
# (scrypt through Python's hashlib, HMAC through Digest::SHA), so that
# tests never trust the module to check itself.

use strict;
use warnings;

use Exporter 'import';
use Digest::SHA qw(hmac_sha256_base64);
use File::Temp ();
use JSON::PP;
use Time::HiRes qw(time);

use Athena::Servers;
use Athena::Nginx;

our @EXPORT = qw(
    servers psql json_decode json_encode random_id sign session_cookie scrypt_hash
    create_user create_session default_main_config default_http_config
    install_defaults start_nginx hold_table_lock gate_http_config app_hits create_org
    in_parallel
);

our $SECRET = 'athena-test-secret-0123456789-abcdefghijklmnop';
our $MODULE = "$Athena::Servers::TOP/build/ngx_http_athena_auth_module.so";

my $servers;


sub servers {
    $servers ||= Athena::Servers->new(@_);

    $ENV{TEST_NGINX_ATHENA_PG} = $servers->conninfo;
    $ENV{TEST_NGINX_ATHENA_REDIS} = '127.0.0.1:' . ($servers->redis_port || 1);
    $ENV{TEST_NGINX_ATHENA_SECRET} = $SECRET;
    $ENV{TEST_NGINX_LOAD_MODULES} ||= $MODULE;

    return $servers;
}


sub psql { servers()->psql(@_) }

sub json_decode { JSON::PP->new->utf8->allow_nonref->decode($_[0]) }

sub json_encode { JSON::PP->new->utf8->canonical->allow_nonref->encode($_[0]) }


sub random_id {
    my @c = ('A' .. 'Z', 'a' .. 'z', '0' .. '9');
    return join '', map { $c[int rand @c] } 1 .. 32;
}


# better-auth's signature: padded standard base64 of HMAC-SHA256
sub sign {
    my ($value, $secret) = @_;
    my $sig = hmac_sha256_base64($value, $secret || $SECRET);
    $sig .= '=' while length($sig) % 4;
    return "$value.$sig";
}


sub session_cookie {
    my ($token, $secret) = @_;
    my $v = sign($token, $secret);
    $v =~ s/([^A-Za-z0-9\-_.!~*'()])/sprintf('%%%02X', ord $1)/ge;
    return "better-auth.session_token=$v";
}


# scrypt exactly as better-auth stores it, computed by Python's hashlib
sub scrypt_hash {
    my ($password) = @_;
    my $dir = servers()->dir;
    utf8::encode($password) if utf8::is_utf8($password);
    open my $in, '>:raw', "$dir/pw.in" or die $!;
    print $in $password;
    close $in;
    my $out = `python3 -c '@{[ _scrypt_py() ]}' < $dir/pw.in`;
    chomp $out;
    die "scrypt failed" unless $out =~ /^[0-9a-f]{32}:[0-9a-f]{128}$/;
    return $out;
}


sub quote_sql {
    my ($v) = @_;
    return 'NULL' unless defined $v;
    $v =~ s/'/''/g;
    return "'$v'";
}


# inserts a user (and a credential account when a password is given)
sub create_user {
    my (%o) = @_;
    my $id = $o{id} || random_id();
    my $email = lc($o{email} || "user-$id\@example.com");

    psql(sprintf(
        'INSERT INTO "user" (id, name, email, "emailVerified", "createdAt",'
        . ' "updatedAt", role, banned, "banExpires")'
        . ' VALUES (%s, %s, %s, false, now(), now(), %s, %s, %s)',
        quote_sql($id), quote_sql($o{name} || 'Test User'), quote_sql($email),
        quote_sql($o{role} || 'user'), $o{banned} ? 'true' : 'false',
        $o{ban_expires} ? quote_sql($o{ban_expires}) : 'NULL'));

    if (defined $o{password}) {
        my $hash = scrypt_hash($o{password});
        psql(sprintf(
            'INSERT INTO account (id, "accountId", "providerId", "userId",'
            . ' password, "createdAt", "updatedAt")'
            . " VALUES (%s, %s, 'credential', %s, %s, now(), now())",
            quote_sql(random_id()), quote_sql($id), quote_sql($id),
            quote_sql($hash)));
    }

    return { id => $id, email => $email };
}


sub _scrypt_py {
    return 'import hashlib, os, sys, unicodedata
pw = unicodedata.normalize("NFKC", sys.stdin.buffer.read().decode("utf-8"))
salt = os.urandom(16).hex()
key = hashlib.scrypt(pw.encode("utf-8"), salt=salt.encode(), n=16384, r=16, p=1, dklen=64, maxmem=128 * 1024 * 1024)
print(salt + ":" + key.hex())';
}


# inserts a session row and returns its token; ages are in seconds
sub create_session {
    my ($user_id, %o) = @_;
    my $token = $o{token} || random_id();
    my $expires = defined $o{expires_in} ? $o{expires_in} : 7 * 86400;
    my $age = $o{age} || 0;

    psql(sprintf(
        'INSERT INTO session (id, "expiresAt", token, "createdAt", "updatedAt",'
        . ' "ipAddress", "userAgent", "userId", "impersonatedBy",'
        . ' "activeOrganizationId")'
        . " VALUES (%s, now() + interval '%d seconds', %s,"
        . " now() - interval '%d seconds', now() - interval '%d seconds',"
        . " '127.0.0.1', 'test', %s, %s, %s)",
        quote_sql(random_id()), $expires, quote_sql($token), $age, $age,
        quote_sql($user_id), quote_sql($o{impersonated_by}),
        quote_sql($o{active_org})));

    return $token;
}


# an organization with members: create_org(slug, [user_id, role], ...)
sub create_org {
    my ($slug, @members) = @_;
    my $id = random_id();
    psql(sprintf('INSERT INTO organization (id, name, slug, "createdAt")'
                 . ' VALUES (%s, %s, %s, now())',
                 quote_sql($id), quote_sql("Org $slug"), quote_sql($slug)));
    for my $m (@members) {
        psql(sprintf('INSERT INTO member (id, "organizationId", "userId",'
                     . ' role, "createdAt") VALUES (%s, %s, %s, %s, now())',
                     quote_sql(random_id()), quote_sql($id),
                     quote_sql($m->[0]), quote_sql($m->[1])));
    }
    return $id;
}


# runs $n copies of $code (given 0 .. $n-1) in forked children, released
# together, and returns what each returned: [{code, body}, ...] in order
sub in_parallel {
    my ($n, $code) = @_;
    my $dir = File::Temp::tempdir(CLEANUP => 1);
    my $start = time + 0.3;
    my @kids;

    for my $i (0 .. $n - 1) {
        my $pid = fork;
        die "fork: $!" unless defined $pid;
        if ($pid == 0) {
            Time::HiRes::sleep($start - time) if $start > time;
            my $r = $code->($i);
            open my $fh, '>', "$dir/$i" or exit 1;
            print $fh "$r->{code}\n$r->{body}";
            close $fh;
            exit 0;
        }
        push @kids, $pid;
    }

    waitpid($_, 0) for @kids;

    my @out;
    for my $i (0 .. $n - 1) {
        open my $fh, '<', "$dir/$i" or do { push @out, { code => 0 }; next };
        local $/;
        my ($code, $body) = split /\n/, <$fh>, 2;
        push @out, { code => $code, body => $body };
    }

    return @out;
}


# another Postgres session takes a lock on the table (ACCESS EXCLUSIVE
# unless $mode says) and keeps it for $secs seconds; returns (once the
# lock is held) the child's PID
sub hold_table_lock {
    my ($table, $secs, $mode) = @_;
    $mode ||= 'ACCESS EXCLUSIVE';
    (my $held = $mode) =~ s/(\w+)\s*/\u\L$1/g;

    my $pid = fork;
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        open STDOUT, '>', '/dev/null';
        exec 'psql', '-X', '-q', servers()->conninfo, '-c',
             "BEGIN; LOCK TABLE $table IN $mode MODE;"
             . " SELECT pg_sleep($secs); COMMIT;";
    }

    for (1 .. 200) {
        last if psql(qq{SELECT count(*) FROM pg_locks l JOIN pg_class c
                        ON c.oid = l.relation WHERE c.relname = '$table'
                        AND l.mode = '${held}Lock' AND l.granted}) > 0;
        select undef, undef, undef, 0.02;
    }

    return $pid;
}


sub default_main_config {
    return "thread_pool athena_auth threads=2 max_queue=1024;\n";
}


sub default_http_config {
    my (%o) = @_;
    my $redis = exists $o{redis} ? $o{redis}
              : "athena_auth_redis $ENV{TEST_NGINX_ATHENA_REDIS};";
    # the rate limiter (on by default) would refuse the bursts that suites
    # send from one address; t/025-rate-limit.t turns it on
    my $limit = $o{rate_limit} ? '' : 'athena_auth_rate_limit off;';
    return <<"CONF";
    athena_auth_postgres "$ENV{TEST_NGINX_ATHENA_PG}";
    $redis
    athena_auth_secret $SECRET;
    athena_auth_base_url http://localhost:3000;
    $limit
    @{[ $o{extra} || '' ]}
CONF
}


# The gate's http level: the cache zone and an upstream app, another
# server of the same nginx, that echoes the identity headers it received
# and logs every request it sees to $TEST_NGINX_APP_LOG.
sub gate_http_config {
    my (%o) = @_;
    $ENV{TEST_NGINX_APP_PORT} ||= Athena::Servers::free_port();
    $ENV{TEST_NGINX_APP_LOG} ||= Athena::Servers::tempdir_for('app') . '/app.log';
    my $zone = $o{zone} || 'athena_gate:1m';
    my $ttl = $o{ttl} ? "athena_auth_cache_ttl $o{ttl};" : '';
    my $gate = "    athena_auth_cache_zone $zone;\n    $ttl\n";
    # a second nginx of a suite shares the first one's app
    return default_http_config(%o, extra => $gate . ($o{extra} || ''))
        if $o{no_app};
    return default_http_config(%o, extra => $gate . <<"CONF" . ($o{extra} || ''));
    log_format app '\$request_uri user=\$http_x_user_id';
    server {
        listen 127.0.0.1:$ENV{TEST_NGINX_APP_PORT};
        access_log $ENV{TEST_NGINX_APP_LOG} app;
        # what a client PUTs here lands in files under app_dir()
        location /app/upload/ {
            root @{[ app_dir() ]};
            dav_methods PUT;
            create_full_put_path on;
            client_max_body_size 1m;
        }
        location / {
            default_type text/plain;
            return 200 "uri=\$request_uri\nid=\$http_x_user_id\nemail=\$http_x_user_email\nname=\$http_x_user_name\nrole=\$http_x_user_role\nsession=\$http_x_session_id\nexpires=\$http_x_session_expires\norg=\$http_x_org_id\norg_role=\$http_x_org_role\nimp=\$http_x_impersonated_by\n";
        }
    }
CONF
}


# the requests the app of gate_http_config saw for a URI: their log lines
sub app_lines {
    my ($uri) = @_;
    open my $fh, '<', $ENV{TEST_NGINX_APP_LOG} or return ();
    my @lines = grep { index($_, "$uri ") == 0 } <$fh>;
    close $fh;
    return @lines;
}

sub app_hits { return scalar(my @l = app_lines(@_)) }

sub app_dir { return $ENV{TEST_NGINX_APP_LOG} =~ s{/[^/]+$}{}r }


# blocks without their own main_config / http_config get the defaults
sub install_defaults {
    Test::Nginx::Socket::add_block_preprocessor(sub {
        my ($block) = @_;
        $block->set_value('main_config', default_main_config())
            unless exists $block->{main_config};
        $block->set_value('http_config', default_http_config())
            unless exists $block->{http_config};
    });
}


# for suites that drive several requests in order
sub start_nginx {
    my (%o) = @_;
    my $nginx = Athena::Nginx->new(
        main_config => $o{main_config} || default_main_config(),
        http_config => $o{http_config} || default_http_config(),
        config      => $o{config} || "location /api/auth/ { athena_auth_api; }",
        workers     => $o{workers},
        master      => $o{master},
    );
    $nginx->start or die "nginx did not start:\n" . $nginx->stderr;
    return $nginx;
}

1;
