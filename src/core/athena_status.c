#include <stddef.h>

#include "athena_status.h"


typedef struct {
    int          status;
    const char  *code;
    const char  *message;
} athena_status_t;


/* the seed's codes, and the statuses it has none for named alike */
static const athena_status_t  athena_statuses[] = {
    { 400, "BAD_REQUEST", "Invalid request" },
    { 401, "UNAUTHORIZED", "Authentication required" },
    { 403, "FORBIDDEN", "Admin access required" },
    { 404, "NOT_FOUND", "Resource not found" },
    { 405, "METHOD_NOT_ALLOWED", "Method not allowed" },
    { 409, "CONFLICT", "Resource already exists" },
    { 413, "PAYLOAD_TOO_LARGE", "Request body too large" },
    { 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json" },
    { 429, "RATE_LIMITED", "Too many requests" },
    { 500, "INTERNAL_ERROR", "Internal server error" },
    { 503, "SERVICE_UNAVAILABLE", "Service unavailable" },
    { 0, NULL, NULL }
};


static const athena_status_t *
athena_status_find(int status)
{
    const athena_status_t  *s;

    for (s = athena_statuses; s->code; s++) {
        if (s->status == status) {
            return s;
        }
    }

    /* any other client error is a bad request, anything else the server's */
    return athena_status_find(status >= 400 && status < 500 ? 400 : 500);
}


const char *
athena_status_code(int status)
{
    return athena_status_find(status)->code;
}


const char *
athena_status_message(int status)
{
    return athena_status_find(status)->message;
}
