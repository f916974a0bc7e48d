package Test::Nginx::Socket;

# A runner for Test::Nginx::Socket's block format, written for this
# project on Debian's Perl packages (Test::Base), because Test::Nginx is
# not packaged. The .t files stay in the upstream format: a block's
# main_config / http_config / config are rendered into a fresh nginx.conf,
# nginx is started, the request(s) are sent, and error_code, response_*
# and error_log sections are checked. Only the sections below are known;
# an unknown one fails the block rather than being ignored.

use Test::Base -Base;

use Athena::Nginx;

our @EXPORT = qw(
    run_tests repeat_each no_shuffle no_long_string no_root_location
    add_block_preprocessor master_on master_off workers log_level
    env_to_nginx server_port
);

my $RepeatEach = 1;
my @Preprocessors;
my $Master = 0;
my $Workers = 1;
my $LogLevel = 'info';

my %Known = map { $_ => 1 } qw(
    main_config http_config config post_main_config
    request raw_request more_headers
    error_code response_body response_body_like response_body_unlike
    response_headers response_headers_like
    error_log no_error_log must_die timeout wait
    ONLY SKIP LAST log_level
);


sub repeat_each() { $RepeatEach = shift if @_; $RepeatEach }
sub no_shuffle() { }
sub no_long_string() { }
sub no_root_location() { }
sub master_on() { $Master = 1 }
sub master_off() { $Master = 0 }
sub workers() { $Workers = shift }
sub log_level() { $LogLevel = shift }
sub env_to_nginx() { }
sub server_port() { $ENV{TEST_NGINX_SERVER_PORT} }
sub add_block_preprocessor(&) { push @Preprocessors, shift }


# a section's value, undef when the block has no such section
sub sec($$) {
    my ($block, $name) = @_;
    return undef unless exists $block->{$name};
    my $v = $block->$name;
    return $v;
}


sub expand_env($) {
    my ($text) = @_;
    return $text unless defined $text;
    $text =~ s{\$(TEST_NGINX_[A-Z0-9_]+)}{
        defined $ENV{$1} ? $ENV{$1}
                         : Test::More::BAIL_OUT("environment variable $1 is not set")
    }ge;
    return $text;
}


sub as_list($) {
    my ($v) = @_;
    return () unless defined $v;
    return @$v if ref $v eq 'ARRAY';
    return ($v);
}


# the n-th entry of a per-request list, or the value itself for all
sub nth($$) {
    my ($v, $i) = @_;
    return ref $v eq 'ARRAY' ? $v->[$i] : $v;
}


sub header_lines($) {
    my ($v) = @_;
    return () unless defined $v;
    return map { s/^\s+|\s+$//gr } grep { /\S/ } split /\n/, $v;
}


sub parse_request($) {
    my ($text) = @_;
    $text =~ s/^\s+//;
    my ($line, $body) = split /\n/, $text, 2;
    my ($method, $uri, $proto) = split /\s+/, $line;
    $body = '' unless defined $body;
    $body =~ s/\n\z// if length $body;
    return ($method, $uri, $proto || 'HTTP/1.1', $body);
}


sub chomp_copy($) {
    my ($s) = @_;
    chomp $s;
    return $s;
}


sub check_log($$$$) {
    my ($name, $log, $want, $present) = @_;

    my @pats = ref $want eq 'ARRAY' ? @$want : header_lines($want);

    for my $p (@pats) {
        my $hit = ref $p eq 'Regexp' ? $log =~ $p : index($log, $p) >= 0;
        Test::More::ok($present ? $hit : !$hit,
                       "$name - " . ($present ? '' : 'no ') . "error_log: $p");
    }
}


sub check_response($$$) {
    my ($block, $res, $i) = @_;
    my $name = $block->name . ($i ? " (request $i)" : '');

    my $code = nth(sec($block, 'error_code'), $i);
    $code = 200 unless defined $code;
    $code =~ s/\s+//g;
    Test::More::is($res->{code}, $code, "$name - status code");

    if (defined(my $want = nth(sec($block, 'response_body'), $i))) {
        Test::More::is($res->{body}, $want, "$name - response_body");
    }

    for my $pat (as_list(nth(sec($block, 'response_body_like'), $i))) {
        my $re = ref $pat ? $pat : qr/${\ chomp_copy($pat)}/s;
        Test::More::like($res->{body}, $re, "$name - response_body_like");
    }

    for my $pat (as_list(nth(sec($block, 'response_body_unlike'), $i))) {
        my $re = ref $pat ? $pat : qr/${\ chomp_copy($pat)}/s;
        Test::More::unlike($res->{body}, $re, "$name - response_body_unlike");
    }

    for my $line (header_lines(nth(sec($block, 'response_headers'), $i))) {
        if ($line =~ /^!\s*(\S+)/) {
            Test::More::ok(!exists $res->{headers}{lc $1},
                           "$name - header $1 absent");
            next;
        }
        my ($k, $v) = $line =~ /^([^:]+):\s*(.*)$/;
        my $got = $res->{headers}{lc $k};
        Test::More::is(defined $got ? join(', ', @$got) : undef, $v,
                       "$name - header $k");
    }

    for my $line (header_lines(nth(sec($block, 'response_headers_like'), $i))) {
        my ($k, $v) = $line =~ /^([^:]+):\s*(.*)$/;
        my $got = $res->{headers}{lc $k};
        Test::More::like(defined $got ? join("\n", @$got) : '', qr/^(?:$v)$/m,
                         "$name - header $k like");
    }
}


sub run_block($) {
    my ($block) = @_;

    my $order = $block->{_section_order};
    for my $sec (map { ref $_ ? @$_ : $_ } ref $order ? @$order : ()) {
        Test::More::fail($block->name . " - unknown section '$sec'")
            unless $Known{$sec};
    }

    if (defined sec($block, 'SKIP')) {
        Test::More::note($block->name . ' - skipped by its SKIP section');
        return;
    }

    my $nginx = Athena::Nginx->new(
        main_config      => expand_env(sec($block, 'main_config')),
        http_config      => expand_env(sec($block, 'http_config')),
        config           => expand_env(sec($block, 'config')),
        post_main_config => expand_env(sec($block, 'post_main_config')),
        master           => $Master,
        workers          => $Workers,
        log_level        => sec($block, 'log_level') || $LogLevel,
    );

    if (defined sec($block, 'must_die')) {
        my ($rc, $out) = $nginx->test_config;
        Test::More::isnt($rc, 0, $block->name . ' - nginx -t refuses it');
        check_log($block->name, $out, sec($block, 'error_log'), 1)
            if defined sec($block, 'error_log');
        return;
    }

    unless ($nginx->start) {
        Test::More::fail($block->name . ' - nginx started');
        Test::More::diag($nginx->stderr);
        return;
    }

    my @requests = defined sec($block, 'raw_request')
                   ? map { [ undef, undef, undef, $_ ] } as_list(sec($block, 'raw_request'))
                   : map { [ parse_request(expand_env($_)) ] }
                     as_list(sec($block, 'request'));

    my $timeout = sec($block, 'timeout') || 10;

    for my $rep (1 .. $RepeatEach) {
        for my $i (0 .. $#requests) {
            my ($method, $uri, $proto, $body) = @{ $requests[$i] };
            my $offset = $nginx->log_size;
            my $res;

            if (!defined $method) {
                $res = $nginx->request(undef, undef, raw => $body,
                                       timeout => $timeout);
            } else {
                my @h = map { expand_env($_) }
                        header_lines(nth(sec($block, 'more_headers'), $i));
                $res = $nginx->request($method, $uri, body => $body,
                                       headers => \@h,
                                       content_length => $method eq 'POST',
                                       timeout => $timeout);
            }

            check_response($block, $res, @requests > 1 ? $i : 0);

            sleep(sec($block, 'wait')) if sec($block, 'wait');

            my $log = $nginx->log_since($offset);
            check_log($block->name, $log, sec($block, 'error_log'), 1)
                if defined sec($block, 'error_log');
            check_log($block->name, $log, sec($block, 'no_error_log'), 0)
                if defined sec($block, 'no_error_log');
        }
    }

    $nginx->stop;
}


sub run_tests() {
    my @blocks = blocks();

    for my $block (@blocks) {
        $_->($block) for @Preprocessors;
    }

    my @only = grep { defined sec($_, 'ONLY') } @blocks;
    @blocks = @only if @only;

    for my $block (@blocks) {
        run_block($block);
        last if defined sec($block, 'LAST');
    }
}

1;
