-- A plain default template for the mail the module sends by itself (an
-- organization's invitation), so that invitations reach an inbox as soon
-- as a relay is configured. An operator's own template for the event (in
-- any locale) is used instead where it exists; this row, once changed or
-- deleted, is left as it is by later runs.

INSERT INTO "email_templates" ("id", "template_key", "locale",
    "subject_template", "text_template", "html_template", "variables",
    "is_active", "metadata", "event_type")
VALUES ('athena-default-member-invite', 'organization.member.invite', 'en',
    'You are invited to join {{organization_name}}',
    E'{{inviter_name}} ({{inviter_email}}) invited you to join '
    || E'{{organization_name}} as {{role}}.\n\nAccept the invitation: '
    || E'{{accept_url}}\n',
    '<p>{{inviter_name}} ({{inviter_email}}) invited you to join '
    || '<b>{{organization_name}}</b> as {{role}}.</p>'
    || '<p><a href="{{accept_url}}">Accept the invitation</a></p>',
    '["organization_name", "accept_url"]', true, '{"default": true}',
    'organization.member.invite')
ON CONFLICT DO NOTHING;
