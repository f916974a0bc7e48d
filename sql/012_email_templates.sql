-- Athena's email templates (email_templates) and the catalog of the events
-- that send mail (email_event_types). A template is one (template_key,
-- locale); its event type, when it has one, is in the catalog. The
-- catalog comes seeded with the events the auth server itself sends;
-- rows an operator adds or changes are left alone by later runs.

CREATE TABLE IF NOT EXISTS "email_event_types" (
    "event_type" text NOT NULL PRIMARY KEY,
    "category" text NOT NULL,
    "label" text,
    "description" text,
    "default_template_key" text,
    "required_variables" jsonb NOT NULL DEFAULT '[]'::jsonb,
    "optional_variables" jsonb NOT NULL DEFAULT '[]'::jsonb,
    "is_active" boolean NOT NULL DEFAULT true,
    "is_system" boolean NOT NULL DEFAULT false,
    "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb,
    "created_at" timestamptz NOT NULL DEFAULT now(),
    "updated_at" timestamptz NOT NULL DEFAULT now()
);

INSERT INTO "email_event_types" ("event_type", "category", "label",
    "description", "default_template_key", "required_variables",
    "optional_variables", "is_system")
VALUES
    ('user.email.verify', 'user', 'Verify email',
     'A new user confirms their email address.', 'user.email.verify',
     '["verification_url"]', '["user_name", "user_email"]', true),
    ('user.email.change', 'user', 'Confirm email change',
     'A user confirms a new email address.', 'user.email.change',
     '["verification_url"]', '["user_name", "new_email"]', true),
    ('user.password.reset', 'user', 'Reset password',
     'A user asked to reset their password.', 'user.password.reset',
     '["reset_url"]', '["user_name", "user_email"]', true),
    ('user.welcome', 'user', 'Welcome',
     'A user has signed up.', 'user.welcome',
     '[]', '["user_name", "user_email"]', true),
    ('organization.member.invite', 'organization', 'Organization invitation',
     'Someone is invited to join an organization.',
     'organization.member.invite',
     '["organization_name", "accept_url"]',
     '["inviter_name", "inviter_email", "role", "invitee_email"]', true),
    ('admin.notification', 'admin', 'Admin notification',
     'A message an admin sends by hand.', 'admin.notification',
     '[]', '[]', true)
ON CONFLICT ("event_type") DO NOTHING;

CREATE TABLE IF NOT EXISTS "email_templates" (
    "id" text NOT NULL PRIMARY KEY,
    "template_key" text NOT NULL,
    "locale" text NOT NULL DEFAULT 'en',
    "subject_template" text NOT NULL,
    "text_template" text,
    "html_template" text,
    "variables" jsonb NOT NULL DEFAULT '[]'::jsonb,
    "is_active" boolean NOT NULL DEFAULT true,
    "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb,
    "event_type" text,
    "attachments" jsonb NOT NULL DEFAULT '[]'::jsonb,
    "attachment_failure_mode" text NOT NULL DEFAULT 'fail'
        CHECK ("attachment_failure_mode" IN ('fail', 'skip')),
    "variable_bindings" jsonb NOT NULL DEFAULT '[]'::jsonb,
    "created_at" timestamptz NOT NULL DEFAULT now(),
    "updated_at" timestamptz NOT NULL DEFAULT now(),
    UNIQUE ("template_key", "locale")
);

CREATE INDEX IF NOT EXISTS "email_templates_event_idx"
    ON "email_templates" ("event_type", "locale", "is_active");
CREATE INDEX IF NOT EXISTS "email_templates_list_idx"
    ON "email_templates" ("created_at" DESC, "id" DESC);
