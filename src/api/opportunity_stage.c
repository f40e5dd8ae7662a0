/* Stage work on an opportunity: the checklist of its stage (criteria,
 * deliverables, key activities; the closing steps once won), decision
 * points and turnarounds, the gated advance with a manager's override, and
 * the stage history. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "core/approval.h"
#include "core/opportunity.h"
#include "core/stage.h"
#include "core/text.h"
#include "http/response.h"

/* The checklist pseudo-stage of a won deal's closing steps. */
#define CLOSING_STAGE "won"

static const char *const item_types[] = {"criterion", "deliverable", "activity", "closing"};

static json_t *state_json(json_t *o, const checklist_state *s)
{
    json_object_set_new(o, "done", json_boolean(s && s->done));
    json_object_set_new(o, "evidence", s && s->evidence ? json_string(s->evidence) : json_null());
    json_object_set_new(o, "activity_id",
                        s && s->activity_id ? json_string(s->activity_id) : json_null());
    json_object_set_new(o, "document", s && s->document ? json_string(s->document) : json_null());
    json_object_set_new(o, "updated_by", s && s->done_by ? json_string(s->done_by) : json_null());
    json_object_set_new(o, "updated_at", s && s->done_at ? json_string(s->done_at) : json_null());
    if (s && s->missing)
        json_object_set(o, "missing", s->missing);
    return o;
}

/* The user roles that play an item's owner, as a JSON array. */
static json_t *owner_roles_json(const playbook *pb, const char *owner)
{
    const char *roles[5];
    size_t n = playbook_owner_user_roles(pb, owner, roles);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_string(roles[i]));
    return arr;
}

/* True when the viewer may tick what owner ("S&C") owns: an admin, or a
 * user whose role plays one of its roles. */
static bool may_tick_owned(const api_call *call, const playbook *pb, const char *owner)
{
    return call->who->role == ROLE_ADMIN ||
           playbook_owner_includes(pb, owner, access_role_name(call->who->role));
}

/* True when the viewer may tick def (may_tick_owned of its owner). */
static bool may_tick(const api_call *call, const playbook *pb, const checklist_def *def)
{
    return may_tick_owned(call, pb, def->owner);
}

/* The state key of sub-step n (1, 2, …) of a key activity: "item#n". */
static const char *step_key(api_call *call, const char *item_id, size_t n)
{
    return arena_printf(call->arena, "%s#%zu", item_id, n);
}

/* The owning roles of sub-step i of def: its own, else the activity's. */
static const char *step_owner(const checklist_def *def, size_t i)
{
    return def->steps[i].owner ? def->steps[i].owner : def->owner;
}

/* A key activity's sub-steps with their owners and ticks (state: the
 * stage's, nstate entries). */
static json_t *steps_json(api_call *call, const playbook *pb, const checklist_def *def,
                          const checklist_state *state, size_t nstate)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < def->nsteps; i++) {
        const char *owner = step_owner(def, i);
        const char *key = step_key(call, def->id, i + 1);
        const checklist_state *s = key ? stage_find_state(state, nstate, key) : NULL;
        bool may = may_tick_owned(call, pb, owner);
        json_t *o =
            json_pack("{s:I, s:o, s:s?, s:b, s:b, s:s?, s:s?, s:s?}", "n", (json_int_t)(i + 1),
                      "text", api_text_json(&def->steps[i].text), "owner", owner, "may_tick", may,
                      "done", s && s->done, "evidence", s ? s->evidence : NULL, "updated_by",
                      s ? s->done_by : NULL, "updated_at", s ? s->done_at : NULL);
        if (o != NULL)
            json_object_set_new(o, "owner_roles",
                                owner ? owner_roles_json(pb, owner) : json_null());
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *item_json(api_call *call, const playbook *pb, const checklist_def *def,
                         const checklist_state *s, const checklist_state *state, size_t nstate)
{
    json_t *o = json_pack("{s:s, s:s, s:o, s:b}", "id", def->id, "type", item_types[def->type],
                          "text", api_text_json(&def->text), "gate", checklist_def_gates(def));
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "kind", def->kind ? json_string(def->kind) : json_null());
    json_object_set_new(o, "owner", def->owner ? json_string(def->owner) : json_null());
    json_object_set_new(o, "framework", def->framework ? json_string(def->framework) : json_null());
    if (def->derived_from)
        json_object_set_new(o, "derived_from", json_string(def->derived_from));
    json_object_set_new(o, "derived", json_boolean(checklist_item_derived(def)));
    json_object_set_new(o, "owner_roles",
                        def->owner ? owner_roles_json(pb, def->owner) : json_null());
    json_object_set_new(o, "may_tick",
                        json_boolean(!checklist_item_derived(def) && may_tick(call, pb, def)));
    if (def->audience)
        json_object_set_new(o, "audience", json_string(def->audience));
    if (def->type == ITEM_DELIVERABLE) {
        json_object_set_new(o, "requires_document", json_boolean(def->requires_document));
        json_object_set_new(o, "template",
                            def->template_id ? json_string(def->template_id) : json_null());
    }
    if (def->type == ITEM_ACTIVITY && def->nsteps > 0)
        json_object_set_new(o, "steps", steps_json(call, pb, def, state, nstate));
    return state_json(o, s);
}

/* The documents of the deal (docs, every version by name, newest first)
 * that satisfy item def: the newest version of each name linked to it. */
static json_t *item_documents_json(api_call *call, const checklist_def *def, const document *docs,
                                   size_t ndocs)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < ndocs; i++) {
        if (docs[i].item_id == NULL || strcmp(docs[i].item_id, def->id) != 0)
            continue;
        if (i > 0 && strcmp(docs[i].name, docs[i - 1].name) == 0 && docs[i - 1].item_id &&
            strcmp(docs[i - 1].item_id, def->id) == 0)
            continue; /* an earlier version of one listed */
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:I, s:s}", "id", docs[i].id, "name", docs[i].name,
                           "version", (json_int_t)docs[i].version, "download",
                           arena_printf(call->arena, "/api/v1/documents/%s/content", docs[i].id)));
    }
    return arr;
}

static json_t *decision_json(const decision_def *d, const checklist_state *s)
{
    json_t *o = json_pack("{s:s, s:o, s:o}", "id", d->id, "question", api_text_json(&d->question),
                          "no_action", api_text_json(&d->no_action));
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "answer", s == NULL ? json_null() : json_string(s->done ? "yes" : "no"));
    json_object_set_new(o, "reason", s && s->evidence ? json_string(s->evidence) : json_null());
    json_object_set_new(o, "answered_by", s && s->done_by ? json_string(s->done_by) : json_null());
    json_object_set_new(o, "answered_at", s && s->done_at ? json_string(s->done_at) : json_null());
    return o;
}

bf_result opportunity_checklist_get(api_call *call, const api_route *route)
{
    (void)route;
    record *opp;
    const playbook *pb;
    bf_result r = opportunity_load(call, &opp, &pb);
    if (r != BF_OK)
        return r;
    const char *stage_id = http_query(call->req, "stage");
    bool won = strcmp(record_text(opp, "status"), "won") == 0;
    if (stage_id == NULL) /* a won deal: its closing steps, else its certain last stage */
        stage_id = won && pb->nclosing > 0 ? CLOSING_STAGE : record_text(opp, "stage");
    bool closing = strcmp(stage_id, CLOSING_STAGE) == 0;
    size_t stage_index = 0;
    const stage_def *stage = closing ? NULL : playbook_stage(pb, stage_id, &stage_index);
    if (!closing && stage == NULL)
        return bf_fail_args(&call->err, BF_ERR_INVALID, "unknown_stage", "stage",
                            BF_ARGS(BF_TEXT("id", stage_id)),
                            "stage %s is not a stage of playbook %s", stage_id, pb->id);
    checklist_state *state;
    size_t n;
    if ((r = checklist_state_of(call, opp, pb, stage_id, &state, &n)) != BF_OK)
        return r;
    const checklist_def *items = closing ? pb->closing : stage->items;
    size_t nitems = closing ? pb->nclosing : stage->nitems;
    document *docs = NULL;
    size_t ndocs = 0;
    if ((r = store_document_list(call->app->store, call->arena, opp->id,
                                 call->who->role == ROLE_PARTNER, &docs, &ndocs, &call->err)) !=
        BF_OK)
        return r;
    json_t *arr = json_array(), *decisions = json_array();
    size_t unmet = 0;
    for (size_t i = 0; arr && i < nitems; i++) {
        const checklist_state *s = stage_find_state(state, n, items[i].id);
        if (checklist_item_hidden(call, &items[i]))
            continue; /* neither shown nor counted */
        if ((checklist_def_gates(&items[i]) || closing) && (s == NULL || !s->done))
            unmet++;
        json_t *item = item_json(call, pb, &items[i], s, state, n);
        if (item != NULL && items[i].type == ITEM_DELIVERABLE)
            json_object_set_new(item, "documents",
                                item_documents_json(call, &items[i], docs, ndocs));
        json_array_append_new(arr, item);
    }
    for (size_t i = 0; !closing && decisions && i < pb->ndecisions; i++) {
        if (pb->decisions[i].stage != stage_index)
            continue;
        const checklist_state *s = stage_find_state(state, n, pb->decisions[i].id);
        if (s == NULL || !s->done)
            unmet++;
        json_array_append_new(decisions, decision_json(&pb->decisions[i], s));
    }
    json_t *stage_json = closing
                             ? json_pack("{s:s, s:{s:s, s:s}, s:i, s:b}", "id", CLOSING_STAGE,
                                         "name", "zh", "赢单后收尾", "en", "Closing after the win",
                                         "probability", 100, "in_funnel", 0)
                             : json_pack("{s:s, s:o, s:i, s:b}", "id", stage->id, "name",
                                         api_text_json(&stage->name), "probability",
                                         stage->probability, "in_funnel", stage->in_funnel);
    json_t *body =
        json_pack("{s:s, s:s, s:i, s:o, s:b, s:I, s:o, s:o}", "opportunity_id", opp->id, "playbook",
                  pb->id, "playbook_version", pb->version, "stage", stage_json, "complete",
                  unmet == 0, "unmet", (json_int_t)unmet, "items", arr, "decisions", decisions);
    if (body == NULL || api_set_etag(call, opp->version) != BF_OK) {
        json_decref(body);
        return BF_ERR_NOMEM;
    }
    http_respond_json(call->req, 200, body);
    return BF_OK;
}

/* Reads the evidence of a checked checklist or decision body. */
static void read_evidence(json_t *body, checklist_state *s)
{
    json_t *why = json_object_get(body, "evidence");
    s->evidence = json_string_value(why ? why : json_object_get(body, "reason"));
    s->activity_id = json_string_value(json_object_get(body, "activity_id"));
    s->document = json_string_value(json_object_get(body, "document"));
}

/* Evidence may link an activity: it must be one of this opportunity's. */
static bf_result check_linked_activity(api_call *call, const record *opp, const char *act_id)
{
    if (act_id == NULL)
        return BF_OK;
    record *act;
    bf_error ignored;
    bool visible = false;
    bf_result r = store_record_visible(call->app->store, call->who, &resource_activities, act_id,
                                       &visible, &call->err);
    if (r != BF_OK)
        return r;
    if (!visible || store_record_get(call->app->store, call->arena, &resource_activities, act_id,
                                     &act, &ignored) != BF_OK)
        return bf_fail(&call->err, BF_ERR_INVALID, "unknown_reference", "activity_id",
                       "activity_id does not name an existing activity");
    const char *of = record_text(act, "opportunity_id");
    if (of == NULL || strcmp(of, opp->id) != 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "activity_id",
                       "activity_id names an activity of another opportunity");
    return BF_OK;
}

/* True when text holds nothing but spaces. */
static bool text_blank(const char *text)
{
    for (; text && *text; text++)
        if (*text != ' ' && *text != '\t' && *text != '\n' && *text != '\r')
            return false;
    return true;
}

static const stage_def *stage_holding(const playbook *pb, const char *item_id)
{
    for (size_t i = 0; i < pb->nstages; i++)
        if (playbook_item(pb, &pb->stages[i], item_id))
            return &pb->stages[i];
    return NULL;
}

/* Whether the viewer may tick def this way: they play its owner (403
 * not_owner, naming the roles), and a deliverable comes with its evidence. */
static bf_result check_tick(api_call *call, const playbook *pb, const checklist_def *def,
                            const checklist_state *s)
{
    if (!may_tick(call, pb, def)) {
        call->error_extra = json_pack("{s:s, s:o}", "owner", def->owner, "owner_roles",
                                      owner_roles_json(pb, def->owner));
        buf roles;
        buf_init(&roles, call->arena, 200);
        const char *names[5];
        size_t n = playbook_owner_user_roles(pb, def->owner, names);
        for (size_t i = 0; i < n; i++)
            buf_printf(&roles, "%s%s", i ? ", " : "", names[i]);
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "not_owner", "item",
                       "%s is the work of %s (%s); a user of role %s may not tick it", def->id,
                       def->owner, roles.len ? roles.data : "no user role",
                       access_role_name(call->who->role));
    }
    bool deliverable = def->type == ITEM_DELIVERABLE ||
                       (def->kind != NULL && strcmp(def->kind, "deliverable") == 0);
    if (s->done && deliverable && text_blank(s->evidence) && text_blank(s->document) &&
        s->activity_id == NULL && !def->requires_document)
        return bf_fail(&call->err, BF_ERR_INVALID, "required", "evidence",
                       "%s is a deliverable: it is ticked with its evidence, a note (evidence), "
                       "a document or a linked activity (activity_id)",
                       def->id);
    return BF_OK;
}

/* 409 derived: an item computed from a form is filled in there. */
static bf_result refuse_derived(api_call *call, const checklist_def *def, const char *item_id,
                                const char *opp_id)
{
    static const struct {
        const char *from, *where;
    } sources[] = {
        {"profile", "the account's profile (PUT /api/v1/accounts/{id}/profile, and the "
                    "account's facts)"},
        {"contacts", "the account's buying centre (a decision maker or approver with a phone "
                     "or e-mail)"},
        {"tender", "the tender record (PUT /api/v1/opportunities/{id}/tender)"},
        {"contract", "the deal's contract and its payment plan (PUT /api/v1/contracts/{id})"},
    };
    for (size_t i = 0; def->derived_from && i < sizeof(sources) / sizeof(sources[0]); i++)
        if (strcmp(def->derived_from, sources[i].from) == 0)
            return bf_fail(&call->err, BF_ERR_CONFLICT, "derived", "item", "%s is computed from %s",
                           item_id, sources[i].where);
    if (def->derived_from != NULL && strcmp(def->derived_from, "buying-conditions") == 0)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "derived", "item",
                       "%s is met by the buying conditions' check (PUT "
                       "/api/v1/opportunities/%s/buying-conditions)",
                       item_id, opp_id);
    if (def->derived_from != NULL)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "derived", "item",
                       "%s is met by the proposal's review and its approved release (PUT "
                       "/api/v1/opportunities/%s/proposal-review, then ask for kind "
                       "proposal_release)",
                       item_id, opp_id);
    const char *fw = def->framework;
    bool mant = strcmp(fw, "MANT") == 0, ce = strcmp(fw, "CE") == 0;
    bool w5p2 = strcmp(fw, "5W2P") == 0;
    return bf_fail(&call->err, BF_ERR_CONFLICT, "derived", "item",
                   "%s is computed from %s; fill it in (PUT /api/v1/opportunities/%s/%s)", item_id,
                   mant   ? "the MANT form and the account's buying centre (contacts' roles)"
                   : w5p2 ? "the 5W+2P form"
                   : ce   ? "the compelling event form"
                          : "the opportunity evaluation and the sales mode",
                   opp_id,
                   mant   ? "mant"
                   : w5p2 ? "5w2p"
                   : ce   ? "compelling-event"
                          : "evaluation");
}

/* A deliverable that requires a document is ticked with one: document_id
 * (a document of this deal the caller sees, then linked to the item and
 * named by the tick's evidence), or one linked to it already. */
static bf_result check_document(api_call *call, const record *opp, const checklist_def *def,
                                checklist_state *s, const char *document_id)
{
    if (document_id != NULL) {
        document d;
        bf_error ignored;
        bf_result r = store_document_get(call->app->store, call->arena, document_id, &d, &ignored);
        if (r == BF_ERR_NOT_FOUND ||
            (r == BF_OK && (strcmp(d.opportunity_id, opp->id) != 0 ||
                            (call->who->role == ROLE_PARTNER && !d.shared))))
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "document_id",
                           "document_id must be a document kept on this opportunity");
        if (r != BF_OK)
            return r;
        if (text_blank(s->document)) /* the evidence names it */
            s->document = arena_printf(call->arena, "%s (v%lld)", d.name, (long long)d.version);
        if (d.item_id != NULL && strcmp(d.item_id, def->id) == 0)
            return BF_OK;
        d.item_id = def->id;
        if ((r = store_document_update(call->app->store, &d, &call->err)) != BF_OK)
            return r;
        json_t *v =
            api_keep(call, json_pack("{s:s, s:s, s:I, s:s}", "document", d.id, "name", d.name,
                                     "version", (json_int_t)d.version, "item_id", def->id));
        return v ? api_audit(call, "document_update", "opportunities", opp->id, NULL, v)
                 : BF_ERR_NOMEM;
    }
    if (!s->done || !def->requires_document)
        return BF_OK;
    int64_t n = 0;
    bf_result r = store_document_count_for_item(call->app->store, opp->id, def->id, &n, &call->err);
    if (r == BF_OK && n == 0)
        r = bf_fail(&call->err, BF_ERR_INVALID, "document_required", "document_id",
                    "%s is ticked with the document that satisfies it: upload it to the deal, or "
                    "make it from a template, and name it (document_id)",
                    def->id);
    return r;
}

static bf_result checklist_put_in_tx(api_call *call, checklist_state *s, const char *item_id,
                                     const char *document_id, json_t **out)
{
    record *opp;
    const playbook *pb;
    bf_result r = opportunity_load(call, &opp, &pb);
    if (r != BF_OK)
        return r;
    const char *status = record_text(opp, "status");
    bool won = strcmp(status, "won") == 0;
    size_t index = 0;
    const stage_def *stage = playbook_stage(pb, record_text(opp, "stage"), &index);
    if (!won && strcmp(status, "open") != 0)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "not_open", "status",
                       "the opportunity is %s; its checklist is closed", status);
    /* A won deal works through the closing steps and, where winning entered
     * the certain last stage, that stage's items. */
    const checklist_def *def = won ? playbook_item(pb, NULL, item_id) : NULL;
    const char *stage_key = won ? CLOSING_STAGE : stage ? stage->id : NULL;
    if (stage != NULL && def == NULL && (!won || index > playbook_winning_stage(pb))) {
        def = playbook_item(pb, stage, item_id);
        stage_key = stage->id;
    }
    if (def != NULL && checklist_item_hidden(call, def))
        def = NULL; /* internal deliverables do not exist for a partner */
    if (def == NULL) {
        const stage_def *elsewhere = stage_holding(pb, item_id);
        const checklist_def *other =
            elsewhere ? playbook_item(pb, elsewhere, item_id) : playbook_item(pb, NULL, item_id);
        if (other != NULL && checklist_item_hidden(call, other))
            other = NULL; /* a hidden item is no item, in whatever stage */
        if (other != NULL && (elsewhere != NULL || !won))
            return bf_fail(&call->err, BF_ERR_CONFLICT, "other_stage", "item",
                           "item %s belongs to %s; the opportunity is %s%s", item_id,
                           elsewhere ? elsewhere->id : "the closing after a win",
                           won ? "won in stage " : "in stage ", record_text(opp, "stage"));
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "item",
                       "the checklist has no item %s", item_id);
    }
    if (checklist_item_derived(def))
        return refuse_derived(call, def, item_id, opp->id);
    if ((r = check_document(call, opp, def, s, document_id)) != BF_OK ||
        (r = check_tick(call, pb, def, s)) != BF_OK)
        return r;
    if ((r = check_linked_activity(call, opp, s->activity_id)) != BF_OK)
        return r;
    if ((r = store_checklist_put(call->app->store, opp->id, stage_key, s, &call->err)) != BF_OK)
        return r;
    json_t *values =
        api_keep(call, json_pack("{s:s, s:s, s:b, s:s?, s:s?, s:s?}", "stage", stage_key, "item",
                                 item_id, "done", s->done, "evidence", s->evidence, "activity_id",
                                 s->activity_id, "document", s->document));
    if (values == NULL)
        return BF_ERR_NOMEM;
    if ((r = api_audit(call, "checklist", "opportunities", opp->id, NULL, values)) != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    s->done_at = arena_strdup(call->arena, now);
    checklist_state *state = NULL;
    size_t n = 0;
    if (def->nsteps > 0 && (r = checklist_state_of(call, opp, pb, stage_key, &state, &n)) != BF_OK)
        return r;
    *out = item_json(call, pb, def, s, state, n);
    if (*out)
        json_object_set_new(*out, "stage", json_string(stage_key));
    return BF_OK;
}

/* A tick of a checklist item and its answer (kept in the call's arena). */
typedef struct tick {
    checklist_state *state;
    const char *document_id;
    json_t *out;
} tick;

static bf_result tick_in_tx(api_call *call, void *ctx)
{
    tick *t = ctx;
    bf_result r = checklist_put_in_tx(call, t->state, t->state->item_id, t->document_id, &t->out);
    if (t->out != NULL && api_keep(call, t->out) == NULL) /* released: the answer fails */
        r = BF_ERR_NOMEM;
    return r;
}

bf_result opportunity_checklist_put(api_call *call, const api_route *route)
{
    (void)route;
    json_t *body;
    /* 404 first, for a deal one cannot see; the write loads it in its transaction. */
    bf_result r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
    if (r == BF_OK)
        r = api_require(call, ACCESS_TICK_CHECKLISTS);
    if (r == BF_OK)
        r = api_body_as(call, &body_checklist_item, &body);
    if (r != BF_OK)
        return r;
    checklist_state s = {.item_id = call->req->params[1],
                         .done = json_is_true(json_object_get(body, "done")),
                         .done_by = call->actor};
    read_evidence(body, &s);
    tick t = {.state = &s, .document_id = json_string_value(json_object_get(body, "document_id"))};
    if ((r = api_transaction(call, tick_in_tx, &t)) != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_incref(t.out));
    return BF_OK;
}

/* A tick of a key activity's sub-step and its answer. */
typedef struct step_tick {
    bool done;
    const char *evidence;
    json_t *out;
} step_tick;

static bf_result step_in_tx(api_call *call, void *ctx)
{
    step_tick *t = ctx;
    record *opp;
    const playbook *pb;
    bf_result r = opportunity_load(call, &opp, &pb);
    if (r != BF_OK)
        return r;
    if (!opportunity_is_open(opp))
        return bf_fail(&call->err, BF_ERR_CONFLICT, "not_open", "status",
                       "the opportunity is %s; its checklist is closed",
                       record_text(opp, "status"));
    const char *item_id = call->req->params[1], *step = call->req->params[2];
    const stage_def *stage = playbook_stage(pb, record_text(opp, "stage"), NULL);
    const checklist_def *def = stage ? playbook_item(pb, stage, item_id) : NULL;
    if (def == NULL || def->type != ITEM_ACTIVITY || def->nsteps == 0)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "item",
                       "stage %s has no key activity %s with sub-steps", record_text(opp, "stage"),
                       item_id);
    char *end;
    long n = strtol(step, &end, 10);
    if (*step == '\0' || *end != '\0' || n < 1 || (size_t)n > def->nsteps)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "step",
                       "key activity %s has sub-steps 1 to %zu", item_id, def->nsteps);
    const char *owner = step_owner(def, (size_t)n - 1);
    if (!may_tick_owned(call, pb, owner)) {
        call->error_extra = json_pack("{s:s?, s:o}", "owner", owner, "owner_roles",
                                      owner ? owner_roles_json(pb, owner) : json_array());
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "not_owner", "step",
                       "sub-step %ld of %s is the work of %s; a user of role %s may not tick it", n,
                       item_id, owner ? owner : "no one", access_role_name(call->who->role));
    }
    checklist_state s = {.item_id = step_key(call, item_id, (size_t)n),
                         .done = t->done,
                         .evidence = t->evidence,
                         .done_by = call->actor};
    if (s.item_id == NULL)
        return BF_ERR_NOMEM;
    if ((r = store_checklist_put(call->app->store, opp->id, stage->id, &s, &call->err)) != BF_OK)
        return r;
    json_t *values =
        api_keep(call, json_pack("{s:s, s:s, s:i, s:b, s:s?}", "stage", stage->id, "item", item_id,
                                 "step", (int)n, "done", t->done, "evidence", t->evidence));
    if (values == NULL)
        return BF_ERR_NOMEM;
    if ((r = api_audit(call, "checklist", "opportunities", opp->id, NULL, values)) != BF_OK)
        return r;
    checklist_state *state;
    size_t nstate;
    if ((r = checklist_state_of(call, opp, pb, stage->id, &state, &nstate)) != BF_OK)
        return r;
    t->out = api_keep(
        call, item_json(call, pb, def, stage_find_state(state, nstate, def->id), state, nstate));
    return t->out ? BF_OK : BF_ERR_NOMEM;
}

bf_result opportunity_checklist_step_put(api_call *call, const api_route *route)
{
    (void)route;
    json_t *body;
    /* 404 first, for a deal one cannot see; the write loads it in its transaction. */
    bf_result r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
    if (r == BF_OK)
        r = api_require(call, ACCESS_TICK_CHECKLISTS);
    if (r == BF_OK)
        r = api_body_as(call, &body_checklist_step, &body);
    if (r != BF_OK)
        return r;
    step_tick t = {.done = json_is_true(json_object_get(body, "done")),
                   .evidence = json_string_value(json_object_get(body, "evidence"))};
    if ((r = api_transaction(call, step_in_tx, &t)) != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_incref(t.out));
    return BF_OK;
}

/* The checklist left behind, kept in the history entry of a move. */
static const char *checklist_snapshot(api_call *call, const stage_def *stage,
                                      const checklist_state *state, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < stage->nitems; i++) {
        const checklist_state *s = stage_find_state(state, n, stage->items[i].id);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:s?, s:s?, s:s?}", "id",
                                             stage->items[i].id, "type",
                                             item_types[stage->items[i].type], "done", s && s->done,
                                             "evidence", s ? s->evidence : NULL, "by",
                                             s ? s->done_by : NULL, "at", s ? s->done_at : NULL));
    }
    const char *out = arr ? api_json_text(call, arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    return out;
}

/* Moves opp to stage `to` and records the change of kind, in the caller's
 * transaction; on return opp holds the new version. */
static bf_result move_stage(api_call *call, record *opp, const playbook *pb, const stage_def *from,
                            const stage_def *to, const char *kind, const char *reason,
                            const char *snapshot)
{
    int64_t version = opp->version;
    bool win = strcmp(kind, "won") == 0; /* the winning gate passed: certain */
    int probability = win ? 100 : to->probability;
    record_set_text(opp, "stage", to->id);
    record_set_int(opp, "probability", probability);
    bf_result r = BF_OK;
    if (win) {
        record_set_text(opp, "status", "won");
        r = opportunity_set_closed(call, opp, NULL);
    }
    if (strcmp(kind, "turnaround") == 0)
        record_set_int(opp, "turnaround", 1);
    if (r == BF_OK)
        r = opportunity_set_in_funnel(call, opp, pb, false);
    if (r != BF_OK)
        return r;
    r = store_record_update(call->app->store, call->arena, opp, version, &call->err);
    if (r != BF_OK)
        return r;
    json_t *old_v = api_keep(
        call, json_pack("{s:s, s:i}", "stage", from->id, "probability", from->probability));
    json_t *new_v =
        api_keep(call, json_pack("{s:s, s:i, s:s?, s:s?}", "stage", to->id, "probability",
                                 probability, "status", win ? "won" : NULL, "reason", reason));
    if (old_v == NULL || new_v == NULL)
        return BF_ERR_NOMEM;
    char *action = arena_printf(call->arena, "stage_%s", kind);
    if (action == NULL)
        return BF_ERR_NOMEM;
    if ((r = api_audit(call, action, "opportunities", opp->id, old_v, new_v)) != BF_OK)
        return r;
    stage_change ch = {
        .opportunity_id = opp->id,
        .kind = kind,
        .playbook = pb->id,
        .from_stage = from->id,
        .to_stage = to->id,
        .from_probability = from->probability,
        .to_probability = probability,
        .changed_by = call->actor,
        .reason = reason,
        .checklist = snapshot,
    };
    r = store_stage_change_append(call->app->store, call->arena, &ch, &call->err);
    return r == BF_OK && win ? opportunity_won(call, opp, pb) : r;
}

static json_t *unmet_json(const stage_gate *gate)
{
    json_t *unmet = json_array();
    for (size_t i = 0; unmet && i < gate->nunmet; i++) {
        const checklist_def *d = gate->unmet[i];
        json_array_append_new(unmet, json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "id", d->id, "type",
                                               item_types[d->type], "text", d->text.zh, "text_en",
                                               d->text.en, "owner", d->owner));
    }
    for (size_t i = 0; unmet && i < gate->nunmet_decisions; i++) {
        const decision_def *d = gate->unmet_decisions[i];
        json_array_append_new(unmet,
                              json_pack("{s:s, s:s, s:s, s:s?}", "id", d->id, "type", "decision",
                                        "text", d->question.zh, "text_en", d->question.en));
    }
    return unmet;
}

typedef struct advance_request {
    const char *opportunity_id; /* NULL: the path's */
    const char *note;
    bool override;
    bool check_version;
    int64_t expected;
    const char *stage; /* an approved override: the stage whose gate it passes */
} advance_request;

static bf_result advance_in_tx(api_call *call, const advance_request *req, record **out)
{
    record *opp;
    const playbook *pb;
    bf_result r = req->opportunity_id ? opportunity_load_id(call, req->opportunity_id, &opp, &pb)
                                      : opportunity_load(call, &opp, &pb);
    if (r != BF_OK)
        return r;
    if (req->stage != NULL &&
        (!opportunity_is_open(opp) || strcmp(record_text(opp, "stage"), req->stage) != 0))
        return bf_fail(&call->err, BF_ERR_CONFLICT, "approval_stale", "stage",
                       "the deal is no longer open in stage %s, whose gate the approval passes",
                       req->stage);
    if (req->check_version && opp->version != req->expected)
        return bf_fail(&call->err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the opportunity was changed by someone else: version %lld is current, "
                       "not %lld",
                       (long long)opp->version, (long long)req->expected);
    if (!opportunity_is_open(opp))
        return bf_fail(&call->err, BF_ERR_CONFLICT, "not_open", "status",
                       "the opportunity is %s; only open opportunities advance",
                       record_text(opp, "status"));
    const char *from_id = record_text(opp, "stage");
    const stage_def *from = playbook_stage(pb, from_id, NULL);
    if (from == NULL)
        return bf_fail_args(&call->err, BF_ERR_CONFLICT, "unknown_stage", "stage",
                            BF_ARGS(BF_TEXT("id", from_id)), "stage %s is no longer in playbook %s",
                            from_id, pb->id);
    checklist_state *state;
    size_t n;
    if ((r = checklist_state_of(call, opp, pb, from->id, &state, &n)) != BF_OK)
        return r;
    stage_gate gate;
    gate.unmet = arena_calloc(call->arena, from->nitems + 1, sizeof(*gate.unmet));
    gate.unmet_decisions = arena_calloc(call->arena, pb->ndecisions + 1, sizeof(decision_def *));
    if (gate.unmet == NULL || gate.unmet_decisions == NULL)
        return BF_ERR_NOMEM;
    r = stage_advance_check(pb, from->id, state, n, &gate, &call->err);
    if (r == BF_ERR_GATE_UNMET && req->override && !gate.wins) {
        /* A manager's decision, recorded as an approval; the reason is kept. */
        json_t *ask =
            api_keep(call, json_pack("{s:s, s:s?, s:o}", "stage", from->id, "to",
                                     gate.to ? gate.to->id : NULL, "unmet", unmet_json(&gate)));
        if (ask == NULL)
            return BF_ERR_NOMEM;
        r = approval_record_direct(call, opp, APPROVAL_OVERRIDE, ask, req->note);
        if (r != BF_OK)
            return r;
    } else if (r == BF_ERR_GATE_UNMET) {
        if (req->override) /* winning early is asked for, never overridden */
            bf_fail(&call->err, BF_ERR_GATE_UNMET, "gate_unmet", "stage",
                    "the gate of stage %s wins the deal and is never overridden; meet it, or ask "
                    "for an approval to close the deal early",
                    from->id);
        call->error_extra = json_pack("{s:s, s:o}", "stage", from->id, "unmet", unmet_json(&gate));
        return r;
    }
    if (r != BF_OK)
        return r;
    const char *snapshot = checklist_snapshot(call, from, state, n);
    bool overridden = req->override && gate.nunmet + gate.nunmet_decisions > 0;
    const char *kind = gate.wins ? "won" : overridden ? "override" : "advance";
    if ((r = move_stage(call, opp, pb, from, gate.to ? gate.to : from, kind, req->note,
                        snapshot)) != BF_OK)
        return r;
    *out = opp;
    return BF_OK;
}

/* An advance and the record it leaves. */
typedef struct move {
    const advance_request *req;
    record *opp;
} move;

static bf_result move_in_tx(api_call *call, void *ctx)
{
    move *m = ctx;
    return advance_in_tx(call, m->req, &m->opp);
}

bf_result opportunity_advance(api_call *call, const api_route *route)
{
    (void)route;
    advance_request req = {0};
    {
        /* 404 first, for a deal one cannot see; the move loads it in its transaction. */
        bf_result r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
        if (r == BF_OK)
            r = api_require(call, ACCESS_MOVE_DEALS);
        if (r != BF_OK)
            return r;
    }
    if (call->req->body.len > 0) {
        json_t *body;
        bf_result r = api_body_as(call, &body_advance, &body);
        if (r != BF_OK)
            return r;
        req.override = json_is_true(json_object_get(body, "override"));
        json_t *note = json_object_get(body, "reason"); /* note and reason are one text */
        req.note = json_string_value(note ? note : json_object_get(body, "note"));
        if (req.override && req.note == NULL)
            return bf_fail(&call->err, BF_ERR_INVALID, "required", "reason",
                           "an override needs a reason, kept in the stage history");
    }
    req.check_version = http_header(call->req, "If-Match") != NULL;
    bf_result r;
    if (req.check_version && (r = api_if_match(call, &req.expected)) != BF_OK)
        return r;
    move m = {.req = &req};
    if ((r = api_transaction(call, move_in_tx, &m)) != BF_OK)
        return r;
    return api_respond_record(call, 200, m.opp);
}

bf_result opportunity_advance_approved(api_call *call, const char *opportunity_id,
                                       const char *stage, const char *reason, record **out)
{
    advance_request req = {
        .opportunity_id = opportunity_id, .note = reason, .override = true, .stage = stage};
    return advance_in_tx(call, &req, out);
}

bf_result opportunity_win_approved(api_call *call, const char *opportunity_id, const char *reason,
                                   record **out)
{
    record *opp;
    const playbook *pb;
    bf_result r = opportunity_load_id(call, opportunity_id, &opp, &pb);
    if (r != BF_OK)
        return r;
    if (!opportunity_is_open(opp))
        return bf_fail(&call->err, BF_ERR_CONFLICT, "approval_stale", "status",
                       "the deal is %s already", record_text(opp, "status"));
    const stage_def *from = playbook_stage(pb, record_text(opp, "stage"), NULL);
    if (from == NULL)
        return bf_fail_args(&call->err, BF_ERR_CONFLICT, "unknown_stage", "stage",
                            BF_ARGS(BF_TEXT("id", record_text(opp, "stage"))),
                            "stage %s is no longer in playbook %s", record_text(opp, "stage"),
                            pb->id);
    /* Where the winning gate leads: the 100% last stage after it, or itself. */
    size_t win = playbook_winning_stage(pb);
    const stage_def *to = &pb->stages[win + 1 < pb->nstages ? win + 1 : win];
    checklist_state *state;
    size_t n;
    if ((r = checklist_state_of(call, opp, pb, from->id, &state, &n)) != BF_OK)
        return r;
    if ((r = move_stage(call, opp, pb, from, to, "won", reason,
                        checklist_snapshot(call, from, state, n))) != BF_OK)
        return r;
    *out = opp;
    return BF_OK;
}

/* A go/no-go answered no: the deal is closed as abandoned, the answer its
 * reason, in the caller's transaction. */
static bf_result abandon_deal(api_call *call, record *opp, const char *reason)
{
    /* close_reason holds 1,000 characters; a longer answer is cut at one. */
    size_t chars = 0, cut = 0;
    for (; reason[cut] != '\0'; cut++)
        if (((unsigned char)reason[cut] & 0xC0) != 0x80 && ++chars > 1000)
            break;
    reason = arena_strndup(call->arena, reason, cut);
    if (reason == NULL)
        return BF_ERR_NOMEM;
    int64_t version = opp->version;
    json_t *old_v = api_keep(call, json_pack("{s:s}", "status", record_text(opp, "status")));
    record_set_text(opp, "status", "abandoned");
    record_set_text(opp, "close_reason", reason);
    record_set_int(opp, "probability", 0);
    bf_result r = opportunity_set_closed(call, opp, NULL);
    if (r == BF_OK)
        r = store_record_update(call->app->store, call->arena, opp, version, &call->err);
    json_t *new_v = api_keep(call, json_pack("{s:s, s:s, s:i}", "status", "abandoned",
                                             "close_reason", reason, "probability", 0));
    if (r == BF_OK && (old_v == NULL || new_v == NULL))
        r = BF_ERR_NOMEM;
    return r == BF_OK ? api_audit(call, "update", "opportunities", opp->id, old_v, new_v) : r;
}

static bf_result decide_in_tx(api_call *call, checklist_state *s, bool yes, json_t **out)
{
    record *opp;
    const playbook *pb;
    bf_result r = opportunity_load(call, &opp, &pb);
    if (r != BF_OK)
        return r;
    const decision_def *d = playbook_decision(pb, call->req->params[1]);
    if (d == NULL)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "decision",
                       "playbook %s has no decision point %s", pb->id, call->req->params[1]);
    if (!opportunity_is_open(opp))
        return bf_fail(&call->err, BF_ERR_CONFLICT, "not_open", "status",
                       "the opportunity is %s; only open opportunities decide",
                       record_text(opp, "status"));
    size_t current;
    const stage_def *from = playbook_stage(pb, record_text(opp, "stage"), &current);
    if (from == NULL || d->stage != current)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "other_stage", "decision",
                       "decision point %s is asked in stage %s; the opportunity is in stage %s",
                       d->id, pb->stages[d->stage].id, record_text(opp, "stage"));
    s->item_id = d->id;
    s->done = yes;
    if ((r = store_checklist_put(call->app->store, opp->id, from->id, s, &call->err)) != BF_OK)
        return r;
    json_t *values = api_keep(call, json_pack("{s:s, s:s, s:s?}", "decision", d->id, "answer",
                                              yes ? "yes" : "no", "reason", s->evidence));
    if (values == NULL)
        return BF_ERR_NOMEM;
    if ((r = api_audit(call, "decision", "opportunities", opp->id, NULL, values)) != BF_OK)
        return r;
    const char *reason = yes ? NULL : arena_printf(call->arena, "%s: %s", d->id, s->evidence);
    if (!yes && reason == NULL)
        return BF_ERR_NOMEM;
    if (!yes && d->abandons && (r = abandon_deal(call, opp, reason)) != BF_OK)
        return r;
    /* Turnaround (翻盘): back to the stage the playbook names, flagged. */
    if (!yes && !d->abandons &&
        (r = move_stage(call, opp, pb, from, &pb->stages[d->no_stage], "turnaround", reason,
                        NULL)) != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    s->done_at = arena_strdup(call->arena, now);
    json_t *dj = decision_json(d, s);
    json_t *oj = api_record_json(call, opp);
    *out = json_pack("{s:o, s:o}", "decision", dj, "opportunity", oj);
    if (*out == NULL)
        return BF_ERR_NOMEM;
    return api_set_etag(call, opp->version);
}

/* An answer to a decision point and the answer to the request. */
typedef struct decision {
    checklist_state *state;
    bool yes;
    json_t *out;
} decision;

static bf_result decision_in_tx(api_call *call, void *ctx)
{
    decision *d = ctx;
    bf_result r = decide_in_tx(call, d->state, d->yes, &d->out);
    if (d->out != NULL && api_keep(call, d->out) == NULL) /* released: the answer fails */
        r = BF_ERR_NOMEM;
    return r;
}

bf_result opportunity_decide(api_call *call, const api_route *route)
{
    (void)route;
    json_t *body;
    /* 404 first, for a deal one cannot see; the decision loads it in its transaction. */
    bf_result r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
    if (r == BF_OK)
        r = api_require(call, ACCESS_MOVE_DEALS);
    if (r == BF_OK)
        r = api_body_as(call, &body_decision, &body);
    if (r != BF_OK)
        return r;
    const char *a = json_string_value(json_object_get(body, "answer"));
    checklist_state s = {.done_by = call->actor};
    read_evidence(body, &s);
    bool yes = strcmp(a, "yes") == 0;
    if (!yes && (s.evidence == NULL || *s.evidence == '\0'))
        return bf_fail(&call->err, BF_ERR_INVALID, "required", "reason",
                       "a no needs a reason: it turns the deal around and is kept in the history");
    decision d = {.state = &s, .yes = yes};
    if ((r = api_transaction(call, decision_in_tx, &d)) != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_incref(d.out));
    return BF_OK;
}

bf_result opportunity_history(api_call *call, const api_route *route)
{
    (void)route;
    store *st = call->app->store;
    record *opp;
    const char *id = call->req->params[0];
    bf_result r = api_require_visible(call, &resource_opportunities, id);
    if (r == BF_OK)
        r = store_record_get(st, call->arena, &resource_opportunities, id, &opp, &call->err);
    if (r != BF_OK)
        return r;
    /* The checklist left behind may hold internal deliverables. */
    bool snapshots = access_may(call->who->role, ACCESS_SEE_INTERNAL);
    stage_change *items;
    size_t n;
    if ((r = store_stage_history(st, call->arena, opp->id, &items, &n, &call->err)) != BF_OK)
        return r;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        stage_change *c = &items[i];
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s?, s:s, s:i, s:s, s:s, s:s?}", "id", c->id, "kind",
                      c->kind, "playbook", c->playbook, "from_stage", c->from_stage, "to_stage",
                      c->to_stage, "to_probability", c->to_probability, "changed_at", c->changed_at,
                      "changed_by", c->changed_by, "reason", c->reason);
        if (o == NULL)
            return BF_ERR_NOMEM;
        json_object_set_new(o, "from_probability",
                            c->from_stage ? json_integer(c->from_probability) : json_null());
        json_t *snap = c->checklist && snapshots ? json_loads(c->checklist, 0, NULL) : NULL;
        json_object_set_new(o, "checklist", snap ? snap : json_null());
        json_array_append_new(arr, o);
    }
    http_respond_json(call->req, 200,
                      json_pack("{s:s, s:o}", "opportunity_id", opp->id, "items", arr));
    return BF_OK;
}
