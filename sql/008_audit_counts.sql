-- How many audit rows each actor has, and how many there are in all (the
-- actor ''), kept by triggers, so that the audit list's total for no
-- filter or an actor filter is one row's read, not a count of a million.
-- The triggers are per statement and add each statement's rows grouped by
-- actor, in the order of the actors, so two writers never deadlock.

CREATE TABLE IF NOT EXISTS "admin_audit_log_counts" (
    "actor_user_id" text NOT NULL PRIMARY KEY,
    "n" bigint NOT NULL
);

-- nothing is written to the log while the counts are taken and the
-- triggers made
LOCK TABLE "admin_audit_logs" IN SHARE ROW EXCLUSIVE MODE;

CREATE OR REPLACE FUNCTION "admin_audit_log_count"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- each branch names only the transition tables its event has
    IF TG_OP = 'INSERT' THEN
        INSERT INTO admin_audit_log_counts AS c (actor_user_id, n)
        SELECT k, count(*) FROM (
            SELECT '' AS k FROM audit_new
            UNION ALL
            SELECT actor_user_id FROM audit_new WHERE actor_user_id <> ''
        ) s
        GROUP BY k ORDER BY k
        ON CONFLICT (actor_user_id) DO UPDATE SET n = c.n + excluded.n;

    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO admin_audit_log_counts AS c (actor_user_id, n)
        SELECT k, -count(*) FROM (
            SELECT '' AS k FROM audit_old
            UNION ALL
            SELECT actor_user_id FROM audit_old WHERE actor_user_id <> ''
        ) s
        GROUP BY k ORDER BY k
        ON CONFLICT (actor_user_id) DO UPDATE SET n = c.n + excluded.n;

    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO admin_audit_log_counts AS c (actor_user_id, n)
        SELECT k, sum(d) FROM (
            SELECT actor_user_id AS k, -1 AS d FROM audit_old
            WHERE actor_user_id <> ''
            UNION ALL
            SELECT actor_user_id, 1 FROM audit_new WHERE actor_user_id <> ''
        ) s
        GROUP BY k HAVING sum(d) <> 0 ORDER BY k
        ON CONFLICT (actor_user_id) DO UPDATE SET n = c.n + excluded.n;

    ELSE
        DELETE FROM admin_audit_log_counts;
    END IF;

    RETURN NULL;
END $$;

-- a transition table can serve one event only: one trigger each
DROP TRIGGER IF EXISTS "admin_audit_log_count_insert" ON "admin_audit_logs";
DROP TRIGGER IF EXISTS "admin_audit_log_count_delete" ON "admin_audit_logs";
DROP TRIGGER IF EXISTS "admin_audit_log_count_update" ON "admin_audit_logs";
DROP TRIGGER IF EXISTS "admin_audit_log_count_truncate" ON "admin_audit_logs";

CREATE TRIGGER "admin_audit_log_count_insert" AFTER INSERT
    ON "admin_audit_logs" REFERENCING NEW TABLE AS audit_new
    FOR EACH STATEMENT EXECUTE FUNCTION "admin_audit_log_count"();
CREATE TRIGGER "admin_audit_log_count_delete" AFTER DELETE
    ON "admin_audit_logs" REFERENCING OLD TABLE AS audit_old
    FOR EACH STATEMENT EXECUTE FUNCTION "admin_audit_log_count"();
CREATE TRIGGER "admin_audit_log_count_update" AFTER UPDATE
    ON "admin_audit_logs"
    REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new
    FOR EACH STATEMENT EXECUTE FUNCTION "admin_audit_log_count"();
CREATE TRIGGER "admin_audit_log_count_truncate" AFTER TRUNCATE
    ON "admin_audit_logs"
    FOR EACH STATEMENT EXECUTE FUNCTION "admin_audit_log_count"();

-- the counts of the rows already there, taken afresh
DELETE FROM "admin_audit_log_counts";
INSERT INTO "admin_audit_log_counts" ("actor_user_id", "n")
SELECT '', count(*) FROM "admin_audit_logs"
UNION ALL
SELECT "actor_user_id", count(*) FROM "admin_audit_logs"
WHERE "actor_user_id" <> ''
GROUP BY "actor_user_id";
