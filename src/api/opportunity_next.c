/* What to do next on an opportunity (GET /opportunities/{id}/next): what the
 * playbook asks for now — unmet exit criteria, missing deliverables, pending
 * key activities with their owning roles, open decision points, visits due by
 * the sales mode's plan with the plan's compliance, and once won the closing
 * steps — in the request's language. */
#include "api/api.h"

#include <string.h>
#include <time.h>

#include "core/stage.h"
#include "core/text.h"
#include "core/visit_plan.h"
#include "http/response.h"

static json_t *str(const i18n_text *t, const char *lang)
{
    return json_string(i18n_pick(t, lang));
}

static json_t *steps_json(const checklist_def *def, const char *lang)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < def->nsteps; i++)
        json_array_append_new(arr, json_pack("{s:o, s:s?}", "text", str(&def->steps[i].text, lang),
                                             "owner", def->steps[i].owner));
    return arr;
}

/* Every activity of the deal, gathered page by page. */
typedef struct activity_list {
    record **items;
    size_t n, cap;
} activity_list;

static bf_result collect_activity(api_call *call, record *act, void *ctx)
{
    activity_list *all = ctx;
    if (all->n == all->cap) {
        size_t cap = all->cap ? all->cap * 2 : 32;
        record **bigger = arena_calloc(call->arena, cap, sizeof(record *));
        if (bigger == NULL)
            return BF_ERR_NOMEM;
        if (all->n)
            memcpy(bigger, all->items, all->n * sizeof(record *));
        all->items = bigger;
        all->cap = cap;
    }
    all->items[all->n++] = act;
    return BF_OK;
}

/* The visit plan of the deal's sales mode against the visits done. */
static bf_result plan_json(api_call *call, const record *opp, const playbook *pb, const char *lang,
                           json_t **out_plan, json_t **out_due)
{
    *out_plan = json_null();
    *out_due = json_array();
    const mode_def *mode = playbook_mode(pb, record_text(opp, "sales_mode"));
    const char *since = record_text(opp, "sales_mode_since");
    if (mode == NULL || since == NULL)
        return BF_OK;

    activity_list all = {.items = NULL};
    bf_result r = api_each_record(call, &resource_activities, "opportunity_id", opp->id,
                                  collect_activity, &all);
    if (r != BF_OK)
        return r;
    record_page page = {.items = all.items, .n = all.n};
    char now[32];
    text_format_utc(time(NULL), now, sizeof(now));
    plan_activity *acts = arena_calloc(call->arena, page.n + 1, sizeof(*acts));
    if (acts == NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; i < page.n; i++) {
        acts[i].type = record_text(page.items[i], "type");
        acts[i].done_at = record_text(page.items[i], "done_at");
    }
    plan_status ps;
    visit_plan_evaluate(mode, since, now, acts, page.n, &ps);

    for (size_t i = 0; i < mode->nvisits; i++) {
        const visit_def *v = &mode->visits[i];
        char ref[64];
        visit_plan_ref(mode, v, ref, sizeof(ref));
        const record *act = NULL;
        for (size_t k = 0; k < page.n && act == NULL; k++) {
            const char *pr = record_text(page.items[k], "plan_ref");
            if (pr && strcmp(pr, ref) == 0)
                act = page.items[k];
        }
        const char *due = act ? record_text(act, "planned_at") : NULL;
        bool done = act && record_text(act, "done_at") != NULL;
        if (done)
            continue;
        json_array_append_new(*out_due,
                              json_pack("{s:i, s:o, s:s?, s:s?, s:s?, s:b}", "n", v->n, "purpose",
                                        str(&v->purpose, lang), "owner", v->owner, "due", due,
                                        "activity_id", act ? act->id : NULL, "overdue",
                                        due != NULL && strcmp(due, now) < 0));
    }
    *out_plan =
        json_pack("{s:s, s:o, s:s, s:s, s:i, s:i, s:i, s:i, s:b, s:s}", "mode", mode->id, "name",
                  str(&mode->name, lang), "since", since, "window_end", ps.window_end,
                  "window_days", mode->benchmark_days, "planned_visits", mode->benchmark_visits,
                  "visits_done_in_window", ps.done_in_window, "visits_done", ps.done_total,
                  "compliant", ps.compliant, "status", ps.status);
    return BF_OK;
}

/* Appends the stage's items not yet done (and not hidden from the viewer) to
 * the unmet criteria, the missing deliverables or the pending activities. */
static void next_list_stage_items(api_call *call, const stage_def *stage,
                                  const checklist_state *state, size_t n, const char *lang,
                                  json_t *criteria, json_t *deliverables, json_t *activities)
{
    for (size_t i = 0; i < stage->nitems; i++) {
        const checklist_def *d = &stage->items[i];
        const checklist_state *s = stage_find_state(state, n, d->id);
        if ((s && s->done) || checklist_item_hidden(call, d))
            continue;
        if (d->type == ITEM_CRITERION)
            json_array_append_new(criteria, json_pack("{s:s, s:o, s:s?, s:s?}", "id", d->id, "text",
                                                      str(&d->text, lang), "owner", d->owner,
                                                      "framework", d->framework));
        else if (d->type == ITEM_DELIVERABLE)
            json_array_append_new(deliverables,
                                  json_pack("{s:s, s:o, s:s?, s:s?, s:s?}", "id", d->id, "name",
                                            str(&d->text, lang), "audience", d->audience, "owner",
                                            d->owner, "template", d->template_id));
        else
            json_array_append_new(activities,
                                  json_pack("{s:s, s:o, s:o, s:s?, s:o}", "id", d->id, "name",
                                            str(&d->text, lang), "goal", str(&d->goal, lang),
                                            "owner", d->owner, "steps", steps_json(d, lang)));
    }
}

/* Appends the stage's decision points not yet answered yes to decisions. */
static void next_list_decisions(const playbook *pb, size_t idx, const checklist_state *state,
                                size_t n, const char *lang, json_t *decisions)
{
    for (size_t i = 0; i < pb->ndecisions; i++) {
        const decision_def *d = &pb->decisions[i];
        const checklist_state *s = stage_find_state(state, n, d->id);
        if (d->stage != idx || (s && s->done))
            continue;
        json_array_append_new(decisions,
                              json_pack("{s:s, s:o, s:s?, s:s, s:s?, s:o}", "id", d->id, "question",
                                        str(&d->question, lang), "answer", s ? "no" : NULL,
                                        "no_outcome", d->abandons ? "abandon" : "turnaround",
                                        "no_stage", d->abandons ? NULL : pb->stages[d->no_stage].id,
                                        "no_action", str(&d->no_action, lang)));
    }
}

/* Appends the closing steps of a won deal not yet done to closing. */
static void next_list_closing(const playbook *pb, const checklist_state *state, size_t n,
                              const char *lang, json_t *closing)
{
    for (size_t i = 0; i < pb->nclosing; i++) {
        const checklist_state *s = stage_find_state(state, n, pb->closing[i].id);
        if (!(s && s->done))
            json_array_append_new(closing, json_pack("{s:s, s:o, s:s?}", "id", pb->closing[i].id,
                                                     "text", str(&pb->closing[i].text, lang),
                                                     "owner", pb->closing[i].owner));
    }
}

/* The current stage as JSON (null when the deal has none). */
static json_t *next_stage_json(const stage_def *stage, const char *lang)
{
    if (stage == NULL)
        return json_null();
    return json_pack("{s:s, s:o, s:i, s:o, s:o, s:o, s:i}", "id", stage->id, "name",
                     str(&stage->name, lang), "probability", stage->probability, "goal",
                     str(&stage->goal, lang), "milestone", str(&stage->milestone, lang),
                     "success_criteria", str(&stage->success_criteria, lang), "typical_days",
                     stage->typical_days);
}

bf_result opportunity_next(api_call *call, const api_route *route)
{
    (void)route;
    record *opp;
    const playbook *pb;
    bf_result r = opportunity_load(call, &opp, &pb);
    if (r != BF_OK)
        return r;
    const char *lang = api_lang(call);
    const char *status = record_text(opp, "status");
    bool won = strcmp(status, "won") == 0;
    size_t idx = 0;
    const stage_def *stage = playbook_stage(pb, record_text(opp, "stage"), &idx);
    checklist_state *state = NULL;
    size_t n = 0;
    /* A won deal's work: its closing steps, else the items of the certain
     * last stage winning entered. */
    bool after_win = won && pb->nclosing == 0 && stage && idx > playbook_winning_stage(pb);
    const char *key = won && !after_win ? "won" : stage ? stage->id : "";
    if ((r = checklist_state_of(call, opp, pb, key, &state, &n)) != BF_OK)
        return r;

    json_t *criteria = json_array(), *deliverables = json_array(), *activities = json_array();
    json_t *decisions = json_array(), *closing = json_array();
    if ((!won || after_win) && stage) {
        next_list_stage_items(call, stage, state, n, lang, criteria, deliverables, activities);
        if (!won)
            next_list_decisions(pb, idx, state, n, lang, decisions);
    }
    if (won)
        next_list_closing(pb, state, n, lang, closing);
    json_t *plan, *visits;
    if ((r = plan_json(call, opp, pb, lang, &plan, &visits)) != BF_OK)
        return r;

    bool open = strcmp(status, "open") == 0;
    /* Passing this stage's gate wins the deal. */
    bool wins = stage && idx >= playbook_winning_stage(pb);
    size_t blocking =
        json_array_size(criteria) + json_array_size(deliverables) + json_array_size(decisions);
    json_t *body = json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:o, s:b, s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
        "opportunity_id", opp->id, "playbook", pb->id, "playbook_version", pb->version, "lang",
        lang, "status", status, "stage", next_stage_json(stage, lang), "turnaround",
        record_field_const(opp, "turnaround")->i != 0, "can_advance", open && blocking == 0, "wins",
        open && wins, "unmet_criteria", criteria, "missing_deliverables", deliverables,
        "pending_activities", activities, "decisions", decisions, "visits_due", visits,
        "visit_plan", plan, "closing", closing);
    http_respond_json(call->req, 200, body);
    return BF_OK;
}
