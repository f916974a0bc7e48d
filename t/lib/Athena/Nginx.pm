package Athena::Nginx;

# Starts a real nginx with the module loaded, from a generated
# configuration in its own prefix, and stops it by PID. Used by the block
# runner (Test::Nginx::Socket) and by suites that drive several requests
# in order.

use strict;
use warnings;

use File::Path qw(make_path remove_tree);
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);

use Athena::Servers;

our $BINARY = $ENV{TEST_NGINX_BINARY} || '/usr/sbin/nginx';


sub render {
    my (%o) = @_;

    my $root = $o{root};
    my $port = $o{port};
    my $modules = join '', map { "load_module $_;\n" }
                  grep { length } split /\s+/, ($ENV{TEST_NGINX_LOAD_MODULES} || '');
    my $workers = $o{workers} || 1;
    my $master = $o{master} ? 'on' : 'off';
    my $level = $o{log_level} || 'info';

    return <<"CONF";
${modules}worker_processes $workers;
daemon off;
master_process $master;
error_log $root/logs/error.log $level;
pid $root/logs/nginx.pid;

@{[ $o{main_config} || '' ]}

http {
    access_log $root/logs/access.log;
    client_body_temp_path $root/client_body_temp;
    proxy_temp_path $root/proxy_temp;
    fastcgi_temp_path $root/fastcgi_temp;
    uwsgi_temp_path $root/uwsgi_temp;
    scgi_temp_path $root/scgi_temp;
    default_type text/plain;

@{[ $o{http_config} || '' ]}

    server {
        listen 127.0.0.1:$port;
        server_name localhost;
        client_max_body_size 30M;

@{[ $o{config} || '' ]}

        location / {
            root $root/html;
        }
    }
}

@{[ $o{post_main_config} || '' ]}

events {
    accept_mutex off;
    worker_connections 1024;
}
CONF
}


sub new {
    my ($class, %o) = @_;

    my $root = $o{root} || Athena::Servers::tempdir_for('nginx');
    my $self = bless { root => $root, owner => $$, %o }, $class;

    $self->{port} ||= Athena::Servers::free_port();

    remove_tree("$root/logs", "$root/conf");
    make_path("$root/logs", "$root/conf", "$root/html");

    for my $f (@{ $o{user_files} || [] }) {
        my ($name, $body) = @$f;
        open my $fh, '>', "$root/html/$name" or die "$name: $!";
        print $fh $body;
        close $fh;
    }

    # a ready configuration (conf-examples/) instead of the rendered one
    open my $fh, '>', "$root/conf/nginx.conf" or die $!;
    print $fh defined $o{conf_text} ? $o{conf_text}
                                    : render(%$self, root => $root);
    close $fh;

    return $self;
}


sub conf_file { "$_[0]{root}/conf/nginx.conf" }
sub error_log { "$_[0]{root}/logs/error.log" }
sub port { $_[0]{port} }
# the worker processes of an nginx started with a master
sub worker_pids { Athena::Servers::child_pids($_[0]{pid}) }


# "nginx -t" on the generated file: returns (exit code, output)
sub test_config {
    my ($self) = @_;
    my $out = `$BINARY -p $self->{root} -c @{[ $self->conf_file ]} -e $self->{root}/logs/stderr.log -t 2>&1`;
    return ($? >> 8, $out);
}


sub start {
    my ($self) = @_;

    my $pid = fork;
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        open STDOUT, '>>', "$self->{root}/logs/stderr.log";
        open STDERR, '>&', \*STDOUT;
        exec $BINARY, '-p', $self->{root}, '-c', $self->conf_file,
             '-e', "$self->{root}/logs/stderr.log",
             ($self->{globals} ? ('-g', $self->{globals}) : ());
        exit 127;
    }

    $self->{pid} = $pid;

    my $until = time + 10;
    while (time < $until) {
        if (waitpid($pid, WNOHANG) == $pid) {
            delete $self->{pid};
            return 0;
        }
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $self->{port},
                                      Proto => 'tcp');
        if ($s) { close $s; return 1 }
        sleep 0.02;
    }

    return 0;
}


sub stderr {
    my ($self) = @_;
    open my $fh, '<', "$self->{root}/logs/stderr.log" or return '';
    local $/;
    return scalar <$fh>;
}


sub reload {
    my ($self) = @_;
    kill 'HUP', $self->{pid};
}


# Graceful stop: QUIT, then wait up to $secs for the exit. Returns the
# exit status, or undef when nginx had to be killed. A connection now and
# then wakes the event loop, in case the signal reached a thread that is
# not the loop's (seen under valgrind).
sub stop {
    my ($self, $secs) = @_;
    my $pid = delete $self->{pid} or return 0;

    kill 'QUIT', $pid;

    my $until = time + ($secs || 10);
    my $poke = time + 1;

    while (time < $until) {
        return $? if waitpid($pid, WNOHANG) == $pid;

        if (time > $poke) {
            my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                          PeerPort => $self->{port},
                                          Proto => 'tcp');
            close $s if $s;
            $poke = time + 1;
        }

        sleep 0.02;
    }

    kill 'KILL', $pid;
    waitpid($pid, 0);
    return undef;
}


sub log_size {
    my ($self) = @_;
    return -s $self->error_log || 0;
}


sub log_since {
    my ($self, $offset) = @_;
    open my $fh, '<', $self->error_log or return '';
    seek $fh, $offset, 0;
    local $/;
    my $text = <$fh>;
    return defined $text ? $text : '';
}


# A request to the API under /api/auth as a client sends it: a bearer
# token when given, a JSON body when given.
sub api {
    my ($self, $method, $path, $token, $body) = @_;
    my @h = $token ? ("Authorization: Bearer $token") : ();
    push @h, 'Content-Type: application/json' if defined $body;
    return $self->request($method, "/api/auth$path", headers => \@h,
                          body => $body);
}


# One request over a fresh connection; returns a hash with code, headers
# (lowercase name => [values]), body and the raw text.
sub request {
    my ($self, $method, $uri, %o) = @_;

    return raw_request($self->{port}, $o{raw}, $o{timeout} || 10)
        if defined $o{raw};

    my $body = defined $o{body} ? $o{body} : '';
    my @headers = ('Host: localhost', 'Connection: close');
    push @headers, @{ $o{headers} || [] };

    # every part as bytes, so that joining them encodes nothing twice
    for ($body, $method, $uri, @headers) {
        utf8::encode($_) if utf8::is_utf8($_);
    }

    push @headers, 'Content-Length: ' . length($body)
        if length $body or $o{content_length};

    my $raw = "$method $uri HTTP/1.1\r\n"
              . join('', map { "$_\r\n" } @headers) . "\r\n" . $body;

    return raw_request($self->{port}, $raw, $o{timeout} || 10);
}


sub raw_request {
    my ($port, $raw, $timeout) = @_;

    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                     Proto => 'tcp', Timeout => $timeout)
        or return { code => 0, error => "connect: $!" };

    utf8::encode($raw) if utf8::is_utf8($raw);
    print $sock $raw;

    my $text = '';
    my $until = time + $timeout;
    $sock->blocking(1);
    while (time < $until) {
        my $rin = '';
        vec($rin, fileno($sock), 1) = 1;
        my $n = select($rin, undef, undef, 0.2);
        next unless $n;
        my $got = sysread($sock, my $buf, 65536);
        last unless $got;
        $text .= $buf;
    }
    close $sock;

    return parse_response($text);
}


sub parse_response {
    my ($text) = @_;

    my ($head, $body) = split /\r\n\r\n/, $text, 2;
    return { code => 0, raw => $text, error => 'no response' }
        unless defined $head && $head =~ m{^HTTP/1\.[01] (\d{3})};

    my $code = $1;
    my %h;
    my @lines = split /\r\n/, $head;
    shift @lines;
    for my $line (@lines) {
        my ($k, $v) = $line =~ /^([^:]+):\s*(.*)$/ or next;
        push @{ $h{lc $k} }, $v;
    }

    $body = '' unless defined $body;

    if (($h{'transfer-encoding'} || [''])->[0] =~ /chunked/i) {
        my $plain = '';
        while ($body =~ s/^([0-9a-fA-F]+)\r\n//) {
            my $n = hex $1;
            last if $n == 0;
            $plain .= substr($body, 0, $n, '');
            $body =~ s/^\r\n//;
        }
        $body = $plain;
    }

    return { code => $code, headers => \%h, body => $body, raw => $text };
}


sub DESTROY {
    my ($self) = @_;
    return unless $$ == $self->{owner};
    local ($?, $@);
    $self->stop;
}

1;
