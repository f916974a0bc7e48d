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

-- members: the membership's entry, and the identities of the user's
-- sessions that have its organization active (they carry its role)
CREATE OR REPLACE FUNCTION "athena_cache_member_items"(rows jsonb)
RETURNS SETOF text LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    SELECT 'm:' || (r->>'organizationId') || ':' || (r->>'userId')
        FROM jsonb_array_elements(rows) r
    UNION ALL
    SELECT 's:' || "athena_cache_token"(s.token)
        FROM jsonb_array_elements(rows) r
        JOIN "session" s ON s."userId" = r->>'userId'
         AND s."activeOrganizationId" = r->>'organizationId';
$$;

-- what of a row a change must have touched to count: anything, but for
-- an API key not the counters that every use of it moves (else each use
-- would evict the key it was), only whether it has a quota
CREATE OR REPLACE FUNCTION "athena_cache_seen"(tbl text, r jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE tbl
        WHEN 'apikey' THEN r - ARRAY['lastRequest', 'requestCount',
                                     'remaining', 'lastRefillAt', 'updatedAt']
                             || jsonb_build_object('counted',
                                    r->'remaining' <> 'null'::jsonb)
        ELSE r END;
$$;

-- the items of a statement's rows (old and new ones, as JSON)
CREATE OR REPLACE FUNCTION "athena_cache_items"(tbl text, op text,
    rows jsonb)
RETURNS text[] LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    SELECT ARRAY(SELECT DISTINCT i FROM (
        -- a session: changed, or ended
        SELECT CASE op WHEN 'DELETE' THEN 'x:' ELSE 's:' END
               || "athena_cache_token"(r->>'token') AS i
            FROM jsonb_array_elements(rows) r WHERE tbl = 'session'
        -- a user, or its admin roles (seed 004): every identity of the
        -- user, whose entries hold its role, ban and admin roles (a
        -- deleted user's sessions and members go by their own triggers,
        -- ON DELETE CASCADE)
        UNION ALL
        SELECT "athena_cache_user_items"(ARRAY(
                   SELECT CASE tbl WHEN 'user' THEN r->>'id'
                                   ELSE r->>'user_id' END
                   FROM jsonb_array_elements(rows) r))
            WHERE tbl IN ('user', 'admin_roles')
        UNION ALL
        SELECT 'r:' || (r->>'user_id')
            FROM jsonb_array_elements(rows) r WHERE tbl = 'admin_roles'
        UNION ALL
        SELECT "athena_cache_member_items"(rows) WHERE tbl = 'member'
        UNION ALL
        SELECT 'k:' || (r->>'key')
            FROM jsonb_array_elements(rows) r WHERE tbl = 'apikey') x);
$$;

-- one trigger function for every table and statement: the rows it
-- touched (for an update, those that changed, before and after), or "*"
-- when they are too many
CREATE OR REPLACE FUNCTION "athena_cache_changed"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    n bigint;
    rows jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT count(*) INTO n FROM old_rows;
    ELSE
        SELECT count(*) INTO n FROM new_rows;
    END IF;

    IF n > 1000 THEN
        PERFORM pg_notify('athena_auth_cache', '*');
        RETURN NULL;
    END IF;

    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(to_jsonb(t)) INTO rows FROM new_rows t;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(to_jsonb(t)) INTO rows FROM old_rows t;
    ELSE
        SELECT jsonb_agg(x.r) INTO rows
            FROM old_rows o JOIN new_rows w ON w.id = o.id,
            LATERAL (VALUES (to_jsonb(o)), (to_jsonb(w))) x (r)
            WHERE "athena_cache_seen"(TG_TABLE_NAME, to_jsonb(o))
                  IS DISTINCT FROM
                  "athena_cache_seen"(TG_TABLE_NAME, to_jsonb(w));
    END IF;

    IF rows IS NOT NULL THEN
        PERFORM "athena_cache_notify"(
            "athena_cache_items"(TG_TABLE_NAME, TG_OP, rows));
    END IF;

    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "athena_cache_flush"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM pg_notify('athena_auth_cache', '*');
    RETURN NULL;
END $$;


-- the statements that change what a cache holds: a new session or key
-- was never cached, a new member or admin role may have been as absent
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('session', 'UPDATE'), ('session', 'DELETE'),
        ('user', 'UPDATE'), ('user', 'DELETE'),
        ('member', 'INSERT'), ('member', 'UPDATE'), ('member', 'DELETE'),
        ('admin_roles', 'INSERT'), ('admin_roles', 'UPDATE'),
        ('admin_roles', 'DELETE'),
        ('apikey', 'UPDATE'), ('apikey', 'DELETE'))
        AS v (tbl, event)
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I',
                       'athena_cache_' || lower(t.event), t.tbl);
        EXECUTE format('CREATE TRIGGER %I AFTER %s ON %I REFERENCING %s'
                       ' FOR EACH STATEMENT'
                       ' EXECUTE FUNCTION "athena_cache_changed"()',
                       'athena_cache_' || lower(t.event), t.event, t.tbl,
                       CASE t.event
                           WHEN 'INSERT' THEN 'NEW TABLE AS new_rows'
                           WHEN 'DELETE' THEN 'OLD TABLE AS old_rows'
                           ELSE 'OLD TABLE AS old_rows NEW TABLE AS new_rows'
                       END);
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
