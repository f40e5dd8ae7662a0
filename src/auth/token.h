/* Secrets handed to clients: API tokens and session ids. Only their hashes
 * are stored; comparisons are constant-time. */
#ifndef BF_AUTH_TOKEN_H
#define BF_AUTH_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

/* A token as given to a client: prefix + 43 base64url characters + NUL. */
#define TOKEN_TEXT_MAX 64
/* The hex digest of a token (64 hex digits + NUL). */
#define TOKEN_HASH_HEX 65

/* Makes a new random secret (32 bytes from libsodium) as text:
 * prefix followed by its URL-safe base64 without padding, e.g. "bft_…"
 * for API tokens, "bfs_…" for sessions. out needs TOKEN_TEXT_MAX bytes. */
void token_generate(const char *prefix, char out[TOKEN_TEXT_MAX]);

/* The hex BLAKE2b-256 digest of a token (what the database keeps). */
void token_hash(const char *token, char out[TOKEN_HASH_HEX]);

/* The CSRF token that belongs to a session token: a keyed hash of it, so the
 * server keeps nothing more. out needs TOKEN_HASH_HEX bytes. */
void token_csrf_of(const char *session_token, char out[TOKEN_HASH_HEX]);

/* Constant-time equality of two NUL-terminated strings (false when lengths differ). */
bool token_equal(const char *a, const char *b);

/* True when s looks like a token of that prefix (prefix + 43 base64url characters). */
bool token_well_formed(const char *s, const char *prefix);

#endif
