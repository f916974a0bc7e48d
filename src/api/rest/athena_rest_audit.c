/*
 * What the audit row of a change made through the REST surface keeps in
 * metadata.details (seed 003: the action's type, the resource, and for
 * an update the fields that changed with their old and new values):
 * {"type": "UPDATE", "resource": "user", "changes": {"role": {"from":
 * "user", "to": "admin"}}}. A created or deleted row is kept as "data".
 * Never a password, a hash or a token.
 */

#include <stddef.h>
#include <string.h>

#include "athena_rest.h"


typedef enum {
    ATHENA_FIELD_TEXT = 0,
    ATHENA_FIELD_BOOL,
    ATHENA_FIELD_TIME
} athena_field_type_e;


typedef struct {
    const char           *name;
    size_t                offset;
    athena_field_type_e   type;
} athena_field_t;


/* the user's fields an admin may see and change, as the API names them */
static const athena_field_t  athena_user_fields[] = {
    { "name", offsetof(athena_user_t, name), ATHENA_FIELD_TEXT },
    { "email", offsetof(athena_user_t, email), ATHENA_FIELD_TEXT },
    { "emailVerified", offsetof(athena_user_t, email_verified),
      ATHENA_FIELD_BOOL },
    { "image", offsetof(athena_user_t, image), ATHENA_FIELD_TEXT },
    { "role", offsetof(athena_user_t, role), ATHENA_FIELD_TEXT },
    { "banned", offsetof(athena_user_t, banned), ATHENA_FIELD_BOOL },
    { "banReason", offsetof(athena_user_t, ban_reason), ATHENA_FIELD_TEXT },
    { "banExpires", offsetof(athena_user_t, ban_expires), ATHENA_FIELD_TIME },
    { NULL, 0, 0 }
};


/* an organization's; metadata as the text stored */
static const athena_field_t  athena_org_fields[] = {
    { "name", offsetof(athena_org_t, name), ATHENA_FIELD_TEXT },
    { "slug", offsetof(athena_org_t, slug), ATHENA_FIELD_TEXT },
    { "logo", offsetof(athena_org_t, logo), ATHENA_FIELD_TEXT },
    { "metadata", offsetof(athena_org_t, metadata), ATHENA_FIELD_TEXT },
    { NULL, 0, 0 }
};


static void
athena_field_gen(athena_gen_t *g, const athena_field_t *f, const void *row)
{
    int          b;
    const char  *p;

    p = (const char *) row + f->offset;

    switch (f->type) {
    case ATHENA_FIELD_TEXT:
        athena_gen_str_or_null(g, *(char *const *) p);
        break;

    case ATHENA_FIELD_BOOL:
        b = *(const int *) p;

        if (b < 0) {
            athena_gen_null(g);
        } else {
            athena_gen_bool(g, b);
        }

        break;

    default:
        athena_gen_time_or_null(g, *(const int64_t *) p);
    }
}


static int
athena_field_same(const athena_field_t *f, const void *a, const void *b)
{
    const char  *pa, *pb, *sa, *sb;

    pa = (const char *) a + f->offset;
    pb = (const char *) b + f->offset;

    switch (f->type) {
    case ATHENA_FIELD_TEXT:
        sa = *(char *const *) pa;
        sb = *(char *const *) pb;
        return (sa == NULL || sb == NULL) ? sa == sb : strcmp(sa, sb) == 0;

    case ATHENA_FIELD_BOOL:
        return *(const int *) pa == *(const int *) pb;

    default:
        return *(const int64_t *) pa == *(const int64_t *) pb;
    }
}


/*
 * The details of a change of type to resource: with before and after,
 * the fields that differ; with one of them, that row's fields as "data".
 * A change the row does not hold (an organization's owner) comes as
 * extra: its name, and its new value, or NULL.
 */

static char *
athena_rest_audit(athena_ctx_t *ctx, const char *type, const char *resource,
    const athena_field_t *fields, const void *before, const void *after,
    const char *extra, const char *extra_to)
{
    size_t                 len;
    athena_gen_t          *g;
    const void            *row;
    const athena_field_t  *f;

    g = athena_gen_new();
    if (g == NULL) {
        return NULL;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "type");
    athena_gen_cstr(g, type);
    athena_gen_key(g, "resource");
    athena_gen_cstr(g, resource);

    row = before ? before : after;
    athena_gen_key(g, (before && after) ? "changes" : "data");
    athena_gen_map_open(g);

    for (f = fields; f->name; f++) {
        if (before && after) {
            if (athena_field_same(f, before, after)) {
                continue;
            }

            athena_gen_key(g, f->name);
            athena_gen_map_open(g);
            athena_gen_key(g, "from");
            athena_field_gen(g, f, before);
            athena_gen_key(g, "to");
            athena_field_gen(g, f, after);
            athena_gen_map_close(g);

        } else {
            athena_gen_key(g, f->name);
            athena_field_gen(g, f, row);
        }
    }

    if (extra_to != NULL) {
        athena_gen_key(g, extra);
        athena_gen_map_open(g);
        athena_gen_key(g, "to");
        athena_gen_cstr(g, extra_to);
        athena_gen_map_close(g);
    }

    athena_gen_map_close(g);
    athena_gen_map_close(g);

    return athena_gen_finish(ctx->a, g, &len);
}


char *
athena_rest_audit_user(athena_ctx_t *ctx, const char *type,
    const athena_user_t *before, const athena_user_t *after)
{
    return athena_rest_audit(ctx, type, "user", athena_user_fields, before,
                             after, NULL, NULL);
}


/* owner: the user an update made the owner, or NULL */

char *
athena_rest_audit_org(athena_ctx_t *ctx, const char *type,
    const athena_org_t *before, const athena_org_t *after, const char *owner)
{
    return athena_rest_audit(ctx, type, "organization", athena_org_fields,
                             before, after, "ownerId", owner);
}
