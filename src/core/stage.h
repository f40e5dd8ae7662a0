/* Stage gating: may an opportunity leave its stage? Every exit criterion and
 * deliverable of the stage must be done, and every decision point asked in
 * the stage answered "yes". Pure logic over the playbook and the checklist. */
#ifndef BF_CORE_STAGE_H
#define BF_CORE_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/playbook.h"
#include "core/result.h"

/* The state of one checklist item (or decision answer) of an opportunity. */
typedef struct checklist_state {
    const char *item_id;
    bool done; /* decision points: answered "yes" */
    const char *evidence;
    const char *activity_id;
    const char *document;
    const char *done_by;
    const char *done_at;
    struct json_t *missing; /* an item derived from MANT: what is missing (a JSON array of
                               mant_item_missing's names, owned by whoever filled it), else NULL */
} checklist_state;

/* The outcome of an advance check. */
typedef struct stage_gate {
    const stage_def *from;
    const stage_def *to;         /* the next stage, NULL at the last stage */
    bool wins;                   /* passing this gate wins the deal (playbook_winning_stage) */
    const checklist_def **unmet; /* gating items not done (room: stage_gate_room) */
    size_t nunmet;
    const decision_def **unmet_decisions; /* decision points not answered yes */
    size_t nunmet_decisions;
} stage_gate;

/* Checks whether an opportunity in stage_id with the given checklist may pass
 * its stage's gate: move to the next stage or, at the winning stage, be won
 * (gate->wins; gate->to is then the 100% last stage it enters, or NULL).
 * gate->unmet needs room for the stage's items and gate->unmet_decisions for
 * the playbook's decision points. Returns BF_OK when the gate is met,
 * BF_ERR_GATE_UNMET when something is unmet, BF_ERR_NOT_FOUND for an
 * unknown stage. */
bf_result stage_advance_check(const playbook *pb, const char *stage_id,
                              const checklist_state *state, size_t nstate, stage_gate *gate,
                              bf_error *err);

/* The state entry for item_id, or NULL when never touched. */
const checklist_state *stage_find_state(const checklist_state *state, size_t nstate,
                                        const char *item_id);

#endif
