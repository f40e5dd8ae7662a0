/* Procurement method advisor: the five methods of government procurement
 * (public tender, invited tender, competitive negotiation, single source,
 * inquiry), the legal conditions of each (seed 001, 4.1.1) checked against
 * the facts of a deal, and the rule that a tender with fewer than three
 * qualified bidders fails (废标, seed 001, 4.1.2). Pure. */
#ifndef BF_CORE_PROCUREMENT_H
#define BF_CORE_PROCUREMENT_H

#include <jansson.h>

#include "core/result.h"
#include "core/schema.h"

/* The declared body of the procurement facts. */
extern const schema procurement_facts_schema;

/* The five procurement methods in the law's order, NULL-terminated:
 * "public_tender", "invited_tender", "competitive_negotiation",
 * "single_source", "inquiry". */
extern const char *const procurement_methods[];

/* The name of a procurement method ("public_tender": 公开招标 / Public
 * tender) in lang ("en", else Chinese); method itself when unknown. Static;
 * not to be freed. */
const char *procurement_method_label(const char *method, const char *lang);

/* Validates facts and advises which methods' legal conditions are met.
 * facts is a JSON object; every key is optional, null counts as absent:
 *   "amount" (fen >= 0), "qualified_suppliers" (>= 0), "only_one_supplier",
 *   "urgent", "special_nature", "tender_cost_disproportionate",
 *   "technically_complex", "price_not_calculable", "no_qualified_bids_before",
 *   "standard_goods", "add_on" (booleans, absent = false),
 *   "original_contract_amount" (fen >= 1, required when add_on),
 *   "add_on_amount" (fen >= 0, defaults to amount; one of them is required
 *   when add_on), "bidders" (qualified bidders of a tender already run, >= 0).
 * On BF_OK *out is a new object the caller owns:
 *   {"methods": [{"method", "name": {zh,en}, "allowed",
 *                 "conditions": [{"text": {zh,en}, "met"}]} x5, law's order],
 *    "recommended": method id or null,
 *    "warnings": [{"code", "text": {zh,en}}]}
 * The conditions of the four special methods are alternatives (any one met
 * allows the method); public tender is always allowed except when "bidders"
 * < 3, which fails the run ("tender_fails") and also bars invited tender.
 * Recommended: the first special method (law's order) that is allowed, else
 * public tender when allowed, else null. Warning codes: "tender_fails",
 * "few_qualified_suppliers" (qualified_suppliers < 3 and no bidders given),
 * "add_on_over_limit" (add_on beyond 10%, with the figures in yuan).
 * On BF_ERR_INVALID err names the field; *out is untouched on failure. */
bf_result procurement_advise(json_t *facts, json_t **out, bf_error *err);

#endif
