#!/usr/bin/env bash
# Runs every test: the C unit tests of src/core, the fuzzers of t/fuzz/ for
# a bounded time, then all t/*.t suites against real nginx, Postgres and
# Redis (each suite starts its own).
# Installs what is missing first, so it works on a fresh Debian 12.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/deps.sh
# the real better-auth for the *-compat.t suites (npm, into t/compat)
bash scripts/compat-deps.sh
bash scripts/build.sh

export TEST_NGINX_LOAD_MODULES="$top/build/ngx_http_athena_auth_module.so"

prove --exec bash scripts/unit.sh

# each libFuzzer harness of t/fuzz/ for a few seconds under ASan and UBSan
bash scripts/fuzz.sh

# the suites two at a time; the valgrind one alone after them, so that its
# CPU load cannot disturb the timing proof of t/007-nonblocking.t
prove -j2 -I t/lib $(ls t/*.t | grep -v valgrind)
prove -I t/lib t/*valgrind*.t

# the suites again against an ASan + UBSan build: any report fails
bash scripts/sanitize.sh
