package Athena::Servers;

# Real Postgres and Redis servers for the test suites: each test file gets
# its own, on free loopback ports, in a temporary directory that is removed
# (servers stopped by PID) when the file ends. Nothing is mocked.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);

our $TOP = abs_path(dirname(__FILE__) . '/../../..');
our $PGBIN = $ENV{ATHENA_PGBIN} || '/usr/lib/postgresql/15/bin';

my $as_root = $> == 0;


sub free_port {
    my $sock = IO::Socket::INET->new(
        Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp',
        ReuseAddr => 1,
    ) or die "no free port: $!";
    my $port = $sock->sockport;
    close $sock;
    return $port;
}


sub tempdir_for {
    my ($what) = @_;
    my $dir = tempdir("athena-$what-XXXXXX", TMPDIR => 1, CLEANUP => 1);
    chmod 0755, $dir;
    return $dir;
}


sub wait_port {
    my ($port, $secs) = @_;
    my $until = time + ($secs || 10);
    while (time < $until) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $port, Proto => 'tcp');
        if ($s) { close $s; return 1 }
        sleep 0.05;
    }
    return 0;
}


# Postgres refuses to run as root: its programs run as "postgres" then.
sub pg_cmd {
    my @cmd = @_;
    return $as_root ? ('runuser', '-u', 'postgres', '--', @cmd) : @cmd;
}


sub run_quiet {
    my @cmd = @_;
    my $out = `@{[ join ' ', map { quotemeta } @cmd ]} 2>&1`;
    die "command failed: @cmd\n$out" if $? != 0;
    return $out;
}


sub new {
    my ($class, %opt) = @_;

    my $dir = tempdir('athena-test-XXXXXX', TMPDIR => 1, CLEANUP => 0);
    chmod 0755, $dir;

    my $self = bless { dir => $dir, owner => $$ }, $class;

    $self->start_postgres;
    $self->start_redis unless $opt{no_redis};
    $self->migrate unless $opt{no_migrate};

    return $self;
}


sub start_postgres {
    my ($self) = @_;

    my $data = "$self->{dir}/pg";
    mkdir $data;

    if ($as_root) {
        my (undef, undef, $uid, $gid) = getpwnam('postgres')
            or die "no postgres user";
        chown $uid, $gid, $data;
    }

    $self->{pg_port} = free_port();
    $self->{pg_data} = $data;

    run_quiet(pg_cmd("$PGBIN/initdb", '-D', $data, '-U', 'postgres',
                     '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8',
                     '--no-sync'));

    $self->{pg_opts} = "-p $self->{pg_port} -k $data"
                       . " -c listen_addresses=127.0.0.1 -c fsync=off"
                       . " -c synchronous_commit=off -c full_page_writes=off"
                       . " -c max_connections=200";
    $self->restart_postgres;

    $self->{pg_pid} = $self->pg_pid;

    run_quiet('psql', '-X', '-q', '-h', '127.0.0.1', '-p', $self->{pg_port},
              '-U', 'postgres', '-c', 'CREATE DATABASE athena');

    $self->{conninfo} = "host=127.0.0.1 port=$self->{pg_port}"
                        . " user=postgres dbname=athena";
}


sub pg_ctl {
    my ($self, @args) = @_;
    run_quiet(pg_cmd("$PGBIN/pg_ctl", '-D', $self->{pg_data}, @args));
}


sub pg_pid {
    my ($self) = @_;
    open my $fh, '<', "$self->{pg_data}/postmaster.pid" or return undef;
    my $pid = <$fh>;
    chomp $pid;
    return $pid;
}


sub stop_postgres {
    my ($self) = @_;
    return unless $self->pg_pid;
    $self->pg_ctl('stop', '-m', 'fast', '-w');
}


sub restart_postgres {
    my ($self) = @_;
    $self->pg_ctl('start', '-w', '-t', '30', '-l',
                  "$self->{pg_data}/server.log", '-o', $self->{pg_opts});
}


sub start_redis {
    my ($self) = @_;

    $self->{redis_port} ||= free_port();
    my $pidfile = "$self->{dir}/redis.pid";
    unlink $pidfile;

    run_quiet('redis-server', '--port', $self->{redis_port},
              '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
              '--daemonize', 'yes', '--pidfile', $pidfile,
              '--dir', $self->{dir}, '--logfile', "$self->{dir}/redis.log");

    for (1 .. 100) {
        last if -s $pidfile;
        sleep 0.05;
    }

    open my $fh, '<', $pidfile or die "redis did not start";
    my $pid = <$fh>;
    chomp $pid;
    $self->{redis_pid} = $pid;

    wait_port($self->{redis_port}) or die "redis not listening";
}


sub stop_redis {
    my ($self) = @_;
    my $pid = delete $self->{redis_pid} or return;
    kill 'TERM', $pid;
    for (1 .. 100) {
        last unless kill 0, $pid;
        sleep 0.05;
    }
}


# The children of process $ppid, found by parentage in /proc.
sub child_pids {
    my ($ppid) = @_;
    my @kids;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $fh, '<', $stat or next;
        my $line = <$fh>;
        close $fh;
        # the command name is in parentheses and may hold anything
        my ($pid, $rest) = $line =~ /^(\d+) \(.*\) (.*)$/s or next;
        my (undef, $parent) = split ' ', $rest;
        push @kids, $pid if $parent == $ppid;
    }
    return @kids;
}


# The processes of this Postgres cluster: the postmaster (from its own
# postmaster.pid) and its children, the backends. Found by parentage, never
# by name, so no other Postgres on the machine is touched.
sub pg_cluster_pids {
    my ($self) = @_;
    my $master = $self->pg_pid or return ();
    return ($master, child_pids($master));
}


# SIGSTOP every process of the cluster: a host that stopped answering,
# with its sockets still open. The postmaster first, so it forks no new
# backend while they are found. thaw_postgres undoes it; DESTROY does too.
sub freeze_postgres {
    my ($self) = @_;
    my ($master) = $self->pg_cluster_pids or die 'no postmaster';
    kill 'STOP', $master;
    my @pids = $self->pg_cluster_pids;
    kill 'STOP', @pids;
    push @{ $self->{frozen} }, @pids;
    return @pids;
}


sub freeze_redis {
    my ($self) = @_;
    my $pid = $self->{redis_pid} or die 'no redis';
    kill 'STOP', $pid;
    push @{ $self->{frozen} }, $pid;
}


# SIGCONT whatever freeze_* stopped
sub thaw {
    my ($self) = @_;
    my $pids = delete $self->{frozen} or return;
    kill 'CONT', @$pids;
}


sub redis {
    my ($self, @args) = @_;
    my $out = `redis-cli -h 127.0.0.1 -p $self->{redis_port} @{[ join ' ', map { quotemeta } @args ]} 2>&1`;
    chomp $out;
    return $out;
}


sub migrate {
    my ($self, $schema) = @_;
    run_quiet("$TOP/scripts/migrate.sh", $self->{conninfo}, $schema || 'public');
}


# psql with the statement as a literal: tests use it for setup and checks,
# never the module.
sub psql {
    my ($self, $sql) = @_;
    my $out = run_quiet('psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1',
                        $self->{conninfo}, '-c', $sql);
    chomp $out;
    return $out;
}


sub conninfo { $_[0]{conninfo} }
sub redis_port { $_[0]{redis_port} }
sub dir { $_[0]{dir} }


sub DESTROY {
    my ($self) = @_;
    return unless $$ == $self->{owner};
    local ($?, $@);
    eval { $self->thaw };
    eval { $self->stop_redis };
    eval { $self->stop_postgres };
    system('rm', '-rf', $self->{dir}) if $self->{dir} && !$ENV{ATHENA_KEEP};
}

1;
