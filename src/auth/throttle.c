/* Login throttling: a fixed table of failure counters keyed by account name
 * or client address, behind one mutex. A key whose failures reach its limit
 * within the window is locked for window seconds. */
#include "auth/throttle.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/result.h"

/* Keys longer than this are stored as a prefix plus the hex digest of the
 * whole key, so they stay distinct without unbounded storage. */
#define KEY_MAX 200
#define KEY_DIGEST_BYTES 32
#define KEY_PREFIX (KEY_MAX - 1 - 2 * KEY_DIGEST_BYTES)

typedef enum key_kind {
    KIND_ACCOUNT, /* failures of one account name */
    KIND_ADDRESS, /* failures from one address */
    KIND_RATE,    /* every login from one address, in the shorter rate window */
} key_kind;

typedef struct entry {
    bool used;
    key_kind kind;
    char key[KEY_MAX + 1];
    unsigned failures;        /* counted since first_failure_at */
    int64_t first_failure_at; /* start of the current window */
    int64_t locked_until;     /* 0 when not locked */
    int64_t last_seen;        /* last failure: the oldest is evicted first */
} entry;

struct throttle {
    pthread_mutex_t lock;
    throttle_options opt;
    unsigned address_rate;  /* logins from one address per rate_window_s (0: off) */
    unsigned rate_window_s; /* the window of address_rate and its lock-out */
    entry *entries;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void)
{
    BF_ASSERT(sodium_init() >= 0);
}

/* Writes the stored form of key into out (KEY_MAX + 1 bytes). */
static void key_form(const char *key, char out[KEY_MAX + 1])
{
    size_t n = strlen(key);
    if (n <= KEY_MAX) {
        memcpy(out, key, n + 1);
        return;
    }
    BF_ASSERT(pthread_once(&once, init_once) == 0);
    unsigned char d[KEY_DIGEST_BYTES];
    crypto_generichash(d, sizeof(d), (const unsigned char *)key, n, NULL, 0);
    memcpy(out, key, KEY_PREFIX);
    out[KEY_PREFIX] = '#';
    sodium_bin2hex(out + KEY_PREFIX + 1, 2 * KEY_DIGEST_BYTES + 1, d, sizeof(d));
}

static unsigned limit_of(const throttle *t, key_kind kind)
{
    return kind == KIND_ACCOUNT   ? t->opt.per_account
           : kind == KIND_ADDRESS ? t->opt.per_address
                                  : t->address_rate;
}

static int64_t window_of(const throttle *t, key_kind kind)
{
    return kind == KIND_RATE ? (int64_t)t->rate_window_s : (int64_t)t->opt.window_s;
}

static bool present(const char *key)
{
    return key != NULL && key[0] != '\0';
}

/* True when the entry no longer matters at time now: not locked and its
 * window is over. */
static bool stale(const throttle *t, const entry *e, int64_t now)
{
    return e->locked_until <= now && now - e->first_failure_at >= window_of(t, e->kind);
}

static entry *find(throttle *t, key_kind kind, const char *stored)
{
    for (unsigned i = 0; i < t->opt.capacity; i++) {
        entry *e = &t->entries[i];
        if (e->used && e->kind == kind && strcmp(e->key, stored) == 0)
            return e;
    }
    return NULL;
}

/* A slot for a new entry: a free one, else a stale one, else the unlocked
 * one with the oldest activity, else the oldest of all. */
static entry *slot_for_new(throttle *t, int64_t now)
{
    entry *oldest_unlocked = NULL;
    entry *oldest = NULL;
    for (unsigned i = 0; i < t->opt.capacity; i++) {
        entry *e = &t->entries[i];
        if (!e->used || stale(t, e, now))
            return e;
        if (oldest == NULL || e->last_seen < oldest->last_seen)
            oldest = e;
        if (e->locked_until <= now &&
            (oldest_unlocked == NULL || e->last_seen < oldest_unlocked->last_seen))
            oldest_unlocked = e;
    }
    return oldest_unlocked != NULL ? oldest_unlocked : oldest;
}

throttle *throttle_new(const throttle_options *opt)
{
    throttle *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->opt = *opt;
    if (t->opt.capacity == 0)
        t->opt.capacity = 1;
    t->entries = calloc(t->opt.capacity, sizeof(entry));
    if (t->entries == NULL) {
        free(t);
        return NULL;
    }
    if (pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t->entries);
        free(t);
        return NULL;
    }
    return t;
}

void throttle_free(throttle *t)
{
    if (t == NULL)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t->entries);
    free(t);
}

/* Seconds key stays locked at now (0 when it is not). Caller holds the lock. */
static int64_t locked_for(throttle *t, key_kind kind, const char *key, int64_t now)
{
    if (!present(key))
        return 0;
    char stored[KEY_MAX + 1];
    key_form(key, stored);
    const entry *e = find(t, kind, stored);
    if (e == NULL || e->locked_until <= now)
        return 0;
    return e->locked_until - now;
}

bool throttle_allows(throttle *t, const char *account, const char *address, int64_t now,
                     unsigned *retry_after)
{
    pthread_mutex_lock(&t->lock);
    int64_t a = locked_for(t, KIND_ACCOUNT, account, now);
    int64_t b = locked_for(t, KIND_ADDRESS, address, now);
    int64_t c = locked_for(t, KIND_RATE, address, now);
    pthread_mutex_unlock(&t->lock);

    int64_t wait = a > b ? a : b;
    if (c > wait)
        wait = c;
    if (retry_after != NULL)
        *retry_after = wait <= 0 ? 0 : wait > UINT_MAX ? UINT_MAX : (unsigned)wait;
    return wait <= 0;
}

/* Counts one failure of key. Caller holds the lock. */
static void fail_one(throttle *t, key_kind kind, const char *key, int64_t now)
{
    unsigned limit = limit_of(t, kind);
    if (!present(key) || limit == 0)
        return; /* a limit of 0 turns this kind of key off */
    char stored[KEY_MAX + 1];
    key_form(key, stored);
    entry *e = find(t, kind, stored);
    if (e == NULL) {
        e = slot_for_new(t, now);
        BF_ASSERT(e != NULL); /* capacity >= 1 */
        memset(e, 0, sizeof(*e));
        e->used = true;
        e->kind = kind;
        memcpy(e->key, stored, sizeof(stored));
    }
    e->last_seen = now;
    if (e->locked_until > now)
        return; /* already locked: the lock-out is not extended */
    if (e->failures == 0 || now - e->first_failure_at >= window_of(t, kind)) {
        e->failures = 0; /* the window is over: count afresh */
        e->first_failure_at = now;
        e->locked_until = 0;
    }
    if (e->failures < UINT_MAX)
        e->failures++;
    if (e->failures >= limit)
        e->locked_until = now + window_of(t, kind);
}

void throttle_fail(throttle *t, const char *account, const char *address, int64_t now)
{
    pthread_mutex_lock(&t->lock);
    fail_one(t, KIND_ACCOUNT, account, now);
    fail_one(t, KIND_ADDRESS, address, now);
    pthread_mutex_unlock(&t->lock);
}

void throttle_succeed(throttle *t, const char *account, int64_t now)
{
    if (!present(account))
        return;
    char stored[KEY_MAX + 1];
    key_form(account, stored);
    pthread_mutex_lock(&t->lock);
    entry *e = find(t, KIND_ACCOUNT, stored);
    if (e != NULL)
        memset(e, 0, sizeof(*e));
    pthread_mutex_unlock(&t->lock);
}

void throttle_set_address_rate(throttle *t, unsigned logins, unsigned window_s)
{
    pthread_mutex_lock(&t->lock);
    t->address_rate = logins;
    t->rate_window_s = window_s ? window_s : 60;
    pthread_mutex_unlock(&t->lock);
}

void throttle_attempt(throttle *t, const char *address, int64_t now)
{
    pthread_mutex_lock(&t->lock);
    fail_one(t, KIND_RATE, address, now);
    pthread_mutex_unlock(&t->lock);
}
