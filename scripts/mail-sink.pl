#!/usr/bin/env perl
# The README stack's mail sink: a small SMTP server on 127.0.0.1 that
# takes every mail and writes it to a file of its directory (NNNNN.eml,
# the envelope first), so that a new user can read what the module sent.
# It runs in the background and writes its PID to a file; scripts/stop.sh
# stops it by that PID.
#
#   perl scripts/mail-sink.pl <port> <directory> <pidfile>

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";

use IO::Socket::INET;
use POSIX qw(setsid);
use Athena::Smtp;

my ($port, $dir, $pidfile) = @ARGV;
die "usage: mail-sink.pl <port> <directory> <pidfile>\n" unless $pidfile;

mkdir $dir;
my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
                                   Proto => 'tcp', Listen => 16, ReuseAddr => 1)
    or die "mail sink: port $port: $!\n";

my $pid = fork;
die "fork: $!" unless defined $pid;
exit 0 if $pid;

setsid();
open STDIN, '<', '/dev/null';
open STDOUT, '>', '/dev/null';
open STDERR, '>', '/dev/null';

open my $fh, '>', $pidfile or die;
print $fh "$$\n";
close $fh;

# numbering goes on from what the directory holds
my $n = () = glob "$dir/*.eml";
while (my $c = $listen->accept) {
    $n = Athena::Smtp::serve($dir, $c, $n);
    close $c;
}
