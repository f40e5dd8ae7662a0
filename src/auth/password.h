/* Passwords: argon2id hashes (libsodium's crypto_pwhash_str) computed in a
 * bounded number of slots, because each hash takes tens of MiB of memory. */
#ifndef BF_AUTH_PASSWORD_H
#define BF_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/result.h"

/* Length of a stored hash string, terminator included (crypto_pwhash_STRBYTES). */
#define PASSWORD_HASH_MAX 128

/* Shortest and longest password accepted, in bytes. */
#define PASSWORD_MIN_BYTES 8
#define PASSWORD_MAX_BYTES 256

/* The cost of new hashes. */
typedef enum password_cost {
    PASSWORD_COST_INTERACTIVE = 0, /* libsodium's interactive limits (default) */
    PASSWORD_COST_MODERATE,        /* libsodium's moderate limits */
    PASSWORD_COST_MIN,             /* the minimum limits: only for tests of rehashing */
} password_cost;

/* Sets the process-wide cost of new hashes and the number of hashes that may
 * be computed at once (slots >= 1). Call before any other thread hashes. */
void password_configure(password_cost cost, unsigned slots);

/* Parses "interactive", "moderate" or "min"; false when it is none of them. */
bool password_cost_parse(const char *name, password_cost *out);

/* Hashes password into out (cap >= PASSWORD_HASH_MAX) with the configured
 * cost. Waits for a free slot; BF_ERR_BUSY when none frees within a few
 * seconds, BF_ERR_NOMEM when libsodium cannot get the memory. */
bf_result password_hash(const char *password, char *out, size_t cap, bf_error *err);

/* Checks password against a stored hash in a slot (waits as password_hash).
 * *ok is the answer; *needs_rehash is true when the hash was made with other
 * limits than the configured ones (so the caller stores a new one). */
bf_result password_verify(const char *hash, const char *password, bool *ok, bool *needs_rehash,
                          bf_error *err);

/* Burns the time of one verification without a stored hash, so that an
 * unknown account name takes as long to refuse as a wrong password. */
void password_verify_dummy(const char *password);

/* BF_OK when password is acceptable (length within the bounds, valid
 * UTF-8); otherwise BF_ERR_INVALID naming field. */
bf_result password_check_policy(const char *password, const char *field, bf_error *err);

/* How many hashes are being computed right now (for tests and metrics). */
unsigned password_busy_slots(void);

/* For tests of the slot limit: fn (NULL: none) is called by every hash and
 * verification once it holds its slot, before it works, with the number of
 * slots then busy. */
void password_observe_slots(void (*fn)(unsigned busy));

#endif
