-- How many email records there are in all, by provider, by flow and by
-- recipient (whatever its case), kept by triggers as 008 keeps the audit
-- log's, so that the email list's total for no filter or one of these is
-- one row's read, not a count of every record. The triggers work per
-- statement and write the keys in order, so that writers never deadlock.

CREATE TABLE IF NOT EXISTS "email_counts" (
    "dim" text NOT NULL,              -- '', 'provider', 'flow', 'recipient'
    "key" text NOT NULL,
    "n" bigint NOT NULL,
    PRIMARY KEY ("dim", "key")
);

LOCK TABLE "emails" IN SHARE ROW EXCLUSIVE MODE;

-- each row's keys: the total, its provider, its flow, its recipient
CREATE OR REPLACE FUNCTION "email_count_keys"(p text, f text, r text)
RETURNS TABLE (dim text, key text) LANGUAGE sql IMMUTABLE AS $$
    SELECT '', ''
    UNION ALL SELECT 'provider', p
    UNION ALL SELECT 'flow', f WHERE f IS NOT NULL
    UNION ALL SELECT 'recipient', lower(r)
$$;

CREATE OR REPLACE FUNCTION "email_count"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO email_counts AS c (dim, key, n)
        SELECT k.dim, k.key, count(*) FROM email_new e,
               email_count_keys(e.provider, e.flow, e.recipient_email) k
        GROUP BY k.dim, k.key ORDER BY k.dim, k.key
        ON CONFLICT (dim, key) DO UPDATE SET n = c.n + excluded.n;

    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO email_counts AS c (dim, key, n)
        SELECT k.dim, k.key, -count(*) FROM email_old e,
               email_count_keys(e.provider, e.flow, e.recipient_email) k
        GROUP BY k.dim, k.key ORDER BY k.dim, k.key
        ON CONFLICT (dim, key) DO UPDATE SET n = c.n + excluded.n;

    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO email_counts AS c (dim, key, n)
        SELECT dim, key, sum(d) FROM (
            SELECT k.dim, k.key, -1 AS d FROM email_old e,
                   email_count_keys(e.provider, e.flow, e.recipient_email) k
            UNION ALL
            SELECT k.dim, k.key, 1 FROM email_new e,
                   email_count_keys(e.provider, e.flow, e.recipient_email) k
        ) s
        GROUP BY dim, key HAVING sum(d) <> 0 ORDER BY dim, key
        ON CONFLICT (dim, key) DO UPDATE SET n = c.n + excluded.n;

    ELSE
        DELETE FROM email_counts;
    END IF;

    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS "email_count_insert" ON "emails";
DROP TRIGGER IF EXISTS "email_count_delete" ON "emails";
DROP TRIGGER IF EXISTS "email_count_update" ON "emails";
DROP TRIGGER IF EXISTS "email_count_truncate" ON "emails";

CREATE TRIGGER "email_count_insert" AFTER INSERT ON "emails"
    REFERENCING NEW TABLE AS email_new
    FOR EACH STATEMENT EXECUTE FUNCTION "email_count"();
CREATE TRIGGER "email_count_delete" AFTER DELETE ON "emails"
    REFERENCING OLD TABLE AS email_old
    FOR EACH STATEMENT EXECUTE FUNCTION "email_count"();
CREATE TRIGGER "email_count_update" AFTER UPDATE ON "emails"
    REFERENCING OLD TABLE AS email_old NEW TABLE AS email_new
    FOR EACH STATEMENT EXECUTE FUNCTION "email_count"();
CREATE TRIGGER "email_count_truncate" AFTER TRUNCATE ON "emails"
    FOR EACH STATEMENT EXECUTE FUNCTION "email_count"();

-- the counts of the records already there, taken afresh
DELETE FROM "email_counts";
INSERT INTO "email_counts" ("dim", "key", "n")
SELECT k.dim, k.key, count(*) FROM "emails" e,
       "email_count_keys"(e.provider, e.flow, e.recipient_email) k
GROUP BY k.dim, k.key;
