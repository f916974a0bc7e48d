-- What the REST admin API's lists need on large tables (seed 003): their
-- newest-first order, ties by id, from an index (users created in one
-- bulk insert share a time, and an index on the time alone would sort
-- them all), and an exact count of organizations kept by triggers, so
-- that an unsearched page does not count every row for its total. As for
-- users (004): statement-level triggers with transition tables, right
-- whoever writes.

CREATE INDEX IF NOT EXISTS "user_createdAt_id_idx"
    ON "user" ("createdAt", "id");

CREATE INDEX IF NOT EXISTS "organization_createdAt_idx"
    ON "organization" ("createdAt", "id");

CREATE TABLE IF NOT EXISTS "athena_organization_count" (
    "one" boolean PRIMARY KEY DEFAULT true CHECK ("one"),
    "n" bigint NOT NULL
);

INSERT INTO "athena_organization_count" ("n")
    SELECT count(*) FROM "organization"
    ON CONFLICT ("one") DO UPDATE SET "n" = excluded."n";

CREATE OR REPLACE FUNCTION "athena_organization_count_add"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE "athena_organization_count"
        SET "n" = "n" + (SELECT count(*) FROM added);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_organization_count_remove"()
RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE "athena_organization_count"
        SET "n" = "n" - (SELECT count(*) FROM removed);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_organization_count_reset"()
RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE "athena_organization_count" SET "n" = 0;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS "athena_organization_count_insert" ON "organization";
CREATE TRIGGER "athena_organization_count_insert" AFTER INSERT
    ON "organization" REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION "athena_organization_count_add"();

DROP TRIGGER IF EXISTS "athena_organization_count_delete" ON "organization";
CREATE TRIGGER "athena_organization_count_delete" AFTER DELETE
    ON "organization" REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION "athena_organization_count_remove"();

DROP TRIGGER IF EXISTS "athena_organization_count_truncate"
    ON "organization";
CREATE TRIGGER "athena_organization_count_truncate" AFTER TRUNCATE
    ON "organization"
    FOR EACH STATEMENT EXECUTE FUNCTION "athena_organization_count_reset"();

-- Each organization's member count, kept by triggers on "member" (as 015
-- keeps the email counts: per statement, keys in order so that writers
-- never deadlock), so that a page of organizations reads one row for each
-- count instead of counting its members. The count goes with its
-- organization.

CREATE TABLE IF NOT EXISTS "athena_member_count" (
    "organizationId" text PRIMARY KEY
        REFERENCES "organization" ("id") ON DELETE CASCADE,
    "n" bigint NOT NULL
);

LOCK TABLE "member" IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO "athena_member_count" ("organizationId", "n")
    SELECT m."organizationId", count(*) FROM "member" m
    GROUP BY m."organizationId"
    ON CONFLICT ("organizationId") DO UPDATE SET "n" = excluded."n";

-- the change of a statement's rows (d: org, +1 or -1) into the counts
CREATE OR REPLACE FUNCTION "athena_member_count_apply"(d jsonb)
RETURNS void LANGUAGE sql SET search_path FROM CURRENT AS $$
    INSERT INTO "athena_member_count" AS c ("organizationId", "n")
    SELECT e.key, e.value::bigint FROM jsonb_each_text(d) e
    WHERE e.value::bigint <> 0
      AND EXISTS (SELECT 1 FROM "organization" o WHERE o."id" = e.key)
    ORDER BY e.key
    ON CONFLICT ("organizationId") DO UPDATE SET "n" = c."n" + excluded."n";
$$;

CREATE OR REPLACE FUNCTION "athena_member_count_add"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM "athena_member_count_apply"(
        (SELECT jsonb_object_agg(org, n) FROM (
            SELECT "organizationId" AS org, count(*) AS n FROM added
            GROUP BY 1) s));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_member_count_remove"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM "athena_member_count_apply"(
        (SELECT jsonb_object_agg(org, n) FROM (
            SELECT "organizationId" AS org, -count(*) AS n FROM removed
            GROUP BY 1) s));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_member_count_move"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM "athena_member_count_apply"(
        (SELECT jsonb_object_agg(org, n) FROM (
            SELECT org, sum(n) AS n FROM (
                SELECT "organizationId" AS org, 1 AS n FROM added
                UNION ALL
                SELECT "organizationId", -1 FROM removed) d
            GROUP BY org) s));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_member_count_reset"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM "athena_member_count";
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS "athena_member_count_insert" ON "member";
CREATE TRIGGER "athena_member_count_insert" AFTER INSERT ON "member"
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION "athena_member_count_add"();

DROP TRIGGER IF EXISTS "athena_member_count_delete" ON "member";
CREATE TRIGGER "athena_member_count_delete" AFTER DELETE ON "member"
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION "athena_member_count_remove"();

DROP TRIGGER IF EXISTS "athena_member_count_update" ON "member";
CREATE TRIGGER "athena_member_count_update" AFTER UPDATE ON "member"
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION "athena_member_count_move"();

DROP TRIGGER IF EXISTS "athena_member_count_truncate" ON "member";
CREATE TRIGGER "athena_member_count_truncate" AFTER TRUNCATE ON "member"
    FOR EACH STATEMENT EXECUTE FUNCTION "athena_member_count_reset"();
