/*
 * Whether Redis may be asked, one answer for the whole worker process:
 * the pool threads' connections and the event loop's share it. After one
 * failure anywhere (a timeout, a refused connection, an error reply) no
 * one asks Redis until the retry window ends, so a stopped or paused
 * Redis costs one timeout per window and process, not one per connection.
 */

#ifndef ATHENA_REDIS_HEALTH_H
#define ATHENA_REDIS_HEALTH_H


int athena_redis_may_ask(int retry_ms);
void athena_redis_failed(int retry_ms);
void athena_redis_answered(void);


#endif /* ATHENA_REDIS_HEALTH_H */
