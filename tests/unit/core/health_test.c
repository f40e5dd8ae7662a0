/* Unit tests of src/core/health.c: the explainable deal health score. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/health.h"

/* A healthy deal: nothing unmet, MANT complete, CE and coach, a touch 3 days
 * ago on a 7-day rhythm, 10 of a typical 30 days in the stage, nobody ahead. */
static const health_inputs healthy = {
    .unmet_gate_items = 0,
    .mant_gaps = 0,
    .has_compelling_event = true,
    .has_coach = true,
    .days_since_activity = 3,
    .cadence_days = 7,
    .days_in_stage = 10,
    .typical_days = 30,
    .competitor_ahead = false,
};

static json_t *factor_of(json_t *out, const char *id)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(out, "factors"), i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "id")), id) == 0)
            return f;
    }
    fail_msg("no factor %s", id);
    return NULL;
}

static long long penalty_of(json_t *out, const char *id)
{
    return json_integer_value(json_object_get(factor_of(out, id), "penalty"));
}

static const char *text_of(json_t *out, const char *id, const char *what, const char *lang)
{
    return json_string_value(json_object_get(json_object_get(factor_of(out, id), what), lang));
}

static void assert_health(json_t *out, long long score, const char *level)
{
    assert_non_null(out);
    assert_int_equal(json_integer_value(json_object_get(out, "score")), score);
    assert_string_equal(json_string_value(json_object_get(out, "level")), level);
}

static void healthy_deal(void **state)
{
    (void)state;
    json_t *out = health_evaluate(&healthy);
    assert_health(out, 100, "good");
    /* every factor listed, in order, with weights summing to 100 */
    static const char *const ids[] = {"gate",     "mant",      "ce",         "coach",
                                      "activity", "stage_age", "competition"};
    static const int weights[] = {20, 20, 10, 15, 15, 10, 10};
    json_t *factors = json_object_get(out, "factors");
    assert_int_equal(json_array_size(factors), 7);
    for (size_t i = 0; i < 7; i++) {
        json_t *f = json_array_get(factors, i);
        assert_string_equal(json_string_value(json_object_get(f, "id")), ids[i]);
        assert_int_equal(json_integer_value(json_object_get(f, "weight")), weights[i]);
        assert_int_equal(json_integer_value(json_object_get(f, "penalty")), 0);
        assert_true(json_is_true(json_object_get(f, "ok")));
        assert_non_null(json_string_value(json_object_get(json_object_get(f, "detail"), "zh")));
        assert_non_null(json_string_value(json_object_get(json_object_get(f, "action"), "en")));
    }
    assert_string_equal(text_of(out, "activity", "detail", "zh"),
                        "最近一次活动在 3 天前，节奏为每 7 天一次");
    json_decref(out);
}

/* A deal in trouble.
 *   gate        3 unmet:       20 × 3 / 4           = 15
 *   mant        2 gaps:        20 × 2 / 4           = 10
 *   ce          missing                             = 10
 *   coach       present                             =  0
 *   activity    21 days, cadence 14: 15 × (21 − 14) / (2 × 14) = 105 / 28 = 3.75 -> 3
 *   stage_age   45 days, typical 30, stalled after 30: 10 × (45 − 30) / 30 = 150 / 30 = 5
 *   competition ahead                               = 10
 *   score = 100 − (15 + 10 + 10 + 0 + 3 + 5 + 10) = 100 − 53 = 47 -> at_risk (< 50) */
static void deal_at_risk(void **state)
{
    (void)state;
    health_inputs in = {3, 2, false, true, 21, 14, 45, 30, true};
    json_t *out = health_evaluate(&in);
    assert_health(out, 47, "at_risk");
    assert_int_equal(penalty_of(out, "gate"), 15);
    assert_int_equal(penalty_of(out, "mant"), 10);
    assert_int_equal(penalty_of(out, "ce"), 10);
    assert_int_equal(penalty_of(out, "coach"), 0);
    assert_int_equal(penalty_of(out, "activity"), 3);
    assert_int_equal(penalty_of(out, "stage_age"), 5);
    assert_int_equal(penalty_of(out, "competition"), 10);
    assert_false(json_is_true(json_object_get(factor_of(out, "gate"), "ok")));
    assert_true(json_is_true(json_object_get(factor_of(out, "coach"), "ok")));
    assert_string_equal(text_of(out, "gate", "detail", "zh"),
                        "本阶段还有 3 项出口条件、交付物或决策未完成");
    assert_string_equal(text_of(out, "gate", "detail", "en"),
                        "3 exit items (criteria, deliverables, decisions) of this stage are unmet");
    assert_string_equal(text_of(out, "activity", "detail", "en"),
                        "no activity for 21 days, 7 over the 14-day rhythm");
    assert_string_equal(text_of(out, "stage_age", "detail", "zh"),
                        "本阶段已 45 天没有推进，超过 30 天即为停滞");
    assert_string_equal(text_of(out, "coach", "action", "zh"),
                        "定期与教练沟通，核实决策流程和竞争动态");
    assert_string_equal(text_of(out, "ce", "action", "en"),
                        "find and confirm a compelling event (fast growth, a new strategy, an "
                        "outdated system, a move) with its date and impact");
    json_decref(out);
}

/* Caps, defaults and not-applicable factors. */
static void caps_and_defaults(void **state)
{
    (void)state;
    health_inputs in = healthy;

    /* gate 6 unmet is capped at 4: 20 × 4 / 4 = 20; no activity at all: 15.
     * score 100 − 35 = 65 -> watch */
    in.unmet_gate_items = 6;
    in.days_since_activity = -1;
    json_t *out = health_evaluate(&in);
    assert_health(out, 65, "watch");
    assert_int_equal(penalty_of(out, "gate"), 20);
    assert_int_equal(penalty_of(out, "activity"), 15);
    assert_string_equal(text_of(out, "activity", "detail", "zh"), "还没有任何跟进活动");
    json_decref(out);

    /* Silence of exactly three cadences is the full penalty: 15 × (42 − 14) / 28 = 15;
     * a hundred days stays at 15. cadence 0 means the default 14. */
    in = healthy;
    in.cadence_days = 0;
    in.days_since_activity = 42;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "activity"), 15);
    json_decref(out);
    in.days_since_activity = 100;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "activity"), 15);
    json_decref(out);
    /* exactly on the rhythm is fine: 14 days, cadence 14 -> 0 */
    in.days_since_activity = 14;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "activity"), 0);
    json_decref(out);
    /* 15 days: 15 × 1 / 28 = 0.53, but a day over the rhythm the panel names is
     * never free: 1, not ok */
    in.days_since_activity = 15;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "activity"), 1);
    assert_false(json_is_true(json_object_get(factor_of(out, "activity"), "ok")));
    assert_string_equal(text_of(out, "activity", "detail", "zh"),
                        "已 15 天没有活动，超出每 14 天一次的节奏 1 天");
    json_decref(out);

    /* The stalled report's rule: 33 days without a stage change is stalled
     * even where the stage's typical time is 45 (10 × 3 / 30 = 1), and where
     * no typical time is given; 30 days is not. */
    in = healthy;
    in.days_in_stage = 33;
    in.typical_days = 45;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "stage_age"), 1);
    assert_int_equal(json_integer_value(json_object_get(out, "score")), 99);
    json_decref(out);
    in.typical_days = 0;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "stage_age"), 1);
    json_decref(out);
    in.days_in_stage = HEALTH_STALLED_DAYS;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "stage_age"), 0);
    json_decref(out);

    /* stage age: 60 days of a typical 30 -> 10 × 30 / 30 = 10 (full); 200 days stays 10;
     * typical unknown (0) -> 0 */
    in = healthy;
    in.days_in_stage = 60;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "stage_age"), 10);
    json_decref(out);
    in.days_in_stage = 200;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "stage_age"), 10);
    json_decref(out);
    in.typical_days = 0; /* no typical time: stalled after 30 days, full at 60 */
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "stage_age"), 10);
    assert_string_equal(text_of(out, "stage_age", "detail", "en"),
                        "200 days without a stage change: stalled after 30");
    json_decref(out);
    in.days_in_stage = 12; /* within 30 days: nothing to compare with */
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "stage_age"), 0);
    assert_string_equal(text_of(out, "stage_age", "detail", "en"),
                        "12 days in this stage (no typical duration to compare)");
    json_decref(out);

    /* MANT not used by the playbook: no penalty; 9 gaps read as 4 -> 20; 1 gap -> 5 */
    in = healthy;
    in.mant_gaps = -1;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "mant"), 0);
    assert_string_equal(text_of(out, "mant", "detail", "zh"), "本打法不使用 MANT，不计分");
    json_decref(out);
    in.mant_gaps = 9;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "mant"), 20);
    json_decref(out);
    in.mant_gaps = 1;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "mant"), 5);
    assert_string_equal(text_of(out, "mant", "detail", "en"), "1 MANT part not confirmed");
    json_decref(out);

    /* negative counts read as 0 */
    in = healthy;
    in.unmet_gate_items = -3;
    in.days_in_stage = -1;
    out = health_evaluate(&in);
    assert_health(out, 100, "good");
    json_decref(out);
}

/* Level boundaries: 75 is good, 74 watch, 50 watch, 49 at_risk.
 *   no CE 10 + no coach 15                       = 25 -> 75 good
 *   + 1 unmet gate item 5 (20 × 1 / 4)           = 30 -> 70 watch
 *   gate 4 (20) + no coach 15 + no activity 15   = 50 -> 50 watch
 *   + 21 days over a 14-day typical stage: 10 × 7 / 14 = 5 -> 55 -> 45 at_risk
 *   74: no coach 15 + 16 of typical 10 days in stage: 10 × 6 / 10 = 6, 15 + 6 = 21 -> 79;
 *       + mant 1 gap 5 = 26 -> 74 watch
 *   gate 4 (20) + no coach 15 + competitor 10 + last touch 12 days ago at cadence 7:
 *       15 × (12 − 7) / 14 = 75 / 14 = 5.36 -> 5; 20 + 15 + 10 + 5 = 50 -> 50 watch
 *   the same 13 days ago: 15 × 6 / 14 = 90 / 14 = 6.43 -> 6; 51 -> 49 at_risk */
static void level_boundaries(void **state)
{
    (void)state;
    health_inputs in = healthy;
    in.has_compelling_event = false;
    in.has_coach = false;
    json_t *out = health_evaluate(&in);
    assert_health(out, 75, "good");
    json_decref(out);

    in.unmet_gate_items = 1;
    out = health_evaluate(&in);
    assert_health(out, 70, "watch");
    json_decref(out);

    in = healthy;
    in.unmet_gate_items = 4;
    in.has_coach = false;
    in.days_since_activity = -1;
    out = health_evaluate(&in);
    assert_health(out, 50, "watch");
    json_decref(out);
    in.typical_days = 14;
    in.days_in_stage = 21;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "stage_age"), 5);
    assert_health(out, 45, "at_risk");
    json_decref(out);

    in = healthy;
    in.has_coach = false;
    in.typical_days = 10;
    in.days_in_stage = 16;
    in.mant_gaps = 1;
    out = health_evaluate(&in);
    assert_health(out, 74, "watch");
    json_decref(out);

    in = healthy;
    in.unmet_gate_items = 4;
    in.has_coach = false;
    in.competitor_ahead = true;
    in.days_since_activity = 12;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "activity"), 5);
    assert_health(out, 50, "watch");
    json_decref(out);
    in.days_since_activity = 13;
    out = health_evaluate(&in);
    assert_int_equal(penalty_of(out, "activity"), 6);
    assert_health(out, 49, "at_risk");
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(healthy_deal),
        cmocka_unit_test(deal_at_risk),
        cmocka_unit_test(caps_and_defaults),
        cmocka_unit_test(level_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
