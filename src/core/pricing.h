/* The company's rules for quotations (the setting "quotations"): who sees
 * costs, and from which discount a quotation needs how many levels of
 * managers to approve it. Pure: no I/O. The arithmetic of a quotation is
 * src/core/quote.c. */
#ifndef BF_CORE_PRICING_H
#define BF_CORE_PRICING_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/result.h"
#include "core/schema.h"

/* The setting's declared body:
 *   {"sales_see_cost": false, "discount_levels_above": [10, 20]}
 * discount_levels_above: percents, ascending; a quotation whose discount off
 * the list price is above the k-th needs k levels of managers (the owner's
 * manager, then the manager above), at or below the first none. */
extern const schema pricing_rules_schema;

/* The default rules (a new reference): sales and consultants do not see
 * costs; up to 10 % a salesperson decides, up to 20 % the manager, above
 * that the manager above too. NULL when out of memory. */
json_t *pricing_default_rules(void);

/* Checks rules against the schema and that the thresholds ascend; err names
 * discount_levels_above[i]. */
bf_result pricing_rules_validate(json_t *rules, bf_error *err);

/* How many levels of managers approve a discount of discount basis points
 * (1250 = 12.5 %) under rules (the setting's value). */
int pricing_discount_levels(int64_t discount, const json_t *rules);

/* Whether the rules let sales and consultants see costs and margins. */
bool pricing_sales_see_cost(const json_t *rules);

/* The states of a quotation, NULL-ended: draft, submitted (its discount
 * waits for approval), approved, sent, accepted, rejected, and expired (a
 * sent one past its valid_until: read so, never stored). */
extern const char *const quotation_statuses[];

/* The body of a quotation (POST, PUT, preview): title, valid_until,
 * payment_terms, delivery_terms, notes, discount (percent) and lines
 * ({product_id | kind, name, unit, unit_price | ratio, tax_rate},
 * quantity, discount, description). Line rules that need the price list
 * are src/api/quotations.c's. */
extern const schema quotation_body_schema;

#endif
