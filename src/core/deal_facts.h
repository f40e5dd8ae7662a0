/* The shared facts of a deal: each has one home, and every qualification
 * worksheet that shows it (the evaluation's MAN, MANT, 5W+2P) reads it from
 * there and writes it there (docs/playbook-schema.md, "Where a deal's facts
 * live"):
 *  budget          the deal's field budget (fen)
 *  competitors     the deal's field competitors (one list)
 *  decision_makers the account's contacts whose buying role is
 *                  decision_maker (their names)
 *  expected_close  the deal's field expected_close (the timing)
 * The worksheets keep only what is theirs (MANT's source of funds, needs and
 * time-scale; MAN's evidence; 5W+2P's notes). MAN's answers follow the same
 * data as MANT's parts, so the two verdicts cannot disagree. Pure: no I/O.
 * Every returned json_t is a new reference owned by the caller; NULL means
 * out of memory. */
#ifndef BF_CORE_DEAL_FACTS_H
#define BF_CORE_DEAL_FACTS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/schema.h"

/* The shared facts as a worksheet's body may carry them (member "facts"),
 * every member optional: {"budget": int fen >= 0, "competitors": [str],
 * "decision_makers": [str], "expected_close": "YYYY-MM-DD"}. A member left
 * out leaves its fact as it is; a member null clears it (kept as null in the
 * normalized copy, SCHEMA_CLEARS). */
extern const schema deal_facts_schema;

/* Takes the shared facts out of a validated worksheet form (changed in
 * place): its member "facts", and MANT's money.budget, which older clients
 * send there (the "facts" member wins when both name the budget). Answers
 * the facts to write to their home (an object, empty when none): a budget or
 * expected close null is to be cleared, a list null is the empty list. */
json_t *deal_facts_take(json_t *form);

/* Shows the home's facts (as deal_facts_schema, a member null or absent when
 * unknown) in a worksheet's data (changed in place; data may be NULL):
 * MANT's money.budget is the deal's budget. False when out of memory. */
bool deal_facts_show(json_t *data, const char *form_name, json_t *facts);

/* The evaluation form with MAN's answers as the shared data gives them (new
 * ref; form may be NULL). mant is mant_evaluate's answer for the same deal.
 * A part whose MANT counterpart (money, authority, needs) is complete is
 * "yes", whatever the form says; any other keeps the form's answer (MANT's
 * parts are the stricter test). So MANT complete means MAN's class M+A+N,
 * and MAN's 条件不足 means MANT is not complete. */
json_t *man_from_facts(json_t *form, json_t *mant);

/* Where each MAN answer came from (new ref): {"money": "facts"|"form", …}:
 * "facts" where the MANT counterpart is complete. */
json_t *man_answer_sources(json_t *mant);

#endif
