#!/usr/bin/env bash
# Runs every fuzz target of t/fuzz/ for RUNS executions (default 1,000,000),
# one at a time, and prints the executions per second of each: the long
# mode of scripts/fuzz.sh. Any crash or sanitizer report still fails it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
exec bash "$top/scripts/fuzz.sh" --runs "${1:-1000000}"
