/* Opportunity rules: the playbook and stage must exist, probability follows
 * the stage (won 100, lost and abandoned 0), closing as lost or abandoned
 * needs a reason, and moving a deal to another playbook maps its stage by
 * probability. */
#ifndef BF_CORE_OPPORTUNITY_H
#define BF_CORE_OPPORTUNITY_H

#include <stdbool.h>

#include "core/playbook.h"
#include "core/record.h"
#include "core/result.h"

/* Checks opp (a complete record: on update, the stored one with the patch
 * applied) and derives its stage and probability. before is the stored
 * record on update, NULL on create. *stage_moved tells whether the stage or
 * playbook differs from before (always true on create). */
bf_result opportunity_prepare(record *opp, const record *before, const playbook_set *playbooks,
                              bool *stage_moved, bf_error *err);

/* True when status is open (only open deals move through stages). */
bool opportunity_is_open(const record *opp);

#endif
