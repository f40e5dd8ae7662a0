/* Stage gating (see stage.h). */
#include "core/stage.h"

#include <string.h>

const checklist_state *stage_find_state(const checklist_state *state, size_t nstate,
                                        const char *item_id)
{
    for (size_t i = 0; i < nstate; i++)
        if (strcmp(state[i].item_id, item_id) == 0)
            return &state[i];
    return NULL;
}

bf_result stage_advance_check(const playbook *pb, const char *stage_id,
                              const checklist_state *state, size_t nstate, stage_gate *gate,
                              bf_error *err)
{
    size_t idx;
    const stage_def *from = playbook_stage(pb, stage_id, &idx);
    if (from == NULL)
        return bf_fail_args(err, BF_ERR_NOT_FOUND, "unknown_stage", "stage",
                            BF_ARGS(BF_TEXT("id", stage_id)), "stage %s is not in playbook %s",
                            stage_id, pb->id);
    gate->from = from;
    gate->to = idx + 1 < pb->nstages ? &pb->stages[idx + 1] : NULL;
    gate->wins = idx >= playbook_winning_stage(pb);
    gate->nunmet = 0;
    gate->nunmet_decisions = 0;
    for (size_t i = 0; i < from->nitems; i++) {
        if (!checklist_def_gates(&from->items[i]))
            continue;
        const checklist_state *s = stage_find_state(state, nstate, from->items[i].id);
        if (s == NULL || !s->done)
            gate->unmet[gate->nunmet++] = &from->items[i];
    }
    for (size_t i = 0; i < pb->ndecisions; i++) {
        if (pb->decisions[i].stage != idx)
            continue;
        const checklist_state *s = stage_find_state(state, nstate, pb->decisions[i].id);
        if (s == NULL || !s->done)
            gate->unmet_decisions[gate->nunmet_decisions++] = &pb->decisions[i];
    }
    size_t open = gate->nunmet + gate->nunmet_decisions;
    if (open > 0)
        return bf_fail(err, BF_ERR_GATE_UNMET, "gate_unmet", "stage",
                       gate->wins ? "%zu exit criteria of stage %s are not met; its gate wins "
                                    "the deal"
                                  : "%zu exit criteria of stage %s are not met",
                       open, from->id);
    return BF_OK;
}
