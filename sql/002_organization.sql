-- The organization plugin's tables (with the team tables better-auth
-- creates when teams are on) and its session columns.

ALTER TABLE "session" ADD COLUMN IF NOT EXISTS "activeOrganizationId" text;
ALTER TABLE "session" ADD COLUMN IF NOT EXISTS "activeTeamId" text;

CREATE TABLE IF NOT EXISTS "organization" (
    "id" text NOT NULL PRIMARY KEY,
    "name" text NOT NULL,
    "slug" text NOT NULL UNIQUE,
    "logo" text,
    "createdAt" timestamptz NOT NULL,
    "metadata" text
);

CREATE TABLE IF NOT EXISTS "member" (
    "id" text NOT NULL PRIMARY KEY,
    "organizationId" text NOT NULL
        REFERENCES "organization" ("id") ON DELETE CASCADE,
    "userId" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    "role" text NOT NULL,
    "createdAt" timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS "invitation" (
    "id" text NOT NULL PRIMARY KEY,
    "organizationId" text NOT NULL
        REFERENCES "organization" ("id") ON DELETE CASCADE,
    "email" text NOT NULL,
    "role" text,
    "teamId" text,
    "status" text NOT NULL,
    "expiresAt" timestamptz NOT NULL,
    "createdAt" timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL,
    "inviterId" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS "team" (
    "id" text NOT NULL PRIMARY KEY,
    "name" text NOT NULL,
    "memberCount" integer NOT NULL,
    "organizationId" text NOT NULL
        REFERENCES "organization" ("id") ON DELETE CASCADE,
    "createdAt" timestamptz NOT NULL,
    "updatedAt" timestamptz
);

CREATE TABLE IF NOT EXISTS "teamMember" (
    "id" text NOT NULL PRIMARY KEY,
    "teamId" text NOT NULL REFERENCES "team" ("id") ON DELETE CASCADE,
    "userId" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    "membershipKey" text UNIQUE,
    "createdAt" timestamptz
);

CREATE INDEX IF NOT EXISTS "member_organizationId_idx"
    ON "member" ("organizationId");
CREATE INDEX IF NOT EXISTS "member_userId_idx" ON "member" ("userId");
CREATE INDEX IF NOT EXISTS "invitation_organizationId_idx"
    ON "invitation" ("organizationId");
CREATE INDEX IF NOT EXISTS "invitation_email_idx" ON "invitation" ("email");
CREATE INDEX IF NOT EXISTS "team_organizationId_idx"
    ON "team" ("organizationId");
CREATE INDEX IF NOT EXISTS "teamMember_teamId_idx" ON "teamMember" ("teamId");
CREATE INDEX IF NOT EXISTS "teamMember_userId_idx" ON "teamMember" ("userId");
