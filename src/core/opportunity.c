/* Opportunity rules (see opportunity.h). */
#include "core/opportunity.h"

#include <string.h>

static bool currency_valid(const char *s)
{
    if (s == NULL || strlen(s) != 3)
        return false;
    for (int i = 0; i < 3; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return false;
    return true;
}

bool opportunity_is_open(const record *opp)
{
    const char *status = record_text(opp, "status");
    return status != NULL && strcmp(status, "open") == 0;
}

bf_result opportunity_prepare(record *opp, const record *before, const playbook_set *playbooks,
                              bool *stage_moved, bf_error *err)
{
    const char *pb_id = record_text(opp, "playbook");
    const playbook *pb = pb_id ? playbook_set_find(playbooks, pb_id) : NULL;
    if (pb == NULL)
        return bf_fail(err, BF_ERR_INVALID, "unknown_playbook", "playbook",
                       "playbook %s is not loaded; see GET /api/v1/playbooks",
                       pb_id ? pb_id : "(none)");

    const char *currency = record_text(opp, "currency");
    if (!currency_valid(currency))
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", "currency",
                       "currency must be an ISO 4217 code in capitals, such as CNY");

    const stage_def *stage;
    if (before == NULL) {
        const char *stage_id = record_text(opp, "stage");
        stage = stage_id ? playbook_stage(pb, stage_id, NULL) : &pb->stages[0];
        if (stage == NULL)
            return bf_fail(err, BF_ERR_INVALID, "unknown_stage", "stage",
                           "stage %s is not a stage of playbook %s", stage_id, pb->id);
        *stage_moved = true;
    } else if (strcmp(record_text(before, "playbook"), pb->id) != 0) {
        /* Another playbook: keep the deal as far along as it was. */
        int prob = (int)record_field_const(before, "probability")->i;
        stage = playbook_stage_by_probability(pb, prob);
        *stage_moved = true;
    } else {
        stage = playbook_stage(pb, record_text(opp, "stage"), NULL);
        if (stage == NULL) /* the playbook changed under a stored deal */
            stage =
                playbook_stage_by_probability(pb, (int)record_field_const(opp, "probability")->i);
        *stage_moved = false;
    }
    record_set_text(opp, "stage", stage->id);
    const char *status = record_text(opp, "status");
    /* Closed deals are certain: won 100, lost and abandoned 0; an open deal
     * has its stage's probability. */
    int probability = stage->probability;
    if (status && strcmp(status, "won") == 0)
        probability = 100;
    else if (status && strcmp(status, "open") != 0)
        probability = 0;
    record_set_int(opp, "probability", probability);

    const char *reason = record_text(opp, "close_reason");
    if (status && (strcmp(status, "lost") == 0 || strcmp(status, "abandoned") == 0) &&
        (reason == NULL || reason[0] == '\0'))
        return bf_fail(err, BF_ERR_INVALID, "required", "close_reason",
                       "close_reason is required when an opportunity is %s", status);
    return BF_OK;
}
