-- Postgres announces every change to what the caches hold, whoever makes
-- it (this module on any node, a better-auth app on the same database,
-- plain SQL), with NOTIFY on the channel athena_auth_cache; each nginx node
-- listens and drops what it cached (src/http/ngx_http_athena_auth_listen.c).
--
-- A payload is lines, each one item, keyed as the caches are keyed:
--   s:<hex>          a session changed: SHA-256 of its token, in hex
--   x:<hex>          a session ended
--   k:<hash>         an API key changed or went (its stored hash)
--   m:<org>:<user>   a membership changed
--   r:<user>         a user's admin roles changed
--   *                anything may have changed: drop it all
-- Never a raw token. The triggers run per statement over transition
-- tables, so a bulk statement is one notification (or "*"), not a flood.
-- NOTIFY is sent at commit, and not at all on a rollback.

-- items into notifications of at most ~8000 bytes (NOTIFY's limit); more
-- than 1000 items, or an id that would break the format, is "*"
CREATE OR REPLACE FUNCTION "athena_cache_notify"(items text[])
RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    item text;
    buf text := '';
BEGIN
    IF coalesce(array_length(items, 1), 0) = 0 THEN
        RETURN;
    END IF;

    IF array_length(items, 1) > 1000 OR EXISTS (
        SELECT 1 FROM unnest(items) t
        WHERE strpos(t, E'\n') > 0 OR octet_length(t) > 1000)
    THEN
        PERFORM pg_notify('athena_auth_cache', '*');
        RETURN;
    END IF;

    FOREACH item IN ARRAY items LOOP
        CONTINUE WHEN item IS NULL;

        IF octet_length(buf) + octet_length(item) >= 7999 THEN
            PERFORM pg_notify('athena_auth_cache', buf);
            buf := '';
        END IF;

        buf := CASE WHEN buf = '' THEN item ELSE buf || E'\n' || item END;
    END LOOP;

    IF buf <> '' THEN
        PERFORM pg_notify('athena_auth_cache', buf);
    END IF;
END $$;

-- a statement over more rows than this is announced as "*" at once,
-- before any hash is computed
CREATE OR REPLACE FUNCTION "athena_cache_bulk"(n bigint)
RETURNS boolean LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF n > 1000 THEN
        PERFORM pg_notify('athena_auth_cache', '*');
        RETURN true;
    END IF;
    RETURN false;
END $$;

CREATE OR REPLACE FUNCTION "athena_cache_token"(token text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(token, 'UTF8')), 'hex');
$$;

-- what caches a user's identity: its sessions' entries and its API keys'
CREATE OR REPLACE FUNCTION "athena_cache_user_items"(ids text[])
RETURNS SETOF text LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    SELECT 's:' || "athena_cache_token"(s.token)
        FROM "session" s WHERE s."userId" = ANY (ids)
    UNION ALL
    SELECT 'k:' || k."key"
        FROM "apikey" k WHERE k."referenceId" = ANY (ids);
$$;

CREATE OR REPLACE FUNCTION "athena_cache_flush"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM pg_notify('athena_auth_cache', '*');
    RETURN NULL;
END $$;


-- sessions: any change (expiry, active organization, impersonation)
CREATE OR REPLACE FUNCTION "athena_cache_session_update"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF "athena_cache_bulk"((SELECT count(*) FROM changed_new)) THEN
        RETURN NULL;
    END IF;
    PERFORM "athena_cache_notify"(ARRAY(
        SELECT DISTINCT 's:' || "athena_cache_token"(t.token) FROM (
            SELECT o.token, n.token AS new_token
            FROM changed_old o JOIN changed_new n ON n.id = o.id
            WHERE o IS DISTINCT FROM n) c,
        LATERAL (VALUES (c.token), (c.new_token)) t (token)));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_cache_session_delete"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF "athena_cache_bulk"((SELECT count(*) FROM removed)) THEN
        RETURN NULL;
    END IF;
    PERFORM "athena_cache_notify"(ARRAY(
        SELECT 'x:' || "athena_cache_token"(o.token) FROM removed o));
    RETURN NULL;
END $$;


-- users: any change of a column (the session entries hold the whole
-- user); a deleted user's sessions and members go by their own triggers
-- (ON DELETE CASCADE), its API keys have no such key
CREATE OR REPLACE FUNCTION "athena_cache_user_update"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF "athena_cache_bulk"((SELECT count(*) FROM changed_new)) THEN
        RETURN NULL;
    END IF;
    PERFORM "athena_cache_notify"(ARRAY(
        SELECT "athena_cache_user_items"(ARRAY(
            SELECT o.id FROM changed_old o JOIN changed_new n ON n.id = o.id
            WHERE o IS DISTINCT FROM n))));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_cache_user_delete"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF "athena_cache_bulk"((SELECT count(*) FROM removed)) THEN
        RETURN NULL;
    END IF;
    PERFORM "athena_cache_notify"(ARRAY(
        SELECT 'k:' || k."key" FROM "apikey" k
        WHERE k."referenceId" IN (SELECT id FROM removed)));
    RETURN NULL;
END $$;


-- members: the membership's entry, and the identities of the user's
-- sessions that have its organization active (they carry its role)
CREATE OR REPLACE FUNCTION "athena_cache_member_items"(rows jsonb)
RETURNS text[] LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    SELECT ARRAY(
        SELECT DISTINCT i FROM (
            SELECT 'm:' || (r->>'organizationId') || ':' || (r->>'userId') AS i
                FROM jsonb_array_elements(rows) r
            UNION ALL
            SELECT 's:' || "athena_cache_token"(s.token)
                FROM jsonb_array_elements(rows) r
                JOIN "session" s ON s."userId" = r->>'userId'
                 AND s."activeOrganizationId" = r->>'organizationId') x);
$$;

CREATE OR REPLACE FUNCTION "athena_cache_member_added"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NOT "athena_cache_bulk"((SELECT count(*) FROM added)) THEN
        PERFORM "athena_cache_notify"("athena_cache_member_items"(
            (SELECT jsonb_agg(jsonb_build_object(
                 'organizationId', a."organizationId", 'userId', a."userId"))
             FROM added a)));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_cache_member_removed"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NOT "athena_cache_bulk"((SELECT count(*) FROM removed)) THEN
        PERFORM "athena_cache_notify"("athena_cache_member_items"(
            (SELECT jsonb_agg(jsonb_build_object(
                 'organizationId', r."organizationId", 'userId', r."userId"))
             FROM removed r)));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_cache_member_update"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NOT "athena_cache_bulk"((SELECT count(*) FROM changed_new)) THEN
        PERFORM "athena_cache_notify"("athena_cache_member_items"(
            (SELECT jsonb_agg(jsonb_build_object(
                 'organizationId', r."organizationId", 'userId', r."userId"))
             FROM (SELECT "organizationId", "userId" FROM changed_old
                   UNION
                   SELECT "organizationId", "userId" FROM changed_new) r)));
    END IF;
    RETURN NULL;
END $$;


-- admin roles (seed 004): the user's cached roles, and every identity of
-- the user (sessions and API keys carry the roles at the gate)
CREATE OR REPLACE FUNCTION "athena_cache_roles_items"(ids text[])
RETURNS text[] LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    SELECT ARRAY(
        SELECT DISTINCT i FROM (
            SELECT 'r:' || u AS i FROM unnest(ids) u
            UNION ALL
            SELECT "athena_cache_user_items"(ids)) x);
$$;

CREATE OR REPLACE FUNCTION "athena_cache_roles_added"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NOT "athena_cache_bulk"((SELECT count(*) FROM added)) THEN
        PERFORM "athena_cache_notify"("athena_cache_roles_items"(
            ARRAY(SELECT DISTINCT user_id FROM added)));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_cache_roles_removed"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NOT "athena_cache_bulk"((SELECT count(*) FROM removed)) THEN
        PERFORM "athena_cache_notify"("athena_cache_roles_items"(
            ARRAY(SELECT DISTINCT user_id FROM removed)));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_cache_roles_update"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NOT "athena_cache_bulk"((SELECT count(*) FROM changed_new)) THEN
        PERFORM "athena_cache_notify"("athena_cache_roles_items"(
            ARRAY(SELECT user_id FROM changed_old
                  UNION SELECT user_id FROM changed_new)));
    END IF;
    RETURN NULL;
END $$;


-- API keys: what the gate's check reads, not the counters that every use
-- of a key moves (lastRequest, requestCount, remaining, lastRefillAt,
-- updatedAt), else each use would evict the key it was
CREATE OR REPLACE FUNCTION "athena_cache_apikey_update"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF "athena_cache_bulk"((SELECT count(*) FROM changed_new)) THEN
        RETURN NULL;
    END IF;
    PERFORM "athena_cache_notify"(ARRAY(
        SELECT DISTINCT 'k:' || t.key FROM (
            SELECT o."key", n."key" AS new_key
            FROM changed_old o JOIN changed_new n ON n.id = o.id
            WHERE (o."key", o."enabled", o."expiresAt", o."referenceId",
                   o."permissions", o."metadata", o."name", o."configId",
                   o."rateLimitEnabled", o."rateLimitTimeWindow",
                   o."rateLimitMax", o."refillInterval", o."refillAmount",
                   o."remaining" IS NULL)
                  IS DISTINCT FROM
                  (n."key", n."enabled", n."expiresAt", n."referenceId",
                   n."permissions", n."metadata", n."name", n."configId",
                   n."rateLimitEnabled", n."rateLimitTimeWindow",
                   n."rateLimitMax", n."refillInterval", n."refillAmount",
                   n."remaining" IS NULL)) c,
        LATERAL (VALUES (c.key), (c.new_key)) t (key)));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_cache_apikey_delete"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF "athena_cache_bulk"((SELECT count(*) FROM removed)) THEN
        RETURN NULL;
    END IF;
    PERFORM "athena_cache_notify"(ARRAY(
        SELECT 'k:' || o."key" FROM removed o));
    RETURN NULL;
END $$;


DO $$
DECLARE
    t record;
BEGIN
    -- (table, trigger suffix, event, transition tables, function)
    FOR t IN SELECT * FROM (VALUES
        ('session', 'update', 'UPDATE',
         'OLD TABLE AS changed_old NEW TABLE AS changed_new',
         'athena_cache_session_update'),
        ('session', 'delete', 'DELETE', 'OLD TABLE AS removed',
         'athena_cache_session_delete'),
        ('user', 'update', 'UPDATE',
         'OLD TABLE AS changed_old NEW TABLE AS changed_new',
         'athena_cache_user_update'),
        ('user', 'delete', 'DELETE', 'OLD TABLE AS removed',
         'athena_cache_user_delete'),
        ('member', 'insert', 'INSERT', 'NEW TABLE AS added',
         'athena_cache_member_added'),
        ('member', 'update', 'UPDATE',
         'OLD TABLE AS changed_old NEW TABLE AS changed_new',
         'athena_cache_member_update'),
        ('member', 'delete', 'DELETE', 'OLD TABLE AS removed',
         'athena_cache_member_removed'),
        ('admin_roles', 'insert', 'INSERT', 'NEW TABLE AS added',
         'athena_cache_roles_added'),
        ('admin_roles', 'update', 'UPDATE',
         'OLD TABLE AS changed_old NEW TABLE AS changed_new',
         'athena_cache_roles_update'),
        ('admin_roles', 'delete', 'DELETE', 'OLD TABLE AS removed',
         'athena_cache_roles_removed'),
        ('apikey', 'update', 'UPDATE',
         'OLD TABLE AS changed_old NEW TABLE AS changed_new',
         'athena_cache_apikey_update'),
        ('apikey', 'delete', 'DELETE', 'OLD TABLE AS removed',
         'athena_cache_apikey_delete'))
        AS v (tbl, suffix, event, refs, fn)
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I',
                       'athena_cache_' || t.suffix, t.tbl);
        EXECUTE format('CREATE TRIGGER %I AFTER %s ON %I REFERENCING %s'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                       'athena_cache_' || t.suffix, t.event, t.tbl, t.refs,
                       t.fn);
    END LOOP;

    -- TRUNCATE has no rows to name
    FOR t IN SELECT unnest(ARRAY['session', 'user', 'member', 'admin_roles',
                                 'apikey']) AS tbl
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS athena_cache_truncate ON %I',
                       t.tbl);
        EXECUTE format('CREATE TRIGGER athena_cache_truncate AFTER TRUNCATE'
                       ' ON %I FOR EACH STATEMENT'
                       ' EXECUTE FUNCTION "athena_cache_flush"()', t.tbl);
    END LOOP;
END $$;
