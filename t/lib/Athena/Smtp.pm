package Athena::Smtp;

# A mail sink for the suites: a small SMTP server in a child process that
# takes every mail (EHLO, MAIL, RCPT, DATA, QUIT; no TLS, no AUTH) and
# writes each to a file of its directory, the envelope first. While the
# file "fail" exists in that directory it answers MAIL FROM with a 451,
# as a relay that is down for a while. Stopped by PID.

use strict;
use warnings;

use IO::Socket::INET;
use Athena::Servers;


sub new {
    my ($class) = @_;
    my $self = bless {
        dir  => Athena::Servers::tempdir_for('smtp'),
        port => Athena::Servers::free_port(),
    }, $class;

    my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                       LocalPort => $self->{port},
                                       Proto => 'tcp', Listen => 16,
                                       ReuseAddr => 1)
        or die "smtp sink: $!";

    my $pid = fork;
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        my $n = 0;
        while (my $c = $listen->accept) {
            $n = serve($self->{dir}, $c, $n);
            close $c;
        }
        exit 0;
    }

    close $listen;
    $self->{pid} = $pid;

    return $self;
}


sub serve {
    my ($dir, $c, $n) = @_;
    my ($from, @to);

    $c->autoflush(1);
    print $c "220 sink ESMTP\r\n";

    while (defined(my $line = <$c>)) {
        $line =~ s/\r?\n\z//;

        if ($line =~ /^(EHLO|HELO)\b/i) {
            print $c "250-sink\r\n250 8BITMIME\r\n";
        } elsif ($line =~ /^MAIL FROM:\s*<([^>]*)>/i) {
            if (-e "$dir/fail") {
                print $c "451 4.3.0 try again later\r\n";
                next;
            }
            ($from, @to) = ($1);
            print $c "250 OK\r\n";
        } elsif ($line =~ /^RCPT TO:\s*<([^>]*)>/i) {
            push @to, $1;
            print $c "250 OK\r\n";
        } elsif ($line =~ /^DATA/i) {
            print $c "354 go on\r\n";
            my $msg = '';
            while (defined(my $l = <$c>)) {
                last if $l eq ".\r\n";
                $l =~ s/^\.\././;
                $msg .= $l;
            }
            $n++;
            # whole or not at all, for a reader that looks meanwhile
            my $file = sprintf("%s/%05d.eml", $dir, $n);
            open my $fh, '>', "$file.part" or die;
            print $fh "X-Envelope-From: $from\r\nX-Envelope-To: @to\r\n$msg";
            close $fh;
            rename "$file.part", $file or die;
            print $c "250 queued as $n\r\n";
        } elsif ($line =~ /^QUIT/i) {
            print $c "221 bye\r\n";
            last;
        } else {
            print $c "250 OK\r\n";
        }
    }

    return $n;
}


sub port { $_[0]{port} }

sub fail {
    my ($self, $on) = @_;
    if ($on) {
        open my $fh, '>', "$self->{dir}/fail" or die;
        close $fh;
    } else {
        unlink "$self->{dir}/fail";
    }
}

# the mails taken so far, each as {from, to, headers => {lc name => value}, raw}
sub mails {
    my ($self) = @_;
    my @out;
    for my $f (sort glob "$self->{dir}/*.eml") {
        open my $fh, '<', $f or next;
        local $/;
        my $raw = <$fh>;
        my ($head) = split /\r\n\r\n/, $raw, 2;
        $head =~ s/\r\n[ \t]+/ /g;
        my %h;
        for (split /\r\n/, $head) {
            my ($k, $v) = split /:\s*/, $_, 2;
            $h{lc $k} = $v;
        }
        push @out, { from => $h{'x-envelope-from'}, to => $h{'x-envelope-to'},
                     headers => \%h, raw => $raw };
    }
    return @out;
}

sub stop {
    my ($self) = @_;
    my $pid = delete $self->{pid} or return;
    kill 'TERM', $pid;
    waitpid($pid, 0);
}

sub DESTROY { $_[0]->stop }

1;
