/* The review of a proposal against the playbook's common defects (方案评审):
 * a reviewer marks each defect absent, with a note; the review passes when
 * every defect is. Releasing the proposal is then asked for through an
 * approval (src/api/approvals.c). Pure: no I/O. */
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

#endif
