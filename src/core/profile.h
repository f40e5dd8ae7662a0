/* Target-customer profile (目标客户定位六要素, seed 002): how well an account fits
 * the customers we sell to, from six factors — size (employees, last year's
 * sales, gross profit), ownership, business type, management software already
 * in use, branches and a near-term purchase plan. Each factor scores 0..100
 * points under editable rules; the fit score is the weighted mean (weights sum
 * to 100) and maps to a grade. Pure: no I/O. */
#ifndef BF_CORE_PROFILE_H
#define BF_CORE_PROFILE_H

#include <jansson.h>

#include "core/result.h"
#include "core/schema.h"

/* The declared bodies of the profile rules and the profile form. */
extern const schema profile_rules_schema;
extern const schema profile_form_schema;

/* The default rules (new reference, caller owns it):
 *   {"factors": [
 *     {"id": "size", "name": {zh,en}, "weight": 25,
 *      "employees_min": {"distribution": 20, "manufacture_sale": 50, "processing": 50,
 *                        "service": 50, "other": 50},
 *      "revenue_min": 2000000000, "gross_profit_min": 300000000,          (fen)
 *      "points": {"employees": 40, "revenue": 30, "gross_profit": 30}},   (sum 100)
 *     {"id": "ownership", …, "weight": 15,
 *      "points": {"private": 100, "foreign": 80, "joint_venture": 70, "state_owned": 40,
 *                 "government": 30, "restructured": 20, "other": 40}},
 *     {"id": "business_type", …, "weight": 15,
 *      "points": {"distribution": 100, "manufacture_sale": 90, "processing": 60,
 *                 "service": 40, "other": 30}},
 *     {"id": "existing_systems", …, "weight": 15,
 *      "signals": [{"id": "finance", "name": {zh,en}, "keywords": ["财务", …], "points": 40},
 *                  {"id": "inventory", …, "points": 40}, {"id": "crm", …, "points": 20}]},
 *     {"id": "branches", …, "weight": 10, "points": {"with": 100, "without": 30}},
 *     {"id": "purchase_plan", …, "weight": 20,
 *      "points": {"within_6_months": 100, "within_year": 70, "later": 30, "none": 0}}],
 *    "grades": [{"grade": "A", "min": 80}, {"grade": "B", "min": 60},
 *               {"grade": "C", "min": 40}, {"grade": "D", "min": 0}]}
 * Thresholds are minimums: a value equal to the threshold meets it (seed 002's
 * "以上"). NULL when out of memory. */
json_t *profile_default_rules(void);

/* Checks rules strictly: top level exactly {"factors", "grades"}; 1..6 factors
 * with known, unique ids, a {zh,en} name, weight 1..100 (sum 100) and the
 * parameters of their id (every map key present, points 0..100, size points
 * summing to 100, keywords 1..20 per signal); 1..10 grades with unique names,
 * min 0..100 strictly descending and the last one 0. BF_ERR_INVALID names the
 * field (e.g. "factors[1].points.private"). rules is only read. */
bf_result profile_rules_validate(json_t *rules, bf_error *err);

/* The account's facts (the account record's fields; NULL / -1 when unknown). */
typedef struct profile_facts {
    long long employees;          /* -1 unknown */
    long long annual_revenue;     /* fen, -1 unknown */
    long long gross_profit;       /* fen, -1 unknown */
    const char *ownership;        /* state_owned, restructured, private, foreign,
                                     joint_venture, government, other */
    const char *business_type;    /* distribution, manufacture_sale, processing, service, other */
    const char *existing_systems; /* free text, NULL or "" unknown */
    long long branches;           /* -1 unknown */
    const char *purchase_plan;    /* from the profile form: "within_6_months", "within_year",
                                     "later", "none"; NULL unknown */
} profile_facts;

/* The purchase plans of the profile form, NULL-terminated. */
extern const char *const profile_purchase_plans[];

/* Validates the profile form {"purchase_plan": one of profile_purchase_plans
 * (required), "note": string of at most 1000 characters (optional, null = absent)}.
 * On success *out is a new normalised object (caller owns it). */
bf_result profile_form_validate(json_t *in, json_t **out, bf_error *err);

/* Fit score and grade of facts under rules (valid rules, or NULL for the
 * defaults). New reference, caller owns it; NULL when out of memory:
 *   {"score": {"value": "72.50", "hundredths": 7250}, "grade": "B",
 *    "factors": [{"id", "name": {zh,en}, "weight", "points": 0..100, "reason": {zh,en}}],
 *    "unknown": [ids of factors with a missing fact]}
 * score in hundredths = Σ weight × points (weights sum to 100, points are
 * integers), so it is exact; unknown facts score 0 and their factor is listed. */
json_t *profile_evaluate(const profile_facts *facts, json_t *rules);

#endif
