-- Athena's client registry (athena_clients): the name of each client the
-- auth server knows, and the name of the environment variable that holds
-- its Postgres URI, never the URI. Names are unique whatever their case.

CREATE TABLE IF NOT EXISTS "athena_clients" (
    "id" text NOT NULL PRIMARY KEY,
    "client_name" text NOT NULL,
    "description" text,
    "is_active" boolean NOT NULL DEFAULT true,
    "pg_uri_env_var" text,
    "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb,
    "created_at" timestamptz NOT NULL,
    "updated_at" timestamptz NOT NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS "athena_clients_client_name_key"
    ON "athena_clients" (lower("client_name"));
