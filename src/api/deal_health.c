/* Deal health (GET /opportunities/{id}/health): an explainable score built
 * from the opportunity's real state — the stage's unmet criteria, MANT gaps,
 * the compelling event, a coach in the buying centre, how long since the
 * last activity against the mode's cadence, days in stage against the
 * playbook's typical days, and a competitor ahead in the tender simulation or
 * selection scoring. The weighing is core/health.c's. */
#include "api/api.h"

#include <string.h>
#include <time.h>

#include "core/health.h"
#include "core/qualification.h"
#include "core/selection.h"
#include "core/stage.h"
#include "core/tender.h"
#include "core/text.h"
#include "http/response.h"

static json_t *form_data(api_call *call, const record *opp, const char *form)
{
    stored_form sf;
    if (store_form_get(call->app->store, call->arena, "opportunity", opp->id, form, &sf,
                       &call->err) != BF_OK ||
        sf.data == NULL)
        return NULL;
    return api_keep(call, json_loads(sf.data, 0, NULL));
}

static int days_between(const char *earlier, time_t now)
{
    time_t t = earlier ? text_parse_utc(earlier) : 0;
    return t > 0 && now >= t ? (int)((now - t) / 86400) : 0;
}

static bf_result gate_count(api_call *call, const record *opp, const playbook *pb, int *out)
{
    const stage_def *stage = playbook_stage(pb, record_text(opp, "stage"), NULL);
    *out = 0;
    if (stage == NULL)
        return BF_OK;
    checklist_state *state;
    size_t n;
    bf_result r = checklist_state_of(call, opp, pb, stage->id, &state, &n);
    if (r != BF_OK)
        return r;
    stage_gate gate;
    gate.unmet = arena_calloc(call->arena, stage->nitems + 1, sizeof(*gate.unmet));
    gate.unmet_decisions = arena_calloc(call->arena, pb->ndecisions + 1, sizeof(decision_def *));
    if (gate.unmet == NULL || gate.unmet_decisions == NULL)
        return BF_ERR_NOMEM;
    bf_error ignored;
    stage_advance_check(pb, stage->id, state, n, &gate, &ignored);
    /* Counted from what the viewer sees: a partner's figure leaves out the
     * internal deliverables it is never shown. */
    size_t visible = 0;
    for (size_t i = 0; i < gate.nunmet; i++)
        visible += !checklist_item_hidden(call, gate.unmet[i]);
    *out = (int)(visible + gate.nunmet_decisions);
    return BF_OK;
}

static bf_result latest_done(api_call *call, record *act, void *ctx)
{
    (void)call;
    const char **last = ctx;
    const char *done = record_text(act, "done_at");
    if (done && (*last == NULL || strcmp(done, *last) > 0))
        *last = done;
    return BF_OK;
}

/* Reads the buying centre (a coach), the MANT gaps (when the playbook uses
 * MANT) and whether a compelling event is recorded. */
static bf_result health_read_qualification(api_call *call, const record *opp, const playbook *pb,
                                           health_inputs *in)
{
    mant_authority authority;
    json_t *mant;
    bf_result r = api_mant_of(call, opp, &mant, &authority, NULL);
    if (r != BF_OK)
        return r;
    in->has_coach = authority.coaches[0] != NULL;
    if (playbook_uses(pb, "MANT")) {
        json_t *parts = json_object_get(mant, "parts");
        const char *key;
        json_t *part;
        in->mant_gaps = 0;
        json_object_foreach(parts, key, part)
        {
            in->mant_gaps += !json_is_true(json_object_get(part, "complete"));
        }
    }
    json_t *ce = api_keep(call, ce_evaluate(form_data(call, opp, "compelling-event"), false));
    const char *ce_text = record_text(opp, "compelling_event");
    in->has_compelling_event =
        json_is_true(json_object_get(ce, "complete")) || (ce_text != NULL && *ce_text != '\0');
    return BF_OK;
}

/* Reads the days since the last activity done and the mode's cadence. */
static bf_result health_read_activity(api_call *call, const record *opp, const playbook *pb,
                                      time_t now, health_inputs *in)
{
    const char *last = NULL;
    bf_result r =
        api_each_record(call, &resource_activities, "opportunity_id", opp->id, latest_done, &last);
    if (r != BF_OK)
        return r;
    if (last != NULL)
        in->days_since_activity = days_between(last, now);
    const mode_def *mode = playbook_mode(pb, record_text(opp, "sales_mode"));
    if (mode && mode->benchmark_visits > 0 && mode->benchmark_days > 0) {
        in->cadence_days = mode->benchmark_days / mode->benchmark_visits;
        if (in->cadence_days < 1)
            in->cadence_days = 1;
    }
    return BF_OK;
}

/* Reads the days in stage, from the last stage change, and the stage's
 * typical days. */
static bf_result health_read_stage_age(api_call *call, const record *opp, const playbook *pb,
                                       time_t now, health_inputs *in)
{
    stage_change *history;
    size_t nh;
    bf_result r =
        store_stage_history(call->app->store, call->arena, opp->id, &history, &nh, &call->err);
    if (r != BF_OK)
        return r;
    in->days_in_stage = days_between(nh ? history[nh - 1].changed_at : opp->created_at, now);
    const stage_def *stage = playbook_stage(pb, record_text(opp, "stage"), NULL);
    in->typical_days = stage ? stage->typical_days : 0;
    return BF_OK;
}

/* Reads whether a competitor is ahead in the tender's simulation (our
 * estimate of the competitors' prices: internal, so not for a partner) or the
 * selection scoring. */
static void health_read_competition(api_call *call, const record *opp, health_inputs *in)
{
    json_t *tender =
        access_may(call->who->role, ACCESS_SEE_INTERNAL) ? form_data(call, opp, "tender") : NULL;
    json_t *te = tender ? api_keep(call, tender_evaluate(tender)) : NULL;
    json_t *sim = te ? json_object_get(te, "simulation") : NULL;
    if (json_integer_value(json_object_get(sim, "us_rank")) > 1)
        in->competitor_ahead = true;
    json_t *sel = form_data(call, opp, "selection-scoring");
    json_t *se = sel ? api_keep(call, selection_evaluate(sel)) : NULL;
    if (json_integer_value(json_object_get(se, "us_rank")) > 1)
        in->competitor_ahead = true;
}

/* Weighs the inputs and answers the score with the inputs it came from. */
static bf_result health_respond(api_call *call, const record *opp, const health_inputs *in)
{
    json_t *out = health_evaluate(in);
    if (out == NULL)
        return BF_ERR_NOMEM;
    json_object_set_new(out, "opportunity_id", json_string(opp->id));
    json_object_set_new(out, "inputs",
                        json_pack("{s:i, s:i, s:b, s:b, s:i, s:i, s:i, s:i, s:b}",
                                  "unmet_gate_items", in->unmet_gate_items, "mant_gaps",
                                  in->mant_gaps, "has_compelling_event", in->has_compelling_event,
                                  "has_coach", in->has_coach, "days_since_activity",
                                  in->days_since_activity, "cadence_days", in->cadence_days,
                                  "days_in_stage", in->days_in_stage, "typical_days",
                                  in->typical_days, "competitor_ahead", in->competitor_ahead));
    http_respond_json(call->req, 200, out);
    return BF_OK;
}

bf_result opportunity_health(api_call *call, const api_route *route)
{
    (void)route;
    record *opp;
    const playbook *pb;
    bf_result r = opportunity_load(call, &opp, &pb);
    if (r != BF_OK)
        return r;
    time_t now = time(NULL);
    health_inputs in = {.mant_gaps = -1, .cadence_days = 14, .days_since_activity = -1};
    if ((r = gate_count(call, opp, pb, &in.unmet_gate_items)) != BF_OK)
        return r;
    if ((r = health_read_qualification(call, opp, pb, &in)) != BF_OK)
        return r;
    if ((r = health_read_activity(call, opp, pb, now, &in)) != BF_OK)
        return r;
    if ((r = health_read_stage_age(call, opp, pb, now, &in)) != BF_OK)
        return r;
    health_read_competition(call, opp, &in);
    return health_respond(call, opp, &in);
}
