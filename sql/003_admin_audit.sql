-- The admin audit log, in Athena's shape (admin_audit_logs): one row per
-- admin mutation or permission check, refused ones included. The actor's
-- session is kept as the SHA-256 of its token, never the token; the
-- client address and user agent go in metadata. No foreign key: a row
-- outlives the users it names.

CREATE TABLE IF NOT EXISTS "admin_audit_logs" (
    "id" text NOT NULL PRIMARY KEY,
    "actor_user_id" text,
    "actor_session_token" text,
    "action" text NOT NULL,
    "target_type" text,
    "target_id" text,
    "success" boolean NOT NULL,
    "error_message" text,
    "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb,
    "created_at" timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS "admin_audit_logs_created_at_idx"
    ON "admin_audit_logs" ("created_at");
CREATE INDEX IF NOT EXISTS "admin_audit_logs_actor_user_id_idx"
    ON "admin_audit_logs" ("actor_user_id");
