-- What /admin/list-users needs on a large table: indexes for its sorts
-- and prefix searches, and an exact count of users kept by triggers, so
-- that an unfiltered page does not count a million rows for its total.
-- The triggers are statement-level with transition tables: a bulk insert
-- adds its row count once, and any writer (a better-auth app beside the
-- module, plain SQL) keeps the count right.

CREATE INDEX IF NOT EXISTS "user_createdAt_idx" ON "user" ("createdAt");
CREATE INDEX IF NOT EXISTS "user_name_idx" ON "user" ("name");
CREATE INDEX IF NOT EXISTS "user_email_pattern_idx"
    ON "user" ("email" text_pattern_ops);
CREATE INDEX IF NOT EXISTS "user_name_pattern_idx"
    ON "user" ("name" text_pattern_ops);

CREATE TABLE IF NOT EXISTS "athena_user_count" (
    "one" boolean PRIMARY KEY DEFAULT true CHECK ("one"),
    "n" bigint NOT NULL
);

INSERT INTO "athena_user_count" ("n")
    SELECT count(*) FROM "user"
    ON CONFLICT ("one") DO UPDATE SET "n" = excluded."n";

CREATE OR REPLACE FUNCTION "athena_user_count_add"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE "athena_user_count" SET "n" = "n" + (SELECT count(*) FROM added);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_user_count_remove"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE "athena_user_count" SET "n" = "n" - (SELECT count(*) FROM removed);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_user_count_reset"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE "athena_user_count" SET "n" = 0;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS "athena_user_count_insert" ON "user";
CREATE TRIGGER "athena_user_count_insert" AFTER INSERT ON "user"
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION "athena_user_count_add"();

DROP TRIGGER IF EXISTS "athena_user_count_delete" ON "user";
CREATE TRIGGER "athena_user_count_delete" AFTER DELETE ON "user"
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION "athena_user_count_remove"();

DROP TRIGGER IF EXISTS "athena_user_count_truncate" ON "user";
CREATE TRIGGER "athena_user_count_truncate" AFTER TRUNCATE ON "user"
    FOR EACH STATEMENT EXECUTE FUNCTION "athena_user_count_reset"();
