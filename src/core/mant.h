/* MANT, the funnel gate of seed 004: money, authority, needs and time-scale.
 * The form is validated at the boundary; its completeness is computed from
 * the data and the account's buying centre, never ticked by hand, and the
 * stage checklist items of framework MANT follow from it. Pure: no I/O.
 * Every returned json_t is a new reference owned by the caller; NULL means
 * out of memory. */
#ifndef BF_CORE_MANT_H
#define BF_CORE_MANT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/result.h"
#include "core/schema.h"

/* The declared body of the MANT form. */
extern const schema mant_form_schema;

/* Validates a MANT form. in (every part and field optional):
 *  {"money": {"budget": int fen >= 0, "source": str, "approved": bool,
 *             "in_place": bool},
 *   "needs": [str, …]  (1..5 items, each non-empty, at most 500 characters),
 *   "time": {"tender_month": "YYYY-MM", "go_live": "YYYY-MM-DD"}}
 * *out (new ref) is the normalized copy. Authority is not part of the form:
 * it is counted from the account's contacts (mant_authority). */
bf_result mant_validate(json_t *in, json_t **out, bf_error *err);

/* The buying centre of the account, counted from its contacts (filled by the
 * caller; names are UTF-8). Each list is NULL-terminated and may be empty or
 * NULL. */
typedef struct mant_authority {
    const char *const *approvers; /* names, NULL-terminated lists (may be empty) */
    const char *const *decision_makers;
    const char *const *evaluators;
    const char *const *coaches;
} mant_authority;

/* MANT completeness computed from the data, never ticked by hand (new ref):
 * {"complete": bool,
 *  "parts": {"money": {"complete", "missing": [field names]},
 *            "authority": {"complete", "missing", "approvers": [names],
 *                          "decision_makers": […], "evaluators": […],
 *                          "coaches": […]},
 *            "needs": {"complete", "missing", "count"},
 *            "time": {"complete", "missing"}}}
 * Money: budget > 0, source given, approved and in_place true. Authority: at
 * least one approver, decision maker, evaluator and coach. Needs: 3..5.
 * Time: tender_month and go_live given. authority may be NULL (no contacts). */
json_t *mant_evaluate(json_t *form, const mant_authority *authority);

/* ---- MANT items of a stage checklist ---- */

/* What a checklist item derived from MANT still lacks, by its id: an id
 * naming money, authority, need or time stands for that part (its missing
 * fields), any other for MANT as a whole (its incomplete parts). mant is
 * mant_evaluate's answer. A new array of names (empty: the item is met);
 * NULL when out of memory. */
json_t *mant_item_missing(json_t *mant, const char *item_id);

/* The evidence of such an item in lang ("zh" or "en"), written into out (cap
 * bytes): that it is computed, or which names are missing, in words. */
void mant_item_evidence(json_t *missing, const char *lang, char *out, size_t cap);

#endif
