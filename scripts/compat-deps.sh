#!/usr/bin/env bash
# Installs the real better-auth 1.7.25 and @better-auth/api-key 1.7.5 (with
# pg) into t/compat/node_modules, exactly as t/compat/package-lock.json
# pins them, for the suites that check the module against better-auth
# itself (through t/lib/Athena/Compat.pm). Needs node >= 20 and npm.
#
# Does nothing when node_modules already matches the lock (a stamp holds
# the lock's and package.json's SHA-256); otherwise reinstalls from
# scratch with "npm ci". --legacy-peer-deps: the api-key plugin declares
# peers (@better-auth/utils 0.4.2, better-call 1.4.0) that conflict with
# better-auth 1.7.25, and npm refuses the tree without it; it runs fine.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dir="$top/t/compat"
stamp="$dir/node_modules/.athena-lock.sha256"

for tool in node npm; do
    if ! command -v "$tool" >/dev/null; then
        echo "compat-deps: $tool is not installed (node >= 20 and npm needed)" >&2
        exit 1
    fi
done

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
    echo "compat-deps: node $(node --version) is too old, better-auth 1.7 needs >= 20" >&2
    exit 1
fi

want=$(cd "$dir" && sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi

echo "compat-deps: installing better-auth and its api-key plugin into t/compat"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! (cd "$dir" && npm ci --legacy-peer-deps --no-audit --no-fund \
          --loglevel=error) >"$log" 2>&1
then
    cat "$log" >&2
    echo "compat-deps: npm ci failed in $dir" >&2
    exit 1
fi

echo "$want" > "$stamp"
