package Athena::Compat;

# The real better-auth (t/compat/better-auth.mjs, the npm packages that
# scripts/compat-deps.sh installs) on the suite's own Postgres, with the
# suite's secret: one node process per call. It lets a suite check that
# what the module writes, better-auth reads, and the other way round.
#
#   my $r = better_auth('create-key', { userId => $id, name => 'k' });
#   my $v = better_auth('verify-key', { key => $r->{key} });
#   my $h = better_auth('http', { method => 'GET', path => '/api/auth/...',
#                                 headers => { authorization => "Bearer $t" } });
#
# Returns the decoded JSON line the script printed; dies with the script's
# stderr when it fails.

use strict;
use warnings;

use Exporter 'import';
use File::Temp ();
use POSIX ();

use Athena::Servers;
use Athena::Test qw(servers json_decode json_encode);

our @EXPORT = qw(better_auth better_auth_ready);

our $DIR = "$Athena::Servers::TOP/t/compat";
our $SCRIPT = "$DIR/better-auth.mjs";


# the packages are installed (never here: a suite does not install things)
sub better_auth_ready {
    return -d "$DIR/node_modules/better-auth"
        && -d "$DIR/node_modules/\@better-auth/api-key"
        && -d "$DIR/node_modules/pg";
}


sub better_auth {
    my ($command, $args) = @_;

    die "better-auth is not installed in $DIR/node_modules:"
        . " run scripts/compat-deps.sh first\n"
        unless better_auth_ready();

    local $ENV{ATHENA_PG} = servers()->conninfo;
    local $ENV{BETTER_AUTH_SECRET} = $Athena::Test::SECRET;
    local $ENV{BETTER_AUTH_TELEMETRY} = 0;

    my $err = File::Temp->new;
    my $pid = open(my $out, '-|') // die "fork: $!";
    if ($pid == 0) {
        open STDERR, '>&', $err or POSIX::_exit(127);
        { exec 'node', $SCRIPT, $command, json_encode($args || {}) }
        print STDERR "exec node: $!\n";
        POSIX::_exit(127);
    }
    my $text = do { local $/; <$out> };
    close $out;
    my $status = $?;

    my $stderr = do { local $/; open my $fh, '<', $err->filename; <$fh> };
    die "better-auth.mjs $command failed (exit @{[ $status >> 8 ]}):\n$stderr"
        if $status != 0 || !defined $text || $text !~ /\S/;

    return json_decode($text);
}

1;
