/* Selection scoring table (选型评分表): the customer's selection criteria with
 * weights, every vendor's score per criterion, and where we stand — each
 * vendor's weighted total out of 100, the ranking, the leader and our gap to
 * it. Scores are held as hundredths of a point, totals exactly as integers;
 * values are rounded half up only for display. Pure: no I/O. */
#ifndef BF_CORE_SELECTION_H
#define BF_CORE_SELECTION_H

#include <jansson.h>

#include "core/result.h"
#include "core/schema.h"

/* The declared body of the selection scoring form. */
extern const schema selection_form_schema;

/* Validates a scoring table. in:
 *   {"criteria": [{"id": "technical", "name": "技术方案", "weight": 40}, …],
 *    "vendors": [{"name": "…", "us": true, "scores": {"technical": 8.5, …}}, …]}
 * criteria: 1..30, ids unique ([a-z0-9_-], 1..40 characters), names 1..100
 * characters, weights integers 1..100 summing to 100. vendors: 1..30, names
 * unique (1..100 characters), "us" optional (default false) and true for
 * exactly one vendor, "scores" an object with a number 0..10 of at most two
 * decimals for every criterion and nothing else. On success *out is a new
 * normalised copy (criteria in order, every vendor with "us", scores in
 * criteria order); caller owns it. BF_ERR_INVALID names the field (e.g.
 * "vendors[2].scores.price") on bad input. */
bf_result selection_validate(json_t *in, json_t **out, bf_error *err);

/* Evaluates a form that passed selection_validate. New reference, caller owns
 * it; NULL when out of memory:
 *   {"vendors": [{"name", "us", "total": {"value": "83.25", "hundredths": 8325}, "rank": 1}],
 *    "leader": name, "us_rank": n, "gap_to_leader": {"value", "hundredths"}}
 * total = Σ weight × score / 10 (out of 100). With scores in hundredths the
 * exact total is Σ weight × score_hundredths thousandths of a point; it is
 * rounded half up to hundredths for display, while ranks and the gap use the
 * exact value. Ranks are competition ranks (ties share a rank: 1, 1, 3);
 * vendors are listed by total descending, then name. */
json_t *selection_evaluate(json_t *form);

#endif
