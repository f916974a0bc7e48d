-- The outbox of mail to deliver (email_outbox): a send writes its email
-- record and its entry here in the request's own transaction, and the
-- nginx workers deliver from it. A worker claims due entries for a while
-- (claimed_until) with FOR UPDATE SKIP LOCKED, so that no two workers or
-- nodes send one mail; an entry leaves once sent, or after its last try
-- as a row of email_send_failures.

CREATE TABLE IF NOT EXISTS "email_outbox" (
    "id" text NOT NULL PRIMARY KEY,
    "email_id" text NOT NULL REFERENCES "emails" ("id") ON DELETE CASCADE,
    "user_id" text,
    "attempts" integer NOT NULL DEFAULT 0,
    "next_attempt_at" timestamptz NOT NULL DEFAULT now(),
    "claimed_until" timestamptz,
    "last_error" text,
    "created_at" timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS "email_outbox_due_idx"
    ON "email_outbox" ("next_attempt_at");
CREATE INDEX IF NOT EXISTS "email_outbox_email_idx"
    ON "email_outbox" ("email_id");
