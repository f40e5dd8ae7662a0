/* A contract (合同) made from an accepted quotation, and its payment plan
 * (回款计划): milestones such as the first payment (首期款), acceptance and
 * the final payment, each a percent of the contract's amount or an amount,
 * due on a date, invoiced and received. Pure: no I/O. */
#ifndef BF_CORE_CONTRACT_H
#define BF_CORE_CONTRACT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/result.h"
#include "core/schema.h"

/* The most milestones a payment plan has. */
#define CONTRACT_MAX_MILESTONES 24

/* The body of a contract (POST from a quotation, PUT): number, signed_on,
 * amount (fen), party_a, party_b, archived_on, notes and milestones
 * ({name, percent | amount, due_on, invoiced_on, invoice_no, received_on,
 * received_amount}). */
extern const schema contract_body_schema;

/* Checks the payment plan of the normalized body norm against its amount
 * and computes it: *out (a new reference) is the plan as answered —
 *   {"milestones": [{…as written, "planned": fen, "received": fen,
 *     "state": "planned" | "invoiced" | "received" | "overdue", "overdue": bool}],
 *    "planned_total", "received_total", "outstanding": fen,
 *    "first_payment_received": bool, "overdue": count}
 * A milestone's planned amount is its amount, or round(amount x percent)
 * half up to the fen; when every milestone is a percent and they sum to
 * 100, the last takes what is left, so the plan adds up exactly. today is
 * "YYYY-MM-DD" (UTC): a milestone due before it and not fully received is
 * overdue. BF_ERR_INVALID naming the field: a milestone with both or
 * neither of percent and amount (milestones[k].amount), a receipt without
 * its date (milestones[k].received_on) or above the planned amount
 * (milestones[k].received_amount), a plan that does not add up to the
 * amount (milestones, code plan_mismatch). */
bf_result contract_plan(json_t *norm, int64_t amount, const char *today, json_t **out,
                        bf_error *err);

#endif
