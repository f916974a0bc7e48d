/*
 * Redis's protocol (RESP) for commands, written by hand: one writer for
 * the pool threads' batches and the event loop's queue alike. hiredis's
 * formatter prints every length with sprintf and allocates every command.
 */

#ifndef ATHENA_RESP_H
#define ATHENA_RESP_H

#include <stddef.h>


size_t athena_resp_size(int argc, const size_t *lens);
size_t athena_resp_put(char *out, int argc, const char *const *argv,
    const size_t *lens);


#endif /* ATHENA_RESP_H */
