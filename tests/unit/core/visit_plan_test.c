/* Unit tests of src/core/visit_plan.c: a mode's benchmark against visits done. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/visit_plan.h"

static playbook *mini;

static int load(void **state)
{
    (void)state;
    static char text[8192];
    FILE *f = fopen(FIXTURES "/unit/mini-playbook.json", "rb");
    if (f == NULL)
        return -1;
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    bf_error err;
    return playbook_parse(text, n, &mini, NULL, &err) == BF_OK ? 0 : -1;
}

static int unload(void **state)
{
    (void)state;
    playbook_free(mini);
    return 0;
}

static void three_visits_within_a_week(void **state)
{
    (void)state;
    const mode_def *quick = playbook_mode(mini, "quick"); /* 3 visits in 7 days */
    assert_non_null(quick);
    const char *since = "2026-03-02T01:30:00.000Z";
    plan_activity acts[] = {
        {"visit", "2026-03-02T02:00:00Z"},
        {"call", "2026-03-03T02:00:00Z"}, /* a call is not a visit */
        {"visit", NULL},                  /* planned, not done */
        {"visit", "2026-03-05T02:00:00Z"},
        {"visit", "2026-03-20T02:00:00Z"}, /* after the window */
    };
    plan_status ps;
    visit_plan_evaluate(quick, since, "2026-03-06T00:00:00Z", acts, 5, &ps);
    assert_string_equal(ps.window_end, "2026-03-09T01:30:00Z");
    assert_int_equal(ps.done_in_window, 2);
    assert_int_equal(ps.done_total, 3);
    assert_false(ps.compliant);
    assert_string_equal(ps.status, "in_progress");

    visit_plan_evaluate(quick, since, "2026-03-21T00:00:00Z", acts, 5, &ps);
    assert_string_equal(ps.status, "missed");

    acts[2].done_at = "2026-03-08T09:00:00Z";
    visit_plan_evaluate(quick, since, "2026-03-21T00:00:00Z", acts, 5, &ps);
    assert_int_equal(ps.done_in_window, 3);
    assert_true(ps.compliant);
    assert_string_equal(ps.status, "met");

    char ref[32];
    visit_plan_ref(quick, &quick->visits[1], ref, sizeof(ref));
    assert_string_equal(ref, "quick/2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(three_visits_within_a_week),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
