/* Playbook parsing and validation (see playbook.h); the set and the queries
 * on a parsed playbook are in playbook.c.
 *
 * The parser walks the document once, keeping a JSON path for messages; a
 * problem is recorded and the walk goes on, so one run lists every problem
 * of a file. Nothing is kept unless the whole document is valid. */
#include "core/playbook.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/text.h"

typedef struct ctx {
    arena *a;
    playbook *pb;
    playbook_problems *pr;
    char path[128];
} ctx;

/* Records a problem at key of the current path (NULL: the path itself):
 * its code, the values it names (args, may be NULL) and its message. */
static void problem(ctx *c, const char *key, const char *code, const bf_arg *args, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));

static void problem(ctx *c, const char *key, const char *code, const bf_arg *args, const char *fmt,
                    ...)
{
    c->pr->total++;
    if (c->pr->n == sizeof(c->pr->items) / sizeof(c->pr->items[0]))
        return;
    playbook_problem *p = &c->pr->items[c->pr->n++];
    if (key && c->path[0])
        snprintf(p->path, sizeof(p->path), "%.80s.%.40s", c->path, key);
    else
        snprintf(p->path, sizeof(p->path), "%s", key ? key : (c->path[0] ? c->path : "(document)"));
    char message[sizeof(p->err.message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    bf_fail_args(&p->err, BF_ERR_INVALID, code, strcmp(p->path, "(document)") ? p->path : "", args,
                 "%s", message);
}

/* Descends into a path segment; leave() restores the saved path. */
static void enter(ctx *c, char *saved, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void enter(ctx *c, char *saved, const char *fmt, ...)
{
    memcpy(saved, c->path, sizeof(c->path));
    size_t n = strlen(c->path);
    if (n && n + 1 < sizeof(c->path) && fmt[0] != '[')
        c->path[n++] = '.';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->path + n, sizeof(c->path) - n, fmt, ap);
    va_end(ap);
}

static void leave(ctx *c, const char *saved)
{
    memcpy(c->path, saved, sizeof(c->path));
}

/* The readers below take a document that follows playbook_document_schema
 * (checked first, every fault listed): they read, and what does not follow
 * reads as absent. */

/* The non-empty string at key, copied into the arena, or NULL. */
static const char *get_string(ctx *c, json_t *obj, const char *key)
{
    const char *s = schema_get_text(obj, key);
    return s ? arena_strdup(c->a, s) : NULL;
}

/* An id (a slug) at key, or NULL. */
static const char *get_id(ctx *c, json_t *obj, const char *key)
{
    const char *s = get_string(c, obj, key);
    return s && text_slug_valid(s) ? s : NULL;
}

/* The integer at key when it lies in [min, max], else def. */
static int get_int(json_t *obj, const char *key, int min, int max, int def)
{
    json_t *v = schema_get(obj, key);
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : (json_int_t)min - 1;
    return n >= min && n <= max ? (int)n : def;
}

static void parse_text(ctx *c, json_t *v, i18n_text *out)
{
    out->zh = get_string(c, v, "zh");
    out->en = get_string(c, v, "en");
}

static void get_text(ctx *c, json_t *obj, const char *key, i18n_text *out)
{
    parse_text(c, schema_get(obj, key), out);
}

/* The array at key (NULL when absent or not an array); *n its size. */
static json_t *get_array(json_t *obj, const char *key, size_t *n)
{
    json_t *v = schema_get(obj, key);
    *n = json_is_array(v) ? json_array_size(v) : 0;
    return json_is_array(v) ? v : NULL;
}

static void get_text_list(ctx *c, json_t *obj, const char *key, text_list *out)
{
    size_t n;
    json_t *arr = get_array(obj, key, &n);
    out->n = 0;
    out->items = n ? arena_calloc(c->a, n, sizeof(i18n_text)) : NULL;
    if (arr == NULL || (n && out->items == NULL))
        return;
    for (size_t i = 0; i < n; i++) {
        char saved[sizeof(c->path)];
        enter(c, saved, "%s[%zu]", key, i);
        parse_text(c, json_array_get(arr, i), &out->items[i]);
        leave(c, saved);
    }
    out->n = n;
}

static bool role_known(const playbook *pb, const char *code, size_t len)
{
    static const char *const builtin[] = {"S", "C", "M", "channel", NULL};
    for (size_t i = 0; builtin[i]; i++)
        if (strlen(builtin[i]) == len && memcmp(builtin[i], code, len) == 0)
            return true;
    for (size_t i = 0; i < pb->nroles; i++)
        if (pb->roles[i].code && strlen(pb->roles[i].code) == len &&
            memcmp(pb->roles[i].code, code, len) == 0)
            return true;
    return false;
}

/* Role codes joined by '&' ("M&C&S"); each must be known. */
static const char *get_roles(ctx *c, json_t *obj, const char *key)
{
    const char *s = get_string(c, obj, key);
    if (s == NULL)
        return NULL;
    for (const char *p = s;;) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        if (n == 0 || !role_known(c->pb, p, n)) {
            problem(c, key, "unknown_role", BF_ARGS(BF_TEXT("value", s)),
                    "names an unknown role in \"%.60s\" (S, C, M, channel or a code of "
                    "roles[], joined by &)",
                    s);
            return NULL;
        }
        if (amp == NULL)
            break;
        p = amp + 1;
    }
    return s;
}

static bool template_known(const playbook *pb, const char *id)
{
    for (size_t i = 0; i < pb->ntemplates; i++)
        if (pb->templates[i].id && strcmp(pb->templates[i].id, id) == 0)
            return true;
    return false;
}

static const char *get_template(ctx *c, json_t *obj, const char *key)
{
    const char *id = get_id(c, obj, key);
    if (id && !template_known(c->pb, id)) {
        problem(c, key, "unknown_template", BF_ARGS(BF_TEXT("id", id)),
                "names the unknown template \"%.60s\"", id);
        return NULL;
    }
    return id;
}

static const char *const frameworks[] = {"MAN", "MANT", "5W2P", "CE", NULL};

/* An item's derived_from, and the list of the playbook it needs. */
static void get_derived_from(ctx *c, json_t *v, checklist_def *item)
{
    static const char *const profile_facts[] = {
        "size",          "ownership", "business_type", "existing_systems", "branches",
        "purchase_plan", NULL};
    static const char *const tender_facts[] = {"procurement_method", "award", NULL};
    static const char *const contract_facts[] = {"first_payment", "archived", NULL};
    item->derived_from = get_string(c, v, "derived_from");
    item->fact = get_string(c, v, "fact");
    const char *from = item->derived_from ? item->derived_from : "";
    bool review = strcmp(from, "proposal-review") == 0;
    bool buying = strcmp(from, "buying-conditions") == 0;
    bool profile = strcmp(from, "profile") == 0, tender = strcmp(from, "tender") == 0;
    bool contract = strcmp(from, "contract") == 0;
    if ((review && c->pb->nproposal_defects == 0) || (buying && c->pb->nbuying_conditions == 0))
        problem(c, "derived_from", "needs_list",
                BF_ARGS(BF_TEXT("list", review ? "proposal_defects" : "buying_conditions")),
                "an item met by the %s needs the playbook's %s",
                review ? "proposal's review" : "buying conditions' check",
                review ? "proposal_defects" : "buying_conditions");
    if (item->fact != NULL && !profile && !tender && !contract)
        problem(c, "fact", "fact_not_allowed", NULL,
                "only an item derived from the profile, the tender or the contract names a fact");
    if (contract && (item->fact == NULL || !schema_one_of(item->fact, contract_facts)))
        problem(c, "fact", "contract_fact", NULL,
                "an item derived from the contract names first_payment or archived");
    if (profile && item->fact && !schema_one_of(item->fact, profile_facts))
        problem(c, "fact", "profile_fact", NULL,
                "must be a profile factor: size, ownership, business_type, "
                "existing_systems, branches or purchase_plan");
    if (tender && (item->fact == NULL || !schema_one_of(item->fact, tender_facts)))
        problem(c, "fact", "tender_fact", NULL,
                "an item derived from the tender names procurement_method or award");
}

static void parse_criterion(ctx *c, json_t *v, checklist_def *item)
{
    item->type = ITEM_CRITERION;
    item->id = get_id(c, v, "id");
    item->kind = get_string(c, v, "kind");
    item->owner = get_roles(c, v, "owner");
    item->framework = get_string(c, v, "framework");
    get_derived_from(c, v, item);
    get_text(c, v, "text", &item->text);
}

static void parse_deliverable(ctx *c, json_t *v, checklist_def *item)
{
    item->type = ITEM_DELIVERABLE;
    item->id = get_id(c, v, "id");
    get_text(c, v, "name", &item->text);
    item->audience = get_string(c, v, "audience");
    item->owner = get_roles(c, v, "owner");
    item->template_id = get_template(c, v, "template");
    item->requires_document = json_is_true(json_object_get(v, "requires_document"));
    get_derived_from(c, v, item);
}

static void parse_activity(ctx *c, json_t *v, checklist_def *item)
{
    item->type = ITEM_ACTIVITY;
    item->id = get_id(c, v, "id");
    get_text(c, v, "name", &item->text);
    get_text(c, v, "goal", &item->goal);
    item->owner = get_roles(c, v, "owner");
    size_t n;
    json_t *steps = get_array(v, "steps", &n);
    item->steps = n ? arena_calloc(c->a, n, sizeof(step_def)) : NULL;
    for (size_t i = 0; steps && item->steps && i < n; i++) {
        char saved[sizeof(c->path)];
        enter(c, saved, "steps[%zu]", i);
        json_t *s = json_array_get(steps, i);
        get_text(c, s, "text", &item->steps[i].text);
        item->steps[i].owner = get_roles(c, s, "owner");
        leave(c, saved);
    }
    item->nsteps = item->steps ? n : 0;
    get_text_list(c, v, "tools", &item->tools);
    get_text_list(c, v, "inspection", &item->inspection);
    get_text_list(c, v, "skills", &item->skills);
    json_t *tpls = get_array(v, "templates", &n);
    item->templates = n ? arena_calloc(c->a, n, sizeof(char *)) : NULL;
    for (size_t i = 0; tpls && item->templates && i < n; i++) {
        json_t *t = json_array_get(tpls, i);
        char saved[sizeof(c->path)];
        enter(c, saved, "templates[%zu]", i);
        if (!json_is_string(t))
            ; /* the document's check named it */
        else if (!template_known(c->pb, json_string_value(t)))
            problem(c, NULL, "unknown_template", BF_ARGS(BF_TEXT("id", json_string_value(t))),
                    "names the unknown template \"%.60s\"", json_string_value(t));
        else
            item->templates[item->ntemplates++] = arena_strdup(c->a, json_string_value(t));
        leave(c, saved);
    }
}

static void parse_perspective(ctx *c, json_t *v, perspective *p, bool presales)
{
    if (!json_is_object(v))
        return;
    p->present = true;
    get_text(c, v, "goal", &p->goal);
    get_text(c, v, "signature_action", &p->signature_action);
    get_text_list(c, v, "behaviours", &p->behaviours);
    size_t n;
    json_t *kbs = presales ? get_array(v, "key_behaviours", &n) : NULL;
    if (kbs == NULL || n == 0)
        return;
    p->key_behaviours = arena_calloc(c->a, n, sizeof(key_behaviour));
    for (size_t i = 0; p->key_behaviours && i < n; i++) {
        char saved[sizeof(c->path)];
        enter(c, saved, "key_behaviours[%zu]", i);
        json_t *kb = json_array_get(kbs, i);
        get_text(c, kb, "behaviour", &p->key_behaviours[i].behaviour);
        get_text(c, kb, "output", &p->key_behaviours[i].output);
        get_text(c, kb, "pass_bar", &p->key_behaviours[i].pass_bar);
        leave(c, saved);
    }
    p->nkey_behaviours = p->key_behaviours ? n : 0;
}

static void parse_perspectives(ctx *c, json_t *stage, stage_def *st)
{
    static const char *const views[] = {"customer", "sales", "channel", "presales", NULL};
    json_t *v = json_object_get(stage, "perspectives");
    if (v == NULL)
        return;
    char saved[sizeof(c->path)];
    enter(c, saved, "perspectives");
    for (int i = 0; json_is_object(v) && i < VIEW_COUNT; i++) {
        json_t *p = json_object_get(v, views[i]);
        if (p == NULL)
            continue;
        char inner[sizeof(c->path)];
        enter(c, inner, "%s", views[i]);
        parse_perspective(c, p, &st->views[i], i == VIEW_PRESALES);
        leave(c, inner);
    }
    leave(c, saved);
}

typedef void (*item_parser)(ctx *c, json_t *v, checklist_def *item);

/* Parses the items at key into items[*n…], as many as the array holds. */
static void parse_items(ctx *c, json_t *obj, const char *key, item_parser parse,
                        checklist_def *items, size_t *n)
{
    size_t count;
    json_t *arr = get_array(obj, key, &count);
    for (size_t i = 0; arr && i < count; i++) {
        char saved[sizeof(c->path)];
        enter(c, saved, "%s[%zu]", key, i);
        checklist_def *item = &items[*n];
        parse(c, json_array_get(arr, i), item);
        for (size_t k = 0; item->id && k < *n; k++)
            if (items[k].id && strcmp(items[k].id, item->id) == 0) {
                problem(c, "id", "repeated_id", BF_ARGS(BF_TEXT("id", item->id)),
                        "repeats the item id \"%s\" within the stage", item->id);
                break;
            }
        (*n)++;
        leave(c, saved);
    }
}

static size_t array_size_at(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_array(v) ? json_array_size(v) : 0;
}

static void parse_stage(ctx *c, json_t *v, stage_def *st)
{
    if (!json_is_object(v))
        return;
    st->id = get_id(c, v, "id");
    if (st->id && strcmp(st->id, "won") == 0) {
        problem(c, "id", "reserved_id", BF_ARGS(BF_TEXT("id", "won")),
                "\"won\" is reserved for the closing checklist of a won deal");
        st->id = NULL;
    }
    get_text(c, v, "name", &st->name);
    st->probability = get_int(v, "probability", 0, 100, -1);
    json_t *f = json_object_get(v, "in_funnel");
    st->in_funnel = f == NULL || json_is_true(f);
    /* Without a category of its own, a stage forecasts by its probability. */
    st->forecast = schema_get_text(v, "forecast");
    if (st->forecast == NULL)
        st->forecast = st->probability >= 75   ? "commit"
                       : st->probability >= 45 ? "best_case"
                                               : "pipeline";
    get_text(c, v, "goal", &st->goal);
    get_text(c, v, "milestone", &st->milestone);
    get_text(c, v, "success_criteria", &st->success_criteria);
    get_text(c, v, "signature_action", &st->signature_action);
    st->typical_days = get_int(v, "typical_days", 1, 3650, 0);
    parse_perspectives(c, v, st);

    size_t cap = array_size_at(v, "exit_criteria") + array_size_at(v, "deliverables") +
                 array_size_at(v, "activities");
    st->items = arena_calloc(c->a, cap ? cap : 1, sizeof(checklist_def));
    if (st->items == NULL)
        return;
    parse_items(c, v, "exit_criteria", parse_criterion, st->items, &st->nitems);
    parse_items(c, v, "deliverables", parse_deliverable, st->items, &st->nitems);
    parse_items(c, v, "activities", parse_activity, st->items, &st->nitems);
}

static void parse_roles(ctx *c, json_t *doc)
{
    static const char *const reserved[] = {"S", "C", "M", "channel", NULL};
    size_t n;
    json_t *arr = get_array(doc, "roles", &n);
    c->pb->roles = n ? arena_calloc(c->a, n, sizeof(role_def)) : NULL;
    for (size_t i = 0; arr && c->pb->roles && i < n; i++) {
        char saved[sizeof(c->path)];
        enter(c, saved, "roles[%zu]", i);
        json_t *v = json_array_get(arr, i);
        role_def *r = &c->pb->roles[i];
        if (json_is_object(v)) {
            r->code = get_string(c, v, "code");
            bool ok = r->code && strlen(r->code) <= 16;
            for (const char *p = r->code; ok && *p; p++)
                ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z');
            if (r->code && (!ok || schema_one_of(r->code, reserved))) {
                problem(c, "code", "invalid_role_code", NULL,
                        "must be 1 to 16 letters and not S, C, M or channel");
                r->code = NULL;
            }
            for (size_t k = 0; r->code && k < i; k++)
                if (c->pb->roles[k].code && strcmp(c->pb->roles[k].code, r->code) == 0)
                    problem(c, "code", "repeated_id", BF_ARGS(BF_TEXT("id", r->code)),
                            "repeats the role \"%s\"", r->code);
            get_text(c, v, "name", &r->name);
            get_text(c, v, "description", &r->description);
            size_t np;
            json_t *played = get_array(v, "played_by", &np);
            if (played != NULL) { /* checked against the schema: user role names */
                r->played_by = arena_calloc(c->a, np + 1, sizeof(*r->played_by));
                for (size_t k = 0; r->played_by && k < np; k++)
                    r->played_by[k] =
                        arena_strdup(c->a, json_string_value(json_array_get(played, k)));
                r->nplayed_by = r->played_by ? np : 0;
            }
        }
        leave(c, saved);
    }
    c->pb->nroles = c->pb->roles ? n : 0;
}

/* A list of {id, name} at key (templates, ce_patterns) into *out, *nout. */
static void parse_named_list(ctx *c, json_t *doc, const char *key, template_def **out, size_t *nout)
{
    size_t n;
    json_t *arr = get_array(doc, key, &n);
    *out = n ? arena_calloc(c->a, n, sizeof(template_def)) : NULL;
    for (size_t i = 0; arr && *out && i < n; i++) {
        char saved[sizeof(c->path)];
        enter(c, saved, "%s[%zu]", key, i);
        json_t *v = json_array_get(arr, i);
        template_def *t = &(*out)[i];
        if (json_is_object(v)) {
            t->id = get_id(c, v, "id");
            for (size_t k = 0; t->id && k < i; k++)
                if ((*out)[k].id && strcmp((*out)[k].id, t->id) == 0)
                    problem(c, "id", "repeated_id", BF_ARGS(BF_TEXT("id", t->id)),
                            "repeats the id \"%s\"", t->id);
            get_text(c, v, "name", &t->name);
        }
        leave(c, saved);
    }
    *nout = *out ? n : 0;
}

static void parse_templates(ctx *c, json_t *doc)
{
    parse_named_list(c, doc, "templates", &c->pb->templates, &c->pb->ntemplates);
    parse_named_list(c, doc, "ce_patterns", &c->pb->ce_patterns, &c->pb->nce_patterns);
    parse_named_list(c, doc, "proposal_defects", &c->pb->proposal_defects,
                     &c->pb->nproposal_defects);
    parse_named_list(c, doc, "buying_conditions", &c->pb->buying_conditions,
                     &c->pb->nbuying_conditions);
}

/* The index of the stage called key's value, or SIZE_MAX with a problem. */
static size_t stage_ref(ctx *c, json_t *obj, const char *key)
{
    const char *id = get_id(c, obj, key);
    if (id == NULL)
        return SIZE_MAX;
    for (size_t i = 0; i < c->pb->nstages; i++)
        if (c->pb->stages[i].id && strcmp(c->pb->stages[i].id, id) == 0)
            return i;
    problem(c, key, "unknown_stage", BF_ARGS(BF_TEXT("id", id)),
            "names the unknown stage \"%.60s\"", id);
    return SIZE_MAX;
}

static void parse_decisions(ctx *c, json_t *doc)
{
    size_t n;
    json_t *arr = get_array(doc, "decision_points", &n);
    c->pb->decisions = n ? arena_calloc(c->a, n, sizeof(decision_def)) : NULL;
    for (size_t i = 0; arr && c->pb->decisions && i < n; i++) {
        char saved[sizeof(c->path)];
        enter(c, saved, "decision_points[%zu]", i);
        json_t *v = json_array_get(arr, i);
        decision_def *d = &c->pb->decisions[i];
        if (json_is_object(v)) {
            d->id = get_id(c, v, "id");
            for (size_t k = 0; d->id && k < i; k++)
                if (c->pb->decisions[k].id && strcmp(c->pb->decisions[k].id, d->id) == 0)
                    problem(c, "id", "repeated_id", BF_ARGS(BF_TEXT("id", d->id)),
                            "repeats the decision point id \"%s\"", d->id);
            d->stage = stage_ref(c, v, "stage");
            /* An answer is kept like a checklist item of its stage: the ids
             * must not meet. */
            if (d->id && d->stage != SIZE_MAX &&
                playbook_item(c->pb, &c->pb->stages[d->stage], d->id) != NULL)
                problem(c, "id", "id_taken", BF_ARGS(BF_TEXT("stage", c->pb->stages[d->stage].id)),
                        "is also the id of an item of stage \"%s\"", c->pb->stages[d->stage].id);
            const char *outcome = schema_get_text(v, "no_outcome");
            d->abandons = outcome != NULL && strcmp(outcome, "abandon") == 0;
            d->no_stage = SIZE_MAX;
            if (!d->abandons && schema_get(v, "no_stage") == NULL)
                problem(c, "no_stage", "no_stage_required", NULL,
                        "is required: a no turns the deal back to it (or give "
                        "\"no_outcome\": \"abandon\")");
            else if (schema_get(v, "no_stage") != NULL)
                d->no_stage = stage_ref(c, v, "no_stage");
            if (d->stage != SIZE_MAX && d->no_stage != SIZE_MAX && d->no_stage >= d->stage)
                problem(c, "no_stage", "stage_not_before",
                        BF_ARGS(BF_TEXT("stage", c->pb->stages[d->stage].id)),
                        "must be a stage before \"%s\"", c->pb->stages[d->stage].id);
            get_text(c, v, "question", &d->question);
            get_text(c, v, "no_action", &d->no_action);
        }
        leave(c, saved);
    }
    c->pb->ndecisions = c->pb->decisions ? n : 0;
}

static void parse_closing(ctx *c, json_t *doc)
{
    size_t n;
    json_t *arr = get_array(doc, "closing", &n);
    c->pb->closing = n ? arena_calloc(c->a, n, sizeof(checklist_def)) : NULL;
    for (size_t i = 0; arr && c->pb->closing && i < n; i++) {
        char saved[sizeof(c->path)];
        enter(c, saved, "closing[%zu]", i);
        json_t *v = json_array_get(arr, i);
        checklist_def *item = &c->pb->closing[i];
        item->type = ITEM_CLOSING;
        if (json_is_object(v)) {
            item->id = get_id(c, v, "id");
            for (size_t k = 0; item->id && k < i; k++)
                if (c->pb->closing[k].id && strcmp(c->pb->closing[k].id, item->id) == 0)
                    problem(c, "id", "repeated_id", BF_ARGS(BF_TEXT("id", item->id)),
                            "repeats the closing id \"%s\"", item->id);
            item->owner = get_roles(c, v, "owner");
            get_text(c, v, "text", &item->text);
        }
        leave(c, saved);
    }
    c->pb->nclosing = c->pb->closing ? n : 0;
}

static void parse_visit(ctx *c, json_t *v, visit_def *visit, size_t i, const mode_def *m,
                        int prev_day)
{
    if (!json_is_object(v))
        return;
    visit->n = get_int(v, "n", 1, 100, 0);
    if (visit->n != 0 && visit->n != (int)i + 1)
        problem(c, "n", "visit_number", BF_ARGS(BF_NUM("n", i + 1)),
                "must be %zu: visits are numbered 1, 2, 3 … in order", i + 1);
    visit->day = get_int(v, "day", 0, 3650, prev_day);
    if (visit->day < prev_day)
        problem(c, "day", "visit_day_order", NULL, "must not be before the previous visit's day");
    if (m->benchmark_days > 0 && visit->day > m->benchmark_days)
        problem(c, "day", "visit_day_range", BF_ARGS(BF_NUM("days", m->benchmark_days)),
                "must be within the benchmark's %d days", m->benchmark_days);
    visit->owner = get_roles(c, v, "owner");
    get_text(c, v, "purpose", &visit->purpose);
    get_text_list(c, v, "before", &visit->before);
    get_text_list(c, v, "during", &visit->during);
    get_text_list(c, v, "after", &visit->after);
}

static void parse_modes(ctx *c, json_t *doc)
{
    static const char *const ids[] = {"quick", "consultative", "strategic", NULL};
    size_t n;
    json_t *arr = get_array(doc, "modes", &n);
    c->pb->modes = n ? arena_calloc(c->a, n, sizeof(mode_def)) : NULL;
    for (size_t i = 0; arr && c->pb->modes && i < n; i++) {
        char saved[sizeof(c->path)];
        enter(c, saved, "modes[%zu]", i);
        json_t *v = json_array_get(arr, i);
        mode_def *m = &c->pb->modes[i];
        if (!json_is_object(v)) {
            leave(c, saved);
            continue;
        }
        m->id = get_string(c, v, "id");
        if (m->id && !schema_one_of(m->id, ids))
            m->id = NULL;
        for (size_t k = 0; m->id && k < i; k++)
            if (c->pb->modes[k].id && strcmp(c->pb->modes[k].id, m->id) == 0)
                problem(c, "id", "repeated_id", BF_ARGS(BF_TEXT("id", m->id)),
                        "repeats the mode \"%s\"", m->id);
        get_text(c, v, "name", &m->name);
        get_text(c, v, "description", &m->description);
        m->team = get_roles(c, v, "team");
        json_t *b = json_object_get(v, "benchmark");
        if (b != NULL) {
            char inner[sizeof(c->path)];
            enter(c, inner, "benchmark");
            if (json_is_object(b)) {
                m->benchmark_visits = get_int(b, "visits", 1, 1000, 0);
                m->benchmark_days = get_int(b, "days", 1, 3650, 0);
                get_text(c, b, "text", &m->benchmark_text);
            }
            leave(c, inner);
        }
        size_t nv;
        json_t *visits = get_array(v, "visits", &nv);
        m->visits = nv ? arena_calloc(c->a, nv, sizeof(visit_def)) : NULL;
        int prev_day = 0;
        for (size_t k = 0; visits && m->visits && k < nv; k++) {
            char inner[sizeof(c->path)];
            enter(c, inner, "visits[%zu]", k);
            parse_visit(c, json_array_get(visits, k), &m->visits[k], k, m, prev_day);
            prev_day = m->visits[k].day;
            leave(c, inner);
        }
        m->nvisits = m->visits ? nv : 0;
        leave(c, saved);
    }
    c->pb->nmodes = c->pb->modes ? n : 0;
}

static void parse_activity_checklists(ctx *c, json_t *doc)
{
    size_t n;
    json_t *arr = get_array(doc, "activity_checklists", &n);
    playbook *pb = c->pb;
    pb->activity_checklists = n ? arena_calloc(c->a, n, sizeof(activity_checklist_def)) : NULL;
    for (size_t i = 0; arr && pb->activity_checklists && i < n; i++) {
        char saved[sizeof(c->path)];
        enter(c, saved, "activity_checklists[%zu]", i);
        json_t *v = json_array_get(arr, i);
        activity_checklist_def *a = &pb->activity_checklists[i];
        if (json_is_object(v)) {
            a->id = get_id(c, v, "id");
            a->type = get_string(c, v, "type"); /* one of the activity types: the schema */
            for (size_t k = 0; k < i; k++) {
                if (a->id && pb->activity_checklists[k].id &&
                    strcmp(pb->activity_checklists[k].id, a->id) == 0)
                    problem(c, "id", "repeated_id", BF_ARGS(BF_TEXT("id", a->id)),
                            "repeats the id \"%s\"", a->id);
                if (a->type && pb->activity_checklists[k].type &&
                    strcmp(pb->activity_checklists[k].type, a->type) == 0)
                    problem(c, "type", "checklist_exists", BF_ARGS(BF_TEXT("type", a->type)),
                            "activities of type %s have a checklist already", a->type);
            }
            get_text(c, v, "name", &a->name);
            get_text_list(c, v, "before", &a->before);
            get_text_list(c, v, "during", &a->during);
            get_text_list(c, v, "after", &a->after);
            if (a->before.n + a->during.n + a->after.n == 0)
                problem(c, "before", "checklist_empty", NULL,
                        "a checklist needs at least one item before, during or after");
        }
        leave(c, saved);
    }
    pb->nactivity_checklists = pb->activity_checklists ? n : 0;
}

/* approvers: {kind: one role code}; the schema checked the kinds. */
static void parse_approvers(ctx *c, json_t *doc)
{
    json_t *obj = json_object_get(doc, "approvers");
    size_t n = json_is_object(obj) ? json_object_size(obj) : 0;
    playbook *pb = c->pb;
    pb->approvers = n ? arena_calloc(c->a, n, sizeof(approver_def)) : NULL;
    if (pb->approvers == NULL)
        return;
    char saved[sizeof(c->path)];
    enter(c, saved, "approvers");
    for (size_t i = 0; playbook_approval_kinds[i]; i++) {
        const char *kind = playbook_approval_kinds[i];
        if (json_object_get(obj, kind) == NULL)
            continue;
        const char *role = get_roles(c, obj, kind);
        if (role && strchr(role, '&') != NULL) {
            problem(c, kind, "one_role", BF_ARGS(BF_TEXT("value", role)),
                    "names one role, not several (\"%.60s\")", role);
            role = NULL;
        }
        if (role && pb->napprovers < n)
            pb->approvers[pb->napprovers++] = (approver_def){arena_strdup(c->a, kind), role};
    }
    leave(c, saved);
}

static void parse_doc(ctx *c, json_t *doc)
{
    playbook *pb = c->pb;
    if (!json_is_object(doc))
        return;
    pb->id = get_id(c, doc, "id");
    pb->version = get_int(doc, "version", 1, 1000000, 1);
    get_text(c, doc, "name", &pb->name);
    get_text(c, doc, "description", &pb->description);
    get_text(c, doc, "reference_case", &pb->reference_case);
    pb->source = get_string(c, doc, "source");

    size_t n;
    json_t *q = get_array(doc, "qualification", &n);
    pb->qualification = n ? arena_calloc(c->a, n, sizeof(char *)) : NULL;
    for (size_t i = 0; q && pb->qualification && i < n; i++) {
        json_t *item = json_array_get(q, i);
        char saved[sizeof(c->path)];
        enter(c, saved, "qualification[%zu]", i);
        if (json_is_string(item) && schema_one_of(json_string_value(item), frameworks)) {
            for (size_t k = 0; k < i; k++)
                if (json_equal(item, json_array_get(q, k)))
                    problem(c, NULL, "repeated_id", BF_ARGS(BF_TEXT("id", json_string_value(item))),
                            "repeats %s", json_string_value(item));
            pb->qualification[pb->nqualification++] = arena_strdup(c->a, json_string_value(item));
        }
        leave(c, saved);
    }

    parse_roles(c, doc);
    parse_templates(c, doc);
    parse_approvers(c, doc);

    json_t *stages = get_array(doc, "stages", &n);
    pb->stages = n ? arena_calloc(c->a, n, sizeof(stage_def)) : NULL;
    for (size_t i = 0; stages && pb->stages && i < n; i++) {
        char saved[sizeof(c->path)];
        enter(c, saved, "stages[%zu]", i);
        stage_def *st = &pb->stages[i];
        parse_stage(c, json_array_get(stages, i), st);
        for (size_t k = 0; st->id && k < i; k++)
            if (pb->stages[k].id && strcmp(pb->stages[k].id, st->id) == 0)
                problem(c, "id", "repeated_id", BF_ARGS(BF_TEXT("id", st->id)),
                        "repeats the stage id \"%s\"", st->id);
        if (i > 0 && st->probability >= 0 && pb->stages[i - 1].probability >= 0 &&
            st->probability <= pb->stages[i - 1].probability)
            problem(c, "probability", "probability_order",
                    BF_ARGS(BF_NUM("previous", pb->stages[i - 1].probability)),
                    "must be greater than the previous stage's (%d)",
                    pb->stages[i - 1].probability);
        leave(c, saved);
    }
    pb->nstages = pb->stages ? n : 0;

    parse_decisions(c, doc);
    parse_closing(c, doc);
    parse_modes(c, doc);
    parse_activity_checklists(c, doc);
}

/* A fault of the document's shape, as a problem: its path, and its message
 * without the path it starts with. */
static void schema_fault(void *context, const bf_error *fault)
{
    ctx *c = context;
    const char *msg = fault->message;
    size_t n = strlen(fault->field);
    if (n > 0 && strncmp(msg, fault->field, n) == 0 && msg[n] == ' ')
        msg += n + 1;
    else if (strncmp(msg, "the body ", 9) == 0)
        msg += 9;
    problem(c, fault->field[0] ? fault->field : NULL, fault->code, NULL, "%s", msg);
    playbook_problem *p = &c->pr->items[c->pr->n - 1];
    if (c->pr->n == c->pr->total) /* kept: with the values the fault names */
        memcpy(p->err.args, fault->args, sizeof(p->err.args));
}

/* The place of the first segment of path within node: a key's position
 * among the object's keys (its count when absent), an index as is; *rest is
 * what follows the segment, *child the value it names (NULL when absent). */
static size_t segment_place(json_t *node, const char *path, const char **rest, json_t **child)
{
    *child = NULL;
    if (path[0] == '[') {
        char *end;
        size_t i = (size_t)strtoul(path + 1, &end, 10);
        *rest = *end == ']' ? end + 1 : end;
        *child = json_array_get(node, i);
        return i;
    }
    size_t len = strcspn(path, ".[");
    *rest = path + len;
    size_t place = 0;
    const char *key;
    json_t *v;
    json_object_foreach(node, key, v)
    {
        if (strlen(key) == len && memcmp(key, path, len) == 0) {
            *child = v;
            return place;
        }
        place++;
    }
    return place;
}

/* Compares the paths a and b by where they point in doc: -1, 0 or 1. */
static int doc_order(json_t *doc, const char *a, const char *b)
{
    json_t *node = doc;
    while (node != NULL) {
        if (*a == '.')
            a++;
        if (*b == '.')
            b++;
        if (*a == '\0' || *b == '\0')
            return (*a != '\0') - (*b != '\0');
        const char *ra, *rb;
        json_t *ca, *cb;
        size_t pa = segment_place(node, a, &ra, &ca);
        size_t pb = segment_place(node, b, &rb, &cb);
        if (pa != pb)
            return pa < pb ? -1 : 1;
        node = ca;
        a = ra;
        b = rb;
    }
    return 0;
}

/* Puts the problems kept in document order (stable: problems at one place
 * keep the order they were found in). */
static void sort_problems(json_t *doc, playbook_problems *pr)
{
    for (size_t i = 1; i < pr->n; i++) {
        playbook_problem p = pr->items[i];
        size_t k = i;
        const char *path = strcmp(p.path, "(document)") == 0 ? "" : p.path;
        while (k > 0) {
            const char *prev = pr->items[k - 1].path;
            if (doc_order(doc, strcmp(prev, "(document)") == 0 ? "" : prev, path) <= 0)
                break;
            pr->items[k] = pr->items[k - 1];
            k--;
        }
        pr->items[k] = p;
    }
}

bf_result playbook_parse(const char *text, size_t len, playbook **out, playbook_problems *problems,
                         bf_error *err)
{
    if (problems)
        problems->n = problems->total = 0;
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        const bf_arg *at = BF_ARGS(BF_NUM("line", jerr.line), BF_NUM("column", jerr.column));
        if (problems) {
            problems->n = problems->total = 1;
            snprintf(problems->items[0].path, sizeof(problems->items[0].path), "(document)");
            bf_fail_args(&problems->items[0].err, BF_ERR_MALFORMED, "malformed_json", "", at,
                         "is not valid JSON: %s at line %d, column %d", jerr.text, jerr.line,
                         jerr.column);
        }
        return bf_fail_args(err, BF_ERR_MALFORMED, "malformed_json", "", at,
                            "playbook is not valid JSON: %s at line %d, column %d", jerr.text,
                            jerr.line, jerr.column);
    }
    /* Without a list asked for, the problems are listed in one of our own:
     * err has the first of them in the document's order. */
    playbook_problems *own = problems ? NULL : malloc(sizeof(*own));
    playbook_problems *pr = problems ? problems : own;
    arena *a = pr ? arena_new(64 * 1024) : NULL;
    playbook *pb = a ? arena_calloc(a, 1, sizeof(*pb)) : NULL;
    if (pb == NULL) {
        arena_free(a);
        free(own);
        json_decref(doc);
        return bf_fail(err, BF_ERR_NOMEM, NULL, "", "out of memory");
    }
    pb->arena = a;
    pb->doc = doc;
    pr->n = pr->total = 0;
    ctx c = {.a = a, .pb = pb, .pr = pr, .path = ""};
    schema_check_all(&playbook_document_schema, doc, schema_fault, &c);
    parse_doc(&c, doc);
    sort_problems(doc, pr);
    bf_result r = BF_OK;
    if (pr->total > 0) {
        playbook_problem *first = &pr->items[0];
        r = bf_fail_args(err, BF_ERR_INVALID, "invalid_playbook", first->path,
                         BF_ARGS(BF_TEXT("path", first->path), BF_NUM("count", pr->total)),
                         "playbook: %s %s%s", first->path, first->err.message,
                         pr->total > 1 ? " (and more)" : "");
        playbook_free(pb);
    } else {
        *out = pb;
    }
    free(own);
    return r;
}
