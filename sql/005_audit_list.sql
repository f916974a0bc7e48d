-- The audit log's list: newest first, by actor or by action, a page at a
-- time. These indexes give both filters their rows already in the list's
-- order (created_at DESC, id DESC), so a page reads only what it shows.

CREATE INDEX IF NOT EXISTS "admin_audit_logs_actor_list_idx"
    ON "admin_audit_logs" ("actor_user_id", "created_at" DESC, "id" DESC);
CREATE INDEX IF NOT EXISTS "admin_audit_logs_action_list_idx"
    ON "admin_audit_logs" ("action", "created_at" DESC, "id" DESC);
