#!/usr/bin/env bash
# Builds ngx_http_athena_auth_module.so against Debian's nginx (nginx-dev),
# with the exact configure flags of the installed binary, into build/.
# Configure runs again only when `config` changed; make does the rest.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
bld="$top/build/nginx"
src=/usr/share/nginx/src

mkdir -p "$bld"

if [ ! -f "$bld/Makefile" ] || [ "$top/config" -nt "$bld/Makefile" ]; then
    echo "build: configuring against $(nginx -v 2>&1)"
    (
        cd "$src"
        # conf_flags defines NGX_CONF_FLAGS, the flags nginx was built with
        . ./conf_flags
        ./configure --with-cc-opt='-g -O2 -fPIC' --with-ld-opt='-fPIC' \
            "${NGX_CONF_FLAGS[@]}" \
            --add-dynamic-module="$top" --builddir="$bld" >"$bld/configure.log"
    )
fi

make -s -f "$bld/Makefile" -C "$src" modules >/dev/null
# a new inode: nginx processes still running keep the module they loaded
cp "$bld/ngx_http_athena_auth_module.so" "$top/build/.module.so.tmp"
mv -f "$top/build/.module.so.tmp" "$top/build/ngx_http_athena_auth_module.so"
echo "build: $top/build/ngx_http_athena_auth_module.so"
