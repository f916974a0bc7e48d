#!/usr/bin/env bash
# Brings up a working stack on this machine: installs what is missing,
# builds the module, starts a private Postgres cluster, a Redis and an
# nginx with the module on free loopback ports under ./state, applies the
# schema, creates a first admin, and prints how to use it. Running it
# again reuses what is already up. scripts/stop.sh stops it all.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
state="$top/state"
pgbin=/usr/lib/postgresql/15/bin

bash scripts/deps.sh
bash scripts/build.sh >/dev/null

mkdir -p "$state"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

alive() {
    [ -f "$1" ] && kill -0 "$(head -n1 "$1")" 2>/dev/null
}

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# ports are chosen once and kept, so the printed URLs stay valid
if [ ! -f "$state/ports.env" ]; then
    {
        echo "PG_PORT=$(free_port)"
        echo "REDIS_PORT=$(free_port)"
        echo "HTTP_PORT=$(free_port)"
    } > "$state/ports.env"
fi
. "$state/ports.env"
# the demo app and the mail sink came later: a stack set up before gets
# their ports now
if [ -z "${APP_PORT:-}" ]; then
    APP_PORT=$(free_port)
    echo "APP_PORT=$APP_PORT" >> "$state/ports.env"
fi
if [ -z "${MAIL_PORT:-}" ]; then
    MAIL_PORT=$(free_port)
    echo "MAIL_PORT=$MAIL_PORT" >> "$state/ports.env"
fi

# Postgres runs as "postgres", which cannot enter a checkout under a
# private directory such as /root; then the cluster lives in postgres's
# home and state/pg is a link to it.
pgdata="$state/pg"
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$state"; then
    pgdata="/var/lib/postgresql/athena-auth-$(printf %s "$state" \
             | sha256sum | cut -c1-12)"
    ln -sfn "$pgdata" "$state/pg"
fi
if [ ! -f "$pgdata/PG_VERSION" ]; then
    mkdir -p "$pgdata"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pgdata"
    as_pg "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust \
        -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! alive "$pgdata/postmaster.pid"; then
    as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
        -o "-p $PG_PORT -k $pgdata -c listen_addresses=127.0.0.1" \
        start >/dev/null
fi
conninfo="host=127.0.0.1 port=$PG_PORT user=postgres dbname=athena"
psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'athena'" | grep -q 1 \
    || psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres \
           -c 'CREATE DATABASE athena'
bash scripts/migrate.sh "$conninfo" public

# Redis
if ! alive "$state/redis.pid"; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
        --appendonly no --daemonize yes --pidfile "$state/redis.pid" \
        --dir "$state" --logfile "$state/redis.log"
fi

# the mail sink: every mail the module sends lands in state/mail/
if ! alive "$state/mail-sink.pid"; then
    perl scripts/mail-sink.pl "$MAIL_PORT" "$state/mail" "$state/mail-sink.pid"
fi

# the cookie secret, made once
if [ ! -s "$state/secret" ]; then
    head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > "$state/secret"
    chmod 600 "$state/secret"
fi

# nginx
mkdir -p "$state/nginx/logs" "$state/nginx/conf"
sed -e "s|@STATE@|$state|g" -e "s|@TOP@|$top|g" \
    -e "s|@HTTP_PORT@|$HTTP_PORT|g" -e "s|@REDIS_PORT@|$REDIS_PORT|g" \
    -e "s|@APP_PORT@|$APP_PORT|g" -e "s|@MAIL_PORT@|$MAIL_PORT|g" \
    -e "s|@CONNINFO@|$conninfo|g" \
    conf-examples/local-stack.conf > "$state/nginx/conf/nginx.conf"

nginx_cmd=(nginx -p "$state/nginx" -c "$state/nginx/conf/nginx.conf"
           -e "$state/nginx/logs/error.log")
"${nginx_cmd[@]}" -t -q
if alive "$state/nginx/logs/nginx.pid"; then
    "${nginx_cmd[@]}" -s reload
else
    "${nginx_cmd[@]}"
fi

base="http://127.0.0.1:$HTTP_PORT/api/auth"
for _ in $(seq 50); do
    curl -fs "$base/ok" >/dev/null && break
    sleep 0.1
done

# the first admin: signed up through the API itself, then given the role
if [ ! -s "$state/admin.env" ]; then
    pw=$(head -c 18 /dev/urandom | base64 | tr -d '\n/+=')
    printf 'ADMIN_EMAIL=admin@example.com\nADMIN_PASSWORD=%s\n' "$pw" \
        > "$state/admin.env"
    chmod 600 "$state/admin.env"
fi
. "$state/admin.env"

exists=$(psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d athena -tAc \
    "SELECT count(*) FROM \"user\" WHERE email = '$ADMIN_EMAIL'")
if [ "$exists" = 0 ]; then
    curl -fsS -o /dev/null -X POST "$base/sign-up/email" \
        -H 'content-type: application/json' \
        -d "{\"name\":\"Admin\",\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}"
fi
psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d athena -c \
    "UPDATE \"user\" SET role = 'admin' WHERE email = '$ADMIN_EMAIL'"
# and the admin-roles API's first SUPER_ADMIN (seed 004), once
psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d athena -c \
    "INSERT INTO admin_roles (id, user_id, role, created_at, updated_at)
     SELECT md5(random()::text), id, 'SUPER_ADMIN', now(), now()
     FROM \"user\" WHERE email = '$ADMIN_EMAIL' ON CONFLICT DO NOTHING"

cat <<MSG

Athena Auth is up.
  API base URL:  $base
  gated app:     http://127.0.0.1:$HTTP_PORT/app/  (admins: /app/admin/)
  first admin:   $ADMIN_EMAIL
  password:      $ADMIN_PASSWORD
  state:         $state  (stop everything with: bash scripts/stop.sh)

Try:
  curl -s $base/ok
  curl -s -X POST $base/sign-in/email -H 'content-type: application/json' \\
       -d '{"email":"$ADMIN_EMAIL","password":"$ADMIN_PASSWORD"}'
  TOKEN=\$(curl -s -X POST $base/sign-in/email -H 'content-type: application/json' \\
       -d '{"email":"$ADMIN_EMAIL","password":"$ADMIN_PASSWORD"}' \\
       | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
  curl -s $base/get-session -H "authorization: Bearer \$TOKEN"
  curl -s $base/list-sessions -H "authorization: Bearer \$TOKEN"
  curl -s "$base/admin/list-users?limit=5" -H "authorization: Bearer \$TOKEN"
  curl -s "http://127.0.0.1:$HTTP_PORT/api/admin/users?page=1&limit=5" -H "authorization: Bearer \$TOKEN"

Mail (an organization's invitation, Athena's template sends) goes to a
local sink: each mail is a file in $state/mail/.
  ORG=\$(curl -s -X POST $base/organization/create -H "authorization: Bearer \$TOKEN" \\
       -H 'content-type: application/json' -d '{"name":"Demo","slug":"demo"}' \\
       | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  curl -s -X POST $base/organization/invite-member -H "authorization: Bearer \$TOKEN" \\
       -H 'content-type: application/json' \\
       -d "{\"email\":\"friend@example.com\",\"role\":\"member\",\"organizationId\":\"\$ORG\"}"
  sleep 2; ls $state/mail/ && cat \$(ls -t $state/mail/*.eml | head -1)

The gate, in front of a demo app that echoes the identity it was given:
  curl -s -i http://127.0.0.1:$HTTP_PORT/app/hello
  curl -s http://127.0.0.1:$HTTP_PORT/app/hello -H "authorization: Bearer \$TOKEN"
  curl -s http://127.0.0.1:$HTTP_PORT/app/admin/ -H "authorization: Bearer \$TOKEN"
MSG
