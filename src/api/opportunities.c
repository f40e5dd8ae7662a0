/* Opportunities (商机): creation and update rules, the stage checklist, the
 * gated advance to the next stage, and the stage history. */
#include "api/api.h"

#include <string.h>

#include "core/opportunity.h"
#include "core/stage.h"
#include "core/text.h"
#include "http/response.h"

static const char *path_id(api_call *call)
{
    return call->req->nparams > 0 ? call->req->params[0] : "";
}

static bf_result opportunity_check(api_call *call, record *rec, const record *before)
{
    bool moved;
    return opportunity_prepare(rec, before, call->app->playbooks, &moved, &call->err);
}

/* Records the first stage on create, and the move when the deal changes
 * playbook; when the deal moves to another account, its activities follow. */
static bf_result opportunity_after_write(api_call *call, record *rec, const record *before)
{
    const char *account = record_text(rec, "account_id");
    if (before != NULL && strcmp(record_text(before, "account_id"), account) != 0) {
        bf_result r = store_record_set_where(call->app->store, &resource_activities, "account_id",
                                             account, "opportunity_id", rec->id, &call->err);
        if (r != BF_OK)
            return r;
    }
    const char *pb_id = record_text(rec, "playbook");
    if (before != NULL && strcmp(record_text(before, "playbook"), pb_id) == 0)
        return BF_OK;
    stage_change ch = {
        .opportunity_id = rec->id,
        .kind = before ? "playbook" : "create",
        .playbook = pb_id,
        .from_stage = before ? record_text(before, "stage") : NULL,
        .to_stage = record_text(rec, "stage"),
        .from_probability = before ? (int)record_field_const(before, "probability")->i : 0,
        .to_probability = (int)record_field_const(rec, "probability")->i,
        .changed_by = call->actor,
        .reason = before ? arena_printf(call->arena, "playbook %s -> %s",
                                        record_text(before, "playbook"), pb_id)
                         : NULL,
    };
    return store_stage_change_append(call->app->store, call->arena, &ch, &call->err);
}

const resource_hooks opportunity_hooks = {opportunity_check, opportunity_after_write};

static bf_result load_playbook(api_call *call, const record *opp, const playbook **out)
{
    const char *id = record_text(opp, "playbook");
    *out = playbook_set_find(call->app->playbooks, id);
    if (*out == NULL)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "unknown_playbook", "playbook",
                       "the opportunity's playbook %s is not loaded", id);
    return BF_OK;
}

static json_t *text_json(const i18n_text *t)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "zh", json_string(t->zh ? t->zh : ""));
    if (t->en)
        json_object_set_new(o, "en", json_string(t->en));
    return o;
}

static json_t *item_json(const checklist_def *def, const checklist_state *s)
{
    json_t *o = json_pack("{s:s, s:s, s:o}", "id", def->id, "kind", def->kind, "text",
                          text_json(&def->text));
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "owner", def->owner ? json_string(def->owner) : json_null());
    json_object_set_new(o, "framework", def->framework ? json_string(def->framework) : json_null());
    json_object_set_new(o, "done", json_boolean(s && s->done));
    json_object_set_new(o, "evidence", s && s->evidence ? json_string(s->evidence) : json_null());
    json_object_set_new(o, "updated_by", s && s->done_by ? json_string(s->done_by) : json_null());
    json_object_set_new(o, "updated_at", s && s->done_at ? json_string(s->done_at) : json_null());
    return o;
}

bf_result opportunity_checklist_get(api_call *call, const api_route *route)
{
    (void)route;
    record *opp;
    const playbook *pb;
    store *st = call->app->store;
    bf_result r =
        store_record_get(st, call->arena, &resource_opportunities, path_id(call), &opp, &call->err);
    if (r == BF_OK)
        r = load_playbook(call, opp, &pb);
    if (r != BF_OK)
        return r;
    const char *stage_id = http_query(call->req, "stage");
    if (stage_id == NULL)
        stage_id = record_text(opp, "stage");
    const stage_def *stage = playbook_stage(pb, stage_id, NULL);
    if (stage == NULL)
        return bf_fail(&call->err, BF_ERR_INVALID, "unknown_stage", "stage",
                       "stage %s is not a stage of playbook %s", stage_id, pb->id);
    checklist_state *state;
    size_t n;
    if ((r = store_checklist_get(st, call->arena, opp->id, stage->id, &state, &n, &call->err)) !=
        BF_OK)
        return r;
    json_t *items = json_array();
    size_t unmet = 0;
    for (size_t i = 0; items && i < stage->nitems; i++) {
        const checklist_state *s = stage_find_state(state, n, stage->items[i].id);
        if (s == NULL || !s->done)
            unmet++;
        json_array_append_new(items, item_json(&stage->items[i], s));
    }
    json_t *body =
        json_pack("{s:s, s:s, s:{s:s, s:o, s:i, s:b}, s:b, s:I, s:o}", "opportunity_id", opp->id,
                  "playbook", pb->id, "stage", "id", stage->id, "name", text_json(&stage->name),
                  "probability", stage->probability, "in_funnel", stage->in_funnel, "complete",
                  unmet == 0, "unmet", (json_int_t)unmet, "items", items);
    api_set_etag(call, opp->version);
    http_respond_json(call->req, 200, body);
    return BF_OK;
}

static const checklist_def *find_item(const stage_def *stage, const char *id)
{
    for (size_t i = 0; i < stage->nitems; i++)
        if (strcmp(stage->items[i].id, id) == 0)
            return &stage->items[i];
    return NULL;
}

bf_result opportunity_checklist_put(api_call *call, const api_route *route)
{
    (void)route;
    json_t *body;
    bf_result r = api_body(call, &body);
    if (r != BF_OK)
        return r;
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "done") != 0 && strcmp(key, "evidence") != 0)
            return bf_fail(&call->err, BF_ERR_INVALID, "unknown_field", key,
                           "a checklist item has no field %s", key);
    }
    json_t *done = json_object_get(body, "done");
    json_t *evidence = json_object_get(body, "evidence");
    if (done == NULL)
        return bf_fail(&call->err, BF_ERR_INVALID, "required", "done", "done is required");
    if (!json_is_boolean(done))
        return bf_fail(&call->err, BF_ERR_INVALID, "wrong_type", "done",
                       "done must be true or false");
    if (evidence != NULL && !json_is_null(evidence)) {
        if (!json_is_string(evidence))
            return bf_fail(&call->err, BF_ERR_INVALID, "wrong_type", "evidence",
                           "evidence must be a string");
        if (text_utf8_length(json_string_value(evidence), json_string_length(evidence)) > 2000)
            return bf_fail(&call->err, BF_ERR_INVALID, "too_long", "evidence",
                           "evidence is too long: at most 2000 characters");
    }

    store *st = call->app->store;
    record *opp;
    const playbook *pb;
    if ((r = store_begin(st, &call->err)) != BF_OK)
        return r;
    r = store_record_get(st, call->arena, &resource_opportunities, path_id(call), &opp, &call->err);
    if (r == BF_OK)
        r = load_playbook(call, opp, &pb);
    const stage_def *stage = NULL;
    const checklist_def *def = NULL;
    const char *item_id = call->req->params[1];
    if (r == BF_OK) {
        stage = playbook_stage(pb, record_text(opp, "stage"), NULL);
        def = stage ? find_item(stage, item_id) : NULL;
        if (!opportunity_is_open(opp))
            r = bf_fail(&call->err, BF_ERR_CONFLICT, "not_open", "status",
                        "the opportunity is %s; its checklist is closed",
                        record_text(opp, "status"));
        else if (def == NULL) {
            const stage_def *elsewhere = NULL;
            for (size_t i = 0; i < pb->nstages && elsewhere == NULL; i++)
                if (find_item(&pb->stages[i], item_id))
                    elsewhere = &pb->stages[i];
            if (elsewhere)
                r = bf_fail(&call->err, BF_ERR_CONFLICT, "other_stage", "item",
                            "item %s belongs to stage %s; the opportunity is in stage %s", item_id,
                            elsewhere->id, stage ? stage->id : "?");
            else
                r = bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "item",
                            "stage %s has no checklist item %s", stage ? stage->id : "?", item_id);
        }
    }
    checklist_state s = {
        .item_id = item_id,
        .done = json_is_true(done),
        .evidence = evidence && json_is_string(evidence) ? json_string_value(evidence) : NULL,
        .done_by = call->actor,
    };
    if (r == BF_OK)
        r = store_checklist_put(st, opp->id, stage->id, &s, &call->err);
    if (r != BF_OK) {
        store_rollback(st);
        return r;
    }
    if ((r = store_commit(st, &call->err)) != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    s.done_at = now;
    json_t *out = item_json(def, &s);
    if (out)
        json_object_set_new(out, "stage", json_string(stage->id));
    http_respond_json(call->req, 200, out);
    return BF_OK;
}

/* The checklist left behind, kept in the history entry of the move. */
static const char *checklist_snapshot(api_call *call, const stage_def *stage,
                                      const checklist_state *state, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < stage->nitems; i++) {
        const checklist_state *s = stage_find_state(state, n, stage->items[i].id);
        json_array_append_new(arr,
                              json_pack("{s:s, s:b, s:s?, s:s?, s:s?}", "id", stage->items[i].id,
                                        "done", s && s->done, "evidence", s ? s->evidence : NULL,
                                        "by", s ? s->done_by : NULL, "at", s ? s->done_at : NULL));
    }
    char *text = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    const char *out = text ? arena_strdup(call->arena, text) : NULL;
    free(text);
    return out;
}

static bf_result advance_in_tx(api_call *call, const char *note, bool check_version,
                               int64_t expected, record **out)
{
    store *st = call->app->store;
    record *opp;
    const playbook *pb;
    bf_result r =
        store_record_get(st, call->arena, &resource_opportunities, path_id(call), &opp, &call->err);
    if (r != BF_OK)
        return r;
    if (check_version && opp->version != expected)
        return bf_fail(&call->err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the opportunity was changed by someone else: version %lld is current, "
                       "not %lld",
                       (long long)opp->version, (long long)expected);
    if (!opportunity_is_open(opp))
        return bf_fail(&call->err, BF_ERR_CONFLICT, "not_open", "status",
                       "the opportunity is %s; only open opportunities advance",
                       record_text(opp, "status"));
    if ((r = load_playbook(call, opp, &pb)) != BF_OK)
        return r;
    const char *from_id = record_text(opp, "stage");
    const stage_def *from = playbook_stage(pb, from_id, NULL);
    if (from == NULL)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "unknown_stage", "stage",
                       "stage %s is no longer in playbook %s", from_id, pb->id);
    checklist_state *state;
    size_t n;
    if ((r = store_checklist_get(st, call->arena, opp->id, from->id, &state, &n, &call->err)) !=
        BF_OK)
        return r;
    stage_gate gate;
    gate.unmet = arena_calloc(call->arena, from->nitems + 1, sizeof(*gate.unmet));
    if (gate.unmet == NULL)
        return BF_ERR_NOMEM;
    r = stage_advance_check(pb, from->id, state, n, &gate, &call->err);
    if (r == BF_ERR_GATE_UNMET) {
        json_t *unmet = json_array();
        for (size_t i = 0; unmet && i < gate.nunmet; i++)
            json_array_append_new(
                unmet, json_pack("{s:s, s:s, s:s?, s:s, s:s?}", "id", gate.unmet[i]->id, "text",
                                 gate.unmet[i]->text.zh, "text_en", gate.unmet[i]->text.en, "kind",
                                 gate.unmet[i]->kind, "owner", gate.unmet[i]->owner));
        call->error_extra = json_pack("{s:s, s:o}", "stage", from->id, "unmet", unmet);
        return r;
    }
    if (r != BF_OK)
        return r;

    int64_t version = opp->version;
    record_set_text(opp, "stage", gate.to->id);
    record_set_int(opp, "probability", gate.to->probability);
    if ((r = store_record_update(st, call->arena, opp, version, &call->err)) != BF_OK)
        return r;
    stage_change ch = {
        .opportunity_id = opp->id,
        .kind = "advance",
        .playbook = pb->id,
        .from_stage = from->id,
        .to_stage = gate.to->id,
        .from_probability = from->probability,
        .to_probability = gate.to->probability,
        .changed_by = call->actor,
        .reason = note,
        .checklist = checklist_snapshot(call, from, state, n),
    };
    if ((r = store_stage_change_append(st, call->arena, &ch, &call->err)) != BF_OK)
        return r;
    *out = opp;
    return BF_OK;
}

bf_result opportunity_advance(api_call *call, const api_route *route)
{
    (void)route;
    const char *note = NULL;
    if (call->req->body.len > 0) {
        json_t *body;
        bf_result r = api_body(call, &body);
        if (r != BF_OK)
            return r;
        const char *key;
        json_t *v;
        json_object_foreach(body, key, v)
        {
            if (strcmp(key, "note") != 0)
                return bf_fail(&call->err, BF_ERR_INVALID, "unknown_field", key,
                               "advance takes only a note, not %s", key);
            if (!json_is_string(v) && !json_is_null(v))
                return bf_fail(&call->err, BF_ERR_INVALID, "wrong_type", "note",
                               "note must be a string");
            if (json_is_string(v) &&
                text_utf8_length(json_string_value(v), json_string_length(v)) > 1000)
                return bf_fail(&call->err, BF_ERR_INVALID, "too_long", "note",
                               "note is too long: at most 1000 characters");
            note = json_string_value(v);
        }
    }
    int64_t expected = 0;
    bool check_version = http_header(call->req, "If-Match") != NULL;
    bf_result r;
    if (check_version && (r = api_if_match(call, &expected)) != BF_OK)
        return r;
    store *st = call->app->store;
    record *opp = NULL;
    if ((r = store_begin(st, &call->err)) != BF_OK)
        return r;
    if ((r = advance_in_tx(call, note, check_version, expected, &opp)) != BF_OK) {
        store_rollback(st);
        return r;
    }
    if ((r = store_commit(st, &call->err)) != BF_OK)
        return r;
    return api_respond_record(call, 200, opp);
}

bf_result opportunity_history(api_call *call, const api_route *route)
{
    (void)route;
    store *st = call->app->store;
    record *opp;
    bf_result r =
        store_record_get(st, call->arena, &resource_opportunities, path_id(call), &opp, &call->err);
    if (r != BF_OK)
        return r;
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
            continue;
        json_object_set_new(o, "from_probability",
                            c->from_stage ? json_integer(c->from_probability) : json_null());
        json_t *snap = c->checklist ? json_loads(c->checklist, 0, NULL) : NULL;
        json_object_set_new(o, "checklist", snap ? snap : json_null());
        json_array_append_new(arr, o);
    }
    http_respond_json(call->req, 200,
                      json_pack("{s:s, s:o}", "opportunity_id", opp->id, "items", arr));
    return BF_OK;
}
