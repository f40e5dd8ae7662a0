/* Deal health (商机健康度): an explainable 0..100 score of an open deal from
 * seven factors — the current stage's gate, MANT, the compelling event, a
 * coach, the rhythm of contact, time in stage and competition. Every factor
 * is listed with its penalty, what it saw and the action that fixes or keeps
 * it. Pure: no I/O. */
#ifndef BF_CORE_HEALTH_H
#define BF_CORE_HEALTH_H

#include <jansson.h>
#include <stdbool.h>

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
 *   activity    0 when days ≤ cadence; else min(w, w × (days − cadence) / (2 × cadence)),
 *               so full at three cadences of silence; w when there is no activity at all
 *   stage_age   0 when typical unknown or days ≤ typical; else
 *               min(w, w × (days − typical) / typical), full at twice the typical time
 *   competition w when a competitor ranks above us, else 0
 * level: score ≥ 75 good, ≥ 50 watch, else at_risk. A factor is ok when its
 * penalty is 0. Negative counts are read as 0 and mant_gaps above 4 as 4. */
json_t *health_evaluate(const health_inputs *in);

#endif
