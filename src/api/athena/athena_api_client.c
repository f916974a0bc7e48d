/*
 * Athena's admin extras: the registry of Athena clients.
 * POST /admin/athena-client/create and GET /admin/athena-client/list.
 * A client is known by its name (unique whatever its case) and points at
 * its database by the name of an environment variable, never a URI.
 */

#include <string.h>

#include "athena_record.h"
#include "../../core/athena_text.h"
#include "../../store/athena_client_store.h"


#define ATHENA_CLIENT_NAME_MAX         64
#define ATHENA_CLIENT_DESCRIPTION_MAX  512
#define ATHENA_CLIENT_ENV_MAX          128


static const athena_admin_perm_t  athena_may_create_client = {
    "user", "update", "YOU_ARE_NOT_ALLOWED_TO_MANAGE_ATHENA_CLIENTS",
    "You are not allowed to manage Athena clients"
};

static const athena_admin_perm_t  athena_may_list_clients = {
    "user", "list", "YOU_ARE_NOT_ALLOWED_TO_LIST_ATHENA_CLIENTS",
    "You are not allowed to list Athena clients"
};


static int
athena_client_name_char(char c, int first)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9')
           || (!first && (c == '_' || c == '.' || c == '-'));
}


/* clientName, trimmed: 1-64 of [A-Za-z0-9][A-Za-z0-9_.-]*, or NULL */

static char *
athena_client_name(athena_ctx_t *ctx, athena_check_t *chk)
{
    char                 *name;
    size_t                i, len;
    const athena_json_t  *v;

    v = athena_check_string(chk, "clientName", 1);
    if (v == NULL) {
        return NULL;
    }

    name = athena_trim(ctx->a, v->string, v->len, &len);
    if (name == NULL) {
        return NULL;
    }

    if (len == 0 || len > ATHENA_CLIENT_NAME_MAX) {
        athena_check_issue(chk, "clientName", len ? "Too big: expected string"
                           " to have <=%d characters" : "Too small: expected"
                           " string to have >=1 characters",
                           ATHENA_CLIENT_NAME_MAX);
        return NULL;
    }

    for (i = 0; i < len; i++) {
        if (!athena_client_name_char(name[i], i == 0)) {
            athena_check_issue(chk, "clientName", "Invalid string: a letter"
                               " or digit, then letters, digits, \"_\", \".\""
                               " and \"-\"");
            return NULL;
        }
    }

    return name;
}


/* a string that may be null or absent (NULL), at most max long */

static const char *
athena_client_text(athena_check_t *chk, const char *field, size_t max)
{
    const athena_json_t  *v;

    v = athena_check_nullish(chk, field);
    if (v == NULL || v->type == ATHENA_JSON_NULL) {
        return NULL;
    }

    if (v->len > max) {
        athena_check_issue(chk, field, "Too big: expected string to have"
                           " <=%zu characters", max);
        return NULL;
    }

    return v->string;
}


/* pgUriEnvVar names a variable ([A-Z_][A-Z0-9_]*): a URI is refused */

static const char *
athena_client_env(athena_check_t *chk)
{
    size_t       i;
    const char  *s;

    s = athena_client_text(chk, "pgUriEnvVar", ATHENA_CLIENT_ENV_MAX);
    if (s == NULL) {
        return NULL;
    }

    for (i = 0; s[i]; i++) {
        if (!((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_'
              || (i && s[i] >= '0' && s[i] <= '9')))
        {
            athena_check_issue(chk, "pgUriEnvVar", "Invalid string: the name"
                               " of an environment variable ([A-Z_][A-Z0-9_]*),"
                               " never a URI");
            return NULL;
        }
    }

    return i ? s : NULL;
}


/* metadata: an object (kept as JSON text), "{}" when absent or null */

static const char *
athena_client_metadata(athena_check_t *chk)
{
    const athena_json_t  *v;

    v = athena_json_get(chk->obj, "metadata");
    if (v == NULL || v->type == ATHENA_JSON_NULL) {
        return "{}";
    }

    return athena_check_record_text(chk, "metadata");
}


static void
athena_gen_client(athena_ctx_t *ctx, athena_gen_t *g, const athena_client_t *c)
{
    athena_gen_map_open(g);
    athena_gen_key(g, "id");
    athena_gen_cstr(g, c->id);
    athena_gen_key(g, "clientName");
    athena_gen_cstr(g, c->name);
    athena_gen_key(g, "description");
    athena_gen_str_or_null(g, c->description);
    athena_gen_key(g, "isActive");
    athena_gen_bool(g, c->is_active);
    athena_gen_key(g, "pgUriEnvVar");
    athena_gen_str_or_null(g, c->pg_uri_env_var);
    athena_gen_key(g, "metadata");
    athena_gen_json_text(ctx->a, g, c->metadata);

    athena_gen_key(g, "createdAt");
    athena_gen_time(g, c->created_at);
    athena_gen_key(g, "updatedAt");
    athena_gen_time(g, c->updated_at);
    athena_gen_map_close(g);
}


/*
 * POST /admin/athena-client/create {clientName, description?, isActive?,
 * pgUriEnvVar?, metadata?} -> the record; a name taken in any case: 409
 */

athena_store_rc_e
athena_api_admin_athena_client_create(athena_ctx_t *ctx)
{
    int                 ok;
    athena_gen_t       *g;
    athena_check_t      chk;
    athena_client_t     c;
    athena_store_rc_e   rc;

    memset(&c, 0, sizeof(athena_client_t));
    c.is_active = 1;

    if (athena_admin_body(ctx, &chk)) {
        c.name = athena_client_name(ctx, &chk);
        c.description = athena_client_text(&chk, "description",
                                           ATHENA_CLIENT_DESCRIPTION_MAX);
        c.is_active = athena_check_bool(&chk, "isActive", 1);
        c.pg_uri_env_var = athena_client_env(&chk);
        c.metadata = athena_client_metadata(&chk);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    if (c.name == NULL || c.metadata == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_record_new(ctx, &athena_may_create_client, &c.id, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    c.created_at = ctx->now;

    rc = athena_client_create(ctx->db, ctx->a, &c);

    if (rc == ATHENA_STORE_CONFLICT) {
        athena_reply_error(ctx, 409, "ATHENA_CLIENT_ALREADY_EXISTS",
                           "Athena client already exists");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_reply_json(ctx);
    if (g != NULL) {
        athena_gen_client(ctx, g, &c);
        athena_reply_gen(ctx, 200, g);
    }

    return ATHENA_STORE_OK;
}


/* GET /admin/athena-client/list?isActive -> {athenaClients}, by name */

athena_store_rc_e
athena_api_admin_athena_client_list(athena_ctx_t *ctx)
{
    int                 ok;
    size_t              i, n;
    athena_gen_t       *g;
    const char         *active;
    athena_check_t      chk;
    athena_client_t    *list;
    athena_store_rc_e   rc;

    static const char *const  booleans[] = { "true", "false", NULL };
    static const char *const  single[] = { "isActive", NULL };

    athena_check_init(&chk, ctx->a, NULL, "query");

    if (athena_query_single(ctx, &chk, single) != 0) {
        return ATHENA_STORE_ERROR;
    }

    active = athena_query_enum(ctx, &chk, "isActive", booleans, NULL);

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, &athena_may_list_clients, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_client_list(ctx->db, ctx->a,
                            active == NULL ? -1 : strcmp(active, "true") == 0,
                            &list, &n);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "athenaClients");
    athena_gen_array_open(g);

    for (i = 0; i < n; i++) {
        athena_gen_client(ctx, g, &list[i]);
    }

    athena_gen_array_close(g);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}
