/*
 * The query parser (src/api/athena_query.c) over a query string as nginx
 * hands it over: the raw bytes after '?', NUL-terminated. For each name
 * the endpoints ask for (and a prefix of one of them), the first value
 * must be the first of all the values, the enum and the "given twice"
 * checks must agree with what was found.
 */

#include "fuzz.h"
#include "../../src/api/athena_api.h"
#include "../../src/core/athena_text.h"


static const char *const  fuzz_query_names[] = {
    "id", "organizationId", "organizationSlug", "filter", "filterValue",
    "sortDirection", "limit", "disableCookieCache", NULL
};

static const char *const  fuzz_query_directions[] = { "asc", "desc", NULL };


static void
fuzz_query_enum(athena_ctx_t *ctx, const char *name, const char *first)
{
    size_t           i;
    const char      *got;
    athena_check_t   chk;

    athena_check_init(&chk, ctx->a, NULL, "query");

    got = athena_query_enum(ctx, &chk, name, fuzz_query_directions, "dflt");

    if (first == NULL) {
        fuzz_check(got != NULL && strcmp(got, "dflt") == 0);
        return;
    }

    for (i = 0; fuzz_query_directions[i]; i++) {
        if (strcmp(first, fuzz_query_directions[i]) == 0) {
            fuzz_check(got == fuzz_query_directions[i]);
            return;
        }
    }

    fuzz_check(got == NULL && chk.message != NULL);
}


/* returns whether name came more than once */

static int
fuzz_query_name(athena_ctx_t *ctx, const char *name)
{
    char         *first;
    size_t        len, n;
    const char  **all;

    first = athena_query_arg(ctx, name, &len);
    all = athena_query_all(ctx, name, &n);

    fuzz_check(all != NULL && all[n] == NULL);
    fuzz_check((first != NULL) == (n > 0));

    if (first != NULL) {
        fuzz_check(first[len] == '\0');
        fuzz_check(strcmp(first, all[0]) == 0);

        /* bytes that are no UTF-8 read as U+FFFD: every value is text */
        fuzz_check(athena_utf8_valid(first, len));
    }

    fuzz_query_enum(ctx, name, first);

    return n > 1;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int              twice;
    size_t           i;
    athena_req_t     req;
    athena_ctx_t     ctx;
    athena_check_t   chk;

    memset(&req, 0, sizeof(athena_req_t));
    memset(&ctx, 0, sizeof(athena_ctx_t));

    ctx.a = fuzz_arena();
    ctx.req = &req;
    req.args = fuzz_cstr(data, size);

    twice = 0;

    for (i = 0; fuzz_query_names[i]; i++) {
        twice |= fuzz_query_name(&ctx, fuzz_query_names[i]);
    }

    athena_check_init(&chk, ctx.a, NULL, "query");
    fuzz_check(athena_query_single(&ctx, &chk, fuzz_query_names) == 0);
    fuzz_check((chk.message != NULL) == twice);

    free((char *) req.args);
    athena_arena_destroy(ctx.a);

    return 0;
}
