/* Password hashing with libsodium's argon2id, limited to a few concurrent
 * hashes by a counting semaphore (mutex + condition variable). */
#include "auth/password.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/text.h"

_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES,
               "PASSWORD_HASH_MAX must match crypto_pwhash_STRBYTES");

/* How long a caller waits for a free slot before giving up. */
#define SLOT_WAIT_S 5

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t freed; /* initialised in init_once, on CLOCK_MONOTONIC */
static password_cost cost = PASSWORD_COST_INTERACTIVE;
static unsigned slots = 2;
static unsigned busy;
static void (*observer)(unsigned busy); /* see password_observe_slots */

/* The dummy hash of password_verify_dummy, remade when the cost changes. */
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy_hash[PASSWORD_HASH_MAX];
static bool dummy_ready;
static password_cost dummy_cost;

static void init_once(void)
{
    BF_ASSERT(sodium_init() >= 0);
    pthread_condattr_t attr;
    BF_ASSERT(pthread_condattr_init(&attr) == 0);
    BF_ASSERT(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0);
    BF_ASSERT(pthread_cond_init(&freed, &attr) == 0);
    pthread_condattr_destroy(&attr);
}

static void init(void)
{
    BF_ASSERT(pthread_once(&once, init_once) == 0);
}

static void limits_of(password_cost c, unsigned long long *ops, size_t *mem)
{
    switch (c) {
    case PASSWORD_COST_MODERATE:
        *ops = crypto_pwhash_OPSLIMIT_MODERATE;
        *mem = crypto_pwhash_MEMLIMIT_MODERATE;
        return;
    case PASSWORD_COST_MIN:
        *ops = crypto_pwhash_OPSLIMIT_MIN;
        *mem = crypto_pwhash_MEMLIMIT_MIN;
        return;
    case PASSWORD_COST_INTERACTIVE:
    default:
        *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
        *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
        return;
    }
}

/* Takes a slot, waiting up to SLOT_WAIT_S seconds. On success *c is the
 * configured cost at the time the slot was taken. */
static bf_result slot_acquire(password_cost *c, bf_error *err)
{
    init();
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += SLOT_WAIT_S;

    pthread_mutex_lock(&lock);
    while (busy >= slots) {
        int rc = pthread_cond_timedwait(&freed, &lock, &deadline);
        if (rc == ETIMEDOUT && busy >= slots) {
            pthread_mutex_unlock(&lock);
            return bf_fail(err, BF_ERR_BUSY, "busy", NULL,
                           "the server is busy checking passwords; try again in a moment");
        }
    }
    busy++;
    *c = cost;
    unsigned now_busy = busy;
    void (*fn)(unsigned) = observer;
    pthread_mutex_unlock(&lock);
    if (fn != NULL)
        fn(now_busy); /* while this slot is held */
    return BF_OK;
}

void password_observe_slots(void (*fn)(unsigned busy))
{
    init();
    pthread_mutex_lock(&lock);
    observer = fn;
    pthread_mutex_unlock(&lock);
}

static void slot_release(void)
{
    pthread_mutex_lock(&lock);
    BF_ASSERT(busy > 0);
    busy--;
    pthread_cond_signal(&freed);
    pthread_mutex_unlock(&lock);
}

void password_configure(password_cost c, unsigned n)
{
    init();
    pthread_mutex_lock(&lock);
    cost = c;
    slots = n >= 1 ? n : 1;
    /* More slots may now be free: wake every waiter to re-check. */
    pthread_cond_broadcast(&freed);
    pthread_mutex_unlock(&lock);
}

bool password_cost_parse(const char *name, password_cost *out)
{
    if (name == NULL)
        return false;
    if (strcmp(name, "interactive") == 0)
        *out = PASSWORD_COST_INTERACTIVE;
    else if (strcmp(name, "moderate") == 0)
        *out = PASSWORD_COST_MODERATE;
    else if (strcmp(name, "min") == 0)
        *out = PASSWORD_COST_MIN;
    else
        return false;
    return true;
}

bf_result password_hash(const char *password, char *out, size_t cap, bf_error *err)
{
    if (password == NULL || out == NULL || cap < PASSWORD_HASH_MAX)
        return bf_fail(err, BF_ERR_INTERNAL, NULL, NULL, "password_hash: bad arguments");

    password_cost c;
    bf_result r = slot_acquire(&c, err);
    if (r != BF_OK)
        return r;

    unsigned long long ops;
    size_t mem;
    limits_of(c, &ops, &mem);
    char buf[crypto_pwhash_STRBYTES];
    int rc = crypto_pwhash_str(buf, password, strlen(password), ops, mem);
    slot_release();

    if (rc != 0) {
        sodium_memzero(buf, sizeof(buf));
        return bf_fail(err, BF_ERR_NOMEM, NULL, NULL, "not enough memory to hash the password");
    }
    size_t n = strnlen(buf, sizeof(buf) - 1);
    memcpy(out, buf, n);
    out[n] = '\0';
    return BF_OK;
}

bf_result password_verify(const char *hash, const char *password, bool *ok, bool *needs_rehash,
                          bf_error *err)
{
    if (hash == NULL || password == NULL || ok == NULL)
        return bf_fail(err, BF_ERR_INTERNAL, NULL, NULL, "password_verify: bad arguments");
    *ok = false;
    if (needs_rehash != NULL)
        *needs_rehash = false;

    /* libsodium reads the hash as a NUL-terminated string of bounded size. */
    char stored[crypto_pwhash_STRBYTES];
    size_t n = strnlen(hash, sizeof(stored));
    if (n >= sizeof(stored))
        return BF_OK; /* not a hash we made: never matches */
    memcpy(stored, hash, n + 1);

    password_cost c;
    bf_result r = slot_acquire(&c, err);
    if (r != BF_OK)
        return r;
    int rc = crypto_pwhash_str_verify(stored, password, strlen(password));
    slot_release();

    *ok = rc == 0;
    if (*ok && needs_rehash != NULL) {
        unsigned long long ops;
        size_t mem;
        limits_of(c, &ops, &mem);
        *needs_rehash = crypto_pwhash_str_needs_rehash(stored, ops, mem) != 0;
    }
    return BF_OK;
}

void password_verify_dummy(const char *password)
{
    init();
    pthread_mutex_lock(&lock);
    password_cost c = cost;
    pthread_mutex_unlock(&lock);

    char local[PASSWORD_HASH_MAX];
    pthread_mutex_lock(&dummy_lock);
    if (!dummy_ready || dummy_cost != c) {
        /* A random password nobody knows, hashed with the current cost. */
        unsigned char secret[16];
        char secret_hex[2 * sizeof(secret) + 1];
        randombytes_buf(secret, sizeof(secret));
        sodium_bin2hex(secret_hex, sizeof(secret_hex), secret, sizeof(secret));
        dummy_ready = password_hash(secret_hex, dummy_hash, sizeof(dummy_hash), NULL) == BF_OK;
        dummy_cost = c;
        sodium_memzero(secret_hex, sizeof(secret_hex));
    }
    bool ready = dummy_ready;
    memcpy(local, dummy_hash, sizeof(local));
    pthread_mutex_unlock(&dummy_lock);

    if (!ready || password == NULL)
        return;
    bool ok;
    (void)password_verify(local, password, &ok, NULL, NULL);
}

bf_result password_check_policy(const char *password, const char *field, bf_error *err)
{
    size_t n = password == NULL ? 0 : strnlen(password, PASSWORD_MAX_BYTES + 1);
    if (n < PASSWORD_MIN_BYTES)
        return bf_fail_args(err, BF_ERR_INVALID, "too_short", field,
                            BF_ARGS(BF_NUM("min", PASSWORD_MIN_BYTES)),
                            "the password must have at least %d characters", PASSWORD_MIN_BYTES);
    if (n > PASSWORD_MAX_BYTES)
        return bf_fail_args(err, BF_ERR_INVALID, "too_long", field,
                            BF_ARGS(BF_NUM("max_bytes", PASSWORD_MAX_BYTES)),
                            "the password must have at most %d bytes", PASSWORD_MAX_BYTES);
    if (!text_utf8_valid(password, n, NULL))
        return bf_fail(err, BF_ERR_INVALID, "invalid_utf8", field,
                       "the password must be valid UTF-8 text");
    return BF_OK;
}

unsigned password_busy_slots(void)
{
    pthread_mutex_lock(&lock);
    unsigned n = busy;
    pthread_mutex_unlock(&lock);
    return n;
}
