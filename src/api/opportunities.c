/* Opportunities (商机): the rules of create and update, and what follows
 * from them: the first stage in the history, a move to another playbook, a
 * sales mode's visit plan turned into planned visits, the reference-case
 * task of a won deal, and the activities that follow a deal to another
 * account. Stage work (checklist, decisions, advance) is in
 * opportunity_stage.c. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/approval.h"
#include "core/mant.h"
#include "core/opportunity.h"
#include "core/text.h"
#include "core/visit_plan.h"

const playbook *opportunity_playbook(api_call *call, const record *opp)
{
    const char *id = record_text(opp, "playbook");
    const field_value *v = record_field_const(opp, "playbook_version");
    const playbook *pb =
        v->null ? NULL : playbook_set_find_version(call->app->playbooks, id, (int)v->i);
    return pb ? pb : playbook_set_find(call->app->playbooks, id);
}

bf_result opportunity_load(api_call *call, record **opp, const playbook **pb)
{
    return opportunity_load_id(call, call->req->nparams > 0 ? call->req->params[0] : "", opp, pb);
}

bf_result opportunity_load_id(api_call *call, const char *id, record **opp, const playbook **pb)
{
    bf_result r = api_require_visible(call, &resource_opportunities, id);
    if (r == BF_OK)
        r = store_record_get(call->app->store, call->arena, &resource_opportunities, id, opp,
                             &call->err);
    if (r != BF_OK)
        return r;
    *pb = opportunity_playbook(call, *opp);
    if (*pb == NULL)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "unknown_playbook", "playbook",
                       "the opportunity's playbook %s is not loaded",
                       record_text(*opp, "playbook"));
    return BF_OK;
}

static bool text_changed(const record *rec, const record *before, const char *field)
{
    const char *a = record_text(rec, field);
    const char *b = before ? record_text(before, field) : NULL;
    if (a == NULL || b == NULL)
        return a != b;
    return strcmp(a, b) != 0;
}

bf_result opportunity_set_in_funnel(api_call *call, record *opp, const playbook *pb, bool is_new)
{
    const stage_def *stage = playbook_stage(pb, record_text(opp, "stage"), NULL);
    bool in = stage != NULL && stage->in_funnel;
    if (in && playbook_uses(pb, "MANT")) {
        in = false; /* a new deal has no MANT yet */
        json_t *mant;
        mant_authority authority;
        bf_result r = is_new ? BF_OK : api_mant_of(call, opp, &mant, &authority, NULL);
        if (r != BF_OK)
            return r;
        in = !is_new && json_is_true(json_object_get(mant, "complete"));
    }
    record_set_int(opp, "in_funnel", in);
    /* The forecast category: the owner's choice, else the stage's default. */
    const char *chosen = record_text(opp, "forecast_override");
    record_set_text(opp, "forecast_category",
                    chosen  ? chosen
                    : stage ? stage->forecast
                            : "pipeline");
    return BF_OK;
}

bf_result opportunity_set_closed(api_call *call, record *opp, const record *before)
{
    const char *status = record_text(opp, "status");
    const char *was = before ? record_text(before, "status") : "open";
    if (strcmp(status, was) == 0)
        return BF_OK;
    if (strcmp(status, "open") == 0) {
        record_set_text(opp, "closed_at", NULL);
        return BF_OK;
    }
    char now[32];
    store_now(now, sizeof(now));
    const char *at = arena_strdup(call->arena, now);
    if (at == NULL)
        return BF_ERR_NOMEM;
    record_set_text(opp, "closed_at", at);
    return BF_OK;
}

/* The id of the stage whose gate wins rec. */
static const char *pb_winning_stage_id(api_call *call, const record *rec)
{
    const playbook *pb = opportunity_playbook(call, rec);
    return pb ? pb->stages[playbook_winning_stage(pb)].id : "";
}

/* Whether closing opp now comes before its winning stage. */
static bool closes_early(api_call *call, const record *opp)
{
    const playbook *pb = opportunity_playbook(call, opp);
    size_t at;
    return pb != NULL && playbook_stage(pb, record_text(opp, "stage"), &at) != NULL &&
           at < playbook_winning_stage(pb);
}

/* A new deal starts in its playbook's first stage and moves through the
 * gates; loading one further along (history) is an admin's. */
static bf_result check_first_stage(api_call *call, const record *rec)
{
    size_t at = 0;
    const playbook *pb = opportunity_playbook(call, rec);
    if (pb == NULL || playbook_stage(pb, record_text(rec, "stage"), &at) == NULL || at == 0 ||
        call->who->role == ROLE_ADMIN)
        return BF_OK;
    return bf_fail(&call->err, BF_ERR_FORBIDDEN, "stage_through_gates", "stage",
                   "a new deal starts in the first stage of its playbook (%s) and moves on through "
                   "its gates; only an admin loads a deal further along",
                   pb->stages[0].id);
}

static bf_result opportunity_check(api_call *call, record *rec, const record *before)
{
    bool moved;
    bf_result r = opportunity_prepare(rec, before, call->app->playbooks, &moved, &call->err);
    if (r != BF_OK)
        return r;
    /* A deal runs on the version of its playbook it started on (or moved to). */
    if (before == NULL || text_changed(rec, before, "playbook")) {
        const playbook *pb = playbook_set_find(call->app->playbooks, record_text(rec, "playbook"));
        record_set_int(rec, "playbook_version", pb->version);
    }
    const char *status = record_text(rec, "status");
    bool wins = strcmp(status, "won") == 0 &&
                (before == NULL || strcmp(record_text(before, "status"), "won") != 0);
    if (wins && before != NULL)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "win_through_gate", "status",
                       "a deal is won only by passing its playbook's last gate (POST "
                       "/api/v1/opportunities/%s/advance from stage %s), or through an approval",
                       rec->id, pb_winning_stage_id(call, rec));
    if (before == NULL && (r = check_first_stage(call, rec)) != BF_OK)
        return r;
    if (wins && call->who->role != ROLE_ADMIN)
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "win_through_gate", "status",
                       "a new deal starts open and is won through its playbook's gates; only an "
                       "admin may load a deal that was already won");
    const char *won_by = record_text(rec, "won_by");
    if (strcmp(status, "lost") == 0 && (won_by == NULL || *won_by == '\0'))
        return bf_fail(&call->err, BF_ERR_INVALID, "required", "won_by",
                       "won_by (the competitor who won) is required when an opportunity is lost");
    if (before != NULL && strcmp(record_text(before, "status"), "open") != 0 &&
        strcmp(status, "open") != 0 && text_changed(rec, before, "status"))
        return bf_fail(&call->err, BF_ERR_CONFLICT, "closed", "status",
                       "the opportunity is already %s; reopen it first",
                       record_text(before, "status"));
    if ((r = opportunity_set_in_funnel(call, rec, opportunity_playbook(call, rec),
                                       before == NULL)) != BF_OK)
        return r;
    if ((r = api_duplicates_keep_key(call, rec, before)) != BF_OK)
        return r;
    if ((r = opportunity_set_closed(call, rec, before)) != BF_OK)
        return r;
    if (before != NULL && strcmp(record_text(before, "status"), "open") == 0 &&
        (strcmp(status, "lost") == 0 || strcmp(status, "abandoned") == 0) &&
        closes_early(call, before)) {
        /* Closing before the winning stage gives the deal up while its
         * playbook still has work for it: a manager's decision. */
        json_t *ask = api_keep(call, json_pack("{s:s, s:s, s:s?, s:s?}", "stage",
                                               record_text(before, "stage"), "status", status,
                                               "close_reason", record_text(rec, "close_reason"),
                                               "won_by", record_text(rec, "won_by")));
        if (ask == NULL)
            return BF_ERR_NOMEM;
        if ((r = approval_record_direct(call, before, APPROVAL_CLOSE, ask,
                                        record_text(rec, "close_reason"))) != BF_OK)
            return r;
    }
    if (before != NULL && text_changed(rec, before, "sales_mode") &&
        record_text(rec, "sales_mode") != NULL) {
        /* A mode below the evaluation's recommendation works a big deal as a
         * small one (防止大单做小): a manager's decision. */
        const char *recommended;
        if ((r = api_sales_mode_below(call, rec, &recommended)) != BF_OK)
            return r;
        json_t *ask =
            recommended
                ? api_keep(call, json_pack("{s:s, s:s, s:s?}", "sales_mode",
                                           record_text(rec, "sales_mode"), "recommended",
                                           recommended, "from", record_text(before, "sales_mode")))
                : NULL;
        if (recommended != NULL && ask == NULL)
            return BF_ERR_NOMEM;
        if (recommended != NULL &&
            (r = approval_record_direct(call, before, APPROVAL_SALES_MODE, ask, NULL)) != BF_OK)
            return r;
    }
    if (text_changed(rec, before, "sales_mode")) {
        char now[32];
        store_now(now, sizeof(now));
        record_set_text(rec, "sales_mode_since",
                        record_text(rec, "sales_mode") ? arena_strdup(call->arena, now) : NULL);
    }
    return BF_OK;
}

/* The day `days` from today at 09:30 China time (01:30Z), as UTC; never in
 * the past. */
static const char *plan_time(api_call *call, int days)
{
    time_t now = time(NULL);
    time_t at = (now / 86400 + days) * 86400 + 3600 + 1800;
    if (at < now) /* today's morning is gone: the next full hour */
        at = (now / 3600 + 1) * 3600;
    char out[32];
    text_format_utc(at, out, sizeof(out));
    return arena_strdup(call->arena, out);
}

typedef struct plan_refs {
    const char *mode; /* "quick" */
    bool found[100];  /* visit n already planned (not yet done or done) */
} plan_refs;

static bf_result note_plan_ref(api_call *call, record *act, void *ctx)
{
    (void)call;
    plan_refs *refs = ctx;
    const char *ref = record_text(act, "plan_ref");
    size_t len = strlen(refs->mode);
    if (ref && strncmp(ref, refs->mode, len) == 0 && ref[len] == '/') {
        int n = atoi(ref + len + 1);
        if (n >= 1 && n < 100)
            refs->found[n] = true;
    }
    return BF_OK;
}

/* Choosing a sales mode turns its visit plan into planned visits; visits of
 * the plan already there (the mode chosen before) are not planned twice. */
static bf_result instantiate_visit_plan(api_call *call, const record *opp, const mode_def *mode)
{
    plan_refs refs = {.mode = mode->id};
    bf_result r = api_each_record(call, &resource_activities, "opportunity_id", opp->id,
                                  note_plan_ref, &refs);
    if (r != BF_OK)
        return r;
    for (size_t i = 0; i < mode->nvisits; i++) {
        const visit_def *v = &mode->visits[i];
        if (v->n >= 1 && v->n < 100 && refs.found[v->n])
            continue;
        record *act = record_new(call->arena, &resource_activities);
        if (act == NULL)
            return BF_ERR_NOMEM;
        /* What to do before, during and after the visit is its checklist
         * (GET /activities/{id}/checklist), not text in its purpose. */
        record_set_text(act, "opportunity_id", opp->id);
        record_set_text(act, "account_id", record_text(opp, "account_id"));
        record_set_text(act, "type", "visit");
        record_set_text(
            act, "subject",
            arena_printf(call->arena, "%s·第%d次拜访", i18n_pick(&mode->name, "zh"), v->n));
        record_set_text(act, "planned_at", plan_time(call, v->day));
        record_set_text(act, "purpose", i18n_pick(&v->purpose, "zh"));
        record_set_text(act, "owner_id", record_text(opp, "owner_id"));
        record_set_text(act, "owner", record_text(opp, "owner"));
        char ref[64];
        visit_plan_ref(mode, v, ref, sizeof(ref));
        record_set_text(act, "plan_ref", arena_strdup(call->arena, ref));
        record_set_text(act, "contacts", NULL);
        r = store_record_insert(call->app->store, call->arena, act, &call->err);
        if (r != BF_OK)
            return r;
    }
    return BF_OK;
}

/* A won deal feeds a reference case back into the knowledge base (the USS
 * loop): a task for it is planned a week after the win. */
static bf_result create_reference_case_task(api_call *call, const record *opp, const playbook *pb)
{
    record *act = record_new(call->arena, &resource_activities);
    if (act == NULL)
        return BF_ERR_NOMEM;
    const char *text =
        pb->reference_case.zh
            ? pb->reference_case.zh
            : "整理本项目的参考案例：客户背景、痛点与原因、客户要求的能力、我们提供的方案、"
              "取得的成果，纳入知识库。";
    record_set_text(act, "opportunity_id", opp->id);
    record_set_text(act, "account_id", record_text(opp, "account_id"));
    record_set_text(act, "type", "other");
    record_set_text(act, "subject",
                    arena_printf(call->arena, "参考案例：%s", record_text(opp, "name")));
    record_set_text(act, "planned_at", plan_time(call, 7));
    record_set_text(act, "purpose", text);
    record_set_text(act, "owner_id", record_text(opp, "owner_id"));
    record_set_text(act, "owner", record_text(opp, "owner"));
    record_set_text(act, "plan_ref", "reference-case");
    return store_record_insert(call->app->store, call->arena, act, &call->err);
}

bf_result opportunity_won(api_call *call, const record *opp, const playbook *pb)
{
    bf_result r = create_reference_case_task(call, opp, pb);
    if (r == BF_OK)
        r = api_knowledge_draft_case(call, opp);
    if (r == BF_OK)
        r = store_handover_open(call->app->store, opp->id, &call->err);
    return r == BF_OK ? api_notify_handover(call, opp, NULL) : r;
}

/* Whoever creates a deal for someone else stays on it. */
static bf_result keep_creator_on(api_call *call, const record *rec)
{
    const viewer *v = call->who;
    const char *owner = record_text(rec, "owner_id");
    if (v->user_id == NULL || (owner != NULL && strcmp(owner, v->user_id) == 0))
        return BF_OK;
    if (v->role != ROLE_SALES && v->role != ROLE_CONSULTANT && v->role != ROLE_MANAGER)
        return BF_OK;
    return store_member_put(call->app->store, rec->id, v->user_id, access_role_name(v->role),
                            call->actor, &call->err);
}

/* The visit plan's window kept on the deal for the 3E report (migration
 * 25): from when the mode was chosen, the mode's benchmark days; none
 * without a mode or a benchmark. */
static bf_result set_visit_window(api_call *call, const record *rec, const mode_def *mode)
{
    const char *since = record_text(rec, "sales_mode_since");
    char end[32] = "";
    if (mode != NULL && since != NULL && mode->benchmark_visits > 0)
        text_format_utc(text_parse_utc(since) + (time_t)mode->benchmark_days * 86400, end,
                        sizeof(end));
    return store_opportunity_set_visit_window(call->app->store, rec->id, *end ? end : NULL,
                                              *end ? mode->benchmark_visits : 0, &call->err);
}

static bool budget_changed(const record *rec, const record *before)
{
    const field_value *a = record_field_const(rec, "budget"),
                      *b = record_field_const(before, "budget");
    return a->null != b->null || (!a->null && a->i != b->i);
}

static bf_result opportunity_after_write(api_call *call, record *rec, const record *before)
{
    store *st = call->app->store;
    bf_result r;
    if (before == NULL && (r = keep_creator_on(call, rec)) != BF_OK)
        return r;
    const char *account = record_text(rec, "account_id");
    if (before != NULL && strcmp(record_text(before, "account_id"), account) != 0 &&
        ((r = store_record_set_where(st, &resource_activities, "account_id", account,
                                     "opportunity_id", rec->id, &call->err)) != BF_OK ||
         (r = mant_refresh(call, rec)) != BF_OK))
        return r;
    /* The budget is MANT's money too (core/deal_facts.h). */
    if (before != NULL && budget_changed(rec, before) && (r = mant_refresh(call, rec)) != BF_OK)
        return r;

    const playbook *pb = opportunity_playbook(call, rec);
    const char *pb_id = record_text(rec, "playbook");
    if (before == NULL || text_changed(rec, before, "playbook")) {
        stage_change ch = {
            .opportunity_id = rec->id,
            .kind = before ? "playbook" : "create",
            .playbook = pb_id,
            .from_stage = before ? record_text(before, "stage") : NULL,
            .to_stage = record_text(rec, "stage"),
            .from_probability = before ? (int)record_field_const(before, "probability")->i : 0,
            .to_probability = (int)record_field_const(rec, "probability")->i,
            /* a deal's first stage dates from the deal itself */
            .changed_at = before ? NULL : rec->created_at,
            .changed_by = call->actor,
            .reason = before ? arena_printf(call->arena, "playbook %s -> %s",
                                            record_text(before, "playbook"), pb_id)
                             : NULL,
        };
        if ((r = store_stage_change_append(st, call->arena, &ch, &call->err)) != BF_OK)
            return r;
    }
    const mode_def *mode = pb ? playbook_mode(pb, record_text(rec, "sales_mode")) : NULL;
    if (mode != NULL && text_changed(rec, before, "sales_mode") &&
        (r = instantiate_visit_plan(call, rec, mode)) != BF_OK)
        return r;
    if (text_changed(rec, before, "sales_mode") && (r = set_visit_window(call, rec, mode)) != BF_OK)
        return r;
    if (pb != NULL && strcmp(record_text(rec, "status"), "won") == 0 &&
        (before == NULL || strcmp(record_text(before, "status"), "won") != 0) &&
        (r = create_reference_case_task(call, rec, pb)) != BF_OK)
        return r;
    return BF_OK;
}

const resource_hooks opportunity_hooks = {opportunity_check, opportunity_after_write, NULL, NULL};
