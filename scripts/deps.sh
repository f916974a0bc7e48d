#!/usr/bin/env bash
# Installs the Debian packages the module needs to build, run and be tested.
# Safe to run again: it asks apt only for what dpkg says is missing.
set -euo pipefail

pkgs=(
    build-essential nginx nginx-dev
    libpq-dev libhiredis-dev libyajl-dev libssl-dev libunistring-dev
    libcurl4-openssl-dev libsodium-dev
    postgresql postgresql-client redis-server
    libtest-base-perl libtext-diff-perl libtest-longstring-perl
    liblist-moreutils-perl liburi-perl libwww-perl libipc-run-perl
    libjson-pp-perl libdigest-sha-perl
    python3 curl wrk valgrind
    clang libclang-rt-14-dev
)

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
        | grep -q 'install ok installed'
    then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing packages: ${missing[*]} (run as root to install)" >&2
    exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Debian's nginx and redis packages start system services on install; keep
# them from starting so they never hold ports this project picks.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    own_policy=1
fi
trap '[ "$own_policy" = 1 ] && rm -f "$policy"' EXIT

apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
