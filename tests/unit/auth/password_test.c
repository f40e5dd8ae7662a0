/* Unit tests of src/auth/password.c: hashing, verification, rehash
 * detection, the password policy and the limit on concurrent hashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <pthread.h>
#include <time.h>

#include <cmocka.h>

#include "auth/password.h"

static void hash_then_verify(void **state)
{
    (void)state;
    password_configure(PASSWORD_COST_MIN, 2);
    const char *pw = "correct horse battery";
    char hash[PASSWORD_HASH_MAX];
    bf_error err = {0};
    assert_int_equal(password_hash(pw, hash, sizeof(hash), &err), BF_OK);
    assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
    assert_null(strstr(hash, pw));
    assert_null(strstr(hash, "horse"));

    bool ok = false, rehash = true;
    assert_int_equal(password_verify(hash, pw, &ok, &rehash, &err), BF_OK);
    assert_true(ok);
    assert_false(rehash);

    ok = true;
    assert_int_equal(password_verify(hash, "correct horse battery!", &ok, &rehash, &err), BF_OK);
    assert_false(ok);
    assert_int_equal(password_verify(hash, "", &ok, &rehash, &err), BF_OK);
    assert_false(ok);

    /* Two hashes of one password differ (random salt) and both verify. */
    char again[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash(pw, again, sizeof(again), &err), BF_OK);
    assert_string_not_equal(hash, again);
    assert_int_equal(password_verify(again, pw, &ok, NULL, &err), BF_OK);
    assert_true(ok);

    /* Garbage instead of a hash never matches. */
    assert_int_equal(password_verify("not a hash", pw, &ok, &rehash, &err), BF_OK);
    assert_false(ok);
    assert_false(rehash);
}

static void utf8_passwords_round_trip(void **state)
{
    (void)state;
    password_configure(PASSWORD_COST_MIN, 2);
    const char *pw = "销售漏斗密码很长";
    char hash[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash(pw, hash, sizeof(hash), NULL), BF_OK);
    bool ok = false;
    assert_int_equal(password_verify(hash, pw, &ok, NULL, NULL), BF_OK);
    assert_true(ok);
    assert_int_equal(password_verify(hash, "销售漏斗密码很短", &ok, NULL, NULL), BF_OK);
    assert_false(ok);
}

static void min_hash_needs_rehash_under_interactive(void **state)
{
    (void)state;
    password_configure(PASSWORD_COST_MIN, 2);
    const char *pw = "rehash-me-please";
    char hash[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash(pw, hash, sizeof(hash), NULL), BF_OK);

    bool ok = false, rehash = false;
    password_configure(PASSWORD_COST_INTERACTIVE, 2);
    assert_int_equal(password_verify(hash, pw, &ok, &rehash, NULL), BF_OK);
    assert_true(ok);
    assert_true(rehash);

    /* A wrong password never asks for a rehash. */
    assert_int_equal(password_verify(hash, "wrong-password", &ok, &rehash, NULL), BF_OK);
    assert_false(ok);
    assert_false(rehash);

    password_configure(PASSWORD_COST_MIN, 2);
    assert_int_equal(password_verify(hash, pw, &ok, &rehash, NULL), BF_OK);
    assert_true(ok);
    assert_false(rehash);
}

static void short_output_buffer_is_refused(void **state)
{
    (void)state;
    password_configure(PASSWORD_COST_MIN, 2);
    char small[PASSWORD_HASH_MAX - 1];
    bf_error err = {0};
    assert_int_not_equal(password_hash("long enough", small, sizeof(small), &err), BF_OK);
}

static void cost_names_parse(void **state)
{
    (void)state;
    password_cost c = PASSWORD_COST_MIN;
    assert_true(password_cost_parse("interactive", &c));
    assert_int_equal(c, PASSWORD_COST_INTERACTIVE);
    assert_true(password_cost_parse("moderate", &c));
    assert_int_equal(c, PASSWORD_COST_MODERATE);
    assert_true(password_cost_parse("min", &c));
    assert_int_equal(c, PASSWORD_COST_MIN);
    assert_false(password_cost_parse("Interactive", &c));
    assert_false(password_cost_parse("", &c));
    assert_false(password_cost_parse("max", &c));
}

static void policy_names_the_field(void **state)
{
    (void)state;
    bf_error err = {0};
    assert_int_equal(password_check_policy("12345678", "password", &err), BF_OK);
    assert_int_equal(password_check_policy("密码密码密码", "password", &err), BF_OK);

    assert_int_equal(password_check_policy("1234567", "new_password", &err), BF_ERR_INVALID);
    assert_string_equal(err.code, "too_short");
    assert_string_equal(err.field, "new_password");
    assert_non_null(strstr(err.message, "8"));

    assert_int_equal(password_check_policy("", "password", &err), BF_ERR_INVALID);
    assert_string_equal(err.code, "too_short");

    char longest[PASSWORD_MAX_BYTES + 2];
    memset(longest, 'a', PASSWORD_MAX_BYTES);
    longest[PASSWORD_MAX_BYTES] = '\0';
    assert_int_equal(password_check_policy(longest, "password", &err), BF_OK);
    longest[PASSWORD_MAX_BYTES] = 'a';
    longest[PASSWORD_MAX_BYTES + 1] = '\0';
    memset(&err, 0, sizeof(err));
    assert_int_equal(password_check_policy(longest, "pw", &err), BF_ERR_INVALID);
    assert_string_equal(err.code, "too_long");
    assert_string_equal(err.field, "pw");

    memset(&err, 0, sizeof(err));
    assert_int_equal(password_check_policy("abcdefg\xff", "password", &err), BF_ERR_INVALID);
    assert_string_equal(err.code, "invalid_utf8");
    assert_string_equal(err.field, "password");
}

static void dummy_verification_runs(void **state)
{
    (void)state;
    password_configure(PASSWORD_COST_MIN, 2);
    password_verify_dummy("whatever-password");
    password_verify_dummy("another-password");
    assert_int_equal(password_busy_slots(), 0);
}

/* Shared by the workers of the slot tests. The library tells, from inside
 * every slot, how many are busy (password_observe_slots): nothing is
 * sampled, so nothing is missed. */
static atomic_uint max_busy;
static atomic_uint failures;
static unsigned configured_slots;
static _Thread_local bool waited;

static void note_busy(unsigned now)
{
    unsigned seen = atomic_load(&max_busy);
    while (now > seen && !atomic_compare_exchange_weak(&max_busy, &seen, now)) {
    }
}

/* Called in a slot. A worker's first hash holds its slot until one more than
 * the limit is busy, or 300 ms pass: were the limit not kept, the other
 * workers would come in meanwhile and be counted, whatever the scheduler. */
static void in_slot(unsigned busy)
{
    note_busy(busy);
    if (waited)
        return;
    waited = true;
    struct timespec start, now, nap = {0, 1000000L};
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        nanosleep(&nap, NULL);
        note_busy(password_busy_slots());
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (password_busy_slots() <= configured_slots &&
             (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < 300);
}

static void *hash_worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++) {
        char hash[PASSWORD_HASH_MAX];
        bool ok = false;
        if (password_hash("worker-password", hash, sizeof(hash), NULL) != BF_OK ||
            password_verify(hash, "worker-password", &ok, NULL, NULL) != BF_OK || !ok)
            atomic_fetch_add(&failures, 1);
    }
    return NULL;
}

static unsigned run_workers(unsigned slots)
{
    enum { WORKERS = 6 };
    password_configure(PASSWORD_COST_MIN, slots);
    configured_slots = slots;
    atomic_store(&max_busy, 0);
    atomic_store(&failures, 0);
    password_observe_slots(in_slot);

    pthread_t workers[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        assert_int_equal(pthread_create(&workers[i], NULL, hash_worker, NULL), 0);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(workers[i], NULL);
    password_observe_slots(NULL);

    assert_int_equal(atomic_load(&failures), 0);
    assert_int_equal(password_busy_slots(), 0);
    return atomic_load(&max_busy);
}

static void one_slot_means_one_hash_at_a_time(void **state)
{
    (void)state;
    assert_int_equal(run_workers(1), 1);
}

static void two_slots_are_never_exceeded(void **state)
{
    (void)state;
    /* Six workers each wait in their first slot for a third to come in: with
     * two slots the most seen is two, and two is reached. */
    assert_int_equal(run_workers(2), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash_then_verify),
        cmocka_unit_test(utf8_passwords_round_trip),
        cmocka_unit_test(min_hash_needs_rehash_under_interactive),
        cmocka_unit_test(short_output_buffer_is_refused),
        cmocka_unit_test(cost_names_parse),
        cmocka_unit_test(policy_names_the_field),
        cmocka_unit_test(dummy_verification_runs),
        cmocka_unit_test(one_slot_means_one_hash_at_a_time),
        cmocka_unit_test(two_slots_are_never_exceeded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
