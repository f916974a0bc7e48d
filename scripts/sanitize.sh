#!/usr/bin/env bash
# The integration suites against the module built with AddressSanitizer
# and UndefinedBehaviorSanitizer, loaded into Debian's nginx with the
# sanitizer runtimes preloaded (only into nginx: Postgres, Redis and the
# test tools run as they are). Any sanitizer report fails the run.
#
# Left out: the valgrind suite (valgrind and ASan do not mix) and
# t/007-nonblocking.t, whose timing proof assumes an unsanitized build.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/build.sh asan

dir="$top/build/asan"
reports="$dir/reports"
rm -rf "$reports"
mkdir -p "$reports"

preload="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"

# nginx's own exit leaks are not the module's: leaks are valgrind's job
cat > "$dir/nginx.sh" <<WRAP
#!/bin/sh
export LD_PRELOAD="$preload"
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=0:abort_on_error=0:fast_unwind_on_fatal=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1"
exec /usr/sbin/nginx "\$@"
WRAP
chmod 0755 "$dir/nginx.sh"

export TEST_NGINX_BINARY="$dir/nginx.sh"
export TEST_NGINX_LOAD_MODULES="$dir/ngx_http_athena_auth_module.so"

status=0
prove -j2 -I t/lib $(ls t/*.t | grep -v -e valgrind -e 007-nonblocking) \
    || status=$?

if compgen -G "$reports/*" >/dev/null; then
    echo "sanitize: reports in $reports:" >&2
    cat "$reports"/* >&2
    exit 1
fi

echo "sanitize: no ASan or UBSan report"
exit "$status"
