/* The qualification forms of the seeds (SPEC §4): the opportunity evaluation
 * 商机评价表 (MAN class, weighted quantitative score, manager's qualitative
 * judgement, mapping to the sales mode 快刀/顾问/战略 — "a big deal must not be
 * worked as a small one" 防止大单做小, seed 003), the MANT funnel gate (seed
 * 004), 5W+2P (seed 001) and the compelling event CE (seeds 004 and 002).
 *
 * Each form has a validator (strict, at the boundary: *out is a normalized
 * copy — strings trimmed, null and empty optional values dropped — and
 * nothing is stored) and an evaluation that computes the form's state from
 * its data (nothing is ticked by hand). Pure: no I/O. Every returned json_t is
 * a new reference owned by the caller; NULL means out of memory. A `form`
 * argument may be NULL (nothing filled in yet) and then counts as empty. */
#ifndef BF_CORE_QUALIFICATION_H
#define BF_CORE_QUALIFICATION_H

#include <jansson.h>
#include <stdbool.h>

#include "core/result.h"
#include "core/mant.h"
#include "core/schema.h"

/* The declared bodies of the forms and of the evaluation's configuration. */
extern const schema evaluation_form_schema;
extern const schema evaluation_config_schema;
extern const schema w5p2_form_schema;
extern const schema ce_form_schema;

/* ---- Opportunity evaluation 商机评价 (seed 003) ---- */

/* Validates an opportunity evaluation form against cfg (NULL = the default
 * configuration). in:
 *  {"money": {"answer": "yes"|"no"|"unknown", "evidence": str?},
 *   "authority": {…same…}, "need": {…same…},
 *   "indicators": [{"id": str, "score": int 0..100}],
 *   "qualitative": {"score": int 0..100, "note": str?}?}
 * Every part is optional. *out (new ref) is the normalized copy: the three
 * MAN parts always present (answer "unknown" when not given), "indicators"
 * always an array, "qualitative" only when given. An indicator id that cfg
 * does not define fails with code "unknown_indicator" on "indicators[i].id". */
bf_result evaluation_validate(json_t *in, json_t *cfg, json_t **out, bf_error *err);

/* The built-in configuration (new ref): six indicators of the quantitative
 * evaluation with weights summing to 100, and the score thresholds of the
 * sales modes: {"indicators": [{"id", "name": {zh, en}, "weight"}…],
 * "mode_thresholds": {"consultative": 40, "strategic": 70}}. */
json_t *evaluation_default_config(void);

/* Validates a configuration: 1..20 indicators with unique ids
 * ([a-z][a-z0-9_]*, at most 40 characters), names in zh and en, positive
 * weights summing to 100; thresholds 0..100 with consultative < strategic. */
bf_result evaluation_config_validate(json_t *cfg, bf_error *err);

/* The evaluation's result (new ref) for a validated form (may be NULL) under
 * cfg (a valid configuration, NULL = default); chosen_mode may be NULL:
 * {"man": {"class": "M+A+N"|"M+A+n"|"M+a+N"|"m+A+N"|"other",
 *          "label": {zh, en}, "action": {zh, en}},
 *  "score": {"value": "73.50", "hundredths": 7350},
 *  "qualitative": int|null,
 *  "recommended_mode": "quick"|"consultative"|"strategic",
 *  "chosen_mode": str|null,
 *  "warning": {"code": "mode_below_recommendation", "text": {zh, en}}|null}
 * A capital letter is an answer "yes"; "no" and "unknown" are small. The
 * score is sum(weight*score)/sum(weight) exactly, in hundredths rounded half
 * up; indicators not scored count as 0. The recommended mode follows the
 * quantitative score only: >= strategic → strategic, >= consultative →
 * consultative, else quick. The warning appears when the chosen mode is one
 * of the three and below the recommended one. */
json_t *evaluation_result(json_t *form, json_t *cfg, const char *chosen_mode);

/* ---- 5W+2P, is the lead a real opportunity (seed 001) ---- */

/* Validates a 5W+2P form: {"motive", "decision_maker", "process", "needs",
 * "competitors", "budget", "timetable"}, each an optional string of at most
 * 2000 characters (blank counts as not answered), and "facts" (the shared
 * facts, deal_facts.h, which the caller takes out and writes to their home).
 * *out (new ref) is the normalized copy. */
bf_result w5p2_validate(json_t *in, json_t **out, bf_error *err);

/* The seven questions and their answers (new ref):
 * {"answered": n, "total": 7, "complete": bool,
 *  "questions": [{"id", "question": {zh, en}, "answer": str|null,
 *                 "shared": fact key|null, "fact": value|null}…]}.
 * Four questions are answered by a shared fact of the deal too (facts, as
 * deal_facts.h shows them; may be NULL): decision_maker by decision_makers,
 * competitors by competitors, budget by budget, timetable by expected_close.
 * Such a question names its fact ("shared") and, when the fact holds
 * something, carries it ("fact", else null) and counts as answered; its text
 * is a note beside it. */
json_t *w5p2_evaluate(json_t *form, json_t *facts);

/* ---- Compelling event CE (seeds 004 and 002) ---- */

/* Validates a compelling event form: {"what": str, "by_when": "YYYY-MM-DD",
 * "consequence": str}, each optional; a consequence must be measurable — it
 * must contain a digit (an amount, a date, a count), else code
 * "not_measurable". *out (new ref) is the normalized copy. */
bf_result ce_validate(json_t *in, json_t **out, bf_error *err);

/* The CE's state (new ref): {"complete": bool, "missing": [fields],
 * "required_now": bool, "flag": bool, "text": {zh, en}}. required_now comes
 * from the caller (the deal is at or after the stage whose playbook needs a
 * CE); flag = required_now && !complete. */
json_t *ce_evaluate(json_t *form, bool required_now);

/* ---- Checklist items derived from the forms ---- */

/* True when a checklist item of framework (a criterion's "framework") is
 * computed from a form rather than ticked: every 5W2P and CE item, and the
 * MAN items whose id says "man-evaluated" (the evaluation's M, A and N
 * answered) or "mode-matched" (a sales mode chosen, not below the
 * recommended one). MANT's are mant.h's. */
bool qualification_item_derived(const char *framework, const char *item_id);

/* What such an item still lacks (new array of names; empty: met; NULL when
 * out of memory): 5W2P, the questions unanswered — the one its id names
 * (motive, decision-maker, decision-process, needs, competitors, budget,
 * timetable) or all seven; CE, ce_evaluate's missing fields; MAN, the parts
 * still unknown (money, authority, need), or "evaluation" (none saved) and
 * "sales_mode" (none chosen, or below the recommended one). w5p2, ce and
 * evaluation are the evaluations' answers, evaluation_form the stored
 * evaluation form; each may be NULL when not needed. */
json_t *qualification_item_missing(const char *framework, const char *item_id, json_t *w5p2,
                                   json_t *ce, json_t *evaluation_form, json_t *evaluation);

/* The evidence of such an item in lang ("zh" or "en") into out (cap bytes):
 * that it is computed from its form, or what is missing, in words. */
void qualification_item_evidence(const char *framework, json_t *missing, const char *lang,
                                 char *out, size_t cap);

#endif
