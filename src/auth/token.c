/* Random tokens, their stored digests and the CSRF tokens derived from
 * session tokens, all with libsodium. */
#include "auth/token.h"

#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "core/result.h"

/* Random bytes in a token, and the length of their base64url text. */
#define TOKEN_SECRET_BYTES 32
#define TOKEN_BODY_CHARS 43
/* The message hashed with the session token as key to make a CSRF token. */
#define CSRF_MESSAGE "bingfa-csrf"
#define DIGEST_BYTES 32

_Static_assert(sodium_base64_ENCODED_LEN(TOKEN_SECRET_BYTES,
                                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) ==
                   TOKEN_BODY_CHARS + 1,
               "32 bytes are 43 base64url characters");
_Static_assert(TOKEN_HASH_HEX == 2 * DIGEST_BYTES + 1, "hex digest size");
_Static_assert(DIGEST_BYTES >= crypto_generichash_KEYBYTES_MIN &&
                   DIGEST_BYTES <= crypto_generichash_KEYBYTES_MAX,
               "a digest is a valid generichash key");

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void)
{
    BF_ASSERT(sodium_init() >= 0);
}

static void init(void)
{
    BF_ASSERT(pthread_once(&once, init_once) == 0);
}

void token_generate(const char *prefix, char out[TOKEN_TEXT_MAX])
{
    init();
    size_t plen = strlen(prefix);
    BF_ASSERT(plen + TOKEN_BODY_CHARS + 1 <= TOKEN_TEXT_MAX);
    unsigned char secret[TOKEN_SECRET_BYTES];
    randombytes_buf(secret, sizeof(secret));
    memcpy(out, prefix, plen);
    sodium_bin2base64(out + plen, TOKEN_TEXT_MAX - plen, secret, sizeof(secret),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(secret, sizeof(secret));
}

static void digest(const char *token, unsigned char out[DIGEST_BYTES])
{
    crypto_generichash(out, DIGEST_BYTES, (const unsigned char *)token, strlen(token), NULL, 0);
}

void token_hash(const char *token, char out[TOKEN_HASH_HEX])
{
    init();
    unsigned char d[DIGEST_BYTES];
    digest(token, d);
    sodium_bin2hex(out, TOKEN_HASH_HEX, d, sizeof(d));
}

void token_csrf_of(const char *session_token, char out[TOKEN_HASH_HEX])
{
    init();
    /* Keys of generichash are 16..64 bytes: use the token's digest as key. */
    unsigned char key[DIGEST_BYTES];
    digest(session_token, key);
    unsigned char mac[DIGEST_BYTES];
    crypto_generichash(mac, sizeof(mac), (const unsigned char *)CSRF_MESSAGE,
                       sizeof(CSRF_MESSAGE) - 1, key, sizeof(key));
    sodium_memzero(key, sizeof(key));
    sodium_bin2hex(out, TOKEN_HASH_HEX, mac, sizeof(mac));
}

bool token_equal(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return false;
    size_t n = strlen(a);
    if (n != strlen(b))
        return false;
    init();
    return sodium_memcmp(a, b, n) == 0;
}

static bool base64url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

bool token_well_formed(const char *s, const char *prefix)
{
    if (s == NULL || prefix == NULL)
        return false;
    size_t plen = strlen(prefix);
    if (strncmp(s, prefix, plen) != 0)
        return false;
    const char *body = s + plen;
    for (size_t i = 0; i < TOKEN_BODY_CHARS; i++)
        if (!base64url_char(body[i]))
            return false; /* also stops at the terminator of a short string */
    return body[TOKEN_BODY_CHARS] == '\0';
}
