#!/usr/bin/env bash
# Builds the libFuzzer harnesses of t/fuzz/ (ASan and UBSan, any report
# fatal) into build/fuzz/ and runs each over a copy of its seed corpus in
# t/fuzz/corpus/<target>/, so that the inputs a run finds never land in
# the repo. Fails on any crash, sanitizer report or broken invariant; the
# input that did it is kept in build/fuzz/artifacts/.
#
#   bash scripts/fuzz.sh [SECONDS]     each target for SECONDS (default 10),
#                                      two at a time (the test command)
#   bash scripts/fuzz.sh --runs N      each target for N executions, one at
#                                      a time, and prints executions/second
#
# FUZZ_TARGETS="json gate" limits a run to those targets.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/fuzz"
src="$top/t/fuzz"

mode=time
amount=10

case "${1:-}" in
    --runs) mode=runs; amount=${2:?--runs takes a number} ;;
    "") ;;
    *) amount=$1 ;;
esac

targets=${FUZZ_TARGETS:-"json query form gate text time jwt notice"}

cflags=(-g -O1 -fsanitize=fuzzer,address,undefined
        -fno-sanitize-recover=undefined -W -Wall -Werror
        -Wno-unused-parameter -std=gnu99)
libs=(-lyajl -lunistring -lcrypto -lsodium -lm)

# src/core without its arena: the harnesses bring one that ASan can see into
core=()
for f in "$top"/src/core/*.c; do
    [ "$(basename "$f")" = athena_arena.c ] || core+=("$f")
done

# what each harness links besides its own file, t/fuzz/fuzz_arena.c and core
sources() {
    case "$1" in
        query) echo "$top/src/api/athena_query.c" ;;
        gate) echo "$top"/src/store/*.c "$top"/src/api/*.c \
                   "$top"/src/api/*/*.c ;;
    esac
}

build() {
    local t=$1 bin="$out/fuzz_$1" extra=() inc=() libs_t=()

    # up to date when no source or header, nor this script, is newer
    if [ -x "$bin" ] && ! [ "$top/scripts/fuzz.sh" -nt "$bin" ] \
        && [ -z "$(find "$top/src" "$src" -name '*.[ch]' -newer "$bin" \
                   | head -1)" ]
    then
        return 0
    fi

    read -r -a extra <<< "$(sources "$t")"
    if [ "$t" = gate ]; then
        inc=(-I"$(pg_config --includedir 2>/dev/null \
                  || echo /usr/include/postgresql)")
        libs_t=(-lpq -lhiredis -lcurl -lm "${libs[@]}")
    else
        libs_t=("${libs[@]}")
    fi

    clang "${cflags[@]}" "${inc[@]}" -o "$bin.tmp" "$src/fuzz_$t.c" \
        "$src/fuzz_arena.c" "${core[@]}" "${extra[@]}" "${libs_t[@]}"
    mv -f "$bin.tmp" "$bin"
}

# runs one target; its log is build/fuzz/log/<target>.log
run() {
    local t=$1 work limit=() dict=() begin rc

    work="$out/run/$t"
    rm -rf "$work"
    mkdir -p "$work"
    cp "$src/corpus/$t"/* "$work/"

    if [ "$mode" = runs ]; then
        limit=(-runs="$amount")
    else
        limit=(-max_total_time="$amount")
    fi

    if [ -f "$src/$t.dict" ]; then
        dict=(-dict="$src/$t.dict")
    fi

    begin=$EPOCHREALTIME
    "$out/fuzz_$t" "${limit[@]}" "${dict[@]}" -timeout=10 \
        -rss_limit_mb=1024 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$t-" "$work" \
        >"$out/log/$t.log" 2>&1 || rc=$?
    echo "$begin $EPOCHREALTIME" >"$out/log/$t.wall"

    return "${rc:-0}"
}

# a run passes when libFuzzer exited 0 and no sanitizer spoke
reports='ERROR: (Address|Leak)Sanitizer|ERROR: libFuzzer|runtime error:'
reports+='|invariant broken'

check() {
    local t=$1 rc=$2 log="$out/log/$1.log"

    if [ "$rc" -ne 0 ] || grep -qE "$reports" "$log"; then
        echo "fuzz: $t FAILED (exit $rc); the end of $log:" >&2
        tail -n 40 "$log" >&2
        return 1
    fi

    return 0
}

# libFuzzer's exec/s divides by whole seconds; the wall time says more
stats() {
    local t=$1 log="$out/log/$1.log" runs rate wall

    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    wall=$(awk '{ printf "%.1f", $2 - $1 }' "$out/log/$t.wall")
    printf 'fuzz: %-6s %10s runs in %6s s, %8s exec/s\n' "$t" \
        "${runs:-?}" "$wall" "${rate:-?}"
}

if ! command -v clang >/dev/null; then
    echo "fuzz: clang is missing (bash scripts/deps.sh installs it)" >&2
    exit 1
fi

mkdir -p "$out/log" "$out/artifacts" "$out/run"

start=$SECONDS

# two builds at a time: the machine is assumed to have two cores
pids=()
for t in $targets; do
    build "$t" &
    pids+=($!)
    if [ ${#pids[@]} -ge 2 ]; then
        wait "${pids[0]}"
        pids=("${pids[@]:1}")
    fi
done
for p in "${pids[@]}"; do
    wait "$p"
done

echo "fuzz: built in $((SECONDS - start)) s; $mode mode, $amount each"

failed=0

if [ "$mode" = runs ]; then
    # one at a time, so that each target's exec/s is one core's
    for t in $targets; do
        rc=0
        run "$t" || rc=$?
        check "$t" "$rc" || failed=1
        stats "$t"
    done
else
    set -- $targets
    while [ $# -gt 0 ]; do
        rc1=0 rc2=0
        run "$1" & p1=$!
        if [ $# -gt 1 ]; then
            run "$2" & p2=$!
            wait "$p2" || rc2=$?
            check "$2" "$rc2" || failed=1
            stats "$2"
        fi
        wait "$p1" || rc1=$?
        check "$1" "$rc1" || failed=1
        stats "$1"
        shift $(( $# > 1 ? 2 : 1 ))
    done
fi

echo "fuzz: $((SECONDS - start)) s in all"

if [ "$failed" -ne 0 ]; then
    echo "fuzz: FAILED; inputs kept in $out/artifacts/" >&2
    exit 1
fi

echo "fuzz: ok"
