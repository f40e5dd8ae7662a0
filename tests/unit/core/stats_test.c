/* Tests of the reports' statistics against values computed by hand and by
 * the published formula (Wilson 1927; Newcombe 1998, table I). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/stats.h"

static void near(double got, double want)
{
    assert_true(fabs(got - want) < 0.00005);
}

/* Newcombe's examples: 81/263 gives 0.2553–0.3662; 15/148 gives
 * 0.0624–0.1605; 0/20 gives 0–0.1611; 1/29 gives 0.0061–0.1718. */
static void wilson_matches_published_intervals(void **state)
{
    (void)state;
    double lo, hi;
    stats_wilson(81, 263, &lo, &hi);
    near(lo, 0.2553);
    near(hi, 0.3662);
    stats_wilson(15, 148, &lo, &hi);
    near(lo, 0.0624);
    near(hi, 0.1605);
    stats_wilson(0, 20, &lo, &hi);
    near(lo, 0.0);
    near(hi, 0.1611);
    stats_wilson(1, 29, &lo, &hi);
    near(lo, 0.0061);
    near(hi, 0.1718);
    stats_wilson(0, 0, &lo, &hi);
    near(lo, 0.0);
    near(hi, 1.0);
}

static void quantiles_of_day_counts(void **state)
{
    (void)state;
    /* 1, 2, 2, 5, 9, 9, 9, 30 */
    stats_day_count c[] = {{1, 1}, {2, 2}, {5, 1}, {9, 3}, {30, 1}};
    assert_int_equal(stats_day_quantile(c, 5, 0.5), 5);
    assert_int_equal(stats_day_quantile(c, 5, 0.9), 30);
    assert_int_equal(stats_day_quantile(c, 5, 0.25), 2);
    assert_int_equal(stats_day_quantile(c, 5, 1.0), 30);
    assert_int_equal(stats_day_quantile(c, 0, 0.5), 0);
}

static void suggestion_only_on_strong_evidence(void **state)
{
    (void)state;
    /* 30% nominal, 81 of 263 won: 30.8%, inside the interval: keep it. */
    assert_int_equal(stats_suggest_percent(30, 81, 263, 30), -1);
    /* 50% nominal, 15 of 148: far outside: suggest 10%. */
    assert_int_equal(stats_suggest_percent(50, 15, 148, 30), 10);
    /* Too few closed deals to say. */
    assert_int_equal(stats_suggest_percent(50, 0, 10, 30), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wilson_matches_published_intervals),
        cmocka_unit_test(quantiles_of_day_counts),
        cmocka_unit_test(suggestion_only_on_strong_evidence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
