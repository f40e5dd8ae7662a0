/* Unit tests of src/auth/throttle.c: lock-outs per account and per address,
 * their expiry, success and eviction from a full table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/throttle.h"

static const throttle_options defaults = {
    .per_account = 5, .per_address = 20, .window_s = 900, .capacity = 64};

#define T0 1700000000

static void five_failures_lock_the_account(void **state)
{
    (void)state;
    throttle *t = throttle_new(&defaults);
    assert_non_null(t);
    unsigned retry = 99;
    for (int i = 0; i < 4; i++) {
        assert_true(throttle_allows(t, "alice", "10.0.0.1", T0 + i, &retry));
        throttle_fail(t, "alice", "10.0.0.1", T0 + i);
    }
    assert_true(throttle_allows(t, "alice", "10.0.0.1", T0 + 4, &retry));
    throttle_fail(t, "alice", "10.0.0.1", T0 + 4);

    assert_false(throttle_allows(t, "alice", "10.0.0.1", T0 + 4, &retry));
    assert_int_equal(retry, 900);
    assert_false(throttle_allows(t, "alice", "10.0.0.2", T0 + 100, &retry));
    assert_int_equal(retry, 804);
    assert_false(throttle_allows(t, "alice", NULL, T0 + 903, &retry));
    assert_int_equal(retry, 1);

    /* Other accounts and the lone address are not locked. */
    assert_true(throttle_allows(t, "bob", "10.0.0.1", T0 + 5, &retry));
    assert_true(throttle_allows(t, NULL, "10.0.0.1", T0 + 5, &retry));

    /* The lock ends after the window, and counting starts afresh. */
    assert_true(throttle_allows(t, "alice", "10.0.0.1", T0 + 904, &retry));
    throttle_fail(t, "alice", "10.0.0.1", T0 + 904);
    assert_true(throttle_allows(t, "alice", "10.0.0.1", T0 + 905, &retry));
    throttle_free(t);
}

static void old_failures_stop_counting(void **state)
{
    (void)state;
    throttle *t = throttle_new(&defaults);
    unsigned retry = 0;
    for (int i = 0; i < 4; i++)
        throttle_fail(t, "carol", NULL, T0 + i);
    /* The window of the first failure is over: this one starts a new count. */
    throttle_fail(t, "carol", NULL, T0 + 1000);
    assert_true(throttle_allows(t, "carol", NULL, T0 + 1000, &retry));
    for (int i = 1; i < 4; i++)
        throttle_fail(t, "carol", NULL, T0 + 1000 + i);
    assert_true(throttle_allows(t, "carol", NULL, T0 + 1004, &retry));
    throttle_fail(t, "carol", NULL, T0 + 1004);
    assert_false(throttle_allows(t, "carol", NULL, T0 + 1004, &retry));
    throttle_free(t);
}

static void address_limit_spans_account_names(void **state)
{
    (void)state;
    throttle *t = throttle_new(&defaults);
    unsigned retry = 0;
    char name[32];
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof(name), "user%d", i);
        assert_true(throttle_allows(t, name, "192.0.2.7", T0 + i, &retry));
        throttle_fail(t, name, "192.0.2.7", T0 + i);
    }
    assert_false(throttle_allows(t, "somebody-new", "192.0.2.7", T0 + 20, &retry));
    assert_int_equal(retry, 900 - 1);
    assert_false(throttle_allows(t, NULL, "192.0.2.7", T0 + 20, &retry));
    /* The same names from another address are fine (one failure each). */
    assert_true(throttle_allows(t, "user3", "192.0.2.8", T0 + 20, &retry));
    assert_int_equal(retry, 0);
    throttle_free(t);
}

static void success_clears_account_but_not_address(void **state)
{
    (void)state;
    throttle_options opt = defaults;
    opt.per_address = 6;
    throttle *t = throttle_new(&opt);
    unsigned retry = 0;
    for (int i = 0; i < 5; i++)
        throttle_fail(t, "dave", "198.51.100.1", T0 + i);
    assert_false(throttle_allows(t, "dave", "198.51.100.9", T0 + 5, &retry));

    throttle_succeed(t, "dave", T0 + 6);
    assert_true(throttle_allows(t, "dave", "198.51.100.9", T0 + 6, &retry));
    /* The address kept its five failures: one more locks it. */
    assert_true(throttle_allows(t, "erin", "198.51.100.1", T0 + 6, &retry));
    throttle_fail(t, "erin", "198.51.100.1", T0 + 7);
    assert_false(throttle_allows(t, "erin", "198.51.100.1", T0 + 7, &retry));
    assert_false(throttle_allows(t, "dave", "198.51.100.1", T0 + 7, &retry));

    /* After success the account counts from zero again. */
    for (int i = 0; i < 4; i++)
        throttle_fail(t, "dave", "198.51.100.9", T0 + 8 + i);
    assert_true(throttle_allows(t, "dave", "198.51.100.9", T0 + 12, &retry));
    throttle_succeed(t, "nobody", T0 + 12);
    throttle_succeed(t, NULL, T0 + 12);
    throttle_free(t);
}

static void full_table_evicts_and_stays_usable(void **state)
{
    (void)state;
    throttle_options opt = defaults;
    opt.capacity = 8;
    throttle *t = throttle_new(&opt);
    unsigned retry = 0;

    /* Lock one account first: it should survive the flood below. */
    for (int i = 0; i < 5; i++)
        throttle_fail(t, "victim", NULL, T0);
    assert_false(throttle_allows(t, "victim", NULL, T0, &retry));

    char name[32], addr[32];
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof(name), "spray%d", i);
        snprintf(addr, sizeof(addr), "203.0.113.%d", i % 250);
        throttle_fail(t, name, addr, T0 + 1 + i / 10);
        (void)throttle_allows(t, name, addr, T0 + 1 + i / 10, &retry);
    }
    assert_false(throttle_allows(t, "victim", NULL, T0 + 60, &retry));

    /* New keys still count and lock. */
    for (int i = 0; i < 5; i++)
        throttle_fail(t, "fresh", NULL, T0 + 100);
    assert_false(throttle_allows(t, "fresh", NULL, T0 + 100, &retry));
    assert_true(throttle_allows(t, "never-failed", "192.0.2.1", T0 + 100, &retry));
    throttle_free(t);
}

static void long_keys_are_distinct(void **state)
{
    (void)state;
    throttle *t = throttle_new(&defaults);
    char a[600], b[600];
    memset(a, 'x', sizeof(a) - 1);
    a[sizeof(a) - 1] = '\0';
    memcpy(b, a, sizeof(b));
    b[sizeof(b) - 2] = 'y'; /* differs only after the stored prefix */
    for (int i = 0; i < 5; i++)
        throttle_fail(t, a, NULL, T0);
    unsigned retry = 0;
    assert_false(throttle_allows(t, a, NULL, T0, &retry));
    assert_true(throttle_allows(t, b, NULL, T0, &retry));
    throttle_succeed(t, a, T0);
    assert_true(throttle_allows(t, a, NULL, T0, &retry));
    throttle_free(t);
}

static void tiny_table_does_not_crash(void **state)
{
    (void)state;
    throttle_options opt = defaults;
    opt.capacity = 1;
    throttle *t = throttle_new(&opt);
    unsigned retry = 0;
    for (int i = 0; i < 50; i++)
        throttle_fail(t, i % 2 ? "a" : "b", i % 3 ? "1.1.1.1" : "2.2.2.2", T0 + i);
    (void)throttle_allows(t, "a", "1.1.1.1", T0 + 50, &retry);
    assert_true(throttle_allows(t, NULL, NULL, T0 + 50, &retry));
    throttle_free(t);
    throttle_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(five_failures_lock_the_account),
        cmocka_unit_test(old_failures_stop_counting),
        cmocka_unit_test(address_limit_spans_account_names),
        cmocka_unit_test(success_clears_account_but_not_address),
        cmocka_unit_test(full_table_evicts_and_stays_usable),
        cmocka_unit_test(long_keys_are_distinct),
        cmocka_unit_test(tiny_table_does_not_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
