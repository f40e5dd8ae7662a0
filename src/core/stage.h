/* Stage gating: may an opportunity leave its stage? The exit criteria of the
 * stage must all be ticked. Pure logic over the playbook and the checklist. */
#ifndef BF_CORE_STAGE_H
#define BF_CORE_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/playbook.h"
#include "core/result.h"

/* The state of one checklist item of an opportunity, as stored. */
typedef struct checklist_state {
    const char *item_id;
    bool done;
    const char *evidence;
    const char *done_by;
    const char *done_at;
} checklist_state;

/* The outcome of an advance check. */
typedef struct stage_gate {
    const stage_def *from;
    const stage_def *to;         /* the next stage, NULL at the last stage */
    const checklist_def **unmet; /* items of `from` not done (caller's array of from->nitems) */
    size_t nunmet;
} stage_gate;

/* Checks whether an opportunity in stage_id with the given checklist may move
 * to the next stage. gate->unmet must have room for the stage's item count
 * (use stage_gate_init). Returns BF_OK when it may advance, BF_ERR_GATE_UNMET
 * when items are unmet, BF_ERR_CONFLICT at the last stage, BF_ERR_NOT_FOUND
 * when stage_id is not in the playbook. */
bf_result stage_advance_check(const playbook *pb, const char *stage_id,
                              const checklist_state *state, size_t nstate, stage_gate *gate,
                              bf_error *err);

/* The state entry for item_id, or NULL when never touched. */
const checklist_state *stage_find_state(const checklist_state *state, size_t nstate,
                                        const char *item_id);

#endif
