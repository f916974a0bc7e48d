-- Athena's record of mails that could not be sent (email_send_failures):
-- to whom, in which flow, by which provider, why; an admin marks each one
-- resolved, with a note. No foreign key to the user: a failure outlives
-- the user it was for, as the audit log does.

CREATE TABLE IF NOT EXISTS "email_send_failures" (
    "id" text NOT NULL PRIMARY KEY,
    "user_id" text,
    "recipient_email" text NOT NULL,
    "flow" text NOT NULL,
    "provider" text,
    "error_message" text NOT NULL,
    "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb,
    "resolved" boolean NOT NULL DEFAULT false,
    "resolution_note" text,
    "created_at" timestamptz NOT NULL DEFAULT now(),
    "updated_at" timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS "email_send_failures_list_idx"
    ON "email_send_failures" ("created_at" DESC, "id" DESC);
CREATE INDEX IF NOT EXISTS "email_send_failures_recipient_list_idx"
    ON "email_send_failures"
    (lower("recipient_email"), "created_at" DESC, "id" DESC);
CREATE INDEX IF NOT EXISTS "email_send_failures_open_list_idx"
    ON "email_send_failures" ("resolved", "created_at" DESC, "id" DESC);
CREATE INDEX IF NOT EXISTS "email_send_failures_flow_list_idx"
    ON "email_send_failures" ("flow", "created_at" DESC, "id" DESC);
