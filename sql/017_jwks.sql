-- better-auth's jwt plugin table (jwks), column for column as better-auth
-- 1.7.25 creates it, so that a better-auth app with the plugin on the same
-- database and secret signs and verifies with the same keys as the module.
-- "privateKey" holds the private JWK sealed with XChaCha20-Poly1305 under
-- SHA-256 of the secret, as hex in a JSON string (src/core/athena_jwk.c).

CREATE TABLE IF NOT EXISTS "jwks" (
    "id" text NOT NULL PRIMARY KEY,
    "publicKey" text NOT NULL,
    "privateKey" text NOT NULL,
    "createdAt" timestamptz NOT NULL,
    "expiresAt" timestamptz,
    "alg" text,
    "crv" text
);
