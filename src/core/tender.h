/* Tender record (招投标): procurement method, number, key dates, the bid
 * tasks (by default the ten bid steps of the Huayu method), the opening
 * record (every bidder and its read-out price) and the result; with the
 * procurement advisor's answer and the bid simulation of its scoring scheme. */
#ifndef BF_CORE_TENDER_H
#define BF_CORE_TENDER_H

#include <jansson.h>

#include "core/result.h"
#include "core/schema.h"

/* The key dates of a tender, in their order (the keys of "dates"), ended
 * by NULL: documents, qa, submission, opening, award_notice. */
extern const char *const tender_date_keys[];

/* The name of a key date in lang ("zh" or "en"): 投标截止 / Bids due …;
 * the key itself when it is none of them. */
const char *tender_date_label(const char *key, const char *lang);

/* The name of a tender result ("won": 中标 / Won) in lang ("en", else
 * Chinese); result itself when unknown. Static; not to be freed. */
const char *tender_result_label(const char *result, const char *lang);

/* The declared body of the tender record. */
extern const schema tender_form_schema;

/* Validates a tender record and fills defaults (the ten bid steps when no
 * tasks are given). in:
 *   {"procurement_method": "public_tender"|…, "number": str,
 *    "dates": {"documents", "qa", "submission", "opening", "award_notice": "YYYY-MM-DD"},
 *    "tasks": [{"step": str, "owner": str, "due": "YYYY-MM-DD", "done": bool}],
 *    "opening_record": [{"bidder": str, "price": fen, "note": str}],
 *    "facts": {…procurement advisor facts…}, "scheme": {…bid simulation request…},
 *    "result": "pending"|"won"|"lost"|"failed"|"cancelled", "result_note": str}
 * Every key optional. *out is the normalized record (new reference). */
bf_result tender_validate(json_t *in, json_t **out, bf_error *err);

/* The record with what follows from it (new reference): {"tender", "advice"
 * (procurement advisor, when facts are given), "simulation" (when a scheme is
 * given), "tasks_done", "tasks_total", "warnings": [{code, text}]}. */
json_t *tender_evaluate(json_t *tender);

#endif
