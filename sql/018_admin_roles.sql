-- Seed 004's admin roles (admin_roles): time-limited, scoped admin
-- assignments. A TENANT_ADMIN's tenant is an organization; a
-- PARTNER_ADMIN's partner is an opaque id (this project has no partner
-- table). An assignment grants something only while is_active and before
-- expires_at, decided when a request is checked.

CREATE TABLE IF NOT EXISTS "admin_roles" (
    "id" text NOT NULL PRIMARY KEY,
    "user_id" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    "role" text NOT NULL
        CHECK ("role" IN ('SUPER_ADMIN', 'PARTNER_ADMIN', 'TENANT_ADMIN')),
    "partner_id" text,
    "tenant_id" text REFERENCES "organization" ("id") ON DELETE CASCADE,
    "is_active" boolean NOT NULL DEFAULT true,
    "expires_at" timestamptz,
    "granted_by" text,
    "created_at" timestamptz NOT NULL,
    "updated_at" timestamptz NOT NULL,
    CHECK ("role" <> 'PARTNER_ADMIN' OR "partner_id" IS NOT NULL),
    CHECK ("role" <> 'TENANT_ADMIN' OR "tenant_id" IS NOT NULL)
);

-- one assignment of a role in one scope per user
CREATE UNIQUE INDEX IF NOT EXISTS "admin_roles_scope_key"
    ON "admin_roles" ("user_id", "role", coalesce("partner_id", ''),
                      coalesce("tenant_id", ''));

CREATE INDEX IF NOT EXISTS "admin_roles_created_idx"
    ON "admin_roles" ("created_at", "id");

-- users the admin-roles API soft-deleted (DELETE ...?cleanup_orphaned_user):
-- the row stays in "user" for better-auth, banned and without sessions;
-- this says why and when
CREATE TABLE IF NOT EXISTS "admin_user_deletions" (
    "user_id" text NOT NULL PRIMARY KEY
        REFERENCES "user" ("id") ON DELETE CASCADE,
    "deleted_at" timestamptz NOT NULL,
    "deleted_by" text,
    "reason" text NOT NULL
);

-- how many assignments there are in all ('') and of each role, kept by
-- statement triggers as 015 keeps the emails', so that the list's total
-- for no filter or a role is one row's read, not a count
CREATE TABLE IF NOT EXISTS "admin_role_counts" (
    "key" text NOT NULL PRIMARY KEY,
    "n" bigint NOT NULL
);

LOCK TABLE "admin_roles" IN SHARE ROW EXCLUSIVE MODE;

CREATE OR REPLACE FUNCTION "admin_role_count"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO admin_role_counts AS c (key, n)
        SELECT k, count(*) FROM (SELECT '' AS k FROM admin_role_new
                                 UNION ALL SELECT role FROM admin_role_new) s
        GROUP BY k ORDER BY k
        ON CONFLICT (key) DO UPDATE SET n = c.n + excluded.n;

    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO admin_role_counts AS c (key, n)
        SELECT k, -count(*) FROM (SELECT '' AS k FROM admin_role_old
                                  UNION ALL SELECT role FROM admin_role_old) s
        GROUP BY k ORDER BY k
        ON CONFLICT (key) DO UPDATE SET n = c.n + excluded.n;

    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO admin_role_counts AS c (key, n)
        SELECT k, sum(d) FROM (SELECT role AS k, -1 AS d FROM admin_role_old
                               UNION ALL SELECT role, 1 FROM admin_role_new) s
        GROUP BY k HAVING sum(d) <> 0 ORDER BY k
        ON CONFLICT (key) DO UPDATE SET n = c.n + excluded.n;

    ELSE
        DELETE FROM admin_role_counts;
    END IF;

    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS "admin_role_count_insert" ON "admin_roles";
DROP TRIGGER IF EXISTS "admin_role_count_delete" ON "admin_roles";
DROP TRIGGER IF EXISTS "admin_role_count_update" ON "admin_roles";
DROP TRIGGER IF EXISTS "admin_role_count_truncate" ON "admin_roles";

CREATE TRIGGER "admin_role_count_insert" AFTER INSERT ON "admin_roles"
    REFERENCING NEW TABLE AS admin_role_new
    FOR EACH STATEMENT EXECUTE FUNCTION "admin_role_count"();
CREATE TRIGGER "admin_role_count_delete" AFTER DELETE ON "admin_roles"
    REFERENCING OLD TABLE AS admin_role_old
    FOR EACH STATEMENT EXECUTE FUNCTION "admin_role_count"();
CREATE TRIGGER "admin_role_count_update" AFTER UPDATE ON "admin_roles"
    REFERENCING OLD TABLE AS admin_role_old NEW TABLE AS admin_role_new
    FOR EACH STATEMENT EXECUTE FUNCTION "admin_role_count"();
CREATE TRIGGER "admin_role_count_truncate" AFTER TRUNCATE ON "admin_roles"
    FOR EACH STATEMENT EXECUTE FUNCTION "admin_role_count"();

-- the counts of the rows already there, taken afresh
DELETE FROM "admin_role_counts";
INSERT INTO "admin_role_counts" ("key", "n")
SELECT '', count(*) FROM "admin_roles"
UNION ALL
SELECT "role", count(*) FROM "admin_roles" GROUP BY "role";
