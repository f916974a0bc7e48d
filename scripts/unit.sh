#!/usr/bin/env bash
# Builds and runs the C unit tests of src/core (TAP output).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/unit"
mkdir -p "$out"
cc -std=gnu99 -O1 -g -W -Wall -Werror -Wno-unused-parameter \
    -o "$out/test_core" "$top/t/unit/test_core.c" "$top"/src/core/*.c \
    -lyajl -lunistring -lcrypto -lsodium -lm
exec "$out/test_core"
