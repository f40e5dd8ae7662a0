/* The checklist of an activity: what to do before, during and after it, to
 * tick one by one. A visit planned from a sales mode's visit plan gets its
 * visit's (plan_ref "quick/2"); another activity of a deal gets the one its
 * playbook gives its type (a rehearsal before a presentation or a bid, a
 * demo's flow, a negotiation's steps). An activity that carries out a key
 * activity of the deal's stage (key_activity) gets that one's tools,
 * steps with their owners and checks as well. The ticks are kept as the form
 * "checklist" of the activity: {item: {done, by, at, note}}. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/response.h"

static const char FORM_KIND[] = "activity";
static const char FORM_NAME[] = "checklist";

static const char *const phase_names[] = {"before", "during", "after"};

/* One item of an activity's checklist. */
typedef struct checklist_item {
    const char *id; /* "before-1"; "key-during-2" for the key activity's */
    int phase;      /* index of phase_names */
    const i18n_text *text;
    const char *owner; /* a key activity step's roles ("S&C"), or NULL */
} checklist_item;

/* Where an activity's items come from: the visit of a sales mode's plan it
 * was planned from, else the checklist its deal's playbook gives its type;
 * and the key activity of the deal's stage it carries out (its tools to
 * take, its steps to do, its checks after). */
typedef struct checklist_source {
    checklist_item *items;
    size_t n;
    json_t *about; /* {kind: visit, mode, n} or {kind: type, id, type}, or NULL */
    const i18n_text *name;
    json_t *key_activity; /* {id, name, stage, stage_name}, or NULL */
} checklist_source;

/* Appends the items of list in phase p, ids prefix-<phase>-<n>. */
static bf_result add_items(api_call *call, checklist_source *src, const char *prefix, int p,
                           const text_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        checklist_item *it = &src->items[src->n++];
        it->id = arena_printf(call->arena, "%s%s-%zu", prefix, phase_names[p], i + 1);
        it->phase = p;
        it->text = &list->items[i];
        if (it->id == NULL)
            return BF_ERR_NOMEM;
    }
    return BF_OK;
}

/* The items of the visit or type checklist (before, during, after). */
static bf_result add_phases(api_call *call, checklist_source *src, const text_list *before,
                            const text_list *during, const text_list *after)
{
    bf_result r = add_items(call, src, "", 0, before);
    if (r == BF_OK)
        r = add_items(call, src, "", 1, during);
    return r == BF_OK ? add_items(call, src, "", 2, after) : r;
}

/* The visit of the mode's plan that ref ("quick/2") names, or NULL. */
static const visit_def *planned_visit(const playbook *pb, const char *ref, const mode_def **mode)
{
    const char *slash = ref ? strchr(ref, '/') : NULL;
    char mode_id[32];
    size_t len = slash ? (size_t)(slash - ref) : 0;
    if (pb == NULL || slash == NULL || len >= sizeof(mode_id))
        return NULL;
    memcpy(mode_id, ref, len);
    mode_id[len] = '\0';
    *mode = playbook_mode(pb, mode_id);
    int n = atoi(slash + 1);
    for (size_t i = 0; *mode && i < (*mode)->nvisits; i++)
        if ((*mode)->visits[i].n == n)
            return &(*mode)->visits[i];
    return NULL;
}

/* The key activity's items: its tools before, its steps during (with
 * their owners), its checks after. */
static bf_result add_key_activity(api_call *call, checklist_source *src, const stage_def *stage,
                                  const checklist_def *key)
{
    bf_result r = add_items(call, src, "key-", 0, &key->tools);
    for (size_t i = 0; r == BF_OK && i < key->nsteps; i++) {
        checklist_item *it = &src->items[src->n++];
        it->id = arena_printf(call->arena, "key-during-%zu", i + 1);
        it->phase = 1;
        it->text = &key->steps[i].text;
        it->owner = key->steps[i].owner ? key->steps[i].owner : key->owner;
        if (it->id == NULL)
            r = BF_ERR_NOMEM;
    }
    if (r == BF_OK)
        r = add_items(call, src, "key-", 2, &key->inspection);
    src->key_activity = api_keep(call, json_pack("{s:s, s:o, s:s, s:o}", "id", key->id, "name",
                                                 api_text_json(&key->text), "stage", stage->id,
                                                 "stage_name", api_text_json(&stage->name)));
    return r == BF_OK && src->key_activity == NULL ? BF_ERR_NOMEM : r;
}

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
    const mode_def *mode = NULL;
    const visit_def *v = planned_visit(pb, record_text(act, "plan_ref"), &mode);
    const activity_checklist_def *c =
        v ? NULL : playbook_activity_checklist(pb, record_text(act, "type"));
    const stage_def *stage = NULL;
    const checklist_def *key =
        pb ? playbook_key_activity(pb, record_text(act, "key_activity"), &stage) : NULL;
    size_t cap = (v ? v->before.n + v->during.n + v->after.n : 0) +
                 (c ? c->before.n + c->during.n + c->after.n : 0) +
                 (key ? key->tools.n + key->nsteps + key->inspection.n : 0);
    out->items = cap ? arena_calloc(call->arena, cap, sizeof(*out->items)) : NULL;
    if (cap && out->items == NULL)
        return BF_ERR_NOMEM;
    bf_result r = BF_OK;
    if (v) {
        r = add_phases(call, out, &v->before, &v->during, &v->after);
        out->name = &v->purpose;
        out->about = json_pack("{s:s, s:s, s:i}", "kind", "visit", "mode", mode->id, "n", v->n);
    } else if (c) {
        r = add_phases(call, out, &c->before, &c->during, &c->after);
        out->name = &c->name;
        out->about = json_pack("{s:s, s:s, s:s}", "kind", "type", "id", c->id, "type", c->type);
    }
    if ((v || c) && r == BF_OK && api_keep(call, out->about) == NULL)
        return BF_ERR_NOMEM;
    if (key && r == BF_OK)
        r = add_key_activity(call, out, stage, key);
    return r;
}

/* The item called id, or NULL. */
static const checklist_item *item_named(const checklist_source *src, const char *id)
{
    for (size_t i = 0; i < src->n; i++)
        if (strcmp(src->items[i].id, id) == 0)
            return &src->items[i];
    return NULL;
}

/* Items the team added to an activity (own-1, own-2 …) are kept with the
 * ticks: {phase, text, done, by, at, note}. */
#define OWN_PREFIX "own-"
#define OWN_MAX 50

/* The number of an own item's id ("own-3": 3), or 0 for another id. */
static long own_number(const char *id)
{
    if (strncmp(id, OWN_PREFIX, sizeof(OWN_PREFIX) - 1) != 0)
        return 0;
    char *end;
    long n = strtol(id + sizeof(OWN_PREFIX) - 1, &end, 10);
    return *end == '\0' && n > 0 ? n : 0;
}

/* Where an item comes from: "own" (added to the activity), "key_activity"
 * or "checklist" (the visit's or the type's). */
static const char *item_from(const char *id)
{
    if (own_number(id) > 0)
        return "own";
    return strncmp(id, "key-", 4) == 0 ? "key_activity" : "checklist";
}

/* Whether item id is ticked done in ticks. */
static bool ticked(json_t *ticks, const char *id)
{
    return json_is_true(json_object_get(json_object_get(ticks, id), "done"));
}

/* How many of src's items are ticked done. */
static size_t count_done(const checklist_source *src, json_t *ticks)
{
    size_t done = 0;
    for (size_t i = 0; i < src->n; i++)
        done += ticked(ticks, src->items[i].id);
    return done;
}

static json_t *checklist_json(api_call *call, const record *act, const checklist_source *src,
                              json_t *ticks)
{
    json_t *items = json_array();
    for (size_t i = 0; items && i < src->n; i++) {
        const checklist_item *it = &src->items[i];
        json_t *t = json_object_get(ticks, it->id);
        bool is_done = ticked(ticks, it->id);
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:o, s:b, s:O?, s:O?, s:O?, s:s?, s:s}", "id", it->id, "phase",
                      phase_names[it->phase], "text", api_text_json(it->text), "done", is_done,
                      "by", json_object_get(t, "by"), "at", json_object_get(t, "at"), "note",
                      json_object_get(t, "note"), "owner", it->owner, "from", item_from(it->id)));
    }
    return json_pack("{s:s, s:O?, s:o?, s:O?, s:o, s:I, s:I}", "activity_id", act->id, "source",
                     src->about, "name", src->name ? api_text_json(src->name) : NULL,
                     "key_activity", src->key_activity, "items", items, "done",
                     (json_int_t)count_done(src, ticks), "total", (json_int_t)src->n);
}

static int by_own_number(const void *a, const void *b)
{
    long x = own_number(((const checklist_item *)a)->id);
    long y = own_number(((const checklist_item *)b)->id);
    return (x > y) - (x < y);
}

/* Appends the own items of ticks to src, in the order they were added. */
static bf_result add_own(api_call *call, checklist_source *src, json_t *ticks)
{
    size_t own = 0;
    const char *key;
    json_t *v;
    json_object_foreach(ticks, key, v) own += own_number(key) > 0;
    if (own == 0)
        return BF_OK;
    checklist_item *items = arena_calloc(call->arena, src->n + own, sizeof(*items));
    if (items == NULL)
        return BF_ERR_NOMEM;
    if (src->n)
        memcpy(items, src->items, src->n * sizeof(*items));
    size_t first = src->n;
    json_object_foreach(ticks, key, v)
    {
        const char *phase = json_string_value(json_object_get(v, "phase"));
        int p = 0;
        while (p < 3 && phase && strcmp(phase, phase_names[p]) != 0)
            p++;
        if (own_number(key) == 0 || phase == NULL || p == 3)
            continue;
        i18n_text *text = arena_calloc(call->arena, 1, sizeof(*text));
        if (text == NULL)
            return BF_ERR_NOMEM;
        text->zh = text->en = json_string_value(json_object_get(v, "text"));
        items[src->n++] = (checklist_item){.id = key, .phase = p, .text = text};
    }
    qsort(items + first, src->n - first, sizeof(*items), by_own_number);
    src->items = items;
    return BF_OK;
}

/* The checklist of act: its items (the playbook's, then its own) and its
 * stored ticks (saved: their form, for its version). */
static bf_result checklist_of(api_call *call, const record *act, checklist_source *src,
                              stored_form *saved, json_t **ticks)
{
    bf_result r = source_of(call, act, src);
    if (r == BF_OK)
        r = store_form_get(call->app->store, call->arena, FORM_KIND, act->id, FORM_NAME, saved,
                           &call->err);
    if (r != BF_OK)
        return r;
    *ticks = api_keep(call, saved->data ? json_loads(saved->data, 0, NULL) : json_object());
    return *ticks ? add_own(call, src, *ticks) : BF_ERR_NOMEM;
}

/* The activity of the path (404 when the viewer does not see it) and its
 * checklist. */
static bf_result load(api_call *call, record **act, checklist_source *src, stored_form *saved,
                      json_t **ticks)
{
    const char *id = call->req->params[0];
    bf_result r = api_require_visible(call, &resource_activities, id);
    if (r == BF_OK)
        r = store_record_get(call->app->store, call->arena, &resource_activities, id, act,
                             &call->err);
    return r == BF_OK ? checklist_of(call, *act, src, saved, ticks) : r;
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

/* Stores t's ticks over the version read and audits action on item, from
 * old to now (either may be NULL). */
static bf_result save(api_call *call, tick *t, int64_t read_version, const char *action,
                      const char *item, json_t *old, json_t *now)
{
    const char *text = api_json_text(call, t->ticks, JSON_COMPACT | JSON_SORT_KEYS);
    int64_t version;
    if (text == NULL)
        return BF_ERR_NOMEM;
    bf_result r = store_form_put(call->app->store, FORM_KIND, t->act->id, FORM_NAME, text,
                                 read_version, call->actor, &version, &call->err);
    if (r != BF_OK)
        return r;
    json_t *new_v = now ? api_keep(call, json_pack("{s:s, s:O}", "item", item, "tick", now)) : NULL;
    json_t *old_v = old ? api_keep(call, json_pack("{s:s, s:O}", "item", item, "tick", old)) : NULL;
    if ((now && new_v == NULL) || (old && old_v == NULL))
        return BF_ERR_NOMEM;
    return api_audit(call, action, "activities", t->act->id, old_v, new_v);
}

static bf_result tick_in_tx(api_call *call, void *ctx)
{
    tick *t = ctx;
    stored_form saved;
    bf_result r = load(call, &t->act, &t->src, &saved, &t->ticks);
    if (r != BF_OK)
        return r;
    const char *item = call->req->params[1];
    if (item_named(&t->src, item) == NULL)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "item",
                       t->src.n ? "the activity's checklist has no item %s"
                                : "the activity has no checklist (%s): neither a planned visit, "
                                  "a type its deal's playbook gives one, nor a key activity",
                       item);
    json_t *old = json_deep_copy(json_object_get(t->ticks, item));
    api_keep(call, old);
    char now[32];
    store_now(now, sizeof(now));
    bool done = json_is_true(json_object_get(t->body, "done"));
    /* An own item keeps its phase and text. */
    json_t *entry = json_pack("{s:b, s:s, s:s, s:O?, s:O?, s:O?}", "done", done, "by", call->actor,
                              "at", now, "note", json_object_get(t->body, "note"), "phase",
                              json_object_get(old, "phase"), "text", json_object_get(old, "text"));
    if (entry == NULL || json_object_set(t->ticks, item, entry) != 0 ||
        api_keep(call, entry) == NULL)
        return BF_ERR_NOMEM;
    return save(call, t, saved.version, "checklist", item, old, entry);
}

static bf_result add_in_tx(api_call *call, void *ctx)
{
    tick *t = ctx;
    stored_form saved;
    bf_result r = load(call, &t->act, &t->src, &saved, &t->ticks);
    if (r != BF_OK)
        return r;
    long last = 0, own = 0;
    for (size_t i = 0; i < t->src.n; i++) {
        long n = own_number(t->src.items[i].id);
        own += n > 0;
        last = n > last ? n : last;
    }
    if (own >= OWN_MAX)
        return bf_fail_args(&call->err, BF_ERR_CONFLICT, "too_many", "text",
                            BF_ARGS(BF_NUM("max", OWN_MAX)),
                            "an activity keeps at most %d items of its own", OWN_MAX);
    const char *item = arena_printf(call->arena, OWN_PREFIX "%ld", last + 1);
    char now[32];
    store_now(now, sizeof(now));
    json_t *entry =
        json_pack("{s:O, s:O, s:b, s:s, s:s}", "phase", json_object_get(t->body, "phase"), "text",
                  json_object_get(t->body, "text"), "done", false, "by", call->actor, "at", now);
    if (item == NULL || entry == NULL || json_object_set(t->ticks, item, entry) != 0 ||
        api_keep(call, entry) == NULL)
        return BF_ERR_NOMEM;
    return save(call, t, saved.version, "checklist_add", item, NULL, entry);
}

static bf_result remove_in_tx(api_call *call, void *ctx)
{
    tick *t = ctx;
    stored_form saved;
    bf_result r = load(call, &t->act, &t->src, &saved, &t->ticks);
    if (r != BF_OK)
        return r;
    const char *item = call->req->params[1];
    if (item_named(&t->src, item) == NULL)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "item",
                       "the activity's checklist has no item %s", item);
    if (own_number(item) == 0)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "not_own", "item",
                       "%s comes from the playbook: only items added to the activity are removed",
                       item);
    json_t *old = api_keep(call, json_deep_copy(json_object_get(t->ticks, item)));
    if (old == NULL || json_object_del(t->ticks, item) != 0)
        return BF_ERR_NOMEM;
    return save(call, t, saved.version, "checklist_remove", item, old, NULL);
}

/* A change of the checklist: fn in a transaction over the body (when
 * body_schema is not NULL), answered with the checklist as it is after. */
static bf_result change(api_call *call, const schema *body_schema,
                        bf_result (*fn)(api_call *, void *), int status)
{
    tick t = {0};
    bf_result r = api_require_visible(call, &resource_activities, call->req->params[0]);
    if (r == BF_OK && !access_may_write(call->who->role, &resource_activities, ACCESS_UPDATE))
        r = bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                    "your role does not change activities");
    if (r == BF_OK && body_schema)
        r = api_body_as(call, body_schema, &t.body);
    if (r == BF_OK)
        r = api_transaction(call, fn, &t);
    if (r != BF_OK)
        return r;
    stored_form saved;
    if ((r = load(call, &t.act, &t.src, &saved, &t.ticks)) != BF_OK)
        return r;
    json_t *body = checklist_json(call, t.act, &t.src, t.ticks);
    if (body == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, status, body);
    return BF_OK;
}

bf_result activity_checklist_put(api_call *call, const api_route *route)
{
    (void)route;
    return change(call, &body_activity_tick, tick_in_tx, 200);
}

bf_result activity_checklist_add(api_call *call, const api_route *route)
{
    (void)route;
    return change(call, &body_activity_item, add_in_tx, 201);
}

bf_result activity_checklist_remove(api_call *call, const api_route *route)
{
    (void)route;
    return change(call, NULL, remove_in_tx, 200);
}

/* How many of an activity's items are ticked, for a list of activities: one
 * read of each (the page a list shows, at most 200), those the viewer does
 * not see left out. */
bf_result activity_checklists_progress(api_call *call, const api_route *route)
{
    (void)route;
    const char *ids = http_query(call->req, "ids"); /* none: an empty answer */
    if (ids == NULL)
        ids = "";
    json_t *items = api_keep(call, json_object());
    if (items == NULL)
        return BF_ERR_NOMEM;
    size_t count = 0;
    for (const char *p = ids; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (++count > 200)
            return bf_fail(&call->err, BF_ERR_INVALID, "out_of_range", "ids",
                           "at most 200 activities at a time");
        char *id = arena_strndup(call->arena, p, len);
        if (id == NULL)
            return BF_ERR_NOMEM;
        bool sees = false;
        bf_error ignored;
        record *act;
        checklist_source src;
        stored_form saved;
        json_t *ticks;
        /* One not seen (or gone) is left out, not an error. */
        if (len > 0 &&
            store_record_visible(call->app->store, call->who, &resource_activities, id, &sees,
                                 &ignored) == BF_OK &&
            sees &&
            store_record_get(call->app->store, call->arena, &resource_activities, id, &act,
                             &ignored) == BF_OK) {
            bf_result r = checklist_of(call, act, &src, &saved, &ticks);
            if (r != BF_OK)
                return r;
            json_object_set_new(items, id,
                                json_pack("{s:I, s:I}", "done", (json_int_t)count_done(&src, ticks),
                                          "total", (json_int_t)src.n));
        }
        p += len + (comma != NULL);
    }
    json_t *body = json_pack("{s:O}", "items", items);
    if (body == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, body);
    return BF_OK;
}
