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
