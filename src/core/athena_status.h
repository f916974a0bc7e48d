/*
 * The REST admin surface's error codes (seed 003): the code and a default
 * message of each HTTP status its answers use, for the API's envelope and
 * for the answers nginx makes before a task runs.
 */

#ifndef ATHENA_STATUS_H
#define ATHENA_STATUS_H


const char *athena_status_code(int status);
const char *athena_status_message(int status);


#endif /* ATHENA_STATUS_H */
