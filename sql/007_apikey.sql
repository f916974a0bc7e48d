-- better-auth's api-key plugin table (apikey), column for column as
-- @better-auth/api-key 1.7.5 creates it, so that a better-auth app with the
-- plugin on the same database shares keys with the module both ways. The
-- key column holds base64url(SHA-256(key)), never the key. An admin-made
-- key names its Athena client in metadata ("athenaClientName"): the table
-- has no column for it.

CREATE TABLE IF NOT EXISTS "apikey" (
    "id" text NOT NULL PRIMARY KEY,
    "configId" text NOT NULL,
    "name" text,
    "start" text,
    "referenceId" text NOT NULL,
    "prefix" text,
    "key" text NOT NULL,
    "refillInterval" integer,
    "refillAmount" integer,
    "lastRefillAt" timestamptz,
    "enabled" boolean,
    "rateLimitEnabled" boolean,
    "rateLimitTimeWindow" integer,
    "rateLimitMax" integer,
    "requestCount" integer,
    "remaining" integer,
    "lastRequest" timestamptz,
    "expiresAt" timestamptz,
    "createdAt" timestamptz NOT NULL,
    "updatedAt" timestamptz NOT NULL,
    "permissions" text,
    "metadata" text
);

CREATE INDEX IF NOT EXISTS "apikey_configId_idx" ON "apikey" ("configId");
CREATE INDEX IF NOT EXISTS "apikey_referenceId_idx"
    ON "apikey" ("referenceId");
CREATE INDEX IF NOT EXISTS "apikey_key_idx" ON "apikey" ("key");
