/* Two forms that mark each item of a list the playbook names: the review of
 * a proposal against its common defects (方案评审: each defect marked
 * absent; releasing the proposal is then asked for through an approval,
 * src/api/approvals.c), and the check of the customer's buying conditions
 * (客户购买条件确认表: each condition marked met, with its evidence). Gate
 * items "derived_from" them are met from them. Pure: no I/O. */
#ifndef BF_CORE_PROPOSAL_H
#define BF_CORE_PROPOSAL_H

#include <jansson.h>
#include <stddef.h>

#include "core/playbook.h"
#include "core/schema.h"

/* The body of the form "proposal-review": {"defects": {"<id>": {"absent":
 * bool, "note": text}}, "note": text}. Which ids are known is the
 * playbook's (proposal_review_unknown). */
extern const schema proposal_review_schema;

/* The first defect id of form that defects (n of them) does not name, or
 * NULL. */
const char *proposal_review_unknown(json_t *form, const template_def *defects, size_t n);

/* What the review says (a new object): {total, absent, open: [ids of the
 * defects not marked absent, in the playbook's order], passed}; form may be
 * NULL (never reviewed). NULL when out of memory. */
json_t *proposal_review_evaluate(json_t *form, const template_def *defects, size_t n);

/* The body of the form "buying-conditions": {"conditions": {"<id>": {"met":
 * bool, "evidence": text}}, "note": text}. */
extern const schema buying_conditions_schema;

/* As proposal_review_unknown and proposal_review_evaluate for the buying
 * conditions ("met" counts the conditions marked met). */
const char *buying_conditions_unknown(json_t *form, const template_def *conditions, size_t n);
json_t *buying_conditions_evaluate(json_t *form, const template_def *conditions, size_t n);

#endif
