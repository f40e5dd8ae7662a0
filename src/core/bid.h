/* Bid score simulation (投标评分模拟): a tender's scoring scheme (business,
 * price, technical and service weights summing to 100), a price formula,
 * every bidder's expected non-price scores and price: each bidder's price
 * score, total and rank, and the highest price at which we still rank
 * first, exact to the fen. All arithmetic is exact: scores are held in
 * hundredths of a point, prices in fen, and comparisons cross-multiply in
 * 128-bit integers; values are rounded half up only for display. */
#ifndef BF_CORE_BID_H
#define BF_CORE_BID_H

#include <jansson.h>

#include "core/result.h"
#include "core/schema.h"

/* The declared body of a bid simulation. */
extern const schema bid_simulation_schema;

/* The price formulas, NULL-terminated ("lowest_price_benchmark": the lowest
 * valid bid is the benchmark; price score = benchmark / price x weight). */
extern const char *const bid_formulas[];

/* Validates a simulation request and computes it. in:
 *   {"weights": {"business": 20, "price": 30, "technical": 40, "service": 10},
 *    "formula": "lowest_price_benchmark",           (optional, the default)
 *    "bidders": [{"name": "…", "us": true, "price": 123456700,
 *                 "scores": {"business": 18.5, "technical": 35, "service": 9}}, …]}
 * Scores are points out of their category's weight, at most two decimals.
 * On success *out (new reference) is
 *   {"formula", "benchmark": fen,
 *    "bidders": [{"name", "us", "price", "price_score": 27.27, "total": 90.5, "rank": 1}],
 *    "us_rank", "winning_price": fen or null, "reason": {zh,en} or null}
 * in the request's order. BF_ERR_INVALID names the field on bad input. */
bf_result bid_simulate(json_t *in, json_t **out, bf_error *err);

#endif
