#!/usr/bin/env bash
# Stops what scripts/setup.sh started, by the PIDs it recorded.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
state="$top/state"

stop_pid() {
    local file=$1 sig=${2:-TERM}
    [ -f "$file" ] || return 0
    local pid
    pid=$(head -n1 "$file")
    kill -0 "$pid" 2>/dev/null && kill "-$sig" "$pid"
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
}

stop_pid "$state/nginx/logs/nginx.pid" QUIT
stop_pid "$state/redis.pid"
stop_pid "$state/mail-sink.pid"
stop_pid "$state/pg/postmaster.pid" INT
echo "stopped (data kept in $state; remove it to start afresh)"
