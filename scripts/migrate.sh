#!/usr/bin/env bash
# Applies sql/NNN_*.sql in order to a Postgres database, each one once:
# the ledger table athena_migrations records what ran. Every file is also
# idempotent by itself, so a database that better-auth made gets only what
# it lacks.
#
#   scripts/migrate.sh <conninfo> [schema]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
conninfo=${1:?usage: migrate.sh <conninfo> [schema]}
schema=${2:-public}

if [[ ! "$schema" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    echo "migrate: bad schema name '$schema'" >&2
    exit 1
fi

psql_run() {
    PGOPTIONS="-c search_path=$schema -c client_min_messages=warning" \
        psql -X -q -v ON_ERROR_STOP=1 "$conninfo" "$@"
}

psql_run -c "CREATE SCHEMA IF NOT EXISTS \"$schema\"" \
         -c "CREATE TABLE IF NOT EXISTS athena_migrations (
                 version text PRIMARY KEY,
                 \"appliedAt\" timestamptz NOT NULL DEFAULT now())"

for f in "$top"/sql/[0-9]*.sql; do
    version=$(basename "$f" .sql)
    done_already=$(psql_run -At -c \
        "SELECT 1 FROM athena_migrations WHERE version = '$version'")
    [ -n "$done_already" ] && continue

    # the file and its ledger row commit together or not at all
    psql_run -1 -f "$f" \
        -c "INSERT INTO athena_migrations (version) VALUES ('$version')"
    echo "migrate: applied $version"
done
