/* Throttling of login failures, per account name and per client address,
 * and of every login per client address.
 * A small in-memory table, safe to use from every server thread. */
#ifndef BF_AUTH_THROTTLE_H
#define BF_AUTH_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct throttle throttle;

typedef struct throttle_options {
    unsigned per_account; /* failures of one account name allowed within window (e.g. 5) */
    unsigned per_address; /* failures from one client address within window (e.g. 20) */
    unsigned window_s;    /* the window and the lock-out, in seconds (e.g. 900) */
    unsigned capacity;    /* entries kept at most; the oldest is forgotten first */
} throttle_options;

/* Creates a table; NULL when out of memory. Free with throttle_free. */
throttle *throttle_new(const throttle_options *opt);

/* Frees the table. */
void throttle_free(throttle *t);

/* May a login of account from address be tried at time now (seconds)? When
 * not, *retry_after gets the seconds until it may. Either key may be NULL. */
bool throttle_allows(throttle *t, const char *account, const char *address, int64_t now,
                     unsigned *retry_after);

/* Records a failed login. */
void throttle_fail(throttle *t, const char *account, const char *address, int64_t now);

/* Forgets the account's failures after a successful login (the address's
 * count stays: a guesser who knows one password should not reset it). */
void throttle_succeed(throttle *t, const char *account, int64_t now);

/* Limits every login from one address, right or wrong, to logins within
 * window_s seconds (0: no limit); past it the address waits window_s. */
void throttle_set_address_rate(throttle *t, unsigned logins, unsigned window_s);

/* Counts one login attempt from address (after throttle_allows said yes). */
void throttle_attempt(throttle *t, const char *address, int64_t now);

#endif
