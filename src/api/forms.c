/* The sales tools' forms (SPEC §4), one JSON document per owner and form:
 * an opportunity's evaluation (MAN and quantitative, with the recommended
 * sales mode), MANT, 5W+2P, compelling event, selection scoring and tender;
 * an account's target-customer profile. GET answers the form and what
 * follows from it; PUT validates the whole form, stores it, and answers the
 * same. The rules themselves live in core/. */
#include "api/api.h"

#include <string.h>

#include "core/bid.h"
#include "core/deal_facts.h"
#include "core/pricing.h"
#include "core/qualification.h"
#include "core/profile.h"
#include "core/selection.h"
#include "core/approval.h"
#include "core/procurement.h"
#include "core/proposal.h"
#include "core/tender.h"
#include "http/response.h"

typedef api_form form_def;

/* ---- settings the forms use ------------------------------------------------------- */

/* The JSON setting `key`, or the default from make_default (new reference). */
static bf_result setting_json(api_call *call, const char *key, json_t *(*make_default)(void),
                              json_t **out)
{
    const char *text;
    bf_result r = store_setting_get(call->app->store, call->arena, key, &text, &call->err);
    if (r != BF_OK)
        return r;
    *out = text ? json_loads(text, 0, NULL) : make_default();
    return api_keep(call, *out) ? BF_OK : BF_ERR_NOMEM;
}

/* ---- the forms --------------------------------------------------------------------- */

static bf_result evaluation_check(api_call *call, json_t *in, json_t **out)
{
    json_t *cfg;
    bf_result r = setting_json(call, "evaluation", evaluation_default_config, &cfg);
    return r == BF_OK ? evaluation_validate(in, cfg, out, &call->err) : r;
}

/* The evaluation form with MAN's answers as the deal's shared data gives
 * them (deal_facts.h), kept in the call; NULL stays NULL (never saved). */
static bf_result man_form_of(api_call *call, const record *opp, json_t *form, json_t **out)
{
    json_t *mant;
    mant_authority authority;
    bf_result r = api_mant_of(call, opp, &mant, &authority, NULL);
    if (r != BF_OK)
        return r;
    *out = form ? api_keep(call, man_from_facts(form, mant)) : NULL;
    return form && *out == NULL ? BF_ERR_NOMEM : BF_OK;
}

static bf_result evaluation_eval(api_call *call, record *opp, json_t *form, json_t **result)
{
    json_t *cfg, *mant, *man_form;
    mant_authority authority;
    bf_result r = setting_json(call, "evaluation", evaluation_default_config, &cfg);
    if (r == BF_OK)
        r = api_mant_of(call, opp, &mant, &authority, NULL);
    if (r == BF_OK)
        r = man_form_of(call, opp, form, &man_form);
    if (r != BF_OK)
        return r;
    *result = evaluation_result(man_form ? man_form : form, cfg, record_text(opp, "sales_mode"));
    json_t *man = json_object_get(*result, "man");
    json_t *answers = json_object();
    for (size_t i = 0; answers && i < 3; i++) {
        static const char *const parts[] = {"money", "authority", "need"};
        const char *a = schema_get_text(schema_get(man_form, parts[i]), "answer");
        json_object_set_new(answers, parts[i], json_string(a ? a : "unknown"));
    }
    if (man == NULL || answers == NULL || json_object_set_new(man, "answers", answers) != 0 ||
        json_object_set_new(man, "sources", man_answer_sources(mant)) != 0)
        return BF_ERR_NOMEM;
    return BF_OK;
}

bf_result api_sales_mode_below(api_call *call, record *opp, const char **recommended)
{
    *recommended = NULL;
    stored_form sf;
    bf_result r = store_form_get(call->app->store, call->arena, "opportunity", opp->id,
                                 "evaluation", &sf, &call->err);
    if (r != BF_OK || sf.data == NULL) /* not evaluated: nothing to be below */
        return r;
    json_t *form = api_keep(call, json_loads(sf.data, 0, NULL)), *result = NULL;
    if (form == NULL)
        return BF_ERR_NOMEM;
    r = evaluation_eval(call, opp, form, &result);
    if (r == BF_OK && api_keep(call, result) == NULL)
        r = BF_ERR_NOMEM;
    if (r == BF_OK && !json_is_null(json_object_get(result, "warning")))
        *recommended = json_string_value(json_object_get(result, "recommended_mode"));
    return r;
}

static bf_result mant_check(api_call *call, json_t *in, json_t **out)
{
    return mant_validate(in, out, &call->err);
}

/* The account's contacts in each buying role, for MANT's Authority. */
typedef struct centre {
    const char **lists[4];
    size_t n[4], cap;
} centre;

static const char *const centre_roles[] = {"approver", "decision_maker", "evaluator", "coach"};

static bf_result centre_add(api_call *call, record *contact, void *ctx)
{
    centre *c = ctx;
    const char *role = record_text(contact, "buying_role");
    for (int k = 0; role && k < 4; k++) {
        if (strcmp(role, centre_roles[k]) != 0)
            continue;
        if (c->n[k] + 1 >= c->cap) {
            for (int j = 0; j < 4; j++) {
                const char **bigger = arena_calloc(call->arena, c->cap * 2, sizeof(char *));
                if (bigger == NULL)
                    return BF_ERR_NOMEM;
                memcpy(bigger, c->lists[j], c->n[j] * sizeof(char *));
                c->lists[j] = bigger;
            }
            c->cap *= 2;
        }
        c->lists[k][c->n[k]++] = record_text(contact, "name");
    }
    return BF_OK;
}

bf_result api_buying_centre(api_call *call, const char *account_id, mant_authority *out)
{
    centre c = {.cap = 16};
    for (int k = 0; k < 4; k++)
        if ((c.lists[k] = arena_calloc(call->arena, c.cap, sizeof(char *))) == NULL)
            return BF_ERR_NOMEM;
    bf_result r =
        api_each_record(call, &resource_contacts, "account_id", account_id, centre_add, &c);
    if (r != BF_OK)
        return r;
    out->approvers = c.lists[0];
    out->decision_makers = c.lists[1];
    out->evaluators = c.lists[2];
    out->coaches = c.lists[3];
    return BF_OK;
}

/* api_mant_of's answer, kept for the rest of the request; mant_refresh,
 * called after the MANT form or a contact changed, drops it. */
struct mant_cache {
    const char *opportunity_id;
    json_t *mant;
    mant_authority authority;
    const char *updated_at;
};

bf_result api_mant_of(api_call *call, const record *opp, json_t **mant, mant_authority *authority,
                      const char **updated_at)
{
    struct mant_cache *c = call->mant;
    if (c != NULL && strcmp(c->opportunity_id, opp->id) == 0) {
        *mant = c->mant;
        *authority = c->authority;
        if (updated_at)
            *updated_at = c->updated_at;
        return BF_OK;
    }
    stored_form sf;
    bf_result r = store_form_get(call->app->store, call->arena, "opportunity", opp->id, "mant", &sf,
                                 &call->err);
    if (r == BF_OK)
        r = api_buying_centre(call, record_text(opp, "account_id"), authority);
    if (r != BF_OK)
        return r;
    json_t *form = api_keep(call, sf.data ? json_loads(sf.data, 0, NULL) : json_object());
    json_t *facts =
        api_keep(call, json_pack("{s:o}", "budget",
                                 record_field_const(opp, "budget")->null
                                     ? json_null()
                                     : json_integer(record_field_const(opp, "budget")->i)));
    if (form == NULL || facts == NULL || !deal_facts_show(form, "mant", facts))
        return BF_ERR_NOMEM;
    *mant = api_keep(call, mant_evaluate(form, authority));
    if (updated_at)
        *updated_at = sf.updated_at;
    if (*mant == NULL)
        return BF_ERR_NOMEM;
    if ((c = arena_alloc(call->arena, sizeof(*c))) != NULL)
        *c = (struct mant_cache){opp->id, *mant, *authority, sf.updated_at};
    call->mant = c;
    return BF_OK;
}

bf_result mant_refresh(api_call *call, const record *opp)
{
    call->mant = NULL; /* the data just changed */
    json_t *mant;
    mant_authority authority;
    bf_result r = api_mant_of(call, opp, &mant, &authority, NULL);
    if (r != BF_OK)
        return r;
    bool complete = json_is_true(json_object_get(mant, "complete"));
    const playbook *pb = opportunity_playbook(call, opp);
    const stage_def *stage = pb ? playbook_stage(pb, record_text(opp, "stage"), NULL) : NULL;
    bool in_funnel = stage && stage->in_funnel && (complete || !playbook_uses(pb, "MANT"));
    return store_opportunity_set_mant_complete(call->app->store, opp->id, complete, in_funnel,
                                               &call->err);
}

static bf_result refresh_one(api_call *call, record *opp, void *ctx)
{
    (void)ctx;
    return mant_refresh(call, opp);
}

bf_result mant_refresh_account(api_call *call, const char *account_id)
{
    return api_each_record(call, &resource_opportunities, "account_id", account_id, refresh_one,
                           NULL);
}

static bf_result mant_eval(api_call *call, record *opp, json_t *form, json_t **result)
{
    mant_authority authority;
    bf_result r = api_buying_centre(call, record_text(opp, "account_id"), &authority);
    if (r == BF_OK && form == NULL) { /* never saved: the deal's budget still counts */
        json_t *facts = NULL;
        if ((form = api_keep(call, json_object())) == NULL)
            return BF_ERR_NOMEM;
        if ((r = api_deal_facts(call, opp, &facts)) == BF_OK &&
            !deal_facts_show(form, "mant", facts))
            r = BF_ERR_NOMEM;
    }
    if (r == BF_OK)
        *result = mant_evaluate(form, &authority);
    return r;
}

static bf_result w5p2_check(api_call *call, json_t *in, json_t **out)
{
    return w5p2_validate(in, out, &call->err);
}

static bf_result w5p2_eval(api_call *call, record *opp, json_t *form, json_t **result)
{
    json_t *facts;
    bf_result r = api_deal_facts(call, opp, &facts);
    if (r == BF_OK)
        *result = w5p2_evaluate(form, facts);
    return r;
}

/* The pattern of the playbook called id, or NULL. */
static const template_def *ce_pattern(const playbook *pb, const char *id)
{
    for (size_t i = 0; pb && id && i < pb->nce_patterns; i++)
        if (strcmp(pb->ce_patterns[i].id, id) == 0)
            return &pb->ce_patterns[i];
    return NULL;
}

static bf_result ce_check(api_call *call, json_t *in, json_t **out)
{
    bf_result r = ce_validate(in, out, &call->err);
    const char *pattern = r == BF_OK ? json_string_value(json_object_get(*out, "pattern")) : NULL;
    if (pattern == NULL)
        return r;
    /* A pattern is one the deal's playbook names. */
    record *opp;
    const playbook *pb = NULL;
    if ((r = opportunity_load(call, &opp, &pb)) == BF_OK && ce_pattern(pb, pattern) == NULL)
        r = bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "pattern",
                    pb->nce_patterns
                        ? "pattern must be one of playbook %s's ce_patterns, such as %s"
                        : "playbook %s names no compelling-event patterns%s",
                    pb->id, pb->nce_patterns ? pb->ce_patterns[0].id : "");
    if (r != BF_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return r;
}

/* ---- the proposal's review --------------------------------------------------------- */

/* A form that marks items of a list the playbook names (the proposal's
 * defects, the buying conditions): its schema, then every key one of the
 * list's (422 code at "<map>.<key>"), on a playbook that names some. */
typedef struct mark_form {
    const schema *body;
    const char *map;  /* "defects", "conditions" */
    const char *what; /* "proposal defect", "buying condition" */
    const char *code; /* "unknown_defect", "unknown_condition" */
    const template_def *(*items)(const playbook *pb, size_t *n);
    const char *(*unknown)(json_t *form, const template_def *items, size_t n);
} mark_form;

static bf_result check_marks(api_call *call, const mark_form *f, json_t *in, json_t **out)
{
    bf_result r = schema_check(f->body, in, out, &call->err);
    if (r != BF_OK)
        return r;
    record *opp;
    const playbook *pb = NULL;
    const template_def *items = NULL;
    size_t n = 0;
    if ((r = opportunity_load(call, &opp, &pb)) == BF_OK && (items = f->items(pb, &n)) == NULL)
        r = bf_fail(&call->err, BF_ERR_INVALID, "not_applicable", NULL, "playbook %s names no %ss",
                    pb->id, f->what);
    const char *key = r == BF_OK ? f->unknown(*out, items, n) : NULL;
    if (key != NULL) {
        char field[80];
        snprintf(field, sizeof(field), "%s.%.60s", f->map, key);
        r = bf_fail(&call->err, BF_ERR_INVALID, f->code, field,
                    "playbook %s names no %s %.60s; it names %s …", pb->id, f->what, key,
                    items[0].id);
    }
    if (r != BF_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return r;
}

static const template_def *proposal_defects_of(const playbook *pb, size_t *n)
{
    *n = pb->nproposal_defects;
    return *n ? pb->proposal_defects : NULL;
}

static const template_def *buying_conditions_of(const playbook *pb, size_t *n)
{
    *n = pb->nbuying_conditions;
    return *n ? pb->buying_conditions : NULL;
}

static const mark_form proposal_marks = {
    .body = &proposal_review_schema,
    .map = "defects",
    .what = "proposal defect",
    .code = "unknown_defect",
    .items = proposal_defects_of,
    .unknown = proposal_review_unknown,
};
static const mark_form buying_marks = {
    .body = &buying_conditions_schema,
    .map = "conditions",
    .what = "buying condition",
    .code = "unknown_condition",
    .items = buying_conditions_of,
    .unknown = buying_conditions_unknown,
};

static bf_result proposal_check(api_call *call, json_t *in, json_t **out)
{
    return check_marks(call, &proposal_marks, in, out);
}

bf_result api_proposal_review(api_call *call, const record *opp, const playbook *pb,
                              json_t **review, int64_t *version)
{
    stored_form sf;
    bf_result r = store_form_get(call->app->store, call->arena, "opportunity", opp->id,
                                 "proposal-review", &sf, &call->err);
    if (r != BF_OK)
        return r;
    json_t *form = sf.data ? api_keep(call, json_loads(sf.data, 0, NULL)) : NULL;
    *version = sf.version;
    *review =
        api_keep(call, proposal_review_evaluate(form, pb->proposal_defects, pb->nproposal_defects));
    return *review ? BF_OK : BF_ERR_NOMEM;
}

/* The review's result, and whether the release was approved. */
static bf_result proposal_eval(api_call *call, record *opp, json_t *form, json_t **result)
{
    const playbook *pb = opportunity_playbook(call, opp);
    *result = proposal_review_evaluate(form, pb ? pb->proposal_defects : NULL,
                                       pb ? pb->nproposal_defects : 0);
    const char *released = NULL;
    bf_result r = *result ? api_proposal_released(call, opp->id, &released) : BF_ERR_NOMEM;
    if (r == BF_OK) {
        json_object_set_new(*result, "released", json_boolean(released != NULL));
        json_object_set_new(*result, "release_approval",
                            released ? json_string(released) : json_null());
    }
    return r;
}

/* ---- the buying conditions' check ------------------------------------------------ */

static bf_result buying_check(api_call *call, json_t *in, json_t **out)
{
    return check_marks(call, &buying_marks, in, out);
}

static bf_result buying_eval(api_call *call, record *opp, json_t *form, json_t **result)
{
    const playbook *pb = opportunity_playbook(call, opp);
    *result = buying_conditions_evaluate(form, pb ? pb->buying_conditions : NULL,
                                         pb ? pb->nbuying_conditions : 0);
    return *result ? BF_OK : BF_ERR_NOMEM;
}

/* A compelling event is needed from the first stage of the playbook that has
 * a CE criterion on. */
static bool ce_required_now(api_call *call, const record *opp)
{
    const playbook *pb = opportunity_playbook(call, opp);
    size_t current;
    if (pb == NULL || playbook_stage(pb, record_text(opp, "stage"), &current) == NULL)
        return false;
    for (size_t i = 0; i <= current; i++)
        for (size_t k = 0; k < pb->stages[i].nitems; k++)
            if (pb->stages[i].items[k].framework &&
                strcmp(pb->stages[i].items[k].framework, "CE") == 0)
                return true;
    return false;
}

static bf_result ce_eval(api_call *call, record *opp, json_t *form, json_t **result)
{
    *result = ce_evaluate(form, ce_required_now(call, opp));
    return BF_OK;
}

static bf_result selection_check(api_call *call, json_t *in, json_t **out)
{
    return selection_validate(in, out, &call->err);
}

static bf_result selection_eval(api_call *call, record *opp, json_t *form, json_t **result)
{
    (void)call;
    (void)opp;
    *result = form ? selection_evaluate(form) : json_null();
    return BF_OK;
}

static bf_result tender_check(api_call *call, json_t *in, json_t **out)
{
    return tender_validate(in, out, &call->err);
}

static bf_result tender_eval(api_call *call, record *opp, json_t *form, json_t **result)
{
    (void)call;
    (void)opp;
    *result = form ? tender_evaluate(form) : json_null();
    return BF_OK;
}

static bf_result profile_check(api_call *call, json_t *in, json_t **out)
{
    return profile_form_validate(in, out, &call->err);
}

static long long int_or_unknown(const record *rec, const char *field)
{
    const field_value *v = record_field_const(rec, field);
    return v->null ? -1 : (long long)v->i;
}

static bf_result profile_eval(api_call *call, record *account, json_t *form, json_t **result)
{
    json_t *rules;
    bf_result r = setting_json(call, "profile_rules", profile_default_rules, &rules);
    if (r != BF_OK)
        return r;
    profile_facts facts = {
        .employees = int_or_unknown(account, "employees"),
        .annual_revenue = int_or_unknown(account, "annual_revenue"),
        .gross_profit = int_or_unknown(account, "gross_profit"),
        .ownership = record_text(account, "ownership"),
        .business_type = record_text(account, "business_type"),
        .existing_systems = record_text(account, "existing_systems"),
        .branches = int_or_unknown(account, "branches"),
        .purchase_plan = form ? json_string_value(json_object_get(form, "purchase_plan")) : NULL,
    };
    *result = profile_evaluate(&facts, rules);
    return BF_OK;
}

/* The tender's scoring scheme holds our estimates of competitors' prices:
 * only the company's own staff see it. */
static void tender_redact(api_call *call, json_t *answer)
{
    if (access_may(call->who->role, ACCESS_SEE_INTERNAL))
        return;
    json_t *data = json_object_get(answer, "data");
    if (json_is_object(data)) {
        json_t *copy = json_deep_copy(data);
        json_object_del(copy, "scheme");
        json_object_set_new(answer, "data", copy);
    }
    json_t *res = json_object_get(answer, "result");
    json_object_del(res, "simulation");
    json_object_del(json_object_get(res, "tender"), "scheme");
}

static bf_result mant_saved(api_call *call, const record *opp, json_t *form)
{
    (void)form;
    return mant_refresh(call, opp);
}

const api_form api_forms[] = {
    {.name = "evaluation",
     .owner = &resource_opportunities,
     .body = &evaluation_form_schema,
     .summary = "Opportunity evaluation (商机评价): MAN class and action, weighted indicators, the "
                "recommended sales mode and a warning when the chosen one is smaller",
     .validate = evaluation_check,
     .evaluate = evaluation_eval,
     .shares_facts = true},
    {.name = "mant",
     .owner = &resource_opportunities,
     .body = &mant_form_schema,
     .summary = "MANT: money, authority (from the account's contacts' buying roles), needs and "
                "time-scale, with completeness computed from the data",
     .validate = mant_check,
     .evaluate = mant_eval,
     .after_save = mant_saved,
     .shares_facts = true},
    {.name = "5w2p",
     .owner = &resource_opportunities,
     .body = &w5p2_form_schema,
     .summary = "5W+2P lead qualification: seven questions and answers",
     .validate = w5p2_check,
     .evaluate = w5p2_eval,
     .shares_facts = true},
    {.name = "compelling-event",
     .owner = &resource_opportunities,
     .body = &ce_form_schema,
     .summary = "Compelling event (CE): what, by when, the measurable consequence; flagged when "
                "missing where the playbook needs it",
     .validate = ce_check,
     .evaluate = ce_eval},
    {.name = "proposal-review",
     .owner = &resource_opportunities,
     .body = &proposal_review_schema,
     .summary = "The proposal's review against the playbook's common defects (方案评审): each "
                "marked absent or not, with notes; passed when none is left, and then released "
                "through an approval (kind proposal_release)",
     .validate = proposal_check,
     .evaluate = proposal_eval},
    {.name = "buying-conditions",
     .owner = &resource_opportunities,
     .body = &buying_conditions_schema,
     .summary = "The check of the customer's buying conditions (客户购买条件确认表): each of the "
                "playbook's conditions marked met, with its evidence; the gate items derived "
                "from it follow",
     .validate = buying_check,
     .evaluate = buying_eval},
    {.name = "selection-scoring",
     .owner = &resource_opportunities,
     .body = &selection_form_schema,
     .summary = "Selection scoring table (选型评分表): criteria, weights, every vendor's totals "
                "and rank",
     .validate = selection_check,
     .evaluate = selection_eval},
    {.name = "tender",
     .owner = &resource_opportunities,
     .body = &tender_form_schema,
     .need = ACCESS_SEE_INTERNAL,
     .summary = "Tender record: method, number, key dates, bid tasks, opening record, result; "
                "with the procurement advice and the bid simulation of its scheme",
     .validate = tender_check,
     .evaluate = tender_eval,
     .after_save = api_tender_dates_keep,
     .redact = tender_redact},
    {.name = "profile",
     .owner = &resource_accounts,
     .body = &profile_form_schema,
     .summary = "Target customer profile (seed 002's six factors): fit score and grade",
     .validate = profile_check,
     .evaluate = profile_eval},
    {0},
};

/* The stored owner kind of a form: "opportunity" or "account". */
static const char *owner_kind(const form_def *f)
{
    return f->owner->singular;
}

/* The saved form of the owner (NULL when never saved) and its stored state. */
static bf_result load_form(api_call *call, const form_def *f, const char *owner_id, stored_form *sf,
                           json_t **form)
{
    bf_result r = store_form_get(call->app->store, call->arena, owner_kind(f), owner_id, f->name,
                                 sf, &call->err);
    if (r != BF_OK)
        return r;
    *form = sf->data ? api_keep(call, json_loads(sf->data, 0, NULL)) : NULL;
    return sf->data && *form == NULL ? BF_ERR_NOMEM : BF_OK;
}

static bf_result respond_form(api_call *call, const form_def *f, record *owner, json_t *form,
                              int64_t version, const char *at, const char *by)
{
    json_t *result = NULL, *facts = NULL;
    bf_result r = BF_OK;
    if (f->shares_facts && (r = api_deal_facts(call, owner, &facts)) == BF_OK &&
        !deal_facts_show(form, f->name, facts))
        r = BF_ERR_NOMEM;
    if (r == BF_OK)
        r = f->evaluate(call, owner, form, &result);
    if (r != BF_OK)
        return r;
    json_t *body = json_pack("{s:s, s:s, s:s, s:O?, s:I, s:s?, s:s?, s:o}", "form", f->name,
                             "owner", owner_kind(f), "owner_id", owner->id, "data", form, "version",
                             (json_int_t)version, "updated_at", at, "updated_by", by, "result",
                             result ? result : json_null());
    if (body == NULL || (facts != NULL && json_object_set(body, "facts", facts) != 0)) {
        json_decref(body);
        return BF_ERR_NOMEM;
    }
    if (f->redact != NULL)
        f->redact(call, body);
    if (api_set_etag(call, version) != BF_OK) {
        json_decref(body);
        return BF_ERR_NOMEM;
    }
    http_respond_json(call->req, 200, body);
    return BF_OK;
}

bf_result form_get(api_call *call, const api_route *route)
{
    const form_def *f = route->form;
    record *owner;
    bf_result r = api_require_visible(call, f->owner, call->req->params[0]);
    if (r == BF_OK)
        r = store_record_get(call->app->store, call->arena, f->owner, call->req->params[0], &owner,
                             &call->err);
    stored_form sf;
    json_t *form = NULL;
    if (r == BF_OK)
        r = load_form(call, f, owner->id, &sf, &form);
    if (r != BF_OK)
        return r;
    return respond_form(call, f, owner, form, sf.version, sf.updated_at, sf.updated_by);
}

/* The audit entry of a saved form: its data before and after. */
static bf_result audit_form(api_call *call, const form_def *f, const record *owner,
                            const char *before, json_t *after)
{
    json_t *old_v = before ? api_keep(call, json_loads(before, 0, NULL)) : NULL;
    json_t *old_o = api_keep(call, json_pack("{s:s, s:O?}", "form", f->name, "data", old_v));
    json_t *new_o = api_keep(call, json_pack("{s:s, s:O}", "form", f->name, "data", after));
    if (old_o == NULL || new_o == NULL)
        return BF_ERR_NOMEM;
    return api_audit(call, "form", owner->spec->name, owner->id, old_o, new_o);
}

/* A form being saved. */
typedef struct form_save {
    const form_def *f;
    const record *owner;
    json_t *form;
    json_t *facts; /* the shared facts it writes to their home, or NULL */
    const char *text;
    int64_t expected;
} form_save;

/* Stores the form with its audit entry and runs its after-save hook. */
static bf_result save_in_tx(api_call *call, void *ctx)
{
    form_save *s = ctx;
    store *st = call->app->store;
    stored_form before = {0};
    int64_t version = 0;
    const char *kind = owner_kind(s->f);
    bf_result r =
        store_form_get(st, call->arena, kind, s->owner->id, s->f->name, &before, &call->err);
    if (r == BF_OK)
        r = store_form_put(st, kind, s->owner->id, s->f->name, s->text, s->expected, call->actor,
                           &version, &call->err);
    if (r == BF_OK)
        r = audit_form(call, s->f, s->owner, before.data, s->form);
    record *fresh = NULL;
    if (r == BF_OK && json_object_size(s->facts) > 0 &&
        (r = api_deal_facts_put(call, s->owner, s->facts, &fresh)) == BF_OK)
        s->owner = fresh; /* what follows reads the facts from their home */
    if (r == BF_OK && s->f->after_save != NULL)
        r = s->f->after_save(call, s->owner, s->form);
    return r;
}

bf_result form_put(api_call *call, const api_route *route)
{
    const form_def *f = route->form;
    int64_t expected = -1;
    json_t *body, *form = NULL;
    bf_result r = api_require_visible(call, f->owner, call->req->params[0]);
    if (r == BF_OK)
        r = api_require(call, ACCESS_FILL_FORMS);
    if (r == BF_OK && f->need != 0)
        r = api_require(call, f->need);
    if (r != BF_OK)
        return r;
    if (http_header(call->req, "If-Match") != NULL &&
        (r = api_if_match_from(call, 0, &expected)) != BF_OK)
        return r;
    if ((r = api_body(call, &body)) != BF_OK)
        return r;
    record *owner;
    if ((r = store_record_get(call->app->store, call->arena, f->owner, call->req->params[0], &owner,
                              &call->err)) != BF_OK)
        return r;
    if ((r = f->validate(call, body, &form)) != BF_OK)
        return r;
    if (api_keep(call, form) == NULL)
        return BF_ERR_NOMEM;
    form_save save = {f, owner, form, NULL, NULL, expected};
    /* The shared facts go to their home, not into the form. */
    if (f->shares_facts && (save.facts = api_keep(call, deal_facts_take(form))) == NULL)
        return BF_ERR_NOMEM;
    if ((save.text = api_json_text(call, form, JSON_COMPACT)) == NULL)
        return BF_ERR_NOMEM;
    if ((r = api_transaction(call, save_in_tx, &save)) != BF_OK)
        return r;
    /* Answer what is stored, exactly as a GET would. */
    stored_form sf;
    json_t *saved = NULL;
    if (json_object_size(save.facts) > 0 &&
        (r = store_record_get(call->app->store, call->arena, f->owner, owner->id, &owner,
                              &call->err)) != BF_OK)
        return r;
    if ((r = load_form(call, f, owner->id, &sf, &saved)) != BF_OK)
        return r;
    return respond_form(call, f, owner, saved, sf.version, sf.updated_at, sf.updated_by);
}

/* ---- settings ---------------------------------------------------------------------- */

typedef api_setting setting_def;

const api_setting api_setting_evaluation = {
    .key = "evaluation",
    .body = &evaluation_config_schema,
    .make_default = evaluation_default_config,
    .validate = evaluation_config_validate,
    .need = ACCESS_EDIT_SETTINGS,
};

const api_setting api_setting_profile_rules = {
    .key = "profile_rules",
    .body = &profile_rules_schema,
    .make_default = profile_default_rules,
    .validate = profile_rules_validate,
    .need = ACCESS_EDIT_SETTINGS,
};

const api_setting api_setting_quotations = {
    .key = "quotations",
    .body = &pricing_rules_schema,
    .make_default = pricing_default_rules,
    .validate = pricing_rules_validate,
    .need = ACCESS_EDIT_APPROVAL_RULES,
};

const api_setting api_setting_approvals = {
    .key = "approvals",
    .body = &approval_rules_schema,
    .make_default = approval_default_rules,
    .validate = approval_rules_validate,
    .need = ACCESS_EDIT_APPROVAL_RULES,
};

bf_result api_setting_value(api_call *call, const api_setting *s, json_t **out)
{
    return setting_json(call, s->key, s->make_default, out);
}

bf_result setting_get(api_call *call, const api_route *route)
{
    const setting_def *s = route->setting;
    json_t *v;
    bf_result r = setting_json(call, s->key, s->make_default, &v);
    if (r != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_incref(v));
    return BF_OK;
}

/* A setting being saved. */
typedef struct setting_save {
    const setting_def *s;
    json_t *body;
    const char *text;
} setting_save;

/* Stores the setting with its audit entry. */
static bf_result setting_in_tx(api_call *call, void *ctx)
{
    setting_save *save = ctx;
    store *st = call->app->store;
    const char *before = NULL;
    bf_result r = store_setting_get(st, call->arena, save->s->key, &before, &call->err);
    if (r == BF_OK)
        r = store_setting_put(st, save->s->key, save->text, call->actor, &call->err);
    json_t *old_v = before ? api_keep(call, json_loads(before, 0, NULL)) : NULL;
    if (r == BF_OK && before != NULL && old_v == NULL)
        r = BF_ERR_NOMEM;
    return r == BF_OK ? api_audit(call, "setting", "settings", save->s->key, old_v, save->body) : r;
}

bf_result setting_put(api_call *call, const api_route *route)
{
    const setting_def *s = route->setting;
    json_t *body;
    bf_result r = api_body(call, &body);
    if (r != BF_OK)
        return r;
    if ((r = api_require(call, s->need)) != BF_OK)
        return r;
    if ((r = s->validate(body, &call->err)) != BF_OK)
        return r;
    setting_save save = {s, body, api_json_text(call, body, JSON_COMPACT)};
    if (save.text == NULL)
        return BF_ERR_NOMEM;
    if ((r = api_transaction(call, setting_in_tx, &save)) != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_incref(body));
    return BF_OK;
}

/* ---- tools without storage --------------------------------------------------------- */

bf_result tool_bid_simulation(api_call *call, const api_route *route)
{
    (void)route;
    json_t *body, *out;
    bf_result r = api_body(call, &body);
    if (r == BF_OK)
        r = bid_simulate(body, &out, &call->err);
    if (r != BF_OK)
        return r;
    http_respond_json(call->req, 200, out);
    return BF_OK;
}

bool checklist_item_derived(const checklist_def *item)
{
    return item->derived_from != NULL ||
           (item->framework != NULL && (strcmp(item->framework, "MANT") == 0 ||
                                        qualification_item_derived(item->framework, item->id)));
}

/* The data of the opportunity's stored form, or NULL (kept in the call). */
static json_t *stored_form_data(api_call *call, const record *opp, const char *form)
{
    stored_form sf;
    if (store_form_get(call->app->store, call->arena, "opportunity", opp->id, form, &sf,
                       &call->err) != BF_OK ||
        sf.data == NULL)
        return NULL;
    return api_keep(call, json_loads(sf.data, 0, NULL));
}

/* The forms the derived items of a stage read, each evaluated once. */
typedef struct derived_forms {
    json_t *mant, *w5p2, *ce, *ce_form, *evaluation_form, *evaluation;
    const char *mant_at;
    bool read;
} derived_forms;

static bf_result read_derived_forms(api_call *call, record *opp, derived_forms *f)
{
    if (f->read)
        return BF_OK;
    f->read = true;
    mant_authority authority;
    bf_result r = api_mant_of(call, opp, &f->mant, &authority, &f->mant_at);
    if (r != BF_OK)
        return r;
    json_t *facts;
    if ((r = api_deal_facts(call, opp, &facts)) != BF_OK)
        return r;
    f->w5p2 = api_keep(call, w5p2_evaluate(stored_form_data(call, opp, "5w2p"), facts));
    f->ce_form = stored_form_data(call, opp, "compelling-event");
    f->ce = api_keep(call, ce_evaluate(f->ce_form, false));
    json_t *evaluation_form = stored_form_data(call, opp, "evaluation");
    if ((r = evaluation_eval(call, opp, evaluation_form, &f->evaluation)) != BF_OK ||
        (r = man_form_of(call, opp, evaluation_form, &f->evaluation_form)) != BF_OK)
        return r;
    f->evaluation = api_keep(call, f->evaluation);
    return f->w5p2 && f->ce && f->evaluation ? BF_OK : BF_ERR_NOMEM;
}

/* The state of a derived item: done when its form leaves nothing missing. */
/* A derived item's state from what was found. */
static bf_result derived_state(api_call *call, const checklist_def *def, json_t *missing,
                               const char *evidence, const char *at, checklist_state *out)
{
    *out = (checklist_state){.item_id = def->id,
                             .done = json_array_size(missing) == 0,
                             .evidence = evidence,
                             .done_by = "bingfa",
                             .done_at = at,
                             .missing = missing};
    return evidence && api_keep(call, json_incref(missing)) ? BF_OK : BF_ERR_NOMEM;
}

/* An item met by the account's profile: its factor fact known (the size
 * reaching the rules' scale), or, without a fact, the profile saved with
 * every fact known. */
static bf_result derive_from_profile(api_call *call, const record *opp, const checklist_def *def,
                                     checklist_state *out)
{
    record *account;
    stored_form sf;
    json_t *result = NULL;
    const char *account_id = record_text(opp, "account_id");
    bf_result r = store_record_get(call->app->store, call->arena, &resource_accounts, account_id,
                                   &account, &call->err);
    if (r == BF_OK)
        r = store_form_get(call->app->store, call->arena, "account", account_id, "profile", &sf,
                           &call->err);
    json_t *form = r == BF_OK && sf.data ? api_keep(call, json_loads(sf.data, 0, NULL)) : NULL;
    if (r == BF_OK)
        r = profile_eval(call, account, form, &result);
    if (r != BF_OK || api_keep(call, result) == NULL)
        return r != BF_OK ? r : BF_ERR_NOMEM;
    json_t *missing = json_array(), *unknown = json_object_get(result, "unknown");
    bool zh = strcmp(api_lang(call), "en") != 0;
    const char *evidence = NULL;
    if (def->fact != NULL) {
        json_t *factor = NULL, *f;
        size_t i;
        json_array_foreach(json_object_get(result, "factors"), i, f)
        {
            if (strcmp(json_string_value(json_object_get(f, "id")), def->fact) == 0)
                factor = f;
        }
        bool known = true;
        json_array_foreach(unknown, i, f)
        {
            if (strcmp(json_string_value(f), def->fact) == 0)
                known = false;
        }
        bool met = factor && known &&
                   (strcmp(def->fact, "size") != 0 ||
                    json_integer_value(json_object_get(factor, "points")) > 0);
        if (!met)
            json_array_append_new(missing, json_string(def->fact));
        json_t *reason = json_object_get(json_object_get(factor, "reason"), zh ? "zh" : "en");
        evidence = arena_printf(call->arena, zh ? "客户画像：%s" : "Customer profile: %s",
                                reason ? json_string_value(reason) : def->fact);
    } else {
        if (form == NULL)
            json_array_append_new(missing, json_string("profile"));
        json_array_extend(missing, unknown);
        evidence = arena_printf(
            call->arena, zh ? "客户画像：%s 级，%s 分" : "Customer profile: grade %s, score %s",
            json_string_value(json_object_get(result, "grade")),
            json_string_value(json_object_get(json_object_get(result, "score"), "value")));
    }
    r = missing ? derived_state(call, def, missing, evidence, sf.updated_at, out) : BF_ERR_NOMEM;
    json_decref(missing);
    return r;
}

/* Whether a contact is a decision maker or an approver one can reach. */
static bf_result note_key_contact(api_call *call, record *contact, void *ctx)
{
    const char *role = record_text(contact, "buying_role");
    const char *phone = record_text(contact, "phone"), *email = record_text(contact, "email");
    const char **found = ctx;
    if (*found == NULL && role &&
        (strcmp(role, "decision_maker") == 0 || strcmp(role, "approver") == 0) &&
        ((phone && *phone) || (email && *email)))
        *found = arena_strdup(call->arena, record_text(contact, "name"));
    return BF_OK;
}

/* An item met by the account's buying centre: a decision maker or an
 * approver with a phone or an e-mail. */
static bf_result derive_from_contacts(api_call *call, const record *opp, const checklist_def *def,
                                      checklist_state *out)
{
    const char *found = NULL;
    bf_result r = api_each_record(call, &resource_contacts, "account_id",
                                  record_text(opp, "account_id"), note_key_contact, &found);
    if (r != BF_OK)
        return r;
    bool zh = strcmp(api_lang(call), "en") != 0;
    json_t *missing = found ? json_array() : json_pack("[s]", "decision_maker_contact");
    const char *evidence =
        found ? arena_printf(call->arena,
                             zh ? "决策圈：%s（可联系）" : "Buying centre: %s (reachable)", found)
              : arena_strdup(call->arena, zh ? "决策圈：尚无可联系的拍板人或决策者"
                                             : "Buying centre: no approver or decision maker to "
                                               "reach yet");
    r = missing ? derived_state(call, def, missing, evidence, NULL, out) : BF_ERR_NOMEM;
    json_decref(missing);
    return r;
}

/* An item met by the tender record: the procurement method known, or the
 * award won. */
static bf_result derive_from_tender(api_call *call, const record *opp, const checklist_def *def,
                                    checklist_state *out)
{
    json_t *form = stored_form_data(call, opp, "tender");
    bool award = strcmp(def->fact, "award") == 0;
    const char *value =
        json_string_value(json_object_get(form, award ? "result" : "procurement_method"));
    bool met = value && (!award || strcmp(value, "won") == 0);
    bool zh = strcmp(api_lang(call), "en") != 0;
    json_t *missing = met ? json_array() : json_pack("[s]", def->fact);
    const char *evidence =
        arena_printf(call->arena, zh ? "招投标记录：%s %s" : "Tender record: %s %s",
                     award ? (zh ? "结果" : "result") : (zh ? "采购方式" : "procurement method"),
                     value ? (award ? tender_result_label(value, api_lang(call))
                                    : procurement_method_label(value, api_lang(call)))
                           : (zh ? "未填" : "not given"));
    bf_result r = missing ? derived_state(call, def, missing, evidence, NULL, out) : BF_ERR_NOMEM;
    json_decref(missing);
    return r;
}

/* An item met by the deal's contract: its first payment received in full
 * (first_payment), or the contract signed, numbered and filed (archived). */
static bf_result derive_from_contract(api_call *call, const record *opp, const checklist_def *def,
                                      checklist_state *out)
{
    contract_facts f;
    bf_result r = api_contract_facts(call, opp->id, &f);
    if (r != BF_OK)
        return r;
    bool payment = strcmp(def->fact, "first_payment") == 0;
    bool met = payment ? f.first_payment_received : f.archived_on != NULL && f.signed_on != NULL;
    bool zh = strcmp(api_lang(call), "en") != 0;
    const char *evidence;
    if (f.number == NULL)
        evidence = zh ? "尚无合同（由已接受的报价生成）"
                      : "No contract yet (made from an accepted quotation)";
    else if (payment && met)
        evidence =
            arena_printf(call->arena,
                         zh ? "合同 %s：首期款 %lld.%02lld 元于 %s 到账"
                            : "Contract %s: first payment of %lld.%02lld yuan received on %s",
                         f.number, (long long)(f.first_payment / 100),
                         (long long)(f.first_payment % 100), f.first_payment_on);
    else if (payment)
        evidence = arena_printf(call->arena,
                                zh ? "合同 %s：首期款未全额到账"
                                   : "Contract %s: first payment not "
                                     "received in full",
                                f.number);
    else
        evidence = arena_printf(
            call->arena, zh ? "合同 %s：签订 %s，归档 %s" : "Contract %s: signed %s, archived %s",
            f.number, f.signed_on ? f.signed_on : "—", f.archived_on ? f.archived_on : "—");
    json_t *missing = met ? json_array() : json_pack("[s]", def->fact);
    r = missing && evidence ? derived_state(call, def, missing, evidence, NULL, out) : BF_ERR_NOMEM;
    json_decref(missing);
    return r;
}

/* An item met by the buying conditions' check: the condition of its id
 * marked met, or (an item that is none of them) every condition. */
static bf_result derive_from_conditions(api_call *call, const record *opp, const playbook *pb,
                                        const checklist_def *def, checklist_state *out)
{
    stored_form sf;
    bf_result r = store_form_get(call->app->store, call->arena, "opportunity", opp->id,
                                 "buying-conditions", &sf, &call->err);
    if (r != BF_OK)
        return r;
    json_t *form = sf.data ? api_keep(call, json_loads(sf.data, 0, NULL)) : NULL;
    json_t *check = api_keep(
        call, buying_conditions_evaluate(form, pb->buying_conditions, pb->nbuying_conditions));
    if (check == NULL)
        return BF_ERR_NOMEM;
    json_t *missing = api_keep(call, json_array());
    json_t *mark = json_object_get(json_object_get(form, "conditions"), def->id);
    bool one = false;
    for (size_t i = 0; i < pb->nbuying_conditions; i++)
        one = one || strcmp(pb->buying_conditions[i].id, def->id) == 0;
    if (missing == NULL ||
        (one && !json_is_true(json_object_get(mark, "met")) &&
         json_array_append_new(missing, json_string(def->id)) != 0) ||
        (!one && json_array_extend(missing, json_object_get(check, "open")) != 0))
        return BF_ERR_NOMEM;
    bool zh = strcmp(api_lang(call), "en") != 0;
    const char *said = json_string_value(json_object_get(mark, "evidence"));
    const char *evidence =
        json_array_size(missing) > 0 ? arena_printf(call->arena,
                                                    zh ? "购买条件确认表：尚有 %zu 项未确认"
                                                       : "Buying conditions: %zu not confirmed",
                                                    json_array_size(missing))
        : one && said
            ? arena_printf(call->arena, zh ? "购买条件确认表：%s" : "Buying conditions: %s", said)
            : arena_strdup(call->arena,
                           zh ? "购买条件确认表：已全部确认" : "Buying conditions: all confirmed");
    *out = (checklist_state){.item_id = def->id,
                             .done = json_array_size(missing) == 0,
                             .evidence = evidence,
                             .done_by = "bingfa",
                             .done_at = sf.updated_at,
                             .missing = missing};
    return evidence ? BF_OK : BF_ERR_NOMEM;
}

/* An item met by the proposal's review: every defect marked absent, and the
 * release approved. */
static bf_result derive_from_review(api_call *call, const record *opp, const playbook *pb,
                                    const checklist_def *def, checklist_state *out)
{
    json_t *review;
    int64_t version;
    const char *released;
    bf_result r = api_proposal_review(call, opp, pb, &review, &version);
    if (r == BF_OK)
        r = api_proposal_released(call, opp->id, &released);
    if (r != BF_OK)
        return r;
    json_t *missing = api_keep(call, json_deep_copy(json_object_get(review, "open")));
    if (missing == NULL ||
        (released == NULL && json_array_append_new(missing, json_string("release")) != 0))
        return BF_ERR_NOMEM;
    bool zh = strcmp(api_lang(call), "en") != 0;
    const char *evidence =
        json_array_size(missing) == 0
            ? arena_printf(call->arena,
                           zh ? "方案评审：%lld 项常见问题均已排除，发布已审批（%s）"
                              : "Proposal review: all %lld common defects cleared; release "
                                "approved (%s)",
                           (long long)json_integer_value(json_object_get(review, "total")),
                           released)
            : arena_printf(call->arena,
                           zh ? "方案评审：还有 %zu 项常见问题未排除%s"
                              : "Proposal review: %zu common defects not cleared%s",
                           json_array_size(json_object_get(review, "open")),
                           released ? "" : (zh ? "，发布尚未审批" : "; release not approved"));
    *out = (checklist_state){
        .item_id = def->id,
        .done = json_array_size(missing) == 0,
        .evidence = evidence,
        .done_by = "bingfa",
        .missing = missing,
    };
    return evidence ? BF_OK : BF_ERR_NOMEM;
}

static bf_result derive_item(api_call *call, const playbook *pb, const checklist_def *def,
                             derived_forms *f, checklist_state *out)
{
    bool mant = strcmp(def->framework, "MANT") == 0;
    json_t *missing =
        api_keep(call, mant ? mant_item_missing(f->mant, def->id)
                            : qualification_item_missing(def->framework, def->id, f->w5p2, f->ce,
                                                         f->evaluation_form, f->evaluation));
    if (missing == NULL)
        return BF_ERR_NOMEM;
    /* Where the playbook names compelling-event patterns, the CE says which. */
    if (strcmp(def->framework, "CE") == 0 && pb->nce_patterns > 0 &&
        ce_pattern(pb, json_string_value(json_object_get(f->ce_form, "pattern"))) == NULL)
        json_array_append_new(missing, json_string("pattern"));
    char evidence[512];
    if (mant)
        mant_item_evidence(missing, api_lang(call), evidence, sizeof(evidence));
    else
        qualification_item_evidence(def->framework, missing, api_lang(call), evidence,
                                    sizeof(evidence));
    *out = (checklist_state){
        .item_id = def->id,
        .done = json_array_size(missing) == 0,
        .evidence = arena_strdup(call->arena, evidence),
        .done_by = "bingfa",
        .done_at = mant ? f->mant_at : NULL,
        .missing = missing,
    };
    return out->evidence ? BF_OK : BF_ERR_NOMEM;
}

bf_result checklist_state_of(api_call *call, const record *opp, const playbook *pb,
                             const char *stage_id, checklist_state **state, size_t *n)
{
    bf_result r =
        store_checklist_get(call->app->store, call->arena, opp->id, stage_id, state, n, &call->err);
    const stage_def *stage = r == BF_OK ? playbook_stage(pb, stage_id, NULL) : NULL;
    size_t derived = 0;
    for (size_t i = 0; stage && i < stage->nitems; i++)
        derived += checklist_item_derived(&stage->items[i]);
    if (r != BF_OK || derived == 0)
        return r;

    checklist_state *out = arena_calloc(call->arena, *n + derived + 1, sizeof(*out));
    if (out == NULL)
        return BF_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) { /* keep what is not derived */
        const checklist_def *def = playbook_item(pb, stage, (*state)[i].item_id);
        if (def == NULL || !checklist_item_derived(def))
            out[k++] = (*state)[i];
    }
    derived_forms forms = {0};
    for (size_t i = 0; i < stage->nitems; i++) {
        const checklist_def *def = &stage->items[i];
        if (!checklist_item_derived(def))
            continue;
        if (def->derived_from != NULL) {
            const char *from = def->derived_from;
            checklist_state *o = &out[k++];
            r = strcmp(from, "buying-conditions") == 0
                    ? derive_from_conditions(call, opp, pb, def, o)
                : strcmp(from, "profile") == 0  ? derive_from_profile(call, opp, def, o)
                : strcmp(from, "contacts") == 0 ? derive_from_contacts(call, opp, def, o)
                : strcmp(from, "tender") == 0   ? derive_from_tender(call, opp, def, o)
                : strcmp(from, "contract") == 0 ? derive_from_contract(call, opp, def, o)
                                                : derive_from_review(call, opp, pb, def, o);
            if (r != BF_OK)
                return r;
            continue;
        }
        if ((r = read_derived_forms(call, (record *)opp, &forms)) != BF_OK ||
            (r = derive_item(call, pb, def, &forms, &out[k++])) != BF_OK)
            return r;
    }
    *state = out;
    *n = k;
    return BF_OK;
}
