#!/usr/bin/env bash
# Builds ngx_http_athena_auth_module.so against Debian's nginx (nginx-dev),
# with the exact configure flags of the installed binary, into build/.
# Configure runs again only when `config` changed; make does the rest.
#
#   scripts/build.sh          the module, build/ngx_http_athena_auth_module.so
#   scripts/build.sh asan     with AddressSanitizer and UBSan, into
#                             build/asan/ (for scripts/sanitize.sh)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src=/usr/share/nginx/src

mode=${1:-release}
case "$mode" in
release)
    bld="$top/build/nginx"
    out="$top/build"
    cc_opt='-g -O2 -fPIC'
    ld_opt='-fPIC'
    ;;
asan)
    bld="$top/build/asan/nginx"
    out="$top/build/asan"
    cc_opt='-g -O1 -fPIC -fno-omit-frame-pointer -fsanitize=address,undefined'
    ld_opt='-fPIC -fsanitize=address,undefined'
    ;;
*)
    echo "build: unknown mode $mode (release or asan)" >&2
    exit 2
    ;;
esac

mkdir -p "$bld"

if [ ! -f "$bld/Makefile" ] || [ "$top/config" -nt "$bld/Makefile" ]; then
    echo "build: configuring ($mode) against $(nginx -v 2>&1)"
    (
        cd "$src"
        # conf_flags defines NGX_CONF_FLAGS, the flags nginx was built with
        . ./conf_flags
        ./configure --with-cc-opt="$cc_opt" --with-ld-opt="$ld_opt" \
            "${NGX_CONF_FLAGS[@]}" \
            --add-dynamic-module="$top" --builddir="$bld" >"$bld/configure.log"
    )
fi

make -s -f "$bld/Makefile" -C "$src" modules >/dev/null
# a new inode: nginx processes still running keep the module they loaded
cp "$bld/ngx_http_athena_auth_module.so" "$out/.module.so.tmp"
mv -f "$out/.module.so.tmp" "$out/ngx_http_athena_auth_module.so"
echo "build: $out/ngx_http_athena_auth_module.so"
