#!/usr/bin/env perl
# The bench's mail sink: an SMTP server (EHLO, MAIL, RCPT, DATA, QUIT; no
# TLS, no AUTH) that keeps no mail, only one line per mail taken ("<to>
# <bytes>") appended to a log, so that the bench can count deliveries and
# spot a mail taken twice. Unlike t/lib/Athena/Smtp.pm (one process, one
# connection at a time, a file per mail) it preforks children that accept
# on one socket, so that the nginx workers' rounds never queue behind one
# another in the sink. Runs until TERM, which it passes to its children.
#
#   perl bench/smtp-sink.pl port log [children, default 4]

use strict;
use warnings;

use Fcntl qw(O_WRONLY O_APPEND O_CREAT);
use IO::Socket::INET;

my ($port, $log, $children) = @ARGV;
die "usage: smtp-sink.pl port log [children]\n" unless $port && $log;
$children ||= 4;

my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                   LocalPort => $port, Proto => 'tcp',
                                   Listen => 128, ReuseAddr => 1)
    or die "smtp sink: $!\n";

sub serve {
    my ($c, $out) = @_;
    my @to;

    $c->autoflush(1);
    print $c "220 sink ESMTP\r\n";

    while (defined(my $line = <$c>)) {
        if ($line =~ /^(EHLO|HELO)\b/i) {
            print $c "250-sink\r\n250 8BITMIME\r\n";
        } elsif ($line =~ /^MAIL FROM:/i) {
            @to = ();
            print $c "250 OK\r\n";
        } elsif ($line =~ /^RCPT TO:\s*<([^>]*)>/i) {
            push @to, $1;
            print $c "250 OK\r\n";
        } elsif ($line =~ /^DATA/i) {
            print $c "354 go on\r\n";
            my $bytes = 0;
            while (defined(my $l = <$c>)) {
                last if $l eq ".\r\n";
                $bytes += length $l;
            }
            # one write of a short line: lines of several children do not mix
            syswrite $out, "@to $bytes\n";
            print $c "250 queued\r\n";
        } elsif ($line =~ /^QUIT/i) {
            print $c "221 bye\r\n";
            last;
        } else {
            print $c "250 OK\r\n";
        }
    }
}

my @kids;
for (1 .. $children) {
    my $pid = fork;
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        $SIG{TERM} = 'DEFAULT';
        sysopen my $out, $log, O_WRONLY | O_APPEND | O_CREAT or die "$log: $!";
        while (my $c = $listen->accept) {
            serve($c, $out);
            close $c;
        }
        exit 0;
    }
    push @kids, $pid;
}

close $listen;
$SIG{TERM} = sub { kill 'TERM', @kids; waitpid($_, 0) for @kids; exit 0 };
# the parent only waits, to stop its children when it is stopped
sleep 1 while 1;
