/* The checklist of an activity: what to do before, during and after it, to
 * tick one by one. A visit planned from a sales mode's visit plan gets its
 * visit's (plan_ref "quick/2"); another activity of a deal gets the one its
 * playbook gives its type (a rehearsal before a presentation or a bid, a
 * demo's flow, a negotiation's steps). The ticks are kept as the form
 * "checklist" of the activity: {item: {done, by, at, note}}. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/response.h"

static const char FORM_KIND[] = "activity";
static const char FORM_NAME[] = "checklist";

/* Where an activity's items come from. */
typedef struct checklist_source {
    const text_list *phases[3]; /* before, during, after; NULL when there is no checklist */
    json_t *about;              /* {kind: visit, mode, n} or {kind: type, id, type}, or NULL */
    const i18n_text *name;
} checklist_source;

static const char *const phase_names[] = {"before", "during", "after"};

static bf_result source_of(api_call *call, const record *act, checklist_source *out)
{
    memset(out, 0, sizeof(*out));
    const char *deal = record_text(act, "opportunity_id");
    if (deal == NULL)
        return BF_OK;
    record *opp;
    bf_error ignored;
    if (store_record_get(call->app->store, call->arena, &resource_opportunities, deal, &opp,
                         &ignored) != BF_OK)
        return BF_OK;
    const playbook *pb = opportunity_playbook(call, opp);
    const char *ref = record_text(act, "plan_ref");
    const char *slash = ref ? strchr(ref, '/') : NULL;
    if (pb && slash) {
        char mode_id[32];
        size_t len = (size_t)(slash - ref);
        if (len < sizeof(mode_id)) {
            memcpy(mode_id, ref, len);
            mode_id[len] = '\0';
            const mode_def *mode = playbook_mode(pb, mode_id);
            int n = atoi(slash + 1);
            for (size_t i = 0; mode && i < mode->nvisits; i++)
                if (mode->visits[i].n == n) {
                    const visit_def *v = &mode->visits[i];
                    out->phases[0] = &v->before;
                    out->phases[1] = &v->during;
                    out->phases[2] = &v->after;
                    out->name = &v->purpose;
                    out->about = api_keep(call, json_pack("{s:s, s:s, s:i}", "kind", "visit",
                                                          "mode", mode->id, "n", n));
                    return out->about ? BF_OK : BF_ERR_NOMEM;
                }
        }
    }
    const activity_checklist_def *c = playbook_activity_checklist(pb, record_text(act, "type"));
    if (c != NULL) {
        out->phases[0] = &c->before;
        out->phases[1] = &c->during;
        out->phases[2] = &c->after;
        out->name = &c->name;
        out->about = api_keep(
            call, json_pack("{s:s, s:s, s:s}", "kind", "type", "id", c->id, "type", c->type));
        return out->about ? BF_OK : BF_ERR_NOMEM;
    }
    return BF_OK;
}

/* The id of item i of phase p: "before-1". */
static const char *item_id(api_call *call, int p, size_t i)
{
    return arena_printf(call->arena, "%s-%zu", phase_names[p], i + 1);
}

static json_t *checklist_json(api_call *call, const record *act, const checklist_source *src,
                              json_t *ticks)
{
    json_t *items = json_array();
    size_t done = 0, total = 0;
    for (int p = 0; items && p < 3; p++)
        for (size_t i = 0; src->phases[p] && i < src->phases[p]->n; i++) {
            const char *id = item_id(call, p, i);
            json_t *t = json_object_get(ticks, id ? id : "");
            bool is_done = json_is_true(json_object_get(t, "done"));
            done += is_done;
            total++;
            json_array_append_new(
                items, json_pack("{s:s?, s:s, s:o, s:b, s:O?, s:O?, s:O?}", "id", id, "phase",
                                 phase_names[p], "text", api_text_json(&src->phases[p]->items[i]),
                                 "done", is_done, "by", json_object_get(t, "by"), "at",
                                 json_object_get(t, "at"), "note", json_object_get(t, "note")));
        }
    return json_pack("{s:s, s:O?, s:o?, s:o, s:I, s:I}", "activity_id", act->id, "source",
                     src->about, "name", src->name ? api_text_json(src->name) : NULL, "items",
                     items, "done", (json_int_t)done, "total", (json_int_t)total);
}

/* The activity of the path (404 when the viewer does not see it), its
 * source and its stored ticks. */
static bf_result load(api_call *call, record **act, checklist_source *src, stored_form *saved,
                      json_t **ticks)
{
    const char *id = call->req->params[0];
    bf_result r = api_require_visible(call, &resource_activities, id);
    if (r == BF_OK)
        r = store_record_get(call->app->store, call->arena, &resource_activities, id, act,
                             &call->err);
    if (r == BF_OK)
        r = source_of(call, *act, src);
    if (r == BF_OK)
        r = store_form_get(call->app->store, call->arena, FORM_KIND, id, FORM_NAME, saved,
                           &call->err);
    if (r != BF_OK)
        return r;
    *ticks = api_keep(call, saved->data ? json_loads(saved->data, 0, NULL) : json_object());
    return *ticks ? BF_OK : BF_ERR_NOMEM;
}

bf_result activity_checklist_get(api_call *call, const api_route *route)
{
    (void)route;
    record *act;
    checklist_source src;
    stored_form saved;
    json_t *ticks;
    bf_result r = load(call, &act, &src, &saved, &ticks);
    if (r != BF_OK)
        return r;
    json_t *body = checklist_json(call, act, &src, ticks);
    if (body == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, body);
    return BF_OK;
}

typedef struct tick {
    json_t *body;
    record *act;
    checklist_source src;
    json_t *ticks;
} tick;

static bf_result tick_in_tx(api_call *call, void *ctx)
{
    tick *t = ctx;
    stored_form saved;
    bf_result r = load(call, &t->act, &t->src, &saved, &t->ticks);
    if (r != BF_OK)
        return r;
    const char *item = call->req->params[1];
    bool known = false;
    for (int p = 0; !known && p < 3; p++)
        for (size_t i = 0; !known && t->src.phases[p] && i < t->src.phases[p]->n; i++) {
            const char *id = item_id(call, p, i);
            known = id && strcmp(id, item) == 0;
        }
    if (!known)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "item",
                       t->src.about ? "the activity's checklist has no item %s"
                                    : "the activity has no checklist (%s): neither a planned "
                                      "visit nor a type its deal's playbook gives one",
                       item);
    json_t *old = json_deep_copy(json_object_get(t->ticks, item));
    api_keep(call, old);
    char now[32];
    store_now(now, sizeof(now));
    bool done = json_is_true(json_object_get(t->body, "done"));
    json_t *entry = json_pack("{s:b, s:s, s:s, s:O?}", "done", done, "by", call->actor, "at", now,
                              "note", json_object_get(t->body, "note"));
    if (entry == NULL || json_object_set_new(t->ticks, item, entry) != 0)
        return BF_ERR_NOMEM;
    const char *text = api_json_text(call, t->ticks, JSON_COMPACT | JSON_SORT_KEYS);
    int64_t version;
    if (text == NULL)
        return BF_ERR_NOMEM;
    if ((r = store_form_put(call->app->store, FORM_KIND, t->act->id, FORM_NAME, text, saved.version,
                            call->actor, &version, &call->err)) != BF_OK)
        return r;
    json_t *new_v = api_keep(call, json_pack("{s:s, s:O}", "item", item, "tick", entry));
    json_t *old_v = old ? api_keep(call, json_pack("{s:s, s:O}", "item", item, "tick", old)) : NULL;
    if (new_v == NULL)
        return BF_ERR_NOMEM;
    return api_audit(call, "checklist", "activities", t->act->id, old_v, new_v);
}

bf_result activity_checklist_put(api_call *call, const api_route *route)
{
    (void)route;
    tick t = {0};
    bf_result r = api_require_visible(call, &resource_activities, call->req->params[0]);
    if (r == BF_OK && !access_may_write(call->who->role, &resource_activities, ACCESS_UPDATE))
        r = bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                    "your role does not change activities");
    if (r == BF_OK)
        r = api_body_as(call, &body_activity_tick, &t.body);
    if (r == BF_OK)
        r = api_transaction(call, tick_in_tx, &t);
    if (r != BF_OK)
        return r;
    json_t *body = checklist_json(call, t.act, &t.src, t.ticks);
    if (body == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, body);
    return BF_OK;
}
