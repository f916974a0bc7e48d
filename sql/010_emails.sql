-- Athena's record of sent emails (emails), as the admin email routes keep
-- it: who to, what, from whom, by which provider and flow. The list reads
-- newest first, filtered by recipient (whatever its case), provider or
-- flow; each filter's index gives its rows in the list's order.

CREATE TABLE IF NOT EXISTS "emails" (
    "id" text NOT NULL PRIMARY KEY,
    "recipient_email" text NOT NULL,
    "subject" text NOT NULL,
    "from_address" text NOT NULL,
    "from_name" text,
    "text_body" text,
    "html_body" text,
    "provider" text NOT NULL,
    "flow" text,
    "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb,
    "created_at" timestamptz NOT NULL DEFAULT now(),
    "updated_at" timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS "emails_list_idx"
    ON "emails" ("created_at" DESC, "id" DESC);
CREATE INDEX IF NOT EXISTS "emails_recipient_list_idx"
    ON "emails" (lower("recipient_email"), "created_at" DESC, "id" DESC);
CREATE INDEX IF NOT EXISTS "emails_provider_list_idx"
    ON "emails" ("provider", "created_at" DESC, "id" DESC);
CREATE INDEX IF NOT EXISTS "emails_flow_list_idx"
    ON "emails" ("flow", "created_at" DESC, "id" DESC);
