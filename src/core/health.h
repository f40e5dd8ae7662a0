/* Deal health (商机健康度): an explainable 0..100 score of an open deal from
 * seven factors — the current stage's gate, MANT, the compelling event, a
 * coach, the rhythm of contact, time in stage and competition. Every factor
 * is listed with its penalty, what it saw and the action that fixes or keeps
 * it. Pure: no I/O. */
#ifndef BF_CORE_HEALTH_H
#define BF_CORE_HEALTH_H

#include <jansson.h>
#include <stdbool.h>

/* Days without a stage change after which a deal is stalled: the stalled
 * report's default (GET /reports/stalled) and health's limit for time in
 * stage. */
#define HEALTH_STALLED_DAYS 30

typedef struct health_inputs {
    int unmet_gate_items;      /* unmet criteria/deliverables/decisions of the current stage */
    int mant_gaps;             /* MANT parts incomplete (0..4); -1 when the playbook does not use
                                  MANT */
    bool has_compelling_event; /* CE complete */
    bool has_coach;            /* a coach among the account's contacts */
    int days_since_activity;   /* -1 when no activity at all */
    int cadence_days;          /* expected days between touches: the mode's benchmark.days /
                                  benchmark.visits, or 14 when no mode (<= 0 means 14) */
    int days_in_stage;
    int typical_days;      /* the stage's typical days; 0 unknown */
    bool competitor_ahead; /* a competitor ranks above us in the bid simulation or
                              selection scoring */
} health_inputs;

/* Scores a deal. New reference, caller owns it; NULL when out of memory:
 *   {"score": 0..100, "level": "good"|"watch"|"at_risk",
 *    "factors": [{"id", "weight", "penalty", "ok": bool, "detail": {zh,en},
 *                 "action": {zh,en}}]}
 * score = 100 − Σ penalties. Weights (a factor's largest penalty) sum to 100:
 * gate 20, mant 20, ce 10, coach 15, activity 15, stage_age 10, competition 10.
 * Penalties, integer division rounding down, w the weight:
 *   gate        w × min(unmet, 4) / 4          (a quarter per unmet item, full at 4)
 *   mant        w × gaps / 4                   (0 when the playbook does not use MANT)
 *   ce, coach   w when missing, else 0
 *   activity    0 when days ≤ cadence; else min(w, max(1, w × (days − cadence) /
 *               (2 × cadence))), so a day over costs and full at three cadences of silence;
 *               w when there is no activity at all
 *   stage_age   limit L = the typical days when known and under HEALTH_STALLED_DAYS, else
 *               HEALTH_STALLED_DAYS (the stalled report's rule; no typical days: that alone);
 *               0 when days ≤ L; else min(w, max(1, w × (days − L) / L)), full at twice L
 *   competition w when a competitor ranks above us, else 0
 * level: score ≥ 75 good, ≥ 50 watch, else at_risk. A factor is ok when its
 * penalty is 0. Negative counts are read as 0 and mant_gaps above 4 as 4. */
json_t *health_evaluate(const health_inputs *in);

#endif
