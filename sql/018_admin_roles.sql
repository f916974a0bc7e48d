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
